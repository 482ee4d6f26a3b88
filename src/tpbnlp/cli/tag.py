"""``tpbnlp tag``: classify every opinion of a table and write it back with its labels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from ..tagging import TagSummary

# Heavy modules (pandas, scikit-learn) are imported inside the command, so that
# `tpbnlp --help` and `tpbnlp --version` answer at once.
from ..labels import LabelSet
from ..numbers import format_number
from ..tables.formats import INPUT_FORMATS, OUTPUT_FORMATS
from ._i18n import VietnameseCommand
from ._util import LabelsOption, ModelOption, app, err_console, fail, load_model, user_errors


def _summary_tables(summary: TagSummary, labels: LabelSet) -> list[Table]:
    categories = Table(title=f"Kết quả: {summary.rows} dòng, {summary.tagged} dòng đã gán nhãn", title_justify="left")
    categories.add_column("Lĩnh vực")
    categories.add_column("Số ý kiến", justify="right")
    for key, count in summary.categories.items():
        categories.add_row(labels.name(key), str(count))
    for status, name in (("empty", "Dòng trống"), ("error", "Dòng lỗi, chưa gán nhãn")):
        if summary.statuses.get(status):
            categories.add_row(f"[yellow]{name}[/]", f"[yellow]{summary.statuses[status]}[/]")
    topics = Table(title="Theo chủ đề", title_justify="left")
    topics.add_column("Chủ đề")
    topics.add_column("Số ý kiến", justify="right")
    for key, count in summary.topics.items():
        topics.add_row(labels.name(key), str(count))
    return [categories, topics]


@app.command("tag", cls=VietnameseCommand)
def tag_command(
    input: Annotated[str, typer.Argument(metavar="TỆP", help="Tệp .csv, .xlsx, .jsonl hoặc .txt (mỗi dòng một ý kiến); '-' là đầu vào chuẩn.")],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="TỆP", help=f"Tệp kết quả ({', '.join('.' + f for f in OUTPUT_FORMATS)}); mặc định in CSV ra màn hình.", show_default=False),
    ] = None,
    column: Annotated[Optional[str], typer.Option("--column", metavar="CỘT", help="Tên cột nội dung; mặc định tự nhận.", show_default=False)] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="TRANG", help="Trang (sheet) của tệp Excel; mặc định trang đầu.", show_default=False)] = None,
    input_format: Annotated[
        Optional[str], typer.Option("--format", metavar="ĐỊNH_DẠNG", help=f"Định dạng đầu vào khi không đoán được qua đuôi tệp: {', '.join(INPUT_FORMATS)}.", show_default=False)
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", metavar="", help="Không hiện thanh tiến độ và bảng tổng hợp.")] = False,
    model: ModelOption = None,
    labels: LabelsOption = None,
) -> None:
    """Gán lĩnh vực và chủ đề cho từng ý kiến trong tệp.

    Mã thoát: 0 khi mọi dòng đều được gán nhãn; 1 khi có dòng trống hoặc lỗi (các dòng khác vẫn được gán nhãn và ghi đủ); 2 khi sai cách dùng hoặc không đọc/ghi được tệp.
    """
    from ..tagging import tag_file

    classifier = load_model(model, labels)
    show = not quiet and err_console.is_terminal
    progress = Progress(
        TextColumn("Đang gán nhãn"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]} dòng/giây"),
        TimeRemainingColumn(), console=err_console, disable=not show, transient=True,
        auto_refresh=False,  # refreshed per chunk below: no display thread, so the workers can be forked (tagging._Runner)
    )
    task = progress.add_task("tag", total=None, rate="–")

    def advance(done: int, total: int | None) -> None:
        elapsed = progress.tasks[0].elapsed or 0
        progress.update(task, completed=done, total=total, rate=format_number(done / elapsed, 0) if elapsed else "–", refresh=True)

    try:
        with progress, user_errors():
            summary = tag_file(
                input,
                output,
                model=classifier,
                column=column,
                sheet=sheet,
                input_format=input_format,
                n_jobs=-1,
                progress=advance,
            )
    except KeyboardInterrupt:
        fail("Đã dừng theo yêu cầu; không có tệp kết quả nào được ghi dở.", code=130)
    if not quiet:
        for table in _summary_tables(summary, classifier.label_set):
            err_console.print(table)
        rate = summary.rows / summary.seconds if summary.seconds else 0
        where = f" vào {summary.output}" if summary.output else ""
        err_console.print(f"Đã ghi {summary.rows} dòng{where} trong {format_number(summary.seconds, 1)} giây ({format_number(rate, 0)} dòng/giây).", highlight=False)
    if summary.not_tagged:
        raise typer.Exit(1)
