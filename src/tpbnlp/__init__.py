"""tpbnlp: classify Vietnamese citizen opinions into the five official categories and topic tags."""

from .errors import TpbnlpError
from .labels import CATEGORY_KEYS, Label, LabelSet, load_labels
from .text import normalize, preprocess, preprocess_many, segment, strip_diacritics

__version__ = "0.1.0"

__all__ = [
    "CATEGORY_KEYS",
    "Label",
    "LabelSet",
    "TpbnlpError",
    "__version__",
    "load_labels",
    "normalize",
    "preprocess",
    "preprocess_many",
    "segment",
    "strip_diacritics",
]
