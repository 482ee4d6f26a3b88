"""Report tables and the summary sentence a district report needs, from tagged minutes.

Counts are by category (in the fixed report order) and by topic, per unit and
in total. Figures the minutes do not give (attendance) are taken from them
when written and otherwise left out, never invented.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, MinutesError
from .labels import LabelSet
from .minutes import MINUTES_SUFFIXES, Minutes, read_minutes
from .model import OpinionClassifier
from .numbers import format_number
from .tables.formats import REPORT_FORMATS
from .tables.write import atomic_output, open_writer
from .tagging import OUTPUT_COLUMNS, tag_texts

__all__ = ["MinutesReport", "build_report", "minutes_files", "write_report"]

TOTAL = "Tổng cộng"
#: Where each opinion of the report comes from, before the tagging columns.
OPINION_COLUMNS = ("file", "unit", "date", "speaker", "member", "text")
SKIPPED_COLUMNS = ("file", "paragraph", "role", "text")
#: Column headers of the workbook a manager reads (CSV and JSON keep the keys, for programs).
HEADERS = {
    "file": "Tệp", "unit": "Đơn vị", "date": "Ngày họp", "speaker": "Người góp ý", "member": "Góp ý đồng chí",
    "text": "Nội dung ý kiến", "category": "Mã lĩnh vực", "category_name": "Lĩnh vực", "confidence": "Độ tin cậy",
    "topics": "Mã chủ đề", "topic_names": "Chủ đề", "needs_review": "Cần xem lại", "status": "Trạng thái",
    "paragraph": "Đoạn số", "role": "Loại đoạn",
}
#: Sheet names of the workbook.
SHEETS = ("Ý kiến", "Theo lĩnh vực", "Theo chủ đề", "Tổng hợp", "Đoạn bỏ qua")


@dataclass
class MinutesReport:
    """Opinions of all minutes with their labels, counts per unit, the summary, and files that failed."""

    minutes: list[Minutes]
    opinions: pd.DataFrame
    categories: pd.DataFrame
    topics: pd.DataFrame
    summary: str
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: The paragraphs not taken as opinions, with why, so a person can check what was not counted.
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SKIPPED_COLUMNS)))

    @property
    def left_out(self) -> int:
        return sum(m.left_out for m in self.minutes)

    @property
    def warnings(self) -> list[str]:
        """What a person should check, file by file, in Vietnamese."""
        return [w for m in self.minutes for w in m.warnings]


def minutes_files(path: str | os.PathLike[str]) -> list[Path]:
    """The minutes files at ``path``: the file itself, or every .docx/.doc/.txt/.pdf in the folder and below, sorted."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in MINUTES_SUFFIXES and not p.name.startswith(("~$", ".")))
    if not path.exists():
        raise InputError(f"Không tìm thấy tệp hoặc thư mục: {path}")
    return [path]


def _unit_name(m: Minutes) -> str:
    parts = [p for p in (m.unit, m.commune) if p]
    return ", ".join(parts) if parts else m.file


def build_report(
    sources: Iterable[str | os.PathLike[str]], model: OpinionClassifier, labels: LabelSet
) -> MinutesReport:
    """Read, split and tag every minutes file; a file that cannot be read is listed, the rest go on."""
    read: list[Minutes] = []
    failures: list[tuple[str, str]] = []
    for source in sources:
        try:
            read.append(read_minutes(source))
        except MinutesError as exc:
            failures.append((Path(source).name, str(exc)))
    rows = [(m, o) for m in read for o in m.opinions]
    results = tag_texts(model, [o.text for _, o in rows], labels) if rows else []
    opinions = pd.DataFrame(
        [[o.file, _unit_name(m), o.date or "", o.speaker or "", o.member or "", o.text, *r.cells()] for (m, o), r in zip(rows, results)],
        columns=[*OPINION_COLUMNS, *OUTPUT_COLUMNS],
    )
    units = list(dict.fromkeys(_unit_name(m) for m in read))
    categories = pd.DataFrame(0, index=[*units, TOTAL], columns=[*(c.name for c in labels.categories), "Tổng số ý kiến"])
    topics = pd.DataFrame(0, index=[t.name for t in labels.topics], columns=[*units, TOTAL])
    for row in opinions.itertuples():
        if row.status != "ok":
            continue
        for unit in (row.unit, TOTAL):
            categories.loc[unit, row.category_name] += 1
            categories.loc[unit, "Tổng số ý kiến"] += 1
            for key in filter(None, row.topics.split("|")):
                topics.loc[labels.name(key), unit] += 1
    categories.index.name = "Đơn vị"
    topics.index.name = "Chủ đề"
    skipped = pd.DataFrame(
        [[m.file, left.paragraph, left.role, left.text] for m in read for left in m.left_out_paragraphs], columns=list(SKIPPED_COLUMNS)
    )
    return MinutesReport(read, opinions, categories, topics, _summary(read, categories, labels), failures, skipped)


def _summary(minutes: list[Minutes], categories: pd.DataFrame, labels: LabelSet) -> str:
    """The sentence of provincial reports: meetings, attendance (when the minutes give it), opinions by category."""
    total = categories.loc[TOTAL] if TOTAL in categories.index else None
    count = int(total["Tổng số ý kiến"]) if total is not None else 0
    parts = [f"Các chi bộ đã tổ chức được {format_number(len(minutes))} cuộc"]
    known = [m.attendance for m in minutes if m.attendance is not None]
    if known and len(known) == len(minutes):
        parts.append(f"có {format_number(sum(known))} lượt quần chúng nhân dân tham dự")
    elif known:
        parts.append(
            f"có {format_number(sum(known))} lượt quần chúng nhân dân tham dự "
            f"(theo {len(known)}/{len(minutes)} biên bản có ghi số người dự)"
        )
    details = []
    for label in labels.categories:
        n = format_number(int(total[label.name])) if total is not None else "0"
        name = label.name[:1].lower() + label.name[1:]
        details.append(f"{name} có {n} ý kiến" if label.key == "linh_vuc_khac" else f"về {name} có {n} ý kiến")
    return ", ".join(parts) + f", với {format_number(count)} ý kiến đóng góp (trong đó, " + "; ".join(details) + ")."


def _markdown(report: MinutesReport) -> str:
    def table(frame: pd.DataFrame) -> str:
        header = [str(frame.index.name or ""), *(str(c) for c in frame.columns)]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join([str(i)] + [format_number(int(v)) for v in row]) + " |" for i, row in frame.iterrows()]
        return "\n".join(lines)

    out = ["# Tổng hợp ý kiến đóng góp", "", report.summary, "", "## Theo lĩnh vực", "", table(report.categories), "",
           "## Theo chủ đề", "", table(report.topics), "", "## Các ý kiến", "",
           "| # | Đơn vị | Người góp ý | Nội dung ý kiến | Lĩnh vực | Chủ đề |", "|---|---|---|---|---|---|"]
    for number, row in enumerate(report.opinions.itertuples(), 1):
        cells = [str(number), row.unit, row.speaker, row.text, row.category_name or row.status, row.topic_names]
        out.append("| " + " | ".join(str(c).replace("|", "/").replace("\n", " ") for c in cells) + " |")
    out.append("")
    if report.warnings:
        out += ["## Cần kiểm tra", ""] + [f"- {warning}" for warning in report.warnings] + [""]
    if report.failures:
        out += ["## Tệp không đọc được", ""] + [f"- {name}: {why}" for name, why in report.failures] + [""]
    return "\n".join(out)


def _workbook(report: MinutesReport, path: Path) -> None:
    """The report as a workbook a manager reads: Vietnamese headers, the counts charted."""
    from .tables.write import XlsxWriter

    opinions, by_category, by_topic, summary, skipped = SHEETS
    units = len(report.categories) - 1  # the last row is the total
    with XlsxWriter(path) as writer:
        writer.write(report.opinions.rename(columns=HEADERS), opinions)
        writer.write(report.categories, by_category, index=True)
        writer.write(report.topics, by_topic, index=True)
        notes = [report.summary, ""] + [f"Không đọc được {name}: {why}" for name, why in report.failures]
        notes += [f"Chú ý: {warning}" for warning in report.warnings]
        writer.write(pd.DataFrame({"Tổng hợp": notes}), summary)
        writer.write(report.skipped.rename(columns={**HEADERS, "text": "Nội dung đoạn"}), skipped)
        if units > 0:
            categories = len(report.categories.columns) - 1
            writer.add_bar_chart(by_category, "Số ý kiến theo lĩnh vực và đơn vị", (2, 1 + categories), units, f"A{units + 5}")
            total_column = len(report.topics.columns) + 1
            writer.add_bar_chart(by_topic, "Số ý kiến theo chủ đề", (total_column, total_column), len(report.topics), f"A{len(report.topics) + 4}")


def write_report(report: MinutesReport, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write the report atomically; the format follows ``fmt`` or the extension of ``path``."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in REPORT_FORMATS:
        raise InputError(f"Định dạng báo cáo {fmt!r} không được hỗ trợ; dùng một trong: {', '.join(REPORT_FORMATS)}.")
    if fmt == "csv":
        with open_writer(path, fmt) as writer:
            writer.write(report.opinions)
        return path
    if fmt == "xlsx":
        _workbook(report, path)
        return path
    with atomic_output(path) as tmp:
        if fmt == "json":
            data = {
                "summary": report.summary,
                "minutes": [
                    {"file": m.file, "unit": m.unit, "commune": m.commune, "date": m.date, "attendance": m.attendance,
                     "opinions": len(m.opinions), "paragraphs_left_out": m.left_out, "warnings": m.warnings}
                    for m in report.minutes
                ],
                "failures": [{"file": name, "error": why} for name, why in report.failures],
                "categories": json.loads(report.categories.to_json(orient="index", force_ascii=False)),
                "topics": json.loads(report.topics.to_json(orient="index", force_ascii=False)),
                "opinions": json.loads(report.opinions.to_json(orient="records", force_ascii=False)),
                "left_out": json.loads(report.skipped.to_json(orient="records", force_ascii=False)),
            }
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            tmp.write_text(_markdown(report), encoding="utf-8")
    return path
