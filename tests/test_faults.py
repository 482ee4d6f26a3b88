"""Faults, done for real: the command is started as a process and stopped (TERM, KILL), starved of disk (a file-size
limit), or run twice at once. Afterwards the previous output must be whole, no worker process alive, no temporary
file left behind (after KILL: until the next run, once it is old)."""

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals, /proc and resource limits of Linux")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PREVIOUS = "kết quả của lần chạy trước\n"


def table(path, corpus, rows, tag=""):
    """A table of ``rows`` distinct real-sounding opinions (corpus texts, each with its own hamlet number)."""
    texts = list(corpus["text"])
    pd.DataFrame({"noi_dung": [f"{texts[i % len(texts)]} (tổ {i + 1}{tag})" for i in range(rows)]}).to_csv(path, index=False)
    return path


def start(args, cwd, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "tpbnlp", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


def children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [g for c in found for g in children(c)]


def alive(pid):
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def leftovers(folder):
    return sorted(p.name for p in Path(folder).glob(".*tpbnlp-*"))


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def mid_tag(tmp_path, corpus, output):
    """A ``tpbnlp tag`` of 30,000 rows, caught while its workers run and its temporary output grows."""
    source = table(tmp_path / "y_kien.csv", corpus, 30_000)
    process = start(["tag", str(source), "-o", str(output), "--quiet"], tmp_path)

    def writing() -> bool:
        sizes = [p.stat().st_size for p in tmp_path.glob(f".{output.name}.tpbnlp-*.tmp")]
        return bool(sizes) and max(sizes) > 0 and len(children(process.pid)) >= 2

    wait_until(lambda: writing() or process.poll() is not None, 120, "workers and output")
    assert process.poll() is None, "the run ended before it could be stopped: " + process.stderr.read()
    return process, children(process.pid)


def test_term_while_tagging_keeps_the_previous_output_and_leaves_no_worker_and_no_temporary_file(tmp_path, shipped_corpus):
    output = tmp_path / "ket_qua.csv"
    output.write_text(PREVIOUS, encoding="utf-8")
    process, workers = mid_tag(tmp_path, shipped_corpus, output)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM and "Đã dừng" in stderr and "Traceback" not in stderr
    assert output.read_text(encoding="utf-8") == PREVIOUS and leftovers(tmp_path) == []
    wait_until(lambda: not any(alive(w) for w in workers), 10, "the workers to stop")


def test_kill_while_tagging_stops_the_workers_and_the_next_run_removes_the_old_temporary_file(tmp_path, shipped_corpus):
    output = tmp_path / "ket_qua.csv"
    output.write_text(PREVIOUS, encoding="utf-8")
    process, workers = mid_tag(tmp_path, shipped_corpus, output)
    process.kill()
    process.communicate(timeout=60)
    wait_until(lambda: not any(alive(w) for w in workers), 10, "the orphaned workers to stop")
    assert output.read_text(encoding="utf-8") == PREVIOUS
    (killed,) = leftovers(tmp_path)  # a killed process cannot clean up: what it left is recognisably ours
    two_hours_ago = time.time() - 7200
    os.utime(tmp_path / killed, (two_hours_ago, two_hours_ago))
    fresh = tmp_path / f".{output.name}.tpbnlp-dangchay.tmp"  # as if another run were writing it right now
    fresh.write_text("", encoding="utf-8")
    small = table(tmp_path / "it.csv", shipped_corpus, 20)
    result = subprocess.run([sys.executable, "-m", "tpbnlp", "tag", str(small), "-o", str(output), "-q"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert leftovers(tmp_path) == [fresh.name] and len(pd.read_csv(output)) == 20


def limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_000, 4_000))  # a full disk, as far as this process can tell


def small_corpus(tmp_path, corpus):
    rows = pd.concat([corpus[corpus["split"] == s].groupby("category").head(n) for s, n in (("train", 40), ("dev", 10), ("test", 10))])
    rows.assign(topics=rows["topics"].map("|".join)).to_csv(tmp_path / "nho.csv", index=False)
    return tmp_path / "nho.csv"


@pytest.mark.parametrize("command", ["tag", "minutes", "train"])
def test_a_full_disk_gets_a_message_that_says_so_and_the_previous_output_stays(tmp_path, shipped_corpus, command):
    if command == "tag":
        output = tmp_path / "ket_qua.csv"
        args = ["tag", str(table(tmp_path / "y_kien.csv", shipped_corpus, 2000)), "-o", str(output), "-q"]
    elif command == "minutes":
        output = tmp_path / "bao_cao.xlsx"
        args = ["minutes", str(EXAMPLES / "minutes"), "-o", str(output)]
    else:
        output = tmp_path / "mo_hinh"
        args = ["train", "--corpus", str(small_corpus(tmp_path, shipped_corpus)), "-o", str(output)]
    if command == "train":
        output.mkdir()
        (output / "cu.txt").write_text(PREVIOUS, encoding="utf-8")
    else:
        output.write_text(PREVIOUS, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tpbnlp", *args], capture_output=True, text=True, cwd=tmp_path, timeout=600,
                            preexec_fn=limit_file_size)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "ổ đĩa đã đầy" in message and output.name in message, result.stderr
    assert "Traceback" not in result.stderr and "File too large" not in result.stderr
    previous = (output / "cu.txt") if command == "train" else output
    assert previous.read_text(encoding="utf-8") == PREVIOUS and leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["minutes", "train"])
def test_term_while_reading_minutes_or_training_leaves_the_previous_output_and_nothing_else(tmp_path, shipped_corpus, command):
    if command == "minutes":
        folder = tmp_path / "bien_ban"
        folder.mkdir()
        for k in range(150):
            for source in EXAMPLES.joinpath("minutes").glob("*.txt"):
                shutil.copy(source, folder / f"{k:03d}_{source.name}")
        output = tmp_path / "bao_cao.xlsx"
        output.write_text(PREVIOUS, encoding="utf-8")
        args = ["minutes", str(folder), "-o", str(output)]
    else:
        output = tmp_path / "mo_hinh"
        output.mkdir()
        (output / "cu.txt").write_text(PREVIOUS, encoding="utf-8")
        args = ["train", "-o", str(output)]
    process = start(args, tmp_path)
    time.sleep(5)
    assert process.poll() is None, "the run ended before it could be stopped: " + process.stderr.read()
    workers = children(process.pid)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM and "Đã dừng" in stderr and "Traceback" not in stderr
    previous = (output / "cu.txt") if command == "train" else output
    assert previous.read_text(encoding="utf-8") == PREVIOUS and leftovers(tmp_path) == []
    wait_until(lambda: not any(alive(w) for w in workers), 10, "the workers to stop")


def test_two_runs_writing_one_output_end_with_one_whole_output(tmp_path, shipped_corpus):
    output = tmp_path / "ket_qua.csv"
    sources = [table(tmp_path / f"y_kien_{k}.csv", shipped_corpus, 4000, tag=f", lần {k}") for k in (1, 2)]
    runs = [start(["tag", str(s), "-o", str(output), "-q"], tmp_path) for s in sources]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    written = list(pd.read_csv(output)["noi_dung"])
    assert written in [list(pd.read_csv(s)["noi_dung"]) for s in sources]  # one run's rows, all of them, in order
    assert leftovers(tmp_path) == []
