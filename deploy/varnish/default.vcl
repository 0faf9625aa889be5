# Forewarn's edge-include shape on Varnish 7.1: the article is cached once, the notice is decided
# per reader by Forewarn and spliced in with ESI where the article says
#     <esi:include src="/_forewarn/fragment?path=/articles/one&amp;lang=en"/>
#
# A template: the placeholders ORIGIN_HOST, ORIGIN_PORT (the site's own server),
# FOREWARN_HOST, FOREWARN_PORT (`forewarn serve`) and FALLBACK_DIR (the folder
# `forewarn export fallback` writes) are filled in with envsubst, as deploy/README.md shows;
# tests/integration fills them the same way and runs this file.
#
# When Forewarn cannot answer a fragment (down, no answer within 1 s, an error status), the
# reader gets the fallback block for the page's language: what a reader at an unknown place
# gets today, exported ahead of time by `forewarn export fallback` into FALLBACK_DIR, which
# also writes it as VCL (fallback.vcl, included below). Varnish reads an included file when it
# loads the VCL: after each export, load the VCL again (varnishreload) to serve the new blocks.
# (std.fileread() would not do: it keeps a file's first contents across VCL reloads, as seen
# with 7.1.1.)
# Each use is logged as `VCL_Log forewarn-fallback: <lang>` (varnishlog, varnishncsa).
#
# Reader addresses: Varnish's core appends the address of its own client to X-Forwarded-For
# before vcl_recv (also for the ESI sub-requests), and that is left alone here. So Forewarn must
# list Varnish's address (or network) in `trusted_proxies`: it walks X-Forwarded-For from the
# right, skips the trusted hops and takes the first untrusted address as the reader's. Trust
# nothing more than the hops you run: whatever a reader writes into the header themselves is on
# the left and is ignored once a hop you do not trust has been passed.

vcl 4.1;

import std;

# forewarn_fallback_block and forewarn_fallback_stylesheet, written by `forewarn export fallback`
include "${FALLBACK_DIR}/fallback.vcl";

backend origin {
    .host = "${ORIGIN_HOST}";
    .port = "${ORIGIN_PORT}";
}

backend forewarn {
    .host = "${FOREWARN_HOST}";
    .port = "${FOREWARN_PORT}";
}

# The same Forewarn for what a page view waits on (the fragment, its stylesheet and scripts): a
# fragment takes Forewarn about a millisecond, so one that has not come within a second is a
# Forewarn in trouble, and the reader gets the fallback rather than waiting longer. No health probe: a
# Forewarn that comes back is asked again at once.
backend forewarn_fragment {
    .host = "${FOREWARN_HOST}";
    .port = "${FOREWARN_PORT}";
    .connect_timeout = 1s;
    .first_byte_timeout = 1s;
    .between_bytes_timeout = 1s;
}

sub vcl_recv {
    if (req.url ~ "^/_forewarn/") {
        # Each reader's fragment differs: never cached, never shared. Forewarn needs no cookie.
        set req.backend_hint = forewarn;
        if (req.url ~ "^/_forewarn/(fragment|static/(forewarn\.css|keep\.js|guard\.js))(\?|$)") {
            set req.backend_hint = forewarn_fragment;
        }
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
        if (req.url ~ "^/_forewarn/fragment(\?|$)") {
            # Forewarn could not say what this reader gets (down, too slow, an error): the
            # fallback for the page's language, never nothing. An empty 200 (no notice for
            # this reader) is not a failure and stays empty.
            return (synth(200, "Forewarn fallback"));
        }
        # Any other include that failed is included as nothing rather than as an error page
        # in the middle of the article.
        return (synth(204));
    }
    if (req.url ~ "^/_forewarn/static/forewarn\.css(\?|$)" && resp.status >= 500) {
        # The fallback block links the stylesheet: serve the exported copy.
        return (synth(200, "Forewarn stylesheet"));
    }
    if (req.url ~ "^/_forewarn/static/(keep|guard)\.js(\?|$)" && resp.status >= 500) {
        # And loads these scripts (deferred: one that never came would hold back the page's
        # own DOMContentLoaded): the exported copies.
        return (synth(200, "Forewarn script"));
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
    if (resp.reason == "Forewarn fallback") {
        # The page's language from the include's lang= (its primary subtag); anything else is
        # the "none" block. A synthetic answer is never stored, and fragments are passed.
        set req.http.X-Forewarn-Fallback-Lang = std.tolower(regsub(req.url,
            "^[^?]*\?(?:[^&]*&)*lang=([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*(?:&.*)?$", "\1"));
        if (req.http.X-Forewarn-Fallback-Lang !~ "^[a-z]{2,3}$") {
            set req.http.X-Forewarn-Fallback-Lang = "none";
        }
        call forewarn_fallback_block;
        std.log("forewarn-fallback: " + req.http.X-Forewarn-Fallback-Lang);
        set resp.http.Content-Type = "text/html; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        return (deliver);
    }
    if (resp.reason == "Forewarn stylesheet") {
        call forewarn_fallback_stylesheet;
        set resp.http.Content-Type = "text/css; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        return (deliver);
    }
    if (resp.reason == "Forewarn script") {
        call forewarn_fallback_script;
        set resp.http.Content-Type = "text/javascript; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        return (deliver);
    }
    if (req.esi_level > 0) {
        set resp.body = "";
        return (deliver);
    }
}
