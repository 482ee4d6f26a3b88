"""Follow-up: which of this year's opinions raise again a matter of last year's, and how each unit's meetings changed.

The Trà Vinh report asks that every meeting report what became of the
opinions of the year before, and lists as weaknesses fewer opinions, opinions
that are petitions rather than criticism, and few people attending. Here each
opinion of THIS year is compared with the opinions of LAST year in the same
unit, in the model's own representation of a text (normalised, segmented,
TF-IDF of words and of diacritic-free syllables); the most similar one above
:data:`THRESHOLD` is the matter it raises again.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.preprocessing import normalize as l2_normalize

from .errors import InputError
from .minutes import MINUTES_SUFFIXES, read_minutes
from .model import OTHER, OpinionClassifier
from .tables.formats import FOLLOW_UP_FORMATS
from .tables.read import open_table
from .text import prepare_many

__all__ = ["FOLLOW_UP_FORMATS", "THRESHOLD", "FollowUp", "Repeat", "UnitChange", "YearOpinions", "follow_up", "read_year", "similarities", "write_follow_up"]

#: Cosine similarity from which an opinion raises a matter of last year again; chosen on the
#: development pairs of corpus/followup (benchmarks/follow_up_pairs.py prints the held-out figures).
THRESHOLD = 0.14
_UNIT_COLUMNS = ("unit", "đơn vị", "don vi", "chi bộ", "chi bo", "tên đơn vị")


@dataclass
class YearOpinions:
    """One year's opinions: text and unit of each, and per unit the meetings and attendance when known."""

    texts: list[str]
    units: list[str]
    meetings: dict[str, int] = field(default_factory=dict)
    attendance: dict[str, int] = field(default_factory=dict)


@dataclass
class Repeat:
    """An opinion of this year, its category, and the opinion of last year it raises again (None: a new matter)."""

    unit: str
    text: str
    category: str
    repeat_of: str | None
    similarity: float | None


@dataclass
class UnitChange:
    """A unit's indicators, last year against this year; ``flags`` says in Vietnamese what declined."""

    unit: str
    opinions_last: int
    opinions_this: int
    change: int
    repeated: int
    assessing_share_last: float | None
    assessing_share_this: float | None
    opinions_per_meeting_this: float | None
    attendance_per_meeting_this: float | None
    flags: list[str] = field(default_factory=list)


@dataclass
class FollowUp:
    units: list[UnitChange]
    opinions: list[Repeat]

    @property
    def repeated(self) -> int:
        return sum(1 for o in self.opinions if o.repeat_of is not None)


def read_year(path: str | os.PathLike[str], unit_column: str | None = None) -> YearOpinions:
    """A year's opinions from minutes (a file or a folder; units, meetings and attendance from them) or a table with a unit column."""
    path = Path(path)
    if path.is_dir() or path.suffix.lower() in MINUTES_SUFFIXES:
        from .report import minutes_files

        texts, units = [], []
        meetings: Counter[str] = Counter()
        attendance: Counter[str] = Counter()
        for source in minutes_files(path):
            minutes = read_minutes(source)
            unit = minutes.unit or minutes.file
            meetings[unit] += 1
            if minutes.attendance is not None:
                attendance[unit] += minutes.attendance
            texts += [o.text for o in minutes.opinions]
            units += [unit] * len(minutes.opinions)
        return YearOpinions(texts, units, dict(meetings), dict(attendance))
    table = open_table(path, chunk_rows=100_000)
    by_name = {str(c).strip().lower(): c for c in table.columns}
    column = unit_column or next((by_name[c] for c in _UNIT_COLUMNS if c in by_name), None)
    if column is None or column not in table.columns:
        raise InputError(f"{path}: không biết cột nào là đơn vị; hãy chỉ rõ bằng --unit-column. Các cột có: {', '.join(table.columns)}.")
    texts, units = [], []
    for chunk in table.chunks:
        for text, unit in zip(chunk[table.text_column], chunk[column]):
            if str(text).strip():
                texts.append(str(text))
                units.append(str(unit).strip())
    return YearOpinions(texts, units)


def similarities(model: OpinionClassifier, these: list[str], those: list[str]) -> np.ndarray:
    """Cosine similarity of every text of ``these`` (rows) with every text of ``those``, in the model's representation."""
    if not these or not those:
        return np.zeros((len(these), len(those)))
    X, Y = (l2_normalize(model.features_.transform([p.text for p in prepare_many(t, n_jobs=model.n_jobs)])) for t in (these, those))
    return np.asarray((X @ Y.T).todense())


def follow_up(last: YearOpinions, this: YearOpinions, model: OpinionClassifier, threshold: float = THRESHOLD) -> FollowUp:
    """Each opinion of ``this`` year with the opinion of ``last`` year it raises again; each unit's indicators."""
    predictions = model.predict_many(this.texts)
    last_categories = [p.category for p in model.predict_many(last.texts)]
    opinions: list[Repeat] = []
    for unit in dict.fromkeys(this.units):
        mine = [i for i, u in enumerate(this.units) if u == unit]
        before = [j for j, u in enumerate(last.units) if u == unit]
        scores = similarities(model, [this.texts[i] for i in mine], [last.texts[j] for j in before])
        for row, i in enumerate(mine):
            best = int(scores[row].argmax()) if before else -1
            score = float(scores[row, best]) if before else None
            repeat = last.texts[before[best]] if score is not None and score >= threshold else None
            p = predictions[i]
            opinions.append(Repeat(unit, this.texts[i], p.category, repeat, None if score is None else round(score, 3)))
    units = []
    for unit in dict.fromkeys([*last.units, *this.units]):
        cats_last = [c for c, u in zip(last_categories, last.units) if u == unit]
        cats_this = [o.category for o in opinions if o.unit == unit]
        n_last, n_this = len(cats_last), len(cats_this)
        meetings = this.meetings.get(unit)
        change = UnitChange(
            unit, n_last, n_this, n_this - n_last,
            sum(1 for o in opinions if o.unit == unit and o.repeat_of is not None),
            _assessing(cats_last), _assessing(cats_this),
            n_this / meetings if meetings else None,
            this.attendance[unit] / meetings if meetings and unit in this.attendance else None,
        )
        if n_last and n_this < n_last:
            change.flags.append(f"ít ý kiến hơn năm trước ({n_this} so với {n_last})")
        if change.assessing_share_this is not None and change.assessing_share_last is not None and \
                change.assessing_share_this < change.assessing_share_last:
            change.flags.append("tỉ lệ ý kiến góp ý cấp ủy, đảng viên giảm")
        if change.repeated:
            change.flags.append(f"{change.repeated} ý kiến năm trước được nêu lại")
        units.append(change)
    return FollowUp(units, opinions)


def _assessing(categories: list[str]) -> float | None:
    """The share of opinions that assess the committee or a member (any category but 'other')."""
    return sum(1 for c in categories if c != OTHER) / len(categories) if categories else None


_UNIT_HEADERS = {
    "unit": "Đơn vị", "opinions_last": "Ý kiến năm trước", "opinions_this": "Ý kiến năm nay", "change": "Tăng/giảm",
    "repeated": "Nêu lại", "assessing_share_last": "Tỉ lệ góp ý cấp ủy, đảng viên năm trước",
    "assessing_share_this": "Tỉ lệ góp ý cấp ủy, đảng viên năm nay", "opinions_per_meeting_this": "Ý kiến mỗi cuộc",
    "attendance_per_meeting_this": "Người dự mỗi cuộc", "flags": "Cần chú ý",
}
_OPINION_HEADERS = {"unit": "Đơn vị", "text": "Ý kiến năm nay", "category": "Lĩnh vực", "repeat_of": "Ý kiến năm trước nêu lại",
                    "similarity": "Độ giống"}


def write_follow_up(result: FollowUp, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write the follow-up report atomically: xlsx (charts), json, csv (the opinions) or md (Vietnamese)."""
    import json
    from dataclasses import asdict

    import pandas as pd

    from .numbers import format_percent
    from .tables.write import XlsxWriter, atomic_output, open_writer

    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in FOLLOW_UP_FORMATS:
        raise InputError(f"Định dạng {fmt!r} không được hỗ trợ; dùng một trong: {', '.join(FOLLOW_UP_FORMATS)}.")
    units = pd.DataFrame([{**asdict(u), "flags": "; ".join(u.flags)} for u in result.units], columns=list(_UNIT_HEADERS))
    opinions = pd.DataFrame([asdict(o) for o in result.opinions], columns=list(_OPINION_HEADERS))
    if fmt == "xlsx":
        with XlsxWriter(path) as writer:
            writer.write(units.rename(columns=_UNIT_HEADERS), "Theo đơn vị")
            writer.write(opinions.rename(columns=_OPINION_HEADERS), "Ý kiến")
            if len(units):
                writer.add_bar_chart("Theo đơn vị", "Số ý kiến năm trước và năm nay", (2, 3), len(units), f"A{len(units) + 4}")
                writer.add_bar_chart("Theo đơn vị", "Ý kiến nêu lại", (5, 5), len(units), f"J{len(units) + 4}")
    elif fmt == "csv":
        with open_writer(path, "csv") as writer:
            writer.write(opinions)
    elif fmt == "json":
        with atomic_output(path) as tmp:
            data = {"units": [asdict(u) for u in result.units], "opinions": [asdict(o) for o in result.opinions]}
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        lines = ["# Theo dõi ý kiến năm trước", "",
                 f"{result.repeated} ý kiến năm trước được nêu lại trong {len(result.opinions)} ý kiến năm nay.", ""]
        for u in result.units:
            share = "–" if u.assessing_share_this is None else format_percent(u.assessing_share_this)
            lines.append(f"- **{u.unit}**: {u.opinions_last} → {u.opinions_this} ý kiến; {u.repeated} ý kiến năm trước được nêu lại; "
                         f"góp ý cấp ủy, đảng viên {share}" + (f" — chú ý: {'; '.join(u.flags)}" if u.flags else ""))
        lines += ["", "## Ý kiến được nêu lại", ""]
        lines += [f"- {o.unit}: {o.text} (năm trước: {o.repeat_of})" for o in result.opinions if o.repeat_of]
        with atomic_output(path) as tmp:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
