"""The shipped model: API shapes, behaviour on plain Vietnamese opinions, a quality floor."""

import numpy as np
import pytest

import tpbnlp
from tpbnlp.corpus import load_corpus
from tpbnlp.evaluate import evaluate
from tpbnlp.labels import CATEGORY_KEYS, load_labels
from tpbnlp.model import REVIEW_THRESHOLD, OpinionClassifier, Prediction
from tpbnlp.text import strip_diacritics

# Opinions written for these tests (not in the corpus), each clearly in one category.
CLEAR = [
    ("Đề nghị Nhà nước tăng mức trợ cấp hàng tháng cho người khuyết tật nặng.", "linh_vuc_khac"),
    ("Đồng chí Tư Hiền ba tháng liền không dự sinh hoạt chi bộ ấp, cũng không xin phép.", "y_thuc_to_chuc_ky_luat"),
    ("Cán bộ địa chính xã đòi bà con đưa tiền cà phê mới chịu ký hồ sơ.", "pham_chat_dao_duc_loi_song"),
    ("Hồ sơ xin cấp đổi giấy chứng nhận quyền sử dụng đất nộp từ tháng Hai tới giờ xã vẫn chưa giải quyết.", "thuc_hien_chuc_trach_nhiem_vu"),
    ("Có đảng viên thường xuyên chia sẻ các bài viết xuyên tạc đường lối của Đảng trên Facebook.", "tu_tuong_chinh_tri"),
]


def test_default_model_is_cached(model):
    assert tpbnlp.load() is model


def test_prediction_shape(model):
    prediction = model.predict(CLEAR[0][0])
    assert isinstance(prediction, Prediction)
    assert list(prediction.scores) == list(CATEGORY_KEYS)
    assert sum(prediction.scores.values()) == pytest.approx(1.0)
    assert prediction.confidence == pytest.approx(max(prediction.scores.values()))
    assert prediction.category == max(prediction.scores, key=prediction.scores.get)
    assert prediction.category_name == load_labels().name(prediction.category)
    assert set(prediction.topics) <= set(prediction.topic_scores) <= set(load_labels().topic_keys)
    assert len(prediction.topics) <= 3
    assert prediction.needs_review == (prediction.confidence < REVIEW_THRESHOLD)


@pytest.mark.parametrize("text, category", CLEAR)
def test_clear_opinions_get_their_category(model, text, category):
    assert model.predict(text).category == category
    assert model.predict(strip_diacritics(text)).category == category


def test_topics_on_clear_opinions(model):
    assert "dat_dai" in model.predict(CLEAR[3][0]).topics
    assert "y_te" in model.predict("Trạm y tế xã thiếu thuốc, bà con đi khám BHYT phải mua thuốc ngoài.").topics
    assert "giao_duc" in model.predict("Trường tiểu học ấp 3 thiếu giáo viên, học sinh phải học ghép lớp.").topics


def test_predict_many_keeps_order_and_flags_empty_text(model):
    texts = [text for text, _ in CLEAR] + ["", "   "]
    predictions = model.predict_many(texts)
    assert [p.text for p in predictions] == texts
    assert [p.category for p in predictions[:5]] == [c for _, c in CLEAR]
    assert predictions[-1].needs_review and predictions[-2].needs_review
    assert model.predict_many([]) == []


def test_explain_names_the_deciding_words(model):
    explanation = model.explain(CLEAR[2][0])
    assert explanation.category == "pham_chat_dao_duc_loi_song"
    words = [term for term, _ in explanation.terms]
    assert any("tiền" in w or "tien" in w or "đòi" in w or "doi" in w for w in words)
    assert explanation.terms[0][1] > 0
    assert all(key in model.predict(CLEAR[2][0]).topics for key in explanation.topic_terms)


def test_shipped_model_floor_on_the_test_split(model):
    test = load_corpus().query("split == 'test'")
    result = evaluate(model, list(test["text"]), list(test["category"]), list(test["topics"]))
    assert result.macro_f1 >= 0.85
    assert result.topic_micro_f1 >= 0.75
    assert result.calibration_error <= 0.08
    unaccented = evaluate(model, [strip_diacritics(t) for t in test["text"]], list(test["category"]))
    assert unaccented.macro_f1 >= result.macro_f1 - 0.05
    assert np.array(result.confusion).sum() == len(test)


def test_shipped_model_floor_per_origin(model):
    """Authored test rows share their writers with training; real-derived ones come from unseen sites."""
    test = load_corpus().query("split == 'test'")
    result = evaluate(model, list(test["text"]), list(test["category"]), list(test["topics"]), groups=list(test["origin"]))
    authored, real = result.by_group["authored"], result.by_group["real"]
    assert authored.rows + real.rows == len(test)
    assert authored.macro_f1 >= 0.90
    assert real.macro_f1 >= 0.70 and real.accuracy >= 0.72
    assert real.calibration_error <= 0.10


@pytest.fixture(scope="module")
def small_parts():
    corpus = load_corpus()
    train = corpus.query("split == 'train'").groupby("category").head(120)
    held = corpus.query("split == 'dev'").groupby("category").head(60)
    return train, held


def test_assess_first_asks_whether_anyone_is_assessed_then_which_of_four(small_parts):
    train, held = small_parts
    calibration = (list(held.text), list(held.category), list(held.topics))
    model = OpinionClassifier(assess_first=True).fit(
        list(train.text), list(train.category), list(train.topics), calibration=calibration
    )
    _, four = model.category_model_.steps_
    assert set(four.classes_) == set(CATEGORY_KEYS) - {"linh_vuc_khac"}
    proba = model.predict_proba(list(held.text))
    assert proba.shape == (len(held), 5) and np.allclose(proba.sum(axis=1), 1.0)
    request = model.predict("Đề nghị Nhà nước sớm nâng mức hỗ trợ tiền điện cho hộ nghèo.")
    assert request.category == "linh_vuc_khac"
    assert model.explain(request.text).terms[0][1] > 0
    assert evaluate(model, *calibration).accuracy > 0.7


def test_sample_weight_pulls_towards_the_weighted_rows(small_parts):
    train, held = small_parts
    texts, categories, topics = list(train.text), list(train.category), list(train.topics)
    plain = OpinionClassifier().fit(texts, categories, topics)
    same = OpinionClassifier().fit(texts, categories, topics, sample_weight=[1.0] * len(texts))
    assert np.allclose(plain.predict_proba(list(held.text)), same.predict_proba(list(held.text)), atol=1e-4)
    heavy = OpinionClassifier().fit(
        texts, categories, topics, sample_weight=[5.0 if c == "y_thuc_to_chuc_ky_luat" else 1.0 for c in categories]
    )

    def share(model):
        return np.mean([p.category == "y_thuc_to_chuc_ky_luat" for p in model.predict_many(list(held.text))])

    assert share(heavy) > share(plain)


def test_predict_many_gives_every_text_a_result_and_never_raises(model):
    texts = [
        CLEAR[0][0],
        None,
        float("nan"),
        "",
        "Cã ý kiÕn ®Ò nghÞ cÊp ®Êt",  # TCVN3, converts
        "ÿþ®¸¶·¹»¾¼ ½ÆÇÊÈÉ ËÌÐÎÏ ÑÒÕÓÔ",  # legacy-font noise that converts to nothing Vietnamese
        "这是一条中文意见，不是越南语。",
        "12345 !!!",
        CLEAR[1][0],
    ]
    predictions = model.predict_many(texts)
    assert len(predictions) == len(texts)
    statuses = [p.status for p in predictions]
    assert statuses[0] == statuses[4] == statuses[-1] == "ok"
    assert statuses[1:4] == ["empty", "empty", "empty"]
    assert all(s.startswith("error: ") for s in statuses[5:8])
    assert predictions[0].category == CLEAR[0][1] and predictions[-1].category == CLEAR[1][1]
    assert all(p.category == "" and p.needs_review for p in predictions if p.status != "ok")
    assert model.predict(None).status == "empty"


def test_a_string_where_a_list_is_expected_is_a_clear_type_error(model):
    with pytest.raises(TypeError, match="list of texts"):
        model.predict_many("một câu")


def test_the_library_stays_in_one_process_unless_asked(model, monkeypatch):
    import joblib

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(joblib, "Parallel", no_pool)
    texts = [f"Đề nghị sửa đường liên thôn số {i} bị sạt lở." for i in range(2500)]
    assert model.n_jobs is None and len(model.predict_many(texts)) == 2500


def test_predict_many_under_spawn_in_a_script_without_a_main_guard(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "khong_guard.py"
    script.write_text(
        "import multiprocessing\n"
        "multiprocessing.set_start_method('spawn', force=True)\n"
        "import tpbnlp\n"
        "from tpbnlp.tagging import tag_file\n"
        "texts = [f'Đề nghị xã sớm sửa cầu tràn ở tổ {i}, mùa mưa bà con đi lại khó khăn.' for i in range(3000)]\n"
        "model = tpbnlp.load().set_params(n_jobs=2)\n"
        "predictions = model.predict_many(texts)\n"
        "print(len(predictions), sum(p.status == 'ok' for p in predictions))\n"
        f"open(r'{tmp_path / 'y_kien.txt'}', 'w', encoding='utf-8').write('\\n'.join(texts))\n"
        f"summary = tag_file(r'{tmp_path / 'y_kien.txt'}', r'{tmp_path / 'ket_qua.csv'}', model=model, n_jobs=2)\n"
        "print(summary.rows, summary.tagged)\n",
        encoding="utf-8",
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["3000", "3000", "3000", "3000"]


from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from tpbnlp.model import TwoStepSVC  # noqa: E402

# liblinear's solution with weights is not exactly that with repeated rows (scikit-learn expects this of LinearSVC too)
_LIBLINEAR = "liblinear: sample weights are not exactly equivalent to repeated rows"


@parametrize_with_checks(
    [TwoStepSVC(), TwoStepSVC(first=0)],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_dense_data": _LIBLINEAR,
        "check_sample_weight_equivalence_on_sparse_data": _LIBLINEAR,
    },
)
def test_category_step_follows_scikit_learn_conventions(estimator, check):
    check(estimator)
