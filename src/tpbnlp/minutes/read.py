"""Reading a minutes file into blocks: paragraphs and table rows, in Unicode, with their formatting.

Word (.docx; .doc through LibreOffice when it is installed), plain text and PDF
with a text layer. Legacy Vietnamese fonts (TCVN3, VNI) are converted, judged
on the whole document so that short lines convert with the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, LegacyEncodingError, MinutesError
from ..tables.encoding import decode_bytes
from ..text import fix_legacy_encoding

__all__ = ["MINUTES_SUFFIXES", "Block", "read_blocks"]

MINUTES_SUFFIXES = (".docx", ".txt", ".pdf", ".doc")


@dataclass(frozen=True)
class Block:
    """A paragraph (``cells`` empty) or a table row (``cells``: the text of each cell, paragraphs joined by newlines).

    ``bold``: the paragraph is bold throughout; ``listed``: Word numbers or
    bullets it; ``table``: which table of the document a row belongs to.
    """

    text: str
    cells: tuple[str, ...] = ()
    bold: bool = False
    listed: bool = False
    table: int | None = None
    row: int = 0

    @property
    def is_row(self) -> bool:
        return self.table is not None


def read_blocks(path: str | os.PathLike[str]) -> list[Block]:
    """The paragraphs and table rows of a minutes file, in Unicode (legacy fonts converted)."""
    path = Path(path)
    if not path.is_file():
        raise MinutesError(f"Không tìm thấy tệp: {path}")
    if path.stat().st_size == 0:
        raise MinutesError(f"{path.name}: tệp trống (0 byte).")
    suffix = path.suffix.lower()
    if suffix not in MINUTES_SUFFIXES:
        raise MinutesError(f"{path.name}: chỉ đọc được biên bản .docx, .doc, .txt hoặc .pdf.")
    if suffix == ".docx":
        blocks = _docx_blocks(path)
    elif suffix == ".doc":
        blocks = _doc_blocks(path)
    elif suffix == ".pdf":
        blocks = _pdf_blocks(path)
    else:
        try:
            text, _ = decode_bytes(path.read_bytes())
        except InputError as exc:
            raise MinutesError(f"{path.name}: {exc}") from None
        blocks = [Block(line) for line in text.splitlines()]
    return _unicode(blocks, path.name)


def _unicode(blocks: list[Block], name: str) -> list[Block]:
    """Legacy fonts converted (judged on the whole document) and every text NFC."""
    flat = ["\t".join(c.replace("\n", "\v") for c in b.cells) if b.is_row else b.text for b in blocks]
    try:
        fixed = fix_legacy_encoding("\n".join(s.replace("\n", " ") for s in flat)).split("\n")
    except LegacyEncodingError as exc:
        raise MinutesError(f"{name}: {exc}") from None
    out = []
    for block, new in zip(blocks, fixed):
        new = unicodedata.normalize("NFC", new)
        if block.is_row:
            cells = tuple(c.replace("\v", "\n") for c in new.split("\t"))
            out.append(replace(block, text=" ".join(" ".join(cells).split()), cells=cells))
        else:
            out.append(replace(block, text=new))
    return out


# -- Word ---------------------------------------------------------------------------


def _docx_blocks(path: Path) -> list[Block]:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    data = path.read_bytes()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise MinutesError(f"{path.name}: tệp Word có mật khẩu hoặc ở định dạng cũ (.doc); hãy bỏ mật khẩu và lưu lại thành .docx.")
    if not zipfile.is_zipfile(path):
        raise MinutesError(f"{path.name}: không phải tệp Word .docx hợp lệ (tệp hỏng, hoặc chỉ đổi đuôi thành .docx).")
    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx and zipfile raise many kinds for broken packages
        raise MinutesError(f"{path.name}: không đọc được tệp Word, tệp có thể bị hỏng ({type(exc).__name__}).") from None
    blocks: list[Block] = []
    tables = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            bold, listed = _bold(paragraph), _listed(paragraph)
            # a line break inside a paragraph (Shift+Enter) separates lines too
            blocks.extend(Block(line, bold=bold, listed=listed) for line in paragraph.text.split("\n"))
        elif tag == "tbl":
            for number, row in enumerate(Table(element, document).rows):
                cells: list[tuple[str, Any]] = []
                for cell in row.cells:
                    if not cells or cell._tc is not cells[-1][1]:  # merged cells repeat: keep one
                        cells.append(("\n".join(p.text for p in cell.paragraphs), cell._tc))
                texts = tuple(text for text, _ in cells)
                blocks.append(Block(" ".join(" ".join(texts).split()), texts, table=tables, row=number))
            tables += 1
    return blocks


def _bold(paragraph: Any) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold or (r.bold is None and paragraph.style is not None and paragraph.style.font.bold) for r in runs)


def _listed(paragraph: Any) -> bool:
    """Numbered or bulleted by Word (the number is not in the text)."""
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    style = paragraph.style
    while style is not None:
        if style.name and style.name.startswith("List"):
            return True
        if style.element.pPr is not None and style.element.pPr.numPr is not None:
            return True
        style = style.base_style
    return False


def _doc_blocks(path: Path) -> list[Block]:
    """An old Word .doc, converted to .docx by LibreOffice when it is installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise MinutesError(
            f"{path.name}: tệp Word cũ (.doc). Hãy mở bằng Word và lưu lại thành .docx "
            "(hoặc cài LibreOffice để tpbnlp tự chuyển)."
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            subprocess.run(
                [office, "--headless", "--convert-to", "docx", "--outdir", folder, str(path)],
                check=True, capture_output=True, timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            raise MinutesError(f"{path.name}: LibreOffice không chuyển được tệp .doc; hãy mở bằng Word và lưu lại thành .docx.") from None
        converted = Path(folder) / f"{path.stem}.docx"
        if not converted.is_file():
            raise MinutesError(f"{path.name}: LibreOffice không chuyển được tệp .doc; hãy mở bằng Word và lưu lại thành .docx.")
        return _docx_blocks(converted)


# -- PDF ------------------------------------------------------------------------------

_STARTS_ITEM = re.compile(r"^\s*(?:[-+•*–]|\d{1,2}[.)]|[a-zđ][.)]|[IVX]+\.)\s")


def _pdf_blocks(path: Path) -> list[Block]:
    """The text layer of a PDF, its wrapped lines joined back into paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise MinutesError(f"{path.name}: tệp PDF có mật khẩu; hãy gửi bản không khóa.")
        lines = [line for page in reader.pages for line in (page.extract_text() or "").splitlines()]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise MinutesError(f"{path.name}: không đọc được tệp PDF, tệp có thể bị hỏng ({type(exc).__name__}).") from None
    if sum(len(line.strip()) for line in lines) < 50:
        raise MinutesError(
            f"{path.name}: tệp PDF không có lớp chữ (bản chụp hoặc bản quét). tpbnlp chưa đọc được ảnh quét; "
            "hãy gửi bản Word hoặc PDF xuất trực tiếp từ Word."
        )
    return [Block(p) for p in _paragraphs(lines)]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of a page joined into paragraphs: a line continues the previous one unless it starts anew."""
    width = max((len(line.rstrip()) for line in lines), default=0)
    out: list[str] = []
    previous = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if out and out[-1]:
                out.append("")
            previous = ""
            continue
        continues = (
            bool(out) and bool(previous)
            and len(previous) >= 0.75 * width  # the previous line was full: it wrapped
            and not previous.endswith((".", ":", ";", "!", "?"))
            and not _STARTS_ITEM.match(line)
        ) or (bool(previous) and previous.endswith((",", "-")) and not _STARTS_ITEM.match(line))
        if continues:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        previous = line
    return out

