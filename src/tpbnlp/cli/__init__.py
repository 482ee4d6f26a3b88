"""Command-line interface: one module per command, registered on one typer app."""

from __future__ import annotations

import signal
import sys

from ._i18n import use_vietnamese

use_vietnamese()  # before click and typer format any text: their own help and error text comes out in Vietnamese

from . import check_counts, corpus, evaluate, follow_up, labels, minutes, tag, train  # noqa: E402, F401  (each module registers its command)
from ._util import app, err_console  # noqa: E402

__all__ = ["app", "main"]


_STOP_SIGNALS = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


class Stopped(SystemExit):
    """TERM or HUP (a service manager, a closed terminal): unwinds like an error, so outputs are not half-written."""


def _stop(signum: int, frame: object) -> None:
    for name in _STOP_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Stopped(128 + signum)


def main() -> None:
    """Entry point of the ``tpbnlp`` command."""
    for stream in (sys.stdout, sys.stderr):
        # Windows consoles and redirected output may default to a code page without Vietnamese.
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    for name in _STOP_SIGNALS:
        signal.signal(getattr(signal, name), _stop)
    try:
        app(prog_name="tpbnlp")
    except Stopped as stopped:
        err_console.print("Đã dừng theo tín hiệu của hệ thống; không có tệp kết quả nào được ghi dở, tệp cũ (nếu có) vẫn nguyên.",
                          highlight=False)
        raise SystemExit(stopped.code) from None
