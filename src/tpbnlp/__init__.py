"""tpbnlp: classify Vietnamese citizen opinions into the five official categories and topic tags."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import TpbnlpError
from .labels import CATEGORY_KEYS, Label, LabelSet, load_labels
from .text import normalize, prepare, prepare_many, preprocess, preprocess_many, segment, strip_diacritics

if TYPE_CHECKING:
    import pandas as pd

    from .counts import CountsCheck
    from .model import OpinionClassifier


__all__ = [
    "CATEGORY_KEYS",
    "Label",
    "LabelSet",
    "TpbnlpError",
    "__version__",
    "check_counts",
    "load",
    "load_labels",
    "normalize",
    "prepare",
    "prepare_many",
    "preprocess",
    "preprocess_many",
    "segment",
    "strip_diacritics",
]


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    labels: LabelSet | str | os.PathLike[str] | None = None,
) -> OpinionClassifier:
    """The classifier: the shipped default model (loaded once, then cached), or the one at ``path``.

    See :func:`tpbnlp.store.load`.
    """
    from .store import load as load_model

    if path is None and labels is None:
        return _default_model()
    return load_model(path, labels=labels)


@functools.cache
def _default_model() -> OpinionClassifier:
    from .store import load as load_model

    return load_model()


def check_counts(table: str | os.PathLike[str] | pd.DataFrame, **options: Any) -> CountsCheck:
    """Check hand-made category counts (see :func:`tpbnlp.counts.check_counts`).

    With ``against`` and no ``confusion``, the tagged file is taken to come from
    the shipped model, whose test-split confusion matrix is used.
    """
    from .counts import check_counts as run

    if options.get("against") is not None and options.get("confusion") is None:
        from .store import default_model_path, read_manifest

        options["confusion"] = read_manifest(default_model_path())["test_confusion"]
    return run(table, **options)
