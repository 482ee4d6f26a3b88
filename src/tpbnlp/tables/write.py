"""Writing tables: CSV, XLSX and JSON Lines, crash-safe.

Every writer writes to a temporary file beside the output and moves it into
place only when everything is written, so a crash or Ctrl-C never leaves a
half-written output and never touches the input. Tagged tables and report
tables go through the same writers.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd

from ..errors import InputError
from .formats import detect_format

__all__ = ["WRITERS", "TableWriter", "atomic_output", "new_file_mode", "open_writer", "writer"]


def new_file_mode(directory: bool = False) -> int:
    """The permissions a new file (or folder) gets under the user's umask: 0644 (0755) under umask 022."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside ``path``, moved onto it only when the block ends without error.

    A crash or Ctrl-C therefore leaves the previous ``path`` (if any) whole and no partial file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.chmod(new_file_mode())  # mkstemp makes it 0600: colleagues on a shared drive could not open it
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class TableWriter:
    """Writes frames to ``path`` in one format, atomically; ``path`` None or ``-`` is standard output.

    Use as a context manager; ``write`` may be called once per chunk. ``sheet``
    names a worksheet (XLSX); the text formats hold one table only.
    """

    fmt = ""
    default_sheet = "ket_qua"

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = None if path is None or str(path) == "-" else Path(path)
        self._stack = contextlib.ExitStack()
        self._target: Path | None = None
        self._columns: dict[str, list[str]] = {}
        #: Excel number formats by column name, applied to number and date cells (kept from an Excel input).
        self.number_formats: dict[str, str] = {}

    def __enter__(self) -> TableWriter:
        if self.path is not None:
            self._target = self._stack.enter_context(atomic_output(self.path))
        self._open()
        return self

    def write(self, frame: pd.DataFrame, sheet: str | None = None, *, index: bool = False) -> None:
        """Append the rows of ``frame`` (its header first, the first time a sheet is written)."""
        if index:
            frame = frame.reset_index()
        sheet = sheet or self.default_sheet
        if sheet not in self._columns:
            if self._columns and not self.sheets:
                raise InputError(f"Định dạng {self.fmt} chỉ ghi được một bảng.")
            self._columns[sheet] = [str(c) for c in frame.columns]
            self._header(sheet, self._columns[sheet])
        self._rows(sheet, self._columns[sheet], [[_missing_as_none(v) for v in row] for row in frame.itertuples(index=False, name=None)])

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        try:
            self._close(kind is None)
        except BaseException:
            self._stack.__exit__(*sys.exc_info())
            raise
        self._stack.__exit__(kind, value, traceback)

    # what a format implements
    sheets = False

    def _open(self) -> None: ...

    def _header(self, sheet: str, columns: list[str]) -> None: ...

    def _rows(self, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
        raise NotImplementedError

    def _close(self, complete: bool) -> None: ...


WriterClass = Callable[[str | os.PathLike[str] | None], TableWriter]
#: Writers by format name (:data:`tpbnlp.tables.formats.OUTPUT_FORMATS`).
WRITERS: dict[str, WriterClass] = {}


def writer(name: str) -> Callable[[type[TableWriter]], type[TableWriter]]:
    """Register a :class:`TableWriter` subclass as the writer of format ``name``."""

    def register(cls: type[TableWriter]) -> type[TableWriter]:
        cls.fmt = name
        WRITERS[name] = cls
        return cls

    return register


def open_writer(path: str | os.PathLike[str] | None, fmt: str | None = None) -> TableWriter:
    """The writer for ``path`` in ``fmt`` or the format its extension names (standard output: CSV)."""
    name = "csv" if path is None or str(path) == "-" else detect_format(path, fmt, writing=True)
    return WRITERS[name](path)


class _TextWriter(TableWriter):
    encoding = "utf-8"

    def _open(self) -> None:
        if self._target is None:
            self._handle: IO[str] = sys.stdout
        else:
            self._handle = open(self._target, "w", encoding=self.encoding, newline="")  # noqa: SIM115 (closed in _close)

    def _close(self, complete: bool) -> None:
        if self._handle is sys.stdout:
            sys.stdout.flush()
        else:
            self._handle.close()


@writer("csv")
class CsvWriter(_TextWriter):
    """CSV in UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly."""

    encoding = "utf-8-sig"

    def _header(self, sheet: str, columns: list[str]) -> None:
        csv.writer(self._handle).writerow(columns)

    def _rows(self, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
        csv.writer(self._handle).writerows(rows)


@writer("jsonl")
class JsonlWriter(_TextWriter):
    """One JSON object a line, keys in column order."""

    def _rows(self, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
        for row in rows:
            self._handle.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")


@writer("xlsx")
class XlsxWriter(TableWriter):
    """An Excel workbook, one worksheet a table, written in openpyxl's streaming mode."""

    sheets = True

    def _open(self) -> None:
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)
        self._sheets: dict[str, Any] = {}

    def _header(self, sheet: str, columns: list[str]) -> None:
        self._sheets[sheet] = self._workbook.create_sheet(sheet)
        self._sheets[sheet].append(columns)

    def _rows(self, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
        worksheet = self._sheets[sheet]
        formats = [self.number_formats.get(c) for c in columns]
        for row in rows:
            worksheet.append([self._cell(worksheet, v, f) for v, f in zip(row, formats)])

    @staticmethod
    def _cell(worksheet: Any, value: Any, number_format: str | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell

        value = _excel_safe(value)
        if isinstance(value, str) and value.startswith("="):  # text, not a formula
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"
            return cell
        if number_format and isinstance(value, (int, float, datetime.date, datetime.time)) and not isinstance(value, bool):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.number_format = number_format
            return cell
        return value

    def _close(self, complete: bool) -> None:
        if complete:
            self._workbook.save(self._target)


def _missing_as_none(value: Any) -> Any:
    """NaN and pandas' missing markers are written as empty cells."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


_ILLEGAL_XLSX = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_EXCEL_CELL_LIMIT = 32767


def _excel_safe(value: Any) -> Any:
    """Excel refuses control characters and cells over 32,767 characters; numbers stay numbers."""
    if isinstance(value, str):
        value = value.translate(_ILLEGAL_XLSX)
        if len(value) > _EXCEL_CELL_LIMIT:
            value = value[: _EXCEL_CELL_LIMIT - 1] + "…"
    return value
