"""``tpbnlp train``: build a model from the corpus and save it under ``models/<name>/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

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
    labels: LabelsOption = None,
) -> None:
    """Huấn luyện mô hình từ bộ dữ liệu: học trên train, chọn tham số trên dev, đánh giá trên test."""
    from ..corpus import ORIGIN_NAMES
    from ..train import train

    with user_errors():
        label_set = load_labels(labels)
        result = train(
            corpus,
            models_dir / name,
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
