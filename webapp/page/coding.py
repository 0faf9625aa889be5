"""Undo and redo an HTTP content coding (gzip, deflate, and br when ``brotli`` is installed, or
several of them stacked) as a stream, so that a compressed page can get its notice without being
held in memory whole.

A Content-Encoding is read as Chromium reads it (``net/filter/filter_source_stream.cc`` and
``URLRequestHttpJob::SetUpSourceStream``): every value it names is undone, the last applied
first; a value it does not know (``UTF-8``, ``none``, ``binary``, ``compress``), or ``identity``
among others, makes it show the body as it came, so Forewarn takes that body as it came too.
Before, such pages passed without a notice that the browser then showed without one
(``tests/e2e/test_codings.py`` holds this to Chromium's own verdicts).

Every decoder hands on at most PIECE bytes at a time and at most MAX_DECODED bytes per page: a
few KB that expand to a gibibyte (a compression bomb) never sit in a worker's memory, and stop
costing it time once past the bound (DecodedTooLarge)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from webapp.errors import CodingError

try:  # optional: only pages served with Content-Encoding: br need it
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None
# brotli before 1.2 cannot bound a decoder's output: such pages pass as they are (private).
if _brotli is not None and not hasattr(_brotli.Decompressor, "can_accept_more_data"):
    _brotli = None  # pragma: no cover - depends on the environment

# Decoded output is handed on in pieces of at most this size, so a small compressed chunk that
# expands a thousandfold (a "zip bomb") never sits in memory at once.
PIECE = 64 * 1024
# The most a page may decode to (news pages are a few MB at most); beyond it, DecodedTooLarge.
MAX_DECODED = 64 * 1024 * 1024
# The codings Chromium undoes; and the most stacked codings Forewarn undoes (a page in more
# passes without a notice, counted "encoded": each layer costs a decoder and an encoder).
_BROWSER_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
MAX_STACKED = 3


class DecodedTooLarge(CodingError):
    """A compressed page decodes to more than MAX_DECODED bytes."""


@dataclass(frozen=True)
class Coding:
    """The content codings Forewarn can undo and redo, as applied, in order (``"gzip, br"``:
    gzip, then br); ``identity`` passes bytes as they are."""

    name: str

    @property
    def identity(self) -> bool:
        return self.name == "identity"

    def decode(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The decoded body, in pieces of at most about PIECE bytes. Raises CodingError on
        corrupt input, DecodedTooLarge once any layer is past MAX_DECODED bytes."""
        if self.identity:
            return iter(chunks)
        for step in reversed(self.name.split(", ")):
            chunks = _decoded(step, chunks)
        return iter(chunks)

    def encode(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """The pieces encoded again, flushed at the end (not per piece: that costs ratio)."""
        if self.identity:
            return iter(pieces)
        for step in self.name.split(", "):
            pieces = _encoded(step, pieces)
        return iter(pieces)


def _decoded(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    pieces = _brotli_decode(chunks) if name == "br" else _zlib_decode(name, chunks)
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > MAX_DECODED:
            raise DecodedTooLarge(f"decoded size over {MAX_DECODED >> 20} MiB")
        yield piece


def _encoded(name: str, pieces: Iterable[bytes]) -> Iterator[bytes]:
    if name == "br":
        assert _brotli is not None
        compressor = _brotli.Compressor(quality=5)
        for piece in pieces:
            out = compressor.process(piece)
            if out:
                yield out
        yield compressor.finish()
        return
    wbits = 31 if name == "gzip" else 15  # deflate is the zlib format (RFC 9110 8.4.1.2)
    encoder = zlib.compressobj(6, zlib.DEFLATED, wbits)
    for index, piece in enumerate(pieces):
        out = encoder.compress(piece)
        if index == 0:  # the head and the notice reach the browser without waiting
            out += encoder.flush(zlib.Z_SYNC_FLUSH)
        if out:
            yield out
    yield encoder.flush()


IDENTITY = Coding("identity")


@lru_cache(maxsize=64)
def coding_for(content_encoding: str | None) -> Coding | None:
    """The Coding for a Content-Encoding value (several headers' values joined by commas), as
    Chromium reads it: identity when it names none, or any value Chromium does not undo
    (``identity`` among them: the browser shows the body as it came); None when Forewarn cannot
    undo one the browser does (``zstd``, ``br`` without the brotli package, more than
    MAX_STACKED)."""
    names = [part.strip().lower() for part in (content_encoding or "").split(",")]
    names = [name for name in names if name]
    if not names or any(name not in _BROWSER_CODINGS for name in names):
        return IDENTITY
    if len(names) > MAX_STACKED or not all(map(_undoable, names)):
        return None
    return Coding(", ".join("gzip" if name == "x-gzip" else name for name in names))


def _undoable(name: str) -> bool:
    """Whether Forewarn can undo and redo this one coding (lower case)."""
    return name in ("identity", "gzip", "x-gzip", "deflate") or (
        name == "br" and _brotli is not None)


def _zlib_decode(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """gzip or deflate, decoded. A gzip body may hold several members, one after the other
    (RFC 1952): each is decoded in turn (zero bytes padding the end are skipped)."""
    decoder: Any = None
    ended = False  # a gzip member ended: what follows is the next one, or padding
    for chunk in chunks:
        data = chunk
        while data:
            if decoder is None:
                data = data.lstrip(b"\0") if ended else data
                if not data:
                    break
                decoder = _zlib_decoder(name, data)
            yield from _drain(decoder, data)
            data = b""
            if decoder.eof and name == "gzip":
                data, decoder, ended = decoder.unused_data, None, True
    if decoder is not None and not decoder.eof and decoder.unconsumed_tail == b"":
        tail = decoder.flush()
        if tail:
            yield tail


def _zlib_decoder(name: str, first: bytes) -> Any:
    if name == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    # "deflate" should be the zlib format, but some servers send raw deflate: the zlib header's
    # first byte tells them apart (its low nibble is 8, the method).
    return zlib.decompressobj(zlib.MAX_WBITS if first[0] & 0x0F == 8 else -zlib.MAX_WBITS)


def _drain(decoder: Any, chunk: bytes) -> Iterator[bytes]:
    data = chunk
    try:
        while data:
            out = decoder.decompress(data, PIECE)
            if out:
                yield out
            data = decoder.unconsumed_tail
    except zlib.error as error:
        raise CodingError(str(error)) from error


def _brotli_decode(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """br, decoded a PIECE at a time: brotli 1.2's output limit, then empty input for as long as
    that gives more (without the limit, 800 bytes came back as a gibibyte in one call)."""
    assert _brotli is not None
    decoder = _brotli.Decompressor()
    try:
        for chunk in chunks:
            out = decoder.process(chunk, output_buffer_limit=PIECE)
            while out or not (decoder.can_accept_more_data() or decoder.is_finished()):
                if out:
                    yield out
                out = decoder.process(b"", output_buffer_limit=PIECE)
    except _brotli.error as error:
        raise CodingError(str(error)) from error


@lru_cache(maxsize=64)  # browsers send a handful of distinct values
def decodable(accept_encoding: str) -> str:
    """``accept_encoding`` (a request's Accept-Encoding) with only the codings Forewarn can
    undo, so that the page the app or origin answers can get its notice: a page in a coding
    Forewarn cannot undo passes without one. (Chromium offers ``zstd`` over HTTPS, and
    Flask-Compress, by default, prefers it.)"""
    kept = [item.strip() for item in accept_encoding.split(",")
            if _undoable(item.split(";")[0].strip().lower())]
    # With none left, say so: no Accept-Encoding at all would mean "any coding" (RFC 9110).
    return ", ".join(kept) or "identity"
