"""The classifier: one category and topic tags for each opinion, with calibrated confidence.

Features come from the pre-processed text (:func:`tpbnlp.text.preprocess`) in
two blocks: ``word``, 1–2-grams of the segmented words; ``syll``, 1–2-grams of
diacritic-free syllables, so unaccented input and a different segmentation
meet the same features. (A third block of character 2–5-grams was measured:
it cost a quarter of the prediction time and scored lower on the dev split.)
The category comes from a linear SVM over both blocks, its scores turned into
probabilities by a softmax temperature fitted on held-out data. Each topic comes from its own
linear SVM over the ``word`` and ``syll`` blocks, its score turned into a
probability by Platt scaling and compared with one threshold shared by all
topics, both fitted on held-out data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import expit, log_softmax, softmax
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from .labels import CATEGORY_KEYS, LabelSet, load_labels
from .text import preprocess_many, strip_diacritics

__all__ = ["REVIEW_THRESHOLD", "Explanation", "OpinionClassifier", "Prediction"]

#: Predictions whose confidence is under this are flagged ``needs_review``.
REVIEW_THRESHOLD = 0.6
MAX_TOPICS = 3
#: The category of opinions that assess nobody (the first question of the labelling rules).
OTHER = "linh_vuc_khac"
_OTHER_COLUMN = CATEGORY_KEYS.index(OTHER)
#: Columns (in report order) of the four categories that assess someone.
_ASSESSING_COLUMNS = [j for j in range(len(CATEGORY_KEYS)) if j != _OTHER_COLUMN]
CATEGORY_BLOCKS = ("word", "syll")
TOPIC_BLOCKS = ("word", "syll")


@dataclass
class Prediction:
    """The labels of one opinion."""

    text: str
    category: str
    category_name: str
    confidence: float
    scores: dict[str, float]
    topics: list[str]
    topic_scores: dict[str, float]
    needs_review: bool


@dataclass
class Explanation:
    """Terms that pushed the decision most, with signed weights (positive: towards the label)."""

    category: str
    terms: list[tuple[str, float]] = field(default_factory=list)
    topic_terms: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


def _syllables(segmented: str) -> str:
    """Diacritic-free syllables: the segmentation-independent view of a text."""
    return strip_diacritics(segmented.replace("_", " "))


def _vectorizers() -> dict[str, TfidfVectorizer]:
    common = {"sublinear_tf": True, "dtype": np.float32}
    return {
        "word": TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, **common),
        "syll": TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), preprocessor=_syllables, min_df=2, **common),
    }


class OpinionClassifier(BaseEstimator):
    """Category and topic classifier for Vietnamese opinions, in scikit-learn's fit/predict style.

    ``fit`` takes raw texts: pre-processing is part of the model, so callers
    never segment text themselves. The softmax temperature and the topic
    thresholds are fitted on ``calibration`` data when given (the corpus dev
    split), otherwise on cross-validated scores of the training data.

    Parameters: ``C`` and ``topic_C`` regularise the category SVM and the topic
    regressions; ``assess_first`` makes the category two steps, as the
    labelling rules are: a binary SVM for "does it assess anyone at all?"
    (other or not), then a four-way SVM trained on the assessing opinions only;
    ``augment_unaccented`` adds a diacritic-free copy of each
    training text; ``review_threshold`` is the confidence under which a
    prediction is flagged for review; ``labels`` supplies display names
    (default: the package's label file); ``n_jobs`` is passed to
    :func:`~tpbnlp.text.preprocess_many`.
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
        known_topics = (self.labels or load_labels()).topic_keys
        self.classes_ = np.array(CATEGORY_KEYS)
        self.topic_keys_ = np.array([k for k in known_topics if any(k in t for t in topic_sets)])
        if self.augment_unaccented:
            copies = [i for i, t in enumerate(texts) if strip_diacritics(t) != t]
            texts += [strip_diacritics(texts[i]) for i in copies]
            categories += [categories[i] for i in copies]
            topic_sets += [topic_sets[i] for i in copies]
            weights = np.concatenate([weights, weights[copies]])

        segmented = preprocess_many(texts, n_jobs=self.n_jobs)
        self.vectorizers_ = _vectorizers()
        blocks = {name: v.fit_transform(segmented) for name, v in self.vectorizers_.items()}
        X, X_topic = _stack(blocks, CATEGORY_BLOCKS), _stack(blocks, TOPIC_BLOCKS)
        y, Y = np.array(categories), self._topic_matrix(topic_sets)
        self.category_models_ = self._fit_category(X, y, weights)
        self.topic_models_ = [
            self._new_topic_model().fit(X_topic, Y[:, j], sample_weight=weights) for j in range(Y.shape[1])
        ]
        for model in [*self.category_models_, *self.topic_models_]:
            model.coef_ = model.coef_.astype(np.float32)  # halves the saved model; scores differ below 1e-6

        if calibration is not None:
            cal_texts, cal_categories, cal_topics = calibration
            decision, topic_decision = self._decisions(list(cal_texts))
            cal_y, cal_Y = np.array(list(cal_categories)), self._topic_matrix([set(t) for t in cal_topics])
        else:
            decision, topic_decision = self._cross_val_decisions(X, X_topic, y, Y, weights)
            cal_y, cal_Y = y, Y
        self.category_calibration_ = self._fit_category_calibration(decision, cal_y)
        self.topic_platt_ = np.array([_fit_platt(topic_decision[:, j], cal_Y[:, j]) for j in range(cal_Y.shape[1])])
        topic_proba = self._topic_proba(topic_decision)
        # One threshold for all topics: per-topic thresholds overfit the few dozen examples each has in dev.
        self.topic_thresholds_ = np.full(cal_Y.shape[1], _best_threshold(topic_proba.ravel(), cal_Y.ravel()))
        return self

    def _new_svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight="balanced")

    def _fit_category(self, X, y: np.ndarray, weights: np.ndarray) -> list[LinearSVC]:
        """One SVM over the five categories, or (``assess_first``) other-or-not, then the other four."""
        if not self.assess_first:
            return [self._new_svm().fit(X, y, sample_weight=weights)]
        assesses = y != OTHER
        return [
            self._new_svm().fit(X, assesses, sample_weight=weights),
            self._new_svm().fit(X[assesses], y[assesses], sample_weight=weights[assesses]),
        ]

    def _category_decision(self, models: Sequence[LinearSVC], X) -> np.ndarray:
        """Decision scores, one column per category in report order."""
        if len(models) == 1:
            return _in_report_order(models[0], X)
        assess, four = models
        decision = np.zeros((X.shape[0], len(CATEGORY_KEYS)))
        decision[:, _OTHER_COLUMN] = -assess.decision_function(X)
        order = [list(four.classes_).index(CATEGORY_KEYS[j]) for j in _ASSESSING_COLUMNS]
        decision[:, _ASSESSING_COLUMNS] = four.decision_function(X)[:, order]
        return decision

    def _fit_category_calibration(self, decision: np.ndarray, truth: Sequence[str]) -> np.ndarray:
        """Softmax temperature (and, with ``assess_first``, Platt scaling of the other-or-not score)."""
        target = np.array([CATEGORY_KEYS.index(c) for c in truth])
        if not self.assess_first:
            return np.array([_fit_temperature(decision, target)])
        assessing = target != _OTHER_COLUMN
        remap = {j: k for k, j in enumerate(_ASSESSING_COLUMNS)}
        temperature = _fit_temperature(
            decision[assessing][:, _ASSESSING_COLUMNS], np.array([remap[t] for t in target[assessing]])
        )
        return np.array([temperature, *_fit_platt(decision[:, _OTHER_COLUMN], (~assessing).astype(int))])

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

    def _new_topic_model(self) -> LinearSVC:
        return LinearSVC(C=self.topic_C, class_weight="balanced")

    def _topic_matrix(self, topic_sets: Sequence[set[str]]) -> np.ndarray:
        matrix = np.zeros((len(topic_sets), len(self.topic_keys_)), dtype=int)
        for i, topics in enumerate(topic_sets):
            for j, key in enumerate(self.topic_keys_):
                matrix[i, j] = key in topics
        return matrix

    def _cross_val_decisions(self, X, X_topic, y, Y, weights) -> tuple[np.ndarray, np.ndarray]:
        decision = np.zeros((X.shape[0], len(self.classes_)))
        topic_decision = np.full(Y.shape, -1.0)
        for train, held in StratifiedKFold(n_splits=3, shuffle=True, random_state=0).split(X, y):
            decision[held] = self._category_decision(self._fit_category(X[train], y[train], weights[train]), X[held])
            for j in range(Y.shape[1]):
                if 0 < Y[train, j].sum() < len(train):
                    model = self._new_topic_model().fit(X_topic[train], Y[train, j], sample_weight=weights[train])
                    topic_decision[held, j] = model.decision_function(X_topic[held])
        return decision, topic_decision

    # -- prediction ---------------------------------------------------------------

    def _transform(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        segmented = preprocess_many(texts, n_jobs=self.n_jobs)
        blocks = {name: v.transform(segmented) for name, v in self.vectorizers_.items()}
        return _stack(blocks, CATEGORY_BLOCKS), _stack(blocks, TOPIC_BLOCKS)

    def _decisions(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        X, X_topic = self._transform(texts)
        topic_decision = np.zeros((X.shape[0], len(self.topic_models_)))
        for j, model in enumerate(self.topic_models_):
            topic_decision[:, j] = model.decision_function(X_topic)
        return self._category_decision(self.category_models_, X), topic_decision

    def _topic_proba(self, topic_decision: np.ndarray) -> np.ndarray:
        return expit(topic_decision * self.topic_platt_[:, 0] + self.topic_platt_[:, 1])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated category probabilities; columns in ``classes_`` (report) order."""
        decision, _ = self._decisions(list(texts))
        return self._category_proba(decision)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        """Labels for many texts, in order. A text with no words is flagged ``needs_review``."""
        texts = list(texts)
        if not texts:
            return []
        decision, topic_decision = self._decisions(texts)
        proba = self._category_proba(decision)
        topic_proba = self._topic_proba(topic_decision)
        labels = self.labels or load_labels()
        predictions = []
        for text, p, tp in zip(texts, proba, topic_proba):
            best = int(np.argmax(p))
            category = str(self.classes_[best])
            above = [j for j in np.argsort(-tp) if tp[j] >= self.topic_thresholds_[j]][:MAX_TOPICS]
            predictions.append(
                Prediction(
                    text=text,
                    category=category,
                    category_name=labels.name(category),
                    confidence=float(p[best]),
                    scores={str(k): float(v) for k, v in zip(self.classes_, p)},
                    topics=[str(self.topic_keys_[j]) for j in above],
                    topic_scores={str(k): float(v) for k, v in zip(self.topic_keys_, tp)},
                    needs_review=bool(p[best] < self.review_threshold or not any(c.isalnum() for c in text)),
                )
            )
        return predictions

    def predict(self, text: str) -> Prediction:
        """Labels for one text."""
        return self.predict_many([text])[0]

    def explain(self, text: str, top: int = 8) -> Explanation:
        """The words and syllable n-grams that pushed the category and each chosen topic most."""
        prediction = self.predict(text)
        X, X_topic = self._transform([text])
        names, topic_names = self._feature_names(CATEGORY_BLOCKS), self._feature_names(TOPIC_BLOCKS)
        row = X.getrow(0)
        coef = self._category_coef(prediction.category)
        terms = _top_terms(names[row.indices], row.data * coef[row.indices], top)
        topic_row = X_topic.getrow(0)
        topic_terms = {}
        for key in prediction.topics:
            model = self.topic_models_[list(self.topic_keys_).index(key)]
            weights = topic_row.data * model.coef_[0, topic_row.indices]
            topic_terms[key] = _top_terms(topic_names[topic_row.indices], weights, top)
        return Explanation(prediction.category, terms, topic_terms)

    def _category_coef(self, category: str) -> np.ndarray:
        """The weights that push towards ``category``."""
        last = self.category_models_[-1]
        if self.assess_first and category == OTHER:
            return -self.category_models_[0].coef_[0]
        return last.coef_[list(last.classes_).index(category)]

    def _feature_names(self, blocks: Sequence[str]) -> np.ndarray:
        return np.concatenate(
            [[f"{block}:{term}" for term in self.vectorizers_[block].get_feature_names_out()] for block in blocks]
        )


def _stack(blocks: dict[str, sp.csr_matrix], names: Sequence[str]) -> sp.csr_matrix:
    return sp.hstack([blocks[name] for name in names]).tocsr()


def _fit_platt(decision: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping an SVM score to a probability (Platt scaling) on held-out data."""
    if truth.min() == truth.max():
        return (1.0, 0.0)
    model = LogisticRegression(C=100.0).fit(decision.reshape(-1, 1), truth)
    return (float(model.coef_[0, 0]), float(model.intercept_[0]))


def _in_report_order(svm: LinearSVC, X) -> np.ndarray:
    """Decision scores with columns in report order (scikit-learn sorts classes alphabetically)."""
    columns = [list(svm.classes_).index(k) for k in CATEGORY_KEYS]
    return svm.decision_function(X)[:, columns]


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


def _fit_temperature(decision: np.ndarray, target: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of held-out labels."""

    def nll(log_t: float) -> float:
        return -float(np.mean(log_softmax(decision / np.exp(log_t), axis=1)[np.arange(len(target)), target]))

    return float(np.exp(minimize_scalar(nll, bounds=(-6, 3), method="bounded").x))


def _best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The probability threshold with the best (micro-)F1 on held-out data (0.5 when it has no positives)."""
    if truth.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.05, 0.951, 0.025):
        predicted = scores >= threshold
        denominator = predicted.sum() + truth.sum()
        f1 = 2 * float((predicted & (truth == 1)).sum()) / denominator if denominator else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best
