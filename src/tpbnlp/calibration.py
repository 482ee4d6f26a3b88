"""Turning held-out SVM scores into probabilities and a decision threshold.

Fitted on data the SVMs were not trained on (the dev split or cross-fitted
folds), so the confidence a user sees means what it says.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.linear_model import LogisticRegression

__all__ = ["best_threshold", "fit_platt", "fit_temperature"]


def fit_platt(decision: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping an SVM score to a probability (Platt scaling) on held-out data."""
    if truth.min() == truth.max():
        return (1.0, 0.0)
    model = LogisticRegression(C=100.0).fit(decision.reshape(-1, 1), truth)
    return (float(model.coef_[0, 0]), float(model.intercept_[0]))


def fit_temperature(decision: np.ndarray, target: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of held-out labels."""

    def nll(log_t: float) -> float:
        return -float(np.mean(log_softmax(decision / np.exp(log_t), axis=1)[np.arange(len(target)), target]))

    return float(np.exp(minimize_scalar(nll, bounds=(-6, 3), method="bounded").x))


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
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
