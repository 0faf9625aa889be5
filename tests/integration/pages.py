"""A reader's page through an edge, as the edge tests read it: status, headers, the HTML (a gzip
body decoded as a browser would) and the notice ids in its block."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from urllib3 import HTTPHeaderDict

from tests.integration.servers import EdgeServer


@dataclass(frozen=True)
class Page:
    status: int
    headers: HTTPHeaderDict  # names in any case, as HTTP's are (granian sends them lowercase)
    html: str

    @property
    def notices(self) -> str | None:
        """The ids in the notice block's data-forewarn, None when the page has no block."""
        match = re.search(r'<aside class="forewarn"[^>]* data-forewarn="([^"]*)"', self.html)
        return match.group(1) if match else None


def read(
    edge: EdgeServer, path: str, address: str | None = None, **headers: str
) -> Page:
    """One reader's request through the edge; a gzip body is decoded as a browser would."""
    request = urllib.request.Request(edge.url + path, headers={
        name.replace("_", "-"): value for name, value in headers.items()})
    if address is not None:
        request.add_header("X-Forwarded-For", address)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, response_headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, response_headers, body = error.code, error.headers, error.read()
    if response_headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return Page(status, HTTPHeaderDict(response_headers.items()), body.decode())
