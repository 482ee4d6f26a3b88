"""Batch tagging: every row of a table gets labels or a status saying why not, in order.

Rows stream through in chunks; on large inputs the chunks are classified by
worker processes (one per core) while this process reads and writes, so the
segmenter, the slow part, runs on every core. Nothing a row contains can stop
the batch: empty cells, numbers, other scripts, damaged bytes, huge cells and
undecodable legacy text each get a status, and the rest are tagged.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .io import JSONL_ERROR, InputError, TableWriter, open_table
from .labels import LabelSet, load_labels
from .model import OpinionClassifier
from .text import LegacyEncodingError, detect_legacy_encoding

__all__ = ["MAX_CHARS", "OUTPUT_COLUMNS", "RowResult", "TagSummary", "check_text", "tag_file", "tag_texts"]

#: Characters of a cell that are classified; the cell itself is written back whole.
MAX_CHARS = 10_000
OUTPUT_COLUMNS = ("category", "category_name", "confidence", "topics", "topic_names", "needs_review", "status")
_PARALLEL_MIN_ROWS = 3000


@dataclass
class RowResult:
    """The labels of one row, or why it has none (``status`` is ``ok``, ``empty`` or ``error: …``)."""

    status: str
    category: str = ""
    category_name: str = ""
    confidence: float | None = None
    topics: list[str] = field(default_factory=list)
    topic_names: list[str] = field(default_factory=list)
    needs_review: bool = True

    def cells(self) -> list[object]:
        return [
            self.category,
            self.category_name,
            "" if self.confidence is None else round(self.confidence, 4),
            "|".join(self.topics),
            "; ".join(self.topic_names),
            int(self.needs_review),
            self.status,
        ]


def check_text(text: str) -> str | None:
    """Why a cell cannot be classified (a status), or ``None`` when it can."""
    if not text or not text.strip():
        return "empty"
    if "\ufffd" in text:
        return "error: có byte không đọc được theo bảng mã của tệp"
    head = text[:MAX_CHARS]
    letters = len(_LETTER.findall(head))
    if not letters:
        return "error: không có chữ (chỉ có số hoặc ký hiệu)"
    if _OTHER_SCRIPT.search(head) and len(_OTHER_SCRIPT.findall(head)) > 0.5 * letters:
        return "error: không phải chữ quốc ngữ"
    return None


_LETTER = re.compile(r"[^\W\d_]")
# Letters of scripts other than Latin: Greek to Thai, Khmer, CJK, Hangul …
_OTHER_SCRIPT = re.compile("[\u0370-\u1cff\u2c00-\u2dff\u3040-\ud7ff\uf900-\ufaff]")


def tag_texts(model: OpinionClassifier, texts: Sequence[str], labels: LabelSet | None = None) -> list[RowResult]:
    """Labels or a status for every text, in order; never raises for what a text contains."""
    labels = labels or model.labels or load_labels()
    results: list[RowResult | None] = [None] * len(texts)
    todo: list[int] = []
    cleaned: list[str] = []
    for i, text in enumerate(texts):
        text = text if isinstance(text, str) else ""
        status = check_text(text)
        if status is None:
            try:
                detect_legacy_encoding(text[:MAX_CHARS])  # the one failure normalising can have
                cleaned.append(text[:MAX_CHARS])
                todo.append(i)
                continue
            except LegacyEncodingError as exc:
                status = f"error: {exc}"
        results[i] = RowResult(status)
    for i, prediction in zip(todo, model.predict_many(cleaned) if cleaned else []):
        results[i] = RowResult(
            status="ok",
            category=prediction.category,
            category_name=prediction.category_name,
            confidence=prediction.confidence,
            topics=prediction.topics,
            topic_names=[labels.name(t) for t in prediction.topics],
            needs_review=prediction.needs_review or len(texts[i]) > MAX_CHARS,
        )
    return results  # type: ignore[return-value]


# -- worker processes -------------------------------------------------------------

_WORKER_MODEL: OpinionClassifier | None = None


def _worker_init(model: OpinionClassifier | None, loader: tuple | None) -> None:
    """Give a worker its model: inherited when the pool forks, loaded again when it spawns."""
    global _WORKER_MODEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the main process
    if model is not None:
        _WORKER_MODEL = model
    elif loader is not None:
        from .store import load

        path, trust, labels_path = loader
        _WORKER_MODEL = load(path, trust=trust, labels=labels_path)
    _WORKER_MODEL.n_jobs = 1  # the pool is the parallelism


def _worker_tag(texts: list[str]) -> list[RowResult]:
    assert _WORKER_MODEL is not None
    return tag_texts(_WORKER_MODEL, texts)


class _Runner:
    """Classifies chunks in order: in this process for small inputs, on a pool of workers for large ones."""

    def __init__(self, model: OpinionClassifier, loader: tuple | None, n_jobs: int | None, parallel: bool) -> None:
        self.model = model
        self.workers = (os.cpu_count() or 1) if not n_jobs or n_jobs < 1 else n_jobs
        self.parallel = parallel and self.workers > 1
        self.loader = loader
        self.pool: ProcessPoolExecutor | None = None

    def run(self, chunks: Iterable[list[str]]) -> Iterator[list[RowResult]]:
        if not self.parallel:
            for texts in chunks:
                yield tag_texts(self.model, texts)
            return
        import multiprocessing

        fork = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if fork else "spawn")
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_worker_init,
            initargs=(self.model if fork else None, None if fork else self.loader),
        )
        pending: deque[Future] = deque()
        try:
            for texts in chunks:
                pending.append(self.pool.submit(_worker_tag, texts))
                if len(pending) > 2 * self.workers:  # bounded: memory stays flat however long the input
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)


# -- files ------------------------------------------------------------------------------


@dataclass
class TagSummary:
    """What a tagging run did: row counts by status, category and topic (report order)."""

    rows: int = 0
    statuses: Counter = field(default_factory=Counter)
    categories: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    output: str | None = None

    @property
    def tagged(self) -> int:
        return self.statuses.get("ok", 0)

    @property
    def not_tagged(self) -> int:
        return self.rows - self.tagged


def _output_columns(columns: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Input columns whose names clash with the output's are kept under a ``_cu`` ("old") name."""
    renamed = {}
    taken = set(columns) | set(OUTPUT_COLUMNS)
    for name in columns:
        if name in OUTPUT_COLUMNS:
            new = f"{name}_cu"
            while new in taken:
                new += "_"
            renamed[name] = new
            taken.add(new)
    return [renamed.get(c, c) for c in columns] + list(OUTPUT_COLUMNS), renamed


def tag_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    model: OpinionClassifier,
    column: str | None = None,
    sheet: str | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    loader: tuple | None = None,
    n_jobs: int | None = None,
    chunk_rows: int = 500,
    progress: Callable[[int, int | None], None] | None = None,
) -> TagSummary:
    """Tag every row of ``input`` and write them, in order, with all their columns, to ``output``.

    ``output`` None writes CSV to standard output. ``loader`` (path, trust,
    labels path) lets worker processes load the model where they cannot
    inherit it.
    """
    started = time.perf_counter()
    if output is not None and str(output) != "-" and str(input) != "-":
        if Path(output).resolve() == Path(input).resolve():
            raise InputError("Tệp kết quả trùng với tệp đầu vào; hãy chọn tên khác để không ghi đè dữ liệu gốc.")
    table = open_table(input, column=column, sheet=sheet, fmt=input_format, chunk_rows=chunk_rows)
    labels = model.labels or load_labels()
    columns, renamed = _output_columns(table.columns)
    summary = TagSummary(output=None if output is None else str(output))
    categories: Counter = Counter()
    topics: Counter = Counter()
    parallel = table.rows_estimate is None or table.rows_estimate >= _PARALLEL_MIN_ROWS
    runner = _Runner(model, loader, n_jobs, parallel)
    chunks: deque[pd.DataFrame] = deque()

    def texts() -> Iterator[list[str]]:
        for chunk in table.chunks:
            chunks.append(chunk)
            values = list(chunk[table.text_column])
            if JSONL_ERROR in chunk.columns:  # a broken JSON line has no text; its status says why
                values = ["" if err else v for v, err in zip(values, chunk[JSONL_ERROR])]
            yield values

    with TableWriter(output, output_format) as writer:
        for results in runner.run(texts()):
            chunk = chunks.popleft().rename(columns=renamed)
            if JSONL_ERROR in chunk.columns:
                for r, err in zip(results, chunk[JSONL_ERROR]):
                    if err:
                        r.status = f"error: {err}"
            out = pd.DataFrame(
                [list(row) + r.cells() for row, r in zip(chunk.itertuples(index=False, name=None), results)],
                columns=columns,
                dtype=object,
            )
            writer.write(out)
            for r in results:
                summary.statuses[r.status if r.status in ("ok", "empty") else "error"] += 1
                if r.status == "ok":
                    categories[r.category] += 1
                    topics.update(r.topics)
            summary.rows += len(results)
            if progress:
                progress(summary.rows, table.rows_estimate)
        if summary.rows == 0:
            writer.write(pd.DataFrame(columns=columns))  # a table with no rows still has its header
    summary.categories = {k: categories.get(k, 0) for k in labels.category_keys}
    summary.topics = {k: topics.get(k, 0) for k in labels.topic_keys}
    summary.seconds = time.perf_counter() - started
    return summary
