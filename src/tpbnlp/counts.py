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

import math
import os
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .errors import TpbnlpError
from .io import InputError, open_table
from .labels import CATEGORY_KEYS, LabelSet, load_labels
from .text import normalize, strip_diacritics

__all__ = ["CountsCheck", "CountsError", "Finding", "check_counts", "parse_number"]

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
#: Interval half-width, in standard deviations, within which model and hand counts are taken to agree.
Z = 3.0


class CountsError(TpbnlpError):
    """A counts table cannot be read or understood."""


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
    findings: list[Finding] = field(default_factory=list)
    units: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict:
        return {"ok": self.ok, "units": self.units, "findings": [asdict(f) for f in self.findings]}


def _key(text: str) -> str:
    """A header or name compared without case, diacritics, punctuation or extra spaces."""
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", strip_diacritics(normalize(str(text)))).split())


def parse_number(cell: object) -> tuple[float | None, str | None]:
    """A count from a cell: (value, problem). Problems: 'missing', 'invalid'."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None, "missing"
    if isinstance(cell, (int, float)):
        return float(cell), None
    text = str(cell).strip().replace("\u00a0", " ")
    if not text or text in ("-", "–"):
        return None, "missing"
    text = text.replace(" ", "")
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if not re.fullmatch(r"[\d.,]+", text) or not re.search(r"\d", text):
        return None, "invalid"
    separators = set(re.findall(r"[.,]", text))
    if len(separators) == 2:  # "47.510,5" or "47,510.5": the last one is the decimal mark
        last = max(text.rfind("."), text.rfind(","))
        integer, decimal = re.sub(r"[.,]", "", text[:last]), text[last + 1 :]
        value = float(f"{integer}.{decimal}")
    elif separators and re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        value = float(re.sub(r"[.,]", "", text))  # thousands separators
    elif separators:
        value = float(text.replace(",", "."))  # a decimal mark
    else:
        value = float(text)
    return (-value if negative else value), None


def _match_column(name: str, labels: LabelSet) -> tuple[str, str] | None:
    """What a header means: ('category', key), ('total', ''), ('meetings'|'members'|'attendance', ''), ('unit'|'year', '')."""
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


def _read_table(path: str | os.PathLike[str], sheet: str | None, is_header=None) -> pd.DataFrame:
    try:
        opened = open_table(path, sheet=sheet, chunk_rows=100_000, need_text=False, is_header=is_header)
        frames = list(opened.chunks)
    except InputError as exc:
        raise CountsError(str(exc)) from None
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=opened.columns)


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _row_name(frame: pd.DataFrame, i: int, unit_col: str | None, year_col: str | None) -> str:
    name = str(frame.at[i, unit_col]).strip() if unit_col else ""
    if not name:  # a merged label cell ("Tổng cộng" in the STT column) stands in
        name = next((str(v).strip() for v in frame.iloc[i, :3] if str(v).strip() and not str(v).strip().isdigit()), "")
    if year_col and str(frame.at[i, year_col]).strip():
        name = f"{name} ({str(frame.at[i, year_col]).strip()})"
    return name or f"dòng {i + 2}"


def check_counts(
    table: str | os.PathLike[str] | pd.DataFrame,
    *,
    sheet: str | None = None,
    labels: LabelSet | None = None,
    against: str | os.PathLike[str] | pd.DataFrame | None = None,
    unit_column: str | None = None,
    confusion: list[list[int]] | None = None,
) -> CountsCheck:
    """Check a hand-made counts table; with ``against``, compare it with the counts of a tagged file.

    ``confusion`` is the test-split confusion matrix of the model that tagged
    ``against`` (rows: true category, columns: predicted, report order); by
    default the shipped model's, from its manifest.
    """
    labels = labels or load_labels()
    def names_categories(row) -> bool:  # the header row, under any title lines
        return sum(1 for cell in row if (_match_column(cell, labels) or ("",))[0] == "category") >= 2

    frame = table.copy() if isinstance(table, pd.DataFrame) else _read_table(table, sheet, names_categories)
    frame = frame.reset_index(drop=True).astype(object)
    roles = {col: _match_column(col, labels) for col in frame.columns}
    categories = {role[1]: col for col, role in roles.items() if role and role[0] == "category"}
    if len(categories) < 2:
        raise CountsError(
            "Không nhận ra các cột lĩnh vực (cần ít nhất hai; tiêu đề là khóa, tên tiếng Việt hoặc chữ viết tắt như "
            f"TTCT, PCĐĐ, CTNV, TCKL, LVK). Các cột có: {', '.join(map(str, frame.columns))}."
        )
    by_role = {role[0]: col for col, role in roles.items() if role and role[0] != "category"}
    unit_col = by_role.get("unit") or next((c for c in frame.columns if roles[c] is None), None)
    year_col = by_role.get("year")
    total_col = by_role.get("total")
    numeric = [categories[k] for k in CATEGORY_KEYS if k in categories] + [
        by_role[r] for r in ("total", "meetings", "members", "attendance") if r in by_role
    ]
    check = CountsCheck()
    findings = check.findings
    values: dict[tuple[int, str], float | None] = {}
    names = [_row_name(frame, i, unit_col, year_col) for i in range(len(frame))]
    # A total row says so in its unit cell, or in any text cell before the numbers (a merged "STT + Đơn vị" cell).
    label_cols = [c for c in frame.columns if c not in numeric][:3]
    total_rows = [i for i in range(len(frame)) if any(_key(frame.at[i, c]) in _TOTAL_ROWS for c in label_cols)]
    unit_rows = [i for i in range(len(frame)) if i not in total_rows and any(str(frame.at[i, c]).strip() for c in numeric)]
    check.units = [names[i] for i in unit_rows]

    for i in unit_rows + total_rows:
        for col in numeric:
            value, problem = parse_number(frame.at[i, col])
            values[i, col] = value
            where = f"Dòng '{names[i]}', cột '{col}'"
            if problem == "missing":
                findings.append(Finding("thieu_so", names[i], str(col), None, None, None, f"{where}: thiếu số liệu."))
            elif problem == "invalid":
                findings.append(Finding("khong_phai_so", names[i], str(col), None, None, None, f"{where}: {frame.at[i, col]!r} không phải là số."))
            elif value < 0:
                findings.append(Finding("so_am", names[i], str(col), value, None, None, f"{where}: số âm ({_fmt(value)})."))
            elif not value.is_integer():
                findings.append(Finding("so_le", names[i], str(col), value, None, None, f"{where}: số ý kiến phải là số nguyên, ghi {_fmt(value)}."))

    def add(kind: str, i: int | str, col: str, stated: float, computed: float, text: str) -> None:
        row = names[i] if isinstance(i, int) else i
        findings.append(Finding(kind, row, str(col), stated, computed, stated - computed,
                                f"{text}: ghi {_fmt(stated)}, tính được {_fmt(computed)}, chênh {_fmt(stated - computed)}."))

    parts_cols = [categories[k] for k in CATEGORY_KEYS if k in categories]
    absent = [labels.name(k) for k in CATEGORY_KEYS if k not in categories]
    if absent and total_col:
        findings.append(Finding("thieu_cot", "", ", ".join(absent), None, None, None,
                                f"Không nhận ra cột của: {', '.join(absent)}; chưa kiểm tra được tổng từng dòng."))
    for i in (unit_rows + total_rows) if not absent else []:
        parts = [values.get((i, c)) for c in parts_cols]
        stated = values.get((i, total_col)) if total_col else None
        if stated is not None and all(p is not None for p in parts) and sum(parts) != stated:
            add("tong_hang", i, total_col, stated, sum(parts), f"Dòng '{names[i]}': tổng các lĩnh vực khác cột '{total_col}'")
    for i in total_rows:
        for col in numeric:
            stated = values.get((i, col))
            column = [values.get((j, col)) for j in unit_rows]
            if stated is not None and unit_rows and all(v is not None for v in column) and sum(column) != stated:
                add("tong_cot", i, col, stated, sum(column), f"Cột '{col}': tổng các đơn vị khác dòng '{names[i]}'")
    seen: dict[str, int] = {}
    for i in unit_rows:
        key = _key(names[i])
        if key in seen:
            findings.append(Finding("trung_don_vi", names[i], str(unit_col), None, None, None,
                                    f"Đơn vị '{names[i]}' có hai dòng ({seen[key] + 2} và {i + 2})."))
        seen.setdefault(key, i)
    _plausibility(findings, unit_rows + total_rows, names, values, by_role, parts_cols, total_col)
    if against is not None:
        units = [str(frame.at[i, unit_col]).strip() if unit_col else names[i] for i in unit_rows]
        _compare(check, against, unit_rows, units, values, categories, labels, unit_column, confusion)
    return check


def _plausibility(findings, rows, names, values, by_role, parts_cols, total_col) -> None:
    """Ratios that cannot be true, when the table has meetings, members or attendance."""
    meetings, members, attendance = (by_role.get(r) for r in ("meetings", "members", "attendance"))
    for i in rows:
        opinions = values.get((i, total_col)) if total_col else None
        if opinions is None:
            parts = [values.get((i, c)) for c in parts_cols]
            opinions = sum(parts) if all(p is not None for p in parts) else None
        m = values.get((i, meetings)) if meetings else None
        a = values.get((i, attendance)) if attendance else None
        s = values.get((i, members)) if members else None

        def say(col: str, text: str, row: str = names[i]) -> None:
            findings.append(Finding("ti_le", row, str(col), None, None, None, f"Dòng '{row}': {text}"))

        if m is not None and m == 0 and opinions:
            say(meetings, f"có {_fmt(opinions)} ý kiến nhưng 0 cuộc họp.")
        if m and a is not None and a < m:
            say(attendance, f"{_fmt(a)} lượt quần chúng cho {_fmt(m)} cuộc: chưa tới một người mỗi cuộc.")
        if m and s is not None and s < m:
            say(members, f"{_fmt(s)} lượt đảng viên tự phê bình cho {_fmt(m)} cuộc: chưa tới một người mỗi cuộc.")
        if a is not None and opinions is not None and opinions > 10 * max(a, 1):
            say(attendance, f"{_fmt(opinions)} ý kiến từ {_fmt(a)} lượt quần chúng: hơn mười ý kiến mỗi người.")
        if m and a is not None and a / m > 5000:
            say(attendance, f"trung bình {_fmt(round(a / m))} người mỗi cuộc họp ở chi bộ: khó có thật.")


def _compare(check, against, unit_rows, units, values, categories, labels, unit_column, confusion) -> None:
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
    if confusion is None:
        from .store import default_model_path, read_manifest

        confusion = read_manifest(default_model_path())["test_confusion"]
    matrix = np.asarray(confusion, dtype=float)
    rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)  # P(predicted j | true i)
    model_counts: dict[str, tuple[str, np.ndarray]] = {}
    for unit, group in tagged.groupby(unit_col):
        model_counts[_key(unit)] = (str(unit), np.array([(group["category"] == k).sum() for k in CATEGORY_KEYS], dtype=float))
    hand_by_unit: dict[str, tuple[str, list[int]]] = {}
    for i, unit in zip(unit_rows, units):  # several rows of one unit (years) are compared as their sum
        hand_by_unit.setdefault(_key(unit), (unit, []))[1].append(i)
    for key, (name, rows) in hand_by_unit.items():
        if key not in model_counts:
            check.findings.append(Finding("khong_co_van_ban", name, "", None, None, None,
                                          f"Đơn vị '{name}' không có ý kiến nào trong tệp đã gán nhãn."))
            continue
        cells = [values.get((i, categories[k])) if k in categories else None for i in rows for k in CATEGORY_KEYS]
        if any(v is None for v in cells):
            continue
        hand = np.array(cells, dtype=float).reshape(len(rows), len(CATEGORY_KEYS)).sum(axis=0)
        observed = model_counts[key][1]
        if observed.sum() != hand.sum():
            check.findings.append(Finding("so_y_kien_khac", name, "tổng", float(hand.sum()), float(observed.sum()),
                                          float(hand.sum() - observed.sum()),
                                          f"Đơn vị '{name}': số đếm tay có {_fmt(hand.sum())} ý kiến, tệp gán nhãn có {_fmt(observed.sum())}."))
        expected = hand @ rates
        spread = np.sqrt(hand @ (rates * (1 - rates)))
        for j, k in enumerate(CATEGORY_KEYS):
            low, high = expected[j] - Z * spread[j] - 0.5, expected[j] + Z * spread[j] + 0.5
            if not low <= observed[j] <= high:
                check.findings.append(Finding(
                    "lech_van_ban", name, labels.name(k), float(hand[j]), float(observed[j]), float(hand[j] - observed[j]),
                    f"Đơn vị '{name}', {labels.name(k)}: đếm tay {_fmt(hand[j])}; nếu đúng vậy, mô hình (với sai số đo trên "
                    f"tập test) sẽ đếm khoảng {expected[j]:.1f}, trong khoảng {max(low, 0):.1f}–{high:.1f}; mô hình đếm được "
                    f"{_fmt(observed[j])}. Nên xem lại các ý kiến của đơn vị này.",
                ))
    for key, (name, _) in model_counts.items():
        if key not in hand_by_unit:
            check.findings.append(Finding("khong_co_so_tay", name, "", None, None, None,
                                          f"Đơn vị '{name}' có trong tệp gán nhãn nhưng không có trong bảng số liệu."))
