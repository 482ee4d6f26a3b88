"""The file formats tpbnlp reads and writes, by name and extension.

This module imports nothing heavy, so the command line can list the formats
in its help without loading pandas. A format is one :class:`Format` entry
here plus its reader (:mod:`tpbnlp.tables.read`) or writer
(:mod:`tpbnlp.tables.write`), registered under the same name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["FOLLOW_UP_FORMATS", "FORMATS", "INPUT_FORMATS", "OUTPUT_FORMATS", "REPORT_FORMATS", "Format", "detect_format"]


@dataclass(frozen=True)
class Format:
    """A table format: its name, the extensions that mean it, and whether tpbnlp reads and writes it."""

    name: str
    extensions: tuple[str, ...]
    readable: bool = True
    writable: bool = True


FORMATS = (
    Format("csv", (".csv", ".tsv")),
    Format("xlsx", (".xlsx", ".xlsm")),
    Format("jsonl", (".jsonl", ".ndjson")),
    Format("txt", (".txt",), writable=False),  # one opinion a line
)
INPUT_FORMATS = tuple(f.name for f in FORMATS if f.readable)
OUTPUT_FORMATS = tuple(f.name for f in FORMATS if f.writable)
#: Formats of the minutes report: the tables as a workbook or CSV, or one document (JSON, Markdown).
REPORT_FORMATS = ("xlsx", "json", "csv", "md")
#: Formats of the follow-up report (the same kinds).
FOLLOW_UP_FORMATS = REPORT_FORMATS


def detect_format(path: str | os.PathLike[str], explicit: str | None = None, *, writing: bool = False) -> str:
    """The format of a file: ``explicit`` when given, else by extension (``-``, standard input/output, is CSV)."""
    usable = [f.name for f in FORMATS if (f.writable if writing else f.readable)]
    if explicit:
        if explicit not in usable:
            raise InputError(f"Định dạng {explicit!r} không được hỗ trợ; dùng một trong: {', '.join(usable)}.")
        return explicit
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise InputError(f"{path}: định dạng Excel cũ (.xls) chưa được hỗ trợ; hãy lưu lại thành .xlsx hoặc .csv.")
    found = next((f for f in FORMATS if suffix in f.extensions), None)
    if found is None:
        known = ", ".join(e for f in FORMATS for e in f.extensions)
        raise InputError(f"{path}: không nhận ra định dạng qua đuôi tệp; hỗ trợ {known}.")
    if found.name not in usable:
        raise InputError(f"Kết quả không ghi được ra {suffix}; hãy dùng {_either('.' + f for f in usable)}.")
    return found.name


def _either(names: Iterable[str]) -> str:
    """"a, b hoặc c"."""
    *rest, last = names
    return f"{', '.join(rest)} hoặc {last}" if rest else last
