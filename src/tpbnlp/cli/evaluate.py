"""``tpbnlp evaluate``: measure a model on the corpus test split or on a user's labelled CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

if TYPE_CHECKING:
    from ..evaluate import ClassScore, Evaluation

from ..labels import LabelSet, load_labels
from ..numbers import format_number, format_percent
from ._i18n import VietnameseCommand
from ._util import LabelsOption, ModelOption, app, console, fail, load_model, user_errors


def print_evaluation(result: Evaluation, labels: LabelSet, title: str) -> None:
    """Category and topic figures as tables."""
    summary = (
        f"{result.rows} ý kiến · độ chính xác {format_number(result.accuracy, 4, trim=False)} · macro-F1 {format_number(result.macro_f1, 4, trim=False)} · "
        f"sai số hiệu chỉnh (ECE) {format_number(result.calibration_error, 4, trim=False)} · cần xem lại {format_percent(result.needs_review_share)}"
    )
    if result.topic_micro_f1 is not None:
        summary += f" · chủ đề micro-F1 {format_number(result.topic_micro_f1, 4, trim=False)}, macro-F1 {format_number(result.topic_macro_f1, 4, trim=False)}"
    console.print(f"[bold]{title}[/]: {summary}", highlight=False)
    console.print(_scores_table("Theo lĩnh vực", "Lĩnh vực", result.categories, labels))
    confusion = Table(title="Ma trận nhầm lẫn (hàng: nhãn đúng, cột: dự đoán)", title_justify="left")
    confusion.add_column("")
    short = [label.key.split("_")[0] for label in labels.categories]
    for key in short:
        confusion.add_column(key, justify="right")
    for label, row in zip(labels.categories, result.confusion):
        confusion.add_row(label.name, *map(str, row))
    console.print(confusion)
    if result.topics:
        console.print(_scores_table("Theo chủ đề", "Chủ đề", result.topics, labels))


def _scores_table(title: str, first: str, scores: list[ClassScore], labels: LabelSet) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for column in ("Precision", "Recall", "F1", "Số ý kiến"):
        table.add_column(column, justify="right")
    for score in scores:
        table.add_row(labels.name(score.key), format_number(score.precision, 3, trim=False), format_number(score.recall, 3, trim=False), format_number(score.f1, 3, trim=False), str(score.support))
    return table


@app.command("evaluate", cls=VietnameseCommand)
def evaluate_command(
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data",
            metavar="TỆP",
            help="Bảng đã gán nhãn (.csv, .xlsx, .jsonl — như tệp kết quả của 'tpbnlp tag' đã sửa): cột nội dung, lĩnh vực, chủ đề (khóa hoặc tên tiếng Việt; tên thắng khóa); mặc định là tập test của bộ dữ liệu.",
            show_default=False,
        ),
    ] = None,
    model: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="In kết quả dạng JSON.")] = False,
    labels: LabelsOption = None,
) -> None:
    """Đánh giá mô hình: độ chính xác, precision/recall/F1, ma trận nhầm lẫn, F1 chủ đề, sai số hiệu chỉnh."""
    from ..corpus import ORIGIN_NAMES, load_corpus
    from ..evaluate import evaluate
    from ..labelled import read_labelled

    classifier = load_model(model, labels)
    with user_errors():
        label_set = load_labels(labels)
        if data is None:
            test = load_corpus().query("split == 'test'")
            result = evaluate(classifier, list(test["text"]), list(test["category"]), list(test["topics"]), groups=list(test["origin"]))
        else:
            rows = read_labelled(data, label_set)
            if not rows.texts:
                fail(f"{data}: không có dòng nào có cả nội dung và lĩnh vực.")
            result = evaluate(classifier, rows.texts, rows.categories, rows.topics, groups=rows.origins)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    title = str(data) if data else "Tập test của bộ dữ liệu"
    print_evaluation(result, label_set, title)
    if len(result.by_group) > 1:
        console.print(_origins_table(result, ORIGIN_NAMES))
        for origin, part in result.by_group.items():
            print_evaluation(part, label_set, f"{title}, nguồn gốc '{ORIGIN_NAMES.get(origin, origin)}'")


def _origins_table(result: Evaluation, names: dict[str, str]) -> Table:
    """The headline figures of each origin side by side."""
    table = Table(title="Theo nguồn gốc ý kiến", title_justify="left")
    table.add_column("Nguồn gốc")
    for column in ("Số ý kiến", "Độ chính xác", "Macro-F1", "ECE", "Chủ đề micro-F1"):
        table.add_column(column, justify="right")
    for origin, part in result.by_group.items():
        topic = format_number(part.topic_micro_f1, 3, trim=False) if part.topic_micro_f1 is not None else "–"
        table.add_row(
            names.get(origin, origin), str(part.rows), format_number(part.accuracy, 3, trim=False), format_number(part.macro_f1, 3, trim=False),
            format_number(part.calibration_error, 3, trim=False), topic,
        )
    return table
