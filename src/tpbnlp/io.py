"""Reading and writing the tables users have: CSV, XLSX, JSONL, plain text, standard input.

Readers stream in chunks of rows, every cell as text, so memory stays flat as
files grow; writers write to a temporary file and move it into place only when
everything is written, so a crash or Ctrl-C never leaves a half-written output
and never touches the input.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io as _io
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .errors import TpbnlpError
from .text import LegacyEncodingError, detect_legacy_encoding

__all__ = [
    "FORMATS",
    "TEXT_COLUMNS",
    "InputError",
    "Table",
    "decode_bytes",
    "detect_format",
    "open_table",
    "atomic_output",
]

FORMATS = ("csv", "xlsx", "jsonl", "txt")
#: Column names taken as the opinion text, in order of preference (compared case-insensitively).
TEXT_COLUMNS = ("text", "noi_dung", "y_kien", "nội dung ý kiến", "nội dung", "ý kiến", "noi dung", "y kien")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
_SAMPLE = 1 << 16


class InputError(TpbnlpError):
    """A file cannot be read or written as asked."""


def detect_format(path: str | os.PathLike[str], explicit: str | None = None) -> str:
    """The format of a file by its extension (``-`` is CSV unless ``explicit`` says otherwise)."""
    if explicit:
        if explicit not in FORMATS:
            raise InputError(f"Định dạng {explicit!r} không được hỗ trợ; dùng một trong: {', '.join(FORMATS)}.")
        return explicit
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise InputError(f"{path}: định dạng Excel cũ (.xls) chưa được hỗ trợ; hãy lưu lại thành .xlsx hoặc .csv.")
    if suffix not in _EXTENSIONS:
        raise InputError(f"{path}: không nhận ra định dạng qua đuôi tệp; hỗ trợ .csv, .tsv, .xlsx, .jsonl, .txt.")
    return _EXTENSIONS[suffix]


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


@dataclass
class Table:
    """An input table being read: its columns, the text column, an estimate of its rows, and its chunks."""

    columns: list[str]
    text_column: str
    rows_estimate: int | None
    chunks: Iterator[pd.DataFrame]
    encoding: str | None = None


def _pick_text_column(columns: Sequence[str], column: str | None, source: str) -> str:
    if column is not None:
        column = unicodedata.normalize("NFC", column)
        if column not in columns:
            raise InputError(f"{source}: không có cột {column!r}. Các cột có: {', '.join(map(str, columns))}.")
        return column
    by_name = {str(c).strip().lower(): c for c in columns}
    for name in TEXT_COLUMNS:
        if name in by_name:
            return by_name[name]
    for name, original in by_name.items():  # "Nội dung ý kiến, kiến nghị", "Ý kiến đóng góp"
        if name.startswith(("nội dung", "ý kiến", "noi dung", "y kien")):
            return original
    raise InputError(
        f"{source}: không biết cột nào là nội dung ý kiến; hãy chỉ rõ bằng --column. "
        f"Các cột có: {', '.join(map(str, columns))}."
    )


def _names_a_text_column(row: Sequence[str]) -> bool:
    try:
        _pick_text_column([c for c in row if c], None, "")
    except InputError:
        return False
    return True


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _open_text(path: str | os.PathLike[str]) -> tuple[IO[str], str]:
    """A text stream over a file or standard input, in its detected encoding."""
    if str(path) != "-":
        buffered = open(path, "rb", buffering=_SAMPLE)  # noqa: SIM115 (closed by the caller)
    elif hasattr(sys.stdin.buffer, "raw"):
        buffered = _io.BufferedReader(sys.stdin.buffer.raw, buffer_size=_SAMPLE)
    else:  # a stream without a raw file under it (embedding, tests)
        buffered = _io.BufferedReader(_io.BytesIO(sys.stdin.buffer.read()), buffer_size=_SAMPLE)
    sample = buffered.peek(_SAMPLE)[:_SAMPLE]  # the encoding is judged on the first 64 KiB
    _, encoding = decode_bytes(sample)
    stream = _io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="")
    return (_ComposedStream(stream) if encoding == "cp1258" else stream), encoding


class _ComposedStream:
    """Windows-1258 writes tone marks as separate characters: compose them (NFC) as lines are read."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def readline(self) -> str:
        return unicodedata.normalize("NFC", self._stream.readline())

    def read(self) -> str:
        return unicodedata.normalize("NFC", self._stream.read())

    def __iter__(self) -> Iterator[str]:
        return (unicodedata.normalize("NFC", line) for line in self._stream)

    def close(self) -> None:
        self._stream.close()


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


HeaderTest = Callable[[Sequence[str]], bool]
#: How far down a title block may push the header row.
_HEADER_SEARCH = 10


def _header_index(rows: Sequence[Sequence[str]], is_header: HeaderTest | None) -> int | None:
    """The first of the top rows that ``is_header`` accepts (title lines above a table are skipped)."""
    if is_header is None:
        return None
    for i, row in enumerate(rows[:_HEADER_SEARCH]):
        if is_header([unicodedata.normalize("NFC", str(c)).strip() for c in row if c is not None]):
            return i
    return None


def _csv_chunks(stream: IO[str], chunk_rows: int, is_header: HeaderTest | None = None) -> tuple[list[str], Iterator[pd.DataFrame]]:
    first = stream.readline()
    if not first.strip():
        return [], iter(())
    head = [first] + [line for line in (stream.readline() for _ in range(_HEADER_SEARCH + 2)) if line]
    delimiter, skip = _delimiter(head), 0
    for candidate in ",;\t|":  # a header under title lines decides the delimiter too
        found = _header_index(list(csv.reader(head, delimiter=candidate)), is_header)
        if found:
            delimiter, skip = candidate, found
            break
    reader = csv.reader((line.replace("\x00", "") for line in _chain(head, stream)), delimiter=delimiter)
    for _ in range(skip):
        next(reader)
    header = [unicodedata.normalize("NFC", h).strip() or f"cot_{i + 1}" for i, h in enumerate(next(reader))]
    header = _unique(header)
    width = len(header)

    def fitted(row: list[str]) -> list[str]:
        if len(row) < width:
            return row + [""] * (width - len(row))
        if len(row) > width:  # extra cells: keep them in the last column rather than drop them
            return row[: width - 1] + [delimiter.join(row[width - 1 :])]
        return row

    return header, _batched((fitted(row) for row in reader), header, chunk_rows, stream.close)


def _batched(rows: Iterable[list[str]], header: list[str], chunk_rows: int, done: Callable[[], None] | None = None) -> Iterator[pd.DataFrame]:
    """Rows grouped into frames of ``chunk_rows``, every cell a string; ``done`` runs at the end."""
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk_rows:
            yield pd.DataFrame(batch, columns=header, dtype=object)
            batch = []
    if batch:
        yield pd.DataFrame(batch, columns=header, dtype=object)
    if done is not None:
        done()


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (a repeated header gets _2, _3 …), so no column is lost."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _chain(first: Sequence[str], rest: IO[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _txt_chunks(stream: IO[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """One opinion a line; every line is a row, empty ones included."""
    lines = ([str(number), line.rstrip("\r\n")] for number, line in enumerate(stream, 1))
    return _batched(lines, ["line", "text"], chunk_rows, stream.close)


JSONL_ERROR = "_loi_doc"


def _jsonl_rows(lines: Sequence[str]) -> Iterator[dict[str, str]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {JSONL_ERROR: f"dòng {number}: JSON lỗi ({exc.msg})"}
            continue
        if not isinstance(value, dict):
            value = {"text": value}
        yield {
            unicodedata.normalize("NFC", str(k)): v if isinstance(v, str) else "" if v is None else json.dumps(v, ensure_ascii=False)
            for k, v in value.items()
        }


def _jsonl_table(stream: IO[str], chunk_rows: int) -> tuple[list[str], Iterator[pd.DataFrame]]:
    """JSON Lines: the columns are every key of every object, in order of first appearance."""
    lines = [line.rstrip("\r") for line in stream.read().split("\n")]
    stream.close()
    columns: dict[str, None] = {}
    for row in _jsonl_rows(lines):
        columns.update(dict.fromkeys(row))
    header = list(columns)

    return header, _batched(([row.get(c, "") for c in header] for row in _jsonl_rows(lines)), header, chunk_rows)


def _xlsx_chunks(
    path: Path, sheet: str | None, chunk_rows: int, is_header: HeaderTest | None = None
) -> tuple[list[str], int | None, Iterator[pd.DataFrame]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged or encrypted files
        raise InputError(f"{path}: không mở được tệp Excel ({type(exc).__name__}); tệp có thể bị hỏng hoặc có mật khẩu.") from None
    if sheet is not None and sheet not in workbook.sheetnames:
        raise InputError(f"{path}: không có trang {sheet!r}. Các trang có: {', '.join(workbook.sheetnames)}.")
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    top = list(worksheet.iter_rows(values_only=True, max_row=_HEADER_SEARCH))
    skip = _header_index(top, is_header) or 0  # title rows above the table are skipped
    rows = worksheet.iter_rows(values_only=True, min_row=skip + 1)
    header_row = next(rows, None)
    if header_row is None:
        workbook.close()
        return [], 0, iter(())
    header = _unique(
        [unicodedata.normalize("NFC", str(h)).strip() if h is not None and str(h).strip() else f"cot_{i + 1}" for i, h in enumerate(header_row)]
    )
    width = len(header)
    total = (worksheet.max_row - 1 - skip) if worksheet.max_row else None

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value))
            text = repr(value)
            # "2.125" would read back as two thousand one hundred and twenty-five: keep it a decimal
            return text + "0" if re.fullmatch(r"-?\d{1,3}\.\d{3}", text) else text
        return str(value)

    values = ([cell(v) for v in row[:width]] + [""] * (width - len(row)) for row in rows)
    return header, total, _batched(values, header, chunk_rows, workbook.close)


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
        is_header = _names_a_text_column if wanted is None else (lambda row: wanted in row)
    fmt = detect_format(path, fmt)
    source = "đầu vào chuẩn" if str(path) == "-" else str(path)
    if str(path) != "-" and not Path(path).is_file():
        raise InputError(f"Không tìm thấy tệp: {path}")
    if fmt == "xlsx":
        if str(path) == "-":
            raise InputError("Không đọc được Excel từ đầu vào chuẩn; hãy đưa đường dẫn tệp.")
        header, total, chunks = _xlsx_chunks(Path(path), sheet, chunk_rows, is_header)
        return Table(header, _pick_text_column(header, column, source) if need_text else header[0], total, chunks)
    try:
        stream, encoding = _open_text(path)
    except OSError as exc:
        raise InputError(f"Không đọc được {source}: {exc.strerror or exc}") from None
    estimate = None if str(path) == "-" else _count_lines(Path(path))
    if fmt == "txt":
        return Table(["line", "text"], "text", estimate, _txt_chunks(stream, chunk_rows), encoding)
    if fmt == "csv":
        header, chunks = _csv_chunks(stream, chunk_rows, is_header)
        estimate = estimate and max(estimate - 1, 0)
    else:
        header, chunks = _jsonl_table(stream, chunk_rows)
    if not header:
        raise InputError(f"{source}: tệp trống.")
    return Table(header, _pick_text_column(header, column, source) if need_text else header[0], estimate, chunks, encoding)


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
    """Writes chunks to ``path`` in its format, atomically; ``None`` writes CSV to standard output."""

    def __init__(self, path: str | os.PathLike[str] | None, fmt: str | None = None) -> None:
        self.path = None if path is None or str(path) == "-" else Path(path)
        self.fmt = "csv" if self.path is None else detect_format(self.path, fmt)
        if self.fmt == "txt":
            raise InputError("Kết quả không ghi được ra .txt; hãy dùng .csv, .xlsx hoặc .jsonl.")
        self._tmp: Path | None = None
        self._stack = contextlib.ExitStack()
        self._handle: IO[str] | None = None
        self._workbook = None
        self._sheet = None
        self._columns: list[str] | None = None

    def __enter__(self) -> TableWriter:
        if self.path is not None:
            self._tmp = self._stack.enter_context(atomic_output(self.path))
        if self.fmt == "xlsx":
            from openpyxl import Workbook

            self._workbook = Workbook(write_only=True)
            self._sheet = self._workbook.create_sheet("ket_qua")
        elif self._tmp is not None:
            # UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly
            self._handle = open(self._tmp, "w", encoding="utf-8-sig" if self.fmt == "csv" else "utf-8", newline="")
        else:
            self._handle = sys.stdout
        return self

    def write(self, frame: pd.DataFrame) -> None:
        if self._columns is None:
            self._columns = list(frame.columns)
            if self.fmt == "csv":
                csv.writer(self._handle).writerow(self._columns)
            elif self.fmt == "xlsx":
                self._sheet.append(self._columns)
        values = frame.to_numpy(dtype=object).tolist()
        if self.fmt == "csv":
            csv.writer(self._handle).writerows(values)
        elif self.fmt == "xlsx":
            for row in values:
                self._sheet.append([self._cell(v) for v in row])
        else:
            for row in values:
                self._handle.write(json.dumps(dict(zip(self._columns, row)), ensure_ascii=False, default=str) + "\n")

    def _cell(self, value: Any) -> Any:
        value = _excel_safe(value)
        if isinstance(value, str) and value.startswith("="):  # text, not a formula
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self._sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if self._workbook is not None and kind is None:
                self._workbook.save(self._tmp)
            if self._handle is sys.stdout:
                sys.stdout.flush()
            elif self._handle is not None:
                self._handle.close()
        except BaseException:
            self._stack.__exit__(*sys.exc_info())
            raise
        self._stack.__exit__(kind, value, traceback)


_ILLEGAL_XLSX = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_EXCEL_CELL_LIMIT = 32767


def _excel_safe(value: Any) -> Any:
    """Excel refuses control characters and cells over 32,767 characters; numbers stay numbers."""
    if isinstance(value, str):
        value = value.translate(_ILLEGAL_XLSX)
        if len(value) > _EXCEL_CELL_LIMIT:
            value = value[: _EXCEL_CELL_LIMIT - 1] + "…"
    return value
