"""Finding the header row of a table and the column that holds the opinions."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from ..errors import InputError

__all__ = ["HEADER_SEARCH", "TEXT_COLUMNS", "HeaderTest", "header_index", "names_a_text_column", "pick_text_column", "unique_names"]

#: Column names taken as the opinion text, in order of preference (compared case-insensitively).
TEXT_COLUMNS = ("text", "noi_dung", "y_kien", "nội dung ý kiến", "nội dung", "ý kiến", "noi dung", "y kien")
_TEXT_PREFIXES = ("nội dung", "ý kiến", "noi dung", "y kien")
#: How far down a title block may push the header row.
HEADER_SEARCH = 10

HeaderTest = Callable[[Sequence[str]], bool]


def pick_text_column(columns: Sequence[str], column: str | None, source: str) -> str:
    """``column`` when the table has it; else the first column whose name says it holds the opinions."""
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
        if name.startswith(_TEXT_PREFIXES):
            return original
    raise InputError(
        f"{source}: không biết cột nào là nội dung ý kiến; hãy chỉ rõ bằng --column. "
        f"Các cột có: {', '.join(map(str, columns))}."
    )


def names_a_text_column(row: Sequence[str]) -> bool:
    """Whether a row, read as a header, names an opinion column."""
    try:
        pick_text_column([c for c in row if c], None, "")
    except InputError:
        return False
    return True


def header_index(rows: Sequence[Sequence[object]], is_header: HeaderTest | None) -> int | None:
    """The first of the top rows that ``is_header`` accepts (title lines above a table are skipped)."""
    if is_header is None:
        return None
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        if is_header([unicodedata.normalize("NFC", str(c)).strip() for c in row if c is not None]):
            return i
    return None


def unique_names(names: Sequence[object]) -> list[str]:
    """Header cells as column names: NFC, stripped, blanks named ``cot_N``, repeats suffixed _2, _3 … so no column is lost."""
    cleaned = [unicodedata.normalize("NFC", str(h)).strip() if h is not None else "" for h in names]
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(cleaned):
        name = name or f"cot_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out
