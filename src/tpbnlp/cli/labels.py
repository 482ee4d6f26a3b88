"""``tpbnlp labels``: show the label set."""

from __future__ import annotations

from rich.table import Table

from ..labels import load_labels
from ._i18n import VietnameseCommand
from ._util import LabelsOption, app, console, user_errors


@app.command("labels", cls=VietnameseCommand)
def labels_command(labels: LabelsOption = None) -> None:
    """Liệt kê 5 lĩnh vực và các chủ đề: khóa và tên tiếng Việt."""
    with user_errors():
        label_set = load_labels(labels)
    for title, entries in (("Lĩnh vực", label_set.categories), ("Chủ đề", label_set.topics)):
        table = Table(title=f"{title} ({len(entries)})", title_justify="left")
        table.add_column("Khóa", style="cyan", no_wrap=True)
        table.add_column("Tên")
        for label in entries:
            table.add_row(label.key, label.name)
        console.print(table)
