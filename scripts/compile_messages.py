"""Compile the Vietnamese command-line catalog (.po) into the binary form gettext reads (.mo).

Run after editing ``src/tpbnlp/data/locale/vi/LC_MESSAGES/messages.po``;
a test checks that the shipped .mo is up to date.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parents[1] / "src" / "tpbnlp" / "data" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"


def parse_po(text: str) -> dict[bytes, bytes]:
    """msgid (with ``\\0`` + plural form when it has one) → msgstr (plural forms ``\\0``-joined), UTF-8."""
    entries: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    field = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            current[field][-1] += ast.literal_eval(line)  # a continued string
            continue
        if keyword == "msgid":
            current = {"msgid": [], "msgid_plural": [], "msgstr": []}
            entries.append(current)
        field = "msgstr" if keyword.startswith("msgstr") else keyword
        current[field].append(ast.literal_eval(rest))
    return {
        "\0".join(e["msgid"] + e["msgid_plural"]).encode(): "\0".join(e["msgstr"]).encode()
        for e in entries
    }


def compile_mo(messages: dict[bytes, bytes]) -> bytes:
    """The GNU .mo layout: header, two offset tables, then the strings."""
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_table = b"".join(struct.pack("<2I", length, offset + key_start) for offset, length, _, _ in offsets)
    value_table = b"".join(struct.pack("<2I", length, offset + value_start) for _, _, offset, length in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return header + key_table + value_table + ids + strs


def main(po: Path = CATALOG) -> Path:
    mo = po.with_suffix(".mo")
    mo.write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"))))
    return mo


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else CATALOG))
