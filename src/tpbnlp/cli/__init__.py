"""Command-line interface: one module per command, registered on one typer app."""

from __future__ import annotations

import sys

from ._i18n import use_vietnamese

use_vietnamese()  # before click and typer format any text: their own help and error text comes out in Vietnamese

from . import check_counts, corpus, evaluate, follow_up, labels, minutes, tag, train  # noqa: E402, F401  (each module registers its command)
from ._util import app  # noqa: E402

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``tpbnlp`` command."""
    for stream in (sys.stdout, sys.stderr):
        # Windows consoles and redirected output may default to a code page without Vietnamese.
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    app(prog_name="tpbnlp")
