"""The command line: one clear line on bad input, exit 2 for usage and 1 for a failed check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.geoip.test_database import BROKEN
from tests.support import ROOT, SHARED_FIXTURES
from tests.webapp.catalog.test_check import words_lines
from webapp.cli import main

CATALOG = ROOT / "catalog" / "notices.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_the_shipped_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(CATALOG))
    assert (code, err) == (0, "")
    assert out == (words_lines(CATALOG, "en", "ru", "be", "fa")
                   + f"{CATALOG}: OK: 3 notices, 3 jurisdictions, 2 mirror sets\n")


def test_check_fails_a_bad_catalog_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(CATALOG.read_text(encoding="utf-8").replace('countries = ["RU"]',
                                                                'countries = ["SU"]'))
    code, out, err = run(capsys, "check", str(bad))
    assert code == 1 and out == ""
    assert err == f"forewarn: {bad}: jurisdictions.ru.countries[0]: 'SU' is not ISO 3166-1\n"


def test_lookup_prints_one_json_line_per_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lookup", "--demo", "203.0.113.7", "198.51.100.1", "10.0.0.1")
    assert (code, err) == (0, "")
    crimea, germany, unknown = (json.loads(line) for line in out.splitlines())
    assert crimea["ip"] == "203.0.113.7"
    assert (crimea["country"], crimea["regions"], crimea["asn"]) == ("UA", ["UA-43"], 64505)
    assert (crimea["jurisdictions"], crimea["notices"]) == (["ru"], ["ru-undesirable"])
    assert (germany["country"], germany["jurisdictions"], germany["notices"]) == ("DE", [], [])
    assert unknown["country"] is None
    assert unknown["jurisdictions"] == ["unknown"]
    assert unknown["notices"] == ["ru-undesirable"]


def test_lookup_refuses_a_bad_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lookup", "--demo", "192.0.2.1", "banana")
    assert (code, out) == (2, "")
    assert err == "forewarn: 'banana' is not an IP address\n"


def test_geoip_build_then_info(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_text("network,country,region,asn\n192.0.2.0/24,RU,,\n2001:db8::/32,UA,UA-43,64505\n")
    out_db = tmp_path / "out.mmdb"
    code, out, err = run(capsys, "geoip", "build", str(csv), str(out_db))
    assert (code, err) == (0, "")
    assert "wrote 2 networks" in out
    code, out, _ = run(capsys, "geoip", "info", str(out_db))
    info = json.loads(out)
    assert (code, info["type"], info["ip_version"]) == (0, "Forewarn-City", 6)


def test_geoip_build_names_the_bad_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_text("network,country,region,asn\n192.0.2.0/24,RU,,\n192.0.2.300/24,RU,,\n")
    code, out, err = run(capsys, "geoip", "build", str(csv), str(tmp_path / "out.mmdb"))
    assert code == 2 and out == ""
    assert err.startswith(f"forewarn: {csv}:3: ") and err.count("\n") == 1
    assert not (tmp_path / "out.mmdb").exists()


def test_serve_refuses_a_bad_catalog_before_starting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOREWARN_CATALOG", str(tmp_path / "missing.toml"))
    code, _out, err = run(capsys, "serve", "--demo", "--port", "1")
    assert code == 1
    assert err == f"forewarn: {tmp_path / 'missing.toml'}: cannot read: No such file or directory\n"


def test_a_broken_database_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"\x00" * 100)
    monkeypatch.setenv("FOREWARN_GEOIP_DBS", str(broken))
    code, _out, err = run(capsys, "lookup", "--demo", "192.0.2.1")
    assert code == 1
    assert err.startswith(f"forewarn: {broken}: ") and err.count("\n") == 1


@pytest.mark.parametrize("name", [*BROKEN, "empty", "truncated"])
def test_serve_refuses_each_broken_database_with_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    demo_db: Path, name: str,
) -> None:
    if name == "empty":
        broken = tmp_path / "empty.mmdb"
        broken.write_bytes(b"")
    elif name == "truncated":
        broken = tmp_path / "truncated.mmdb"
        broken.write_bytes(demo_db.read_bytes()[:300])
    else:
        broken = SHARED_FIXTURES / "maxmind" / name
        if not broken.is_file():
            pytest.skip(f"{broken} not found (see ../shared/TESTDATA.md)")
    monkeypatch.setenv("FOREWARN_GEOIP_DBS", str(broken))
    code, _out, err = run(capsys, "serve", "--demo", "--port", "1")
    assert code == 1
    assert err.startswith(f"forewarn: {broken}: ") and err.count("\n") == 1


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "frobnicate" in err


def test_export_nginx_writes_the_variant_maps(tmp_path: Path) -> None:
    out = tmp_path / "variants.conf"
    assert main(["export", "nginx", "--out", str(out), "--page-languages", "en"]) == 0
    text = out.read_text()
    assert "map $forewarn_place $forewarn_variant {" in text
    assert re.search(r'"ru" "ru@[0-9a-f]{10}";', text)  # English pages: no language in keys
    assert '"RU" "ru";' in text and '"UA-43" "ru";' in text and '"XX"' not in text
    everywhere = tmp_path / "any.conf"
    assert main(["export", "nginx", "--out", str(everywhere)]) == 0
    assert re.search(r'"by" "by\.\$\{forewarn_language_\d\}@', everywhere.read_text())


def test_export_varnish_needs_the_cdn_headers(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOREWARN_COUNTRY_HEADER", raising=False)
    assert main(["export", "varnish"]) == 2
    assert "set country_header" in capsys.readouterr().err
    monkeypatch.setenv("FOREWARN_COUNTRY_HEADER", "cloudflare")
    assert main(["export", "varnish"]) == 0
    text = capsys.readouterr().out
    assert "sub forewarn_variant {" in text and 'req.http.CF-IPCountry ~ "(?i)^RU$"' in text
