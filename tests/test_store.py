"""Saving and loading models: arrays without pickle, manifest, hashes, clear errors."""

import json
import shutil

import pytest

from tpbnlp.corpus import load_corpus
from tpbnlp.errors import ModelError
from tpbnlp.labels import load_labels, parse_labels
from tpbnlp.model import OpinionClassifier
from tpbnlp.store import MANIFEST, VOCABULARY, WEIGHTS, default_model_path, load, read_manifest, save


@pytest.fixture(scope="module")
def small_model():
    """A model fitted on 400 corpus rows without a calibration set (cross-validated calibration)."""
    train = load_corpus().query("split == 'train'").groupby("category").head(80)
    return OpinionClassifier().fit(list(train["text"]), list(train["category"]), list(train["topics"]))


@pytest.fixture()
def saved(tmp_path, small_model):
    return save(small_model, tmp_path / "m", params={"note": "test"})


def test_round_trip(saved, small_model):
    manifest = read_manifest(saved)
    assert manifest["categories"] == list(small_model.classes_)
    assert manifest["params"]["note"] == "test" and manifest["params"]["C"] == small_model.C
    assert set(manifest["files"]) == {VOCABULARY, WEIGHTS}
    assert set(manifest["calibration"]) == {"category", "topic_platt", "topic_thresholds"}
    loaded = load(saved)
    text = "Cán bộ xã hách dịch với dân khi làm giấy tờ."
    assert loaded.predict(text) == small_model.predict(text)
    assert loaded.manifest_["sklearn_version"]


def test_shipped_manifest_records_metrics_and_hashes():
    manifest = read_manifest(default_model_path())
    for key in ("tpbnlp_version", "sklearn_version", "created", "corpus", "metrics", "test_confusion", "files"):
        assert key in manifest
    assert manifest["corpus"]["sha256"] and len(manifest["test_confusion"]) == 5
    assert manifest["metrics"]["test"]["macro_f1"] > 0.8


def test_nothing_in_a_model_directory_is_a_pickle(saved):
    import numpy as np

    for directory in (saved, default_model_path()):
        assert sorted(p.name for p in directory.iterdir()) == [MANIFEST, VOCABULARY, WEIGHTS]
        with np.load(directory / WEIGHTS, allow_pickle=False) as arrays:  # raises on any object array
            assert all(arrays[name].dtype != object for name in arrays.files)
        json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))


def test_saved_files_follow_the_umask(tmp_path, small_model):
    import os

    old = os.umask(0o022)
    try:
        directory = save(small_model, tmp_path / "chung")
    finally:
        os.umask(old)
    assert directory.stat().st_mode & 0o777 == 0o755
    assert {(directory / n).stat().st_mode & 0o777 for n in (MANIFEST, VOCABULARY, WEIGHTS)} == {0o644}


@pytest.mark.parametrize("name", [VOCABULARY, WEIGHTS])
def test_tampered_model_is_refused(saved, name):
    data = bytearray((saved / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / name).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        load(saved)


def test_pickled_models_of_the_old_format_are_refused_with_advice(saved):
    manifest = json.loads((saved / MANIFEST).read_text(encoding="utf-8"))
    (saved / MANIFEST).write_text(json.dumps({**manifest, "format": 2, "files": {"model.joblib": "0"}}), encoding="utf-8")
    with pytest.raises(ModelError, match="huấn luyện lại"):
        load(saved)


def test_corrupted_or_incompatible_manifest(saved, tmp_path):
    manifest = json.loads((saved / MANIFEST).read_text(encoding="utf-8"))
    (saved / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="bị hỏng"):
        load(saved)
    (saved / MANIFEST).write_text(json.dumps({**manifest, "format": 99}), encoding="utf-8")
    with pytest.raises(ModelError, match="định dạng"):
        load(saved)
    (saved / MANIFEST).write_text(json.dumps({**manifest, "tpbnlp_version": "9.0.0"}), encoding="utf-8")
    with pytest.raises(ModelError, match="không tương thích"):
        load(saved)
    (saved / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (saved / WEIGHTS).unlink()
    with pytest.raises(ModelError, match="thiếu tệp"):
        load(saved)
    with pytest.raises(ModelError, match="Không tìm thấy mô hình"):
        load(tmp_path / "nowhere")


def test_label_file_missing_a_model_topic_is_refused(saved):
    labels = load_labels()
    data = {
        "categories": [{"key": c.key, "name": c.name} for c in labels.categories],
        "topics": [{"key": t.key, "name": t.name} for t in labels.topics if t.key != "y_te"],
    }
    with pytest.raises(ModelError, match="y_te"):
        load(saved, labels=parse_labels(data))


def test_renamed_labels_show_in_predictions(saved):
    labels = load_labels()
    data = {
        "categories": [{"key": c.key, "name": c.name.upper()} for c in labels.categories],
        "topics": [{"key": t.key, "name": t.name} for t in labels.topics],
    }
    model = load(saved, labels=parse_labels(data))
    prediction = model.predict("Đề nghị Nhà nước tăng trợ cấp cho người cao tuổi.")
    assert prediction.category_name == prediction.category_name.upper()


def test_save_replaces_a_model_whole(saved, small_model):
    (saved / "stray.txt").write_text("old", encoding="utf-8")
    save(small_model, saved)
    assert not (saved / "stray.txt").exists()
    assert not [p for p in saved.parent.iterdir() if p.name.startswith(".m.")]
    shutil.rmtree(saved)


def test_shipped_model_was_trained_on_the_shipped_corpus():
    import hashlib

    from tpbnlp.corpus import default_corpus_path

    manifest = read_manifest(default_model_path())
    assert manifest["corpus"]["sha256"] == hashlib.sha256(default_corpus_path().read_bytes()).hexdigest()


def test_a_loaded_model_predicts_exactly_as_the_fitted_one_on_the_whole_test_split(saved, small_model):
    texts = list(load_corpus().query("split == 'test'")["text"])
    assert load(saved).predict_many(texts) == small_model.predict_many(texts)


def test_loading_changes_no_parameter_and_reads_labels_from_the_caller(saved):
    labels = load_labels()
    model = load(saved, labels=labels)
    assert model.labels is labels and model.n_jobs is None
    assert model.get_params()["C"] == read_manifest(saved)["params"]["C"]
