"""The public API: `webapp` exports its names lazily, so importing it costs nothing and imports
no metrics library (``forewarn serve`` sets prometheus-client's multiprocess folder first)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import webapp
from webapp.app import create_app
from webapp.engine import Engine
from webapp.errors import ForewarnError
from webapp.middleware import NoticeMiddleware
from webapp.settings import Settings, load_settings


def test_importing_the_package_loads_neither_flask_nor_prometheus() -> None:
    code = ("import sys, webapp; "
            "print(sorted(m for m in ('flask', 'prometheus_client', 'maxminddb') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[]"


def test_each_exported_name_is_the_object_at_its_own_module() -> None:
    expected = {"NoticeMiddleware": NoticeMiddleware, "create_app": create_app, "Engine": Engine,
                "Settings": Settings, "load_settings": load_settings,
                "ForewarnError": ForewarnError}
    assert sorted(webapp.__all__) == sorted(expected)
    for name, value in expected.items():
        assert getattr(webapp, name) is value
    assert set(webapp.__all__) <= set(dir(webapp))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        webapp.Nothing  # type: ignore[attr-defined]  # noqa: B018
