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


@pytest.fixture(scope="module")
def model():
    return tpbnlp.load()


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
    assessing, four = model.category_models_
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
    share = lambda model: np.mean([p.category == "y_thuc_to_chuc_ky_luat" for p in model.predict_many(list(held.text))])
    assert share(heavy) > share(plain)
