"""``tpbnlp corpus check``: validate the labelled corpus and print its counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..labels import load_labels
from ..numbers import format_percent
from ._i18n import VietnameseCommand, VietnameseGroup
from ._util import LabelsOption, app, console, err_console, user_errors

corpus_app = typer.Typer(cls=VietnameseGroup, help="Làm việc với bộ dữ liệu ý kiến đã gán nhãn.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

SHOWN_PROBLEMS = 40


def _counts_table(title: str, counts: dict[str, int], total: int, names: dict[str, str] | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Khóa", style="cyan", no_wrap=True)
    if names:
        table.add_column("Tên")
    table.add_column("Số ý kiến", justify="right")
    table.add_column("Tỷ lệ", justify="right")
    for key, count in counts.items():
        share = format_percent(count / total) if total else "-"
        table.add_row(key, *([names.get(key, "")] if names else []), str(count), share)
    return table


def _by_category(title: str, keys: Sequence[str], columns: Mapping[str, tuple[str, int, Mapping[str, int]]]) -> Table:
    """Counts per category (rows) in each part of the corpus (columns: header, size, counts)."""
    table = Table(title=title, title_justify="left")
    table.add_column("Lĩnh vực", style="cyan")
    for header, size, _ in columns.values():
        table.add_column(f"{header} ({size})", justify="right")
    for key in keys:
        table.add_row(key, *(str(counts[key]) for _, _, counts in columns.values()))
    return table


@corpus_app.command("check", cls=VietnameseCommand)
def check_command(
    path: Annotated[
        Optional[Path],
        typer.Argument(metavar="TỆP", help="Tệp CSV của bộ dữ liệu; mặc định là bộ dữ liệu đi kèm.", show_default=False),
    ] = None,
    no_floors: Annotated[
        bool, typer.Option("--no-floors", metavar="", help="Không kiểm tra cỡ tối thiểu (cho bộ dữ liệu nhỏ của địa phương).")
    ] = False,
    labels: LabelsOption = None,
) -> None:
    """Kiểm tra bộ dữ liệu: khóa nhãn, trùng lặp, gần trùng lặp giữa các split, và đếm số lượng."""
    from ..corpus import ORIGIN_NAMES, ORIGINS, SPLITS, load_corpus
    from ..corpus_check import CorpusFloors, check_corpus

    with user_errors():
        label_set = load_labels(labels)
        frame = load_corpus(path)
        report = check_corpus(frame, label_set, floors=None if no_floors else CorpusFloors())
    names = {label.key: label.name for label in label_set.categories + label_set.topics}
    console.print(_counts_table(f"Lĩnh vực ({report.rows} ý kiến)", report.categories, report.rows, names))
    console.print(_counts_table("Chủ đề", report.topics, report.rows, names))
    splits = {split: (split, report.splits[split], report.category_by_split[split]) for split in SPLITS}
    console.print(_by_category("Split theo lĩnh vực", label_set.category_keys, splits))
    console.print(_counts_table("Kiểu diễn đạt", report.registers, report.rows))
    origins = {o: (ORIGIN_NAMES[o], report.origins[o], report.category_by_origin[o]) for o in ORIGINS}
    console.print(_by_category("Nguồn gốc theo lĩnh vực", label_set.category_keys, origins))
    console.print(f"Ý kiến thực tế lấy từ {report.pages} trang trên {report.sites} trang web.", highlight=False)
    console.print(
        f"Trường hợp khó: {report.hard} · Không dấu: {report.no_diacritics} · Không chủ đề: {report.no_topic} · "
        f"Gần trùng lặp (cùng split): {len(report.near_duplicates) - len(report.cross_split)}",
        highlight=False,
    )
    if report.ok:
        console.print("[bold green]Đạt:[/] bộ dữ liệu hợp lệ.")
        return
    for problem in report.problems[:SHOWN_PROBLEMS]:
        err_console.print(f"[red]•[/] {problem}", highlight=False)
    if len(report.problems) > SHOWN_PROBLEMS:
        err_console.print(f"… và {len(report.problems) - SHOWN_PROBLEMS} vấn đề khác.")
    err_console.print(f"[bold red]Không đạt:[/] {len(report.problems)} vấn đề.")
    raise typer.Exit(1)


@corpus_app.command("add", cls=VietnameseCommand)
def add_command(
    source: Annotated[Path, typer.Argument(metavar="TỆP", help="Bảng ý kiến đã sửa nhãn (như kết quả 'tpbnlp tag' đã sửa trong Excel).")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="TỆP", help="Bộ dữ liệu riêng của địa phương (.csv); tạo mới nếu chưa có.")],
    labels: LabelsOption = None,
) -> None:
    """Thêm các ý kiến đã sửa nhãn vào bộ dữ liệu riêng của địa phương (kiểm tra nhãn, bỏ dòng trùng)."""
    from ..corpus import add_to_corpus

    with user_errors():
        result = add_to_corpus(source, output, load_labels(labels))
    console.print(
        f"Đã thêm {result.added} ý kiến vào {output} (nay có {result.rows} ý kiến); bỏ {result.duplicates} dòng trùng, "
        f"{result.skipped} dòng thiếu nội dung hoặc lĩnh vực. Huấn luyện: tpbnlp train --add {output} -o <thư mục>.",
        highlight=False,
    )
