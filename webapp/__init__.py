"""Forewarn: legal-risk notices and mirror links for the readers of news publishers' pages.

The public API::

    from webapp import NoticeMiddleware      # wrap any WSGI app (webapp.middleware)
    from webapp import create_app            # the Flask app of `forewarn serve` (webapp.app)
    from webapp import Engine                # what is loaded, and each request's answer
    from webapp import Settings, load_settings
    from webapp import ForewarnError         # the base of every error Forewarn raises

Names are imported when first used (PEP 562), so that ``import webapp`` stays cheap and
``forewarn serve`` can point prometheus-client at its multiprocess folder before anything
imports it. docs/architecture.md draws the packages and the path of a request.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapp.app import create_app
    from webapp.engine import Engine
    from webapp.errors import ForewarnError
    from webapp.middleware import NoticeMiddleware
    from webapp.settings import Settings, load_settings

__all__ = ["Engine", "ForewarnError", "NoticeMiddleware", "Settings", "create_app",
           "load_settings"]

_WHERE = {
    "Engine": "webapp.engine",
    "ForewarnError": "webapp.errors",
    "NoticeMiddleware": "webapp.middleware",
    "Settings": "webapp.settings",
    "create_app": "webapp.app",
    "load_settings": "webapp.settings",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'webapp' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
