"""The demo: bundled articles (each with share links, a like button, a comment form and a contact
link, as a publisher's theme has them), a home page saying who gets which notice, demo geo data
built from documentation ranges, demo settings. Likes and comments are answered with a thank-you
and kept nowhere."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale
from flask import Blueprint, abort, current_app, render_template, request

from geoip.build import build_database, read_networks
from geoip.location import UNKNOWN
from webapp.preview.places import Place, PlaceNames
from webapp.resources import packaged
from webapp.settings import LOOPBACK

if TYPE_CHECKING:
    # Not at run time: the command line imports this module, and `forewarn serve` must set up
    # prometheus-client's multiprocess folder before the engine's metrics import it.
    from webapp.engine import Engine


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
# The theme's words under an article, in the article's language.
WORDS: dict[str, dict[str, str]] = {
    "en": {"share": "Share", "like": "Like", "comments": "Comments", "comment": "Your comment",
           "post": "Post comment", "contact": "Send the newsroom a tip",
           "liked": "Thank you for your like", "posted": "Thank you: your comment awaits review"},
    "ru": {"share": "Поделиться", "like": "Нравится", "comments": "Комментарии",
           "comment": "Ваш комментарий", "post": "Отправить", "contact": "Написать в редакцию",
           "liked": "Спасибо за лайк", "posted": "Спасибо: комментарий появится после проверки"},
    "fa": {"share": "هم‌رسانی", "like": "پسندیدم", "comments": "نظرها", "comment": "نظر شما",
           "post": "ارسال نظر", "contact": "برای تحریریه خبر بفرستید",
           "liked": "از پسند شما سپاسگزاریم", "posted": "سپاس: نظر شما پس از بررسی منتشر می‌شود"},
}

demo_blueprint = Blueprint("demo", __name__)


ENGINE_KEY = "forewarn.demo.engine"  # the app's extensions: the engine the demo runs with


@dataclass(frozen=True)
class DemoReader:
    """A place of the demo database, as the home page lists it: its networks, an address in the
    first, and the notices a reader there gets on each article (in ARTICLES order)."""

    place: str
    networks: tuple[str, ...]
    example: str
    notices: tuple[tuple[str, ...], ...]


@demo_blueprint.get("/")
def home() -> str:
    """The articles, and who gets which notice: from the demo database and the catalog the demo
    runs with, and the address it is running at, so that the page cannot drift from them."""
    engine: Engine = current_app.extensions[ENGINE_KEY]
    readers = demo_readers(engine)
    unknown = tuple(engine.decide(UNKNOWN, a.lang).notice_ids for a in ARTICLES)
    example = next((r for r in readers if "UA-43" in r.place), readers[0])
    return render_template("demo/index.html", articles=ARTICLES, readers=readers,
                           unknown=unknown, example=example, base=request.host_url,
                           languages=[Locale.parse(a.lang).get_display_name("en")
                                      for a in ARTICLES])


def demo_readers(engine: Engine) -> tuple[DemoReader, ...]:
    """One reader per place of the demo networks CSV, in its order, located by the engine's own
    databases (the demo database built from that CSV) and decided by its catalog."""
    names = PlaceNames(engine.catalog)
    by_place: dict[str, list[str]] = {}
    decided: dict[str, tuple[str, tuple[tuple[str, ...], ...]]] = {}
    for row in read_networks(demo_networks_csv()):
        example = str(next(iter(row.network.hosts()), row.network.network_address))
        location = engine.locator.locate(ip_address(example))
        place = Place(location.country, location.regions[0] if location.regions else None)
        name = names.heading(place, ())
        by_place.setdefault(name, []).append(str(row.network))
        decided.setdefault(name, (example, tuple(
            engine.decide(location, article.lang).notice_ids for article in ARTICLES)))
    return tuple(DemoReader(name, tuple(networks), *decided[name])
                 for name, networks in by_place.items())


@demo_blueprint.get("/articles/<slug>")
def article(slug: str) -> str:
    found = BY_SLUG.get(slug)
    if found is None:
        abort(404)
    return render_template(f"demo/articles/{found.slug}.html", article=found, articles=ARTICLES,
                           words=WORDS[found.lang], url=f"https://example.net{request.path}")


@demo_blueprint.post("/articles/<slug>/<action>")
def respond(slug: str, action: str) -> str:
    """A like or a comment, answered and kept nowhere."""
    found = BY_SLUG.get(slug)
    if found is None or action not in ("like", "comments"):
        abort(404)
    message = WORDS[found.lang]["liked" if action == "like" else "posted"]
    return render_template("demo/thanks.html", article=found, articles=ARTICLES, message=message)


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
