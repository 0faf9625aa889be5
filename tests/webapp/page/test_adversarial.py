"""Attacks on the decision, end to end through the app: a reader (or a censor between reader and
site) who forges, garbles or inflates headers and query strings must not switch a notice off,
get another place's notice, crash anything, or see their input reflected unescaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support import ROOT, TODAY
from webapp.app import create_app
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.settings import load_settings

RUSSIA, GERMANY = "192.0.2.10", "198.51.100.10"
PROXY = "10.0.0.2"  # the only trusted network is 10.0.0.0/8
ARTICLE = b"<!doctype html><html lang='en'><head><title>a</title></head><body><p>article</p>"


@pytest.fixture(scope="module")
def client(demo_db: Path) -> FlaskClient:
    settings = load_settings({
        "catalog": str(ROOT / "catalog" / "notices.toml"), "geoip_dbs": [str(demo_db)],
        "trusted_proxies": ["10.0.0.0/8"], "country_header": "cloudfront",
        "ops_token": "ops-1234"}, environ={})
    app = create_app(engine=Engine(settings, clock=lambda: TODAY))
    engine = app.wsgi_app.engine  # type: ignore[attr-defined]
    app.wsgi_app = NoticeMiddleware(_article, engine=engine)  # type: ignore[method-assign]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer ops-1234"  # the operator's metrics
    return client


def _article(environ: dict[str, object], start_response: object) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])  # type: ignore[operator]
    return [ARTICLE]


def notices(client: FlaskClient, peer: str, headers: dict[str, str]) -> str:
    response = client.get("/a", headers=headers, environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 200
    return response.headers["X-Forewarn-Notices"]


SPOOFS = {
    "x-forwarded-for": {"X-Forwarded-For": GERMANY},
    "x-forwarded-for, several": {"X-Forwarded-For": f"{GERMANY}, {GERMANY}, 10.0.0.1"},
    "forwarded": {"Forwarded": f"for={GERMANY}"},
    "cdn country": {"CloudFront-Viewer-Country": "DE"},
    "cdn country and region": {"CloudFront-Viewer-Country": "UA",
                               "CloudFront-Viewer-Country-Region": "30"},
    "x-real-ip": {"X-Real-IP": GERMANY},
    "client-ip": {"Client-IP": GERMANY, "True-Client-IP": GERMANY},
}


@pytest.mark.parametrize("headers", SPOOFS.values(), ids=SPOOFS.keys())
def test_reader_in_russia_cannot_switch_the_notice_off_with_forged_headers(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    assert notices(client, RUSSIA, headers) == "ru-undesirable"


@pytest.mark.parametrize("headers", SPOOFS.values(), ids=SPOOFS.keys())
def test_forged_headers_from_an_untrusted_peer_give_no_other_place(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    forged = {name: value.replace(GERMANY, RUSSIA).replace("DE", "RU")
              for name, value in headers.items()}
    assert notices(client, GERMANY, forged) == "none"


# Behind the trusted proxy: whatever it forwards that is not a clean address must end as
# "unknown" (the critical notice is shown), never as a place without a notice.
GARBLED = [
    "unknown", "_hidden", "<script>alert(1)</script>", "999.1.1.1", "1.2.3", "192.0.2.10.5",
    "１９２.０.２.１０",  # fullwidth digits
    "192.0.2.10\u200b",  # a zero-width space
    "\u202e01.2.0.291",  # right-to-left override
    "[2001:db8:1::1", "2001:db8:1::1]", "[]", ":::", "\x00", "%00",
    "192.0.2.10 198.51.100.10",
    "A" * 65536,
]


@pytest.mark.parametrize("value", GARBLED, ids=range(len(GARBLED)))
def test_garbled_forwarded_for_from_a_trusted_proxy_makes_the_reader_unknown(
    client: FlaskClient, value: str
) -> None:
    assert notices(client, PROXY, {"X-Forwarded-For": f"{GERMANY}, {value}"}) == "ru-undesirable"


@pytest.mark.parametrize(("forwarded", "expected"), [
    ("::ffff:192.0.2.10", "ru-undesirable"),  # IPv4-mapped
    ("::ffff:c000:20a", "ru-undesirable"),  # the same, in hex
    ("[2001:db8:1::7]:443", "ru-undesirable"),
    ("2001:db8:1::7%eth0", "ru-undesirable"),  # a zone id
    ("fe80::1%25eth0", "ru-undesirable"),  # scoped link-local, percent-encoded: unknown
    ("::ffff:198.51.100.10", "none"),
    ("198.51.100.10:8080", "none"),
    ("198.51.100.10, , ,", "none"),  # empty list members are ignored (RFC 9110, 5.6.1)
])
def test_odd_but_valid_address_forms_from_a_trusted_proxy(
    client: FlaskClient, forwarded: str, expected: str
) -> None:
    assert notices(client, PROXY, {"X-Forwarded-For": forwarded}) == expected


@pytest.mark.parametrize("value", ["de", "D", "DEU", "XX", "T1", "<b>", "Д" * 2, "de" * 5000])
def test_odd_cdn_country_values_from_a_trusted_proxy_never_error(
    client: FlaskClient, value: str
) -> None:
    result = notices(client, PROXY, {"CloudFront-Viewer-Country": value,
                                     "X-Forwarded-For": RUSSIA})
    assert result in ("none", "ru-undesirable")
    if value.upper() != "DE":  # anything but Germany must not place the reader in Germany
        assert result == "ru-undesirable"


SCRIPT = "\"><script>alert(1)</script>"
QUERIES = {
    "script in path": {"path": f"/a{SCRIPT}", "lang": "en"},
    "script in lang": {"path": "/a", "lang": SCRIPT},
    "huge path": {"path": "/" + "a" * 100_000, "lang": "en"},
    "huge lang": {"path": "/a", "lang": "ru-" + "x" * 100_000},
    "unicode tricks": {"path": "/a\u202e\u200b\ufeff", "lang": "ru\u0000"},
    "javascript url": {"path": "javascript:alert(1)", "lang": "en"},
    "absolute url": {"path": "https://evil.example/phish", "lang": "en"},
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_fragment_query_is_never_reflected_unescaped_nor_changes_the_place(
    client: FlaskClient, query: dict[str, str]
) -> None:
    response = client.get("/_forewarn/fragment", query_string=query,
                          environ_base={"REMOTE_ADDR": RUSSIA})
    assert response.status_code == 200
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    body = response.get_data(as_text=True)
    assert "<script>" not in body
    assert "javascript:" not in body and "evil.example" not in body


def test_fragment_with_repeated_keys_uses_the_first_and_never_errors(
    client: FlaskClient
) -> None:
    response = client.get("/_forewarn/fragment?lang=fa&lang=ru&path=/a&path=/b",
                          environ_base={"REMOTE_ADDR": RUSSIA})
    assert response.status_code == 200
    assert 'lang="ru"' in response.get_data(as_text=True)  # the jurisdiction's language


def test_forewarn_sets_no_cookie(client: FlaskClient) -> None:
    for path in ("/a", "/_forewarn/fragment?path=/a", "/_forewarn/healthz",
                 "/_forewarn/metrics"):
        response = client.get(path, environ_base={"REMOTE_ADDR": RUSSIA})
        assert "Set-Cookie" not in response.headers, path


def test_metrics_hold_counts_only(client: FlaskClient) -> None:
    notices(client, PROXY, {"X-Forwarded-For": RUSSIA})
    text = client.get("/_forewarn/metrics").get_data(as_text=True)
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert samples
    for line in samples:
        name, _, value = line.rpartition(" ")
        float(value)  # every sample is a number
        assert RUSSIA not in name and PROXY not in name and "RU" not in name
