"""Compare tpbnlp with its peers on the corpus, in one run, on the same split.

Peers:
- ``underthesea_core.TextClassifier``: the TF-IDF + linear SVM engine behind
  underthesea's own classifier, given the same normalised, word-segmented text;
- fastText supervised (PyPI ``fasttext-numpy2``), word 1–2-grams and character
  2–5-grams, given the same segmented text; topics with its one-vs-all loss;
- a keyword-rule baseline (``keyword_rules.py``).

Every method trains on the train split; tpbnlp and fastText use dev only as the
model itself allows (tpbnlp: choosing C and calibrating on the real-derived dev
rows, real rows weighted as ``tpbnlp train`` does; fastText: nothing); all are
measured once on the test split, separately on its authored and its
real-derived rows (sites no method saw in training), and on the real-derived
rows' diacritic-free copy.
Training time counts each method's own preprocessing; throughput is rows per
second from raw text to labels on the test split, preprocessing included.

Run: python benchmarks/compare.py  (needs: pip install ".[bench]")
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keyword_rules  # noqa: E402

from tpbnlp.corpus import load_corpus  # noqa: E402
from tpbnlp.labels import CATEGORY_KEYS, load_labels  # noqa: E402
from tpbnlp.model import OpinionClassifier  # noqa: E402
from tpbnlp.text import preprocess_many, strip_diacritics  # noqa: E402
from tpbnlp.train import ASSESS_FIRST, C_GRID, sample_weights, tuning_rows  # noqa: E402

TOPIC_KEYS = load_labels().topic_keys


def macro_f1(truth, predicted) -> float:
    return float(f1_score(truth, predicted, labels=list(CATEGORY_KEYS), average="macro", zero_division=0))


def topic_micro_f1(truth, predicted) -> float:
    def matrix(rows):
        return np.array([[k in set(r) for k in TOPIC_KEYS] for r in rows], dtype=int)

    return float(f1_score(matrix(truth), matrix(predicted), average="micro", zero_division=0))


def run_tpbnlp(train, dev, test_texts):
    dev = tuning_rows(dev)
    calibration = (list(dev.text), list(dev.category), list(dev.topics))
    weights = sample_weights(train.origin)
    best = None
    for C in C_GRID:
        started = time.perf_counter()
        model = OpinionClassifier(C=C, assess_first=ASSESS_FIRST).fit(
            list(train.text), list(train.category), list(train.topics), sample_weight=weights, calibration=calibration
        )
        seconds = time.perf_counter() - started
        score = macro_f1(dev.category, [p.category for p in model.predict_many(dev.text)])
        if best is None or score > best[0]:
            best = (score, model, seconds)
    _, model, seconds = best

    def predict(texts):
        predictions = model.predict_many(texts)
        return [p.category for p in predictions], [p.topics for p in predictions]

    return seconds, predict


def run_underthesea(train, dev, test_texts):
    import underthesea_core

    started = time.perf_counter()
    classifier = underthesea_core.TextClassifier(max_features=20000, ngram_range=(1, 2), c=1.0)
    classifier.fit(preprocess_many(list(train.text)), list(train.category))
    seconds = time.perf_counter() - started

    def predict(texts):
        return list(classifier.predict_batch(preprocess_many(texts))), None

    return seconds, predict


def run_fasttext(train, dev, test_texts):
    import fasttext

    def line(labels, text):
        return " ".join(f"__label__{label}" for label in labels) + " " + text.replace("\n", " ") + "\n"

    options = dict(epoch=25, lr=0.5, wordNgrams=2, minn=2, maxn=5, dim=100, thread=2, verbose=0)
    started = time.perf_counter()
    segmented = preprocess_many(list(train.text))
    with tempfile.TemporaryDirectory() as tmp:
        category_file, topic_file = Path(tmp, "category.txt"), Path(tmp, "topics.txt")
        category_file.write_text("".join(line([c], t) for c, t in zip(train.category, segmented)), encoding="utf-8")
        topic_file.write_text(
            "".join(line(list(tp) or ["none"], t) for tp, t in zip(train.topics, segmented)), encoding="utf-8"
        )
        category_model = fasttext.train_supervised(str(category_file), **options)
        topic_model = fasttext.train_supervised(str(topic_file), loss="ova", **options)
    seconds = time.perf_counter() - started

    def predict(texts):
        seg = [t.replace("\n", " ") for t in preprocess_many(texts)]
        categories = [labels[0].removeprefix("__label__") for labels in category_model.predict(seg)[0]]
        topic_labels, topic_probs = topic_model.predict(seg, k=-1, threshold=0.5)
        topics = [[l.removeprefix("__label__") for l in row if l != "__label__none"][:3] for row in topic_labels]
        return categories, topics

    return seconds, predict


def run_keywords(train, dev, test_texts):
    def predict(texts):
        return [keyword_rules.classify(t) for t in texts], [keyword_rules.topics(t) for t in texts]

    return 0.0, predict


METHODS = {
    "tpbnlp": run_tpbnlp,
    "underthesea_core.TextClassifier": run_underthesea,
    "fastText": run_fasttext,
    "keyword rules": run_keywords,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--only", nargs="*", choices=list(METHODS), default=list(METHODS))
    args = parser.parse_args()
    frame = load_corpus(args.corpus)
    train, dev, test = (frame[frame["split"] == s] for s in ("train", "dev", "test"))
    authored, real = test[test.origin == "authored"], test[test.origin == "real"]
    test_texts = list(test.text)
    unaccented = [strip_diacritics(t) for t in real.text]
    print(
        f"corpus: {len(train)} train, {len(dev)} dev, {len(test)} test rows ({len(authored)} authored, "
        f"{len(real)} real-derived); {os.cpu_count()} cores",
        flush=True,
    )
    is_real = np.array(test.origin == "real")
    rows = []
    for name in args.only:
        seconds, predict = METHODS[name](train, dev, test_texts)
        started = time.perf_counter()
        categories, topics = predict(test_texts)
        throughput = len(test_texts) / (time.perf_counter() - started)
        categories = np.array(categories)
        plain_categories, _ = predict(unaccented)
        real_topics = [t for t, r in zip(topics, is_real) if r] if topics is not None else None
        rows.append(
            (
                name,
                macro_f1(authored.category, categories[~is_real]),
                macro_f1(real.category, categories[is_real]),
                float(np.mean(categories[is_real] == np.array(real.category))),
                macro_f1(real.category, plain_categories),
                topic_micro_f1(real.topics, real_topics) if real_topics is not None else None,
                seconds,
                throughput,
            )
        )
        print(f"done: {name}", flush=True)
    print()
    print(
        "| method | macro-F1, authored test | macro-F1, real test | accuracy, real test | "
        "macro-F1, real test without diacritics | topic micro-F1, real test | training (s) | rows/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, f1, real_f1, real_accuracy, plain, topic, seconds, throughput in rows:
        topic_cell = f"{topic:.3f}" if topic is not None else "–"
        print(
            f"| {name} | {f1:.3f} | {real_f1:.3f} | {real_accuracy:.3f} | {plain:.3f} | {topic_cell} | "
            f"{seconds:.1f} | {throughput:,.0f} |"
        )


if __name__ == "__main__":
    main()
