"""The nginx configuration `make bench` ships in bench/nginx: it passes `nginx -t` as the harness
fills it in (the shapes of bench/nginx/nginx.conf, and the shipped edge include of deploy/nginx in
bench/nginx/ssi-nginx.conf, with and without its fragments kept), and the peer's banners are
Forewarn's own blocks for each place of the catalog."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bench.lab import write_nginx_folder, write_ssi_folder
from bench.peer import banners, banners_conf
from tests.integration.servers import find_binary, geo_module
from webapp.engine import Engine
from webapp.settings import Settings


@pytest.fixture
def engine(demo_settings: Settings) -> Engine:
    return Engine(demo_settings)


def test_the_peer_has_a_banner_for_each_place_the_catalog_names(engine: Engine) -> None:
    entries = banners(engine)
    assert set(entries) == {"~^RU:", "UA:43", "UA:40", "UA:14", "UA:09", "UA:23", "UA:65",
                            "~^BY:", "~^IR:", "XX:"}
    assert 'data-forewarn="ru-undesirable"' in entries["UA:43"]
    assert 'data-forewarn="ir-hostile-media"' in entries["~^IR:"]
    assert 'data-forewarn="ru-undesirable"' in entries["XX:"]  # unknown = "show"
    conf = banners_conf(entries)
    # exact keys come before regular expressions, which nginx tries in order
    assert conf.index("'UA:43'") < conf.index("'~^RU:'")


def test_a_banner_nginx_would_read_differently_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'\$'"):
        banners_conf({"~^RU:": "<p>costs $5</p>"})
    assert banners_conf({"XX:": "it's \\ here"}).splitlines()[2] == r"    'XX:' 'it\'s \\ here';"


def test_a_long_banner_is_cut_into_map_values_nginx_can_read() -> None:
    html = "<p>Беларусь</p>" * 1000  # 23 KB in UTF-8
    conf = banners_conf({"~^BY:": html[:9000]})
    values = re.findall(r"^    '~\^BY:' ('(?:[^'\\]|\\.)*');$", conf, re.M)
    assert len(values) == 4 and all(len(v.encode()) <= 4000 for v in values)
    assert "".join(v[1:-1] for v in values) == html[:9000]
    with pytest.raises(ValueError, match=r"needs \d+ nginx map values"):
        banners_conf({"~^BY:": html})


@pytest.mark.skipif(find_binary("nginx") is None or geo_module() is None,
                    reason="nginx or libnginx-mod-http-geoip2 not installed (`make bench` "
                    "installs them as root)")
def test_the_bench_nginx_configuration_passes_nginx_t(
    engine: Engine, demo_db: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    values = {"GEO_MODULE": str(geo_module()), "GEO_DB": str(demo_db), "SITE": str(site),
              "CACHE_DIR": str(tmp_path / "cache"), "FOREWARN_PORT": "1", "STATIC_PORT": "2",
              "PEER_PORT": "3", "EDGE_PORT": "4"}
    assert_nginx_takes(write_nginx_folder(tmp_path / "nginx", values, engine))


@pytest.mark.skipif(find_binary("nginx") is None or geo_module() is None,
                    reason="nginx or libnginx-mod-http-geoip2 not installed (`make bench` "
                    "installs them as root)")
@pytest.mark.parametrize("kept", [False, True], ids=["asks-for-every-view", "kept-per-variant"])
def test_the_bench_nginx_edge_includes_pass_nginx_t(
    kept: bool, demo_db: Path, tmp_path: Path
) -> None:
    env = {"FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_CDN_CACHES_PER_PLACE": "true"}
    folder = write_ssi_folder(tmp_path / "ssi", 1, 2, 3, tmp_path / "fallback",
                              (env, demo_db) if kept else None)
    conf = (folder / "nginx.conf").read_text()
    assert ("load_module" in conf) is kept  # geoip2 only where nginx places the readers
    assert (folder / "forewarn-ssi.d" / "fragment-cache.conf").exists() is kept
    assert_nginx_takes(folder)


def assert_nginx_takes(folder: Path) -> None:
    """`nginx -t` passes on ``folder``/nginx.conf, every path under ``folder``."""
    nginx = find_binary("nginx")
    assert nginx is not None
    done = subprocess.run([nginx, "-t", "-p", f"{folder}/", "-c", "nginx.conf"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
