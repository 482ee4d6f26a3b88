"""Where and when a meeting was, and how many residents came: from the heading and the opening lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..numbers import parse_number, parse_number_words
from .cues import ATTENDANCE, DATE, MEETING_DATE, OTHER_DOCUMENT, UNIT, fold
from .read import Block

__all__ = ["Heading", "read_heading"]

#: How many lines from the top the unit is looked for.
_TOP = 40
_COLUMNS = re.compile(r"\t+|\s{3,}")
_UNIT_END = re.compile(r"\s*(?:[,.;(]|\s(?:ngay|to chuc|vao|luc|nam 20|ve viec|hoi nghi)\b).*$")
_COMMON = {"chi", "bộ", "đảng", "ấp", "khóm", "khu", "phố", "xã", "phường", "thị", "trấn", "tổ", "thôn", "xóm", "bản", "dân",
           "chi bo", "ap", "khom", "xa", "phuong", "thi", "tran", "to", "thon", "xom", "ban", "dan", "bo", "dang"}


@dataclass
class Heading:
    unit: str | None = None
    commune: str | None = None
    date: str | None = None
    attendance: int | None = None


def _lines(blocks: list[Block]) -> Iterator[str]:
    """Every line of the document: paragraphs split where two heading columns were collapsed, table cells line by line."""
    for block in blocks:
        parts = [line for cell in block.cells for line in cell.split("\n")] if block.is_row else _COLUMNS.split(block.text)
        for part in parts:
            if part.strip():
                yield part.strip()


def read_heading(blocks: list[Block]) -> Heading:
    lines = list(_lines(blocks))
    folded = [fold(line) for line in lines]
    heading = Heading()
    for line, low in zip(lines[:_TOP], folded[:_TOP]):
        found = UNIT.match(low) or (UNIT.search(low) if heading.unit is None else None)
        if not found:
            continue
        kind, start = found.group(1), found.start(2)
        rest = line[start:]
        cut = _UNIT_END.search(fold(rest))
        rest = rest[: cut.start()] if cut and cut.start() > 0 else rest
        if not rest.strip():
            continue
        if kind == "chi bo" and heading.unit is None:
            heading.unit = _place_case(f"{line[found.start(1):start].strip()} {rest}")
        elif kind == "dang bo" and heading.commune is None and found.start() == 0:
            commune = _place_case(rest)
            heading.commune = commune[:1].lower() + commune[1:]
    heading.date = _meeting_date(folded)
    for low in folded:
        count = _attendance(low)
        if count is not None:
            heading.attendance = count
            break
    return heading


def _meeting_date(folded: list[str]) -> str | None:
    """The meeting's date: one written with the time or the place, never a referenced document's."""
    best: tuple[int, int] | None = None
    found_date = None
    for i, low in enumerate(folded):
        for match in DATE.finditer(low):
            before = low[: match.start()]
            if OTHER_DOCUMENT.search(before[-80:]):
                continue  # "Thực hiện Kế hoạch số 15-KH/ĐU ngày 10/01/2024"
            score = 3 if MEETING_DATE.search(low) else 2 if before.rstrip().endswith(",") else 1
            if best is None or score > best[0]:
                day, month, year = (int(g) for g in match.groups())
                if 1 <= day <= 31 and 1 <= month <= 12:
                    best, found_date = (score, i), f"{year:04d}-{month:02d}-{day:02d}"
    return found_date


def _attendance(low: str) -> int | None:
    for pattern in ATTENDANCE:
        for match in pattern.finditer(low):
            value = match.group(1)
            count = parse_number(value)[0] if value[0].isdigit() else parse_number_words(value)
            if count is not None and count == int(count) and 0 < count < 100_000:
                return int(count)
    return None


def _place_case(text: str) -> str:
    """'CHI BỘ ẤP Ô ĐÙNG' → 'Chi bộ ấp Ô Đùng': common nouns lower-case, names capitalised."""
    words = text.split()
    if any(c.islower() for c in text):
        return " ".join(words)
    lead = 0  # the unit type ("chi bộ ấp", "đảng bộ xã") is lower case; the name after it is capitalised
    while lead < len(words) and words[lead].lower() in _COMMON:
        lead += 1
    out = [w.lower() for w in words[:lead]] + [w[:1] + w[1:].lower() for w in words[lead:]]
    return " ".join(out)[:1].upper() + " ".join(out)[1:] if out else ""
