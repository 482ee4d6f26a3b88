"""Saving and loading models: a directory with the model (joblib) and a manifest (JSON).

The manifest records what the model is (library and scikit-learn versions,
label keys, the corpus it was trained on, when) and how good it is (dev and
test figures, the test confusion matrix), and the SHA-256 of every file, so a
corrupted or altered model is refused before it is unpickled. Joblib files can
run code when loaded: a model from anywhere but the package must be loaded
with ``trust=True``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import sklearn

from . import __version__
from .errors import TpbnlpError
from .labels import CATEGORY_KEYS, LabelSet, load_labels
from .model import OpinionClassifier

__all__ = ["FORMAT", "MANIFEST", "MODEL_FILE", "ModelError", "default_model_path", "load", "read_manifest", "save"]

MANIFEST = "manifest.json"
MODEL_FILE = "model.joblib"
#: Bumped when the saved layout or the classifier's attributes change incompatibly.
FORMAT = 2


class ModelError(TpbnlpError):
    """A model directory is missing, damaged, altered, untrusted or incompatible."""


def default_model_path() -> Path:
    """The shipped model: inside the installed package, or ``models/default`` of a source checkout."""
    packaged = resources.files("tpbnlp").joinpath("models/default")
    if packaged.joinpath(MANIFEST).is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "models" / "default"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save(model: OpinionClassifier, directory: str | os.PathLike[str], **info: Any) -> Path:
    """Write ``model`` and its manifest to ``directory`` (replaced whole, never half-written).

    ``info`` goes into the manifest as it is (corpus hash, metrics, confusion matrix …).
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        bare = copy.copy(model)
        bare.labels = None  # display names come from the label data in force when it is loaded
        bare.__dict__.pop("manifest_", None)
        joblib.dump(bare, staging / MODEL_FILE, compress=3)
        manifest = {
            "format": FORMAT,
            "tpbnlp_version": __version__,
            "sklearn_version": sklearn.__version__,
            "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "categories": list(model.classes_),
            "topics": [str(k) for k in model.topic_keys_],
            **info,
            "files": {MODEL_FILE: _sha256(staging / MODEL_FILE)},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a model directory, checked for shape (not yet for hashes)."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise ModelError(f"Không tìm thấy mô hình: thư mục {Path(directory)} không có tệp {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"Tệp {path} bị hỏng, không đọc được ({exc}).") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"Tệp {path} không đúng định dạng mô tả mô hình.")
    return manifest


def _check(directory: Path, manifest: dict[str, Any], labels: LabelSet) -> None:
    if manifest.get("format") != FORMAT:
        raise ModelError(
            f"Mô hình ở {directory} có định dạng {manifest.get('format')!r}, phiên bản tpbnlp này đọc định dạng {FORMAT}. "
            "Hãy huấn luyện lại bằng lệnh 'tpbnlp train'."
        )
    trained_with = str(manifest.get("tpbnlp_version", "?"))
    if trained_with.split(".")[0] != __version__.split(".")[0]:
        raise ModelError(f"Mô hình được tạo bằng tpbnlp {trained_with}, không tương thích với tpbnlp {__version__}.")
    if manifest.get("categories") != list(CATEGORY_KEYS):
        raise ModelError(f"Mô hình ở {directory} có danh sách lĩnh vực khác với 5 lĩnh vực chính thức.")
    missing = [k for k in manifest.get("topics", []) if k not in labels.topic_keys]
    if missing:
        raise ModelError(f"Tệp nhãn đang dùng thiếu các chủ đề mà mô hình gán: {', '.join(missing)}.")
    if MODEL_FILE not in manifest["files"]:
        raise ModelError(f"Tệp mô tả của mô hình ở {directory} không liệt kê {MODEL_FILE}.")
    for name, expected in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise ModelError(f"Mô hình ở {directory} thiếu tệp {name}.")
        if _sha256(path) != expected:
            raise ModelError(
                f"Tệp {path} không khớp mã băm SHA-256 trong {MANIFEST}: mô hình bị hỏng hoặc đã bị sửa đổi. "
                "Không nạp mô hình này."
            )


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    trust: bool = False,
    labels: LabelSet | str | os.PathLike[str] | None = None,
) -> OpinionClassifier:
    """Load a model directory, checking its manifest and hashes first.

    ``path=None`` loads the model shipped with the package. Any other path must
    come with ``trust=True``: loading a joblib file runs code from it.
    ``labels`` (a :class:`LabelSet` or a label file) supplies display names.
    """
    label_set = labels if isinstance(labels, LabelSet) else load_labels(labels)
    directory = default_model_path() if path is None else Path(path)
    if path is not None and not trust:
        raise ModelError(
            f"Chỉ nạp mô hình ở {directory} khi bạn tin nguồn của nó (tệp joblib có thể chạy mã): "
            "dùng trust=True, hoặc --trust trên dòng lệnh."
        )
    manifest = read_manifest(directory)
    _check(directory, manifest, label_set)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn warns on any version difference; we check below
            model = joblib.load(directory / MODEL_FILE)
    except Exception as exc:  # unpickling can fail in many ways; all mean the same to the user
        raise ModelError(
            f"Không nạp được mô hình ở {directory} ({type(exc).__name__}). Mô hình được tạo với scikit-learn "
            f"{manifest.get('sklearn_version')}, máy này có {sklearn.__version__}; hãy huấn luyện lại bằng 'tpbnlp train'."
        ) from None
    if not isinstance(model, OpinionClassifier):
        raise ModelError(f"Tệp {directory / MODEL_FILE} không chứa mô hình tpbnlp.")
    model.labels = label_set
    model.manifest_ = manifest
    return model
