"""How well follow-up tells a matter raised again from another matter on the same topic.

    python benchmarks/follow_up_pairs.py        # precision and recall on the held-out pairs
    python benchmarks/follow_up_pairs.py --fit  # fit the scorer on the development pairs and ship it

corpus/followup/pairs_*.jsonl hold pairs of opinions of one unit, last year's
(``a``) and this year's (``b``), labelled ``same`` when b raises a's matter
again, ``false`` when b is another matter on the same topic. Pairs are split by
unit (the CRC-32 of its name, even: development), so that an opinion of last
year never sits in both halves.

Two measures on the held-out half:
- *pairs*: each labelled pair on its own (the hard case: every negative is the
  same topic in many of the same words);
- *search*: what ``tpbnlp follow-up`` does — each b against all the a's of its
  file's half (25 to 35 opinions of last year on many topics), the most
  probable one taken if it passes the threshold; a repeat counts as found only
  when the a found is its own.

``--fit`` fits :class:`tpbnlp.follow_up.RepeatScorer` on the development half
(each b with its own a, and with every other a of its file's half as a
negative, those together weighing as much as one pair), picks the threshold
with the best search F1 there, and writes ``src/tpbnlp/data/follow_up.json``.
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np

import tpbnlp
from tpbnlp.follow_up import PAIR_FEATURES, RepeatScorer, pair_features

ROOT = Path(__file__).resolve().parents[1]


def load_pairs() -> list[dict]:
    return [dict(json.loads(line), file=path.stem) for path in sorted((ROOT / "corpus" / "followup").glob("pairs_*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def precision_recall(found: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    hits = int((found & truth).sum())
    return hits / max(int(found.sum()), 1), hits / max(int(truth.sum()), 1)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


class Half:
    """One file's development or held-out pairs: every b against every a of the half."""

    def __init__(self, model: tpbnlp.OpinionClassifier, pairs: list[dict]) -> None:
        self.pairs = pairs
        self.last = list(dict.fromkeys(p["a"] for p in pairs))
        self.own = np.array([self.last.index(p["a"]) for p in pairs])
        self.same = np.array([bool(p["same"]) for p in pairs])
        self.features = pair_features(model, [p["b"] for p in pairs], self.last)

    def own_pairs(self) -> np.ndarray:
        return self.features[np.arange(len(self.pairs)), self.own]

    def training(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n, m = self.features.shape[:2]
        own = np.zeros((n, m), dtype=bool)
        own[np.arange(n), self.own] = True
        same = own & self.same[:, None]
        weight = np.where(own, 1.0, 1.0 / max(m - 1, 1))
        return self.features.reshape(n * m, -1), same.ravel(), weight.ravel()

    def search(self, scorer: RepeatScorer, threshold: float) -> tuple[int, int, int]:
        """Repeats found (its own a), opinions wrongly matched, repeats missed."""
        probability = scorer.probability(self.features)
        best = probability.argmax(axis=1)
        matched = probability[np.arange(len(best)), best] >= threshold
        right = matched & self.same & (best == self.own)
        return int(right.sum()), int((matched & ~right).sum()), int((self.same & ~right).sum())


def search_figures(halves: list[Half], scorer: RepeatScorer, threshold: float) -> tuple[float, float]:
    found, wrong, missed = np.sum([h.search(scorer, threshold) for h in halves], axis=0)
    return found / max(found + wrong, 1), found / max(found + missed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the scorer on the development pairs and write it into the package")
    args = parser.parse_args()
    pairs = load_pairs()
    model = tpbnlp.load()
    dev_of = {id(p): zlib.crc32(p["unit"].encode("utf-8")) % 2 == 0 for p in pairs}
    files = sorted({p["file"] for p in pairs})
    halves = {(f, d): Half(model, [p for p in pairs if p["file"] == f and dev_of[id(p)] == d]) for f in files for d in (True, False)}
    dev, held = [h for (f, d), h in halves.items() if d], [h for (f, d), h in halves.items() if not d]
    if args.fit:
        X, y, w = (np.concatenate(parts) for parts in zip(*(h.training() for h in dev)))
        scorer = RepeatScorer.fit(X, y, sample_weight=w)
        threshold = max(np.arange(0.05, 0.96, 0.025), key=lambda t: f1(*search_figures(dev, scorer, t)))
        scorer = RepeatScorer(scorer.coef, scorer.intercept, round(float(threshold), 3))
        about = {"pairs": sum(len(h.pairs) for h in dev), "fitted_by": "benchmarks/follow_up_pairs.py --fit"}
        (ROOT / "src" / "tpbnlp" / "data" / "follow_up.json").write_text(scorer.to_json(**about), encoding="utf-8")
        print("fitted:", ", ".join(f"{n} {c:+.2f}" for n, c in zip(PAIR_FEATURES, scorer.coef)), f"threshold {scorer.threshold}")
    else:
        scorer = RepeatScorer.packaged()
    print(f"pairs: {len(pairs)} ({sum(p['same'] for p in pairs)} repeats); development {sum(len(h.pairs) for h in dev)}, "
          f"held out {sum(len(h.pairs) for h in held)}")
    print(f"{'held out':48} {'pairs':>5} {'repeats':>7} {'precision':>9} {'recall':>7}")

    def row(name: str, halves: list[Half], select: str = "all") -> None:
        own = np.concatenate([h.own_pairs() for h in halves])
        truth = np.concatenate([h.same for h in halves])
        mask = np.ones(len(truth), dtype=bool)
        if select != "all":
            mask = (own[:, PAIR_FEATURES.index("said_before")] > 0) == (select == "said")
        p, r = precision_recall(scorer.probability(own[mask]) >= scorer.threshold, truth[mask])
        print(f"{name:48} {int(mask.sum()):5d} {int(truth[mask].sum()):7d} {p:9.3f} {r:7.3f}")

    row(f"pairs, scorer (threshold {scorer.threshold})", held)
    row("pairs whose b does not say 'raised before'", held, "unsaid")
    row("pairs whose b says 'raised before'", held, "said")
    for name in files:
        row(f"pairs, {name}", [halves[name, False]])
    p, r = search_figures(held, scorer, scorer.threshold)
    print(f"{'search among a half of a file, scorer':48} {sum(len(h.pairs) for h in held):5d} "
          f"{sum(int(h.same.sum()) for h in held):7d} {p:9.3f} {r:7.3f}")
    cosine_only = RepeatScorer(tuple(float(n == "cosine") for n in PAIR_FEATURES), 0.0)
    cut = max(np.unique(np.concatenate([h.features[..., 0].ravel() for h in dev])).round(3),
              key=lambda t: f1(*search_figures(dev, cosine_only, float(1 / (1 + np.exp(-t))))))
    p, r = search_figures(held, cosine_only, float(1 / (1 + np.exp(-cut))))
    print(f"{f'search, cosine alone (threshold {cut:.3f})':48} {sum(len(h.pairs) for h in held):5d} "
          f"{sum(int(h.same.sum()) for h in held):7d} {p:9.3f} {r:7.3f}")


if __name__ == "__main__":
    main()
