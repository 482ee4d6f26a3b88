"""Batch tagging: every format in and out, every row kept in order, a status for every odd cell."""

import csv
import io
import json
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tpbnlp.cli import app
from tpbnlp.tables.encoding import decode_bytes
from tpbnlp.tagging import OUTPUT_COLUMNS, tag_file, tag_texts
from tpbnlp.text import rejection

OPINIONS = [
    "Đường ấp Phú Thọ mùa mưa lầy lội, năm ngoái chi bộ hứa đổ đá mà chưa làm.",
    "Đồng chí Ba nợ đảng phí sáu tháng, không dự sinh hoạt chi bộ.",
    "Đề nghị Nhà nước tăng trợ cấp cho người cao tuổi neo đơn.",
    "Cán bộ địa chính đòi tiền mới chịu ký hồ sơ cấp giấy đỏ.",
]


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_statuses_for_odd_cells(model):
    texts = [
        OPINIONS[0],
        "",
        "   ",
        "12345 678",
        "ខ្មែរ ភាសា សាលា",
        "Đường ấp \ufffd hư",
        "Cán bộ xã\x07\x1b hách dịch 😡",
        "Bµ con ph¶n ¸nh ®ång chÝ tr­ëng Êp Ýt xuèng d©n.",  # TCVN3: converted, then tagged
        "Gi¸ ½ ¼ ¾ £5 ¥200 §3 ¤¤¤",  # legacy characters no table explains
        OPINIONS[1] * 3000,  # over 100,000 characters
    ]
    results = tag_texts(model, texts)
    assert [r.status.split(":")[0] for r in results] == ["ok", "empty", "empty", "error", "error", "error", "ok", "ok", "error", "ok"]
    assert "không có chữ" in results[3].status and "quốc ngữ" in results[4].status and "byte" in results[5].status
    assert "bảng mã cũ" in results[8].status
    assert results[6].category == "pham_chat_dao_duc_loi_song"
    assert results[9].category == "y_thuc_to_chuc_ky_luat" and results[9].needs_review
    assert all(r.category == "" for r in results[1:6])


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8-sig", ","), ("utf-8", ";"), ("cp1258", ","), ("utf-16", "\t")],
)
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter, runner):
    path = tmp_path / "y_kien.csv"
    rows = [["STT", "Nội dung ý kiến", "Ghi chú"]] + [[i, t, "có, dấu phẩy"] for i, t in enumerate(OPINIONS, 1)]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    out = tmp_path / "ket_qua.csv"
    result = runner.invoke(app, ["tag", str(path), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.stderr
    tagged = read_csv(out)
    assert list(tagged.columns) == ["STT", "Nội dung ý kiến", "Ghi chú", *OUTPUT_COLUMNS]
    assert list(tagged["Nội dung ý kiến"]) == OPINIONS
    assert list(tagged["category"]) == ["thuc_hien_chuc_trach_nhiem_vu", "y_thuc_to_chuc_ky_luat", "linh_vuc_khac", "pham_chat_dao_duc_loi_song"]
    assert set(tagged["status"]) == {"ok"} and set(tagged["Ghi chú"]) == {"có, dấu phẩy"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: vowels precomposed, tone marks as separate characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + "".join(c for c in decomposed if c in tones))
    return "".join(out).encode("cp1258")


def test_decode_bytes_recognises_legacy_fonts():
    tcvn3 = "Bµ con ph¶n ¸nh ®­êng x¸ h­ háng".encode("latin-1")
    assert decode_bytes(tcvn3)[1] == "latin-1"
    assert decode_bytes(to_cp1258("Bà con phản ánh đường xá hư hỏng"))[1] == "cp1258"
    assert decode_bytes("Bà con phản ánh".encode())[1] == "utf-8"


def test_xlsx_in_and_out_with_a_chosen_sheet(tmp_path, runner):
    workbook = Workbook()
    workbook.active.title = "Bia"
    workbook.active.append(["Ghi chú"])
    sheet = workbook.create_sheet("Y kien")
    sheet.append(["STT", "noi_dung", "So luong"])
    for i, text in enumerate(OPINIONS, 1):
        sheet.append([i, text, 2.0])
    sheet.append([5, None, None])
    source = tmp_path / "y_kien.xlsx"
    workbook.save(source)
    out = tmp_path / "ket_qua.xlsx"
    result = runner.invoke(app, ["tag", str(source), "--sheet", "Y kien", "-o", str(out), "--quiet"])
    assert result.exit_code == 1  # the empty row is not tagged
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("STT", "noi_dung", "So luong", *OUTPUT_COLUMNS)
    assert [r[1] for r in rows[1:5]] == OPINIONS and rows[1][0] == 1 and rows[1][2] == 2  # numbers stay numbers
    assert rows[5][-1] == "empty" and len(rows) == 6
    missing = runner.invoke(app, ["tag", str(source), "--sheet", "Khong co"])
    assert missing.exit_code == 2 and "Y kien" in missing.stderr


def test_jsonl_keeps_every_key_and_reports_broken_lines(tmp_path, runner):
    source = tmp_path / "y_kien.jsonl"
    lines = [json.dumps({"id": 1, "text": OPINIONS[0]}, ensure_ascii=False), "{broken", json.dumps({"id": 3, "text": OPINIONS[2], "don_vi": "ấp 3"}, ensure_ascii=False)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ket_qua.jsonl"
    result = runner.invoke(app, ["tag", str(source), "-o", str(out), "--quiet"])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "", "3"] and rows[2]["don_vi"] == "ấp 3"
    assert rows[1]["status"].startswith("error: dòng 2: JSON lỗi") and rows[0]["status"] == "ok"


def test_txt_and_standard_input(tmp_path, runner):
    source = tmp_path / "y_kien.txt"
    source.write_text("\n".join(OPINIONS[:2]) + "\n\n" + OPINIONS[2] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["tag", str(source), "--quiet"])
    assert result.exit_code == 1  # the blank line is a row, with status empty
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["line", "text", *OUTPUT_COLUMNS] and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    piped = runner.invoke(app, ["tag", "-", "--quiet"], input="noi_dung\n" + "\n".join(f'"{t}"' for t in OPINIONS) + "\n")
    assert piped.exit_code == 0, piped.stderr
    assert [r[0] for r in list(csv.reader(piped.stdout.splitlines()))[1:]] == OPINIONS


def test_clashing_columns_are_kept_under_another_name(tmp_path, runner):
    source = tmp_path / "da_gan.csv"
    pd.DataFrame({"text": OPINIONS, "category": ["cũ"] * 4, "status": ["x"] * 4}).to_csv(source, index=False)
    out = tmp_path / "lai.csv"
    assert runner.invoke(app, ["tag", str(source), "-o", str(out), "-q"]).exit_code == 0
    tagged = read_csv(out)
    assert list(tagged.columns) == ["text", "category_cu", "status_cu", *OUTPUT_COLUMNS]
    assert set(tagged["category_cu"]) == {"cũ"}


def test_no_half_written_output_and_input_untouched(tmp_path, model, monkeypatch):
    source = tmp_path / "y_kien.csv"
    pd.DataFrame({"text": OPINIONS * 10}).to_csv(source, index=False)
    before = source.read_bytes()
    out = tmp_path / "ket_qua.csv"
    out.write_text("kết quả cũ", encoding="utf-8")
    calls = {"n": 0}
    original = type(model).predict_many

    def crash_on_second_chunk(self, texts):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, texts)

    monkeypatch.setattr(type(model), "predict_many", crash_on_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        tag_file(source, out, model=model, chunk_rows=10, n_jobs=1)
    assert out.read_text(encoding="utf-8") == "kết quả cũ"  # the old output is still whole
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket_qua.csv", "y_kien.csv"]  # no temporary file left


def test_output_may_not_overwrite_the_input(tmp_path, runner):
    source = tmp_path / "y_kien.csv"
    pd.DataFrame({"text": OPINIONS}).to_csv(source, index=False)
    result = runner.invoke(app, ["tag", str(source), "-o", str(source)])
    assert result.exit_code == 2 and "trùng" in result.stderr


def test_usage_errors_exit_2(tmp_path, runner):
    assert runner.invoke(app, ["tag", str(tmp_path / "khong_co.csv")]).exit_code == 2
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old_excel = runner.invoke(app, ["tag", str(tmp_path / "a.xls")])
    assert old_excel.exit_code == 2 and ".xlsx" in old_excel.stderr
    (tmp_path / "hong.xlsx").write_bytes(b"not a zip")
    damaged = runner.invoke(app, ["tag", str(tmp_path / "hong.xlsx")])
    assert damaged.exit_code == 2 and "hỏng" in damaged.stderr and "Traceback" not in damaged.stderr


def test_worker_processes_give_the_same_result_as_one_process(tmp_path, model):
    source = tmp_path / "lon.csv"
    texts = [f"{OPINIONS[i % 4]} (hộ số {i})" for i in range(3200)]
    pd.DataFrame({"stt": range(3200), "text": texts}).to_csv(source, index=False)
    tag_file(source, tmp_path / "song_song.csv", model=model, n_jobs=2, chunk_rows=500)
    tag_file(source, tmp_path / "mot.csv", model=model, n_jobs=1, chunk_rows=500)
    parallel, single = read_csv(tmp_path / "song_song.csv"), read_csv(tmp_path / "mot.csv")
    assert list(parallel["stt"]) == [str(i) for i in range(3200)]
    pd.testing.assert_frame_equal(parallel, single)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=200), max_size=12))
def test_any_unicode_text_gets_one_result_each(model, texts):
    results = tag_texts(model, texts)
    assert len(results) == len(texts)
    for text, result in zip(texts, results):
        assert result.status == "ok" or result.status == "empty" or result.status.startswith("error: ")
        assert (result.status == "ok") == bool(result.category)
        assert result.status != "ok" or rejection(text) is None


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(st.text(alphabet="abcdefgh_", min_size=1, max_size=6), min_size=1, max_size=4, unique=True),
    rows=st.integers(min_value=0, max_value=15),
    data=st.data(),
)
def test_random_tables_keep_every_row_in_order(model, tmp_path_factory, names, rows, data):
    tmp = tmp_path_factory.mktemp("bang")
    frame = pd.DataFrame({name: data.draw(st.lists(cell, min_size=rows, max_size=rows)) for name in names})
    frame.insert(0, "row_id", [str(i) for i in range(rows)])
    frame.insert(1, "text", data.draw(st.lists(cell, min_size=rows, max_size=rows)))
    source = tmp / "bang.csv"
    frame.to_csv(source, index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
    out = tmp / "ket_qua.csv"
    summary = tag_file(source, out, model=model, n_jobs=1)
    tagged = read_csv(out)
    assert summary.rows == rows == len(tagged)
    assert list(tagged["row_id"]) == [str(i) for i in range(rows)]
    assert sum(summary.statuses.values()) == rows


def test_a_new_input_format_is_one_entry_and_one_reader(tmp_path, monkeypatch, model):
    from tpbnlp.tables import formats, read

    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, formats.Format("tab", (".tab",), writable=False)))
    monkeypatch.setattr(read, "READERS", dict(read.READERS))

    @read.reader("tab")
    def read_tab(path: str, options: read.ReadOptions) -> read.Table:  # the README's example
        stream, encoding = read.open_text(path)
        header = read.unique_names(stream.readline().rstrip("\r\n").split("\t"))
        rows = ((line.rstrip("\r\n").split("\t") + [""] * len(header))[: len(header)] for line in stream)
        return read.Table(header, read._batched(rows, header, options.chunk_rows, stream.close), read.count_lines(path), encoding)

    source = tmp_path / "y_kien.tab"
    source.write_text("stt\tnoi_dung\n1\t" + OPINIONS[-1] + "\n2\n", encoding="utf-8")
    out = tmp_path / "ket_qua.csv"
    summary = tag_file(source, out, model=model)
    rows = read_csv(out)
    assert summary.rows == 2 and list(rows["stt"]) == ["1", "2"]
    assert list(rows["status"]) == ["ok", "empty"] and rows["category"][0] == model.predict(OPINIONS[-1]).category


def test_excel_unicode_text_export_is_read_as_a_table(tmp_path, model):
    source = tmp_path / "xuat_tu_excel.txt"
    source.write_bytes(("STT\tNội dung ý kiến\tĐơn vị\r\n1\t" + OPINIONS[-1] + "\tẤp 3\r\n2\t" + OPINIONS[1] + "\tẤp 4\r\n").encode("utf-16"))
    out = tmp_path / "ket_qua.csv"
    summary = tag_file(source, out, model=model)
    rows = read_csv(out)
    assert summary.rows == 2 and list(rows["Đơn vị"]) == ["Ấp 3", "Ấp 4"] and list(rows["status"]) == ["ok", "ok"]


def test_a_two_row_header_is_one_header(tmp_path, model):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["TỔNG HỢP Ý KIẾN CỬ TRI"])
    sheet.append(["STT", "Nội dung ý kiến", "Nơi góp ý", None])
    sheet.append([None, None, "Ấp", "Xã"])
    sheet.merge_cells("C2:D2")
    sheet.append([1, OPINIONS[-1], "Ấp 3", "Long Hòa"])
    source = tmp_path / "hai_dong.xlsx"
    workbook.save(source)
    out = tmp_path / "ket_qua.csv"
    assert tag_file(source, out, model=model).rows == 1
    rows = read_csv(out)
    assert list(rows.columns[:4]) == ["STT", "Nội dung ý kiến", "Nơi góp ý / Ấp", "Nơi góp ý / Xã"] and rows["status"][0] == "ok"


def test_excel_to_excel_keeps_numbers_dates_and_percentages(tmp_path, model):
    import datetime

    from openpyxl import Workbook, load_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nội dung ý kiến", "Số người", "Điểm", "Ngày họp", "Tỉ lệ"])
    sheet.append([OPINIONS[-1], 52, 7.5, datetime.datetime(2024, 3, 22), 0.25])
    sheet["D2"].number_format = "dd/mm/yyyy"
    sheet["E2"].number_format = "0%"
    source, out = tmp_path / "vao.xlsx", tmp_path / "ra.xlsx"
    workbook.save(source)
    tag_file(source, out, model=model)
    row = next(iter(load_workbook(out)["ket_qua"].iter_rows(min_row=2, max_row=2)))
    assert [c.value for c in row[1:5]] == [52, 7.5, datetime.datetime(2024, 3, 22), 0.25]
    assert (row[3].number_format, row[4].number_format) == ("dd/mm/yyyy", "0%")
    assert row[5].value == model.predict(OPINIONS[-1]).category  # the added columns follow


def test_a_tagged_workbook_is_made_for_reviewing(tmp_path, model):
    from openpyxl import load_workbook

    source, out = tmp_path / "y_kien.csv", tmp_path / "de_xem.xlsx"
    pd.DataFrame({"text": OPINIONS}).to_csv(source, index=False)
    tag_file(source, out, model=model)
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["ket_qua", "Danh mục nhãn"]
    names = [c.value for c in workbook["Danh mục nhãn"]["A"][1:6]]
    assert names == [c.name for c in model.label_set.categories]
    sheet = workbook["ket_qua"]
    header = [c.value for c in sheet[1]]
    column = "ABCDEFGHIJ"[header.index("category_name")]
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and str(validation.sqref).startswith(f"{column}2:") and "$A$2:$A$6" in validation.formula1
    assert len(sheet.conditional_formatting) == 1 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
