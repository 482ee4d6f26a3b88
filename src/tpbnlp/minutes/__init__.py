"""Meeting minutes (biên bản): read .docx, .doc, .txt or .pdf, find the opinions, keep who said them and where.

A minutes file has a heading (party unit, commune, date), attendance, the
members' self-criticisms, the residents' opinions, the members' replies, the
chair's conclusion and closing formulas. Only the opinions are wanted:
:mod:`~tpbnlp.minutes.read` reads the blocks, :mod:`~tpbnlp.minutes.heading`
the unit, date and attendance, :mod:`~tpbnlp.minutes.split` the opinions.
"""

from __future__ import annotations

import os
from pathlib import Path

from .read import MINUTES_SUFFIXES, Block, read_blocks
from .split import LeftOut, Minutes, Opinion, split_minutes

__all__ = ["MINUTES_SUFFIXES", "Block", "LeftOut", "Minutes", "Opinion", "read_blocks", "read_minutes", "split_minutes"]


def read_minutes(path: str | os.PathLike[str]) -> Minutes:
    """Read and split one minutes file (raises :class:`~tpbnlp.errors.MinutesError` naming the file)."""
    path = Path(path)
    return split_minutes(read_blocks(path), path.name)
