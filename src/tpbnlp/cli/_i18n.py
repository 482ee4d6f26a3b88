"""Vietnamese for the help and error text that click and typer write themselves.

Two sources of English are covered. Strings that click and typer pass through
:mod:`gettext`'s default domain (panel titles, "[required]", "Try … for
help" …) come from the package's Vietnamese catalog (``data/locale``,
compiled from the ``.po`` beside it by ``scripts/compile_messages.py``).
Strings written without gettext (the usage prefix, the help option, usage
errors — typer carries its own copy of click) are rewritten by the command
classes below, which every command of the app uses.
"""

from __future__ import annotations

import gettext
import os
import re
from importlib import resources
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup

DOMAIN = "messages"  # the domain click and typer use
HELP_TEXT = "Hiện hướng dẫn này rồi thoát."

# "Did you mean …?" (click, typer) or "(Possible options: …)" (typer's own click), after any message.
_SUGGESTION = re.compile(r"\.? *(?:\(?Did you mean (?:one of: )?(?P<a>.+?)\?\)?|\(Possible options: (?P<b>.+)\))$", re.S)
# Usage errors, as click and typer word them (several versions), and their Vietnamese.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), vi)
    for p, vi in [
        (r"Missing argument '?(?P<a>[^']+)'?\.?", "Thiếu tham số {a}."),
        (r"Missing option '?(?P<a>[^']+)'?\.?", "Thiếu tùy chọn {a}."),
        (r"Missing parameter:? '?(?P<a>[^']+)'?\.?", "Thiếu tham số {a}."),
        (r"No such option:? '?(?P<a>[^' ]+?)'?\.?", "Không có tùy chọn {a}."),
        (r"No such command '?(?P<a>[^']+)'?\.?", "Không có lệnh '{a}'."),
        (r"Option '?(?P<a>[^']+)'? requires an argument\.", "Tùy chọn {a} cần một giá trị đi kèm."),
        (r"Option '?(?P<a>[^']+)'? requires (?P<b>\d+) arguments\.", "Tùy chọn {a} cần {b} giá trị đi kèm."),
        (r"Option '?(?P<a>[^']+)'? does not take a value\.", "Tùy chọn {a} không nhận giá trị."),
        (r"Got unexpected extra argument(?:s|\(s\))? \((?P<a>.+)\)", "Thừa tham số không dùng đến: {a}."),
        (r"Invalid value for (?P<a>.+?): (?P<b>.+)", "Giá trị không hợp lệ cho {a}: {b}"),
        (r"(?:Value )?(?P<a>.+?) is not one of (?P<b>.+?)\.", "{a} không phải một trong các giá trị {b}."),
        (r"(?:Value )?(?P<a>.+?) is not a valid (?:integer|int|float|number)\.", "{a} không phải là số hợp lệ."),
        (r"(?:Value )?(?P<a>.+?) is not a valid boolean\..*", "{a} không phải giá trị có/không."),
        (r"(?:File|Path|Directory) (?P<a>.+?) does not exist\.", "Không có {a}."),
        (r"(?:File|Path) (?P<a>.+?) is a directory\.", "{a} là một thư mục, cần một tệp."),
        (r"Directory (?P<a>.+?) is a file\.", "{a} là một tệp, cần một thư mục."),
        (r"Missing command\.", "Thiếu tên lệnh."),
    ]
]


def translate_error(message: str) -> str:
    """A usage error in Vietnamese (unchanged when it is already, or not one we know)."""
    message = message.strip()
    found, suggestion = _SUGGESTION.search(message), ""
    if found:
        message = message[: found.start()] + "."
        suggestion = f" Có phải ý bạn là {found['a'] or found['b']}?"
    for pattern, vietnamese in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            parts = {k: v or "" for k, v in match.groupdict().items()}
            if vietnamese.startswith("Giá trị"):  # the reason after "Invalid value for X:" is itself English
                parts["b"] = translate_error(parts["b"])
            message = vietnamese.format(**parts)
            break
    return message + suggestion


def use_vietnamese() -> None:
    """Make gettext's default domain answer from the package's Vietnamese catalog, in this process."""
    gettext.bindtextdomain(DOMAIN, str(resources.files("tpbnlp").joinpath("data/locale")))
    os.environ["LANGUAGE"] = "vi"  # the command line speaks Vietnamese whatever the system language is


def _in_vietnamese(error: Exception, ctx: Any) -> Exception | None:
    """The same usage error with its message in Vietnamese (of whichever click raised it); ``None`` for other errors."""
    base = next((c for c in type(error).__mro__ if c.__name__ == "UsageError"), None)
    if base is None or type(error).__name__ == "NoArgsIsHelpError":  # the latter shows the help page
        return None
    return base(translate_error(error.format_message()), getattr(error, "ctx", None) or ctx)  # type: ignore[attr-defined]


class _ValueOnlyArgument(TyperArgument):
    """An argument shown by its Vietnamese name alone, without an English type such as ``<str>``."""

    def display_type_rich(self, ctx: Any) -> None:
        return None


class _Vietnamese:
    """What every command and group of the app shares: Vietnamese usage, help option and errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = "[TÙY CHỌN]"
        super().__init__(*args, **kwargs)
        # a mixin over typer's Command: mypy cannot see the attributes it adds to
        for param in self.params:  # type: ignore[attr-defined]
            if type(param) is TyperArgument:
                param.__class__ = _ValueOnlyArgument

    def get_usage(self, ctx: Any) -> str:
        usage: str = super().get_usage(ctx)  # type: ignore[misc]
        return re.sub(r"^(\s*)Usage:", r"\1Cách dùng:", usage)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
            option.metavar = ""  # a flag takes no value
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except Exception as error:
            translated = _in_vietnamese(error, ctx)
            if translated is None:
                raise
            raise translated from None


class VietnameseCommand(_Vietnamese, TyperCommand):
    """A typer command that speaks Vietnamese in its help and usage errors."""


class VietnameseGroup(_Vietnamese, TyperGroup):
    """A typer group that speaks Vietnamese in its help and usage errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["subcommand_metavar"] = "LỆNH [THAM SỐ]..."
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            translated = _in_vietnamese(error, ctx)
            if translated is None:
                raise
            raise translated from None
