"""The labelled corpus: loading, validation, near-duplicate search and split assignment.

The corpus is one UTF-8 CSV, ``corpus/opinions.csv``, a row per opinion:
``id, text, category, topics, split, register, hard, no_diacritics, origin,
source`` with topics ``|``-separated. ``origin`` says whether the project wrote
the opinion (``authored``) or reworded a real published one (``real``, with the
page address in ``source``). :func:`check_corpus` is what ``tpbnlp corpus check``
runs: it validates every row against the label set, finds exact and near
duplicates, near duplicates and sites that cross splits, and counts.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from .errors import TpbnlpError
from .io import atomic_output
from .labels import LabelSet, load_labels
from .text import normalize, strip_diacritics

__all__ = [
    "COLUMNS",
    "REGISTERS",
    "SPLITS",
    "CorpusError",
    "CorpusFloors",
    "CorpusReport",
    "ORIGIN_NAMES",
    "ORIGINS",
    "assign_splits",
    "check_corpus",
    "default_corpus_path",
    "load_corpus",
    "near_duplicates",
    "source_site",
    "write_corpus",
]

COLUMNS = ("id", "text", "category", "topics", "split", "register", "hard", "no_diacritics")
#: Optional: for boundary cases, the rule that decides them.
NOTE = "note"
#: Optional in a province's own file (default: authored, no source); present in the shipped corpus.
PROVENANCE = ("origin", "source")
#: ``authored``: written for the project; ``real``: a real published opinion, reworded.
ORIGINS = ("authored", "real")
#: How each origin is named to users.
ORIGIN_NAMES = {"authored": "do dự án viết", "real": "từ ý kiến thực tế"}
SPLITS = ("train", "dev", "test")
#: How an opinion is put into words (see corpus/GUIDE.md).
REGISTERS = ("bien_ban", "tuong_thuat", "khau_ngu", "ngan_gon", "dai", "de_nghi", "khen_che")


class CorpusError(TpbnlpError, ValueError):
    """The corpus file cannot be read as a corpus."""


def default_corpus_path() -> Path:
    """The shipped corpus: inside the installed package, or ``corpus/`` of a source checkout."""
    packaged = resources.files("tpbnlp").joinpath("data/corpus/opinions.csv")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "corpus" / "opinions.csv"


def _read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A UTF-8 CSV (BOM allowed) as strings, empty cells as ""; clear errors for the user."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise CorpusError(f"Không tìm thấy tệp dữ liệu: {path}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorpusError(f"Không đọc được tệp dữ liệu {path} (cần CSV mã UTF-8): {exc}") from None


def load_corpus(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the corpus CSV; ``topics`` becomes a tuple of keys, flags become ints."""
    path = Path(path) if path is not None else default_corpus_path()
    frame = _read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CorpusError(f"Tệp {path} thiếu cột: {', '.join(missing)}.")
    frame["topics"] = [tuple(t for t in s.split("|") if t) for s in frame["topics"]]
    return _with_defaults(frame)


def _with_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """The optional columns, filled in where a file lacks them (a copy when any is added)."""
    defaults = {NOTE: "", "origin": "authored", "source": ""}
    missing = {c: v for c, v in defaults.items() if c not in frame.columns}
    return frame.assign(**missing) if missing else frame


def source_site(url: str) -> str:
    """The site (host, without ``www.``/``m.``) of a page address; "" for no address.

    Rows from one site share its editors' and reporters' way of writing, so
    splits keep a site whole: the dev and test splits then measure sites the
    model never saw.
    """
    url = url.strip()
    if not url:
        return ""
    host = urlsplit(url if "://" in url else "http://" + url).netloc.lower()
    host = host.rsplit("@", 1)[-1].split(":")[0]
    return re.sub(r"^(www\d?|m|amp|mobile)\.", "", host)


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


def _comparable(text: str) -> str:
    """The form duplicates are judged on: normalised, without diacritics or punctuation."""
    folded = strip_diacritics(normalize(text))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def near_duplicates(texts: list[str], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with ``i < j`` whose character 3–5-gram TF-IDF cosine is at least ``threshold``.

    Texts are compared without diacritics, so a sentence and its unaccented copy are a pair.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return []
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(
        [_comparable(t) for t in texts]
    )
    pairs: list[tuple[int, int, float]] = []
    step = 2000
    for start in range(0, matrix.shape[0], step):
        block = (matrix[start : start + step] @ matrix.T).tocoo()
        for i, j, sim in zip(block.row + start, block.col, block.data):
            if i < j and sim >= threshold:
                pairs.append((int(i), int(j), float(sim)))
    return sorted(pairs)


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
    frame = _with_defaults(frame)
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
            problems.append(f"gần trùng lặp khác split: {ids[i]} ({splits[i]}) và {ids[j]} ({splits[j]}), độ giống {sim:.2f}")
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
            problems.append(f"chỉ có {report.no_diacritics} ý kiến không dấu, cần ít nhất {floors.no_diacritics_share:.0%}")
        low, high = floors.no_topic_share
        if report.rows and not low <= report.no_topic / report.rows <= high:
            problems.append(f"{report.no_topic} ý kiến không có chủ đề, ngoài khoảng {low:.0%}–{high:.0%}")
    return report


def _category_counts(
    frame: pd.DataFrame, column: str, values: Sequence[str], keys: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Rows per category key for each value of ``column`` (a split, an origin)."""
    counts = Counter(zip(frame[column], frame["category"]))
    return {v: {k: counts[(v, k)] for k in keys} for v in values}


def _stable_hash(text: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{text}".encode()).digest()[:8], "big")


def assign_splits(
    frame: pd.DataFrame,
    shares: tuple[float, float, float] = (0.70, 0.15, 0.15),
    seed: int = 0,
    near_threshold: float = 0.8,
) -> pd.Series:
    """Splits for rows that have none, stratified by category within each origin; rows that have one keep it.

    Rows are grouped first: near duplicates, and all rows from one site
    (:func:`source_site`), so no near copy and no site crosses from train to
    test. A group with a split already gives it to all its members. The other
    groups, largest first (ties by a seeded hash of the first id, so the result
    depends on ids, not on row order), each go to the split that is furthest
    below its share in the group's categories.
    """
    frame = _with_defaults(frame)
    splits = [s if s in SPLITS else "" for s in frame.get("split", pd.Series([""] * len(frame)))]
    parent = list(range(len(frame)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in near_duplicates(list(frame["text"]), near_threshold):
        parent[root(i)] = root(j)
    first_of_site: dict[str, int] = {}
    for i, site in enumerate(map(source_site, frame["source"])):
        if site:
            parent[root(i)] = root(first_of_site.setdefault(site, i))
    groups: dict[int, list[int]] = {}
    for i in range(len(frame)):
        groups.setdefault(root(i), []).append(i)

    categories = [f"{o}:{c}" for o, c in zip(frame["origin"], frame["category"])]
    ids = list(frame["id"])
    totals = Counter(categories)
    have = {s: Counter() for s in SPLITS}
    pending: list[list[int]] = []
    for members in groups.values():
        known = [splits[i] for i in members if splits[i]]
        if known:
            for i in members:
                splits[i] = known[0]
                have[known[0]][categories[i]] += 1
        else:
            pending.append(members)
    pending.sort(key=lambda m: (-len(m), _stable_hash(ids[m[0]], seed)))
    for members in pending:
        counts = Counter(categories[i] for i in members)

        def deficit(split: str) -> float:
            share = shares[SPLITS.index(split)]
            return sum(n * (share * totals[c] - have[split][c]) for c, n in counts.items())

        split = max(SPLITS, key=deficit)
        for i in members:
            splits[i] = split
        have[split].update(counts)
    return pd.Series(splits, index=frame.index, name="split", dtype=object)


def write_corpus(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a corpus frame back to CSV (topics ``|``-joined), atomically."""
    out = frame.copy()
    out["topics"] = ["|".join(t) for t in out["topics"]]
    columns = list(COLUMNS) + [c for c in (NOTE, *PROVENANCE) if c in out.columns]
    with atomic_output(path) as tmp:
        out[columns].to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")



def read_labelled(
    path: str | os.PathLike[str] | None, labels: LabelSet | None = None
) -> tuple[list[str], list[str], list[tuple[str, ...]] | None, list[str] | None]:
    """Texts, category keys, topic keys and origins of a labelled CSV; the corpus test split when ``path`` is None.

    The file needs ``text`` and ``category`` columns; ``topics`` (``|``-separated)
    and ``origin`` are optional (None when absent). Labels may be written as keys
    or as their Vietnamese names.
    """
    labels = labels or load_labels()
    if path is None:
        test = load_corpus().query("split == 'test'")
        return list(test["text"]), list(test["category"]), list(test["topics"]), list(test["origin"])
    frame = _read_csv(path)
    missing = [c for c in ("text", "category") if c not in frame.columns]
    if missing:
        raise CorpusError(f"Tệp {path} thiếu cột {', '.join(missing)} (có các cột: {', '.join(frame.columns)}).")
    lookup = {normalize(label.name): label.key for label in labels.categories + labels.topics}
    lookup.update({label.key: label.key for label in labels.categories + labels.topics})

    def key_of(value: str, row: int, allowed: tuple[str, ...]) -> str:
        key = lookup.get(value.strip()) or lookup.get(normalize(value))
        if key not in allowed:
            raise CorpusError(f"Tệp {path}, dòng {row + 2}: nhãn {value!r} không có trong bộ nhãn.")
        return key

    categories = [key_of(v, i, labels.category_keys) for i, v in enumerate(frame["category"])]
    topics = None
    if "topics" in frame.columns:
        topics = [
            tuple(key_of(t, i, labels.topic_keys) for t in value.split("|") if t.strip())
            for i, value in enumerate(frame["topics"])
        ]
    origins = [o.strip() or "?" for o in frame["origin"]] if "origin" in frame.columns else None
    return list(frame["text"]), categories, topics, origins
