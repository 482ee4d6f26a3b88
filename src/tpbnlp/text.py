"""Vietnamese text pipeline: normalise, repair legacy encodings, segment into words.

Every text the library classifies goes through :func:`preprocess` (or
:func:`preprocess_many` for batches), so training and prediction see text in
exactly the same form: NFC, one tone-mark placement, lower case, words joined
by ``_`` as underthesea segments them.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import LegacyEncodingError

__all__ = [
    "MAX_CHARS",
    "LegacyEncodingError",
    "Prepared",
    "detect_legacy_encoding",
    "fix_legacy_encoding",
    "normalize",
    "prepare",
    "prepare_many",
    "preprocess",
    "preprocess_many",
    "rejection",
    "segment",
    "strip_diacritics",
]

T = TypeVar("T")



# --- legacy encodings -------------------------------------------------------
#
# Old Word files of party offices are often typed in TCVN3 (ABC, the .VnTime
# fonts) or VNI-Windows fonts. Read as Unicode they show Latin-1 look-alikes
# ("Céng hoµ" / "Coäng hoøa" for "Cộng hòa"). Both are byte-for-glyph schemes,
# so a character table converts them back.

_TCVN3 = dict(
    zip(
        "¡¢£¤¥¦§¨©ª«¬\xad®"
        "µ¸¶·¹»¾¼½ÆÇÊÈÉË"
        "ÌÐÎÏÑÒÕÓÔÖ×ÝØÜÞ"
        "ßãáâäåèæçéêíëìî"
        "ïóñòôõøö÷ùúýûüþ",
        "ĂÂÊÔƠƯĐăâêôơưđ"
        "àáảãạằắẳẵặầấẩẫậ"
        "èéẻẽẹềếểễệìíỉĩị"
        "òóỏõọồốổỗộờớởỡợ"
        "ùúủũụừứửữựỳýỷỹỵ",
    )
)

# VNI-Windows writes a vowel as its base letter followed by one mark character.
_COMBINING = {
    "grave": "\u0300", "acute": "\u0301", "hook": "\u0309", "tilde": "\u0303",
    "dot": "\u0323", "circ": "\u0302", "breve": "\u0306", "horn": "\u031b",
}
_VNI_MARKS = {
    "ø": ("grave",), "ù": ("acute",), "û": ("hook",), "õ": ("tilde",), "ï": ("dot",),
    "â": ("circ",), "à": ("circ", "grave"), "á": ("circ", "acute"),
    "å": ("circ", "hook"), "ã": ("circ", "tilde"), "ä": ("circ", "dot"),
    "ê": ("breve",), "è": ("breve", "grave"), "é": ("breve", "acute"),
    "ú": ("breve", "hook"), "ü": ("breve", "tilde"), "ë": ("breve", "dot"),
}
_VNI_SINGLE = {
    "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "ô": "ơ", "ö": "ư", "ñ": "đ",
    "Ì": "Ì", "Í": "Í", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ",
}


def _vni_table() -> dict[str, str]:
    """Two-character VNI sequences (base + mark) mapped to Unicode letters."""
    table: dict[str, str] = {}
    bases = {c: c for c in "aeouyAEOUY"} | {"ô": "o\u031b", "ö": "u\u031b", "Ô": "O\u031b", "Ö": "U\u031b"}
    for base, decomposed in bases.items():
        plain = decomposed[0].lower()
        for mark, names in _VNI_MARKS.items():
            if "breve" in names and plain != "a":
                continue
            if "circ" in names and (plain not in "aeo" or len(decomposed) > 1):
                continue
            letter = unicodedata.normalize("NFC", decomposed + "".join(_COMBINING[n] for n in names))
            table[base + mark] = letter
            if base.isupper():  # upper-case text carries upper-case marks
                table[base + mark.upper()] = letter
    return table


_VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)) + "|[" + "".join(_VNI_SINGLE) + "]")

# Letters that Unicode Vietnamese takes from Latin-1: they prove nothing.
_VIET_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_LEGACY_ONLY = (set(_TCVN3) | set(_VNI_MARKS) | {m.upper() for m in _VNI_MARKS} | set(_VNI_SINGLE)) - _VIET_LATIN1
_LEGACY_CHAR = re.compile("[" + "".join(sorted(map(re.escape, _LEGACY_ONLY))) + "]")
_UNICODE_VIET = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")
_ASCII_PUNCT = "\"'()[]{}.,;:!?-/*+<>=_…“”‘’"

_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEUS = (
    "(?:uyê|uyu|uya|iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|ưu|ươ|ưa|ưi|ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu"
    "|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|yê|[aăâeêioôơuưy])"
)
_SYLLABLE = re.compile(f"^{_ONSET}{_NUCLEUS}(?:ch|ng|nh|[cmnpt])?$")
_TONES = set("\u0300\u0301\u0303\u0309\u0323")


def _is_syllable(word: str) -> bool:
    """Whether ``word`` has the shape of one Vietnamese syllable (one tone at most)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(ch in _TONES for ch in decomposed)
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return tones <= 1 and bool(_SYLLABLE.match(base))


def _convert_tcvn3(text: str) -> str:
    return "".join(_TCVN3.get(ch, ch) for ch in text)


def _convert_vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI.get(m.group()) or _VNI_SINGLE[m.group()], text)


_CONVERTERS = {"tcvn3": _convert_tcvn3, "vni": _convert_vni}


def _in_capitals(text: str) -> bool:
    """Whether legacy text was typed for a capitals font (.VnTimeH: "CéNG HOµ" is "CỘNG HOÀ")."""
    letters = [c for c in text if c.isascii() and c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


_SYMBOL_FONT = re.compile("[\uf020-\uf0ff]")


def _symbol_font_to_latin1(text: str) -> str:
    """Word stores some legacy-font text in the private-use area (U+F020–U+F0FF)."""
    if not _SYMBOL_FONT.search(text):
        return text
    return "".join(chr(ord(ch) - 0xF000) if "\uf020" <= ch <= "\uf0ff" else ch for ch in text)


def detect_legacy_encoding(text: str) -> str | None:
    """Return ``"tcvn3"`` or ``"vni"`` when ``text`` is written in that legacy encoding, else ``None``.

    Raises :class:`LegacyEncodingError` when the text is full of legacy-font
    characters but neither table turns it into Vietnamese syllables.
    """
    text = _symbol_font_to_latin1(text)
    if _UNICODE_VIET.search(text):
        return None  # real Unicode Vietnamese: ă, đ, ơ, ư or a precomposed toned vowel
    if not _LEGACY_CHAR.search(text):
        return None
    words = [w.strip(_ASCII_PUNCT) for w in text.split()]
    suspects = [w for w in words if _LEGACY_CHAR.search(w)]
    if not suspects:
        return None
    scores = {}
    for name, convert in _CONVERTERS.items():
        converted = [convert(w) for w in suspects]
        scores[name] = sum(_is_syllable(w) for w in converted) / len(converted)
    best = max(scores, key=scores.__getitem__)
    lone_symbol = len(suspects) == 1 and not any(c.isascii() and c.isalpha() for c in suspects[0])
    if scores[best] >= 0.75 and scores[best] > min(scores.values()) and not lone_symbol:
        return best
    non_ascii = [w for w in words if not w.isascii()]
    if len(suspects) >= 3 and len(suspects) >= 0.3 * len(non_ascii):
        raise LegacyEncodingError(
            "Văn bản có nhiều ký tự của bảng mã cũ (TCVN3/VNI) nhưng không chuyển được sang Unicode. "
            f"Ví dụ: {' '.join(suspects[:5])!r}. Hãy mở tệp bằng Word/Unikey và chuyển mã sang Unicode."
        )
    return None  # a stray symbol (©, °, ½) in otherwise plain text


def fix_legacy_encoding(text: str) -> str:
    """Convert TCVN3 or VNI text to Unicode; return other text unchanged (NFC)."""
    encoding = detect_legacy_encoding(text)
    if encoding is None:
        return text
    text = _symbol_font_to_latin1(text)
    lines = [_CONVERTERS[encoding](line) for line in text.splitlines(keepends=True)]
    lines = [new.upper() if _in_capitals(old) else new for old, new in zip(text.splitlines(keepends=True), lines)]
    return unicodedata.normalize("NFC", "".join(lines))


# --- normalisation ------------------------------------------------------------

_QUOTE_MAP = {
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "′": "'", "`": "'",
    "–": "-", "—": "-", "‑": "-", "−": "-", "…": "...",
}
_QUOTES = str.maketrans(_QUOTE_MAP)
_ANY_QUOTE = re.compile("[" + "".join(_QUOTE_MAP) + "]")  # translate is slow: only when there is something to replace
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk", "Zl", "Zp"}
# Anything outside printable ASCII and the Latin letters Vietnamese uses might need dropping.
_MAYBE_DROP = re.compile(r"[^\t\n\r\x20-\x5d\x5f\x61-\x7e\u00c0-\u024f\u1e00-\u1eff]")
_QU_I = re.compile(r"\bqu([íìỉĩị])")
_QU_Y = {"í": "ý", "ì": "ỳ", "ỉ": "ỷ", "ĩ": "ỹ", "ị": "ỵ"}
_ACCENTED_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


def _underthesea_file(relative: str) -> Path:
    """A data file of the installed underthesea, found without importing it (that takes a second of start-up)."""
    spec = importlib.util.find_spec("underthesea")
    path = Path(spec.submodule_search_locations[0], relative) if spec and spec.submodule_search_locations else None
    if path is None or not path.is_file():
        raise RuntimeError(f"underthesea's {relative} is missing: reinstall underthesea (pip install --force-reinstall underthesea)")
    return path


@functools.cache
def _tone_table() -> dict[str, str]:
    """underthesea's tone-placement rules: the pickled dict of strings its own normaliser loads (trusted as its code is)."""
    import pickle

    with open(_underthesea_file("pipeline/text_normalize/tn_rules_2023_07_14.bin"), "rb") as handle:
        rules = pickle.load(handle)
    return {**rules["character"], **rules["token"]}


def _unify_tones(text: str) -> str:
    """One tone-mark placement (hoà → hòa, thuỷ → thủy, quí → quý), as underthesea writes it."""
    if text.isascii():
        return text  # nothing to re-place (underthesea's map also has qui → quy; both spellings are in use)
    table = _tone_table()
    if not table.keys().isdisjoint(_ACCENTED_WORD.findall(text)):  # most texts have no word to re-place: skip the slow sub
        text = _ACCENTED_WORD.sub(lambda m: table.get(m.group(), m.group()), text)
    return _QU_I.sub(lambda m: "qu" + _QU_Y[m.group(1)], text) if "qu" in text else text


def normalize(text: str, *, lower: bool = True) -> str:
    """Clean one text for classification.

    NFC; TCVN3/VNI repaired; control, format and emoji characters dropped;
    typographic quotes and dashes made ASCII; whitespace collapsed; lower-cased;
    one tone-mark placement. Raises :class:`LegacyEncodingError` for legacy text
    that cannot be converted.
    """
    text = unicodedata.normalize("NFC", text)
    text = fix_legacy_encoding(text)
    if _ANY_QUOTE.search(text):
        text = text.translate(_QUOTES)
    if _MAYBE_DROP.search(text):
        text = "".join(" " if unicodedata.category(ch) in _DROP_CATEGORIES else ch for ch in text)
    text = " ".join(text.split())
    if lower:
        text = text.lower()
    return _unify_tones(text)


def _diacritic_table() -> dict[int, str]:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))
        if len(base) > 1 and base[0].isascii() and all(unicodedata.combining(c) for c in base[1:]):
            table[code] = base[0]
    return table


_DIACRITICS = _diacritic_table()
_COMBINING_MARK = re.compile("[\u0300-\u036f]")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics, đ → d included ("Đường hư" → "Duong hu")."""
    text = text.translate(_DIACRITICS)
    if _COMBINING_MARK.search(text):  # decomposed input (NFD): drop the marks themselves
        text = _COMBINING_MARK.sub("", unicodedata.normalize("NFD", text).translate(_DIACRITICS))
    return text


# --- word segmentation ---------------------------------------------------------
#
# Forward longest matching over underthesea's word list (Viet74K, the list its
# word segmenter was built with), read from the installed package. Against
# underthesea's CRF it is about forty times faster and costs no accuracy
# (benchmarks/segmenters.py; figures in the README).

# Dates, numbers with separators, words (with an inner apostrophe or hyphens: h'mông, a-xít), other characters one by one.
_TOKEN = re.compile(r"\d{1,2}/\d{1,2}/\d+|\d{1,2}/\d{1,4}|\d+(?:[.,]\d+)+|\w+(?:['’]\w+)*(?:-\w+)*|\.{2,}|[^\w\s]")


_WORD_END = ""  # the key that marks, in the trie of syllables, that the syllables so far make a word


@functools.lru_cache(maxsize=1)
def _dictionary() -> dict[str, dict]:
    """underthesea's multi-syllable words as :func:`normalize` writes them, as a trie: syllable → syllable → … (``""``: a word ends)."""
    text = unicodedata.normalize("NFC", _underthesea_file("corpus/data/Viet74K.txt").read_text(encoding="utf-8")).lower()
    lines = [line.split() for line in text.splitlines()]
    spelling = {syllable: _unify_tones(syllable) for syllable in {s for line in lines if len(line) > 1 for s in line}}
    trie: dict[str, dict] = {}
    for line in lines:
        if len(line) > 1:
            node = trie
            for syllable in line:
                node = node.setdefault(spelling[syllable], {})
            node[_WORD_END] = {}
    return trie


def segment(text: str) -> str:
    """Word-segment normalised text: tokens, and at each point the longest dictionary word, its syllables joined by ``_``."""
    trie = _dictionary()
    tokens: list[str] = []
    for piece in text.split():  # most pieces are one plain word: the regular expression only for the rest (twice as fast)
        if piece.isalpha():
            tokens.append(piece)
        else:
            tokens += _TOKEN.findall(piece)
    out = []
    i, n = 0, len(tokens)
    while i < n:
        node = trie.get(tokens[i])
        end = j = i + 1
        while node is not None and j < n:
            node = node.get(tokens[j])
            j += 1
            if node is not None and _WORD_END in node:
                end = j
        out.append("_".join(tokens[i:end]) if end > i + 1 else tokens[i])
        i = end
    return " ".join(out)


def preprocess(text: str) -> str:
    """:func:`normalize` then :func:`segment`: the form every model sees."""
    return segment(normalize(text))


def _apply(func: Callable[[str], T], texts: Sequence[str]) -> list[T]:
    return [func(t) for t in texts]


#: Distinct texts from which ``n_jobs`` starts worker processes to prepare them.
PARALLEL_THRESHOLD = 50_000


def _map_unique(func: Callable[[str], T], texts: list[str], n_jobs: int | None, parallel_threshold: int) -> list[T]:
    """``func`` over ``texts`` in order, each distinct text once; on ``n_jobs`` processes for large batches.

    ``n_jobs`` follows scikit-learn: ``None`` or 1 is this process, ``-1`` all
    cores. The processes come from joblib's loky backend, which works under
    any start method, in a script without an ``if __name__ == "__main__"``
    guard too. Since segmentation became dictionary look-ups they pay only for
    very large batches (measured on 2 cores: 13,000 texts 3.5 s in one process,
    4.0 s on two; 47,510 texts 9.6 s against 8.6 s), hence
    :data:`PARALLEL_THRESHOLD`.
    """
    unique = list(dict.fromkeys(texts))
    if n_jobs in (None, 1) or len(unique) <= parallel_threshold:
        done = _apply(func, unique)
    else:
        from joblib import Parallel, delayed, effective_n_jobs

        workers = effective_n_jobs(n_jobs)
        size = max(200, len(unique) // (workers * 8))
        chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
        parts = Parallel(n_jobs=workers, backend="loky")(delayed(_apply)(func, chunk) for chunk in chunks)
        done = [out for part in parts for out in part]
    lookup = dict(zip(unique, done))
    return [lookup[t] for t in texts]


def _text_list(texts: Iterable[object], what: str) -> list:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{what} takes a list of texts, not one string; wrap a single text in a list")
    return list(texts)


def preprocess_many(texts: Iterable[str], *, n_jobs: int | None = None, parallel_threshold: int = PARALLEL_THRESHOLD) -> list[str]:
    """:func:`preprocess` for many texts, in order (see :func:`prepare_many` for texts that may be bad)."""
    return _map_unique(preprocess, _text_list(texts, "preprocess_many"), n_jobs, parallel_threshold)


# --- preparing raw cells ---------------------------------------------------------

#: Characters of a text that are classified; longer texts are cut (and flagged for review).
MAX_CHARS = 10_000
_LETTER = re.compile(r"[^\W\d_]")
# Letters of scripts other than Latin: Greek to Thai, Khmer, CJK, Hangul …
_OTHER_SCRIPT = re.compile("[\u0370-\u1cff\u2c00-\u2dff\u3040-\ud7ff\uf900-\ufaff]")


@dataclass(frozen=True)
class Prepared:
    """One raw text made ready for the features, or the reason it cannot be classified.

    ``status`` is ``ok`` (``text`` is normalised and segmented), ``empty``, or
    ``error: …`` with the reason in Vietnamese; ``truncated`` says that only the
    first :data:`MAX_CHARS` characters were used.
    """

    text: str
    status: str = "ok"
    truncated: bool = False


def rejection(text: str) -> str | None:
    """Why a raw text cannot be classified (a status), or ``None`` when it can."""
    if not text or not text.strip():
        return "empty"
    if "\ufffd" in text:
        return "error: có byte không đọc được theo bảng mã của tệp"
    head = text[:MAX_CHARS]
    if not _LETTER.search(head):
        return "error: không có chữ (chỉ có số hoặc ký hiệu)"
    if _OTHER_SCRIPT.search(head) and len(_OTHER_SCRIPT.findall(head)) > 0.5 * len(_LETTER.findall(head)):
        return "error: không phải chữ quốc ngữ"
    return None


def _as_text(cell: object) -> str:
    """A cell as text: ``None`` and NaN are empty, anything else its string form."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return cell if isinstance(cell, str) else str(cell)


def prepare(cell: object) -> Prepared:
    """One raw cell, prepared once: checked, cut, normalised (legacy fonts repaired), segmented.

    Never raises for what the cell contains: a bad cell gets a status instead.
    """
    text = _as_text(cell)
    status = rejection(text)
    if status is not None:
        return Prepared("", status)
    try:
        prepared = preprocess(text[:MAX_CHARS])
    except LegacyEncodingError as exc:
        return Prepared("", f"error: {exc}")
    if not prepared:
        return Prepared("", "empty")
    return Prepared(prepared, truncated=len(text) > MAX_CHARS)


def prepare_many(cells: Iterable[object], *, n_jobs: int | None = None, parallel_threshold: int = PARALLEL_THRESHOLD) -> list[Prepared]:
    """:func:`prepare` for many cells, in order; one result per cell, whatever the cells hold."""
    texts = [_as_text(c) for c in _text_list(cells, "prepare_many")]
    return _map_unique(prepare, texts, n_jobs, parallel_threshold)
