"""``tpbnlp follow-up``: which of this year's opinions raise last year's again, and how each unit's meetings changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..numbers import format_percent
from ..tables.formats import FOLLOW_UP_FORMATS
from ._i18n import VietnameseCommand
from ._util import LabelsOption, ModelOption, app, console, load_model, report_target, user_errors


@app.command("follow-up", cls=VietnameseCommand)
def follow_up_command(
    last: Annotated[Path, typer.Argument(metavar="NĂM_TRƯỚC", help="Ý kiến năm trước: biên bản (tệp hoặc thư mục) hoặc bảng có cột đơn vị.")],
    this: Annotated[Path, typer.Argument(metavar="NĂM_NAY", help="Ý kiến năm nay, cùng cách ghi.")],
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", metavar="TỆP", help="Tệp báo cáo; mặc định theo_doi.<định dạng>.", show_default=False)
    ] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", metavar="ĐỊNH_DẠNG", help=f"Định dạng: {', '.join(FOLLOW_UP_FORMATS)}; mặc định theo đuôi tệp, hoặc xlsx.", show_default=False)
    ] = None,
    unit_column: Annotated[Optional[str], typer.Option("--unit-column", metavar="CỘT", help="Cột đơn vị của bảng (mặc định: unit / Đơn vị).", show_default=False)] = None,
    model: ModelOption = None,
    labels: LabelsOption = None,
) -> None:
    """Theo dõi ý kiến năm trước: ý kiến nào được nêu lại, số ý kiến, tỉ lệ góp ý cấp ủy, đảng viên của từng đơn vị."""
    from ..follow_up import follow_up, read_year, write_follow_up

    output, fmt = report_target(output, fmt, FOLLOW_UP_FORMATS, "theo_doi")
    classifier = load_model(model, labels)
    with user_errors():
        result = follow_up(read_year(last, unit_column), read_year(this, unit_column), classifier)
        write_follow_up(result, output, fmt)
    table = Table(title="Theo đơn vị", title_justify="left")
    for column in ("Đơn vị", "Năm trước", "Năm nay", "Nêu lại", "Góp ý cấp ủy, đảng viên", "Cần chú ý"):
        table.add_column(column, justify="left" if column in ("Đơn vị", "Cần chú ý") else "right")
    for u in result.units:
        share = "–" if u.assessing_share_this is None else format_percent(u.assessing_share_this)
        table.add_row(u.unit, str(u.opinions_last), str(u.opinions_this), str(u.repeated), share, "; ".join(u.flags))
    console.print(table)
    console.print(f"{result.repeated} ý kiến năm trước được nêu lại trong {len(result.opinions)} ý kiến năm nay. Báo cáo: {output}", highlight=False)
