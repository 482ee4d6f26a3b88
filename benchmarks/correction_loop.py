"""The correction loop measured: a locality's opinions, half corrected and added, the other half unseen.

    python benchmarks/correction_loop.py            # about three minutes on two cores

A "locality" is the real-derived opinions of the corpus test split (never
trained on), its pages' sites split in two halves by a fixed rule (every
other site in sorted order). The first half plays the rows a province
corrected in Excel and adds with ``tpbnlp train --add``; the second half its
opinions nobody corrected. Printed: the new model on the corrected rows, both
models on the other half, both models on the authored test rows (text unlike
the locality's), and the cross-validated estimate ``train`` gives itself.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

import tpbnlp
from tpbnlp.corpus import load_corpus, source_site
from tpbnlp.evaluate import evaluate
from tpbnlp.train import train


def main() -> None:
    corpus = load_corpus()
    test = corpus[corpus["split"] == "test"]
    real = test[test["origin"] == "real"].copy()
    real["site"] = [source_site(s) for s in real["source"]]
    first_half = set(sorted(set(real["site"]))[::2])
    corrected, other = real[real["site"].isin(first_half)], real[~real["site"].isin(first_half)]
    authored = test[test["origin"] == "authored"]
    shipped = tpbnlp.load()
    labels = shipped.label_set
    with tempfile.TemporaryDirectory() as folder:
        added = Path(folder) / "da_sua.csv"
        pd.DataFrame({
            "Nội dung ý kiến": corrected["text"],
            "Lĩnh vực": [labels.name(k) for k in corrected["category"]],
            "Chủ đề": ["; ".join(labels.name(t) for t in ts) for ts in corrected["topics"]],
        }).to_csv(added, index=False)
        result = train(output=Path(folder) / "model", add=[added], before=shipped, labels=labels, n_jobs=-1)
    local = result.model

    def figures(model: tpbnlp.model.OpinionClassifier, part: pd.DataFrame) -> str:
        e = evaluate(model, list(part["text"]), list(part["category"]))
        return f"accuracy {e.accuracy:.3f}  macro-F1 {e.macro_f1:.3f}"

    print(f"locality: {len(real)} real test opinions from {real['site'].nunique()} sites; "
          f"{len(corrected)} corrected and added, {len(other)} not")
    print(f"corrected rows, local model:            {figures(local, corrected)}")
    print(f"corrected rows, cross-validated:        accuracy {result.added.after_accuracy:.3f}  macro-F1 {result.added.after_macro_f1:.3f}")
    print(f"corrected rows, shipped model:          {figures(shipped, corrected)}")
    print(f"other half, shipped model:              {figures(shipped, other)}")
    print(f"other half, local model:                {figures(local, other)}")
    print(f"authored test rows, shipped model:      {figures(shipped, authored)}")
    print(f"authored test rows, local model:        {figures(local, authored)}")


if __name__ == "__main__":
    main()
