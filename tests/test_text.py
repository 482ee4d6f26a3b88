"""The text pipeline on real Vietnamese: Unicode forms, tone placement, legacy encodings, odd input."""

import unicodedata

import pytest

from tpbnlp.text import (
    LegacyEncodingError,
    detect_legacy_encoding,
    fix_legacy_encoding,
    normalize,
    preprocess,
    preprocess_many,
    segment,
    strip_diacritics,
)

SENTENCE = "Bà con ấp Ô Đùng phản ánh đường giao thông nông thôn hư hỏng, đề nghị UBND xã sửa chữa."


def test_nfd_and_nfc_normalise_to_the_same_string():
    nfd = unicodedata.normalize("NFD", SENTENCE)
    assert nfd != SENTENCE
    assert normalize(nfd) == normalize(SENTENCE)
    assert normalize(SENTENCE) == SENTENCE.lower()


@pytest.mark.parametrize(
    "old, new",
    [
        ("Gia đình hoà thuận", "gia đình hòa thuận"),
        ("Chị Nguyễn Thị Thuỷ", "chị nguyễn thị thủy"),
        ("Quí ông bà", "quý ông bà"),
        ("Sức khoẻ người cao tuổi", "sức khỏe người cao tuổi"),
        ("Chuyển hoá", "chuyển hóa"),
    ],
)
def test_old_and_new_tone_placement_are_made_one(old, new):
    assert normalize(old) == normalize(new) == new


def test_southern_spellings_pass_through_intact():
    text = "Mấy ổng hổng chịu xuống ấp, tui nói hoài mà dzậy á"
    assert normalize(text) == text.lower()
    assert segment(normalize(text)).replace("_", " ").split() == ["mấy", "ổng", "hổng", "chịu", "xuống", "ấp", ",", "tui", "nói", "hoài", "mà", "dzậy", "á"]


def test_abbreviations_are_kept_as_tokens():
    out = preprocess("Đề nghị UBND, HĐND xã cấp GCN QSDĐ cho hộ ông Tư").split()
    for token in ("ubnd", "hđnd", "gcn", "qsdđ"):
        assert token in out
    assert strip_diacritics("HĐND, GCN QSDĐ") == "HDND, GCN QSDD"


def test_segmentation_joins_words():
    out = preprocess("Cán bộ địa chính xã hách dịch khi giải quyết hồ sơ")
    assert "cán_bộ" in out.split() and "địa_chính" in out.split() and "hồ_sơ" in out.split()


def test_segmentation_takes_the_longest_word_and_keeps_dates_numbers_and_names_whole():
    out = preprocess("Đề nghị Ủy ban nhân dân xã bảo đảm an toàn; ngày 12/5/2024 ông Ksor H'Blốc nộp 1.500.000 đồng...").split()
    assert out == ["đề_nghị", "ủy_ban_nhân_dân", "xã", "bảo_đảm", "an_toàn", ";", "ngày", "12/5/2024", "ông", "ksor", "h'blốc",
                   "nộp", "1.500.000", "đồng", "..."]


def test_the_dictionary_is_read_with_the_tone_placement_of_normalised_text():
    # underthesea's word list writes "hoà thuận", "thuỷ lợi"; normalised text writes "hòa", "thủy": they must still meet.
    assert preprocess("Gia đình hoà thuận, công trình thuỷ lợi").split() == ["gia_đình", "hòa_thuận", ",", "công_trình", "thủy_lợi"]


def test_text_without_diacritics():
    text = "Can bo dia chinh xa giai quyet ho so cham"
    assert normalize(text) == text.lower()
    assert strip_diacritics(normalize(SENTENCE)) == "ba con ap o dung phan anh duong giao thong nong thon hu hong, de nghi ubnd xa sua chua."
    assert strip_diacritics(text) == text


TCVN3 = "Bµ con ph¶n ¸nh ®ång chÝ tr­ëng Êp Ýt xuèng d©n, ®Ò nghÞ kh¾c phôc."
VNI = "Baø con phaûn aùnh ñoàng chí tröôûng aáp ít xuoáng daân, ñeà nghò khaéc phuïc."
UNICODE = "Bà con phản ánh đồng chí trưởng ấp ít xuống dân, đề nghị khắc phục."


def test_tcvn3_converts_to_the_right_unicode_sentence():
    assert detect_legacy_encoding(TCVN3) == "tcvn3"
    assert fix_legacy_encoding(TCVN3) == UNICODE
    assert normalize(TCVN3) == normalize(UNICODE)


def test_vni_converts_to_the_right_unicode_sentence():
    assert detect_legacy_encoding(VNI) == "vni"
    assert fix_legacy_encoding(VNI) == UNICODE


def test_tcvn3_capitals_font_and_symbol_font_storage():
    assert fix_legacy_encoding("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM") == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    symbol_font = "".join(chr(ord(c) + 0xF000) if 0x20 <= ord(c) <= 0xFF else c for c in TCVN3)
    assert fix_legacy_encoding(symbol_font) == UNICODE


@pytest.mark.parametrize(
    "text",
    [UNICODE, "Tôi có ý kiến", "Copyright © 2020", "nhiệt độ 30°C", "Bonjour à tous, ça va très bien", ""],
)
def test_unicode_and_plain_text_are_left_alone(text):
    assert detect_legacy_encoding(text) is None
    assert fix_legacy_encoding(text) == text


def test_unconvertible_legacy_text_is_refused_with_a_clear_message():
    with pytest.raises(LegacyEncodingError, match="bảng mã cũ"):
        normalize("Gi¸ ½ ¼ ¾ £5 ¥200 §3 ¤¤¤")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\ufeff", "😀🙏"])
def test_empty_and_symbol_only_input(text):
    assert normalize(text) == ""
    assert preprocess(text) == ""


def test_emoji_control_and_invisible_characters_are_dropped():
    assert normalize("Đường\x07 ấp\u200b 3 😡 lầy lội 👍") == "đường ấp 3 lầy lội"
    assert normalize("“Cán bộ” nói…  ‘không’ – xong") == "\"cán bộ\" nói... 'không' - xong"


def test_100k_character_input_keeps_every_syllable():
    text = (SENTENCE + " ") * (100_000 // len(SENTENCE) + 1)
    assert len(text) >= 100_000
    out = preprocess(text)
    assert out.replace("_", " ").split() == segment(normalize(text)).replace("_", " ").split()
    assert "".join(out.split()).replace("_", "") == "".join(normalize(text).split())


def test_preprocess_many_keeps_order_and_matches_single_calls():
    texts = [SENTENCE, "Đ/c Bí thư chi bộ sống giản dị", "", SENTENCE, TCVN3, "can bo xa nhau nhet"]
    expected = [preprocess(t) for t in texts]
    assert preprocess_many(texts) == expected
    assert preprocess_many(texts, n_jobs=2, parallel_threshold=2) == expected
    assert preprocess_many([]) == []
