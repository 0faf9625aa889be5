"""Read Playwright's ARIA snapshot (the accessibility tree as YAML) as a list of (role, name) in
tree order, so tests can ask what a screen reader meets first."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from playwright.sync_api import Page

# WAI-ARIA landmark roles (what screen readers list and jump between).
LANDMARKS = frozenset({"banner", "complementary", "contentinfo", "form", "main", "navigation",
                       "region", "search"})
_NODE = re.compile(r'^(?P<role>[a-z]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?')


@dataclass(frozen=True)
class Node:
    role: str
    name: str


def tree(page: Page) -> list[Node]:
    """Every node of the page's accessibility tree, in order."""
    nodes = []
    for line in page.locator("body").aria_snapshot().splitlines():
        item = line.strip().removeprefix("- ")
        if item.startswith("'"):  # YAML single-quotes an item holding ": " (and doubles ')
            item = item[1:item.rfind("'")].replace("''", "'")
        found = _NODE.match(item)
        if found:
            name = json.loads(found["name"]) if found["name"] else ""
            nodes.append(Node(found["role"], name))
    return nodes


def first(nodes: list[Node], roles: frozenset[str] | str) -> Node | None:
    wanted = {roles} if isinstance(roles, str) else roles
    return next((node for node in nodes if node.role in wanted), None)
