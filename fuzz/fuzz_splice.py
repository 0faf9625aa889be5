"""atheris fuzz target: find_placement and splice on arbitrary bytes must never raise, must
agree with themselves however the bytes arrive, and the fast tokenizer must agree with the
step-by-step reference (webapp/page/reference.py). Run by `make fuzz` (time-bounded)."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import webapp.page.placement as placement
    from webapp.page.placement import find_placement, splice
    from webapp.page.reference import ReferenceLexer

FAST_LEXER, REFERENCE = placement.LEXER, ReferenceLexer()


def _reference(data: bytes) -> object:
    placement.LEXER, placement.FAST = REFERENCE, False
    try:
        return find_placement(data, complete=True)
    finally:
        placement.LEXER, placement.FAST = FAST_LEXER, True


def one_input(data: bytes) -> None:
    final = find_placement(data, complete=True)
    if final is None:
        raise AssertionError("complete=True must always answer")
    if final.offset is not None and not 0 <= final.offset <= len(data):
        raise AssertionError(f"offset {final.offset} outside the data")
    cut = data[0] if data else 0
    early = find_placement(data[: cut % (len(data) + 1)], complete=False)
    if early is not None and early != final:
        raise AssertionError(f"answer changed with more data: {early} -> {final}")
    if len(data) <= 4096 and _reference(data) != final:
        raise AssertionError(f"the reference places differently: {_reference(data)} != {final}")
    spliced = splice(data, final, b"<aside></aside>")
    if final.offset is not None and spliced.replace(b"<aside></aside>", b"", 1) != data:
        raise AssertionError("splice changed bytes outside the block")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
