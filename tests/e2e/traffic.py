"""Where a browser context's requests go: to the servers under test, or nowhere. Navigations to a
mirror are answered here (a stand-in page), so following a mirror link is checked without any
outside traffic; every other request off the servers is aborted and recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Route
from playwright.sync_api import Request as BrowserRequest

MIRROR_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
               '<link rel="icon" href="data:,"><title>Mirror stand-in</title></head>'
               "<body><p>A stand-in for the mirror, answered inside the test.</p></body></html>")


@dataclass
class Followed:
    """A navigation to a mirror, answered locally: its URL and the headers the browser sent."""

    url: str
    headers: dict[str, str]


@dataclass
class Traffic:
    """Records every request of a context; ``left`` holds those that would have left the
    servers under test had they not been aborted."""

    origins: tuple[str, ...]
    mirrors: tuple[str, ...] = ()
    requests: list[str] = field(default_factory=list)
    followed: list[Followed] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> Traffic:
        context.route("**/*", self._route)
        return self

    def _route(self, route: Route, request: BrowserRequest) -> None:
        url = request.url
        self.requests.append(url)
        if url.startswith(self.origins):
            route.continue_()
        elif url.startswith(self.mirrors) and request.is_navigation_request():
            self.followed.append(Followed(url, request.headers))
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=MIRROR_PAGE)
        else:
            self.left.append(url)
            route.abort()
