"""Undo and redo an HTTP content coding (gzip, deflate, and br when ``brotli`` is installed) as a
stream, so that a compressed page can get its notice without being held in memory whole."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from webapp.errors import CodingError

try:  # optional: only pages served with Content-Encoding: br need it
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

# Decoded output is handed on in pieces of at most this size, so a small compressed chunk that
# expands a thousandfold (a "zip bomb") never sits in memory at once.
PIECE = 64 * 1024


@dataclass(frozen=True)
class Coding:
    """One content coding Forewarn can undo and redo; ``identity`` passes bytes as they are."""

    name: str

    @property
    def identity(self) -> bool:
        return self.name == "identity"

    def decode(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The decoded body, piece by piece. Raises CodingError on corrupt input."""
        if self.identity:
            yield from chunks
            return
        if self.name == "br":
            yield from _brotli_decode(chunks)
            return
        decoder: Any = None
        for chunk in chunks:
            if decoder is None and chunk:
                decoder = _zlib_decoder(self.name, chunk)
            if decoder is not None:
                yield from _drain(decoder, chunk)
        if decoder is not None and not decoder.eof and decoder.unconsumed_tail == b"":
            tail = decoder.flush()
            if tail:
                yield tail

    def encode(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """The pieces encoded again, flushed at the end (not per piece: that costs ratio)."""
        if self.identity:
            yield from pieces
            return
        if self.name == "br":
            assert _brotli is not None
            compressor = _brotli.Compressor(quality=5)
            for piece in pieces:
                out = compressor.process(piece)
                if out:
                    yield out
            yield compressor.finish()
            return
        wbits = 31 if self.name == "gzip" else 15  # deflate is the zlib format (RFC 9110 8.4.1.2)
        encoder = zlib.compressobj(6, zlib.DEFLATED, wbits)
        for index, piece in enumerate(pieces):
            out = encoder.compress(piece)
            if index == 0:  # the head and the notice reach the browser without waiting
                out += encoder.flush(zlib.Z_SYNC_FLUSH)
            if out:
                yield out
        yield encoder.flush()


def coding_for(content_encoding: str | None) -> Coding | None:
    """The Coding for a Content-Encoding header value, or None when Forewarn cannot undo it
    (unknown codings, several stacked, ``br`` without the brotli package)."""
    value = (content_encoding or "").strip().lower()
    if value in ("", "identity"):
        return Coding("identity")
    if value in ("gzip", "x-gzip"):
        return Coding("gzip")
    if value == "deflate":
        return Coding("deflate")
    if value == "br" and _brotli is not None:
        return Coding("br")
    return None


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
    assert _brotli is not None
    decoder = _brotli.Decompressor()
    try:
        for chunk in chunks:
            out = decoder.process(chunk)
            # brotli's Python binding has no output limit; cut what it gives into pieces
            for start in range(0, len(out), PIECE):
                yield out[start : start + PIECE]
    except _brotli.error as error:
        raise CodingError(str(error)) from error
