"""The shipped corpus keeps its floors; the checker finds planted faults; splits keep near copies together."""

import pandas as pd
import pytest

from tpbnlp.cli import app
from tpbnlp.corpus import assign_splits, default_corpus_path, near_duplicates, source_site, write_corpus
from tpbnlp.corpus_check import CorpusFloors, check_corpus
from tpbnlp.labels import load_labels
from tpbnlp.text import strip_diacritics

#: real-derived rows the shipped corpus keeps at least
REAL_ROWS = 2000


@pytest.fixture(scope="module")
def shipped(shipped_corpus):
    return shipped_corpus


@pytest.fixture(scope="module")
def shipped_report(shipped):
    return check_corpus(shipped)


def test_shipped_corpus_passes_with_its_floors(shipped_report):
    floors = CorpusFloors()
    assert shipped_report.problems == []
    assert shipped_report.rows >= floors.rows
    assert min(shipped_report.categories.values()) >= floors.per_category
    assert min(shipped_report.topics.values()) >= floors.per_topic
    assert shipped_report.hard >= floors.hard
    assert shipped_report.no_diacritics >= 0.10 * shipped_report.rows
    assert shipped_report.cross_split == []


def test_shipped_splits_are_stratified(shipped):
    authored = shipped[shipped.origin == "authored"]
    for _, rows in authored.groupby("category"):
        shares = [(rows.split == s).mean() for s in ("train", "dev", "test")]
        assert shares[0] == pytest.approx(0.70, abs=0.05)
        assert shares[1] == pytest.approx(0.15, abs=0.04)
        assert shares[2] == pytest.approx(0.15, abs=0.04)
    # real-derived rows: whole sites go to one split, so shares are looser, but every split has every category
    real = shipped[shipped.origin == "real"]
    shares = [(real.split == s).mean() for s in ("train", "dev", "test")]
    assert shares[0] == pytest.approx(0.70, abs=0.06)
    assert shares[1] == pytest.approx(0.15, abs=0.05) and shares[2] == pytest.approx(0.15, abs=0.05)
    for split in ("dev", "test"):
        assert set(real[real.split == split].category) == set(load_labels().category_keys)


def test_shipped_real_slice(shipped, shipped_report):
    real = shipped[shipped.origin == "real"]
    assert len(real) >= REAL_ROWS and real.source.str.startswith("http").all()
    assert shipped_report.pages >= 400 and shipped_report.sites >= 60
    assert shipped_report.cross_split_sites == []
    sites = real.source.map(source_site)
    assert sites.groupby(sites).size().max() < 0.08 * len(real)  # no single site dominates
    # the authored rows carry no page address
    assert (shipped[shipped.origin == "authored"].source == "").all()


def test_source_site():
    assert source_site("https://www.baotravinh.vn/chinh-tri/bai-1.html") == "baotravinh.vn"
    assert source_site("http://m.baomoi.com/a/c/1.epi") == "baomoi.com"
    assert source_site("https://dangcongsan.vn:443/x?y=1") == "dangcongsan.vn"
    assert source_site("") == ""


def test_shipped_corpus_uses_every_register_and_label(shipped_report):
    assert all(count >= 100 for count in shipped_report.registers.values())
    assert set(load_labels().category_keys) == set(shipped_report.categories)


def small_corpus() -> pd.DataFrame:
    rows = [
        ("a1", "Đồng chí trưởng ấp Ô Đùng ít xuống thăm hỏi bà con khi có thiên tai.", "thuc_hien_chuc_trach_nhiem_vu", ("ha_tang",), "train"),
        ("a2", "Cán bộ địa chính xã hách dịch, hẹn tới hẹn lui khi dân đi làm giấy đất.", "pham_chat_dao_duc_loi_song", ("dat_dai", "tac_phong_can_bo"), "train"),
        ("a3", "Đề nghị tỉnh nâng mức trợ cấp cho người cao tuổi neo đơn.", "linh_vuc_khac", ("che_do_chinh_sach",), "dev"),
        ("a4", "Ông Sơn Thạch không tham gia sinh hoạt chi bộ ba tháng liền.", "y_thuc_to_chuc_ky_luat", (), "test"),
        ("a5", "Một số đảng viên tin và chia sẻ tin giả trên Facebook.", "tu_tuong_chinh_tri", (), "test"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "text", "category", "topics", "split"])
    frame["register"], frame["hard"], frame["no_diacritics"] = "tuong_thuat", "0", "0"
    return frame


def test_clean_small_corpus_has_no_problems():
    report = check_corpus(small_corpus(), floors=None)
    assert report.ok, report.problems
    assert report.categories["linh_vuc_khac"] == 1 and report.topics["dat_dai"] == 1 and report.no_topic == 2


def test_checker_validates_origin_and_source():
    frame = small_corpus().assign(origin="real", source="https://baosoctrang.org.vn/bai-1.html")
    frame.loc[1, "origin"] = "ban_dich"
    frame.loc[2, "source"] = ""
    frame.loc[3, "source"] = "báo Sóc Trăng"
    frame.loc[4, "source"] = "https://www.baosoctrang.org.vn/bai-2.html"  # same site as a1, another split
    text = "\n".join(check_corpus(frame, floors=None).problems)
    assert "id a2: nguồn gốc (origin) không hợp lệ 'ban_dich'" in text
    assert "id a3: ý kiến thực tế (origin real) cần địa chỉ trang nguồn" in text
    assert "id a4: địa chỉ nguồn (source) không phải địa chỉ trang web" in text
    assert "trang baosoctrang.org.vn có ý kiến ở nhiều split" in text
    authored = small_corpus().assign(origin="authored", source="")
    assert check_corpus(authored, floors=None).ok


def test_checker_finds_planted_faults():
    frame = small_corpus()
    extra = pd.DataFrame(
        [
            # the unaccented copy of a1, placed in test: a near duplicate crossing splits
            ("a6", strip_diacritics(frame.text[0]), "thuc_hien_chuc_trach_nhiem_vu", (), "test", "ngan_gon", "0", "1"),
            ("a3", "Trạm y tế xã thiếu thuốc.", "hanh_chinh", ("y_te", "giao_thong"), "val", "thu_tu", "2", "0"),
            ("a8", "  Đồng chí trưởng ấp Ô Đùng ít xuống thăm hỏi bà con khi có thiên tai. ", "thuc_hien_chuc_trach_nhiem_vu", (), "train", "ngan_gon", "0", "1"),
        ],
        columns=frame.columns,
    )
    report = check_corpus(pd.concat([frame, extra], ignore_index=True), floors=None)
    text = "\n".join(report.problems)
    assert "id 'a3' xuất hiện 2 lần" in text
    assert "lĩnh vực không hợp lệ 'hanh_chinh'" in text
    assert "chủ đề không hợp lệ giao_thong" in text
    assert "split không hợp lệ 'val'" in text
    assert "kiểu diễn đạt không hợp lệ 'thu_tu'" in text
    assert "hard / no_diacritics" in text
    assert "id a8: đánh dấu không dấu nhưng nội dung có dấu" in text
    assert "trùng lặp nguyên văn: a1 và a8" in text
    assert ("a1", "a6") in {(a, b) for a, b, _ in report.cross_split}


def test_floors_are_enforced():
    report = check_corpus(small_corpus(), floors=CorpusFloors())
    assert any("cần ít nhất 3000" in p for p in report.problems)
    assert any("lĩnh vực linh_vuc_khac: 1 ý kiến" in p for p in report.problems)


def test_near_duplicates_ignore_diacritics_and_small_edits():
    texts = [
        "Đường ấp 3 lầy lội, xe không chạy được, đề nghị xã sửa.",
        "Duong ap 3 lay loi, xe khong chay duoc, de nghi xa sua.",
        "Đường ấp 3 lầy lội quá, xe không chạy được, đề nghị xã sửa sớm.",
        "Cán bộ thú y thu tiền tiêm phòng cao hơn giá quy định.",
    ]
    pairs = {(i, j) for i, j, _ in near_duplicates(texts)}
    assert {(0, 1), (0, 2)} <= pairs
    assert not any(3 in pair for pair in pairs)


def test_assign_splits_keeps_near_copies_together_and_existing_splits():
    frame = small_corpus()
    copy = frame.iloc[[1]].assign(id="b1", text=strip_diacritics(frame.text[1]), split="")
    frame = pd.concat([frame.assign(split=["", "dev", "", "test", ""]), copy], ignore_index=True)
    splits = assign_splits(frame)
    assert splits[1] == "dev" and splits[3] == "test"  # kept
    assert splits[5] == "dev"  # the near copy follows the row it copies
    assert set(splits) <= {"train", "dev", "test"}
    assert list(assign_splits(frame.iloc[::-1].reset_index(drop=True))) == list(splits[::-1])


def test_assign_splits_keeps_a_site_together(shipped):
    frame = shipped[shipped.origin == "authored"].head(60).reset_index(drop=True)
    frame = frame.assign(split="", origin="real", source=[f"https://www.bao{i % 6}.vn/bai-{i}.html" for i in range(60)])
    splits = assign_splits(frame)
    by_site = pd.DataFrame({"site": frame.source.map(source_site), "split": splits}).groupby("site")["split"].nunique()
    assert (by_site == 1).all() and len(by_site) == 6
    assert set(splits) == {"train", "dev", "test"}  # six sites are still spread over the three splits
    without_sites = assign_splits(frame.assign(source=""))
    assert pd.DataFrame({"s": frame.source, "split": without_sites}).groupby(frame.source.map(source_site))["split"].nunique().max() > 1


def test_corpus_check_command(tmp_path, runner):
    ok = runner.invoke(app, ["corpus", "check", str(default_corpus_path())])
    assert ok.exit_code == 0, ok.stderr
    assert "Đạt" in ok.stdout
    broken = small_corpus()
    broken.loc[0, "category"] = "sai_khoa"
    path = tmp_path / "broken.csv"
    write_corpus(broken, path)
    result = runner.invoke(app, ["corpus", "check", str(path), "--no-floors"])
    assert result.exit_code == 1
    assert "sai_khoa" in result.stderr and "Không đạt" in result.stderr
    missing = runner.invoke(app, ["corpus", "check", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "Không tìm thấy" in missing.stderr
