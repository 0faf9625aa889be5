"""The one article every benchmark serves: about 100 KB of a news page's real markup (a head with
metadata, structured data and a small inline script, then navigation, a long article with
figures and quotes, related links, a footer and deferred scripts), with ``<body>`` in the first
4 KB. Written for the benchmark and the same on every run (a seeded generator, no randomness).
"""

from __future__ import annotations

import random
from pathlib import Path

PATH = "/articles/bench"  # where every setup serves it
ESI_PATH = "/articles/bench-esi"  # the same article with an ESI include, for Varnish
SSI_PATH = "/articles/bench-ssi"  # and with an SSI include, for nginx
TARGET_SIZE = 100 * 1024
BODY_TAG = b'<body class="article-page">'

_VOCABULARY = (
    "the river city council reporters editors winter bridge ministry court hearing witnesses "
    "archive library budget schools hospital station energy prices drivers village border "
    "elections candidates officials statement interview documents record archive workers union "
    "strike factory shipment harbour port customs inspection weather frost snow heating families "
    "volunteers shelter evening morning during after before because although however several "
    "many early late again yesterday today quietly publicly reported confirmed denied asked told"
)
_WORDS = tuple(_VOCABULARY.split())
_SECTIONS = ("World", "Europe", "Russia", "Ukraine", "Belarus", "Caucasus", "Central Asia",
             "Economy", "Culture", "Investigations", "Opinion", "Podcasts")

HEAD = """<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The library that stayed open all winter | Example Radio</title>
<meta name="description" content="How a small town library became the warmest room in the \
district, and what its readers told our correspondent about the winter.">
<link rel="canonical" href="https://www.example.org/articles/bench">
<link rel="alternate" hreflang="ru" href="https://www.example.org/ru/articles/bench">
<meta property="og:type" content="article">
<meta property="og:title" content="The library that stayed open all winter">
<meta property="og:url" content="https://www.example.org/articles/bench">
<meta property="og:image" content="https://www.example.org/media/2026/11/library-1200.jpg">
<meta name="twitter:card" content="summary_large_image">
<link rel="preload" href="/static/fonts/serif-regular.woff2" as="font" type="font/woff2" \
crossorigin>
<link rel="stylesheet" href="/static/css/site.3f9a1c.css">
<link rel="stylesheet" href="/static/css/article.7be210.css" media="screen">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "The library that stayed open all winter",
 "datePublished": "2026-11-20T08:00:00+00:00", "dateModified": "2026-11-21T10:30:00+00:00",
 "author": [{"@type": "Person", "name": "Anna Correspondent"}],
 "publisher": {"@type": "Organization", "name": "Example Radio",
   "logo": {"@type": "ImageObject", "url": "https://www.example.org/static/logo.png"}},
 "image": ["https://www.example.org/media/2026/11/library-1200.jpg"]}
</script>
<script>document.documentElement.classList.add(
  localStorage.getItem("theme") === "dark" ? "theme-dark" : "theme-light");</script>
</head>
"""


def article(include: str = "", size: int = TARGET_SIZE) -> bytes:
    """The page; ``include`` (an ESI or SSI include) goes right after the body tag; ``size``
    bytes or so (at least the head, the header and the footer: about 6 KB)."""
    rng = random.Random(20261124)  # noqa: S311 - made-up prose, not a secret
    parts = [HEAD, BODY_TAG.decode(), "\n", include, _header()]
    parts.append('<main id="content">\n<article class="story">\n')
    parts.append('<h1 class="story-title">The library that stayed open all winter</h1>\n'
                 '<p class="byline">By <a href="/authors/anna">Anna Correspondent</a>, '
                 '<time datetime="2026-11-20T08:00:00Z">20 November 2026</time></p>\n')
    target, size = size, sum(len(part) for part in parts)
    number = 0
    while size < target - 3200:
        number += 1
        chunk = _paragraphs(rng, number)
        parts.append(chunk)
        size += len(chunk.encode())
    parts.append("</article>\n")
    parts.append(_related(rng))
    parts.append("</main>\n")
    parts.append(_footer())
    return "".join(parts).encode()


def write_site(folder: Path) -> Path:
    """The article as static files under ``folder`` (plain, with an ESI include, with an SSI
    include)."""
    articles = folder / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / "bench").write_bytes(article())
    esi = f'<esi:include src="/_forewarn/fragment?path={ESI_PATH}&amp;lang=en"/>\n'
    (articles / "bench-esi").write_bytes(article(esi))
    ssi = f'<!--# include virtual="/_forewarn/fragment?path={SSI_PATH}&lang=en" -->\n'
    (articles / "bench-ssi").write_bytes(article(ssi))
    return folder


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 22))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), f"<em>{rng.choice(_WORDS)}</em>")
    return " ".join(words) + rng.choice((".", ".", ".", "?", ":"))


def _paragraphs(rng: random.Random, number: int) -> str:
    out = []
    if number % 6 == 0:
        out.append(f'<h2 id="part-{number}">{_sentence(rng)[:-1]}</h2>\n')
    if number % 9 == 0:
        out.append(
            f'<figure class="story-image"><img src="/media/2026/11/library-{number}-800.jpg" '
            f'srcset="/media/2026/11/library-{number}-400.jpg 400w, '
            f'/media/2026/11/library-{number}-800.jpg 800w" sizes="(max-width: 600px) 100vw, '
            f'800px" width="800" height="533" loading="lazy" alt="{_sentence(rng)[:-1]}">'
            f'<figcaption>{_sentence(rng)} Photo: Example Radio</figcaption></figure>\n')
    if number % 11 == 0:
        out.append(f'<blockquote class="pull-quote"><p>{_sentence(rng)}</p></blockquote>\n')
    text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
    if number % 4 == 0:
        text += f' <a href="/articles/{rng.choice(_WORDS)}-{number}">{rng.choice(_WORDS)}</a>.'
    out.append(f"<p>{text}</p>\n")
    return "".join(out)


def _header() -> str:
    links = "".join(f'<li><a href="/sections/{s.lower().replace(" ", "-")}">{s}</a></li>'
                    for s in _SECTIONS)
    return ('<a class="skip-link" href="#content">Skip to content</a>\n'
            '<header class="site-header"><a class="logo" href="/">'
            '<img src="/static/logo.svg" alt="Example Radio" width="160" height="32"></a>\n'
            f'<nav aria-label="Sections"><ul class="sections">{links}</ul></nav>\n'
            '<form class="search" action="/search" role="search"><input type="search" name="q" '
            'aria-label="Search"><button type="submit">Search</button></form></header>\n'
            '<nav class="breadcrumb" aria-label="Breadcrumb"><a href="/">Home</a> / '
            '<a href="/sections/culture">Culture</a></nav>\n')


def _related(rng: random.Random) -> str:
    items = "".join(f'<li><a href="/articles/related-{n}">{_sentence(rng)[:-1]}</a></li>\n'
                    for n in range(12))
    return f'<aside class="related"><h2>Read next</h2><ul>\n{items}</ul></aside>\n'


def _footer() -> str:
    links = "".join(f'<li><a href="/about/{n}">{n.title()}</a></li>'
                    for n in ("contacts", "team", "ethics", "privacy", "mirrors", "tips"))
    return (f'<footer class="site-footer"><ul>{links}</ul>\n'
            '<p>&copy; 2026 Example Radio. All rights reserved.</p></footer>\n'
            '<script src="/static/js/site.5c2e9d.js" defer></script>\n'
            '<script src="/static/js/article.91aa04.js" defer></script>\n'
            "</body>\n</html>\n")
