"""How well ``tpbnlp minutes`` finds the opinions of minutes: precision, recall, F1, exact counts, heading fields.

    python benchmarks/minutes_split.py                       # the held-back part of corpus/minutes
    python benchmarks/minutes_split.py corpus/minutes/dev -v # the part the splitter is developed on, file by file

Each minutes file in a folder has ``<name>.expected.json`` beside it (see
corpus/minutes/README.md). A found opinion matches an expected one when their
words, compared without diacritics, overlap by a Dice coefficient of at least
0.6; each expected opinion is matched once. Unit and commune are compared
without case or diacritics.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from tpbnlp.errors import MinutesError
from tpbnlp.minutes import MINUTES_SUFFIXES, read_minutes
from tpbnlp.text import strip_diacritics

ROOT = Path(__file__).resolve().parents[1]
MATCH = 0.6


def words(text: str | None) -> Counter[str]:
    return Counter(re.findall(r"\w+", strip_diacritics(text or "").lower()))


def dice(a: Counter[str], b: Counter[str]) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def matched(found: list[str], expected: list[str]) -> int:
    """Expected opinions matched one-to-one by found ones, the most similar pairs first."""
    pairs = sorted(
        ((dice(words(f), words(e)), i, j) for i, f in enumerate(found) for j, e in enumerate(expected)), reverse=True
    )
    used_f: set[int] = set()
    used_e: set[int] = set()
    for score, i, j in pairs:
        if score < MATCH:
            break
        if i not in used_f and j not in used_e:
            used_f.add(i)
            used_e.add(j)
    return len(used_e)


def same_place(a: str | None, b: str | None) -> bool:
    return " ".join(words(a)) == " ".join(words(b)) if a and b else a == b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "corpus" / "minutes" / "heldout"])
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file")
    args = parser.parse_args()
    totals = Counter()
    for folder in args.folders:
        for expected_path in sorted(folder.glob("*.expected.json")):
            stem = expected_path.name.removesuffix(".expected.json")
            source = next(p for p in folder.iterdir() if p.stem == stem and p.suffix.lower() in MINUTES_SUFFIXES)
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            try:
                minutes = read_minutes(source)
                found = [o.text for o in minutes.opinions]
                unit, date, attendance = minutes.unit, minutes.date, minutes.attendance
            except MinutesError as exc:
                found, unit, date, attendance = [], None, None, None
                print(f"  {source.name}: {exc}")
            wanted = [o["text"] for o in expected["opinions"]]
            hits = matched(found, wanted)
            row = Counter(
                files=1, found=len(found), expected=len(wanted), matched=hits, exact=int(len(found) == len(wanted)),
                unit=int(same_place(unit, expected["unit"])), date=int(date == expected["date"]),
                attendance=int(attendance == expected["attendance"]),
            )
            totals.update(row)
            if args.verbose:
                habits = ",".join(expected.get("habits", []))
                print(f"{source.name:42} found {len(found):2} expected {len(wanted):2} matched {hits:2}  "
                      f"unit {'✓' if row['unit'] else '✗'} date {'✓' if row['date'] else '✗'} "
                      f"attendance {'✓' if row['attendance'] else '✗'}  [{habits}]")
    n = totals["files"]
    if not n:
        raise SystemExit("no minutes with .expected.json found")
    precision = totals["matched"] / totals["found"] if totals["found"] else 0.0
    recall = totals["matched"] / totals["expected"] if totals["expected"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{n} minutes, {totals['expected']} expected opinions, {totals['found']} found, {totals['matched']} matched")
    print(f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    print(f"exact opinion count {totals['exact']}/{n}; unit {totals['unit']}/{n}; date {totals['date']}/{n}; "
          f"attendance {totals['attendance']}/{n}")


if __name__ == "__main__":
    main()
