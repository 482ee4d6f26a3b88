"""How well follow-up tells a matter raised again from another matter on the same topic.

    python benchmarks/follow_up_pairs.py          # precision and recall on the held-out pairs
    python benchmarks/follow_up_pairs.py --choose # the threshold the development pairs choose

corpus/followup/pairs_*.jsonl hold pairs of opinions of one unit, last year's
(``a``) and this year's (``b``), labelled ``same`` when b raises a's matter
again in other words. Pairs whose id ends in an even digit are the development
half (the threshold is chosen there), odd ones are held out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import tpbnlp
from tpbnlp.follow_up import THRESHOLD, similarities

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--choose", action="store_true", help="choose the threshold on the development pairs")
    args = parser.parse_args()
    pairs = [json.loads(line) for path in sorted((ROOT / "corpus" / "followup").glob("pairs_*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    model = tpbnlp.load()
    scores = np.array([similarities(model, [p["b"]], [p["a"]])[0, 0] for p in pairs])
    truth = np.array([bool(p["same"]) for p in pairs])
    dev = np.array([int(p["id"][-1]) % 2 == 0 for p in pairs])

    def measure(mask: np.ndarray, threshold: float) -> tuple[float, float]:
        found = scores[mask] >= threshold
        hits = int((found & truth[mask]).sum())
        return hits / max(int(found.sum()), 1), hits / max(int(truth[mask].sum()), 1)

    if args.choose:
        best = max(np.arange(0.10, 0.80, 0.01), key=lambda t: (lambda p, r: 2 * p * r / (p + r) if p + r else 0)(*measure(dev, t)))
        p, r = measure(dev, best)
        print(f"development pairs ({int(dev.sum())}): best threshold {best:.2f}, precision {p:.3f}, recall {r:.3f}")
    p, r = measure(~dev, THRESHOLD)
    print(f"held-out pairs ({int((~dev).sum())}, {int(truth[~dev].sum())} repeats) at threshold {THRESHOLD}: "
          f"precision {p:.3f}, recall {r:.3f}")


if __name__ == "__main__":
    main()
