"""``tpbnlp check-counts``: find errors in hand-made category counts before a report goes up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..labels import load_labels
from ..numbers import format_number
from ._i18n import VietnameseCommand
from ._util import LabelsOption, app, console, fail, user_errors


@app.command("check-counts", cls=VietnameseCommand)
def check_counts_command(
    table: Annotated[Path, typer.Argument(metavar="BẢNG", help="Bảng số liệu đếm tay (.xlsx hoặc .csv): mỗi dòng một đơn vị, mỗi cột một lĩnh vực.")],
    sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="TRANG", help="Trang của tệp Excel.", show_default=False)] = None,
    against: Annotated[
        Optional[Path],
        typer.Option("--against", metavar="TỆP", help="Kết quả của 'tpbnlp tag' hoặc 'tpbnlp minutes' cho cùng các đơn vị, để so với văn bản.", show_default=False),
    ] = None,
    unit_column: Annotated[
        Optional[str], typer.Option("--unit-column", metavar="CỘT", help="Cột đơn vị trong tệp --against (mặc định: unit / Đơn vị).", show_default=False)
    ] = None,
    model: Annotated[
        Optional[Path], typer.Option("--model", "-m", metavar="THƯ_MỤC", help="Mô hình đã gán nhãn tệp --against (lấy ma trận nhầm lẫn trong manifest).", show_default=False)
    ] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="ĐỊNH_DẠNG", help="table hoặc json.")] = "table",
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="TỆP", help="Ghi bản sao bảng (.xlsx), tô màu ô có sai sót kèm ghi chú, và danh sách phát hiện.", show_default=False),
    ] = None,
    labels: LabelsOption = None,
) -> None:
    """Kiểm tra số liệu đếm tay: cộng hàng, cộng cột, tổng chung, số âm/lẻ/thiếu, đơn vị trùng, tỉ lệ vô lý; và so với văn bản.

    Mã thoát: 0 khi không thấy gì; 1 khi có phát hiện; 2 khi sai cách dùng hoặc không đọc được tệp.
    """
    from ..counts import check_counts

    if fmt not in ("table", "json"):
        fail("--format phải là 'table' hoặc 'json'.")
    with user_errors():
        label_set = load_labels(labels)
        confusion = None
        if against is not None:
            from ..store import default_model_path, read_manifest

            confusion = read_manifest(model or default_model_path()).get("test_confusion")
            if confusion is None:
                fail("Mô hình không ghi ma trận nhầm lẫn trên tập test (manifest.json thiếu 'test_confusion'); hãy huấn luyện lại.")
        result = check_counts(table, sheet=sheet, labels=label_set, against=against, unit_column=unit_column, confusion=confusion)
        if output is not None:
            from ..counts_report import write_counts_report

            write_counts_report(result, output)
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif result.ok:
        console.print(f"[bold green]Không thấy sai sót[/] trong {len(result.units)} đơn vị.")
    else:
        findings = Table(title=f"{len(result.findings)} phát hiện", title_justify="left")
        for column in ("Loại", "Dòng", "Cột", "Ghi", "Tính được", "Chênh"):
            findings.add_column(column, justify="right" if column in ("Ghi", "Tính được", "Chênh") else "left")
        for f in result.findings:
            cells = ["" if v is None else format_number(v) for v in (f.stated, f.computed, f.difference)]
            findings.add_row(f.kind, f.row, f.column, *cells)
        console.print(findings)
        for f in result.findings:
            console.print(f"• {f.message}", highlight=False)
    if not result.ok:
        raise typer.Exit(1)
