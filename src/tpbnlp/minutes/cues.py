"""The cues that say what a line of minutes is, matched on its folded form.

Folded: lower case without diacritics, one character for one, so the cues work
on unaccented and lower-case minutes as on well-typed ones, and a match's
position is the same in the original line.
"""

from __future__ import annotations

import re

from ..numbers import NUMBER_WORDS
from ..text import strip_diacritics

__all__ = ["fold"]


def fold(text: str) -> str:
    """``text`` in lower case without diacritics, as long as ``text`` (cues' positions hold in both)."""
    folded = strip_diacritics(text).lower()
    return folded if len(folded) == len(text) else text.lower()


#: How people are addressed before a name; "đồng chí" marks a party member.
TITLES = r"(?:ong|ba|anh|chi(?! (?:bo|hoi|doan|uy|nhanh|cuc)\b)|co|chu|bac|em|cu|me|o|thay|su|achar|dong chi|d/c|dc|d\.c)"
MEMBER_TITLES = re.compile(r"^(?:dong chi|d/c|dc|d\.c)\b")
VERBS = r"(?:gop y|phat bieu|y kien|noi|phan anh|de nghi|kien nghi|hoi|neu|cho rang|bo sung|nhan xet|trinh bay|mong|chat van)"
MARKER = re.compile(r"^\s*(?P<marker>[-+•*–]|\d{1,2}[.)]|[a-zđ][.)]|[ivx]{1,4}[.)])\s+")
#: "Phần thứ ba:", "Mục 2." before a heading.
SECTION = re.compile(r"^(?:phan (?:thu )?[a-z0-9]+|muc [a-z0-9]+)\s*[:.\-–]\s*")
#: "Ý kiến 3:", "Ý kiến số 3 (ông Tư):"
NUMBERED = re.compile(r"^\s*y kien\s*(?:so\s*)?\d+\s*(?:\((?P<speaker>[^)]*)\))?\s*:\s*")
TURN = re.compile(rf"^(?P<head>{TITLES}\s[^:]{{1,140}}?)\s*:\s*(?P<text>.*)$")
DASH_TURN = re.compile(rf"^(?P<head>{TITLES}\s[^:–]{{1,70}}?)\s+[–-]\s+(?P<text>\S.*)$")
MEMBER_IN_HEAD = re.compile(rf"\b{VERBS}\s+(?:(?:doi )?voi\s+|cho\s+)?(?:dong chi|d/c|dc)\s+(?P<member>.+)$")
MEMBER_IN_TEXT = re.compile(r"(?:dong chi|d/c|dc)\s+(?P<words>[^,.;:()]{2,60})")
OPINIONS_START = re.compile(
    r"y kien (?:dong gop|gop y|cua quan chung|cua nhan dan|cua ba con|phat bieu|tham gia)|"
    r"(?:quan chung|nhan dan|ba con|nguoi dan)(?: nhan dan)? (?:gop y|phat bieu|dong gop|tham gia y kien|y kien)|"
    r"gop y cua (?:quan chung|nhan dan|ba con|nguoi dan)|phan (?:gop y|phat bieu|y kien)|"
    r"(?:quan chung|nhan dan|ba con)(?: nhan dan)? (?:da )?(?:co|neu|tham gia) (?:cac |nhung )?(?:y kien|kien nghi)"
)
NO_OPINIONS = re.compile(r"(?:quan chung|nhan dan|ba con)(?: nhan dan)? khong co (?:y kien|gop y)")
OPINIONS_END = re.compile(
    r"^(?:[ivx]+\.|\d+\.)?\s*(?:ket luan|phan ket luan|y kien ket luan|chu tri ket luan|[^:]{0,40}\bket luan[^:]{0,20}$|"
    r"(?:dong chi|d/c|dc) (?:chu tri|bi thu)[^:]{0,60}?(?:ket luan|tong hop y kien|phat bieu ket luan)|"
    r"hoi nghi ket thuc|cuoc hop ket thuc|buoi (?:hop|sinh hoat) ket thuc|"
    r"bien ban (?:ket thuc|da duoc|duoc thong qua|lap xong|nay duoc))"
)
REPLY = re.compile(
    r"^(?:[ivx]+\.|\d+\.)?\s*(?:tiep thu|giai trinh|tra loi y kien)|"
    # a member (named in a few words, perhaps with a role) who replies: "Đồng chí Quới, Bí thư Chi bộ tiếp thu"
    r"^(?:(?!(?:ong|ba|anh|chi|cu|bac) )[^,:]{0,25},\s*)?(?:cac )?(?:dong chi|d/c|dc|d\.c|bi thu|pho bi thu|chu tri|truong ap|truong thon)\b"
    r"(?:\s+[^\s,.;:]+){0,5}?(?:\s*,[^,.;:]{0,60}?)?(?:\s+thay mat(?:\s+[^\s,.;:]+){1,3})?,?\s+(?:xin |da |cung |se )?"
    r"(?:giai trinh|tiep thu|tra loi|lam ro|xin nhan|nhan khuyet diem|hua\b|thanh that|cam on|tiep nhan|ghi nhan)"
)
PROCEDURE = re.compile(
    r"^(?:dong chi|d/c|dc|d\.c)\b.{0,80}?\b(?:tu phe binh|kiem diem|doc ban|doc bao cao|thong qua|dieu hanh|"
    r"khai mac|quan triet|neu muc dich|bao cao)"
)
CLOSING = re.compile(
    r"^(?:hoi nghi|cuoc hop|buoi hop) (?:ket thuc|be mac)|^bien ban (?:ket thuc|da duoc|duoc|lap)|"
    r"^(?:chu tri|thu ky|t/m|tm\.|nguoi ghi bien ban)\b.{0,40}$|\((?:ky|da ky)[^)]*\)"
)
#: A sentence that starts another opinion inside a paragraph.
OPENER = re.compile(
    r"(?<=[.;!?])\s+(?=(?:co y kien|(?:co|mot so) (?:nguoi|ho|ba con|nguoi dan|cu tri|y kien) (?:phan anh|de nghi|kien nghi|cho rang|neu|hoi|gop y|mong|noi)|"
    r"mot so y kien|y kien khac|"
    r"ba con (?:con |cung |tiep tuc )?(?:phan anh|kien nghi|de nghi|neu|cho rang|gop y|mong|hoi)|"
    rf"{TITLES} (?:\S+ ){{0,3}}?(?:cung|con|tiep tuc|them) (?:de nghi|phan anh|kien nghi|gop y|noi|cho rang|neu|hoi|mong)|"
    r"ngoai ra|ben canh do|thu (?:hai|ba|tu|nam)\s*,))"
)
#: Openers that keep the paragraph's speaker (the others are someone else, reported).
SAME_SPEAKER = re.compile(rf"^(?:{TITLES} (?:\S+ ){{0,3}}?(?:cung|con|tiep tuc|them) |ngoai ra|ben canh do|thu )")
GROUP = re.compile(
    r"^(?:\d{1,2}[.)]\s*)?(?:y kien |gop y |phe binh )?(?:doi voi|cho|ve)\s+(?:dong chi|d/c|dc)\s+(?P<member>[^:]{2,80}?)\s*:?\s*$"
)
PLAN_HEADER = re.compile(r"khac phuc|bien phap|nguoi thuc hien|thoi gian|thoi han|lo trinh|phan cong|ket qua thuc hien")
TABLE_TEXT = re.compile(r"noi dung|^y kien|y kien dong gop|y kien gop y")
TABLE_SPEAKER = re.compile(r"nguoi (?:gop y|phat bieu|neu|kien nghi)|ho (?:va )?ten|^nguoi|ten nguoi")
TABLE_MEMBER = re.compile(r"doi voi|dong chi|gop y cho|can bo|dang vien duoc")
HEADING_TABLE = re.compile(r"dang cong san viet nam|^dang bo|^chi bo|doc lap - tu do|so: ?\S*-bb")
NUMBER = rf"(\d[\d.,]*|(?:(?:{'|'.join(NUMBER_WORDS)})\s+)*(?:{'|'.join(NUMBER_WORDS)}))"
ATTENDANCE = (
    re.compile(
        rf"\b{NUMBER}\s+(?:/\s*\d+\s+)?(?:luot\s+)?(?:nguoi\s+|ho\s+)?(?:quan chung|nhan dan|ba con|nguoi dan|cu tri)"
        r"(?:\s+nhan dan)?\s*(?:\([^)]*\)\s*)?(?:den\s+|da\s+)?(?:tham du|du hop|du|co mat|tham gia)"
    ),
    re.compile(
        r"(?:quan chung|nhan dan|ba con|nguoi dan)(?:\s+nhan dan)?\s+(?:den\s+)?(?:tham du|du hop|du|co mat|tham gia)"
        rf"(?:\s+hoi nghi)?\s*:?\s*(?:co\s+|gom\s+|la\s+)?{NUMBER}\b"
    ),
    re.compile(rf"\bco\s+{NUMBER}\s+(?:luot\s+)?(?:quan chung|nhan dan|ba con|nguoi dan|nguoi)\b"),
)
DATE = re.compile(r"ngay\s+(\d{1,2})\s*(?:thang\s*|[/.-])\s*(\d{1,2})\s*(?:nam\s*|[/.-])\s*(\d{4})")
MEETING_DATE = re.compile(r"hom nay|vao (?:luc|hoi)|\bhoi\s+\d|\bluc\s+\d|\d+\s*(?:gio|h)\s*\d*|thoi gian")
OTHER_DOCUMENT = re.compile(r"ke hoach|cong van|quyet dinh|huong dan|chi thi|thong bao|nghi quyet|thuc hien|so \d+|\d+-?[a-z]{2,4}/")
UNIT = re.compile(r"\b(chi bo|dang bo)\s+(?!co so\b)(.+)$")
