"""Cases found by reviewing the tools with real office files in mind."""

import json
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from tpbnlp.cli import app
from tpbnlp.counts import check_counts
from tpbnlp.minutes import read_minutes
from tpbnlp.tables.encoding import decode_bytes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "minutes"
OPINION = "Cán bộ địa chính xã hách dịch khi làm giấy tờ đất đai cho dân"


def test_a_few_windows_bytes_do_not_turn_a_utf8_file_into_another_encoding(tmp_path, runner):
    lines = ["STT,Nội dung"] + [f"{i},{OPINION} ở ấp số {i}" for i in range(1, 30)]
    data = "\n".join(lines).encode("utf-8").replace("ấp số 3".encode(), b"\x93\xe1p s\xf4\x94 3")
    assert decode_bytes(data)[1] == "utf-8"
    path = tmp_path / "lan.csv"
    path.write_bytes(data)
    result = runner.invoke(app, ["tag", str(path), "-q"])
    assert result.exit_code == 1  # one damaged row
    rows = pd.read_csv(pd.io.common.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(rows.columns[:2]) == ["STT", "Nội dung"] and len(rows) == 29
    assert (rows["status"] == "ok").sum() == 28 and rows.loc[2, "status"].startswith("error: có byte")


def test_semicolon_header_with_as_many_commas_and_a_long_text_column_name(tmp_path, runner):
    path = tmp_path / "champhay.csv"
    path.write_text("STT;Họ, tên;Nội dung ý kiến, kiến nghị\n1;Lê Văn A;" + OPINION + "\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["tag", str(path), "-q"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith('STT,"Họ, tên","Nội dung ý kiến, kiến nghị",category')


def test_decomposed_unicode_headers_are_found(tmp_path, runner):
    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", "STT,Nội dung\n1," + OPINION + "\n"), encoding="utf-8")
    assert runner.invoke(app, ["tag", str(path), "-q"]).exit_code == 0


def test_jsonl_line_separator_characters_stay_inside_a_row(tmp_path, runner):
    path = tmp_path / "ls.jsonl"
    path.write_text(json.dumps({"text": OPINION.replace("khi", "\u2028khi")}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["tag", str(path), "-o", str(out), "-q"]).exit_code == 0
    assert [json.loads(line)["status"] for line in out.read_text(encoding="utf-8").split("\n") if line] == ["ok"]


def test_text_that_looks_like_a_formula_stays_text_in_excel(tmp_path, runner):
    path = tmp_path / "f.csv"
    pd.DataFrame({"text": ["=1+1 cán bộ xã hách dịch", OPINION]}).to_csv(path, index=False)
    out = tmp_path / "f.xlsx"
    assert runner.invoke(app, ["tag", str(path), "-o", str(out), "-q"]).exit_code == 0
    cell = load_workbook(out).active["A2"]
    assert cell.value == "=1+1 cán bộ xã hách dịch" and cell.data_type == "s"


def test_an_unwritable_output_gets_a_message_and_status_2(tmp_path, runner):
    path = tmp_path / "a.csv"
    pd.DataFrame({"text": [OPINION]}).to_csv(path, index=False)
    (tmp_path / "la_thu_muc.csv").mkdir()
    result = runner.invoke(app, ["tag", str(path), "-o", str(tmp_path / "la_thu_muc.csv"), "-q"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "la_thu_muc.csv là một thư mục" in message and ".tmp" not in message


def test_minutes_without_an_opinions_heading_still_find_the_speaker_turns(tmp_path):
    source = EXAMPLES / "m1_chi_bo_ap_o_dung.txt"
    expected = json.loads((EXAMPLES / "m1_chi_bo_ap_o_dung.expected.json").read_text(encoding="utf-8"))
    text = source.read_text(encoding="utf-8").replace("Ý KIẾN ĐÓNG GÓP CỦA QUẦN CHÚNG NHÂN DÂN", "Ý KIẾN THAM GIA CỦA BÀ CON")
    path = tmp_path / "khong_tieu_de.txt"
    path.write_text(text, encoding="utf-8")
    assert [o.text for o in read_minutes(path).opinions] == [o["text"] for o in expected["opinions"]]


def test_line_breaks_inside_a_word_paragraph_separate_speakers(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("Ý KIẾN ĐÓNG GÓP CỦA QUẦN CHÚNG NHÂN DÂN")
    paragraph = document.add_paragraph("Ông Lê Văn An góp ý: Đường ấp 3 lầy lội.")
    paragraph.add_run().add_break()
    paragraph.add_run("Bà Trần Thị Bé phát biểu: Trạm y tế thiếu thuốc.")
    path = tmp_path / "xuong_dong.docx"
    document.save(path)
    opinions = read_minutes(path).opinions
    assert [(o.speaker, o.text) for o in opinions] == [("Ông Lê Văn An", "Đường ấp 3 lầy lội."), ("Bà Trần Thị Bé", "Trạm y tế thiếu thuốc.")]


def test_counts_headers_as_offices_write_them_and_a_total_row_in_the_number_column():
    table = pd.DataFrame(
        [["1", "Ấp A", "1", "2", "3", "4", "5", "15"], ["2", "Ấp B", "1", "1", "1", "1", "1", "5"], ["Tổng cộng", "", "2", "3", "4", "5", "6", "20"]],
        columns=["STT", "Tên chi bộ", "Tư tưởng chính trị (TTCT)", "Phẩm chất đạo đức, lối sống (PCĐĐ)", "Thực hiện chức trách nhiệm vụ",
                 "Ý thức tổ chức, kỷ luật", "Lĩnh vực khác", "Tổng số ý kiến"],
    )
    assert check_counts(table).findings == []
    table.loc[2, "Lĩnh vực khác"] = "7"
    found = {(f.kind, f.row, f.column) for f in check_counts(table).findings}
    assert ("tong_cot", "Tổng cộng", "Lĩnh vực khác") in found and ("tong_hang", "Tổng cộng", "Tổng số ý kiến") in found


def test_a_real_number_in_an_excel_counts_sheet_stays_a_fraction(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Đơn vị", "TTCT", "PCĐĐ", "CTNV", "TCKL", "LVK"])
    workbook.active.append(["Ấp A", 2.125, 1, 2, 3, 4])
    workbook.save(tmp_path / "so.xlsx")
    findings = check_counts(tmp_path / "so.xlsx").findings
    assert [(f.kind, f.stated) for f in findings] == [("so_le", 2.125)]


def test_title_rows_above_the_header_are_skipped(tmp_path, runner):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["BẢNG TỔNG HỢP Ý KIẾN ĐÓNG GÓP NĂM 2024"], [], ["STT", "Đơn vị", "Nội dung ý kiến"], [1, "Ấp A", OPINION]):
        workbook.active.append(row)
    workbook.save(tmp_path / "tieu_de.xlsx")
    result = runner.invoke(app, ["tag", str(tmp_path / "tieu_de.xlsx"), "-q"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("STT,Đơn vị,Nội dung ý kiến,category") and len(result.stdout.splitlines()) == 2
    (tmp_path / "tieu_de.csv").write_text("BẢNG SỐ LIỆU,,,,,\n,,,,,\nĐơn vị,TTCT,PCĐĐ,CTNV,TCKL,LVK\nẤp A,1,2,3,4,5\n", encoding="utf-8-sig")
    assert check_counts(tmp_path / "tieu_de.csv").units == ["Ấp A"]
