"""The model commands through typer's runner: tag, evaluate, train."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import tpbnlp
from tpbnlp.cli import app
from tpbnlp.corpus import load_corpus, write_corpus
from tpbnlp.labels import CATEGORY_KEYS, load_labels
from tpbnlp.store import WEIGHTS, default_model_path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "y_kien_mau.csv"


def test_tag_writes_every_row_with_labels(tmp_path, runner):
    out = tmp_path / "ket_qua.csv"
    result = runner.invoke(app, ["tag", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Vietnamese right
    source = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    tagged = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(tagged) == len(source) == 29
    assert list(tagged["Nội dung ý kiến"]) == list(source["Nội dung ý kiến"])
    assert set(tagged["category"]) <= set(CATEGORY_KEYS)
    topic_keys = set(load_labels().topic_keys)
    assert all(set(filter(None, t.split("|"))) <= topic_keys for t in tagged["topics"])
    assert set(tagged["status"]) == {"ok"}
    said = " ".join(result.stderr.split())
    assert re.search(r"trong \d+(,\d)? giây \([\d.]+ dòng/giây\)", said), said  # Vietnamese numbers: "0,4 giây"
    assert tagged.loc[tagged["STT"] == "8", "category"].item() == "linh_vuc_khac"  # "Thống nhất…, không có ý kiến"
    assert "Lĩnh vực khác" in result.stderr


def test_tag_names_the_columns_when_it_cannot_guess(tmp_path, runner):
    path = tmp_path / "a.csv"
    pd.DataFrame({"so_thu_tu": ["1"], "ghi_chu": ["Đường ấp 3 hư."]}).to_csv(path, index=False)
    result = runner.invoke(app, ["tag", str(path)])
    assert result.exit_code == 2
    assert "so_thu_tu" in result.stderr and "ghi_chu" in result.stderr and "--column" in result.stderr
    ok = runner.invoke(app, ["tag", str(path), "--column", "ghi_chu"])
    assert ok.exit_code == 0 and "ha_tang" in ok.stdout


def test_evaluate_json_on_a_file_labelled_with_vietnamese_names(tmp_path, runner):
    path = tmp_path / "nhan.csv"
    pd.DataFrame(
        {
            "text": [
                "Đề nghị tỉnh hỗ trợ thêm vốn vay cho hộ nghèo nuôi bò.",
                "Đồng chí Ba không đóng đảng phí sáu tháng nay.",
                "Cán bộ tư pháp xã đòi tiền mới chứng thực giấy tờ cho dân.",
            ],
            "category": ["Lĩnh vực khác", "y_thuc_to_chuc_ky_luat", "Phẩm chất đạo đức, lối sống"],
            "topics": ["Giảm nghèo bền vững", "", "thu_tuc_hanh_chinh|Trách nhiệm, đạo đức, tác phong cán bộ"],
        }
    ).to_csv(path, index=False)
    result = runner.invoke(app, ["evaluate", "--data", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 3 and report["accuracy"] == 1.0
    assert len(report["confusion"]) == 5 and report["topic_micro_f1"] > 0.5


def test_evaluate_rejects_unknown_labels(tmp_path, runner):
    path = tmp_path / "nhan.csv"
    pd.DataFrame({"text": ["Đường hư."], "category": ["Giao thông"]}).to_csv(path, index=False)
    result = runner.invoke(app, ["evaluate", "--data", str(path)])
    assert result.exit_code == 2 and "Giao thông" in result.stderr and "dòng 2" in result.stderr


def test_a_copied_model_loads_without_trust_and_a_tampered_one_gets_a_message(tmp_path, runner):
    copy = tmp_path / "m"
    shutil.copytree(default_model_path(), copy)
    copied = runner.invoke(app, ["tag", str(EXAMPLE), "--model", str(copy), "-o", str(tmp_path / "a.csv")])
    assert copied.exit_code == 0, copied.stderr
    data = bytearray((copy / WEIGHTS).read_bytes())
    data[100] ^= 0x01
    (copy / WEIGHTS).write_bytes(bytes(data))
    tampered = runner.invoke(app, ["tag", str(EXAMPLE), "--model", str(copy)])
    assert tampered.exit_code == 2 and "SHA-256" in tampered.stderr
    assert "Traceback" not in tampered.stderr + tampered.stdout


@pytest.mark.parametrize("broken", ["split", "category"])
def test_train_refuses_a_broken_corpus(tmp_path, broken, runner):
    frame = load_corpus().groupby(["split", "category"]).head(4).reset_index(drop=True)
    frame.loc[0, broken] = "sai"
    write_corpus(frame, tmp_path / "c.csv")
    result = runner.invoke(app, ["train", "--corpus", str(tmp_path / "c.csv"), "--models-dir", str(tmp_path)])
    assert result.exit_code == 2 and "tpbnlp corpus check" in result.stderr


def test_train_builds_a_loadable_model(tmp_path, runner):
    frame = load_corpus().groupby(["split", "category"]).head(40).reset_index(drop=True)
    write_corpus(frame, tmp_path / "c.csv")
    result = runner.invoke(app, ["train", "--corpus", str(tmp_path / "c.csv"), "--models-dir", str(tmp_path), "--name", "nho"])
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "nho" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"]["rows"] == len(frame)
    assert 0 <= manifest["metrics"]["test"]["macro_f1"] <= 1
    assert manifest["params"]["C"] in manifest["params"]["c_grid"]
    tagged = runner.invoke(app, ["tag", str(EXAMPLE), "--model", str(tmp_path / "nho")])
    assert tagged.exit_code == 0


def test_evaluate_gives_figures_per_origin(tmp_path, runner):
    path = tmp_path / "nhan.csv"
    pd.DataFrame(
        {
            "text": [
                "Đề nghị tỉnh hỗ trợ thêm vốn vay cho hộ nghèo nuôi bò.",
                "Đồng chí Ba không đóng đảng phí sáu tháng nay.",
                "Cử tri phản ánh cán bộ tư pháp xã đòi tiền mới chứng thực giấy tờ cho dân.",
            ],
            "category": ["linh_vuc_khac", "y_thuc_to_chuc_ky_luat", "pham_chat_dao_duc_loi_song"],
            "origin": ["authored", "authored", "real"],
        }
    ).to_csv(path, index=False)
    report = json.loads(runner.invoke(app, ["evaluate", "--data", str(path), "--json"]).stdout)
    assert {k: v["rows"] for k, v in report["by_group"].items()} == {"authored": 2, "real": 1}
    shown = runner.invoke(app, ["evaluate", "--data", str(path)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "Theo nguồn gốc ý kiến" in shown.stdout and "từ ý kiến thực tế" in shown.stdout


def test_evaluate_a_corrected_tagged_workbook_where_the_name_wins(tmp_path, runner):
    from openpyxl import load_workbook

    tagged = tmp_path / "da_gan.xlsx"
    assert runner.invoke(app, ["tag", str(EXAMPLE), "-o", str(tagged), "--quiet"]).exit_code == 0
    workbook = load_workbook(tagged)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    name_col = header.index("category_name") + 1
    first = sheet.cell(row=2, column=name_col)
    first.value = "Lĩnh vực khác" if first.value != "Lĩnh vực khác" else "Ý thức tổ chức kỷ luật"  # the reviewer's correction
    workbook.save(tagged)
    result = runner.invoke(app, ["evaluate", "--data", str(tagged), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 29 and report["accuracy"] == pytest.approx(28 / 29, abs=1e-4)  # the model disagrees with the correction only


def test_train_adds_a_corrected_tagged_file_and_says_before_and_after(tmp_path, runner):
    import hashlib

    frame = load_corpus().groupby(["split", "category"]).head(40).reset_index(drop=True)
    write_corpus(frame, tmp_path / "c.csv")
    tagged = tmp_path / "da_sua.xlsx"
    assert runner.invoke(app, ["tag", str(EXAMPLE), "-o", str(tagged), "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["train", "--corpus", str(tmp_path / "c.csv"), "--add", str(tagged), "-o", str(tmp_path / "dia_phuong")])
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "dia_phuong" / "manifest.json").read_text(encoding="utf-8"))
    added = manifest["corpus"]["added"]
    assert added == [{"file": "da_sua.xlsx", "sha256": hashlib.sha256(tagged.read_bytes()).hexdigest(), "rows": 29, "skipped": 0}]
    said = " ".join(result.stdout.split())
    assert "Trước và sau khi học thêm 29 ý kiến bổ sung" in said and "(kiểm định chéo)" in said
    assert runner.invoke(app, ["tag", str(EXAMPLE), "--model", str(tmp_path / "dia_phuong"), "--quiet"]).exit_code == 0


def test_a_province_grows_its_own_corpus_and_trains_on_it(tmp_path, runner):
    rows = load_corpus().query("split == 'test'").groupby("category").head(16)
    reviewed = tmp_path / "da_sua.csv"
    pd.DataFrame({"Nội dung ý kiến": rows["text"], "Lĩnh vực": [tpbnlp.load().labels.name(c) for c in rows["category"]]}).to_csv(reviewed, index=False)
    local = tmp_path / "dia_phuong.csv"
    first = runner.invoke(app, ["corpus", "add", str(reviewed), "-o", str(local)])
    assert first.exit_code == 0, first.stderr
    again = runner.invoke(app, ["corpus", "add", str(reviewed), "-o", str(local)])
    assert "Đã thêm 0 ý kiến" in again.stdout and f"bỏ {len(rows)} dòng trùng" in again.stdout
    stored = pd.read_csv(local, dtype=str, keep_default_na=False)
    assert list(stored.columns) == ["id", "text", "category", "topics", "origin"] and len(stored) == len(rows)
    assert list(stored["category"]) == list(rows["category"])
    result = runner.invoke(app, ["train", "--corpus", str(local), "-o", str(tmp_path / "rieng")])
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "rieng" / "manifest.json").read_text(encoding="utf-8"))["corpus"]["rows"] == len(rows)
