"""Measuring a model on labelled data: the figures ``tpbnlp evaluate`` prints and manifests store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from .labels import CATEGORY_KEYS
from .model import OpinionClassifier, Prediction

__all__ = ["ClassScore", "Evaluation", "calibration_error", "evaluate"]


@dataclass
class ClassScore:
    key: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Evaluation:
    """Category and topic figures of a model on one labelled set."""

    rows: int
    accuracy: float
    macro_f1: float
    categories: list[ClassScore]
    confusion: list[list[int]]  # rows: true category, columns: predicted, both in report order
    calibration_error: float
    needs_review_share: float
    topic_micro_f1: float | None
    topic_macro_f1: float | None
    topics: list[ClassScore]
    #: the same figures for each group of rows (e.g. per ``origin``: authored, real), when groups are given
    by_group: dict[str, Evaluation] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy, averaged over equal-width bins."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(error)


def _scores(keys: Sequence[str], truth: np.ndarray, predicted: np.ndarray) -> list[ClassScore]:
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=list(range(len(keys))) if truth.ndim == 1 else None, zero_division=0)
    return [ClassScore(k, round(float(a), 4), round(float(b), 4), round(float(c), 4), int(d)) for k, a, b, c, d in zip(keys, p, r, f, s)]


def evaluate(
    model: OpinionClassifier,
    texts: Sequence[str],
    categories: Sequence[str],
    topics: Sequence[Iterable[str]] | None = None,
    groups: Sequence[str] | None = None,
) -> Evaluation:
    """Score ``model`` against the true ``categories`` (keys) and, when given, ``topics`` (lists of keys).

    With ``groups`` (one name per row, such as the corpus ``origin``), the
    result also holds the figures of each group in ``by_group``.
    """
    predictions = model.predict_many(texts)
    result = _score(model, predictions, list(categories), None if topics is None else list(topics))
    if groups is not None:
        groups = list(groups)
        for name in dict.fromkeys(groups):
            rows = [i for i, g in enumerate(groups) if g == name]
            result.by_group[name] = _score(
                model,
                [predictions[i] for i in rows],
                [categories[i] for i in rows],
                None if topics is None else [topics[i] for i in rows],
            )
    return result


def _score(
    model: OpinionClassifier,
    predictions: Sequence[Prediction],
    categories: Sequence[str],
    topics: Sequence[Iterable[str]] | None,
) -> Evaluation:
    index = {k: i for i, k in enumerate(CATEGORY_KEYS)}
    rows = len(predictions)
    truth = np.array([index[c] for c in categories], dtype=int)
    predicted = np.array([index[p.category] for p in predictions], dtype=int)
    confidence = np.array([p.confidence for p in predictions])
    topic_micro = topic_macro = None
    topic_scores: list[ClassScore] = []
    if topics is not None and len(model.topic_keys_):  # a model trained without topics has none to score
        keys = list(model.topic_keys_)
        true_topics = np.array([[k in set(t) for k in keys] for t in topics], dtype=int).reshape(rows, len(keys))
        pred_topics = np.array([[k in p.topics for k in keys] for p in predictions], dtype=int).reshape(rows, len(keys))
        topic_micro = round(float(f1_score(true_topics, pred_topics, average="micro", zero_division=0)), 4)
        topic_macro = round(float(f1_score(true_topics, pred_topics, average="macro", zero_division=0)), 4)
        topic_scores = _scores(keys, true_topics, pred_topics)
    return Evaluation(
        rows=rows,
        accuracy=round(float(accuracy_score(truth, predicted)), 4) if rows else 0.0,
        macro_f1=round(float(f1_score(truth, predicted, labels=list(range(5)), average="macro", zero_division=0)), 4),
        categories=_scores(CATEGORY_KEYS, truth, predicted),
        confusion=confusion_matrix(truth, predicted, labels=list(range(5))).tolist(),
        calibration_error=round(calibration_error(confidence, truth == predicted), 4),
        needs_review_share=round(float(np.mean([p.needs_review for p in predictions])), 4) if rows else 0.0,
        topic_micro_f1=topic_micro,
        topic_macro_f1=topic_macro,
        topics=topic_scores,
    )
