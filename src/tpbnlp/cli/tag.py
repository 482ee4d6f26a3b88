"""``tpbnlp tag``: classify every opinion of a CSV file and write it back with its labels."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.table import Table

from ..labels import load_labels
from ._util import LabelsOption, ModelOption, TrustOption, app, err_console, fail, load_model

TEXT_COLUMNS = ("text", "noi_dung", "y_kien", "nội dung", "nội dung ý kiến", "ý kiến")


@app.command("tag")
def tag_command(
    input: Annotated[Path, typer.Argument(help="Tệp CSV có một cột nội dung ý kiến.")],
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Tệp CSV kết quả; mặc định in ra màn hình.", show_default=False)
    ] = None,
    column: Annotated[
        Optional[str], typer.Option("--column", help="Tên cột nội dung; mặc định tự nhận.", show_default=False)
    ] = None,
    model: ModelOption = None,
    trust: TrustOption = False,
    labels: LabelsOption = None,
) -> None:
    """Gán lĩnh vực và chủ đề cho từng ý kiến trong tệp CSV."""
    try:
        frame = pd.read_csv(input, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        fail(f"Không tìm thấy tệp: {input}")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        fail(f"Không đọc được tệp {input}: {exc}")
    if column is None:
        by_name = {str(c).strip().lower(): c for c in frame.columns}
        column = next((by_name[c] for c in TEXT_COLUMNS if c in by_name), None)
        if column is None:
            fail(f"Không biết cột nào là nội dung ý kiến; hãy chỉ rõ bằng --column. Các cột có: {', '.join(map(str, frame.columns))}.")
    elif column not in frame.columns:
        fail(f"Không có cột {column!r}. Các cột có: {', '.join(map(str, frame.columns))}.")
    classifier = load_model(model, trust, labels)
    label_set = load_labels(labels)
    predictions = classifier.predict_many(list(frame[column]))
    frame["category"] = [p.category for p in predictions]
    frame["category_name"] = [p.category_name for p in predictions]
    frame["confidence"] = [round(p.confidence, 4) for p in predictions]
    frame["topics"] = ["|".join(p.topics) for p in predictions]
    frame["topic_names"] = ["; ".join(label_set.name(t) for t in p.topics) for p in predictions]
    frame["needs_review"] = [int(p.needs_review) for p in predictions]
    if output is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        tmp = output.with_name(output.name + ".tmp")
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        tmp.replace(output)
    table = Table(title=f"Kết quả: {len(frame)} ý kiến", title_justify="left")
    table.add_column("Lĩnh vực")
    table.add_column("Số ý kiến", justify="right")
    counts = frame["category"].value_counts()
    for label in label_set.categories:
        table.add_row(label.name, str(int(counts.get(label.key, 0))))
    err_console.print(table)
