"""Finding the residents' opinions among the paragraphs and table rows of one minutes file.

Each paragraph gets a role from its cues (matched on its folded form, so
unaccented and lower-case minutes read alike), its formatting and its place:
heading, self-criticism, the opinions part, replies, conclusion, plan,
closing. Inside the opinions part a paragraph is a speaker turn ("Ông Thạch
Văn A (ấp Ô Đùng) góp ý: …", "Bà Tư – …", "Ý kiến 3: …"), a speaker's name on
its own line, a list item, or plain text; one that raises several matters
("… Ngoài ra, …", "… Có ý kiến cho rằng …") is split. Replies and closings
are never opinions, wherever they stand. Tables of opinions are read by their
header; plan tables and heading tables are not opinions. Every paragraph not
taken is kept with its role, so a person can check what was not counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .cues import (
    CLOSING,
    DASH_TURN,
    GROUP,
    MARKER,
    MEMBER_IN_HEAD,
    MEMBER_IN_TEXT,
    MEMBER_TITLES,
    NO_OPINIONS,
    NUMBERED,
    OPENER,
    OPINIONS_END,
    OPINIONS_START,
    PLAN_HEADER,
    PROCEDURE,
    REPLY,
    SAME_SPEAKER,
    SECTION,
    TABLE_MEMBER,
    TABLE_SPEAKER,
    TABLE_TEXT,
    TITLES,
    TURN,
    VERBS,
    fold,
)
from .heading import read_heading
from .read import Block

__all__ = ["LeftOut", "Minutes", "Opinion", "split_minutes"]

#: Roles of the paragraphs that are not opinions, as the report names them.
ROLES = {
    "opening": "mở đầu, thành phần",
    "self_criticism": "tự phê bình, điều hành",
    "reply": "giải trình, tiếp thu",
    "conclusion": "kết luận, kết thúc",
    "plan": "bảng kế hoạch khắc phục",
    "heading": "tiêu đề",
    "unclear": "không rõ là ý kiến",
    "table": "bảng khác",
    "none": "quần chúng không có ý kiến",
}
_NAME_LINE = re.compile(rf"^(?P<head>{TITLES}\s[^:()]{{1,60}}?)\s*(?:\([^)]*\))?\s*:?\s*$")
_SELF_CRITICISM = re.compile(r"tu phe binh|kiem diem")
#: A member's turn that opens with these is a reply ("Đồng chí Hạnh: tiếp thu, …").
_REPLY_WORDS = re.compile(r"\s*(?:xin |da )?(?:tiep thu|giai trinh|tra loi|lam ro|nhan khuyet diem|cam on|ghi nhan|hua|thanh that)")


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
class LeftOut:
    """A paragraph that was not taken as an opinion, and why (its role)."""

    paragraph: int
    role: str
    text: str


@dataclass
class Minutes:
    """One meeting: where and when, how many residents attended (when written), its opinions, what was left out."""

    file: str
    unit: str | None = None
    commune: str | None = None
    date: str | None = None
    attendance: int | None = None
    opinions: list[Opinion] = field(default_factory=list)
    paragraphs: int = 0
    left_out_paragraphs: list[LeftOut] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return len(self.left_out_paragraphs)


@dataclass
class _State:
    lower_case: bool
    strict: bool  # no opinions heading: only speaker turns count
    section: str = "before"
    speaker: str | None = None  # a name on its own line, or a turn with no text, speaks for the lines below
    speaker_marker: str | None = None
    member: str | None = None  # "Góp ý đối với đồng chí X:" addresses the items below
    in_reply: bool = False
    under_name: int = 0  # paragraphs taken under a name on its own line since that line
    saw_none: bool = False
    found: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    left: list[LeftOut] = field(default_factory=list)


def split_minutes(blocks: list[Block], file: str = "") -> Minutes:
    """Find the opinions among the paragraphs and table rows of one minutes file."""
    heading = read_heading(blocks)
    minutes = Minutes(file, heading.unit, heading.commune, heading.date, heading.attendance)
    has_heading = any(_is_opinions_heading(b.text) for b in blocks if not b.is_row)
    state = _State(lower_case=not any(c.isupper() for b in blocks for c in b.text), strict=not has_heading)
    if state.strict:
        state.section = "opinions"
    number = 0
    for item in _grouped(blocks):
        if isinstance(item, list):
            number = _table(item, state, number)
            continue
        if not item.text.strip():
            continue
        number += 1
        _paragraph(item, number, state)
    minutes.opinions = [Opinion(file, minutes.unit, minutes.commune, minutes.date, s, m, t) for s, m, t in state.found]
    minutes.paragraphs = number
    minutes.left_out_paragraphs = state.left
    minutes.warnings = _warnings(minutes, has_heading, state)
    return minutes


def _grouped(blocks: list[Block]) -> Iterator[Block | list[Block]]:
    """Paragraphs one by one, the rows of each table together."""
    rows: list[Block] = []
    for block in blocks:
        if rows and (not block.is_row or block.table != rows[0].table):
            yield rows
            rows = []
        if block.is_row:
            rows.append(block)
        else:
            yield block
    if rows:
        yield rows


def _is_opinions_heading(text: str) -> bool:
    """A title of the opinions part, alone or before a colon ("3. Ý kiến đóng góp của quần chúng: qua hội nghị có …")."""
    low = fold(text.strip())
    body = low[m.end():] if (m := MARKER.match(low)) else low
    body = body[m.end():] if (m := SECTION.match(body)) else body
    head = body.split(":")[0]
    return 0 < len(head) < 120 and bool(OPINIONS_START.search(head)) and not TURN.match(body) and not REPLY.match(body)


def _paragraph(block: Block, number: int, state: _State) -> None:
    line = block.text.strip()
    low = fold(line)
    marker = MARKER.match(low)
    start = marker.end() if marker else 0
    section = SECTION.match(low[start:])
    start += section.end() if section else 0
    body, low_body = line[start:], low[start:]
    mark = marker.group("marker") if marker else ("listed" if block.listed else None)

    def leave(role: str) -> None:
        state.left.append(LeftOut(number, ROLES[role], line))

    if state.section == "opinions" and (OPINIONS_END.match(low_body) or CLOSING.search(low_body)) and (state.found or not state.strict):
        state.section = "after"
        leave("conclusion")
        return
    if state.section != "opinions":
        if state.section == "before" and _is_opinions_heading(line):
            state.section = "opinions"
            leave("heading")
        else:
            leave("opening" if state.section == "before" and not _SELF_CRITICISM.search(low) else
                  "self_criticism" if state.section == "before" else "conclusion")
        return
    under_name, state.under_name = state.under_name, 0
    if NO_OPINIONS.search(low):
        state.saw_none = True
        leave("none")
        return
    if _is_opinions_heading(line):
        leave("heading")
        return
    colon = low_body.find(":")
    head = low_body[:colon] if 0 <= colon < 160 else low_body
    replying = MEMBER_TITLES.match(low_body) and 0 <= colon < 160 and _REPLY_WORDS.match(low_body[colon + 1:])
    if REPLY.match(head) or replying:
        state.in_reply, state.speaker = low_body.rstrip().endswith(":"), None
        leave("reply")
        return
    if PROCEDURE.match(head):
        leave("self_criticism")
        return
    group = GROUP.match(low_body)
    if group:
        state.member = _name(body[group.start("member"):group.end("member")], state.lower_case, 4) or state.member
        state.speaker, state.in_reply = None, False
        leave("heading")
        return
    speaker, member, text = _turn(body, low_body, state)
    if speaker is None and text is None:
        name_line = _NAME_LINE.match(low_body)
        if name_line and (block.bold or low_body.rstrip().endswith(":") or len(body) < 60):
            spoken = _speaker(body[: name_line.end("head")], low_body[: name_line.end("head")], state.lower_case)
            if spoken[0]:
                state.speaker, state.speaker_marker, state.in_reply = spoken[0], mark, False
                state.under_name = 1
                leave("heading")
                return
        if state.in_reply or (state.strict and state.speaker is None):
            leave("reply" if state.in_reply else "unclear")
            return
        if state.speaker is not None and mark is not None and mark == state.speaker_marker:
            state.speaker = None  # a sibling item: the name above spoke for the items under it only
        speaker, text = state.speaker, body
        if under_name > 1 and mark is None and speaker is not None and not _opens(text):
            # a speaker named on its own line goes on in the next paragraph: the same opinion
            previous = state.found[-1]
            state.found[-1] = (previous[0], previous[1], f"{previous[2]} {text.strip()}")
            state.under_name = under_name
            return
        state.under_name = under_name + 1 if under_name else 0
    elif not text:
        state.speaker, state.speaker_marker, state.in_reply = speaker, mark, False
        leave("heading")
        return
    else:
        state.in_reply = False
        if state.speaker is not None and mark != state.speaker_marker:
            state.speaker = None
    text = text.strip()
    if speaker is None and text.endswith(":") and not NUMBERED.match(low_body):
        leave("heading")  # an introduction ("… bà con phát biểu đóng góp như sau:")
        return
    _add(state, speaker, member, text)


def _opens(text: str) -> bool:
    """Whether a text starts with words that open another opinion ("Thứ hai, …", "Ngoài ra, …", "Có ý kiến …")."""
    found = OPENER.search(". " + fold(text.strip()))
    return found is not None and found.start() == 1


def _turn(body: str, low: str, state: _State) -> tuple[str | None, str | None, str | None]:
    """Speaker, member and text of a speaker turn; ``(None, None, None)`` when the line is not one."""
    numbered = NUMBERED.match(low)
    if numbered:
        speaker = body[numbered.start("speaker"):numbered.end("speaker")].strip() if numbered.group("speaker") else None
        return speaker or state.speaker, None, body[numbered.end():]
    for pattern in (TURN, DASH_TURN):
        turn = pattern.match(low)
        if turn:
            speaker, member = _speaker(body[: turn.end("head")], turn.group("head"), state.lower_case)
            if speaker and not (state.strict and MEMBER_TITLES.match(low)):  # without an opinions part, a member speaking is no resident
                return speaker, member, body[turn.start("text"):]
    return None, None, None


def _speaker(head: str, low: str, lower_case: bool) -> tuple[str | None, str | None]:
    """Speaker and addressed member from a lead-in such as 'Ông Lâm Văn Hai (ấp X) góp ý đồng chí Trần Văn Tư'."""
    member = None
    found = MEMBER_IN_HEAD.search(low)
    if found:
        member = _name(head[found.start("member"):found.end("member")], lower_case, 4)
        head, low = head[: found.start()], low[: found.start()]
    cut = min((i for i in (low.find("("), low.find(",")) if i >= 0), default=len(low))
    head, low = head[:cut].rstrip(), low[:cut].rstrip()
    verb = re.search(rf"\s+{VERBS}\s*$", low)
    if verb:
        head, low = head[: verb.start()], low[: verb.start()]
    title = re.match(TITLES, low)
    if not title or not low[title.end():].strip():
        return None, None
    name = head[title.end():].strip()
    if not _looks_like_name(name, lower_case):
        return None, None
    return " ".join(head.split()), member


def _looks_like_name(words: str, lower_case: bool) -> bool:
    """Capitalised words (or, in a lower-case file, a few words without a verb): a name, not 'con' in 'Bà con'."""
    parts = words.split()
    if not parts or len(parts) > 6:
        return False
    if lower_case:
        return len(parts) <= 5 and not re.search(rf"\b{VERBS}\b|\b(?:con|ta|ay|nay|ap|thon|xom|khu|to|xa|phuong)\b", fold(words))
    return all(p[:1].isupper() or p[:1].isdigit() for p in parts)


def _name(words: str, lower_case: bool, most: int) -> str | None:
    """The leading capitalised words of ``words`` (a member named in a lead-in or a group heading)."""
    words = re.split(r"[,(:;]", words)[0]
    name = []
    for word in words.split():
        if not (word[:1].isupper() or lower_case):
            break
        name.append(word)
    return " ".join(name[:most]) if name else None


def _member_in_text(text: str, lower_case: bool) -> str | None:
    """The first member named in the text ('… đồng chí Trần Văn Tư …'), by capitalised words (two at least)."""
    if lower_case:
        return None
    low = fold(text)
    for found in MEMBER_IN_TEXT.finditer(low):
        name = []
        for word in text[found.start("words"):found.end("words")].split():
            if not word[:1].isupper():
                break
            name.append(word)
        if len(name) >= 2:
            return " ".join(name[:4])
    return None


def _add(state: _State, speaker: str | None, member: str | None, text: str) -> None:
    """One opinion, or several when the text raises several matters."""
    low = fold(text)
    starts = [0] + [m.end() for m in OPENER.finditer(low)] if len(low) == len(text) else [0]
    for i, (a, b) in enumerate(zip(starts, [*starts[1:], len(text)])):
        part = text[a:b].strip()
        if not part:
            continue
        who = speaker if i == 0 or SAME_SPEAKER.match(fold(part)) else None
        state.found.append((who, member or state.member or _member_in_text(part, state.lower_case), part))


# -- tables ------------------------------------------------------------------------


def _table(rows: list[Block], state: _State, number: int) -> int:
    """Opinions from a table whose header names a content column; other tables are left out whole."""
    header_at, columns = None, None
    for i, row in enumerate(rows[:4]):
        cells = [fold(c.strip()) for c in row.cells]
        if len([c for c in cells if c]) >= 2 and any(TABLE_TEXT.search(c) for c in cells):
            header_at, columns = i, cells
            break
    is_plan = columns is not None and any(PLAN_HEADER.search(c) for c in columns) and not any("y kien" in c for c in columns)
    is_opinions = columns is not None and not is_plan and not any(_SELF_CRITICISM.search(c) for c in columns)
    if not is_opinions or state.section == "after" or columns is None or header_at is None:
        role = "plan" if is_plan else "table"
        for row in rows:
            if row.text.strip():
                number += 1
                state.left.append(LeftOut(number, ROLES[role], row.text))
        return number
    text_col = next(i for i, c in enumerate(columns) if TABLE_TEXT.search(c))
    speaker_col = next((i for i, c in enumerate(columns) if i != text_col and TABLE_SPEAKER.search(c)), None)
    member_col = next((i for i, c in enumerate(columns) if i not in (text_col, speaker_col) and TABLE_MEMBER.search(c)), None)
    for i, row in enumerate(rows):
        if not row.text.strip():
            continue
        number += 1
        if i <= header_at or text_col >= len(row.cells) or not row.cells[text_col].strip():
            state.left.append(LeftOut(number, ROLES["heading"], row.text))
            continue
        speaker = _cell(row, speaker_col)
        member = _cell(row, member_col)
        member = _name(member, state.lower_case, 4) if member else None
        for item in _items(row.cells[text_col]):
            state.found.append((speaker, member or _member_in_text(item, state.lower_case), item))
    return number


def _cell(row: Block, i: int | None) -> str | None:
    return (row.cells[i].strip() or None) if i is not None and i < len(row.cells) else None


def _items(cell: str) -> list[str]:
    """The opinions of one cell: its list items when it has several ("- …" paragraphs), else the whole cell."""
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    marked = [bool(MARKER.match(fold(line))) for line in lines]
    if sum(marked) < 2:
        return [" ".join(lines)] if lines else []
    items: list[str] = []
    for line, is_item in zip(lines, marked):
        if is_item or not items:
            found = MARKER.match(fold(line))
            items.append(line[found.end():] if found else line)
        else:
            items[-1] = f"{items[-1]} {line}"
    return items


def _warnings(minutes: Minutes, has_heading: bool, state: _State) -> list[str]:
    """What a person should check in this file, in Vietnamese."""
    name = minutes.file or "biên bản"
    if not minutes.opinions:
        if state.saw_none:
            return [f"{name}: biên bản ghi quần chúng không có ý kiến đóng góp."]
        return [f"{name}: không tìm thấy ý kiến nào; hãy mở biên bản kiểm tra lại cách ghi ý kiến."]
    out = []
    if not has_heading:
        out.append(f"{name}: không thấy tiêu đề phần ý kiến của quần chúng; chỉ lấy các lượt phát biểu dạng 'Ông/Bà …:', hãy kiểm tra lại.")
    unclear = sum(1 for left in state.left if left.role == ROLES["unclear"])
    if unclear >= 3:
        out.append(f"{name}: {unclear} đoạn trong phần ý kiến không rõ là ý kiến nên không được tính; xem danh sách đoạn bỏ qua.")
    return out
