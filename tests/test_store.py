"""Saving and loading models: manifest, hashes, trust, clear errors."""

import json
import shutil

import pytest

from tpbnlp.corpus import load_corpus
from tpbnlp.labels import load_labels, parse_labels
from tpbnlp.model import OpinionClassifier
from tpbnlp.store import MANIFEST, MODEL_FILE, ModelError, default_model_path, load, read_manifest, save


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
    assert manifest["params"] == {"note": "test"}
    assert set(manifest["files"]) == {MODEL_FILE}
    loaded = load(saved, trust=True)
    text = "Cán bộ xã hách dịch với dân khi làm giấy tờ."
    assert loaded.predict(text) == small_model.predict(text)
    assert loaded.manifest_["sklearn_version"]


def test_shipped_manifest_records_metrics_and_hashes():
    manifest = read_manifest(default_model_path())
    for key in ("tpbnlp_version", "sklearn_version", "created", "corpus", "metrics", "test_confusion", "files"):
        assert key in manifest
    assert manifest["corpus"]["sha256"] and len(manifest["test_confusion"]) == 5
    assert manifest["metrics"]["test"]["macro_f1"] > 0.8


def test_other_paths_need_trust(saved):
    with pytest.raises(ModelError, match="trust=True"):
        load(saved)


def test_tampered_model_is_refused(saved):
    data = bytearray((saved / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (saved / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        load(saved, trust=True)


def test_corrupted_or_incompatible_manifest(saved, tmp_path):
    manifest = json.loads((saved / MANIFEST).read_text(encoding="utf-8"))
    (saved / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="bị hỏng"):
        load(saved, trust=True)
    (saved / MANIFEST).write_text(json.dumps({**manifest, "format": 99}), encoding="utf-8")
    with pytest.raises(ModelError, match="định dạng"):
        load(saved, trust=True)
    (saved / MANIFEST).write_text(json.dumps({**manifest, "tpbnlp_version": "9.0.0"}), encoding="utf-8")
    with pytest.raises(ModelError, match="không tương thích"):
        load(saved, trust=True)
    (saved / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (saved / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match="thiếu tệp"):
        load(saved, trust=True)
    with pytest.raises(ModelError, match="Không tìm thấy mô hình"):
        load(tmp_path / "nowhere", trust=True)


def test_label_file_missing_a_model_topic_is_refused(saved):
    labels = load_labels()
    data = {
        "categories": [{"key": c.key, "name": c.name} for c in labels.categories],
        "topics": [{"key": t.key, "name": t.name} for t in labels.topics if t.key != "y_te"],
    }
    with pytest.raises(ModelError, match="y_te"):
        load(saved, trust=True, labels=parse_labels(data))


def test_renamed_labels_show_in_predictions(saved):
    labels = load_labels()
    data = {
        "categories": [{"key": c.key, "name": c.name.upper()} for c in labels.categories],
        "topics": [{"key": t.key, "name": t.name} for t in labels.topics],
    }
    model = load(saved, trust=True, labels=parse_labels(data))
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
