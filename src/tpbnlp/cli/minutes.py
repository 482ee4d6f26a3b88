"""``tpbnlp minutes``: from meeting minutes to the report tables and summary sentence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..tables.formats import REPORT_FORMATS
from ._i18n import VietnameseCommand
from ._util import LabelsOption, ModelOption, app, console, err_console, fail, load_model, report_target, user_errors


@app.command("minutes", cls=VietnameseCommand)
def minutes_command(
    path: Annotated[Path, typer.Argument(metavar="BIÊN_BẢN", help="Một biên bản (.docx, .doc, .txt, .pdf có lớp chữ) hoặc thư mục chứa nhiều biên bản.")],
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", metavar="TỆP", help="Tệp báo cáo; mặc định bao_cao.<định dạng>.", show_default=False)
    ] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", metavar="ĐỊNH_DẠNG", help=f"Định dạng báo cáo: {', '.join(REPORT_FORMATS)}; mặc định theo đuôi tệp, hoặc xlsx.", show_default=False)
    ] = None,
    model: ModelOption = None,
    labels: LabelsOption = None,
) -> None:
    """Tách biên bản thành từng ý kiến, gán nhãn và lập báo cáo (bảng theo lĩnh vực, chủ đề, đơn vị).

    Mã thoát: 0 khi đọc được mọi biên bản; 1 khi có biên bản không đọc được (các biên bản khác vẫn vào báo cáo); 2 khi sai cách dùng.
    """
    from ..numbers import format_number
    from ..report import build_report, minutes_files, write_report

    output, fmt = report_target(output, fmt, REPORT_FORMATS, "bao_cao")
    classifier = load_model(model, labels)
    with user_errors():
        files = minutes_files(path)
        if not files:
            fail(f"Thư mục {path} không có biên bản .docx, .doc, .txt hoặc .pdf nào.")
        report = build_report(files, classifier, classifier.label_set)
        write_report(report, output, fmt)
    for _, why in report.failures:
        err_console.print(f"[yellow]Bỏ qua[/] {why}", highlight=False)
    for warning in report.warnings:
        err_console.print(f"[yellow]Chú ý[/] {warning}", highlight=False)
    table = Table(title="Số ý kiến theo đơn vị và lĩnh vực", title_justify="left")
    table.add_column("Đơn vị")
    for column in report.categories.columns:
        table.add_column(str(column), justify="right")
    for unit, row in report.categories.iterrows():
        table.add_row(str(unit), *(format_number(int(v)) for v in row))
    console.print(table)
    console.print(report.summary, highlight=False)
    console.print(
        f"Đã đọc {len(report.minutes)} biên bản, tách được {format_number(len(report.opinions))} ý kiến; "
        f"bỏ qua {format_number(report.left_out)} đoạn không phải ý kiến (tiêu đề, thành phần, tự phê bình, kết luận…). "
        f"Báo cáo: {output}",
        highlight=False,
    )
    if report.failures:
        raise typer.Exit(1)
