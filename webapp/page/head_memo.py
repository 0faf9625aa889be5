"""Remember, for pages already seen, where their body began and what their head said.

A site sends the same article to reader after reader. Tokenizing its head is most of what
placing the block costs; a page whose bytes are exactly those of a page seen before, up to the
last byte that decided where the body begins (the ``<body>`` tag, or what ended the frameset-ok
flag after an implied body), begins its body at the same place. Nothing is trusted but byte
equality: the head up to the first ``<body`` is the key (compared whole by the dictionary), the
bytes from there to the deciding byte are compared too, and the marker and slot windows after
the body are searched anew every time. What is kept is the site's own markup, never anything
about a reader.
"""

from __future__ import annotations

import threading

from webapp.page.placement import Placement, find_placement, place_after, scan_head
from webapp.page.tree import BodyStart

KEY_LIMIT = 64 * 1024  # heads longer than this (up to the first "<body") are not remembered
LIMIT = 64  # heads kept; a full memory is cleared
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class HeadMemo:
    """``find_placement`` for one marker, reusing the head scan of pages seen before."""

    def __init__(self, marker: bytes | None) -> None:
        self.marker = marker
        # where "<body" first is -> (the head before it, the bytes on to the deciding one, the
        # scan's answer): found by comparing the page with each (no key is copied or hashed)
        self._heads: dict[int, list[tuple[bytes, bytes, BodyStart]]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def find_placement(self, data: bytes, *, complete: bool, eof: bool | None = None,
                       anchor: bool = True) -> Placement | None:
        """As ``find_placement``; without ``anchor``, a page whose head can be remembered gets
        where its body begins, not anchored yet (``anchor_placement``)."""
        eof = complete if eof is None else eof
        cut = data.find(b"<body", 0, KEY_LIMIT)
        if cut < 0 or data.startswith(_BOMS):
            return find_placement(data, marker=self.marker, complete=complete, eof=eof)
        for head_bytes, decided, head in self._heads.get(cut, ()):
            if data.startswith(head_bytes) and data.startswith(decided, cut):
                return place_after(data, head, self.marker, complete, anchor=anchor)
        scanned = scan_head(data, complete=complete, eof=eof)
        if scanned is None:
            return None
        if scanned.decided <= len(data) and scanned.decided - cut <= KEY_LIMIT:
            self._remember(cut, data, scanned)
        return place_after(data, scanned, self.marker, complete, anchor=anchor)

    def _remember(self, cut: int, data: bytes, head: BodyStart) -> None:
        with self._lock:
            if self._count >= LIMIT:
                self._heads, self._count = {}, 0
            self._heads.setdefault(cut, []).append(
                (data[:cut], data[cut:max(cut, head.decided)], head))
            self._count += 1
