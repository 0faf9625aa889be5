"""`forewarn preview` without a browser: the page as served at a place, from a file or from a
real local origin; signed links; one line and an exit status for every kind of bad input."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.test import Client

from tests.integration.upstream import RUSSIAN, Origin
from tests.webapp.preview.test_access import TOKEN, article
from webapp.cli import main
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.preview.access import Access, LinkSigner
from webapp.settings import Settings

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Ice</title></head>
<body class="site">
<main><h1>The river froze early</h1><p>Пример текста.</p></main>
</body>
</html>
"""
BLOCK = re.compile(r'<aside class="forewarn".*?</aside>', re.S)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("place", "notices"),
    [(["--country", "RU"], "ru-undesirable"),
     (["--region", "UA-43"], "ru-undesirable"),  # the country follows from the region
     (["--country", "ua", "--region", "ua-43"], "ru-undesirable"),
     (["--country", "DE"], "none"),
     (["--country", "DE", "--lang", "ru"], "ru-undesirable"),  # a Russian page, anywhere
     (["--country", "RU", "--date", "2024-02-19"], "none"),  # before the designation
     (["--country", "IR"], "ir-hostile-media")],
)
def test_writes_the_page_as_served_there_changing_nothing_else(
    capsys: pytest.CaptureFixture[str], page_file: Path, tmp_path: Path, place: list[str],
    notices: str,
) -> None:
    out = tmp_path / "out.html"
    code, stdout, err = run(capsys, "preview", "--demo", *place, "--file", str(page_file),
                            "--out", str(out))
    assert (code, err) == (0, "")
    assert stdout.endswith(f": notices {notices}\n") and stdout.startswith(f"{out}: ")
    served = out.read_text(encoding="utf-8")
    blocks = BLOCK.findall(served)
    assert len(blocks) == (0 if notices == "none" else 1)
    if blocks:
        assert f'data-forewarn="{notices}"' in blocks[0]
        body_tag = '<body class="site">'
        assert served.index(blocks[0]) == PAGE.index(body_tag) + len(body_tag)
    assert BLOCK.sub("", served) == PAGE


def test_without_out_the_page_goes_to_standard_output(
    capsysbinary: pytest.CaptureFixture[bytes], page_file: Path
) -> None:
    assert main(["preview", "--demo", "--country", "RU", "--file", str(page_file)]) == 0
    out, err = capsysbinary.readouterr()
    assert err == b"" and b'data-notice-id="ru-undesirable"' in out and out.endswith(b"</html>\n")


def test_accept_language_picks_the_notice_language(
    capsys: pytest.CaptureFixture[str], page_file: Path
) -> None:
    code, out, _ = run(capsys, "preview", "--demo", "--country", "IR", "--lang", "de",
                       "--accept-language", "fa", "--file", str(page_file))
    assert code == 0
    assert re.findall(r'data-notice-id="ir-hostile-media" lang="(\w+)"', out)[0] == "fa"


def test_url_is_fetched_from_a_real_origin_and_served_as_a_reader_there_gets_it(
    capsys: pytest.CaptureFixture[str], origin: Origin, tmp_path: Path
) -> None:
    out = tmp_path / "gzip.html"
    code, stdout, err = run(capsys, "preview", "--demo", "--country", "RU",
                            "--url", f"{origin.url}/articles/gzip", "--out", str(out))
    assert (code, stdout, err) == (0, f"{out}: Russia (RU): notices ru-undesirable\n", "")
    served = out.read_bytes()  # the origin sent gzip: the file holds the page itself
    assert served.startswith(b"<!doctype html>") and b'data-forewarn="ru-undesirable"' in served


def test_url_follows_redirects_on_its_own_origin_and_keeps_the_pages_charset(
    capsys: pytest.CaptureFixture[str], origin: Origin, tmp_path: Path
) -> None:
    out = tmp_path / "page.html"
    code, _, err = run(capsys, "preview", "--demo", "--country", "RU",
                       "--url", f"{origin.url}/redirect", "--out", str(out))
    assert (code, err) == (0, "")
    assert b"<h1>Plain</h1>" in out.read_bytes()
    code, _, err = run(capsys, "preview", "--demo", "--country", "RU",
                       "--url", f"{origin.url}/articles/cp1251", "--out", str(out))
    served = out.read_bytes().decode("windows-1251")
    assert (code, err) == (0, "") and RUSSIAN in served
    assert "признано в России «нежелательной организацией»" in served


@pytest.mark.parametrize(
    ("path", "message"),
    [("/no-such-page", "the origin answered 404 NOT FOUND"),
     ("/redirect-away", "redirects to another site (elsewhere.example)")],
)
def test_url_that_gives_no_page_fails_with_one_line(
    capsys: pytest.CaptureFixture[str], origin: Origin, path: str, message: str
) -> None:
    code, out, err = run(capsys, "preview", "--demo", "--country", "RU",
                         "--url", f"{origin.url}{path}")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith("forewarn: --url: ") and message in err


def test_unreachable_origin_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "--demo", "--country", "RU",
                         "--url", "http://127.0.0.1:9/a")
    assert (code, out) == (1, "")
    assert err.startswith("forewarn: --url: cannot fetch http://127.0.0.1:9/a: ")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--country", "XX"], "--country: must be an ISO 3166-1 country code such as RU"),
        (["--country", "RU", "--region", "UA-43"], "--region: UA-43 is not a region of RU"),
        (["--country", "RU", "--date", "tomorrow"], "--date: must be a day written YYYY-MM-DD"),
        (["--country", "RU", "--lang", "klingon"], "--lang: must be a language code"),
        (["--country", "RU", "--accept-language", "<x>"], "--accept-language: must look like"),
        (["--lang", "ru"], "give --country CC (or --all for every place, --link for a link)"),
        (["--country", "RU", "--dir", "x"], "--dir does not go with a single place"),
        (["--all", "--country", "RU"], "--country does not go with --all"),
        (["--all"], "--all needs --dir OUT/"),
        (["--country", "RU", "--ttl", "60"], "--ttl does not go with a single place"),
        (["--link", "--country", "RU"], "--country does not go with --link"),
        (["--country", "RU", "--url", "ftp://x/"], "--url: 'ftp://x/' must be an http(s) URL"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], page_file: Path, argv: list[str], message: str
) -> None:
    source = [] if "--url" in argv or "--link" in argv else ["--file", str(page_file)]
    code, out, err = run(capsys, "preview", "--demo", *argv, *source)
    assert (code, out) == (2, "")
    assert err == f"forewarn: {message}" + err[len(f"forewarn: {message}"):]
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--country", "RU"], "give the page with --url URL or --file PAGE.html"),
     (["--country", "RU", "--file", "/no/such.html"],
      "--file: cannot read /no/such.html: No such file or directory")],
)
def test_missing_page_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(capsys, "preview", "--demo", *argv) == (2, "", f"forewarn: {message}\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--file", "a.html", "--url", "http://x/"],
      "argument --url: not allowed with argument --file"),
     (["--file", "a.html", "--width", "800"],
      "argument --width: invalid choice: 800 (choose from 390, 1280)")],
)
def test_argument_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["preview", "--country", "RU", *argv])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith("forewarn preview: " + message) and err.count("\n") == 1


def test_link_is_signed_with_the_token_and_opens_the_preview(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setenv("FOREWARN_PREVIEW_TOKEN", TOKEN)
    code, out, err = run(capsys, "preview", "--demo", "--link", "--path",
                         "/articles/1?page=2", "--ttl", "120", "--base",
                         "https://news.example/")
    assert (code, err) == (0, "")
    link = urlsplit(out.strip())
    assert (link.scheme, link.netloc, link.path) == ("https", "news.example", "/_forewarn/preview")
    query = parse_qs(link.query)
    assert query["path"] == ["/articles/1?page=2"]
    assert query["sig"][0].startswith("120.")
    assert LinkSigner(TOKEN).check(query["sig"][0]) is Access.LINK
    site = Client(NoticeMiddleware(article, engine=Engine(
        Settings(catalog=engine.settings.catalog, preview_token=TOKEN), clock=engine.clock)))
    assert site.get(f"{link.path}?{link.query}").status_code == 200
    assert site.get(f"{link.path}?path=/").status_code == 404


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [([], {}, "--link needs preview_token (in the settings file or FOREWARN_PREVIEW_TOKEN)"),
     (["--ttl", "0"], {"FOREWARN_PREVIEW_TOKEN": TOKEN}, "--ttl: must be 1 to 604800 seconds"),
     (["--ttl", "604801"], {"FOREWARN_PREVIEW_TOKEN": TOKEN}, "--ttl: must be 1 to 604800"),
     (["--path", "//evil.example/"], {"FOREWARN_PREVIEW_TOKEN": TOKEN},
      "--path: must be a path on this site"),
     (["--base", "news.example"], {"FOREWARN_PREVIEW_TOKEN": TOKEN},
      "--base: must be the site's address")],
)
def test_bad_link_requests_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str],
    environ: dict[str, str], message: str,
) -> None:
    monkeypatch.delenv("FOREWARN_PREVIEW_TOKEN", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    code, out, err = run(capsys, "preview", "--demo", "--link", *argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"forewarn: {message}") and err.count("\n") == 1
