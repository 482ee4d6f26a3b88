"""Throughput and memory of ``tpbnlp tag``, end to end, against the bare segmenter.

Builds a 47,510-row CSV (one province's four years of opinions, DOMAIN.md) from
the corpus test split, every row made distinct by a hamlet name and number so
that caching whole texts cannot flatter the figure; times ``tpbnlp tag`` on it
as a subprocess (start-up included) while sampling the memory of the command
and its worker processes; and, in the same run, times underthesea's
``word_tokenize`` over the same rows in one plain loop in this process — the
floor of any word-segmented pipeline on one core. With ``--large N`` it also
tags an N-row file (500,000 by default) to show that memory stays flat.

Memory is the peak of the summed proportional set size (PSS) of the command
and its children, sampled every second: pages shared between forked workers
count once. Linux only.

Run: python benchmarks/throughput.py [--large 500000]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tpbnlp.corpus import load_corpus

HAMLETS = ["Ô Đùng", "Trà Cú", "Sóc Mới", "Ba Se", "Phú Thọ", "Giồng Lớn", "Kom Pong", "Tha La"]


def build(path: Path, rows: int) -> list[str]:
    texts = list(load_corpus().query("split == 'test'")["text"])
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["stt", "noi_dung"])
        out = []
        for i in range(rows):
            text = f"{texts[i % len(texts)]} (ấp {HAMLETS[i % len(HAMLETS)]} {i // len(HAMLETS) + 1})"
            writer.writerow([i + 1, text])
            if len(out) < 47_510:
                out.append(text)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pids
    for child in children:
        pids += _tree(int(child))
    return pids


def run_tag(source: Path, output: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB, summed PSS) of one ``tpbnlp tag`` run."""
    command = [sys.executable, "-m", "tpbnlp", "tag", str(source), "-o", str(output), "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_pss_kb(p) for p in _tree(process.pid)))
        time.sleep(1.0)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"tpbnlp tag exited with {process.returncode}")
    return seconds, peak / 1024


def bare_segmentation(texts: list[str]) -> float:
    from underthesea import word_tokenize

    word_tokenize("khởi động")  # load the model outside the timing
    started = time.perf_counter()
    for text in texts:
        word_tokenize(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=47_510)
    parser.add_argument("--large", type=int, nargs="?", const=500_000, default=0, help="also tag a file this large")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp, "y_kien.csv"), Path(tmp, "ket_qua.csv")
        texts = build(source, args.rows)
        seconds, peak = run_tag(source, output)
        with open(output, encoding="utf-8-sig", newline="") as handle:
            written = sum(1 for _ in csv.reader(handle)) - 1
        assert written == args.rows, f"{written} rows written, {args.rows} expected"
        bare = bare_segmentation(texts)
        print(f"rows: {args.rows:,}")
        print(f"tpbnlp tag, end to end: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), peak memory {peak:.0f} MB")
        print(f"bare word_tokenize, one process: {bare:.1f} s ({len(texts) / bare:,.0f} rows/s)")
        print(f"ratio tag / bare: {seconds / bare:.2f}")
        if args.large:
            big = Path(tmp, "lon.csv")
            build(big, args.large)
            large_seconds, large_peak = run_tag(big, output)
            print(
                f"tpbnlp tag, {args.large:,} rows: {large_seconds:.1f} s ({args.large / large_seconds:,.0f} rows/s), "
                f"peak memory {large_peak:.0f} MB ({large_peak / peak - 1:+.0%} against {args.rows:,} rows)"
            )


if __name__ == "__main__":
    main()
