"""Reading the tables users have: CSV, XLSX, JSON Lines, plain text, standard input.

Every reader has one signature and returns a :class:`Table` whose rows stream
in chunks, every cell as text, so memory stays flat as files grow. A row that
cannot be read (a broken JSON line) is still a row: the table lists its error
by row number, and the row reaches the output with that status.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from .columns import HEADER_SEARCH, HeaderTest, header_block, header_index, names_a_text_column, pick_text_column, unique_names
from .encoding import TextStream, count_lines, open_text
from .formats import detect_format

__all__ = ["READERS", "ReadOptions", "Table", "open_table", "reader"]


@dataclass
class Table:
    """An input table being read.

    ``chunks`` yields frames of cells (text; as typed in a workbook) whose index is the row number (from
    0, header excluded); ``errors`` maps row numbers to why a row could not be
    read. ``text_column`` is the column of opinions (set by :func:`open_table`).
    """

    columns: list[str]
    chunks: Iterator[pd.DataFrame]
    rows_estimate: int | None = None
    encoding: str | None = None
    text_column: str = ""
    errors: dict[int, str] = field(default_factory=dict)
    #: Excel number formats of the input columns ("0%", "dd/mm/yyyy"), for an Excel output to keep.
    number_formats: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may be asked: the sheet (workbooks), rows per chunk, how to know the header row."""

    sheet: str | None = None
    chunk_rows: int = 2000
    is_header: HeaderTest | None = None


Reader = Callable[[str, ReadOptions], Table]
#: Readers by format name (:data:`tpbnlp.tables.formats.INPUT_FORMATS`); ``path`` ``-`` is standard input.
READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a function as the reader of format ``name``."""

    def register(function: Reader) -> Reader:
        READERS[name] = function
        return function

    return register


def open_table(
    path: str | os.PathLike[str],
    *,
    column: str | None = None,
    sheet: str | None = None,
    fmt: str | None = None,
    chunk_rows: int = 2000,
    need_text: bool = True,
    is_header: HeaderTest | None = None,
) -> Table:
    """Open an input table for streaming. ``path`` ``-`` is standard input.

    ``need_text=False`` is for tables that have no opinion text (counts): the
    first column then stands in as the text column. The header is the first
    row (CSV, XLSX) unless a row among the first ten passes ``is_header``; by
    default, when a text column is needed, the first row that names one.
    """
    if is_header is None and need_text:
        wanted = None if column is None else unicodedata.normalize("NFC", column)
        is_header = names_a_text_column if wanted is None else (lambda row: wanted in row)
    name = detect_format(path, fmt)
    source = "đầu vào chuẩn" if str(path) == "-" else str(path)
    if str(path) != "-" and not Path(path).is_file():
        raise InputError(f"Không tìm thấy tệp: {path}")
    table = READERS[name](str(path), ReadOptions(sheet, chunk_rows, is_header))
    if not table.columns:
        raise InputError(f"{source}: tệp trống.")
    if not table.text_column:
        table.text_column = pick_text_column(table.columns, column, source) if need_text else table.columns[0]
    return table


def _batched(rows: Iterable[list[str]], header: list[str], chunk_rows: int, done: Callable[[], Any] | None = None) -> Iterator[pd.DataFrame]:
    """Rows grouped into frames of ``chunk_rows``, every cell a string, indexed by row number; ``done`` runs at the end."""
    batch: list[list[str]] = []
    start = 0
    for row in rows:
        batch.append(row)
        if len(batch) == chunk_rows:
            yield pd.DataFrame(batch, columns=header, dtype=object, index=range(start, start + len(batch)))
            start += len(batch)
            batch = []
    if batch:
        yield pd.DataFrame(batch, columns=header, dtype=object, index=range(start, start + len(batch)))
    if done is not None:
        done()


# -- the readers ------------------------------------------------------------------


@reader("txt")
def read_txt(path: str, options: ReadOptions) -> Table:
    """One opinion a line; every line is a row, empty ones included.

    Excel's "Unicode Text" export is a .txt too: tab-separated under a header
    that names an opinion column, it is read as a table.
    """
    stream, encoding = open_text(path)
    first = stream.readline()
    if "\t" in first and names_a_text_column([c.strip() for c in first.split("\t")]):
        stream.close()
        return read_csv(path, options)
    lines = ([str(number), line.rstrip("\r\n")] for number, line in enumerate(_chain([first] if first else [], stream), 1))
    chunks = _batched(lines, ["line", "text"], options.chunk_rows, stream.close)
    return Table(["line", "text"], chunks, count_lines(path), encoding, text_column="text")


@reader("csv")
def read_csv(path: str, options: ReadOptions) -> Table:
    """Comma, semicolon, tab or bar separated, whichever splits the first lines evenly; title lines skipped."""
    stream, encoding = open_text(path)
    first = stream.readline()
    if not first.strip():
        stream.close()
        return Table([], iter(()), 0, encoding)
    head = [first] + [line for line in (stream.readline() for _ in range(HEADER_SEARCH + 2)) if line]
    delimiter, skip = _delimiter(head), 0
    for candidate in ",;\t|":  # a header under title lines decides the delimiter too
        found = header_index(list(csv.reader(head, delimiter=candidate)), options.is_header)
        if found:
            delimiter, skip = candidate, found
            break
    _, end, names = header_block(list(csv.reader(head, delimiter=delimiter)), skip)
    rows = csv.reader((line.replace("\x00", "") for line in _chain(head, stream)), delimiter=delimiter)
    for _ in range(end):
        next(rows)
    header = unique_names(names)
    width = len(header)

    def fitted(row: list[str]) -> list[str]:
        if len(row) < width:
            return row + [""] * (width - len(row))
        if len(row) > width:  # extra cells: keep them in the last column rather than drop them
            return [*row[: width - 1], delimiter.join(row[width - 1 :])]
        return row

    lines = count_lines(path)
    estimate = None if lines is None else max(lines - end, 0)
    return Table(header, _batched((fitted(row) for row in rows), header, options.chunk_rows, stream.close), estimate, encoding)


def _delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the first lines into the same number of fields, the most of them."""
    best, best_score = ",", (-1, -1)
    for candidate in ",;\t|":
        if candidate not in lines[0]:
            continue
        widths = [len(row) for row in csv.reader(lines, delimiter=candidate) if row]
        score = (sum(1 for w in widths if w == widths[0]), widths[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def _chain(first: Sequence[str], rest: TextStream) -> Iterator[str]:
    yield from first
    yield from rest


@reader("jsonl")
def read_jsonl(path: str, options: ReadOptions) -> Table:
    """JSON Lines: the columns are every key of every object, in order of first appearance; blank lines skipped."""
    stream, encoding = open_text(path)
    lines = [line.rstrip("\r") for line in stream.read().split("\n")]
    stream.close()
    records: list[dict[str, str]] = []
    errors: dict[int, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            errors[len(records)] = f"dòng {number}: JSON lỗi ({exc.msg})"
            records.append({})
            continue
        if not isinstance(value, dict):
            value = {"text": value}
        records.append({unicodedata.normalize("NFC", str(k)): _json_cell(v) for k, v in value.items()})
    header = list(dict.fromkeys(key for record in records for key in record))
    rows = ([record.get(c, "") for c in header] for record in records)
    return Table(header, _batched(rows, header, options.chunk_rows), len(records), encoding, errors=errors)


def _json_cell(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False)


@reader("xlsx")
def read_xlsx(path: str, options: ReadOptions) -> Table:
    """The first sheet (or ``options.sheet``) of a workbook, read-only, values not formulas."""
    from openpyxl import load_workbook

    if path == "-":
        raise InputError("Không đọc được Excel từ đầu vào chuẩn; hãy đưa đường dẫn tệp.")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged or encrypted files
        raise InputError(f"{path}: không mở được tệp Excel ({type(exc).__name__}); tệp có thể bị hỏng hoặc có mật khẩu.") from None
    if options.sheet is not None and options.sheet not in workbook.sheetnames:
        raise InputError(f"{path}: không có trang {options.sheet!r}. Các trang có: {', '.join(workbook.sheetnames)}.")
    worksheet = workbook[options.sheet] if options.sheet is not None else workbook.worksheets[0]
    top = list(worksheet.iter_rows(values_only=True, max_row=HEADER_SEARCH + 3))
    if not top:
        workbook.close()
        return Table([], iter(()), 0)
    found = header_index(top, options.is_header) or 0  # title rows above the table are skipped
    _, end, names = header_block(top, found)
    rows = worksheet.iter_rows(values_only=True, min_row=end + 1)
    header = unique_names(names)
    width = len(header)
    total = (worksheet.max_row - end) if worksheet.max_row else None
    # cells keep their types (numbers, dates, booleans), so an Excel output gives them back as they were
    values = (["" if v is None else v for v in row[:width]] + [""] * (width - len(row)) for row in rows)
    table = Table(header, _batched(values, header, options.chunk_rows, workbook.close), total)
    first = next(worksheet.iter_rows(min_row=end + 1, max_row=end + 1), ())
    table.number_formats = {
        name: cell.number_format for name, cell in zip(header, first)
        if getattr(cell, "number_format", "General") not in ("General", None) and cell.value is not None
    }
    return table
