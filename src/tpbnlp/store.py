"""Saving and loading models: arrays, vocabularies and a manifest, never a pickle.

A model directory holds ``manifest.json`` (what the model is: library and
scikit-learn versions, label keys, parameters, every temperature, Platt
scaling and threshold, the corpus it was trained on, its dev and test figures,
and the SHA-256 of every file), ``vocabulary.json`` (the terms of each
feature block, in column order) and ``weights.npz`` (inverse document
frequencies and the SVMs' coefficients, read with ``allow_pickle=False``).
Loading runs no code from the directory, so any model can be loaded without
being trusted; a damaged or altered file is refused by its hash.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.svm import LinearSVC

from ._version import __version__
from .errors import ModelError
from .features import OpinionFeatures
from .labels import CATEGORY_KEYS, LabelSet, load_labels
from .model import OpinionClassifier
from .tables.write import file_error, new_file_mode, temporary_beside

__all__ = ["FORMAT", "MANIFEST", "ModelError", "default_model_path", "load", "read_manifest", "save"]

MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.json"
WEIGHTS = "weights.npz"
#: Bumped when the saved layout changes incompatibly. Format 3: arrays and JSON (formats 1–2 were pickles).
FORMAT = 3
#: The classifier's parameters that the manifest records and loading restores.
_PARAMS = ("C", "topic_C", "assess_first", "augment_unaccented", "review_threshold")



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
    staging = temporary_beside(directory, directory=True)
    try:
        features = model.features_
        arrays = {f"idf_{block}": features.idf_[block] for block in features.BLOCKS}
        arrays["category_classes"] = model.category_model_.classes_
        for k, step in enumerate(model.category_model_.steps_):
            arrays |= {f"category{k}_coef": step.coef_, f"category{k}_intercept": step.intercept_, f"category{k}_classes": step.classes_}
        topic_models = model.topic_models_
        arrays["topic_coef"] = np.vstack([m.coef_ for m in topic_models]) if topic_models else np.zeros((0, 0), np.float32)
        arrays["topic_intercept"] = np.array([m.intercept_[0] for m in topic_models])
        np.savez_compressed(staging / WEIGHTS, allow_pickle=False, **arrays)
        vocabulary = {"min_df": features.min_df, "ngram_range": list(features.ngram_range), "blocks": features.vocabularies_}
        (staging / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        params = {name: getattr(model, name) for name in _PARAMS}
        manifest = {
            "format": FORMAT,
            "tpbnlp_version": __version__,
            "sklearn_version": sklearn.__version__,
            "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "categories": [str(c) for c in model.classes_],
            "topics": [str(k) for k in model.topic_keys_],
            **info,
            "params": {**info.get("params", {}), **params},
            "calibration": {
                "category": [float(v) for v in model.category_calibration_],
                "topic_platt": [[float(a), float(b)] for a, b in model.topic_platt_],
                "topic_thresholds": [float(t) for t in model.topic_thresholds_],
            },
            "files": {name: _sha256(staging / name) for name in (VOCABULARY, WEIGHTS)},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _share_like_a_file(staging)
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(staging, directory)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        error = file_error(exc, staging, directory)
        if error is None:
            raise
        raise error from exc
    return directory


def _share_like_a_file(directory: Path) -> None:
    """Give a staged directory the permissions a new folder gets under the user's umask (mkdtemp makes it 0700)."""
    directory.chmod(new_file_mode(directory=True))
    for path in directory.iterdir():
        path.chmod(new_file_mode())


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
        old = manifest.get("format") in (1, 2)
        raise ModelError(
            f"Mô hình ở {directory} có định dạng {manifest.get('format')!r}"
            + (" (kiểu cũ, lưu bằng joblib/pickle, không còn được nạp vì có thể chạy mã)" if old else "")
            + f"; phiên bản tpbnlp này chỉ đọc định dạng {FORMAT}. Hãy huấn luyện lại bằng lệnh 'tpbnlp train'."
        )
    trained_with = str(manifest.get("tpbnlp_version", "?"))
    if trained_with.split(".")[0] != __version__.split(".")[0]:
        raise ModelError(f"Mô hình được tạo bằng tpbnlp {trained_with}, không tương thích với tpbnlp {__version__}.")
    if manifest.get("categories") != list(CATEGORY_KEYS):
        raise ModelError(f"Mô hình ở {directory} có danh sách lĩnh vực khác với 5 lĩnh vực chính thức.")
    missing = [k for k in manifest.get("topics", []) if k not in labels.topic_keys]
    if missing:
        raise ModelError(f"Tệp nhãn đang dùng thiếu các chủ đề mà mô hình gán: {', '.join(missing)}.")
    missing_files = [name for name in (VOCABULARY, WEIGHTS) if name not in manifest["files"]]
    if missing_files:
        raise ModelError(f"Tệp mô tả của mô hình ở {directory} không liệt kê {', '.join(missing_files)}.")
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
    labels: LabelSet | str | os.PathLike[str] | None = None,
) -> OpinionClassifier:
    """Load a model directory (``None``: the shipped model), checking its manifest and hashes first.

    ``labels`` (a :class:`LabelSet` or a label file) supplies display names.
    Nothing in the directory is executed: arrays are read without pickle.
    """
    label_set = labels if isinstance(labels, LabelSet) else load_labels(labels)
    directory = default_model_path() if path is None else Path(path)
    manifest = read_manifest(directory)
    _check(directory, manifest, label_set)
    try:
        return _rebuild(directory, manifest, label_set)
    except (OSError, ValueError, KeyError, TypeError, IndexError, zipfile.BadZipFile) as exc:
        raise ModelError(f"Không nạp được mô hình ở {directory}: dữ liệu mô hình không đúng dạng ({exc}).") from None


def _rebuild(directory: Path, manifest: dict[str, Any], labels: LabelSet) -> OpinionClassifier:
    """The fitted classifier, made again from its arrays, vocabularies and manifest."""
    params = manifest["params"]
    calibration = manifest["calibration"]
    vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
    with np.load(directory / WEIGHTS, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    model = OpinionClassifier(labels=labels, **{name: params[name] for name in _PARAMS})
    model.classes_ = np.array(manifest["categories"])
    model.topic_keys_ = np.array(manifest["topics"], dtype=str)

    features = OpinionFeatures(min_df=vocabulary["min_df"], ngram_range=tuple(vocabulary["ngram_range"]))
    features.vocabularies_ = {block: list(vocabulary["blocks"][block]) for block in features.BLOCKS}
    features.idf_ = {block: arrays[f"idf_{block}"] for block in features.BLOCKS}
    for block in features.BLOCKS:
        if len(features.idf_[block]) != len(features.vocabularies_[block]):
            raise ValueError(f"block {block}: {len(features.vocabularies_[block])} terms, {len(features.idf_[block])} weights")
    model.features_ = features
    n_features = sum(len(v) for v in features.vocabularies_.values())

    steps: list[LinearSVC] = []
    while f"category{len(steps)}_coef" in arrays:
        k = len(steps)
        steps.append(_linear_svc(arrays[f"category{k}_coef"], arrays[f"category{k}_intercept"], arrays[f"category{k}_classes"], params["C"]))
    category = model._new_category_model()
    category.steps_ = steps
    category.classes_ = arrays["category_classes"]
    category.n_features_in_ = n_features
    model.category_model_ = category
    model.topic_models_ = [
        _linear_svc(coef[None, :], np.array([intercept]), np.array([0, 1]), params["topic_C"])
        for coef, intercept in zip(arrays["topic_coef"], arrays["topic_intercept"])
    ]
    model.category_calibration_ = np.array(calibration["category"], dtype=float)
    model.topic_platt_ = np.array(calibration["topic_platt"], dtype=float).reshape(-1, 2)
    model.topic_thresholds_ = np.array(calibration["topic_thresholds"], dtype=float)
    if any(c.shape[1] != n_features for c in [*(s.coef_ for s in steps), *(m.coef_ for m in model.topic_models_)]):
        raise ValueError("coefficients do not match the vocabulary")
    if not (len(model.topic_models_) == len(model.topic_keys_) == len(model.topic_platt_) == len(model.topic_thresholds_)):
        raise ValueError("topic arrays do not match the topic list")
    model.manifest_ = manifest
    return model


def _linear_svc(coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray, C: float) -> LinearSVC:
    """A fitted linear SVM from its arrays (what ``decision_function`` reads)."""
    svm = LinearSVC(C=C, class_weight="balanced")
    svm.coef_, svm.intercept_, svm.classes_ = coef, intercept, classes
    svm.n_features_in_ = coef.shape[1]
    return svm
