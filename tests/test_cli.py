"""The command line through typer's test runner."""

import json

from tpbnlp import __version__
from tpbnlp.cli import app
from tpbnlp.labels import ENV_VAR, load_labels


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tpbnlp {__version__}"


def test_labels_lists_every_key_and_vietnamese_name(monkeypatch, runner):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["labels"])
    assert result.exit_code == 0
    labels = load_labels()
    assert len(labels.categories) == 5 and len(labels.topics) == 17
    for label in labels.categories + labels.topics:
        assert label.key in result.stdout
        assert label.name in result.stdout


def test_labels_with_a_user_file(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("COLUMNS", "200")
    data = json.loads(json.dumps({
        "categories": [{"key": c.key, "name": c.name.upper()} for c in load_labels().categories],
        "topics": [{"key": "chuyen_doi_so", "name": "Chuyển đổi số"}],
    }))
    path = tmp_path / "nhan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["labels", "--labels", str(path)])
    assert result.exit_code == 0
    assert "TƯ TƯỞNG CHÍNH TRỊ" in result.stdout and "Chuyển đổi số" in result.stdout
    monkeypatch.setenv(ENV_VAR, str(path))
    assert "Chuyển đổi số" in runner.invoke(app, ["labels"]).stdout


def test_broken_label_file_gives_a_message_not_a_traceback(tmp_path, runner):
    path = tmp_path / "nhan.json"
    path.write_text('{"categories": []}', encoding="utf-8")
    result = runner.invoke(app, ["labels", "--labels", str(path)])
    assert result.exit_code == 2
    assert "Lỗi:" in result.stderr and "categories" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert isinstance(result.exception, SystemExit)


def test_no_arguments_shows_help(runner):
    result = runner.invoke(app, [])
    assert "labels" in result.stdout


def test_every_format_has_its_reader_and_writer_and_the_help_names_them(runner):
    from tpbnlp.tables.formats import INPUT_FORMATS, OUTPUT_FORMATS
    from tpbnlp.tables.read import READERS
    from tpbnlp.tables.write import WRITERS

    assert set(READERS) == set(INPUT_FORMATS) and set(WRITERS) == set(OUTPUT_FORMATS)
    help_text = " ".join(runner.invoke(app, ["tag", "--help"], terminal_width=200).stdout.split())
    assert all(name in help_text for name in INPUT_FORMATS)


import re  # noqa: E402

import pytest  # noqa: E402

# What click and typer print in English when nobody translates them.
ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this|Missing|Error|Try '|required|default:|env var|No such|"
    r"Did you mean|Possible options|Got unexpected|Invalid value|requires an argument|<(?:str|bool|path|int|float)>"
)
COMMANDS = [[], ["tag"], ["minutes"], ["check-counts"], ["evaluate"], ["train"], ["labels"], ["corpus"], ["corpus", "check"], ["corpus", "add"], ["follow-up"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tpbnlp")
def test_help_speaks_vietnamese_and_flags_show_no_value(command, monkeypatch, runner):
    monkeypatch.setenv("COLUMNS", "120")
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Cách dùng:" in result.stdout and "Hiện hướng dẫn này rồi thoát." in result.stdout
    assert not ENGLISH.search(result.stdout), ENGLISH.search(result.stdout)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["tag"], "Thiếu tham số"),
        (["tagg"], "Có phải ý bạn là 'tag'?"),
        (["tag", "a.csv", "--outpt", "b.csv"], "Không có tùy chọn --outpt."),
        (["tag", "a.csv", "-o"], "cần một giá trị"),
        (["tag", "a.csv", "b.csv"], "Thừa tham số"),
        (["corpus", "chek"], "Không có lệnh 'chek'."),
    ],
)
def test_usage_errors_speak_vietnamese(args, expected, monkeypatch, runner):
    monkeypatch.setenv("COLUMNS", "120")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert expected in result.stderr and "Cách dùng:" in result.stderr and "để xem hướng dẫn" in result.stderr
    assert not ENGLISH.search(result.stderr), ENGLISH.search(result.stderr)


def test_help_is_vietnamese_in_a_fresh_process_whatever_the_system_language():
    import os
    import subprocess
    import sys

    env = {**os.environ, "LANG": "en_US.UTF-8", "LANGUAGE": "en", "COLUMNS": "120"}
    for args in (["tag", "--help"], ["tag"]):
        result = subprocess.run([sys.executable, "-m", "tpbnlp", *args], capture_output=True, text=True, env=env, timeout=120)
        output = result.stdout + result.stderr
        assert "Cách dùng:" in output and not ENGLISH.search(output), output


def test_tagged_output_gets_the_users_umask(tmp_path, runner):
    import os

    source = tmp_path / "y_kien.txt"
    source.write_text("Đề nghị xã sửa đường.\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["tag", str(source), "-o", str(tmp_path / "ket_qua.csv"), "-q"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "ket_qua.csv").stat().st_mode & 0o777 == 0o644


def test_shipped_message_catalog_is_compiled_from_its_po_file():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("compile_messages", root / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    catalog = module.CATALOG
    assert catalog.with_suffix(".mo").read_bytes() == module.compile_mo(module.parse_po(catalog.read_text(encoding="utf-8")))


def test_the_command_line_loads_without_pandas_or_scikit_learn():
    """Help and --version answer at once: the format lists come from a module that imports no pandas."""
    import subprocess
    import sys

    code = "import sys, tpbnlp.cli; print(sorted(m for m in ('pandas', 'sklearn', 'underthesea') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_file_errors_are_explained_by_cause_in_vietnamese(tmp_path):
    import errno

    from tpbnlp.cli._util import os_error_message

    out = str(tmp_path / "ket_qua.xlsx")
    cases = [
        (OSError(errno.ENOSPC, "No space left on device", out), "ổ đĩa đã đầy"),
        (OSError(errno.EFBIG, "File too large", out), "ổ đĩa đã đầy"),
        (PermissionError(errno.EACCES, "Permission denied", out), "Không có quyền"),
        (OSError(errno.EROFS, "Read-only file system", out), "chỉ cho đọc"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "khong_co" / "a.csv")), "không tồn tại"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "a.csv")), "Không tìm thấy"),
    ]
    locked = PermissionError(errno.EACCES, "The process cannot access the file", out)
    locked.winerror = 32  # what Windows says of a workbook open in Excel
    cases.append((locked, "đang mở trong một chương trình khác"))
    for error, expected in cases:
        message = os_error_message(error)
        assert expected in message and error.strerror not in message, message
        assert error.filename in message
