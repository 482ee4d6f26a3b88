"""Consistency checks of hand-made category counts."""

import json

import pandas as pd
import pytest
from openpyxl import Workbook

import tpbnlp
from tpbnlp import check_counts
from tpbnlp.cli import app
from tpbnlp.errors import CountsError
from tpbnlp.numbers import parse_number
from tpbnlp.tagging import tag_texts

HEADER = ["Đơn vị", "Số cuộc", "Lượt quần chúng", "Tổng số ý kiến", "TTCT", "PCĐĐ", "CTNV", "TCKL", "LVK", "Ghi chú"]


def clean_rows():
    return [
        ["Xã Long Hòa", "12", "1.234", "151", "10", "21", "80", "12", "28", "đủ"],
        ["Xã Hòa Minh", "9", "876", "98", "5", "12", "55", "6", "20", ""],
        ["Tổng cộng", "21", "2.110", "249", "15", "33", "135", "18", "48", ""],
    ]


def test_provincial_figures_of_the_domain_are_flagged_by_22():
    table = pd.DataFrame(
        [["Tỉnh Trà Vinh", "47.510", "3.272", "6.072", "25.205", "3.601", "9.382"]],
        columns=["Đơn vị", "Tổng", "Tư tưởng chính trị", "Phẩm chất đạo đức, lối sống", "Thực hiện chức trách, nhiệm vụ", "Ý thức tổ chức kỷ luật", "Lĩnh vực khác"],
    )
    result = tpbnlp.check_counts(table)
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.kind == "tong_hang" and finding.stated == 47510 and finding.computed == 47532
    assert abs(finding.difference) == 22 and "chênh -22" in finding.message


def test_a_clean_table_gives_no_finding():
    result = check_counts(pd.DataFrame(clean_rows(), columns=HEADER))
    assert result.findings == [] and result.units == ["Xã Long Hòa", "Xã Hòa Minh"]


@pytest.mark.parametrize(
    "text, value",
    [("47.510", 47510), ("47,510", 47510), ("3 272", 3272), ("3\u00a0272", 3272), ("1.234.567", 1234567), ("12", 12), ("1.234,5", 1234.5), ("3,5", 3.5)],
)
def test_vietnamese_and_english_number_formats(text, value):
    assert parse_number(text) == (value, None)


def test_each_kind_of_error_is_found_with_its_place():
    rows = clean_rows()
    rows[0][4] = "10,5"  # fractional
    rows[1][5] = ""  # missing
    rows[1][7] = "-6"  # negative
    rows[2][6] = "140"  # column total: the units add up to 136
    rows.insert(2, ["Xã Long Hòa", "1", "0", "1", "0", "0", "1", "0", "0", ""])  # unit twice, fewer people than meetings
    result = check_counts(pd.DataFrame(rows, columns=HEADER))
    kinds = {(f.kind, f.row, f.column) for f in result.findings}
    assert ("so_le", "Xã Long Hòa", "TTCT") in kinds
    assert ("thieu_so", "Xã Hòa Minh", "PCĐĐ") in kinds
    assert ("so_am", "Xã Hòa Minh", "TCKL") in kinds
    assert ("trung_don_vi", "Xã Long Hòa", "Đơn vị") in kinds
    assert ("ti_le", "Xã Long Hòa", "Lượt quần chúng") in kinds
    off = next(f for f in result.findings if f.kind == "tong_cot" and f.column == "CTNV")
    assert off.stated == 140 and off.computed == 136 and off.row == "Tổng cộng"
    assert not any(f.column == "Ghi chú" for f in result.findings)  # extra columns are left alone


def test_xlsx_with_numbers_and_a_year_column(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Đơn vị", "Năm", "tu_tuong_chinh_tri", "pham_chat_dao_duc_loi_song", "thuc_hien_chuc_trach_nhiem_vu", "y_thuc_to_chuc_ky_luat", "linh_vuc_khac", "Tổng"])
    sheet.append(["Huyện Cầu Ngang", 2017, 100, 200, 800, 120, 300, 1520])
    sheet.append(["Huyện Cầu Ngang", 2018, 90, 210, 790, 110, 310, 1500])
    path = tmp_path / "so_lieu.xlsx"
    workbook.save(path)
    result = check_counts(path)
    assert result.units == ["Huyện Cầu Ngang (2017)", "Huyện Cầu Ngang (2018)"]
    assert [f.row for f in result.findings] == ["Huyện Cầu Ngang (2018)"] and result.findings[0].difference == -10


def test_unrecognised_tables_get_a_message():
    with pytest.raises(CountsError, match="Không nhận ra các cột lĩnh vực"):
        check_counts(pd.DataFrame({"Đơn vị": ["A"], "Số liệu": ["1"]}))


@pytest.fixture(scope="module")
def tagged_units(model, shipped_corpus):
    """Three units' opinions from the corpus test split, tagged by the shipped model."""
    test = shipped_corpus.query("split == 'test'").iloc[:600].reset_index(drop=True)
    results = tag_texts(model, list(test["text"]))
    units = ["Ấp Ô Đùng", "Ấp Trà Cú", "Khóm 2"]
    tagged = pd.DataFrame({"unit": [units[i % 3] for i in range(len(test))], "category": [r.category for r in results], "status": "ok"})
    truth = pd.DataFrame({"unit": tagged["unit"], "category": test["category"]})
    return tagged, truth


def hand_table(truth: pd.DataFrame) -> pd.DataFrame:
    keys = list(tpbnlp.CATEGORY_KEYS)
    counts = truth.groupby("unit")["category"].value_counts().unstack(fill_value=0).reindex(columns=keys, fill_value=0)
    table = counts.reset_index().rename(columns={"unit": "Đơn vị"})
    table["Tổng"] = counts.sum(axis=1).to_numpy()
    return table.astype(str)


def test_against_text_ordinary_model_noise_is_not_flagged(tagged_units):
    tagged, truth = tagged_units
    assert (tagged["category"] != truth["category"]).sum() > 10  # the model does make errors here
    result = check_counts(hand_table(truth), against=tagged)
    assert result.findings == []


def test_against_text_a_planted_discrepancy_is_found(tagged_units):
    tagged, truth = tagged_units
    table = hand_table(truth)
    row = table.index[table["Đơn vị"] == "Ấp Trà Cú"][0]
    moved = 25  # a tally clerk put 25 duties opinions under ethics
    table.loc[row, "thuc_hien_chuc_trach_nhiem_vu"] = str(int(table.loc[row, "thuc_hien_chuc_trach_nhiem_vu"]) - moved)
    table.loc[row, "pham_chat_dao_duc_loi_song"] = str(int(table.loc[row, "pham_chat_dao_duc_loi_song"]) + moved)
    result = check_counts(table, against=tagged)
    flagged = {(f.row, f.kind) for f in result.findings}
    assert ("Ấp Trà Cú", "lech_van_ban") in flagged
    assert all(f.row == "Ấp Trà Cú" for f in result.findings)


def test_command_json_and_exit_codes(tmp_path, runner):
    path = tmp_path / "tv.csv"
    path.write_text('Đơn vị,Tổng số ý kiến,TTCT,PCĐĐ,CTNV,TCKL,LVK\nTỉnh Trà Vinh,"47.510","3.272","6.072","25.205","3.601","9.382"\n', encoding="utf-8")
    result = runner.invoke(app, ["check-counts", str(path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["findings"][0]["difference"] == -22
    clean = tmp_path / "sach.csv"
    pd.DataFrame(clean_rows(), columns=HEADER).to_csv(clean, index=False)
    ok = runner.invoke(app, ["check-counts", str(clean)])
    assert ok.exit_code == 0 and "Không thấy sai sót" in ok.stdout
    assert runner.invoke(app, ["check-counts", str(tmp_path / "khong_co.csv")]).exit_code == 2


def provincial_workbook(path, errors: bool):
    """A counts table as provinces make it: title lines, a two-row header with 'Trong đó' merged over the
    five categories, numbered units, a 'Toàn tỉnh' row and a signature block under it."""
    units = [
        ["Huyện Càng Long", 120, 3450, 640, 40, 82, 350, 60, 108],
        ["Huyện Cầu Kè", 98, 2870, 512, 33, 70, 280, 41, 88],
        ["Huyện Tiểu Cần", 105, 3010, 575, 38, 77, 310, 52, 98],
        ["Huyện Châu Thành", 131, 3920, 702, 45, 96, 380, 63, 118],
        ["Huyện Trà Cú", 142, 4105, 733, 50, 99, 391, 70, 123],
        ["Thành phố Trà Vinh", 88, 2600, 498, 31, 66, 270, 45, 86],
    ]
    total = ["Toàn tỉnh", *[sum(u[i] for u in units) for i in range(1, 9)]]
    if errors:
        units[1][3] += 10  # a unit's total
        total[3] -= 22  # the grand total
        total[5] += 5  # a category column's total
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["BAN TỔ CHỨC TỈNH ỦY TRÀ VINH"])
    sheet.append(["BẢNG TỔNG HỢP KẾT QUẢ HỘI NGHỊ TỰ PHÊ BÌNH TRƯỚC NHÂN DÂN NĂM 2024"])
    sheet.append([])
    sheet.append(["STT", "Đơn vị", "Số cuộc", "Lượt quần chúng dự", "Tổng số ý kiến", "Trong đó", None, None, None, None])
    sheet.append([None, None, None, None, None, "Tư tưởng chính trị", "Phẩm chất đạo đức, lối sống",
                  "Thực hiện chức trách, nhiệm vụ", "Ý thức tổ chức kỷ luật", "Lĩnh vực khác"])
    for column in "ABCDE":
        sheet.merge_cells(f"{column}4:{column}5")
    sheet.merge_cells("F4:J4")
    for number, unit in enumerate(units, 1):
        sheet.append([number, *unit])
    sheet.append([None, *total])
    sheet.append([])
    sheet.append([None, "Người lập biểu", None, None, None, None, None, "TRƯỞNG BAN"])
    sheet.append([None, "Nguyễn Văn An", None, None, None, None, None, "Trần Thị Bình"])
    workbook.save(path)
    return path


def test_a_provincial_table_with_a_merged_two_row_header(tmp_path):
    clean = check_counts(provincial_workbook(tmp_path / "sach.xlsx", errors=False))
    assert clean.findings == [], [f.message for f in clean.findings]
    assert clean.units[:2] == ["Huyện Càng Long", "Huyện Cầu Kè"] and len(clean.units) == 6
    faulty = check_counts(provincial_workbook(tmp_path / "loi.xlsx", errors=True))
    found = {(f.kind, f.row) for f in faulty.findings}
    assert ("tong_hang", "Huyện Cầu Kè") in found  # the unit's total +10
    # the grand total (−22), seen against the units' sum, which carries the unit's +10 too
    assert any(f.kind == "tong_cot" and f.column == "Tổng số ý kiến" and f.difference == -32 for f in faulty.findings)
    assert any(f.kind == "tong_cot" and f.difference == 5 and "đạo đức" in f.column for f in faulty.findings)
    assert not any("lập biểu" in f.row.lower() or "nguyễn văn an" in f.row.lower() for f in faulty.findings)


def test_the_faulty_cells_are_marked_on_a_copy_of_the_table(tmp_path, runner):
    from openpyxl import load_workbook

    source = provincial_workbook(tmp_path / "loi.xlsx", errors=True)
    out = tmp_path / "kiem_tra.xlsx"
    result = runner.invoke(app, ["check-counts", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.stderr
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Bảng đã kiểm tra", "Phát hiện"]
    checked = workbook["Bảng đã kiểm tra"]
    marked = {(c.row, c.column) for row in checked.iter_rows() for c in row if c.comment is not None}
    assert (3, 5) in marked  # Huyện Cầu Kè (second unit, row 3 under the header), "Tổng số ý kiến" (column E)
    assert "ghi 522, tính được 512" in checked.cell(row=3, column=5).comment.text
    assert checked.freeze_panes == "A2" and workbook["Phát hiện"].max_row == 1 + 4
