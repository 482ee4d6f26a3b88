"""The command line through typer's test runner."""

import json

from typer.testing import CliRunner

from tpbnlp import __version__
from tpbnlp.cli import app
from tpbnlp.labels import ENV_VAR, load_labels

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tpbnlp {__version__}"


def test_labels_lists_every_key_and_vietnamese_name(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["labels"])
    assert result.exit_code == 0
    labels = load_labels()
    assert len(labels.categories) == 5 and len(labels.topics) == 17
    for label in labels.categories + labels.topics:
        assert label.key in result.stdout
        assert label.name in result.stdout


def test_labels_with_a_user_file(tmp_path, monkeypatch):
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


def test_broken_label_file_gives_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "nhan.json"
    path.write_text('{"categories": []}', encoding="utf-8")
    result = runner.invoke(app, ["labels", "--labels", str(path)])
    assert result.exit_code == 2
    assert "Lỗi:" in result.stderr and "categories" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert isinstance(result.exception, SystemExit)


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "labels" in result.stdout


def test_help_texts_name_the_formats_the_library_supports():
    from tpbnlp.cli import minutes, tag
    from tpbnlp.io import FORMATS
    from tpbnlp.report import REPORT_FORMATS

    assert tag.FORMATS == FORMATS and minutes.REPORT_FORMATS == REPORT_FORMATS
