"""tpbnlp: classify Vietnamese citizen opinions into the five official categories and topic tags."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from .errors import TpbnlpError
from .labels import CATEGORY_KEYS, Label, LabelSet, load_labels
from .text import normalize, prepare, prepare_many, preprocess, preprocess_many, segment, strip_diacritics
from .version import __version__

if TYPE_CHECKING:
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


def check_counts(table, **options):
    """Check hand-made category counts (see :func:`tpbnlp.counts.check_counts`)."""
    from .counts import check_counts as run

    return run(table, **options)
