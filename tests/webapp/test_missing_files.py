"""The middleware shape when its files are unavailable: NoticeMiddleware is not built at all
(the app around it does not start), so no page goes out without the notice it should carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geoip.errors import GeoDatabaseError
from tests.support import ROOT
from webapp.errors import CatalogError
from webapp.middleware import NoticeMiddleware


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<!doctype html><body><p>Story</p></body>"]


def test_without_its_catalog_the_middleware_is_not_built(tmp_path: Path, demo_db: Path) -> None:
    with pytest.raises(CatalogError, match=r"missing\.toml: cannot read"):
        NoticeMiddleware(app, catalog=str(tmp_path / "missing.toml"),
                         geoip_dbs=[str(demo_db)], environ={})


def test_without_its_geo_database_the_middleware_is_not_built(tmp_path: Path) -> None:
    with pytest.raises(GeoDatabaseError, match=r"missing\.mmdb"):
        NoticeMiddleware(app, catalog=str(ROOT / "catalog" / "notices.toml"),
                         geoip_dbs=[str(tmp_path / "missing.mmdb")], environ={})
