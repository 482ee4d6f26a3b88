"""Word segmentation: the dictionary longest matching tpbnlp ships against underthesea's CRF.

    python benchmarks/segmenters.py [--repeats 2] [--folds 5]

Both segmenters see the same normalised text; everything else (features,
model, parameters of the shipped model, weights of real-derived rows) is the
same. Prints
- the time each takes to segment the corpus's distinct texts (accented and
  unaccented copies, as training sees them), in one process;
- category macro-F1 of the two in repeated stratified k-fold cross-validation
  over the whole corpus, fold by fold on the same rows (paired), with the mean
  and standard deviation of the difference;
- macro-F1 of a model fitted on the train split (calibrated on the real-derived
  dev rows, as ``tpbnlp train`` does) on the dev and test splits, per origin.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedStratifiedKFold

import tpbnlp.text
from tpbnlp.corpus import load_corpus
from tpbnlp.model import OpinionClassifier
from tpbnlp.train import ASSESS_FIRST, sample_weights, tuning_rows


def crf(text: str) -> str:
    from underthesea import word_tokenize

    return word_tokenize(text, format="text", use_token_normalize=False) if text else ""


SEGMENTERS = {"crf": crf, "dictionary": tpbnlp.text.segment}


def use(name: str, cache: dict[str, dict[str, str]]) -> None:
    """Make ``tpbnlp.text`` segment with ``name``, each distinct text once."""
    memo, segment = cache.setdefault(name, {}), SEGMENTERS[name]

    def memoised(text: str) -> str:
        if text not in memo:
            memo[text] = segment(text)
        return memo[text]

    tpbnlp.text.segment = memoised


def fit(frame, C: float, calibration=None) -> OpinionClassifier:  # type: ignore[no-untyped-def]
    return OpinionClassifier(C=C, assess_first=ASSESS_FIRST).fit(
        list(frame["text"]), list(frame["category"]), list(frame["topics"]),
        sample_weight=sample_weights(frame["origin"]), calibration=calibration,
    )


def macro_f1(model: OpinionClassifier, frame) -> float:  # type: ignore[no-untyped-def]
    predicted = [p.category for p in model.predict_many(list(frame["text"]))]
    return float(f1_score(list(frame["category"]), predicted, average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus().reset_index(drop=True)
    C = float(tpbnlp.load().C)
    texts = list(dict.fromkeys(tpbnlp.text.normalize(t) for t in [*corpus["text"], *map(tpbnlp.text.strip_diacritics, corpus["text"])]))
    cache: dict[str, dict[str, str]] = {}
    print(f"segmenting {len(texts):,} distinct normalised texts, one process:")
    for name, segment in SEGMENTERS.items():
        segment("khởi động")
        started = time.perf_counter()
        cache[name] = {t: segment(t) for t in texts}
        seconds = time.perf_counter() - started
        print(f"  {name:10} {seconds:6.1f} s ({len(texts) / seconds:,.0f} texts/s)")
    same = sum(cache["crf"][t] == cache["dictionary"][t] for t in texts)
    print(f"  identical output on {same:,} of {len(texts):,} texts")

    print(f"\ncategory macro-F1, {args.repeats} x {args.folds}-fold cross-validation over {len(corpus):,} rows (C={C}):")
    print(f"  {'fold':>4} {'crf':>7} {'dictionary':>10} {'difference':>10}")
    differences = []
    folds = RepeatedStratifiedKFold(n_splits=args.folds, n_repeats=args.repeats, random_state=0)
    for k, (train, held) in enumerate(folds.split(corpus, corpus["category"])):
        scores = {}
        for name in SEGMENTERS:
            use(name, cache)
            scores[name] = macro_f1(fit(corpus.iloc[train], C), corpus.iloc[held])
        differences.append(scores["dictionary"] - scores["crf"])
        print(f"  {k + 1:4d} {scores['crf']:7.4f} {scores['dictionary']:10.4f} {differences[-1]:+10.4f}", flush=True)
    d = np.array(differences)
    print(f"  mean difference {d.mean():+.4f} (sd {d.std(ddof=1):.4f}, standard error {d.std(ddof=1) / np.sqrt(len(d)):.4f})")

    print("\nfitted on the train split, calibrated on the real-derived dev rows: macro-F1")
    parts = {s: corpus[corpus["split"] == s] for s in ("train", "dev", "test")}
    tune = tuning_rows(parts["dev"])
    calibration = (list(tune["text"]), list(tune["category"]), list(tune["topics"]))
    print(f"  {'rows':22} {'crf':>7} {'dictionary':>10} {'difference':>10}")
    results = {}
    for name in SEGMENTERS:
        use(name, cache)
        model = fit(parts["train"], C, calibration)
        results[name] = {f"{split}, {origin}": macro_f1(model, part[part["origin"] == origin])
                         for split in ("dev", "test") for origin in ("authored", "real") for part in [parts[split]]}
    for rows in results["crf"]:
        a, b = results["crf"][rows], results["dictionary"][rows]
        print(f"  {rows:22} {a:7.4f} {b:10.4f} {b - a:+10.4f}")


if __name__ == "__main__":
    main()
