"""Numbers written the Vietnamese way: reading what people type, writing what reports show.

Reading accepts "47.510", "3 272" (also with a no-break space), "47,510" and
"1.234,5": a single "." or "," followed by exactly three digits separates
thousands; any other "." or "," is a decimal mark. Writing puts a dot between
thousands and a comma before decimals: "47.510", "0,4".
"""

from __future__ import annotations

import math
import re

__all__ = ["NUMBER_WORDS", "format_number", "format_percent", "parse_number", "parse_number_words"]

_NUMBER = re.compile(r"[\d.,]+")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_SEPARATOR = re.compile(r"[.,]")


def parse_number(cell: object) -> tuple[float | None, str | None]:
    """A number from a cell: ``(value, problem)``, the problem ``'missing'`` or ``'invalid'``."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None, "missing"
    if isinstance(cell, (int, float)):
        return float(cell), None
    text = str(cell).strip().replace("\u00a0", " ")
    if not text or text in ("-", "–"):
        return None, "missing"
    text = text.replace(" ", "")
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if not _NUMBER.fullmatch(text) or not re.search(r"\d", text):
        return None, "invalid"
    separators = set(_SEPARATOR.findall(text))
    if len(separators) == 2:  # "47.510,5" or "47,510.5": the last one is the decimal mark
        last = max(text.rfind("."), text.rfind(","))
        value = float(f"{_SEPARATOR.sub('', text[:last])}.{text[last + 1 :]}")
    elif separators and _THOUSANDS.fullmatch(text):
        value = float(_SEPARATOR.sub("", text))
    elif separators:
        value = float(text.replace(",", "."))
    else:
        value = float(text)
    return (-value if negative else value), None


def format_number(value: float | None, decimals: int = 3, *, trim: bool = True) -> str:
    """``value`` as Vietnamese reports write it: "47.510", "0,4"; ``decimals`` at most (exactly, with ``trim=False``); ``None`` is "–"."""
    if value is None:
        return "–"
    rounded = round(float(value), decimals)
    if rounded.is_integer() and (trim or decimals == 0):
        return f"{int(rounded):,}".replace(",", ".")
    whole, _, fraction = f"{rounded:,.{decimals}f}".partition(".")
    return f"{whole.replace(',', '.')},{fraction.rstrip('0') if trim else fraction}"


def format_percent(share: float, decimals: int = 1) -> str:
    """A share as a Vietnamese percentage: 0.054 → "5,4%"."""
    return f"{format_number(100 * share, decimals, trim=False)}%"


_DIGIT_WORDS = {"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "nham": 5,
                "sau": 6, "bay": 7, "tam": 8, "chin": 9}
#: The words of a number written out, without diacritics ("bốn mươi tám" is "bon muoi tam").
NUMBER_WORDS = (*_DIGIT_WORDS, "muoi", "tram", "linh", "le", "nghin", "ngan")


def parse_number_words(words: str) -> int | None:
    """A whole number written in Vietnamese words, given without diacritics ("bon muoi tam" → 48); ``None`` if it is not one."""
    thousands, value, digit = 0, 0, None
    tokens = words.lower().split()
    if not tokens:
        return None
    for token in tokens:
        if token in _DIGIT_WORDS:
            if digit is not None:
                return None
            digit = _DIGIT_WORDS[token]
        elif token in ("muoi", "tram"):
            value += (1 if digit is None else digit) * (10 if token == "muoi" else 100)
            digit = None
        elif token in ("nghin", "ngan"):
            thousands, value, digit = (value + (digit or 0)) * 1000, 0, None
        elif token not in ("linh", "le"):
            return None
    return thousands + value + (digit or 0)
