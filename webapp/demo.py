"""The demo: bundled articles, demo geo data built from documentation ranges, demo settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, render_template

from geoip.build import build_database
from webapp.resources import packaged
from webapp.settings import LOOPBACK


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    lang: str
    dir: str
    title: str


ARTICLES = (
    DemoArticle("library-winter", "en", "ltr",
                "How a village library kept its doors open all winter"),
    DemoArticle("radio-volunteers", "ru", "ltr",
                "Пенсионеры с Волги чинят старые радиоприёмники для сельских школ"),
    DemoArticle("river-teahouse", "fa", "rtl", "چایخانه‌ای کنار رودخانه که هنوز باز است"),
)
BY_SLUG = {article.slug: article for article in ARTICLES}

demo_blueprint = Blueprint("demo", __name__)


@demo_blueprint.get("/")
def home() -> str:
    return render_template("demo/index.html", articles=ARTICLES)


@demo_blueprint.get("/articles/<slug>")
def article(slug: str) -> str:
    found = BY_SLUG.get(slug)
    if found is None:
        abort(404)
    return render_template(f"demo/articles/{found.slug}.html", article=found, articles=ARTICLES)


def demo_networks_csv() -> Path:
    return packaged("demo-networks.csv")


def ensure_demo_database(path: Path) -> Path:
    """Build the demo database at ``path`` unless an up-to-date one is there already."""
    source = demo_networks_csv()
    if not path.exists() or path.stat().st_mtime < source.stat().st_mtime:
        path.parent.mkdir(parents=True, exist_ok=True)
        build_database(source, path, description="Forewarn demo: documentation ranges only")
    return path


def demo_defaults(database: Path) -> dict[str, Any]:
    """What --demo brings; any key from --config or the environment overrides these."""
    return {
        "catalog": str(packaged("notices.toml")),
        "geoip_dbs": [str(database)],
        "trusted_proxies": list(LOOPBACK),
    }
