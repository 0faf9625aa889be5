"""``GET /_forewarn/notices.json?path=/a/1&lang=ru``: the notices the asking reader gets on that
page, as data for the publisher's apps, which cannot use an HTML block. The reader is placed and
decided for as for a page (Engine.read: the same address, proxy and CDN rules); the answer is
``private`` or ``Vary`` exactly as a page's, with an ETag of its body, so an app revalidates
cheaply and a change of place, catalog or language is a new tag. The answer's JSON Schema ships
as static/notices-json.schema.json (webapp/resources.py).

Like the fragment, it never refuses: an odd ``path`` gives deep links to the home page and an
unknown ``lang`` counts as none, so a reader is never left without the notices over a typo.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from werkzeug.http import quote_etag

from webapp.engine import Engine
from webapp.page.headers import ResponseHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

CONTENT_TYPE = "application/json; charset=utf-8"


def notices_json(
    engine: Engine, environ: WSGIEnvironment | dict[str, Any], path: str, lang: str | None
) -> tuple[bytes, list[tuple[str, str]]]:
    """The JSON for the reader of ``environ`` reading ``path`` in ``lang``, and its headers."""
    answer = engine.answer_data(environ, lang, path=path)
    headers = ResponseHeaders([("Content-Type", CONTENT_TYPE),
                               ("X-Content-Type-Options", "nosniff")])
    answer.finish(headers)
    headers["ETag"] = quote_etag(hashlib.sha256(answer.body).hexdigest()[:24])
    return answer.body, headers.items()
