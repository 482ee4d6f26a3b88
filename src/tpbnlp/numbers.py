"""Numbers written the Vietnamese way: reading what people type, writing what reports show.

Reading accepts "47.510", "3 272" (also with a no-break space), "47,510" and
"1.234,5": a single "." or "," followed by exactly three digits separates
thousands; any other "." or "," is a decimal mark. Writing puts a dot between
thousands and a comma before decimals: "47.510", "0,4".
"""

from __future__ import annotations

import math
import re

__all__ = ["format_number", "parse_number"]

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


def format_number(value: float | None, decimals: int = 3) -> str:
    """``value`` as Vietnamese reports write it; at most ``decimals`` decimals, no trailing zeros; ``None`` is "–"."""
    if value is None:
        return "–"
    rounded = round(float(value), decimals)
    if rounded.is_integer():
        return f"{int(rounded):,}".replace(",", ".")
    whole, _, fraction = f"{rounded:,.{decimals}f}".partition(".")
    return f"{whole.replace(',', '.')},{fraction.rstrip('0')}"
