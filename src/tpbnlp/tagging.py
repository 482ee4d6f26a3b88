"""Batch tagging: every row of a table gets labels or a status saying why not, in order.

Rows stream through in chunks; on large inputs the chunks are classified by
worker processes (one per core) while this process reads and writes, so
preparing text and computing features, the slow parts, run on every core. Nothing a row contains can stop
the batch: empty cells, numbers, other scripts, damaged bytes, huge cells and
undecodable legacy text each get a status, and the rest are tagged.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .labels import LabelSet
from .model import OpinionClassifier
from .tables.read import open_table
from .tables.write import XlsxWriter, open_writer

__all__ = ["OUTPUT_COLUMNS", "RowResult", "TagSummary", "tag_file", "tag_texts"]

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


def tag_texts(model: OpinionClassifier, texts: Sequence[object], labels: LabelSet | None = None) -> list[RowResult]:
    """Labels or a status for every text, in order; never raises for what a text contains."""
    labels = labels or model.label_set
    results = []
    for p in model.predict_many(texts):
        if p.status != "ok":
            results.append(RowResult(p.status))
            continue
        results.append(
            RowResult(
                status="ok",
                category=p.category,
                category_name=p.category_name,
                confidence=p.confidence,
                topics=p.topics,
                topic_names=[labels.name(t) for t in p.topics],
                needs_review=p.needs_review,
            )
        )
    return results


# -- worker processes -------------------------------------------------------------

_WORKER_MODEL: OpinionClassifier | None = None
#: Seconds between a worker's checks that the process that started it is still alive.
PARENT_CHECK_SECONDS = 0.5


def _worker_init(model: OpinionClassifier, parent: int) -> None:
    """Give a worker its model, once, and make it end with the process that started it, however that one ends (KILL too)."""
    global _WORKER_MODEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the main process
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker inherits the command's handlers; it should just end
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _WORKER_MODEL = model.set_params(n_jobs=1)  # this process's own copy: the pool is the parallelism
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="tpbnlp-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # orphaned: nobody will read what this worker computes


def _worker_tag(texts: list[str]) -> list[RowResult]:
    assert _WORKER_MODEL is not None
    return tag_texts(_WORKER_MODEL, texts)


class _Runner:
    """Classifies chunks in order: in this process for small inputs, on a pool of workers for large ones.

    Where it is safe — a platform that forks, no other thread in this process,
    no other start method chosen by the caller — the workers are forked: they start at once and share the loaded
    model's memory. Otherwise they come from joblib's loky executor, which works
    under every start method, also in a caller's script without an
    ``if __name__ == "__main__"`` guard. Either way a worker stops within a
    second once this process is gone.
    """

    def __init__(self, model: OpinionClassifier, n_jobs: int | None, parallel: bool) -> None:
        self.model = model
        self.workers = (os.cpu_count() or 1) if n_jobs is not None and n_jobs < 0 else (n_jobs or 1)
        self.parallel = parallel and self.workers > 1

    def _pool(self) -> Executor:
        initargs = (self.model, os.getpid())
        chosen = multiprocessing.get_start_method(allow_none=True)  # a caller who chose a start method keeps it
        if chosen in (None, "fork") and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            from concurrent.futures import ProcessPoolExecutor

            return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init, initargs=initargs)
        from joblib.externals.loky import get_reusable_executor

        return get_reusable_executor(max_workers=self.workers, initializer=_worker_init, initargs=initargs, reuse=False)

    def run(self, chunks: Iterable[list[str]]) -> Iterator[list[RowResult]]:
        if not self.parallel:
            for texts in chunks:
                yield tag_texts(self.model, texts)
            return
        pool = self._pool()
        pending: deque[Future] = deque()
        try:
            for texts in chunks:
                pending.append(pool.submit(_worker_tag, texts))
                if len(pending) > 2 * self.workers:  # bounded: memory stays flat however long the input
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True)


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
    n_jobs: int | None = None,
    chunk_rows: int = 500,
    progress: Callable[[int, int | None], None] | None = None,
) -> TagSummary:
    """Tag every row of ``input`` and write them, in order, with all their columns, to ``output``.

    ``output`` None writes CSV to standard output. Like scikit-learn, it works
    in this process unless ``n_jobs`` asks for more (``-1``: one worker per
    core, as ``tpbnlp tag`` does); workers are used for large inputs only.
    """
    started = time.perf_counter()
    if output is not None and "-" not in (str(output), str(input)) and Path(output).resolve() == Path(input).resolve():
        raise InputError("Tệp kết quả trùng với tệp đầu vào; hãy chọn tên khác để không ghi đè dữ liệu gốc.")
    table = open_table(input, column=column, sheet=sheet, fmt=input_format, chunk_rows=chunk_rows)
    labels = model.label_set
    columns, renamed = _output_columns(table.columns)
    summary = TagSummary(output=None if output is None else str(output))
    categories: Counter = Counter()
    topics: Counter = Counter()
    parallel = table.rows_estimate is None or table.rows_estimate >= _PARALLEL_MIN_ROWS
    runner = _Runner(model, n_jobs, parallel)
    chunks: deque[pd.DataFrame] = deque()

    def texts() -> Iterator[list[str]]:
        for chunk in table.chunks:
            chunks.append(chunk)
            # a row that could not be read has no text; its status says why
            yield ["" if i in table.errors else v for i, v in zip(chunk.index, chunk[table.text_column])]

    with open_writer(output, output_format) as writer:
        writer.number_formats = {renamed.get(c, c): f for c, f in table.number_formats.items()}
        for results in runner.run(texts()):
            chunk = chunks.popleft().rename(columns=renamed)
            for i, r in zip(chunk.index, results):
                if i in table.errors:
                    r.status = f"error: {table.errors[i]}"
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
        if isinstance(writer, XlsxWriter):  # for reviewers: a dropdown of the five names, rows to review highlighted
            names = [c.name for c in labels.categories]
            writer.add_review(writer.default_sheet, "category_name", names, "needs_review",
                              {"Lĩnh vực": names, "Chủ đề": [t.name for t in labels.topics]})
    summary.categories = {k: categories.get(k, 0) for k in labels.category_keys}
    summary.topics = {k: topics.get(k, 0) for k in labels.topic_keys}
    summary.seconds = time.perf_counter() - started
    return summary
