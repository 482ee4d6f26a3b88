"""A counts table given back with its findings marked: each faulty cell filled and commented, and a list of findings."""

from __future__ import annotations

import os
from pathlib import Path

from .counts import CountsCheck
from .errors import InputError
from .tables.write import atomic_output

__all__ = ["write_counts_report"]

#: Sheet names and the findings' column headers.
CHECKED, FINDINGS = "Bảng đã kiểm tra", "Phát hiện"
FINDING_HEADERS = ("Loại", "Dòng", "Cột", "Ghi", "Tính được", "Chênh", "Nội dung")


def write_counts_report(check: CountsCheck, path: str | os.PathLike[str]) -> Path:
    """Write ``path`` (.xlsx): the table as read, faulty cells highlighted with the finding as a comment; the findings."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: báo cáo kiểm tra số liệu ghi ra tệp Excel .xlsx.")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = CHECKED
    table = check.table
    columns = [] if table is None else [str(c) for c in table.columns]
    sheet.append(columns)
    for row in [] if table is None else table.itertuples(index=False, name=None):
        sheet.append(["" if v is None else v for v in row])
    fill = PatternFill("solid", fgColor="FFC7CE")
    notes: dict[tuple[int, int], list[str]] = {}
    for finding in check.findings:
        if finding.row in check.row_names and finding.column in columns:
            at = (check.row_names.index(finding.row) + 2, columns.index(finding.column) + 1)
            notes.setdefault(at, []).append(finding.message)
    for (r, c), messages in notes.items():
        cell = sheet.cell(row=r, column=c)
        cell.fill = fill
        cell.comment = Comment("\n".join(messages), "tpbnlp", width=320, height=120)
    listing = workbook.create_sheet(FINDINGS)
    listing.append(list(FINDING_HEADERS))
    for f in check.findings:
        listing.append([f.kind, f.row, f.column, f.stated, f.computed, f.difference, f.message])
    for worksheet, widths in ((sheet, [max(12, min(40, len(c) + 2)) for c in columns]), (listing, [14, 24, 24, 10, 10, 10, 90])):
        worksheet.freeze_panes = "A2"
        for j, width in enumerate(widths, 1):
            worksheet.column_dimensions[get_column_letter(j)].width = width
            worksheet.cell(row=1, column=j).font = Font(bold=True)
        if worksheet.max_column and worksheet.max_row:
            worksheet.auto_filter.ref = f"A1:{get_column_letter(worksheet.max_column)}{worksheet.max_row}"
    for row in listing.iter_rows(min_row=2, min_col=7, max_col=7):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    with atomic_output(path) as tmp:
        workbook.save(tmp)
    return path
