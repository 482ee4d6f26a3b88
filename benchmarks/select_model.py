"""Choose the classifier's design on real-derived dev data: the experiments behind ``tpbnlp.train``'s defaults.

Every variant is fitted on the train split and judged on the dev split's
real-derived rows (sites the model never saw in training), with the authored
dev rows shown beside them. The test split is not touched. Variants:

- where ``C`` is chosen and calibration fitted: on all dev rows, or on the
  real-derived dev rows only;
- weights for real-derived training rows (1, 2, 4);
- ``assess_first``: a separate first step, "does it assess anyone at all?",
  before the four-way choice.

Calibration error is measured honestly: the real dev rows are split by site
into two halves; the temperature is fitted on one half and measured on the
other, and the other way round.

Run: python benchmarks/select_model.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tpbnlp.model
from tpbnlp.corpus import load_corpus, source_site
from tpbnlp.evaluate import calibration_error, evaluate
from tpbnlp.labels import CATEGORY_KEYS
from tpbnlp.model import OpinionClassifier
from tpbnlp.text import preprocess_many
from tpbnlp.train import sample_weights

_segmented: dict[str, str] = {}


def _preprocess_once(texts, n_jobs=None):
    """Segment each text once for all the variants (segmentation is most of a fit's time)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _segmented]
    if missing:
        _segmented.update(zip(missing, preprocess_many(missing, n_jobs=n_jobs)))
    return [_segmented[t] for t in texts]


tpbnlp.model.preprocess_many = _preprocess_once


def cross_fitted_ece(model: OpinionClassifier, dev) -> float:
    """Calibration error on real dev, temperature fitted on the other half of the sites."""
    sites = sorted({source_site(s) for s in dev.source})
    half = {site: i % 2 for i, site in enumerate(sites)}
    fold = np.array([half[source_site(s)] for s in dev.source])
    decision, _ = model._decisions(model._prepare(dev.text))
    truth = np.array([CATEGORY_KEYS.index(c) for c in dev.category])
    confidence, correct = np.zeros(len(dev)), np.zeros(len(dev), dtype=bool)
    saved = model.category_calibration_
    for k in (0, 1):
        model.category_calibration_ = model._fit_category_calibration(decision[fold != k], list(dev.category[fold != k]))
        proba = model._category_proba(decision[fold == k])
        confidence[fold == k] = proba.max(axis=1)
        correct[fold == k] = proba.argmax(axis=1) == truth[fold == k]
    model.category_calibration_ = saved
    return calibration_error(confidence, correct)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    frame = load_corpus(args.corpus)
    train, dev = frame[frame.split == "train"], frame[frame.split == "dev"]
    real_dev, authored_dev = dev[dev.origin == "real"], dev[dev.origin == "authored"]
    print(f"train {len(train)} ({(train.origin == 'real').sum()} real); dev {len(dev)} ({len(real_dev)} real, "
          f"{real_dev.source.map(source_site).nunique()} sites)", flush=True)

    def fit(C, weight, assess_first, calibration):
        weights = sample_weights(train.origin, weight)
        model = OpinionClassifier(C=C, assess_first=assess_first)
        return model.fit(list(train.text), list(train.category), list(train.topics), sample_weight=weights,
                         calibration=(list(calibration.text), list(calibration.category), list(calibration.topics)))

    variants = [
        ("C and calibration on all dev (before)", 1.0, False, dev, dev),
        ("C and calibration on real dev", 1.0, False, real_dev, real_dev),
        ("real rows weighted 2", 2.0, False, real_dev, real_dev),
        ("real rows weighted 4", 4.0, False, real_dev, real_dev),
        ("assess first", 1.0, True, real_dev, real_dev),
        ("assess first, real rows weighted 2", 2.0, True, real_dev, real_dev),
    ]
    print()
    print("| variant | C | real dev accuracy | real dev macro-F1 | real dev ECE | real dev topic micro-F1 | authored dev macro-F1 | fit (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, weight, assess_first, select_on, calibrate_on in variants:
        best = None
        for C in (0.25, 0.5, 1.0):
            started = time.perf_counter()
            model = fit(C, weight, assess_first, calibrate_on)
            seconds = time.perf_counter() - started
            score = evaluate(model, list(select_on.text), list(select_on.category)).macro_f1
            if best is None or score > best[0]:
                best = (score, C, model, seconds)
        _, C, model, seconds = best
        real = evaluate(model, list(real_dev.text), list(real_dev.category), list(real_dev.topics))
        authored = evaluate(model, list(authored_dev.text), list(authored_dev.category))
        ece = cross_fitted_ece(model, real_dev) if calibrate_on is real_dev else real.calibration_error
        print(f"| {name} | {C} | {real.accuracy:.3f} | {real.macro_f1:.3f} | {ece:.3f} | {real.topic_micro_f1:.3f} | "
              f"{authored.macro_f1:.3f} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
