"""The classifier: one category and topic tags for each opinion, with calibrated confidence.

Three parts, in scikit-learn's habits. :class:`~tpbnlp.features.OpinionFeatures`
turns prepared text (:func:`tpbnlp.text.prepare`) into TF-IDF of words and of
diacritic-free syllables. The category comes from a :class:`TwoStepSVC` over
them, its scores turned into probabilities by a softmax temperature (and, in
two steps, Platt scaling of "assesses anyone") fitted on held-out data
(:mod:`tpbnlp.calibration`). Each topic comes from its own linear SVM over the
same features, Platt-scaled and compared with one threshold shared by all topics.

Every fitted part is arrays and vocabularies, so :mod:`tpbnlp.store` saves a
model without pickling and rebuilds it with any supported scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from .calibration import best_threshold, fit_platt, fit_temperature
from .features import OpinionFeatures
from .labels import CATEGORY_KEYS, LabelSet, packaged_labels
from .text import Prepared, prepare_many, preprocess_many, strip_diacritics

__all__ = ["REVIEW_THRESHOLD", "Explanation", "OpinionClassifier", "Prediction", "TwoStepSVC"]

#: Predictions whose confidence is under this are flagged ``needs_review``.
REVIEW_THRESHOLD = 0.6
MAX_TOPICS = 3
#: The category of opinions that assess nobody (the first question of the labelling rules).
OTHER = "linh_vuc_khac"
_OTHER_COLUMN = CATEGORY_KEYS.index(OTHER)
#: Columns (in report order) of the four categories that assess someone.
_ASSESSING_COLUMNS = [j for j in range(len(CATEGORY_KEYS)) if j != _OTHER_COLUMN]


@dataclass
class Prediction:
    """The labels of one opinion; ``status`` other than ``ok`` (``empty``, ``error: …``) means it has none."""

    text: str
    category: str
    category_name: str
    confidence: float
    scores: dict[str, float]
    topics: list[str]
    topic_scores: dict[str, float]
    needs_review: bool
    status: str = "ok"


@dataclass
class Explanation:
    """Terms that pushed the decision most, with signed weights (positive: towards the label)."""

    category: str
    terms: list[tuple[str, float]] = field(default_factory=list)
    topic_terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


class TwoStepSVC(ClassifierMixin, BaseEstimator):
    """A linear SVM over all classes or, with ``first``, in two steps as the labelling rules decide.

    With ``first`` set (the category of opinions that assess nobody), one
    binary SVM tells ``first`` from the rest (score ``b``, positive for the
    rest) and a second SVM, trained on the rest only, chooses among them
    (scores ``r``). ``decision_function`` gives ``-b`` for ``first`` and
    ``r - max(r) + b`` for the rest, so its arg-max is the prediction and a
    softmax over the rest's columns is that of ``r``.
    """

    def __init__(self, *, C: float = 1.0, first: str | int | None = None, class_weight: str | dict | None = "balanced") -> None:
        self.C = C
        self.first = first
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight=self.class_weight)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TwoStepSVC:
        X, y = check_X_y(X, y, accept_sparse="csr")
        check_classification_targets(y)
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        if len(self.classes_) < 2:
            raise ValueError(f"TwoStepSVC needs samples of at least 2 classes; got 1 class ({self.classes_[0]!r})")
        if self.first is None or self.first not in self.classes_ or len(self.classes_) < 3:
            self.steps_ = [self._svm().fit(X, y, sample_weight=weights)]
            return self
        rest = y != self.first
        self.steps_ = [
            self._svm().fit(X, rest, sample_weight=weights),
            self._svm().fit(X[rest], y[rest], sample_weight=weights[rest]),
        ]
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores with one column per class of ``classes_`` (one column for two classes in one step)."""
        check_is_fitted(self, "steps_")
        X = check_array(X, accept_sparse="csr")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting {self.n_features_in_} features as input.")
        if len(self.steps_) == 1:
            return self.steps_[0].decision_function(X)
        binary, rest = self.steps_
        b = binary.decision_function(X)
        r = rest.decision_function(X)
        if r.ndim == 1:
            r = np.column_stack([-r, r])
        decision = np.zeros((X.shape[0], len(self.classes_)))
        decision[:, list(self.classes_).index(self.first)] = -b
        decision[:, [list(self.classes_).index(c) for c in rest.classes_]] = r - r.max(axis=1, keepdims=True) + b[:, None]
        return decision

    def predict(self, X: Any) -> np.ndarray:
        decision = self.decision_function(X)
        if decision.ndim == 1:
            return self.classes_[(decision > 0).astype(int)]
        return self.classes_[np.argmax(decision, axis=1)]


class OpinionClassifier(BaseEstimator):
    """Category and topic classifier for Vietnamese opinions, in scikit-learn's fit/predict style.

    ``fit`` takes raw texts: preparation is part of the model, so callers
    never segment text themselves. The softmax temperature and the topic
    thresholds are fitted on ``calibration`` data when given (the corpus dev
    split), otherwise on cross-validated scores of the training data.

    Parameters: ``C`` and ``topic_C`` regularise the category and topic SVMs;
    ``assess_first`` makes the category two steps, as the labelling rules are:
    "does it assess anyone at all?" (other or not), then which of the four
    (:class:`TwoStepSVC`); ``augment_unaccented`` adds a diacritic-free copy of
    each training text; ``review_threshold`` is the confidence under which a
    prediction is flagged for review; ``labels`` supplies display names and the
    topic order (default: the package's label file); ``n_jobs`` is the number
    of processes that prepare text (``None``: this one; ``-1``: all cores).
    """

    def __init__(
        self,
        *,
        C: float = 0.5,
        topic_C: float = 0.5,
        assess_first: bool = False,
        augment_unaccented: bool = True,
        review_threshold: float = REVIEW_THRESHOLD,
        labels: LabelSet | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.C = C
        self.topic_C = topic_C
        self.assess_first = assess_first
        self.augment_unaccented = augment_unaccented
        self.review_threshold = review_threshold
        self.labels = labels
        self.n_jobs = n_jobs

    # -- fitting ------------------------------------------------------------------

    @property
    def label_set(self) -> LabelSet:
        """The labels in use: ``labels``, or the package's."""
        return self.labels or packaged_labels()

    def fit(
        self,
        texts: Sequence[str],
        categories: Sequence[str],
        topics: Sequence[Iterable[str]],
        *,
        sample_weight: Sequence[float] | None = None,
        calibration: tuple[Sequence[str], Sequence[str], Sequence[Iterable[str]]] | None = None,
    ) -> OpinionClassifier:
        """Fit on raw texts, their category keys and their topic keys.

        ``sample_weight`` weighs each training text (the corpus gives real
        opinions more weight than authored ones); ``calibration`` is held-out
        data for the temperature and the topic threshold.
        """
        unknown = set(categories) - set(CATEGORY_KEYS)
        if unknown:
            raise ValueError(f"unknown category keys: {sorted(unknown)}")
        texts, categories, topic_sets = list(texts), list(categories), [set(t) for t in topics]
        weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        known_topics = self.label_set.topic_keys
        self.classes_ = np.array(CATEGORY_KEYS)
        self.topic_keys_ = np.array([k for k in known_topics if any(k in t for t in topic_sets)])
        if self.augment_unaccented:
            copies = [i for i, t in enumerate(texts) if strip_diacritics(t) != t]
            texts += [strip_diacritics(texts[i]) for i in copies]
            categories += [categories[i] for i in copies]
            topic_sets += [topic_sets[i] for i in copies]
            weights = np.concatenate([weights, weights[copies]])

        segmented = preprocess_many(texts, n_jobs=self.n_jobs)
        self.features_ = OpinionFeatures().fit(segmented)
        X = self.features_.transform(segmented)
        y, Y = np.array(categories), self._topic_matrix(topic_sets)
        self.category_model_ = self._new_category_model().fit(X, y, sample_weight=weights)
        self.topic_models_ = [self._new_topic_model().fit(X, Y[:, j], sample_weight=weights) for j in range(Y.shape[1])]
        for model in [*self.category_model_.steps_, *self.topic_models_]:
            model.coef_ = model.coef_.astype(np.float32)  # halves the saved model; scores differ below 1e-6

        if calibration is not None:
            cal_texts, cal_categories, cal_topics = calibration
            decision, topic_decision = self._decisions(self._prepare(cal_texts))
            cal_y, cal_Y = np.array(list(cal_categories)), self._topic_matrix([set(t) for t in cal_topics])
        else:
            decision, topic_decision = self._cross_val_decisions(X, y, Y, weights)
            cal_y, cal_Y = y, Y
        self.category_calibration_ = self._fit_category_calibration(decision, cal_y)
        self.topic_platt_ = np.array([fit_platt(topic_decision[:, j], cal_Y[:, j]) for j in range(cal_Y.shape[1])]).reshape(-1, 2)
        topic_proba = self._topic_proba(topic_decision)
        # One threshold for all topics: per-topic thresholds overfit the few dozen examples each has in dev.
        self.topic_thresholds_ = np.full(cal_Y.shape[1], best_threshold(topic_proba.ravel(), cal_Y.ravel()))
        return self

    def _new_category_model(self) -> TwoStepSVC:
        return TwoStepSVC(C=self.C, first=OTHER if self.assess_first else None)

    def _new_topic_model(self) -> LinearSVC:
        return LinearSVC(C=self.topic_C, class_weight="balanced")

    def _category_decision(self, model: TwoStepSVC, X: Any) -> np.ndarray:
        """Decision scores, one column per category in report order."""
        columns = [list(model.classes_).index(k) for k in CATEGORY_KEYS]
        return model.decision_function(X)[:, columns]

    def _fit_category_calibration(self, decision: np.ndarray, truth: Iterable[str]) -> np.ndarray:
        """Softmax temperature (and, with ``assess_first``, Platt scaling of the other-or-not score)."""
        target = np.array([CATEGORY_KEYS.index(c) for c in truth])
        if not self.assess_first:
            return np.array([fit_temperature(decision, target)])
        assessing = target != _OTHER_COLUMN
        remap = {j: k for k, j in enumerate(_ASSESSING_COLUMNS)}
        temperature = fit_temperature(
            decision[assessing][:, _ASSESSING_COLUMNS], np.array([remap[t] for t in target[assessing]])
        )
        return np.array([temperature, *fit_platt(decision[:, _OTHER_COLUMN], (~assessing).astype(int))])

    def _category_proba(self, decision: np.ndarray) -> np.ndarray:
        temperature = self.category_calibration_[0]
        if not self.assess_first:
            return softmax(decision / temperature, axis=1)
        slope, intercept = self.category_calibration_[1:]
        p_other = expit(decision[:, _OTHER_COLUMN] * slope + intercept)
        proba = np.zeros_like(decision)
        proba[:, _ASSESSING_COLUMNS] = softmax(decision[:, _ASSESSING_COLUMNS] / temperature, axis=1) * (1 - p_other)[:, None]
        proba[:, _OTHER_COLUMN] = p_other
        return proba

    def _topic_matrix(self, topic_sets: Sequence[set[str]]) -> np.ndarray:
        matrix = np.zeros((len(topic_sets), len(self.topic_keys_)), dtype=int)
        for i, topics in enumerate(topic_sets):
            for j, key in enumerate(self.topic_keys_):
                matrix[i, j] = key in topics
        return matrix

    def _cross_val_decisions(self, X: Any, y: np.ndarray, Y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        decision = np.zeros((X.shape[0], len(self.classes_)))
        topic_decision = np.full(Y.shape, -1.0)
        for train, held in StratifiedKFold(n_splits=3, shuffle=True, random_state=0).split(X, y):
            model = self._new_category_model().fit(X[train], y[train], sample_weight=weights[train])
            decision[held] = self._category_decision(model, X[held])
            for j in range(Y.shape[1]):
                if 0 < Y[train, j].sum() < len(train):
                    model = self._new_topic_model().fit(X[train], Y[train, j], sample_weight=weights[train])
                    topic_decision[held, j] = model.decision_function(X[held])
        return decision, topic_decision

    # -- prediction ---------------------------------------------------------------

    def _prepare(self, texts: Iterable[object]) -> list[str]:
        """Prepared text of every row ('' for a row that cannot be prepared)."""
        return [p.text for p in prepare_many(texts, n_jobs=self.n_jobs)]

    def _decisions(self, prepared: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        X = self.features_.transform(prepared)
        # The product itself: each LinearSVC's decision_function costs more in input checks than in arithmetic.
        topic_decision = np.zeros((X.shape[0], len(self.topic_models_)))
        for j, model in enumerate(self.topic_models_):
            topic_decision[:, j] = X @ model.coef_[0] + model.intercept_[0]
        return self._category_decision(self.category_model_, X), topic_decision

    def _topic_proba(self, topic_decision: np.ndarray) -> np.ndarray:
        return expit(topic_decision * self.topic_platt_[:, 0] + self.topic_platt_[:, 1])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated category probabilities; columns in ``classes_`` (report) order."""
        decision, _ = self._decisions(self._prepare(texts))
        return self._category_proba(decision)

    def predict_many(self, texts: Iterable[object], *, prepared: Sequence[Prepared] | None = None) -> list[Prediction]:
        """Labels for many texts, in order: one :class:`Prediction` per text, whatever it holds.

        ``None``, NaN and texts without words get status ``empty``; a text
        that cannot be read (damaged bytes, another script, legacy-font text
        that does not convert) gets ``error: …`` with the reason. Neither stops
        the batch. A single string is refused (``TypeError``): it would be read
        as one text per character. ``prepared``: the texts as
        :func:`tpbnlp.text.prepare_many` gives them, for a caller who needs them
        too and should not prepare them twice.
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError("predict_many takes a list of texts, not one string; use predict(text) for one text")
        texts = list(texts)
        prepared = prepare_many(texts, n_jobs=self.n_jobs) if prepared is None else prepared
        if len(prepared) != len(texts):
            raise ValueError(f"{len(prepared)} prepared texts for {len(texts)} texts")
        good = [i for i, p in enumerate(prepared) if p.status == "ok"]
        labels = self.label_set
        predictions = [_unlabelled(t if isinstance(t, str) else "", p.status) for t, p in zip(texts, prepared)]
        if not good:
            return predictions
        decision, topic_decision = self._decisions([prepared[i].text for i in good])
        proba = self._category_proba(decision)
        topic_proba = self._topic_proba(topic_decision)
        for i, p, tp in zip(good, proba, topic_proba):
            best = int(np.argmax(p))
            category = str(self.classes_[best])
            above = [j for j in np.argsort(-tp) if tp[j] >= self.topic_thresholds_[j]][:MAX_TOPICS]
            predictions[i] = Prediction(
                text=predictions[i].text,
                category=category,
                category_name=labels.name(category),
                confidence=float(p[best]),
                scores={str(k): float(v) for k, v in zip(self.classes_, p)},
                topics=[str(self.topic_keys_[j]) for j in above],
                topic_scores={str(k): float(v) for k, v in zip(self.topic_keys_, tp)},
                needs_review=bool(p[best] < self.review_threshold or prepared[i].truncated),
            )
        return predictions

    def predict(self, text: object) -> Prediction:
        """Labels for one text (``None`` is an empty text)."""
        return self.predict_many([text])[0]

    def explain(self, text: str, top: int = 8) -> Explanation:
        """The words and syllable n-grams that pushed the category and each chosen topic most."""
        prediction = self.predict(text)
        if prediction.status != "ok":
            return Explanation(prediction.category)
        row = self.features_.transform(self._prepare([text])).getrow(0)
        names = self.features_.get_feature_names_out()
        coef = self._category_coef(prediction.category)
        terms = _top_terms(names[row.indices], row.data * coef[row.indices], top)
        topic_terms = {}
        for key in prediction.topics:
            model = self.topic_models_[list(self.topic_keys_).index(key)]
            topic_terms[key] = _top_terms(names[row.indices], row.data * model.coef_[0, row.indices], top)
        return Explanation(prediction.category, terms, topic_terms)

    def _category_coef(self, category: str) -> np.ndarray:
        """The weights that push towards ``category``."""
        steps = self.category_model_.steps_
        if len(steps) == 2 and category == OTHER:
            return -steps[0].coef_[0]
        return steps[-1].coef_[list(steps[-1].classes_).index(category)]


def _unlabelled(text: str, status: str) -> Prediction:
    return Prediction(text, "", "", 0.0, {}, [], {}, True, status)


def _top_terms(names: np.ndarray, weights: np.ndarray, top: int) -> list[tuple[str, float]]:
    """The heaviest word and syllable terms; a syllable term that repeats a word term without diacritics is skipped."""
    terms: list[tuple[str, float]] = []
    seen: set[str] = set()
    for i in np.argsort(-np.abs(weights)):
        _, _, term = str(names[i]).partition(":")
        term = term.replace("_", " ")
        if weights[i] == 0 or strip_diacritics(term) in seen:
            continue
        seen.add(strip_diacritics(term))
        terms.append((term, round(float(weights[i]), 4)))
        if len(terms) == top:
            break
    return terms
