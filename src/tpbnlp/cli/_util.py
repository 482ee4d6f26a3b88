"""Shared pieces of the command-line interface: the app, the console, error display."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer
from rich.console import Console

from .._version import __version__
from ..errors import TpbnlpError
from ..labels import ENV_VAR

if TYPE_CHECKING:
    from ..model import OpinionClassifier
from ._i18n import VietnameseGroup

app = typer.Typer(
    name="tpbnlp",
    cls=VietnameseGroup,
    help="Phân loại ý kiến đóng góp của quần chúng nhân dân theo 5 lĩnh vực và các chủ đề.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

#: ``--labels FILE`` for every command that shows label names.
LabelsOption = Annotated[
    Optional[Path],
    typer.Option(
        "--labels",
        metavar="TỆP",
        envvar=ENV_VAR,
        help="Tệp nhãn JSON riêng (đổi tên hoặc thêm chủ đề); mặc định dùng tệp của gói.",
        show_default=False,
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a Vietnamese error message (no traceback) and exit."""
    err_console.print(f"[bold red]Lỗi:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into a clean message and exit status 2."""
    try:
        yield
    except TpbnlpError as exc:
        fail(str(exc))
    except OSError as exc:  # writing an output that is open in Excel, a folder in the way, a full disk…
        fail(os_error_message(exc))


# Windows error codes: disk full, end of file on a full disk; a file locked by another program.
_WINDOWS_DISK_FULL = (39, 112)
_WINDOWS_LOCKED = (32, 33)


def os_error_message(exc: OSError) -> str:
    """What went wrong with a file, in Vietnamese, by cause, with the advice that fits it (the system's text only as a detail)."""
    name = exc.filename or exc.filename2
    what = f"tệp {name}" if name else "tệp"
    winerror = getattr(exc, "winerror", None)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)) or winerror in _WINDOWS_DISK_FULL:
        return (f"Không ghi được {what}: ổ đĩa đã đầy (hoặc tệp vượt quá dung lượng cho phép). Hãy xóa bớt tệp không cần, "
                "hoặc ghi sang ổ khác bằng -o, rồi chạy lại. Tệp kết quả cũ (nếu có) vẫn nguyên vẹn.")
    if winerror in _WINDOWS_LOCKED:
        return f"{what[0].upper()}{what[1:]} đang mở trong một chương trình khác (Excel, Word…). Hãy đóng tệp đó rồi chạy lại."
    if exc.errno == errno.EROFS:
        return f"Không ghi được {what}: ổ đĩa này chỉ cho đọc (đĩa CD, thẻ nhớ hay USB bị khóa ghi). Hãy ghi sang thư mục khác bằng -o."
    if isinstance(exc, PermissionError):
        return (f"Không có quyền đọc/ghi {what}. Hãy chọn thư mục của mình (ví dụ Tài liệu) bằng -o, hoặc nhờ người quản trị máy "
                "cấp quyền; trên Windows, cũng hãy xem tệp có đang mở trong Excel không.")
    if isinstance(exc, FileNotFoundError):
        folder = Path(name).parent if name else None
        if folder is not None and not folder.exists():
            return f"Không mở được {what}: thư mục {folder} không tồn tại. Hãy kiểm tra lại đường dẫn."
        return f"Không tìm thấy {what}. Hãy kiểm tra lại tên và đường dẫn."
    if isinstance(exc, IsADirectoryError):
        return f"{name} là một thư mục, không phải tệp. Hãy ghi rõ tên tệp."
    if isinstance(exc, NotADirectoryError):
        return f"Đường dẫn {name} đi qua một tệp như thể đó là thư mục. Hãy kiểm tra lại đường dẫn."
    return f"Không đọc/ghi được {what} (lỗi hệ thống: {exc.strerror or exc}). Hãy kiểm tra ổ đĩa và đường dẫn rồi chạy lại."


def _show_version(value: bool) -> None:
    if value:
        console.print(f"tpbnlp {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", metavar="", callback=_show_version, is_eager=True, help="In phiên bản rồi thoát."),
    ] = False,
) -> None:
    """Phân loại ý kiến đóng góp của quần chúng nhân dân theo 5 lĩnh vực và các chủ đề."""

#: ``--model DIR`` for every command that classifies.
ModelOption = Annotated[
    Optional[Path],
    typer.Option("--model", "-m", metavar="THƯ_MỤC", help="Thư mục mô hình; mặc định dùng mô hình đi kèm gói.", show_default=False),
]
def load_model(model: Path | None, labels: Path | None) -> OpinionClassifier:
    """Load the model for a command, turning every model error into a clean message."""
    from ..store import load

    with user_errors():
        return load(model, labels=labels)


def report_target(output: Path | None, fmt: str | None, formats: Sequence[str], stem: str) -> tuple[Path, str]:
    """Where a report goes and in which format: ``--format``, else the extension of ``--output``, else xlsx as ``<stem>.xlsx``."""
    fmt = fmt or (output.suffix.lower().lstrip(".") if output else "xlsx")
    if fmt not in formats:
        fail(f"Định dạng báo cáo {fmt!r} không được hỗ trợ; dùng một trong: {', '.join(formats)}.")
    return output or Path(f"{stem}.{fmt}"), fmt
