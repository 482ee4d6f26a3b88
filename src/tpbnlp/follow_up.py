"""Follow-up: which of this year's opinions raise again a matter of last year's, and how each unit's meetings changed.

The Trà Vinh report asks that every meeting report what became of the
opinions of the year before, and lists as weaknesses fewer opinions, opinions
that are petitions rather than criticism, and few people attending. Here each
opinion of THIS year is compared with the opinions of LAST year in the same
unit. Words alone do not tell the same matter from another on the same topic
(the same road against another road in the same hamlet, the same member's
drinking against his absence), so each pair is described by
:data:`PAIR_FEATURES` — the model's own representation of a text (normalised,
segmented, TF-IDF of words and of diacritic-free syllables), the names and
numbers each gives, whether the new one says it was raised before, their
topics — and a :class:`RepeatScorer` fitted on labelled pairs weighs them; the
most probable opinion of last year above its threshold is the matter raised
again.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from .errors import InputError
from .minutes import MINUTES_SUFFIXES, read_minutes
from .model import OTHER, OpinionClassifier, Prediction
from .tables.formats import FOLLOW_UP_FORMATS
from .tables.read import open_table
from .text import normalize, prepare_many, strip_diacritics

__all__ = [
    "FOLLOW_UP_FORMATS", "PAIR_FEATURES", "FollowUp", "Repeat", "RepeatScorer", "UnitChange", "YearOpinions",
    "follow_up", "pair_features", "read_year", "write_follow_up",
]

#: What is compared in a pair (this year's opinion, one of last year's): the cosine of the model's
#: features; the share of this one's syllables (weighted by rarity) that the other has; the share of
#: its names (people, places) the other has; whether both name someone and share no name; whether both
#: give numbers and share none; whether this one says the matter was raised before; the agreement of
#: their topic probabilities; the log ratio of their lengths.
PAIR_FEATURES = ("cosine", "cover", "names_shared", "names_differ", "numbers_differ", "said_before", "topics", "length")
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
    """An opinion of this year, its category, and the opinion of last year it raises again (None: a new matter).

    ``similarity`` is the probability that it raises the closest opinion of
    last year again (None when its unit had none last year).
    """

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


@dataclass
class _Side:
    """One year's opinions made ready for comparison, each text prepared once."""

    vectors: sp.csr_matrix  # the model's features, L2-normalised
    syllables: sp.csr_matrix  # diacritic-free syllables, hashed, 0/1
    names: sp.csr_matrix  # capitalised words within a sentence (people, places), hashed, 0/1
    numbers: sp.csr_matrix  # digit runs (house, road, alley, plot numbers), hashed, 0/1
    said_before: np.ndarray  # the text says the matter was raised before
    topics: np.ndarray  # the model's topic probabilities, L2-normalised
    lengths: np.ndarray

    @classmethod
    def of(cls, model: OpinionClassifier, texts: Sequence[str]) -> tuple[_Side, list[Prediction]]:
        """The side, and the model's predictions for its texts (made from the same preparation)."""
        ready = prepare_many(texts, n_jobs=model.n_jobs)
        predictions = model.predict_many(texts, prepared=ready)
        prepared = [p.text for p in ready]
        keys = [str(k) for k in model.topic_keys_]
        topics = np.array([[p.topic_scores.get(k, 0.0) for k in keys] for p in predictions], dtype=float).reshape(len(texts), len(keys))
        side = cls(
            l2_normalize(model.features_.transform(prepared)),
            _HASH.transform([strip_diacritics(t.replace("_", " ")) for t in prepared]),
            _HASH.transform([" ".join(_names(t)) for t in texts]),
            _HASH.transform([" ".join(_DIGITS.findall(t)) for t in texts]),
            np.array([bool(_SAID_BEFORE.search(strip_diacritics(t))) for t in prepared]),
            l2_normalize(topics),
            np.array([max(len(t), 1) for t in texts], dtype=float),
        )
        return side, predictions

    def take(self, rows: Sequence[int]) -> _Side:
        return _Side(*(getattr(self, f.name)[list(rows)] for f in fields(self)))


_HASH = HashingVectorizer(token_pattern=r"\S+", lowercase=False, binary=True, norm=None, alternate_sign=False,
                          n_features=2**20, dtype=np.float32)
_DIGITS = re.compile(r"\d+")
_CAPITALISED = re.compile(r"[^\W\d_][\w'’]*")
_SENTENCE_END = re.compile(r"[.!?:;\"“(\n-]\s*$")
# "năm rồi/trước/ngoái/qua", "đã nêu/phản ánh/kiến nghị", "vẫn chưa/còn", "tới nay", "lần nữa", "như đã": diacritic-free.
_SAID_BEFORE = re.compile(r"\b(nam (roi|truoc|ngoai|qua)|da (neu|phan_anh|phan anh|kien_nghi|kien nghi|de_nghi|de nghi)"
                          r"|van (chua|con)|toi (nay|gio)|den (nay|gio)|lan nua|nhu da|nhieu lan)\b")


def _names(text: str) -> list[str]:
    """Capitalised words not opening a sentence, diacritic-free and lower-cased: the people and places a text names."""
    text = normalize(text, lower=False)
    out = []
    for m in _CAPITALISED.finditer(text):
        word = m.group()
        if word[0].isupper() and m.start() > 0 and not _SENTENCE_END.search(text[max(0, m.start() - 3) : m.start()]):
            out.append(strip_diacritics(word.lower()))
    return out


def pair_features(model: OpinionClassifier, these: Sequence[str], those: Sequence[str]) -> np.ndarray:
    """Features (:data:`PAIR_FEATURES`) of every pair of a text of ``these`` and one of ``those``: shape (len(these), len(those), k)."""
    (a, _), (b, _) = _Side.of(model, these), _Side.of(model, those)
    return _pair_features(a, b, _syllable_weights(model))


def _pair_features(this: _Side, last: _Side, weights: np.ndarray) -> np.ndarray:
    n, m = this.vectors.shape[0], last.vectors.shape[0]
    weighted = this.syllables.multiply(weights).tocsr()
    cover = np.asarray((weighted @ last.syllables.T).todense()) / np.maximum(np.asarray(weighted.sum(axis=1)), 1e-9)

    def shared(a: sp.csr_matrix, b: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        both = np.asarray((a @ b.T).todense())
        return both, np.asarray(a.sum(axis=1)) * np.ones((1, m)), np.ones((n, 1)) * np.asarray(b.sum(axis=1)).T

    names, names_here, names_there = shared(this.names, last.names)
    numbers, numbers_here, numbers_there = shared(this.numbers, last.numbers)
    return np.stack([
        np.asarray((this.vectors @ last.vectors.T).todense()),
        cover,
        names / np.maximum(names_here, 1),
        (names_here > 0) & (names_there > 0) & (names == 0),
        (numbers_here > 0) & (numbers_there > 0) & (numbers == 0),
        this.said_before[:, None] * np.ones((1, m)),
        this.topics @ last.topics.T,
        np.log(this.lengths[:, None] / last.lengths[None, :]),
    ], axis=-1).astype(float)


def _syllable_weights(model: OpinionClassifier) -> np.ndarray:
    """Inverse document frequency of each hashed syllable (the model's, or its highest for a syllable it never saw)."""
    features = model.features_
    unigrams = [i for i, t in enumerate(features.vocabularies_["syll"]) if " " not in t]
    idf = features.idf_["syll"]
    weights = np.full(_HASH.n_features, float(idf.max()), dtype=np.float32)
    columns = _HASH.transform([features.vocabularies_["syll"][i] for i in unigrams]).tocoo()
    weights[columns.col] = idf[np.asarray(unigrams)[columns.row]]
    return weights


@dataclass(frozen=True)
class RepeatScorer:
    """Whether an opinion raises a given opinion of last year again: logistic regression over :data:`PAIR_FEATURES`.

    The shipped one (:meth:`packaged`) is fitted on the development half of the
    project's labelled pairs (``python benchmarks/follow_up_pairs.py --fit``);
    ``threshold`` is the probability from which a pair counts as a repeat.
    """

    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5

    def probability(self, features: np.ndarray) -> np.ndarray:
        return expit(features @ np.asarray(self.coef) + self.intercept)

    @classmethod
    def fit(cls, features: np.ndarray, same: Sequence[bool], *, sample_weight: Sequence[float] | None = None,
            C: float = 1.0, threshold: float = 0.5) -> RepeatScorer:
        from sklearn.linear_model import LogisticRegression

        fitted = LogisticRegression(C=C, max_iter=5000).fit(features, np.asarray(same, dtype=bool), sample_weight=sample_weight)
        return cls(tuple(round(float(c), 4) for c in fitted.coef_[0]), round(float(fitted.intercept_[0]), 4), threshold)

    @classmethod
    def packaged(cls) -> RepeatScorer:
        data = json.loads(resources.files("tpbnlp").joinpath(_SCORER_FILE).read_text(encoding="utf-8"))
        if tuple(data["features"]) != PAIR_FEATURES:
            raise ValueError(f"{_SCORER_FILE} was fitted on other features: {data['features']}")
        return cls(tuple(data["coef"]), data["intercept"], data["threshold"])

    def to_json(self, **about: object) -> str:
        return json.dumps({"features": PAIR_FEATURES, **asdict(self), **about}, ensure_ascii=False, indent=2) + "\n"


_SCORER_FILE = "data/follow_up.json"


def follow_up(last: YearOpinions, this: YearOpinions, model: OpinionClassifier, scorer: RepeatScorer | None = None) -> FollowUp:
    """Each opinion of ``this`` year with the opinion of ``last`` year it raises again; each unit's indicators."""
    scorer = scorer or RepeatScorer.packaged()
    (this_side, predictions), (last_side, last_predictions) = _Side.of(model, this.texts), _Side.of(model, last.texts)
    last_categories = [p.category for p in last_predictions]
    weights = _syllable_weights(model)
    opinions: list[Repeat] = []
    for unit in dict.fromkeys(this.units):
        mine = [i for i, u in enumerate(this.units) if u == unit]
        before = [j for j, u in enumerate(last.units) if u == unit]
        scores = scorer.probability(_pair_features(this_side.take(mine), last_side.take(before), weights)) if before else None
        for row, i in enumerate(mine):
            best = int(scores[row].argmax()) if scores is not None else -1
            score = float(scores[row, best]) if scores is not None else None
            repeat = last.texts[before[best]] if score is not None and score >= scorer.threshold else None
            opinions.append(Repeat(unit, this.texts[i], predictions[i].category, repeat, None if score is None else round(score, 3)))
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
