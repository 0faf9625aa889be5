# Forewarn's variant edge cache on Varnish 7.1, behind a CDN that says where the reader is:
# Varnish keeps one copy of each page per variant (one per distinct set of notices), computed
# from the CDN's country and region headers by `forewarn export varnish`, in front of
# `forewarn serve --upstream ORIGIN`.
#
# A template: FOREWARN_HOST, FOREWARN_PORT (`forewarn serve --upstream`) and VARIANT_VCL (the
# file `forewarn export varnish` wrote, e.g. /etc/varnish/forewarn-variants.vcl) are filled in
# with envsubst, as deploy/README.md shows; tests/integration/test_variant_cache.py runs it.
#
# Forewarn behind it runs with the CDN's headers (settings file, or FOREWARN_<KEY>):
#     country_header = "CF-IPCountry"     # the header the CDN sets, or a preset name
#     region_header = "CF-Region-Code"
#     trusted_proxies = ["<Varnish's address>/32"]
#     cdn_caches_per_place = true         # this cache keys on the variant: pages may be kept
# and the export is made with the same settings, so that both read the same headers. The CDN's
# headers must be set by the CDN whatever the reader sent, and reach Varnish only from it.
#
# Varnish sends the key it keeps a page under to Forewarn in X-Forewarn-Variant; Forewarn
# answers the same key (and Vary: X-Forewarn-Variant) only when its own decision for this
# reader gives it, and Varnish keeps only such answers: a map exported from another version of
# the catalog costs caching, never a wrong notice (Forewarn counts it in
# forewarn_edge_variant_mismatches_total). Export again and load the VCL again (varnishreload)
# whenever the catalog changes.

vcl 4.1;

# sub forewarn_variant, written by `forewarn export varnish`
include "${VARIANT_VCL}";

backend forewarn {
    .host = "${FOREWARN_HOST}";
    .port = "${FOREWARN_PORT}";
}

sub vcl_recv {
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Credentials or cookies: the reader's own page, passed (strip in vcl_recv the cookies your
    # articles do not need, to cache them).
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    call forewarn_variant;
    return (hash);
}

sub vcl_hash {
    # With the URL and host (the built-in vcl_hash, which runs after this one).
    hash_data(req.http.X-Forewarn-Variant);
}

sub vcl_backend_response {
    if (!beresp.http.X-Forewarn-Variant ||
        beresp.http.X-Forewarn-Variant != bereq.http.X-Forewarn-Variant) {
        # Not this key's page (or not a page Forewarn made): the reader gets it, no one else.
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
}

sub vcl_deliver {
    # Toward the reader the page is theirs alone, whatever Varnish keeps.
    set resp.http.Cache-Control = "private";
    unset resp.http.Age;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
