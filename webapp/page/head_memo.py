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
        self._heads: dict[bytes, tuple[bytes, BodyStart]] = {}
        self._lock = threading.Lock()

    def find_placement(self, data: bytes, *, complete: bool,
                       eof: bool | None = None) -> Placement | None:
        eof = complete if eof is None else eof
        cut = data.find(b"<body", 0, KEY_LIMIT)
        if cut < 0 or data.startswith(_BOMS):
            return find_placement(data, marker=self.marker, complete=complete, eof=eof)
        key = data[:cut]
        seen = self._heads.get(key)
        if seen is not None and data.startswith(seen[0], cut):
            return place_after(data, seen[1], self.marker, complete)
        head = scan_head(data, complete=complete, eof=eof)
        if head is None:
            return None
        if head.decided <= len(data) and head.decided - cut <= KEY_LIMIT:
            with self._lock:
                if len(self._heads) >= LIMIT:
                    self._heads.clear()
                self._heads[key] = (data[cut:max(cut, head.decided)], head)
        return place_after(data, head, self.marker, complete)
