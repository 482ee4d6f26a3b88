"""Meeting minutes (biên bản): read .docx or .txt, find the opinions, keep who said them and where.

A minutes file has a heading (party unit, commune, date), attendance, the
members' self-criticisms, the residents' opinions, the chair's conclusion and
closing formulas. Only the opinions are wanted. The splitter follows the
sections, and inside the opinions part recognises speaker turns ("Ông Thạch
Văn A (ấp Ô Đùng) góp ý: …", "Đ/c …:", "Ý kiến 3: …"), numbered and bulleted
lists, tables of opinions, and plain paragraphs; a turn that raises a second
matter ("… Thứ hai, …") becomes two opinions.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, LegacyEncodingError, MinutesError
from .tables.encoding import decode_bytes
from .text import fix_legacy_encoding

__all__ = ["MINUTES_SUFFIXES", "Minutes", "MinutesError", "Opinion", "read_blocks", "read_minutes", "split_minutes"]

MINUTES_SUFFIXES = (".docx", ".txt")



@dataclass
class Opinion:
    file: str
    unit: str | None
    commune: str | None
    date: str | None
    speaker: str | None
    member: str | None
    text: str


@dataclass
class Minutes:
    """One meeting: where and when, how many residents attended (when written), its opinions."""

    file: str
    unit: str | None = None
    commune: str | None = None
    date: str | None = None
    attendance: int | None = None
    opinions: list[Opinion] = field(default_factory=list)
    paragraphs: int = 0
    left_out: int = 0


# -- reading --------------------------------------------------------------------------

Block = str | list[str]  # a paragraph, or the cells of one table row


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
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":  # a line break inside a paragraph (Shift+Enter) separates lines too
            blocks.extend(Paragraph(element, document).text.split("\n"))
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells: list[tuple[str, object]] = []
                for cell in row.cells:
                    if not cells or cell._tc is not cells[-1][1]:  # merged cells repeat: keep one
                        cells.append((cell.text, cell._tc))
                blocks.append([text for text, _ in cells])
    return blocks


def read_blocks(path: str | os.PathLike[str]) -> list[Block]:
    """The paragraphs and table rows of a minutes file, in Unicode (legacy fonts converted)."""
    path = Path(path)
    if not path.is_file():
        raise MinutesError(f"Không tìm thấy tệp: {path}")
    if path.stat().st_size == 0:
        raise MinutesError(f"{path.name}: tệp trống (0 byte).")
    suffix = path.suffix.lower()
    if suffix not in MINUTES_SUFFIXES:
        raise MinutesError(f"{path.name}: chỉ đọc được biên bản .docx hoặc .txt.")
    blocks = _docx_blocks(path) if suffix == ".docx" else []
    try:  # the reason, said of the file
        if suffix == ".txt":
            blocks.extend(decode_bytes(path.read_bytes())[0].splitlines())
        # Legacy fonts are judged on the whole document, so short lines convert with the rest.
        flat = [b if isinstance(b, str) else "\t".join(b) for b in blocks]
        fixed = fix_legacy_encoding("\n".join(s.replace("\n", " ") for s in flat)).split("\n")
    except (InputError, LegacyEncodingError) as exc:
        raise MinutesError(f"{path.name}: {exc}") from None
    out: list[Block] = []
    for block, new in zip(blocks, fixed):
        new = unicodedata.normalize("NFC", new)
        out.append(new if isinstance(block, str) else new.split("\t"))
    return out


# -- splitting --------------------------------------------------------------------------

_TITLES = r"(?:Ông|Bà|Anh|Chị|Cô|Chú|Bác|Em|Đ/c|Đc|Đồng chí|Thầy|Sư|Achar)"
_VERBS = r"(?:góp ý|phát biểu|ý kiến|nói|phản ánh|đề nghị|kiến nghị|hỏi|nêu|cho rằng|bổ sung|nhận xét)"
_MARKER = re.compile(r"^\s*(?P<marker>[-+•*–]|\d{1,2}[.)]|[a-zđ][.)])\s+")
_NUMBERED = re.compile(r"^\s*Ý kiến\s*(?:số\s*)?\d+\s*(?:\((?P<speaker>[^)]*)\))?\s*:\s*", re.IGNORECASE)
_TURN = re.compile(rf"^(?P<head>{_TITLES}\s[^:]{{1,140}}?)\s*:\s*(?P<text>.*)$")
_MEMBER_IN_HEAD = re.compile(rf"\b{_VERBS}\s+(?:đồng chí|đ/c)\s+(?P<member>.+)$", re.IGNORECASE)
_MEMBER_IN_TEXT = re.compile(r"(?:đồng chí|Đồng chí|đ/c|Đ/c)\s+(?P<words>[^,.;:()]{2,60})")
_SECOND_MATTER = re.compile(r"(?<=[.;!?])\s+(?=Thứ (?:hai|ba|tư|năm)\s*,)")
_OPINIONS_START = re.compile(r"ý kiến (?:đóng góp|của quần chúng|phát biểu|của nhân dân)|quần chúng (?:nhân dân )?(?:góp ý|phát biểu|đóng góp)|phần góp ý", re.IGNORECASE)
_OPINIONS_END = re.compile(
    r"^(?:[IVX]+\.|\d+\.)?\s*(?:kết luận|chủ trì kết luận|ý kiến kết luận|đồng chí chủ trì (?:kết luận|tiếp thu|tổng hợp)|"
    r"đ/c chủ trì|tiếp thu|buổi (?:họp|sinh hoạt) kết thúc|biên bản (?:kết thúc|đã được|được thông qua|lập xong)|thư ký|chủ trì\b)",
    re.IGNORECASE,
)
_NOT_AN_OPINION = re.compile(r"tự phê bình|kiểm điểm|chủ trì|thư ký|kết luận|đọc|báo cáo|thông qua", re.IGNORECASE)
_UNIT = re.compile(r"^\s*(CHI BỘ|ĐẢNG BỘ)\s+(.+?)\s*$", re.IGNORECASE)
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_DIGITS = re.compile(r"ngày\s+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.IGNORECASE)
_ATTENDANCE = re.compile(
    r"(\d[\d.,]*)\s+(?:lượt\s+)?(?:người\s+)?quần chúng(?: nhân dân)?\s+(?:đến\s+)?(?:tham dự|dự)|"
    r"quần chúng(?: nhân dân)?\s+(?:tham dự|dự)\s*:?\s*(\d[\d.,]*)",
    re.IGNORECASE,
)
_COMMON = {"chi", "bộ", "đảng", "ấp", "khóm", "khu", "phố", "xã", "phường", "thị", "trấn", "tổ", "thôn", "xóm"}


def _place_case(text: str) -> str:
    """'CHI BỘ ẤP Ô ĐÙNG' → 'Chi bộ ấp Ô Đùng': common nouns lower-case, names capitalised."""
    words = text.split()
    if any(c.islower() for c in text):
        return " ".join(words)
    lead = 0  # the unit type ("chi bộ ấp", "đảng bộ xã") is lower case; the name after it is capitalised
    while lead < len(words) and words[lead].lower() in _COMMON:
        lead += 1
    out = [w.lower() for w in words[:lead]] + [w[:1] + w[1:].lower() for w in words[lead:]]
    return " ".join(out)[:1].upper() + " ".join(out)[1:] if out else ""


def _is_name(words: str) -> bool:
    """Capitalised words: a person's name (or a nickname like 'Tư Nhị'), not 'con' in 'Bà con'."""
    parts = [w for w in re.split(r"\s+", words.strip()) if w]
    return bool(parts) and all(p[:1].isupper() or p[:1].isdigit() for p in parts) and len(parts) <= 6


def _speaker_from_head(head: str) -> tuple[str | None, str | None]:
    """Speaker and addressed member from a lead-in such as 'Ông Lâm Văn Hai (ấp X) góp ý đồng chí Trần Văn Tư'."""
    member = None
    found = _MEMBER_IN_HEAD.search(head)
    if found:
        member = found.group("member").strip()
        head = head[: found.start()]
    head = re.sub(r"\([^)]*\)", " ", head).split(",")[0]
    head = re.sub(rf"\s+{_VERBS}\s*$", "", head.strip(), flags=re.IGNORECASE).strip()
    title = re.match(_TITLES, head)
    if not title or not _is_name(head[title.end():]):
        return None, None
    return " ".join(head.split()), member


def _member_in_text(text: str) -> str | None:
    """The first member named in the text ('… đồng chí Trần Văn Tư …'), by capitalised words (two at least)."""
    for found in _MEMBER_IN_TEXT.finditer(text):
        name = []
        for word in found.group("words").split():
            if not word[:1].isupper():
                break
            name.append(word)
        if len(name) >= 2:
            return " ".join(name[:4])
    return None


def _heading_info(blocks: list[Block], minutes: Minutes) -> None:
    for block in blocks:
        if not isinstance(block, str):
            continue
        unit = _UNIT.match(block)
        if unit:
            kind, rest = unit.group(1).upper(), unit.group(2)
            if kind == "CHI BỘ" and minutes.unit is None:
                minutes.unit = _place_case(f"{unit.group(1)} {rest}")
            elif kind == "ĐẢNG BỘ" and minutes.commune is None:
                minutes.commune = _place_case(rest)
                minutes.commune = minutes.commune[:1].lower() + minutes.commune[1:]
        if minutes.date is None:
            found = _DATE_WORDS.search(block) or _DATE_DIGITS.search(block)
            if found:
                day, month, year = (int(g) for g in found.groups())
                minutes.date = f"{year:04d}-{month:02d}-{day:02d}"
        if minutes.attendance is None:
            found = _ATTENDANCE.search(block)
            if found:
                minutes.attendance = int(re.sub(r"[.,]", "", found.group(1) or found.group(2)))


def _table_opinions(rows: list[list[str]]) -> list[tuple[str | None, str | None, str]]:
    """Opinions from a table whose header names a content column ('Nội dung', 'Ý kiến')."""
    header = [h.strip().lower() for h in rows[0]]
    text_col = next((i for i, h in enumerate(header) if "nội dung" in h or h.startswith("ý kiến")), None)
    if text_col is None:
        return []
    speaker_col = next((i for i, h in enumerate(header) if "người" in h or "họ tên" in h or "họ và tên" in h), None)
    member_col = next((i for i, h in enumerate(header) if "đối với" in h or "đồng chí" in h), None)
    def cell(row: list[str], i: int | None) -> str | None:
        return row[i].strip() or None if i is not None and i < len(row) else None

    found = []
    for row in rows[1:]:
        text = cell(row, text_col)
        if text:
            found.append((cell(row, speaker_col), cell(row, member_col), text))
    return found


def split_minutes(blocks: list[Block], file: str = "") -> Minutes:
    """Find the opinions among the paragraphs and table rows of one minutes file."""
    minutes = Minutes(file=file)
    _heading_info(blocks, minutes)
    found: list[tuple[str | None, str | None, str]] = []
    used = 0
    section = "before"
    speaker_for_sub: str | None = None
    table: list[list[str]] = []

    def flush_table() -> None:
        nonlocal used
        if table:
            rows = _table_opinions(table)
            found.extend(rows)
            used += len(rows) + (1 if rows else 0)
            table.clear()

    paragraphs = 0
    # Without an opinions heading, speaker turns anywhere count (plain paragraphs then do not).
    strict = not _has_opinions_heading(blocks)
    if strict:
        section = "opinions"
    for block in blocks:
        if isinstance(block, list):
            if any(cell.strip() for cell in block):
                paragraphs += 1
                table.append(block)
            continue
        flush_table()
        line = block.strip()
        if not line:
            continue
        paragraphs += 1
        if _OPINIONS_END.match(_MARKER.sub("", line)) and section == "opinions" and (found or not strict):
            section = "after"
            continue
        if section != "opinions":
            if _OPINIONS_START.search(line) and len(line) < 120 and not _TURN.match(_MARKER.sub("", line)):
                section = "opinions"
                used += 1
            continue
        marker = _MARKER.match(line)
        body = line[marker.end():] if marker else line
        sub = marker is not None and marker.group("marker") == "+"
        numbered = _NUMBERED.match(body)
        speaker = member = None
        if numbered:
            speaker = numbered.group("speaker")
            text = body[numbered.end():]
        else:
            turn = _TURN.match(body)
            head_speaker, head_member = _speaker_from_head(turn.group("head")) if turn else (None, None)
            if turn and head_speaker and not (strict and _NOT_AN_OPINION.search(turn.group("head"))):
                speaker, member, text = head_speaker, head_member, turn.group("text")
            elif sub and speaker_for_sub:
                speaker, text = speaker_for_sub, body
            elif strict:
                continue
            else:
                text = body
        text = text.strip()
        if speaker is None and not numbered and text.endswith(":"):
            continue  # an introduction ("… bà con phát biểu đóng góp như sau:"), not an opinion
        if not text:
            speaker_for_sub = speaker  # "- Ông X ý kiến:" introduces "+" sub-opinions
            used += 1
            continue
        if not sub:
            speaker_for_sub = speaker
        used += 1
        for part in _SECOND_MATTER.split(text):
            part = part.strip()
            if part:
                found.append((speaker, member or _member_in_text(part), part))
    flush_table()
    minutes.opinions = [Opinion(file, minutes.unit, minutes.commune, minutes.date, s, m, t) for s, m, t in found]
    minutes.paragraphs = paragraphs
    minutes.left_out = max(paragraphs - used, 0)
    return minutes


def read_minutes(path: str | os.PathLike[str]) -> Minutes:
    """Read and split one minutes file (raises :class:`MinutesError` naming the file)."""
    path = Path(path)
    return split_minutes(read_blocks(path), path.name)


def _has_opinions_heading(blocks: list[Block]) -> bool:
    return any(isinstance(b, str) and _OPINIONS_START.search(b) and len(b) < 120 for b in blocks)
