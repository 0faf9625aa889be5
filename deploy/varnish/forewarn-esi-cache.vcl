# Forewarn's edge-include shape on Varnish 7.1 with the fragments kept too: one copy of each
# article (default.vcl, included below, unchanged) and one copy of each page's notice fragment
# per variant (one per distinct set of notices), keyed on the subroutine `forewarn export
# varnish` writes from the catalog. Behind a CDN that says where the reader is (its country and
# region headers), most page views are then answered by Varnish alone: Forewarn is asked once
# per article, page language and variant, and again when that copy's time is up.
#
# A template: DEFAULT_VCL (deploy/varnish/default.vcl filled in, e.g.
# /etc/varnish/forewarn-esi.vcl) and VARIANT_VCL (the file `forewarn export varnish` wrote, e.g.
# /etc/varnish/forewarn-variants.vcl) are filled in with envsubst, as deploy/README.md shows;
# tests/integration/test_kept_fragments.py runs it.
#
# Forewarn behind it runs with the CDN's headers (settings file, or FOREWARN_<KEY>):
#     country_header = "CF-IPCountry"     # the header the CDN sets, or a preset name
#     region_header = "CF-Region-Code"
#     trusted_proxies = ["<Varnish's address>/32"]
#     cdn_caches_per_place = true         # fragments may be kept per variant
# and the export is made with the same settings, so that both read the same headers. The CDN's
# headers must be set by the CDN whatever the reader sent, and reach Varnish only from it.
#
# Varnish sends the key it keeps a fragment under to Forewarn in X-Forewarn-Variant; Forewarn
# answers the same key only when its own decision for this reader gives it, and Varnish keeps
# only such answers: a map exported from another version of the catalog costs caching, never a
# wrong notice (Forewarn counts it in forewarn_edge_variant_mismatches_total). Export again and
# load the VCL again (varnishreload) whenever the catalog changes.
#
# How long a fragment is kept: what Forewarn says (its max-age, cut at the next date a notice
# starts or ends), else FRAGMENT_TTL below; then up to Forewarn's stale-while-revalidate (a
# minute) served while Varnish asks again, or while Forewarn cannot answer. So a mirror list, a
# notice's wording or a jurisdiction changed in the catalog reaches every reader within two
# minutes. A reader whose fragment is not kept and whom Forewarn cannot answer gets the fallback
# block, as with default.vcl.

vcl 4.1;

# sub forewarn_variant, written by `forewarn export varnish`
include "${VARIANT_VCL}";

sub vcl_recv {
    # Before default.vcl's vcl_recv, which passes everything under /_forewarn/.
    if (req.url ~ "^/_forewarn/fragment(\?|$)" && req.method == "GET") {
        call forewarn_variant;
        set req.backend_hint = forewarn_fragment;
        unset req.http.Cookie;
        return (hash);
    }
}

sub vcl_hash {
    if (req.url ~ "^/_forewarn/fragment(\?|$)") {
        # With the URL (the page's path and language) and host: the built-in vcl_hash.
        hash_data(req.http.X-Forewarn-Variant);
    }
}

sub vcl_backend_response {
    if (bereq.url ~ "^/_forewarn/fragment(\?|$)") {
        if (beresp.status != 200 || !beresp.http.X-Forewarn-Variant ||
            beresp.http.X-Forewarn-Variant != bereq.http.X-Forewarn-Variant ||
            beresp.http.Cache-Control ~ "(?i)private|no-store") {
            # Not this key's fragment (Forewarn's decision gave another key, so it also said
            # private): this reader gets it, no one else.
            set beresp.uncacheable = true;
            set beresp.ttl = 0s;
            return (deliver);
        }
        if (beresp.http.Cache-Control !~ "(?i)(^|[,[:space:]])(s-maxage|max-age)[[:space:]]*=") {
            set beresp.ttl = 60s;  # FRAGMENT_TTL
        }
        return (deliver);
    }
}

# The articles, the fallback when Forewarn cannot answer, and what the reader is sent.
include "${DEFAULT_VCL}";
