"""``tpbnlp train``: build a model from the corpus and save it under ``models/<name>/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..labels import load_labels
from ..numbers import format_number
from ._i18n import VietnameseCommand
from ._util import LabelsOption, app, console, err_console, user_errors
from .evaluate import print_evaluation


@app.command("train", cls=VietnameseCommand)
def train_command(
    corpus: Annotated[
        Optional[Path], typer.Option("--corpus", metavar="TỆP", help="Tệp CSV dữ liệu; mặc định là bộ dữ liệu đi kèm.", show_default=False)
    ] = None,
    name: Annotated[str, typer.Option("--name", metavar="TÊN", help="Tên mô hình: lưu vào <thư mục>/<tên>/.")] = "default",
    models_dir: Annotated[Path, typer.Option("--models-dir", metavar="THƯ_MỤC", help="Thư mục chứa các mô hình.")] = Path("models"),
    add: Annotated[
        Optional[list[Path]],
        typer.Option("--add", metavar="TỆP", help="Bảng ý kiến đã sửa nhãn (như kết quả 'tpbnlp tag' đã sửa trong Excel) để học thêm; dùng nhiều lần được.", show_default=False),
    ] = None,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", metavar="THƯ_MỤC", help="Thư mục lưu mô hình (thay cho --models-dir/--name).", show_default=False)
    ] = None,
    labels: LabelsOption = None,
) -> None:
    """Huấn luyện mô hình từ bộ dữ liệu (và các ý kiến bổ sung): học trên train, chọn tham số trên dev, đánh giá trên test."""
    from ..corpus import ORIGIN_NAMES
    from ..train import train

    with user_errors():
        label_set = load_labels(labels)
        before = None
        if add:
            from ..store import load

            before = load(labels=label_set)
        result = train(
            corpus,
            output or models_dir / name,
            add=add or (),
            before=before,
            labels=label_set,
            n_jobs=-1,
            progress=lambda message: err_console.print(message, highlight=False),
        )
    console.print(f"Đã lưu mô hình vào [bold]{result.directory}[/] (C={format_number(result.C)}, {format_number(result.seconds, 0)} giây).")
    print_evaluation(result.dev, label_set, "Tập dev (dùng để chọn tham số)")
    print_evaluation(result.test, label_set, "Tập test")
    for origin, part in result.test.by_group.items():
        print_evaluation(part, label_set, f"Tập test, nguồn gốc '{ORIGIN_NAMES.get(origin, origin)}'")
    console.print(f"Tập test gõ không dấu: macro-F1 {format_number(result.test_unaccented.macro_f1, 4, trim=False)}", highlight=False)
    for origin, part in result.test_unaccented.by_group.items():
        console.print(
            f"  nguồn gốc '{ORIGIN_NAMES.get(origin, origin)}': macro-F1 {format_number(part.macro_f1, 4, trim=False)}", highlight=False
        )
    if result.added is not None and before is not None:
        added = result.added
        table = Table(title=f"Trước và sau khi học thêm {added.rows} ý kiến bổ sung", title_justify="left")
        for column in ("", "Mô hình cũ", "Mô hình mới"):
            table.add_column(column, justify="right" if column else "left")
        from ..store import default_model_path, read_manifest

        shipped = read_manifest(default_model_path())["metrics"]["test"]["macro_f1"]  # measured when it was trained
        table.add_row("Tập test của bộ dữ liệu: macro-F1", _figure(shipped), format_number(result.test.macro_f1, 4, trim=False))
        table.add_row(
            "Ý kiến bổ sung: độ chính xác", _figure(added.before_accuracy), format_number(added.after_accuracy, 4, trim=False) + " (kiểm định chéo)"
        )
        table.add_row("Ý kiến bổ sung: macro-F1", _figure(added.before_macro_f1), format_number(added.after_macro_f1, 4, trim=False) + " (kiểm định chéo)")
        console.print(table)


def _figure(value: float | None) -> str:
    return "–" if value is None else format_number(value, 4, trim=False)
