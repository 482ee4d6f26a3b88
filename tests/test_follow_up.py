"""Follow-up: last year's matters raised again, and each unit's indicators."""

import json

import pandas as pd
from openpyxl import load_workbook

from tpbnlp.cli import app
from tpbnlp.follow_up import PAIR_FEATURES, RepeatScorer, follow_up, pair_features, read_year

LAST = [
    ("Ấp Phú Thọ", "Đường đal từ cổng chùa ra lộ nhựa bị bể nhiều đoạn, mùa mưa xe chở lúa không đi được, đề nghị xã sửa."),
    ("Ấp Phú Thọ", "Đồng chí Năm trưởng ấp hay uống rượu say trong giờ làm việc, bà con đề nghị chi bộ nhắc nhở."),
    ("Ấp Phú Thọ", "Trạm y tế xã thiếu thuốc huyết áp cho người già có thẻ bảo hiểm y tế."),
    ("Ấp Tân Lập", "Danh sách hộ nghèo năm nay chưa được niêm yết công khai tại văn phòng ấp."),
    ("Ấp Tân Lập", "Cầu khỉ qua kênh Ba Thước đã mục, học sinh đi học rất nguy hiểm."),
]
THIS = [
    ("Ấp Phú Thọ", "Năm rồi bà con đã nêu, đường đal từ cổng chùa ra lộ nhựa vẫn còn bể, xe chở lúa vẫn không qua được, đề nghị xã sớm sửa."),
    ("Ấp Phú Thọ", "Bãi rác đầu xóm bốc mùi, đề nghị ấp bố trí xe thu gom hằng tuần."),
    ("Ấp Tân Lập", "Đề nghị công khai danh sách hộ cận nghèo."),
]


def write(path, rows):
    pd.DataFrame(rows, columns=["Đơn vị", "Nội dung ý kiến"]).to_csv(path, index=False)
    return path


def test_a_matter_raised_again_is_found_and_a_new_one_is_not(tmp_path, model):
    result = follow_up(read_year(write(tmp_path / "2024.csv", LAST)), read_year(write(tmp_path / "2025.csv", THIS)), model)
    road, waste, near_poor = result.opinions
    assert road.repeat_of == LAST[0][1] and road.similarity >= RepeatScorer.packaged().threshold
    assert waste.repeat_of is None and near_poor.unit == "Ấp Tân Lập"
    by_unit = {u.unit: u for u in result.units}
    assert (by_unit["Ấp Phú Thọ"].opinions_last, by_unit["Ấp Phú Thọ"].opinions_this, by_unit["Ấp Phú Thọ"].repeated) == (3, 2, 1)
    assert by_unit["Ấp Tân Lập"].change == -1 and any("ít ý kiến hơn" in f for f in by_unit["Ấp Tân Lập"].flags)


def test_pair_features_see_names_numbers_and_a_mention_of_last_year(model):
    last = ["Đồng chí Lâm Văn Sơn uống rượu say rồi gây gổ với hàng xóm ở tổ 5.",
            "Đường đal tổ 5 bể nhiều chỗ."]
    this = ["Năm rồi đã nêu việc đồng chí Sơn nhậu say gây gổ với hàng xóm, tới nay chi bộ chưa nhắc nhở.",
            "Đồng chí Thạch Kim Huol uống rượu say rồi gây gổ với hàng xóm ở tổ 7."]
    features = pair_features(model, this, last)
    column = {name: features[..., i] for i, name in enumerate(PAIR_FEATURES)}
    assert column["said_before"][0, 0] == 1 and column["said_before"][1, 0] == 0
    assert column["names_shared"][0, 0] > 0 and column["names_differ"][1, 0] == 1
    assert column["numbers_differ"][1, 0] == 1 and column["numbers_differ"][0, 0] == 0
    probability = RepeatScorer.packaged().probability(features)
    assert probability[0].argmax() == 0 and probability[0, 0] > probability[1, 0]


def test_the_command_writes_json_and_a_workbook_with_charts(tmp_path, runner):
    last, this = write(tmp_path / "2024.csv", LAST), write(tmp_path / "2025.csv", THIS)
    result = runner.invoke(app, ["follow-up", str(last), str(this), "-o", str(tmp_path / "theo_doi.json")])
    assert result.exit_code == 0, result.stderr
    data = json.loads((tmp_path / "theo_doi.json").read_text(encoding="utf-8"))
    assert [u["unit"] for u in data["units"]] == ["Ấp Phú Thọ", "Ấp Tân Lập"]
    assert data["opinions"][0]["repeat_of"] == LAST[0][1] and data["opinions"][1]["repeat_of"] is None
    assert runner.invoke(app, ["follow-up", str(last), str(this), "-o", str(tmp_path / "theo_doi.xlsx")]).exit_code == 0
    workbook = load_workbook(tmp_path / "theo_doi.xlsx")
    assert workbook.sheetnames == ["Theo đơn vị", "Ý kiến"] and len(workbook["Theo đơn vị"]._charts) == 2
    assert workbook["Ý kiến"].freeze_panes == "A2"
    markdown = runner.invoke(app, ["follow-up", str(last), str(this), "-o", str(tmp_path / "theo_doi.md")])
    assert markdown.exit_code == 0 and "ý kiến năm trước được nêu lại" in (tmp_path / "theo_doi.md").read_text(encoding="utf-8")


def test_minutes_folders_give_meetings_and_attendance(examples, model):
    year = read_year(examples / "minutes")
    assert len(year.texts) == 63 and sum(year.meetings.values()) == 6 and year.attendance
