"""Checking hand-made category counts: arithmetic, plausibility, and agreement with the text.

A counts table has a row per unit (optionally per year), a column per category
(headed by key, Vietnamese name or a usual abbreviation), and optionally a
total column, a total row, and columns for meetings, party members and
attendance. Numbers may be written the Vietnamese way ("47.510", "3 272") or
the English way ("47,510"): a single "." or "," followed by exactly three
digits separates thousands; any other "." or "," is a decimal mark, so the
value is fractional and flagged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .errors import CountsError
from .labels import CATEGORY_KEYS, LabelSet, load_labels
from .numbers import format_number, parse_number
from .tables.columns import HeaderTest
from .tables.read import open_table
from .text import normalize, strip_diacritics

__all__ = ["CountsCheck", "Finding", "check_counts"]

#: Usual abbreviations of the categories in hand-made tables (compared without diacritics).
ABBREVIATIONS = {
    "tu_tuong_chinh_tri": ("ttct", "tt ct", "tu tuong", "chinh tri"),
    "pham_chat_dao_duc_loi_song": ("pcdd", "pc dd", "pcddls", "ddls", "dao duc", "pham chat", "dao duc loi song"),
    "thuc_hien_chuc_trach_nhiem_vu": ("ctnv", "thctnv", "chuc trach", "nhiem vu", "thuc hien nhiem vu"),
    "y_thuc_to_chuc_ky_luat": ("yttckl", "tckl", "ky luat", "to chuc ky luat"),
    "linh_vuc_khac": ("lvk", "khac", "linh vuc khac"),
}
_TOTAL_NAMES = ("tong", "tong so", "tong cong", "cong", "tong so y kien", "total", "tong y kien", "so y kien", "tong so y kien dong gop")
_TOTAL_ROWS = ("tong", "tong cong", "cong", "toan tinh", "toan huyen", "total", "tong so")
#: Extra columns, recognised by a word group their header contains.
_EXTRA = {
    "attendance": ("quan chung", "attendance", "nguoi du", "nguoi tham du"),
    "members": ("dang vien", "tu phe binh", "members"),
    "meetings": ("cuoc", "hoi nghi", "meetings", "so buoi"),
}
_UNIT_NAMES = ("don vi", "ten don vi", "unit", "dia ban", "chi bo", "ten chi bo", "dang bo", "ten dang bo", "xa", "ten xa", "huyen")
_YEAR_NAMES = ("nam", "year")
#: What a signature block or the notes under a table start with: the table ends there.
_FOOTER = ("nguoi lap", "truong ban", "pho truong ban", "ghi chu", "noi nhan", "t m", "tm ", "xac nhan", "thu truong",
           "chanh van phong", "ky ten", "ky ghi ro")
#: Interval half-width, in standard deviations, within which model and hand counts are taken to agree.
Z = 3.0



@dataclass
class Finding:
    """One problem in a counts table, where it is and by how much."""

    kind: str
    row: str
    column: str
    stated: float | None
    computed: float | None
    difference: float | None
    message: str


@dataclass
class CountsCheck:
    """The findings of one counts table, its units, and the table as read (to mark the findings on it)."""

    findings: list[Finding] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = field(default=None, repr=False)
    row_names: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict:
        return {"ok": self.ok, "units": self.units, "findings": [asdict(f) for f in self.findings]}


def _key(text: str) -> str:
    """A header or name compared without case, diacritics, punctuation or extra spaces."""
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", strip_diacritics(normalize(str(text)))).split())


def _match_column(name: str, labels: LabelSet) -> tuple[str, str] | None:
    """What a header means: ('category', key), ('total', ''), ('meetings'|'members'|'attendance', ''), ('unit'|'year', '').

    A header of several rows ("Trong đó / Tư tưởng chính trị") is read by its lowest part first.
    """
    parts = [p for p in str(name).split(" / ") if p.strip()]
    for part in ([parts[-1]] if len(parts) > 1 else []) + [str(name)]:
        found = _match_one(part, labels)
        if found:
            return found
    return None


def _match_one(name: str, labels: LabelSet) -> tuple[str, str] | None:
    raw = str(name).strip()
    inside = re.findall(r"\(([^)]*)\)", raw)  # "Tư tưởng chính trị (TTCT)"
    keys = {_key(re.sub(r"\([^)]*\)", " ", raw))} | {_key(part) for part in inside}
    for label in labels.categories:
        if raw == label.key or keys & ({_key(label.name)} | set(ABBREVIATIONS[label.key])):
            return "category", label.key
    key = _key(raw)
    if key in _TOTAL_NAMES:
        return "total", ""
    for kind, words in _EXTRA.items():
        if any(word in key for word in words):
            return kind, ""
    if key in _UNIT_NAMES:
        return "unit", ""
    if key in _YEAR_NAMES:
        return "year", ""
    return None


def _read_table(path: str | os.PathLike[str], sheet: str | None, is_header: HeaderTest | None = None) -> pd.DataFrame:
    opened = open_table(path, sheet=sheet, chunk_rows=100_000, need_text=False, is_header=is_header)
    frames = list(opened.chunks)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=opened.columns)


def _row_name(frame: pd.DataFrame, i: int, unit_col: str | None, year_col: str | None) -> str:
    name = str(frame.at[i, unit_col]).strip() if unit_col else ""
    if not name:  # a merged label cell ("Tổng cộng" in the STT column) stands in
        name = next((str(v).strip() for v in frame.iloc[i, :3] if str(v).strip() and not str(v).strip().isdigit()), "")
    if year_col and str(frame.at[i, year_col]).strip():
        name = f"{name} ({str(frame.at[i, year_col]).strip()})"
    return name or f"dòng {i + 2}"


@dataclass
class _Counts:
    """A counts table as read: which row is what, which column is what, every number parsed."""

    frame: pd.DataFrame
    names: list[str]  # a display name per row
    unit_rows: list[int]
    total_rows: list[int]
    unit_col: str | None
    categories: dict[str, str]  # category key → column
    roles: dict[str, str]  # total / meetings / members / attendance / unit / year → column
    values: dict[tuple[int, str], float | None] = field(default_factory=dict)

    @property
    def category_cols(self) -> list[str]:
        return [self.categories[k] for k in CATEGORY_KEYS if k in self.categories]

    @property
    def total_col(self) -> str | None:
        return self.roles.get("total")

    @property
    def numeric(self) -> list[str]:
        return self.category_cols + [self.roles[r] for r in ("total", "meetings", "members", "attendance") if r in self.roles]

    def value(self, i: int, col: str | None) -> float | None:
        return self.values.get((i, col)) if col else None

    def opinions(self, i: int) -> float | None:
        """The row's number of opinions: its total, or the sum of its categories."""
        stated = self.value(i, self.total_col)
        if stated is not None:
            return stated
        parts = [self.value(i, c) for c in self.category_cols]
        return sum(p for p in parts if p is not None) if all(p is not None for p in parts) else None


def check_counts(
    table: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | None = None,
    labels: LabelSet | None = None,
    against: str | os.PathLike[str] | pd.DataFrame | None = None,
    unit_column: str | None = None,
    confusion: Sequence[Sequence[float]] | None = None,
) -> CountsCheck:
    """Check a hand-made counts table; with ``against``, compare it with the counts of a tagged file.

    ``confusion`` is required with ``against``: the test-split confusion matrix
    of the model that tagged it (rows: true category, columns: predicted,
    report order), ``manifest["test_confusion"]`` of a saved model;
    :func:`tpbnlp.check_counts` passes the shipped model's.
    """
    if against is not None and confusion is None:
        raise TypeError("check_counts(against=...) needs the confusion matrix of the model that tagged it")
    labels = labels or load_labels()
    counts = _read_counts(table, sheet, labels)
    check = CountsCheck(units=[counts.names[i] for i in counts.unit_rows], table=counts.frame, row_names=counts.names)
    _check_cells(counts, check.findings)
    _check_sums(counts, check.findings, labels)
    _plausibility(counts, check.findings)
    if against is not None and confusion is not None:
        _compare(counts, check.findings, against, unit_column, np.asarray(confusion, dtype=float), labels)
    return check


def _footer_start(frame: pd.DataFrame) -> int:
    """The first row of the signature block or notes under the table (the length of the frame when there is none)."""
    for i in range(len(frame)):
        cells = [str(v).strip() for v in frame.iloc[i] if str(v).strip()]
        if cells and all(parse_number(c)[1] is not None for c in cells) and any(_key(c).startswith(_FOOTER) for c in cells):
            return i
    return len(frame)


def _read_counts(table: str | os.PathLike[str] | pd.DataFrame, sheet: str | None, labels: LabelSet) -> _Counts:
    def names_categories(row: Sequence[str]) -> bool:  # the header row, under any title lines
        return sum(1 for cell in row if (_match_column(cell, labels) or ("",))[0] == "category") >= 2

    frame = table.copy() if isinstance(table, pd.DataFrame) else _read_table(table, sheet, names_categories)
    frame = frame.reset_index(drop=True).astype(object)
    frame = frame.iloc[: _footer_start(frame)]
    roles = {col: _match_column(col, labels) for col in frame.columns}
    categories = {role[1]: col for col, role in roles.items() if role and role[0] == "category"}
    if len(categories) < 2:
        raise CountsError(
            "Không nhận ra các cột lĩnh vực (cần ít nhất hai; tiêu đề là khóa, tên tiếng Việt hoặc chữ viết tắt như "
            f"TTCT, PCĐĐ, CTNV, TCKL, LVK). Các cột có: {', '.join(map(str, frame.columns))}."
        )
    by_role = {role[0]: col for col, role in roles.items() if role and role[0] != "category"}
    unit_col = by_role.get("unit") or next((c for c in frame.columns if roles[c] is None), None)
    counts = _Counts(frame, [], [], [], unit_col, categories, by_role)
    counts.names = [_row_name(frame, i, unit_col, by_role.get("year")) for i in range(len(frame))]
    numeric = counts.numeric
    # A total row says so in its unit cell, or in any text cell before the numbers (a merged "STT + Đơn vị" cell).
    label_cols = [c for c in frame.columns if c not in numeric][:3]
    counts.total_rows = [i for i in range(len(frame)) if any(_key(frame.at[i, c]) in _TOTAL_ROWS for c in label_cols)]
    counts.unit_rows = [
        i for i in range(len(frame)) if i not in counts.total_rows and any(str(frame.at[i, c]).strip() for c in numeric)
    ]
    return counts


def _check_cells(counts: _Counts, findings: list[Finding]) -> None:
    """Every number cell parsed; missing, non-numeric, negative and fractional ones reported."""
    for i in counts.unit_rows + counts.total_rows:
        name = counts.names[i]
        for col in counts.numeric:
            cell = counts.frame.at[i, col]
            value, problem = parse_number(cell)
            counts.values[i, col] = value
            where = f"Dòng '{name}', cột '{col}'"
            if problem == "missing":
                findings.append(Finding("thieu_so", name, str(col), None, None, None, f"{where}: thiếu số liệu."))
            elif problem == "invalid":
                findings.append(Finding("khong_phai_so", name, str(col), None, None, None, f"{where}: {cell!r} không phải là số."))
            elif value is not None and value < 0:
                findings.append(Finding("so_am", name, str(col), value, None, None, f"{where}: số âm ({format_number(value)})."))
            elif value is not None and not value.is_integer():
                findings.append(Finding("so_le", name, str(col), value, None, None,
                                        f"{where}: số ý kiến phải là số nguyên, ghi {format_number(value)}."))


def _mismatch(kind: str, row: str, col: str, stated: float, computed: float, text: str) -> Finding:
    return Finding(kind, row, str(col), stated, computed, stated - computed,
                   f"{text}: ghi {format_number(stated)}, tính được {format_number(computed)}, chênh {format_number(stated - computed)}.")


def _check_sums(counts: _Counts, findings: list[Finding], labels: LabelSet) -> None:
    """Row sums against the total column, column sums against the total row, units listed twice."""
    total_col, names = counts.total_col, counts.names
    absent = [labels.name(k) for k in CATEGORY_KEYS if k not in counts.categories]
    if absent and total_col:
        findings.append(Finding("thieu_cot", "", ", ".join(absent), None, None, None,
                                f"Không nhận ra cột của: {', '.join(absent)}; chưa kiểm tra được tổng từng dòng."))
    for i in (counts.unit_rows + counts.total_rows) if not absent else []:
        parts = [counts.value(i, c) for c in counts.category_cols]
        stated = counts.value(i, total_col)
        if total_col and stated is not None and all(p is not None for p in parts):
            computed = sum(p for p in parts if p is not None)
            if computed != stated:
                findings.append(_mismatch("tong_hang", names[i], total_col, stated, computed,
                                          f"Dòng '{names[i]}': tổng các lĩnh vực khác cột '{total_col}'"))
    for i in counts.total_rows:
        for col in counts.numeric:
            stated = counts.value(i, col)
            column = [counts.value(j, col) for j in counts.unit_rows]
            if stated is not None and counts.unit_rows and all(v is not None for v in column):
                computed = sum(v for v in column if v is not None)
                if computed != stated:
                    findings.append(_mismatch("tong_cot", names[i], col, stated, computed,
                                              f"Cột '{col}': tổng các đơn vị khác dòng '{names[i]}'"))
    seen: dict[str, int] = {}
    for i in counts.unit_rows:
        key = _key(names[i])
        if key in seen:
            findings.append(Finding("trung_don_vi", names[i], str(counts.unit_col), None, None, None,
                                    f"Đơn vị '{names[i]}' có hai dòng ({seen[key] + 2} và {i + 2})."))
        seen.setdefault(key, i)


def _plausibility(counts: _Counts, findings: list[Finding]) -> None:
    """Ratios that cannot be true, when the table has meetings, members or attendance."""
    meetings, members, attendance = (counts.roles.get(r) for r in ("meetings", "members", "attendance"))
    for i in counts.unit_rows + counts.total_rows:
        opinions = counts.opinions(i)
        m, a, s = counts.value(i, meetings), counts.value(i, attendance), counts.value(i, members)
        row = counts.names[i]

        def say(col: str | None, text: str, row: str = row) -> None:
            findings.append(Finding("ti_le", row, str(col), None, None, None, f"Dòng '{row}': {text}"))

        if m is not None and m == 0 and opinions:
            say(meetings, f"có {format_number(opinions)} ý kiến nhưng 0 cuộc họp.")
        if m and a is not None and a < m:
            say(attendance, f"{format_number(a)} lượt quần chúng cho {format_number(m)} cuộc: chưa tới một người mỗi cuộc.")
        if m and s is not None and s < m:
            say(members, f"{format_number(s)} lượt đảng viên tự phê bình cho {format_number(m)} cuộc: chưa tới một người mỗi cuộc.")
        if a is not None and opinions is not None and opinions > 10 * max(a, 1):
            say(attendance, f"{format_number(opinions)} ý kiến từ {format_number(a)} lượt quần chúng: hơn mười ý kiến mỗi người.")
        if m and a is not None and a / m > 5000:
            say(attendance, f"trung bình {format_number(round(a / m))} người mỗi cuộc họp ở chi bộ: khó có thật.")


def _compare(
    counts: _Counts,
    findings: list[Finding],
    against: str | os.PathLike[str] | pd.DataFrame,
    unit_column: str | None,
    confusion: np.ndarray,
    labels: LabelSet,
) -> None:
    """Hand counts against the model's counts per unit, allowing for the model's own error rates."""
    tagged = against.copy() if isinstance(against, pd.DataFrame) else _read_table(against, None)
    if "category" not in tagged.columns:
        raise CountsError("Tệp gán nhãn phải có cột 'category' (kết quả của 'tpbnlp tag' hoặc 'tpbnlp minutes').")
    unit_col = unit_column or next(
        (c for c in tagged.columns if _key(c) in ("unit", "don vi", "ten don vi", "chi bo")), None
    )
    if unit_col is None or unit_col not in tagged.columns:
        raise CountsError(
            "Không biết cột nào trong tệp gán nhãn là đơn vị; hãy chỉ rõ bằng --unit-column. "
            f"Các cột có: {', '.join(map(str, tagged.columns))}."
        )
    if "status" in tagged.columns:
        tagged = tagged[tagged["status"] == "ok"]
    rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)  # P(predicted j | true i)
    model_counts: dict[str, tuple[str, np.ndarray]] = {}
    for unit, group in tagged.groupby(unit_col):
        model_counts[_key(unit)] = (str(unit), np.array([(group["category"] == k).sum() for k in CATEGORY_KEYS], dtype=float))
    hand_by_unit: dict[str, tuple[str, list[int]]] = {}
    for i in counts.unit_rows:  # several rows of one unit (years) are compared as their sum
        unit = str(counts.frame.at[i, counts.unit_col]).strip() if counts.unit_col else counts.names[i]
        hand_by_unit.setdefault(_key(unit), (unit, []))[1].append(i)
    for key, (name, rows) in hand_by_unit.items():
        if key not in model_counts:
            findings.append(Finding("khong_co_van_ban", name, "", None, None, None,
                                    f"Đơn vị '{name}' không có ý kiến nào trong tệp đã gán nhãn."))
            continue
        cells = [counts.value(i, counts.categories.get(k)) for i in rows for k in CATEGORY_KEYS]
        if any(v is None for v in cells):
            continue
        hand = np.array(cells, dtype=float).reshape(len(rows), len(CATEGORY_KEYS)).sum(axis=0)
        observed = model_counts[key][1]
        if observed.sum() != hand.sum():
            findings.append(Finding("so_y_kien_khac", name, "tổng", float(hand.sum()), float(observed.sum()),
                                    float(hand.sum() - observed.sum()),
                                    f"Đơn vị '{name}': số đếm tay có {format_number(hand.sum())} ý kiến, "
                                    f"tệp gán nhãn có {format_number(observed.sum())}."))
        expected = hand @ rates
        spread = np.sqrt(hand @ (rates * (1 - rates)))
        for j, k in enumerate(CATEGORY_KEYS):
            low, high = expected[j] - Z * spread[j] - 0.5, expected[j] + Z * spread[j] + 0.5
            if not low <= observed[j] <= high:
                findings.append(Finding(
                    "lech_van_ban", name, labels.name(k), float(hand[j]), float(observed[j]), float(hand[j] - observed[j]),
                    f"Đơn vị '{name}', {labels.name(k)}: đếm tay {format_number(hand[j])}; nếu đúng vậy, mô hình (với sai số đo trên "
                    f"tập test) sẽ đếm khoảng {format_number(expected[j], 1)}, trong khoảng {format_number(max(low, 0), 1)}–"
                    f"{format_number(high, 1)}; mô hình đếm được {format_number(observed[j])}. Nên xem lại các ý kiến của đơn vị này.",
                ))
    for key, (name, _) in model_counts.items():
        if key not in hand_by_unit:
            findings.append(Finding("khong_co_so_tay", name, "", None, None, None,
                                    f"Đơn vị '{name}' có trong tệp gán nhãn nhưng không có trong bảng số liệu."))
