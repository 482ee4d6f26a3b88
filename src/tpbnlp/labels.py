"""The label set: the five official categories and the topic tags.

Keys are stable ASCII identifiers used in data, models and code; names and
descriptions are what users see and come from a JSON file, so a province can
rename categories or rename and add topics without touching code. The file is
the package's own ``data/labels.json`` unless a path is given or the
``TPBNLP_LABELS`` environment variable names one.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import LabelFileError

__all__ = ["CATEGORY_KEYS", "ENV_VAR", "Label", "LabelFileError", "LabelSet", "load_labels", "packaged_labels", "parse_labels"]

#: The five categories, in the fixed order reports list them.
CATEGORY_KEYS: tuple[str, ...] = (
    "tu_tuong_chinh_tri",
    "pham_chat_dao_duc_loi_song",
    "thuc_hien_chuc_trach_nhiem_vu",
    "y_thuc_to_chuc_ky_luat",
    "linh_vuc_khac",
)
ENV_VAR = "TPBNLP_LABELS"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")



@dataclass(frozen=True)
class Label:
    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class LabelSet:
    """Categories (in report order) and topics (in file order)."""

    categories: tuple[Label, ...]
    topics: tuple[Label, ...]
    source: str = ""

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(label.key for label in self.categories)

    @property
    def topic_keys(self) -> tuple[str, ...]:
        return tuple(label.key for label in self.topics)

    def name(self, key: str) -> str:
        """The Vietnamese name of a category or topic key."""
        for label in self.categories + self.topics:
            if label.key == key:
                return label.name
        raise KeyError(key)


def _parse_entry(entry: object, where: str) -> Label:
    if not isinstance(entry, dict):
        raise LabelFileError(f"{where}: phải là một đối tượng JSON có 'key' và 'name'.")
    key = entry.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise LabelFileError(
            f"{where}: khóa {key!r} không hợp lệ (chỉ gồm chữ thường không dấu, số và '_', bắt đầu bằng chữ)."
        )
    where = f"{where} (khóa '{key}')"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LabelFileError(f"{where}: thiếu tên hiển thị 'name'.")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise LabelFileError(f"{where}: 'description' phải là chuỗi văn bản.")
    unknown = set(entry) - {"key", "name", "description"}
    if unknown:
        raise LabelFileError(f"{where}: trường không được hỗ trợ: {', '.join(sorted(unknown))}.")
    return Label(key, name.strip(), description.strip())


def parse_labels(data: object, source: str = "") -> LabelSet:
    """Validate parsed JSON and build a :class:`LabelSet`.

    Categories must be exactly the five official keys (names may differ) and
    are put in report order; topic keys must be unique.
    """
    prefix = f"Tệp nhãn {source}: " if source else ""
    if not isinstance(data, dict):
        raise LabelFileError(f"{prefix}nội dung phải là một đối tượng JSON có 'categories' và 'topics'.")
    sections: dict[str, list[Label]] = {}
    for section in ("categories", "topics"):
        entries = data.get(section)
        if not isinstance(entries, list) or not entries:
            raise LabelFileError(f"{prefix}thiếu danh sách '{section}'.")
        labels = [_parse_entry(entry, f"{prefix}{section}[{i}]") for i, entry in enumerate(entries)]
        seen: set[str] = set()
        for i, label in enumerate(labels):
            if label.key in seen:
                raise LabelFileError(f"{prefix}{section}[{i}]: khóa '{label.key}' bị trùng.")
            seen.add(label.key)
        sections[section] = labels
    by_key = {label.key: label for label in sections["categories"]}
    missing = [key for key in CATEGORY_KEYS if key not in by_key]
    extra = [key for key in by_key if key not in CATEGORY_KEYS]
    if missing or extra:
        raise LabelFileError(
            f"{prefix}'categories' phải gồm đúng năm khóa chính thức ({', '.join(CATEGORY_KEYS)}); "
            + (f"thiếu: {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"không hợp lệ: {', '.join(extra)}" if extra else "")
            + "."
        )
    overlap = set(by_key) & {label.key for label in sections["topics"]}
    if overlap:
        raise LabelFileError(f"{prefix}khóa vừa là lĩnh vực vừa là chủ đề: {', '.join(sorted(overlap))}.")
    return LabelSet(tuple(by_key[key] for key in CATEGORY_KEYS), tuple(sections["topics"]), source)


@functools.cache
def packaged_labels() -> LabelSet:
    """The package's own label set (whatever the environment says); read once."""
    text = resources.files("tpbnlp").joinpath("data/labels.json").read_text(encoding="utf-8")
    return parse_labels(json.loads(text), "labels.json")


def load_labels(path: str | os.PathLike[str] | None = None) -> LabelSet:
    """Load the label set from ``path``, else from ``$TPBNLP_LABELS``, else the package's own file."""
    if path is None:
        path = os.environ.get(ENV_VAR) or None
    if path is None:
        return packaged_labels()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelFileError(f"Không tìm thấy tệp nhãn: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError(f"Không đọc được tệp nhãn {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabelFileError(f"Tệp nhãn {path}: JSON lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.") from None
    return parse_labels(data, str(path))
