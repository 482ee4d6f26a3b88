"""Training the default model from the corpus, with an honest evaluation.

The corpus's fixed splits are used the one way they allow: ``train`` to fit,
``dev`` to choose ``C`` and to calibrate (softmax temperature, topic
thresholds), ``test`` only to measure the chosen model, once. When the corpus
has real-derived rows (``origin`` real), ``C`` is chosen and the calibration
fitted on the real-derived dev rows alone, from sites the model never saw: the
model is meant for real text, and a confidence should mean what it says there.
Real-derived training rows weigh ``real_weight`` times an authored one. The
choices and their figures are in ``benchmarks/select_model.py`` and the README.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.model_selection import GridSearchCV, PredefinedSplit

from .corpus import default_corpus_path, load_corpus
from .corpus_check import check_corpus
from .errors import CorpusError
from .evaluate import Evaluation, evaluate
from .labelled import read_labelled
from .labels import LabelSet, load_labels
from .model import OpinionClassifier
from .numbers import format_number
from .store import save
from .text import strip_diacritics

__all__ = ["ASSESS_FIRST", "C_GRID", "LOCAL_WEIGHT", "REAL_WEIGHT", "AddedFigures", "TrainResult", "sample_weights", "train", "tuning_rows"]

C_GRID: tuple[float, ...] = (0.25, 0.5, 1.0)
#: How much a real-derived training opinion weighs against an authored one, and whether the
#: category is decided in two steps (assesses anyone at all? then which of four). Both were
#: chosen on the real-derived dev rows by ``benchmarks/select_model.py`` (figures in the README).
REAL_WEIGHT = 2.0
ASSESS_FIRST = True
#: How much an added (locally corrected) opinion weighs: the province's own text counts most.
LOCAL_WEIGHT = 3.0


def tuning_rows(dev: pd.DataFrame) -> pd.DataFrame:
    """The dev rows that choose ``C`` and fit the calibration: the real-derived ones, when there are any."""
    real = dev[dev["origin"] == "real"]
    return real if len(real) else dev


def sample_weights(origins: Iterable[str], real_weight: float = REAL_WEIGHT) -> list[float]:
    """One training weight per row: ``real_weight`` for a real-derived opinion, 1 for an authored one."""
    return [real_weight if origin == "real" else 1.0 for origin in origins]


@dataclass
class AddedFigures:
    """How models do on the added rows: the model they replace, and the new one estimated by cross-validation."""

    rows: int
    before_accuracy: float | None
    before_macro_f1: float | None
    after_accuracy: float
    after_macro_f1: float


@dataclass
class TrainResult:
    directory: Path
    model: OpinionClassifier
    C: float
    dev: Evaluation  # with figures per origin in ``by_group`` when the corpus has both
    test: Evaluation
    test_unaccented: Evaluation
    seconds: float
    added: AddedFigures | None = None


def train(
    corpus: str | os.PathLike[str] | None = None,
    output: str | os.PathLike[str] = Path("models") / "default",
    *,
    c_grid: Sequence[float] = C_GRID,
    real_weight: float = REAL_WEIGHT,
    assess_first: bool = ASSESS_FIRST,
    add: Sequence[str | os.PathLike[str]] = (),
    local_weight: float = LOCAL_WEIGHT,
    before: OpinionClassifier | None = None,
    labels: LabelSet | None = None,
    n_jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Fit on the train split, tune on dev, measure on test, and save to ``output``.

    ``add`` names labelled tables (a corrected tagged file as it is, see
    :func:`tpbnlp.labelled.read_labelled`) whose rows join the training rows with
    weight ``local_weight``; their figures are then estimated by 3-fold
    cross-validation, and compared with ``before`` (the model they replace).
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    labels = labels or load_labels()
    path = Path(corpus) if corpus is not None else default_corpus_path()
    frame = load_corpus(path)
    report = check_corpus(frame, labels, floors=None)
    if not report.ok:
        raise CorpusError(
            f"Bộ dữ liệu {path} có {len(report.problems)} lỗi, chưa huấn luyện được (xem 'tpbnlp corpus check'). "
            f"Lỗi đầu tiên: {report.problems[0]}"
        )
    parts = {name: frame[frame["split"] == name] for name in ("train", "dev", "test")}
    for name, part in parts.items():
        if part.empty:
            raise CorpusError(f"Bộ dữ liệu {path} không có dòng nào thuộc split '{name}'.")
    train_part, dev, test = parts["train"], parts["dev"], parts["test"]
    added, added_files = _added(add, labels)
    train_part = pd.concat([train_part, added], ignore_index=True)
    tune = tuning_rows(dev)
    calibration = (list(tune["text"]), list(tune["category"]), list(tune["topics"]))
    weights = [local_weight if o == "local" else w for o, w in zip(train_part["origin"], sample_weights(train_part["origin"], real_weight))]
    which = "các ý kiến thực tế của tập dev" if tune is not dev else "tập dev"

    say(f"Chọn C trong {list(c_grid)} trên {which} ({len(tune)} ý kiến), huấn luyện trên {len(train_part)} ý kiến…")
    texts = list(train_part["text"]) + calibration[0]
    search = GridSearchCV(
        OpinionClassifier(assess_first=assess_first, labels=labels, n_jobs=n_jobs),
        {"C": list(c_grid)},
        scoring=_macro_f1,
        cv=PredefinedSplit([-1] * len(train_part) + [0] * len(tune)),  # fit on train, score on the tuning rows
        refit=False,  # the tuning rows calibrate the final model, so they cannot also train it
        error_score="raise",
    ).fit(
        texts,
        list(train_part["category"]) + calibration[1],
        topics=list(train_part["topics"]) + calibration[2],
        sample_weight=weights + [1.0] * len(tune),
        calibration=calibration,
    )
    for C, score in zip(search.cv_results_["param_C"], search.cv_results_["mean_test_score"]):
        say(f"  C={C}: macro-F1 trên {which} {format_number(score, 4, trim=False)}")
    C = float(search.best_params_["C"])
    model = OpinionClassifier(C=C, assess_first=assess_first, labels=labels, n_jobs=n_jobs).fit(
        list(train_part["text"]),
        list(train_part["category"]),
        list(train_part["topics"]),
        sample_weight=weights,
        calibration=calibration,
    )

    say("Đánh giá trên tập test…")
    dev_eval = evaluate(model, list(dev["text"]), list(dev["category"]), list(dev["topics"]), groups=list(dev["origin"]))
    test_eval = evaluate(model, list(test["text"]), list(test["category"]), list(test["topics"]), groups=list(test["origin"]))
    unaccented = evaluate(
        model,
        [strip_diacritics(t) for t in test["text"]],
        list(test["category"]),
        list(test["topics"]),
        groups=list(test["origin"]),
    )
    figures = None
    if len(added):
        say(f"Ước lượng trên {len(added)} ý kiến bổ sung (kiểm định chéo 3 phần)…")
        figures = _cross_validated(added, train_part, weights, calibration, C, assess_first, labels, n_jobs, before)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    directory = save(
        model,
        output,
        corpus={"file": path.name, "sha256": digest, "rows": len(frame), "splits": report.splits, "added": added_files},
        params={
            "C": C,
            "topic_C": model.topic_C,
            "c_grid": list(c_grid),
            "real_weight": real_weight,
            "local_weight": local_weight,
            "assess_first": assess_first,
            "tuned_on": "dev, origin real" if tune is not dev else "dev",
            "review_threshold": model.review_threshold,
        },
        metrics={
            "dev": _summary(dev_eval),
            "test": _summary(test_eval),
            "test_unaccented": _summary(unaccented),
            **{f"dev_{origin}": _summary(part) for origin, part in dev_eval.by_group.items()},
            **{f"test_{origin}": _summary(part) for origin, part in test_eval.by_group.items()},
            **{f"test_{origin}_unaccented": _summary(part) for origin, part in unaccented.by_group.items()},
        },
        test_confusion=test_eval.confusion,
    )
    return TrainResult(directory, model, C, dev_eval, test_eval, unaccented, time.perf_counter() - started, figures)


def _added(paths: Sequence[str | os.PathLike[str]], labels: LabelSet) -> tuple[pd.DataFrame, list[dict]]:
    """The rows of the added tables as corpus rows of origin ``local``, and what the manifest records of each file."""
    rows, files = [], []
    for path in paths:
        found = read_labelled(path, labels)
        topics = found.topics or [()] * len(found.texts)
        rows += [{"text": t, "category": c, "topics": tuple(k), "origin": "local"} for t, c, k in zip(found.texts, found.categories, topics)]
        files.append({"file": Path(path).name, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
                      "rows": len(found.texts), "skipped": found.skipped})
    return pd.DataFrame(rows, columns=["text", "category", "topics", "origin"]), files


def _cross_validated(
    added: pd.DataFrame,
    train_part: pd.DataFrame,
    weights: list[float],
    calibration: tuple[list, list, list],
    C: float,
    assess_first: bool,
    labels: LabelSet,
    n_jobs: int | None,
    before: OpinionClassifier | None,
) -> AddedFigures:
    """Each third of the added rows predicted by a model trained without it (the corpus and the other two thirds)."""
    from sklearn.metrics import accuracy_score, f1_score

    local = [i for i, o in enumerate(train_part["origin"]) if o == "local"]
    others = [i for i, o in enumerate(train_part["origin"]) if o != "local"]
    predicted = [""] * len(local)
    for fold in range(3):
        positions = range(fold, len(local), 3)
        held = [local[n] for n in positions]
        keep = others + [i for n, i in enumerate(local) if n % 3 != fold]
        part = train_part.iloc[keep]
        model = OpinionClassifier(C=C, assess_first=assess_first, labels=labels, n_jobs=n_jobs).fit(
            list(part["text"]), list(part["category"]), list(part["topics"]),
            sample_weight=[weights[i] for i in keep], calibration=calibration,
        )
        for n, p in zip(positions, model.predict_many(list(train_part["text"].iloc[held]))):
            predicted[n] = p.category
    truth = list(added["category"])
    before_accuracy = before_f1 = None
    if before is not None:
        previous = [p.category for p in before.predict_many(list(added["text"]))]
        before_accuracy = float(accuracy_score(truth, previous))
        before_f1 = float(f1_score(truth, previous, average="macro", zero_division=0))
    return AddedFigures(len(truth), before_accuracy, before_f1, float(accuracy_score(truth, predicted)),
                        float(f1_score(truth, predicted, average="macro", zero_division=0)))


def _macro_f1(model: OpinionClassifier, texts: Sequence[str], categories: Sequence[str], sample_weight: object = None) -> float:
    """The score that chooses ``C``: category macro-F1 of the calibrated model (tuning rows weigh one each)."""
    return evaluate(model, texts, categories).macro_f1


def _summary(result: Evaluation) -> dict:
    return {
        "rows": result.rows,
        "accuracy": result.accuracy,
        "macro_f1": result.macro_f1,
        "per_category_f1": {c.key: c.f1 for c in result.categories},
        "calibration_error": result.calibration_error,
        "topic_micro_f1": result.topic_micro_f1,
        "topic_macro_f1": result.topic_macro_f1,
    }
