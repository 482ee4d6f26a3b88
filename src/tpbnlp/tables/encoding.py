"""Which encoding a text file is in, and a stream that reads it as Unicode.

Files from district offices come as UTF-8 (with or without a byte-order mark),
UTF-16 (Excel's "Unicode text"), Windows-1258, or typed in legacy Vietnamese
fonts (TCVN3, VNI) that read as Latin-1 and are repaired row by row later.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ..errors import InputError, LegacyEncodingError
from ..text import detect_legacy_encoding

__all__ = ["TextStream", "count_lines", "decode_bytes", "open_text"]

#: The encoding is judged on the first 64 KiB.
SAMPLE = 1 << 16


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode the start of a text file; returns ``(text, encoding)``.

    Tries, in order: a byte-order mark (UTF-8, UTF-16); UTF-16 without one
    (many zero bytes); UTF-8; legacy Vietnamese fonts (TCVN3, VNI) read as
    Latin-1, which :mod:`tpbnlp.text` converts row by row; Windows-1258.
    ``data`` may end in the middle of a character.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    if data and data.count(0) > len(data) // 4:
        name = "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"
        return data.decode(name, errors="replace"), name
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data), "utf-8"
    except UnicodeDecodeError:
        text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(data)
        damaged = text.count("\ufffd")
        valid = sum(1 for ch in text if ord(ch) > 0x7F) - damaged
        if valid >= 5 * damaged:
            # mostly valid UTF-8 with a few stray bytes (curly quotes pasted from Windows…):
            # keep it UTF-8; the damaged rows get a status
            return text, "utf-8"
    latin = data.decode("latin-1")
    with contextlib.suppress(LegacyEncodingError):
        if detect_legacy_encoding(latin):
            return latin, "latin-1"
    try:
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError:
        raise InputError(
            "Không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16, Windows-1258, TCVN3 hay VNI). "
            "Hãy mở bằng Excel/Notepad và lưu lại với mã UTF-8."
        ) from None


def open_text(path: str | os.PathLike[str]) -> tuple[TextStream, str]:
    """A text stream over a file or standard input (``-``), in its detected encoding."""
    source = "đầu vào chuẩn" if str(path) == "-" else str(path)
    try:
        buffered = _open_bytes(path)
    except OSError as exc:
        raise InputError(f"Không đọc được {source}: {exc.strerror or exc}") from None
    _, encoding = decode_bytes(buffered.peek(SAMPLE)[:SAMPLE])
    stream = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
    return (_ComposedStream(stream) if encoding == "cp1258" else stream), encoding


def _open_bytes(path: str | os.PathLike[str]) -> io.BufferedReader:
    if str(path) != "-":
        return io.BufferedReader(io.FileIO(path, "r"), buffer_size=SAMPLE)  # closed by the reader
    if hasattr(sys.stdin.buffer, "raw"):
        return io.BufferedReader(sys.stdin.buffer.raw, buffer_size=SAMPLE)
    # a stream without a raw file under it (embedding, tests)
    return io.BufferedReader(io.BytesIO(sys.stdin.buffer.read()), buffer_size=SAMPLE)


class TextStream(Protocol):
    """What the readers need of a text stream."""

    def readline(self) -> str: ...
    def read(self) -> str: ...
    def __iter__(self) -> Iterator[str]: ...
    def close(self) -> None: ...


class _ComposedStream:
    """Windows-1258 writes tone marks as separate characters: compose them (NFC) as lines are read."""

    def __init__(self, stream: TextStream) -> None:
        self._stream = stream

    def readline(self) -> str:
        return unicodedata.normalize("NFC", self._stream.readline())

    def read(self) -> str:
        return unicodedata.normalize("NFC", self._stream.read())

    def __iter__(self) -> Iterator[str]:
        return (unicodedata.normalize("NFC", line) for line in self._stream)

    def close(self) -> None:
        self._stream.close()


def count_lines(path: str | os.PathLike[str]) -> int | None:
    """The number of lines of a file (``None`` for standard input), read in 1 MiB blocks."""
    if str(path) == "-":
        return None
    with open(Path(path), "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
