"""Finding the header row of a table and the column that holds the opinions."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from ..errors import InputError

__all__ = ["HEADER_SEARCH", "TEXT_COLUMNS", "HeaderTest", "header_block", "header_index", "names_a_text_column", "pick_text_column", "unique_names"]

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


def _text(cell: object) -> str:
    return "" if cell is None else unicodedata.normalize("NFC", str(cell)).strip()


def _is_number(text: str) -> bool:
    return bool(text) and text.replace(".", "").replace(",", "").replace(" ", "").lstrip("-").isdigit()


def _header_like(row: Sequence[str]) -> bool:
    filled = [c for c in row if c]
    return len(filled) >= 2 and not any(_is_number(c) for c in filled) and all(len(c) <= 80 for c in filled)


def header_block(rows: Sequence[Sequence[object]], found: int) -> tuple[int, int, list[str]]:
    """The rows of a header around row ``found``, and the column names they make.

    Provinces head their tables with two rows: "Tổng số ý kiến" merged down
    over both, "Trong đó" merged across the five categories named under it. A
    header-like row above (text, two cells or more) or a sub-header below (short
    text only under empty or spanning cells) joins the header; a column's name
    is its cells from top to bottom, a spanning parent carried across
    ("Trong đó / Tư tưởng chính trị"). Returns ``(first row, row after, names)``.
    """
    grid = [[_text(c) for c in row] for row in rows]
    width = max((len(r) for r in grid), default=0)
    grid = [r + [""] * (width - len(r)) for r in grid]
    start, end = found, found + 1
    while start > 0 and _header_like(grid[start - 1]) and any(
        upper and not any(grid[r][j] for r in range(start, end)) for j, upper in enumerate(grid[start - 1])
    ):
        start -= 1
    while end < len(grid) and _header_like(grid[end]):
        below = grid[end]
        spans = [j for j, cell in enumerate(below) if cell and not any(grid[r][j] for r in range(start, end))]
        if not spans:
            break
        end += 1
    names = []
    for j in range(width):
        parts: list[str] = []
        for r in range(start, end):
            cell = grid[r][j]
            if not cell and r < end - 1 and any(grid[x][j] for x in range(r + 1, end)):
                k = j - 1  # a parent spanning across from the left, over columns that have cells below it
                while k >= 0 and not grid[r][k] and any(grid[x][k] for x in range(r + 1, end)):
                    k -= 1
                if k >= 0 and grid[r][k] and any(grid[x][k] for x in range(r + 1, end)):
                    cell = grid[r][k]
            if cell and cell not in parts:
                parts.append(cell)
        names.append(" / ".join(parts))
    return start, end, names
