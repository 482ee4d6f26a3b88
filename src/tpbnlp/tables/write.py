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
import errno
import glob
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

import pandas as pd

from ..errors import InputError
from .formats import detect_format

__all__ = ["WRITERS", "TableWriter", "atomic_output", "file_error", "new_file_mode", "open_writer", "remove_stale", "temporary_beside", "writer"]


def new_file_mode(directory: bool = False) -> int:
    """The permissions a new file (or folder) gets under the user's umask: 0644 (0755) under umask 022."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


#: The mark in the name of every temporary output of tpbnlp (``.ket_qua.csv.tpbnlp-x1y2.tmp``), so leftovers are known as ours.
TEMP_MARK = "tpbnlp-"
#: Age from which a leftover temporary output of a killed run is removed by the next run writing the same output.
STALE_SECONDS = 3600


def temporary_beside(path: Path, directory: bool = False) -> Path:
    """A new temporary file (or folder) beside ``path``, named as ours; leftovers of killed runs over an hour old are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    prefix, suffix = f".{path.name}.{TEMP_MARK}", ".tmp"
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=path.parent))
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


def remove_stale(path: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove what killed runs left beside ``path`` (our temporary files and folders for it, over ``older_than`` seconds old).

    A run still writing touches its file as it goes and is younger than that; a
    run killed outright (power cut, KILL) could not clean up after itself.
    """
    removed = []
    now = time.time()
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.{TEMP_MARK}*.tmp"):
        try:
            if now - leftover.stat().st_mtime < older_than:
                continue
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            removed.append(leftover)
        except OSError:
            continue  # another run removed it first, or it is not ours to remove: leave it
    return removed


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside ``path``, moved onto it only when the block ends without error.

    A crash, Ctrl-C or TERM therefore leaves the previous ``path`` (if any) whole and no
    partial file; two runs writing one output at once each write their own temporary
    file, and the output is the whole file of the one that finishes last.
    """
    tmp = temporary_beside(Path(path))
    tmp.chmod(new_file_mode())  # mkstemp makes it 0600: colleagues on a shared drive could not open it
    try:
        yield tmp
        os.replace(tmp, path)
    except Exception as exc:
        error = file_error(exc, tmp, Path(path))
        if error is None:
            raise
        raise error from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def file_error(exc: BaseException, tmp: Path, path: Path) -> OSError | None:
    """The error as the user should see it: an OSError naming the output, not our temporary file (or folder); None to keep it.

    lxml, which openpyxl writes XLSX with, reports a full disk as ``SerialisationError('IO_ENOSPC')``, not as an OSError.
    """
    if isinstance(exc, OSError):
        if exc.filename is None or any(str(name).startswith(str(tmp)) for name in (exc.filename, exc.filename2) if name):
            return type(exc)(exc.errno, exc.strerror, str(path), getattr(exc, "winerror", None))
        return None
    code = getattr(errno, str(exc).removeprefix("IO_"), None) if type(exc).__name__ == "SerialisationError" else None
    return OSError(code, os.strerror(code), str(path)) if isinstance(code, int) else None


W = TypeVar("W", bound="TableWriter")


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

    def __enter__(self: W) -> W:
        if self.path is not None:
            self._target = self._stack.enter_context(atomic_output(self.path))
        self._open()
        return self

    def write(self, frame: pd.DataFrame, sheet: str | None = None, *, index: bool = False) -> None:
        """Append the rows of ``frame`` (its header first, the first time a sheet is written)."""
        if index:
            frame = frame.reset_index()
        sheet = sheet or self.default_sheet
        rows = [[_missing_as_none(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        if sheet not in self._columns:
            if self._columns and not self.sheets:
                raise InputError(f"Định dạng {self.fmt} chỉ ghi được một bảng.")
            self._columns[sheet] = [str(c) for c in frame.columns]
            self._header(sheet, self._columns[sheet], rows)
        self._rows(sheet, self._columns[sheet], rows)

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

    def _header(self, sheet: str, columns: list[str], first_rows: list[list[Any]]) -> None: ...

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

    def _header(self, sheet: str, columns: list[str], first_rows: list[list[Any]]) -> None:
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
    """An Excel workbook, one worksheet a table, written in openpyxl's streaming mode.

    Made to be read by a person: the header row frozen and bold, filters on it,
    columns as wide as their content (up to :data:`WIDEST`), long text wrapped,
    whole numbers shown with thousands separators.
    """

    sheets = True
    #: The widest a column is made, in characters; longer text wraps.
    WIDEST = 60

    def _open(self) -> None:
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)
        self._sheets: dict[str, Any] = {}
        self._counts: dict[str, int] = {}
        self._widths: dict[str, list[int]] = {}

    def _header(self, sheet: str, columns: list[str], first_rows: list[list[Any]]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        worksheet = self._workbook.create_sheet(sheet)
        worksheet.freeze_panes = "A2"  # before any row: write-only sheets take it only then
        widths = []
        for j, name in enumerate(columns):
            longest = max([len(name), *(len(str(row[j])) for row in first_rows[:200] if row[j] is not None)])
            widths.append(min(longest, self.WIDEST) + 2)
            worksheet.column_dimensions[get_column_letter(j + 1)].width = widths[-1]
        cells = []
        for name in columns:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = Font(bold=True)
            cells.append(cell)
        worksheet.append(cells)
        self._sheets[sheet], self._counts[sheet], self._widths[sheet] = worksheet, 0, widths

    def _rows(self, sheet: str, columns: list[str], rows: list[list[Any]]) -> None:
        worksheet = self._sheets[sheet]
        formats = [self.number_formats.get(c) for c in columns]
        widths = self._widths[sheet]
        for row in rows:
            worksheet.append([self._cell(worksheet, v, f, w) for v, f, w in zip(row, formats, widths)])
        self._counts[sheet] += len(rows)

    @staticmethod
    def _cell(worksheet: Any, value: Any, number_format: str | None = None, width: int = 0) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        value = _excel_safe(value)
        if isinstance(value, str) and (value.startswith("=") or len(value) > width > 0):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"  # text, not a formula
            if len(value) > width:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            return cell
        is_number = isinstance(value, (int, float, datetime.date, datetime.time)) and not isinstance(value, bool)
        if is_number and (number_format or (isinstance(value, int) and abs(value) >= 1000)):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.number_format = number_format or "#,##0"
            return cell
        return value

    def add_bar_chart(self, sheet: str, title: str, columns: tuple[int, int], rows: int, anchor: str) -> None:
        """A clustered bar chart of ``sheet``: series from columns ``columns`` (1-based, inclusive), categories from
        column 1, over the first ``rows`` data rows."""
        from openpyxl.chart import BarChart, Reference

        worksheet = self._sheets[sheet]
        chart = BarChart()
        chart.title = title
        chart.height, chart.width = 9, max(16, 2 * rows)
        chart.add_data(Reference(worksheet, min_col=columns[0], max_col=columns[1], min_row=1, max_row=rows + 1), titles_from_data=True)
        chart.set_categories(Reference(worksheet, min_col=1, min_row=2, max_row=rows + 1))
        worksheet.add_chart(chart, anchor)

    def add_review(self, sheet: str, choice_column: str, choices: list[str], flag_column: str, hints: dict[str, list[str]]) -> None:
        """Make ``sheet`` ready for reviewers: ``choice_column`` a dropdown of ``choices``, rows whose ``flag_column``
        is 1 highlighted, and a sheet listing ``hints`` (the choices first) to pick from."""
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.worksheet.datavalidation import DataValidation

        columns = self._columns[sheet]
        listing = "Danh mục nhãn"
        lists = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in hints.items()})
        self.write(lists, listing)
        choice = get_column_letter(columns.index(choice_column) + 1)
        validation = DataValidation(
            type="list", formula1=f"{quote_sheetname(listing)}!$A$2:$A${len(choices) + 1}", allow_blank=True,
            showErrorMessage=True, errorTitle="Lĩnh vực", error="Hãy chọn một trong năm lĩnh vực của danh sách.",
        )
        validation.add(f"{choice}2:{choice}1048576")
        worksheet = self._sheets[sheet]
        worksheet.data_validations.append(validation)
        flag = get_column_letter(columns.index(flag_column) + 1)
        last = get_column_letter(len(columns))
        worksheet.conditional_formatting.add(
            f"A2:{last}1048576", FormulaRule(formula=[f"${flag}2=1"], fill=PatternFill("solid", fgColor="FFF2CC"))
        )

    def _close(self, complete: bool) -> None:
        from openpyxl.utils import get_column_letter

        try:
            if complete:
                for sheet, worksheet in self._sheets.items():
                    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(self._columns[sheet]))}{self._counts[sheet] + 1}"
                self._workbook.save(self._target)
        finally:
            for worksheet in self._sheets.values():  # after a failure the sheets' streams are still open: close them now,
                for stream in (worksheet.__dict__.get("_rows"), getattr(worksheet.__dict__.get("_writer"), "xf", None)):
                    with contextlib.suppress(Exception):  # or the interpreter prints their errors, tracebacks and all
                        if stream is not None:
                            stream.close()


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
