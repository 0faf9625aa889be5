# Forewarn's edge-include shape on Varnish 7.1: the article is cached once, the notice is decided
# per reader by Forewarn and spliced in with ESI where the article says
#     <esi:include src="/_forewarn/fragment?path=/articles/one&amp;lang=en"/>
#
# A template: the placeholders ORIGIN_HOST, ORIGIN_PORT (the site's own server) and
# FOREWARN_HOST, FOREWARN_PORT (`forewarn serve`) are filled in with envsubst, as
# deploy/README.md shows; tests/integration fills them the same way and runs this file.
#
# Reader addresses: Varnish's core appends the address of its own client to X-Forwarded-For
# before vcl_recv (also for the ESI sub-requests), and that is left alone here. So Forewarn must
# list Varnish's address (or network) in `trusted_proxies`: it walks X-Forwarded-For from the
# right, skips the trusted hops and takes the first untrusted address as the reader's. Trust
# nothing more than the hops you run: whatever a reader writes into the header themselves is on
# the left and is ignored once a hop you do not trust has been passed.

vcl 4.1;

backend origin {
    .host = "${ORIGIN_HOST}";
    .port = "${ORIGIN_PORT}";
}

backend forewarn {
    .host = "${FOREWARN_HOST}";
    .port = "${FOREWARN_PORT}";
}

sub vcl_recv {
    if (req.url ~ "^/_forewarn/") {
        # Each reader's fragment differs: never cached, never shared. Forewarn needs no cookie.
        set req.backend_hint = forewarn;
        unset req.http.Cookie;
        return (pass);
    }
    set req.backend_hint = origin;
    if (req.http.Authorization) {
        return (pass);
    }
    # Falls through to the builtin vcl_recv: requests with a Cookie, or other than GET and
    # HEAD, are passed too. Strip the cookies your articles do not need here to cache them.
}

sub vcl_backend_response {
    if (bereq.url !~ "^/_forewarn/" && beresp.http.Content-Type ~ "(?i)^\s*text/html") {
        # Also for uncacheable (passed) pages: an include left unprocessed is a page without
        # its notice.
        set beresp.do_esi = true;
        if (!bereq.uncacheable) {
            # The article is the same for every reader: keep one copy. A cookie set on it would
            # be handed to every reader, so it goes (and would otherwise stop the caching).
            unset beresp.http.Set-Cookie;
            set beresp.ttl = 120s;
        }
    }
    # Then the builtin: it still refuses to cache what the origin marks private or no-store,
    # and Forewarn's fragments say private (they are passed anyway).
}

sub vcl_deliver {
    if (req.esi_level > 0 && resp.status != 200) {
        # A fragment that failed (Forewarn down, 404, 5xx) is included as nothing rather than
        # as an error page in the middle of the article.
        return (synth(204));
    }
    if (req.esi_level == 0 && obj.can_esi) {
        # The assembled page is this reader's own: no shared cache downstream (a CDN, a company
        # proxy) may store it, and the reader's browser must not keep it either, so that a
        # reader who turns a VPN off is not shown the copy they got through it.
        set resp.http.Cache-Control = "private, no-store";
        unset resp.http.Expires;
        # The article's validators describe the article, not this page: a client holding
        # another reader's page must not be told "304 Not Modified". Varnish answers
        # If-Modified-Since even without Last-Modified (from when it fetched the article), so
        # the request's conditions go too.
        unset resp.http.ETag;
        unset resp.http.Last-Modified;
        unset req.http.If-None-Match;
        unset req.http.If-Modified-Since;
    }
}

sub vcl_synth {
    if (req.esi_level > 0) {
        set resp.body = "";
        return (deliver);
    }
}
