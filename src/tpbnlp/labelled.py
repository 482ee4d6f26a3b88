"""Labelled opinions from any table ``tag`` reads: a corrected tagged file as it is, or a hand-made one.

The text column is found as ``tag`` finds it. The category may be written as a
key (``category``, "Mã lĩnh vực") or a Vietnamese name (``category_name``,
"Lĩnh vực"); a reviewer corrects the name and leaves the key the machine
wrote, so where both are there and disagree, the name wins. Topics likewise
(``topic_names`` or "Chủ đề" over ``topics`` or "Mã chủ đề"; separated by ``|``
or ``;``). Rows without a text or a category are skipped and counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from .errors import CorpusError
from .labels import LabelSet, load_labels
from .tables.read import open_table
from .text import normalize

__all__ = ["Labelled", "read_labelled"]

#: Column names (compared in lower case) of the category and topics, name columns first: a name wins.
CATEGORY_COLUMNS = ("category_name", "lĩnh vực", "ten linh vuc", "category", "mã lĩnh vực", "ma linh vuc")
TOPIC_COLUMNS = ("topic_names", "chủ đề", "ten chu de", "topics", "mã chủ đề", "ma chu de")


@dataclass
class Labelled:
    """Labelled opinions: texts, category keys, topic keys (None when the file has none), origins (None likewise)."""

    texts: list[str]
    categories: list[str]
    topics: list[tuple[str, ...]] | None
    origins: list[str] | None
    skipped: int = 0


def read_labelled(path: str | os.PathLike[str], labels: LabelSet | None = None, *, column: str | None = None) -> Labelled:
    """The labelled rows of ``path`` (CSV, XLSX, JSONL…), labels as keys; raises :class:`CorpusError` naming a bad row."""
    labels = labels or load_labels()
    table = open_table(path, column=column, chunk_rows=100_000)
    chunks = list(table.chunks)
    frame = pd.concat(chunks) if chunks else pd.DataFrame(columns=table.columns)
    by_name = {str(c).strip().lower(): c for c in frame.columns}
    category_columns = [by_name[c] for c in CATEGORY_COLUMNS if c in by_name]
    topic_columns = [by_name[c] for c in TOPIC_COLUMNS if c in by_name]
    if not category_columns:
        raise CorpusError(
            f"{path}: không có cột lĩnh vực (category, category_name, 'Lĩnh vực' hoặc 'Mã lĩnh vực'). "
            f"Các cột có: {', '.join(map(str, frame.columns))}."
        )
    lookup = {normalize(label.name): label.key for label in labels.categories + labels.topics}
    lookup.update({label.key: label.key for label in labels.categories + labels.topics})

    def key(value: object) -> str | None:
        text = "" if value is None else str(value).strip()
        return lookup.get(text) or lookup.get(normalize(text)) if text else None

    texts: list[str] = []
    categories: list[str] = []
    topics: list[tuple[str, ...]] = []
    origins: list[str] = []
    origin_column = by_name.get("origin")
    skipped = 0
    for number, (_, row) in enumerate(frame.iterrows(), 2):
        text = str(row[table.text_column]).strip()
        written = [str(row[c]).strip() for c in category_columns if str(row[c]).strip()]
        if not text or not written:
            skipped += 1
            continue
        category = key(written[0])
        if category not in labels.category_keys:
            raise CorpusError(f"{path}, dòng {number}: lĩnh vực {written[0]!r} không có trong bộ nhãn.")
        row_topics: tuple[str, ...] = ()
        for c in topic_columns[:1]:  # the first: a name column when there is one, even emptied by the reviewer
            parts = [p for p in str(row[c]).replace(";", "|").split("|") if p.strip()]
            found = [key(p) for p in parts]
            bad = [p for p, k in zip(parts, found) if k not in labels.topic_keys]
            if bad:
                raise CorpusError(f"{path}, dòng {number}: chủ đề {bad[0].strip()!r} không có trong bộ nhãn.")
            row_topics = tuple(k for k in found if k)
        texts.append(text)
        categories.append(category)
        topics.append(row_topics)
        if origin_column is not None:
            origins.append(str(row[origin_column]).strip() or "?")
    return Labelled(texts, categories, topics if topic_columns else None, origins if origin_column else None, skipped)
