"""Meeting minutes: the splitter finds exactly the listed opinions; reports; damaged files."""

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import tpbnlp
from tpbnlp.cli import app
from tpbnlp.errors import MinutesError
from tpbnlp.minutes import read_blocks, read_minutes
from tpbnlp.numbers import format_number
from tpbnlp.report import TOTAL, build_report, minutes_files, write_report
from tpbnlp.tables.encoding import decode_bytes
from tpbnlp.text import detect_legacy_encoding

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "minutes"
EXPECTED = sorted(EXAMPLES.glob("*.expected.json"))


def source_of(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    return next(p for p in EXAMPLES.iterdir() if p.stem == stem and p.suffix in (".docx", ".txt"))


def test_examples_cover_the_cases():
    sources = [source_of(e) for e in EXPECTED]
    assert len(sources) >= 6
    assert {p.suffix for p in sources} == {".docx", ".txt"}
    legacy = [
        p for p in sources
        if p.suffix == ".txt" and decode_bytes(p.read_bytes())[1] == "latin-1"
        and detect_legacy_encoding(p.read_bytes().decode("latin-1")) == "tcvn3"
    ]
    assert legacy  # one is written in the TCVN3 (.VnTime) encoding
    assert any(b.is_row for p in sources if p.suffix == ".docx" for b in read_blocks(p))  # one has a table


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_splitter_finds_exactly_the_listed_opinions(expected_path):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    minutes = read_minutes(source_of(expected_path))
    assert [o.text for o in minutes.opinions] == [o["text"] for o in expected["opinions"]]
    assert [o.speaker for o in minutes.opinions] == [o["speaker"] for o in expected["opinions"]]
    assert [o.member for o in minutes.opinions] == [o["member"] for o in expected["opinions"]]
    assert minutes.unit.lower() == expected["unit"].lower()
    assert minutes.commune.lower() == expected["commune"].lower()
    assert minutes.date == expected["date"]
    assert minutes.attendance == expected["attendance"]
    assert minutes.left_out > 5  # heading, attendance, self-criticism, conclusion, signatures


def test_vietnamese_number_format():
    assert format_number(47510) == "47.510" and format_number(1517) == "1.517" and format_number(12) == "12"


@pytest.fixture(scope="module")
def folder_report(model):
    return build_report(minutes_files(EXAMPLES), model, model.label_set)


def test_folder_aggregates_by_unit(folder_report):
    expected_total = sum(len(json.loads(e.read_text(encoding="utf-8"))["opinions"]) for e in EXPECTED)
    categories = folder_report.categories
    assert categories.loc[TOTAL, "Tổng số ý kiến"] == expected_total == len(folder_report.opinions)
    assert len(categories) == len(EXPECTED) + 1  # one row per unit, then the total
    assert (categories.drop(index=TOTAL).sum() == categories.loc[TOTAL]).all()
    assert list(categories.columns[:5]) == [c.name for c in tpbnlp.load().labels.categories]  # report order
    assert folder_report.topics[TOTAL].sum() == folder_report.topics.drop(columns=TOTAL).to_numpy().sum()


def test_summary_sentence(folder_report):
    summary = folder_report.summary
    n = len(folder_report.opinions)
    attended = [json.loads(e.read_text(encoding="utf-8"))["attendance"] for e in EXPECTED]
    assert summary.startswith(f"Các chi bộ đã tổ chức được {len(EXPECTED)} cuộc, có {format_number(sum(a for a in attended if a))} lượt")
    assert f"theo {sum(1 for a in attended if a)}/{len(EXPECTED)} biên bản có ghi số người dự" in summary
    assert f"với {format_number(n)} ý kiến đóng góp (trong đó, về tư tưởng chính trị có " in summary
    assert summary.index("tư tưởng chính trị") < summary.index("phẩm chất") < summary.index("thực hiện chức trách") < summary.index("ý thức tổ chức") < summary.index("lĩnh vực khác có")


def test_report_formats(tmp_path, folder_report):
    xlsx = write_report(folder_report, tmp_path / "bao_cao.xlsx")
    workbook = load_workbook(xlsx, read_only=True)
    assert workbook.sheetnames == ["Ý kiến", "Theo lĩnh vực", "Theo chủ đề", "Tổng hợp", "Đoạn bỏ qua"]
    rows = list(workbook["Ý kiến"].iter_rows(values_only=True))
    assert len(rows) == len(folder_report.opinions) + 1 and "Nội dung ý kiến" in rows[0]
    assert any("Đồng chí" in (r[5] or "") or "đồng chí" in (r[5] or "") for r in rows[1:])  # Vietnamese intact
    assert list(workbook["Tổng hợp"].iter_rows(values_only=True))[1][0] == folder_report.summary
    full = load_workbook(xlsx)  # what a manager sees: frozen header, filters, charts
    assert full["Ý kiến"].freeze_panes == "A2" and full["Ý kiến"].auto_filter.ref.startswith("A1:")
    assert len(full["Theo lĩnh vực"]._charts) == 1 and len(full["Theo chủ đề"]._charts) == 1
    assert full["Ý kiến"].column_dimensions["F"].width > 30  # the opinion text
    data = json.loads(write_report(folder_report, tmp_path / "bao_cao.json").read_text(encoding="utf-8"))
    assert data["summary"] == folder_report.summary and len(data["opinions"]) == len(folder_report.opinions)
    markdown = write_report(folder_report, tmp_path / "bao_cao.md").read_text(encoding="utf-8")
    assert folder_report.summary in markdown and folder_report.opinions["text"][0] in markdown  # the opinions are listed
    assert write_report(folder_report, tmp_path / "y_kien.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_damaged_files_get_a_message_and_the_rest_is_processed(tmp_path, runner):
    folder = tmp_path / "bien_ban"
    shutil.copytree(EXAMPLES, folder)
    (folder / "rong.docx").write_bytes(b"")
    (folder / "khong_phai_word.docx").write_text("đây không phải tệp Word", encoding="utf-8")
    (folder / "co_mat_khau.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    for name, words in (("rong.docx", "trống"), ("khong_phai_word.docx", "không phải tệp Word"), ("co_mat_khau.docx", "mật khẩu")):
        with pytest.raises(MinutesError, match=words):
            read_minutes(folder / name)
    result = runner.invoke(app, ["minutes", str(folder), "-o", str(tmp_path / "bao_cao.md")])
    assert result.exit_code == 1
    for name in ("rong.docx", "khong_phai_word.docx", "co_mat_khau.docx"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr
    report = (tmp_path / "bao_cao.md").read_text(encoding="utf-8")
    assert "co_mat_khau.docx" in report and f"tổ chức được {len(EXPECTED)} cuộc" in report


def test_minutes_command_on_one_file(tmp_path, runner):
    source = source_of(EXPECTED[0])
    result = runner.invoke(app, ["minutes", str(source), "-o", str(tmp_path / "bc.xlsx")])
    assert result.exit_code == 0, result.stderr
    assert "Các chi bộ đã tổ chức được 1 cuộc" in result.stdout and (tmp_path / "bc.xlsx").exists()


def test_a_file_without_opinions_is_named_and_left_out_paragraphs_are_listed(tmp_path, runner):
    folder = tmp_path / "bien_ban"
    folder.mkdir()
    shutil.copy(source_of(EXPECTED[0]), folder)
    (folder / "khong_y_kien.txt").write_text("CHI BỘ ẤP MỘT\nHọp bàn việc sửa đường.\n", encoding="utf-8")
    result = runner.invoke(app, ["minutes", str(folder), "-o", str(tmp_path / "bc.xlsx")])
    assert result.exit_code == 0, result.stderr
    assert "khong_y_kien.txt: không tìm thấy ý kiến nào" in " ".join(result.stderr.split())
    skipped = list(load_workbook(tmp_path / "bc.xlsx", read_only=True)["Đoạn bỏ qua"].iter_rows(values_only=True))
    assert skipped[0] == ("Tệp", "Đoạn số", "Loại đoạn", "Nội dung đoạn")
    assert ("khong_y_kien.txt", 2, "không rõ là ý kiến", "Họp bàn việc sửa đường.") in skipped
    assert any(row[2] == "tự phê bình, điều hành" for row in skipped) and len(skipped) > 20


def test_word_document_in_tcvn3_font_is_converted(tmp_path):
    from docx import Document

    legacy = next(source_of(e) for e in EXPECTED if source_of(e).suffix == ".txt" and decode_bytes(source_of(e).read_bytes())[1] == "latin-1")
    expected = json.loads(legacy.with_name(legacy.stem + ".expected.json").read_text(encoding="utf-8"))
    document = Document()
    for line in legacy.read_bytes().decode("latin-1").splitlines():
        document.add_paragraph(line)  # what Word stores for text typed in a .VnTime font
    path = tmp_path / "bien_ban_vntime.docx"
    document.save(path)
    minutes = read_minutes(path)
    assert [o.text for o in minutes.opinions] == [o["text"] for o in expected["opinions"]]
    assert minutes.unit.lower() == expected["unit"].lower()


def test_undecodable_legacy_text_names_the_file(tmp_path):
    path = tmp_path / "hong_ma.txt"
    path.write_bytes("Gi¸ ½ ¼ ¾ £5 ¥200 §3 ¤¤¤ ¦¦ ¥¥ ¢¢".encode("latin-1"))
    with pytest.raises(MinutesError, match=r"hong_ma\.txt"):
        read_minutes(path)
