"""html5lib as the judge of a placement: the page with the block must parse, by html5lib (the
reference HTML5 parser, scripting on), into the page's own tree plus exactly one
``<aside class="forewarn">``, the first child of ``<body>`` (whitespace and comments aside),
whose content is the block parsed alone; a page that gets no block must be unchanged. Also
reads the html5lib-tests tree-construction files vendored in html5lib_tests/ (MIT, see LICENSE
there; from the html5lib 1.1 distribution on PyPI)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import html5lib

from webapp.page.placement import Placement, find_placement, splice

DAT = Path(__file__).with_name("html5lib_tests")


@dataclass(frozen=True)
class Case:
    """One test of a .dat file: its input and what its header says."""

    file: str
    index: int
    data: str
    expected: str  # the "#document" dump
    fragment: bool
    scripting: str  # "on", "off" or "both"


def cases() -> Iterator[Case]:
    for path in sorted(DAT.glob("*.dat")):
        text = path.read_text(encoding="utf-8")
        for index, chunk in enumerate(text.split("\n\n#data\n")):
            chunk = chunk.removeprefix("#data\n")
            sections: dict[str, list[str]] = {"data": []}
            current = "data"
            for line in chunk.split("\n"):
                if line.startswith("#") and line[1:] in ("errors", "new-errors", "document",
                                                         "document-fragment", "script-off",
                                                         "script-on"):
                    current = line[1:]
                    sections.setdefault(current, [])
                    continue
                sections[current].append(line)
            scripting = "off" if "script-off" in sections else \
                "on" if "script-on" in sections else "both"
            yield Case(path.name, index, "\n".join(sections["data"]),
                       "\n".join(sections.get("document", [])).rstrip("\n"),
                       "document-fragment" in sections, scripting)


def parse(text: str) -> Any:
    text = text.removeprefix("\ufeff")  # a byte order mark is the decoder's, not the page's
    return html5lib.parse(text, treebuilder="dom", scripting=True, namespaceHTMLElements=False)


def suite_dump(text: str) -> str:
    """html5lib's own test-format dump of a document (what "#document" holds)."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("dom"), namespaceHTMLElements=False)
    document = parser.parse(text, scripting=True)
    lines = parser.tree.testSerializer(document).split("\n")[1:]  # the first is "#document"
    return "\n".join("|" + line[2:] if line.startswith("| ") else line for line in lines)


def dump(node: Any) -> list[Any]:
    """A node's subtree as nested lists, adjacent text merged."""
    out: list[Any] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            if out and isinstance(out[-1], str):
                out[-1] += child.data
            else:
                out.append(child.data)
        elif child.nodeType == child.ELEMENT_NODE:
            attributes = sorted((a.name, a.value) for a in child.attributes.values())
            out.append((child.namespaceURI, child.tagName, attributes, dump(child)))
        elif child.nodeType == child.COMMENT_NODE:
            out.append(("#comment", child.data))
        else:
            out.append(("#node", child.nodeType, getattr(child, "name", "")))
    return out


def _is_block(node: Any) -> bool:
    return node.nodeType == node.ELEMENT_NODE and node.tagName == "aside" and \
        (node.getAttribute("class") or "").split() == ["forewarn"]


def _blocks(node: Any) -> list[Any]:
    found = [node] if _is_block(node) else []
    for child in node.childNodes:
        found.extend(_blocks(child))
    return found


def judge(page: str, placement: Placement, block: str) -> str:
    """"" when the placement is right by html5lib, else what is wrong."""
    data = page.encode("utf-8", "surrogatepass")
    if placement.offset is None:
        return ""  # nothing inserted: the bytes are the page's (checked by the caller)
    output = splice(data, placement, block.encode()).decode("utf-8", "surrogatepass")
    return judge_output(page, output, block, anchored=placement.reason in ("marker", "slot"))


def judge_unplaced(page: str, reason: str, block: str) -> str:
    """"" when html5lib agrees that the page has no place: a frameset document has no body; a
    page that ends inside markup before its body would take a block at its end into that
    markup."""
    if reason == "frameset":
        has_body = bool(parse(page).getElementsByTagName("body"))
        return "html5lib gives the page a body" if has_body else ""
    blocks = _blocks(parse(page + block))
    if blocks and blocks[0].parentNode.nodeName == "body":
        return "a block at the page's end would begin its body"
    return ""


def judge_output(page: str, output: str, block: str, *, anchored: bool = False) -> str:
    """"" when ``output`` is ``page`` with ``block`` where html5lib begins the body."""
    document = parse(output)
    blocks = _blocks(document)
    if len(blocks) != 1:
        return f"{len(blocks)} blocks in the parsed page"
    aside = blocks[0]
    parent = aside.parentNode
    if parent.nodeType != parent.ELEMENT_NODE or parent.tagName != "body":
        return f"the block's parent is <{getattr(parent, 'tagName', parent.nodeName)}>"
    first = next(child for child in parent.childNodes if not (
        child.nodeType == child.COMMENT_NODE or
        (child.nodeType == child.TEXT_NODE and not child.data.strip("\t\n\f\r "))))
    if first is not aside and not anchored:
        return "the block is not the first child of <body>"
    if dump(aside) != dump(html5lib.parseFragment(
            block, container="body", treebuilder="dom", namespaceHTMLElements=False).firstChild):
        return "the block's content differs from the block parsed alone"
    parent.removeChild(aside)
    if dump(document) != dump(parse(page)):
        return "the page's own tree changed"
    return ""


def html5lib_cannot_judge(page: str) -> str:
    """Why html5lib 1.1 is no oracle for this page ("" when it is): where it departs from the
    standard on something the placement depends on. Those pages go to Chromium instead
    (tests/e2e/test_documents.py)."""
    low = page.lower()
    if "<template" in low:
        return "html5lib 1.1 has no <template> (it parses it as an unknown element)"
    br = low.find("</br")
    if br >= 0 and "<frameset" in low[br:]:
        return "html5lib 1.1 leaves frameset-ok on after </br> (the standard turns it off)"
    return ""


def place(page: str) -> Placement:
    placement = find_placement(page.encode("utf-8", "surrogatepass"), complete=True)
    assert placement is not None
    return placement
