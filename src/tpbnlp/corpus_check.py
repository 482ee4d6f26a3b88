"""Checking the labelled corpus: every row valid, no duplicate leaking across splits, enough of everything.

:func:`check_corpus` is what ``tpbnlp corpus check`` runs and what training
runs first: it validates every row against the label set, finds exact and
near duplicates, near duplicates and sites that cross splits, and counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from .corpus import ORIGINS, REGISTERS, SPLITS, near_duplicates, source_site, with_defaults
from .labels import LabelSet, load_labels
from .numbers import format_number, format_percent
from .text import normalize, strip_diacritics

__all__ = ["CorpusFloors", "CorpusReport", "check_corpus"]


@dataclass(frozen=True)
class CorpusFloors:
    """Minimum sizes the shipped corpus must keep."""

    rows: int = 3000
    per_category: int = 350
    per_topic: int = 100
    hard: int = 300
    no_diacritics_share: float = 0.10
    no_topic_share: tuple[float, float] = (0.08, 0.25)


@dataclass
class CorpusReport:
    """Everything ``corpus check`` found: problems (which fail the check) and counts."""

    rows: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    exact_duplicates: list[tuple[str, str]] = field(default_factory=list)
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)
    cross_split: list[tuple[str, str, float]] = field(default_factory=list)
    #: sites (hosts) whose rows are in more than one split
    cross_split_sites: list[str] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)
    registers: dict[str, int] = field(default_factory=dict)
    category_by_split: dict[str, dict[str, int]] = field(default_factory=dict)
    origins: dict[str, int] = field(default_factory=dict)
    category_by_origin: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0
    sites: int = 0
    hard: int = 0
    no_diacritics: int = 0
    no_topic: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _flag(value: str) -> int | None:
    return int(value) if value in ("0", "1") else None


def check_corpus(
    frame: pd.DataFrame,
    labels: LabelSet | None = None,
    floors: CorpusFloors | None = CorpusFloors(),
    near_threshold: float = 0.8,
) -> CorpusReport:
    """Validate a corpus frame (from :func:`load_corpus`) and count it.

    Problems: unknown keys, malformed fields, duplicate ids, exact duplicate
    texts, near duplicates in different splits, sizes under ``floors`` (None
    skips the floors, for checking a province's own small data). Near duplicates
    inside one split are reported, not failed.
    """
    labels = labels or load_labels()
    frame = with_defaults(frame)
    report = CorpusReport(rows=len(frame))
    problems = report.problems
    categories, topics = set(labels.category_keys), set(labels.topic_keys)
    for key, count in Counter(frame["id"]).items():
        if count > 1 or not key:
            problems.append(f"id {key!r} xuất hiện {count} lần" if key else "có dòng không có id")
    for row in frame.itertuples(index=False):
        where = f"id {row.id}"
        if not row.text.strip():
            problems.append(f"{where}: nội dung trống")
        if row.category not in categories:
            problems.append(f"{where}: lĩnh vực không hợp lệ {row.category!r}")
        bad = [t for t in row.topics if t not in topics]
        if bad:
            problems.append(f"{where}: chủ đề không hợp lệ {', '.join(bad)}")
        if len(set(row.topics)) != len(row.topics) or len(row.topics) > 3:
            problems.append(f"{where}: chủ đề trùng lặp hoặc quá 3 chủ đề")
        if row.split not in SPLITS:
            problems.append(f"{where}: split không hợp lệ {row.split!r}")
        if row.register not in REGISTERS:
            problems.append(f"{where}: kiểu diễn đạt không hợp lệ {row.register!r}")
        if _flag(row.hard) is None or _flag(row.no_diacritics) is None:
            problems.append(f"{where}: cột hard / no_diacritics phải là 0 hoặc 1")
        elif _flag(row.no_diacritics) == 1 and strip_diacritics(row.text) != row.text:
            problems.append(f"{where}: đánh dấu không dấu nhưng nội dung có dấu")
        if row.origin not in ORIGINS:
            problems.append(f"{where}: nguồn gốc (origin) không hợp lệ {row.origin!r}, cần là authored hoặc real")
        if row.source and not re.match(r"https?://[^\s/]+\.[^\s/]+\S*$", row.source.strip()):
            problems.append(f"{where}: địa chỉ nguồn (source) không phải địa chỉ trang web: {row.source!r}")
        elif row.origin == "real" and not row.source.strip():
            problems.append(f"{where}: ý kiến thực tế (origin real) cần địa chỉ trang nguồn (source)")

    ids, texts, splits = list(frame["id"]), list(frame["text"]), list(frame["split"])
    seen: dict[str, str] = {}
    for key, text in zip(ids, texts):
        norm = normalize(text)
        if norm in seen:
            report.exact_duplicates.append((seen[norm], key))
        else:
            seen[norm] = key
    for a, b in report.exact_duplicates:
        problems.append(f"trùng lặp nguyên văn: {a} và {b}")
    for i, j, sim in near_duplicates(texts, near_threshold):
        pair = (ids[i], ids[j], round(sim, 3))
        report.near_duplicates.append(pair)
        if splits[i] != splits[j]:
            report.cross_split.append(pair)
            problems.append(f"gần trùng lặp khác split: {ids[i]} ({splits[i]}) và {ids[j]} ({splits[j]}), độ giống {format_number(sim, 2)}")
    sites: dict[str, set[str]] = {}
    for site, split in zip(map(source_site, frame["source"]), splits):
        if site:
            sites.setdefault(site, set()).add(split)
    report.cross_split_sites = sorted(site for site, where in sites.items() if len(where) > 1)
    for site in report.cross_split_sites:
        problems.append(f"trang {site} có ý kiến ở nhiều split ({', '.join(sorted(sites[site]))}); mỗi trang chỉ thuộc một split")
    report.sites = len(sites)
    report.pages = len({s.strip() for s in frame["source"] if s.strip()})

    report.categories = {k: int((frame["category"] == k).sum()) for k in labels.category_keys}
    topic_counts = Counter(t for row in frame["topics"] for t in row)
    report.topics = {k: topic_counts.get(k, 0) for k in labels.topic_keys}
    report.splits = {k: int((frame["split"] == k).sum()) for k in SPLITS}
    report.registers = {k: int((frame["register"] == k).sum()) for k in REGISTERS}
    report.category_by_split = _category_counts(frame, "split", SPLITS, labels.category_keys)
    report.origins = {k: int((frame["origin"] == k).sum()) for k in ORIGINS}
    report.category_by_origin = _category_counts(frame, "origin", ORIGINS, labels.category_keys)
    report.hard = int((frame["hard"] == "1").sum())
    report.no_diacritics = int((frame["no_diacritics"] == "1").sum())
    report.no_topic = int(sum(1 for row in frame["topics"] if not row))

    if floors is not None:
        if report.rows < floors.rows:
            problems.append(f"chỉ có {report.rows} ý kiến, cần ít nhất {floors.rows}")
        for key, count in report.categories.items():
            if count < floors.per_category:
                problems.append(f"lĩnh vực {key}: {count} ý kiến, cần ít nhất {floors.per_category}")
        for key, count in report.topics.items():
            if count < floors.per_topic:
                problems.append(f"chủ đề {key}: {count} ý kiến, cần ít nhất {floors.per_topic}")
        if report.hard < floors.hard:
            problems.append(f"chỉ có {report.hard} trường hợp khó (hard), cần ít nhất {floors.hard}")
        if report.no_diacritics < floors.no_diacritics_share * report.rows:
            problems.append(f"chỉ có {report.no_diacritics} ý kiến không dấu, cần ít nhất {format_percent(floors.no_diacritics_share, 0)}")
        low, high = floors.no_topic_share
        if report.rows and not low <= report.no_topic / report.rows <= high:
            problems.append(f"{report.no_topic} ý kiến không có chủ đề, ngoài khoảng {format_percent(low, 0)}–{format_percent(high, 0)}")
    return report


def _category_counts(
    frame: pd.DataFrame, column: str, values: Sequence[str], keys: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Rows per category key for each value of ``column`` (a split, an origin)."""
    counts = Counter(zip(frame[column], frame["category"]))
    return {v: {k: counts[(v, k)] for k in keys} for v in values}
