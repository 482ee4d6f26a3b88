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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from .errors import CorpusError
from .labels import LabelSet, load_labels
from .tables.write import atomic_output
from .text import normalize, strip_diacritics

__all__ = [
    "COLUMNS",
    "ORIGINS",
    "ORIGIN_NAMES",
    "REGISTERS",
    "SPLITS",
    "Added",
    "CorpusError",
    "add_to_corpus",
    "assign_splits",
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
#: ``authored``: written for the project; ``real``: a real published opinion, reworded;
#: ``local``: a province's own opinion, labelled by its reviewers (``tpbnlp corpus add``).
ORIGINS = ("authored", "real", "local")
#: How each origin is named to users.
ORIGIN_NAMES = {"authored": "do dự án viết", "real": "từ ý kiến thực tế", "local": "của địa phương"}
#: The columns a province's own corpus needs; the others are filled in (:func:`load_corpus`).
MINIMAL_COLUMNS = ("text", "category")
SPLITS = ("train", "dev", "test")
#: How an opinion is put into words (see corpus/GUIDE.md).
REGISTERS = ("bien_ban", "tuong_thuat", "khau_ngu", "ngan_gon", "dai", "de_nghi", "khen_che")



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
    missing = [c for c in MINIMAL_COLUMNS if c not in frame.columns]
    if missing:
        raise CorpusError(f"Tệp {path} thiếu cột: {', '.join(missing)}.")
    if any(c not in frame.columns for c in COLUMNS):
        frame = _completed(frame)
    frame["topics"] = [tuple(t for t in s.split("|") if t) for s in frame["topics"]]
    return with_defaults(frame)


def _completed(frame: pd.DataFrame) -> pd.DataFrame:
    """A province's own corpus (text, category, maybe topics) with the other columns made: ids, flags, splits.

    Its rows are ``local`` and written like minutes (register ``bien_ban``);
    splits are assigned as :func:`assign_splits` does, keeping near copies together.
    """
    frame = frame.copy()
    defaults = {
        "id": [f"local-{i:05d}" for i in range(1, len(frame) + 1)],
        "topics": "", "register": "bien_ban", "hard": "0", "origin": "local",
        "no_diacritics": ["1" if strip_diacritics(t) == t else "0" for t in frame["text"]],
        "split": "",
    }
    for column, value in defaults.items():
        if column not in frame.columns:
            frame[column] = value
    if (frame["split"] == "").any():
        frame["split"] = list(assign_splits(frame.assign(topics=[()] * len(frame))))
    return frame


def with_defaults(frame: pd.DataFrame) -> pd.DataFrame:
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
    frame = with_defaults(frame)
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
    have: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
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

        def deficit(split: str, counts: Counter[str] = counts) -> float:
            share = shares[SPLITS.index(split)]
            return sum(n * (share * totals[c] - have[split][c]) for c, n in counts.items())

        split = max(SPLITS, key=deficit)
        for i in members:
            splits[i] = split
        have[split].update(counts)
    return pd.Series(splits, index=frame.index, name="split", dtype=object)


@dataclass
class Added:
    """What ``corpus add`` did: rows added, duplicates left out, rows without a text or category skipped."""

    added: int
    duplicates: int
    skipped: int
    rows: int


def add_to_corpus(source: str | os.PathLike[str], corpus: str | os.PathLike[str], labels: LabelSet | None = None) -> Added:
    """Append the labelled rows of ``source`` (any table ``tag`` reads) to the local corpus file ``corpus``.

    Labels are validated (a row with an unknown key names the row and nothing is written); a
    text already in the corpus, or twice in ``source``, is left out. The file keeps the
    minimal columns (``id, text, category, topics, origin``) and is written atomically.
    """
    from .labelled import read_labelled

    labels = labels or load_labels()
    found = read_labelled(source, labels)
    path = Path(corpus)
    existing = _read_csv(path) if path.exists() else pd.DataFrame(columns=["id", "text", "category", "topics", "origin"])
    seen = {normalize(t) for t in existing["text"]}
    rows = []
    topics = found.topics or [()] * len(found.texts)
    numbers = [int(i.split("-")[-1]) for i in existing.get("id", []) if str(i).split("-")[-1].isdigit()]
    next_id = max(numbers, default=0) + 1
    for text, category, keys in zip(found.texts, found.categories, topics):
        if normalize(text) in seen:
            continue
        seen.add(normalize(text))
        rows.append({"id": f"local-{next_id:05d}", "text": text, "category": category, "topics": "|".join(keys), "origin": "local"})
        next_id += 1
    out = pd.concat([existing, pd.DataFrame(rows)], ignore_index=True) if rows else existing
    with atomic_output(path) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Added(len(rows), len(found.texts) - len(rows), found.skipped, len(out))


def write_corpus(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a corpus frame back to CSV (topics ``|``-joined), atomically."""
    out = frame.copy()
    out["topics"] = ["|".join(t) for t in out["topics"]]
    columns = list(COLUMNS) + [c for c in (NOTE, *PROVENANCE) if c in out.columns]
    with atomic_output(path) as tmp:
        out[columns].to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
