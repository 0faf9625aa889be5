"""atheris fuzz target: find_placement and splice on arbitrary bytes must never raise, and must
agree with themselves however the bytes arrive. Run by `make fuzz` (time-bounded)."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from webapp.page.placement import find_placement, splice


def one_input(data: bytes) -> None:
    final = find_placement(data, complete=True)
    if final is None:
        raise AssertionError("complete=True must always answer")
    if final.offset is not None and not 0 < final.offset <= len(data):
        raise AssertionError(f"offset {final.offset} outside the data")
    cut = data[0] if data else 0
    early = find_placement(data[: cut % (len(data) + 1)], complete=False)
    if early is not None and early != final:
        raise AssertionError(f"answer changed with more data: {early} -> {final}")
    spliced = splice(data, final, b"<aside></aside>")
    if final.offset is not None and spliced.replace(b"<aside></aside>", b"", 1) != data:
        raise AssertionError("splice changed bytes outside the block")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
