"""Batch grading under process faults: a worker killed with -9, or the parent killed, ends
the run with a clear message (exit 2, no traceback), leaves no worker behind and no ``.tmp``
beside the output; a previous output is kept."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.problem import generate
from grader.batch import BatchOptions, grade_file
from grader.batch.pool import WorkerDied

from .test_batch import HEADER, PROBLEMS, stub

TEST_PID = os.getpid()


def suicidal(problem: object, answer: str, part: str) -> object:
    """The stub grader, except that a worker grading 'die' kills itself with SIGKILL."""
    if answer == "die" and os.getpid() != TEST_PID:
        os.kill(os.getpid(), signal.SIGKILL)
    if answer == "crash" and os.getpid() != TEST_PID:
        raise SystemExit(3)  # not a per-row error: the worker itself goes
    return stub(problem, answer, part)


@pytest.mark.parametrize("answer,message", [("die", "killed by SIGKILL"),
                                            ("crash", "failed: SystemExit")])
def test_worker_death_stops_the_batch_cleanly(tmp_path: Path, answer: str, message: str) -> None:
    src = tmp_path / "in.csv"
    body = "".join(f"s{i},p1,{40 + i % 5}\n" for i in range(400)) + f"s,p1,{answer}\n"
    src.write_text(HEADER + body * 2)
    out = tmp_path / "r.csv"
    out.write_text("previous results\n")
    with pytest.raises(WorkerDied, match=message) as e:
        grade_file(src, out, BatchOptions(workers=2, chunk_size=100), problems=PROBLEMS,
                   grade_fn=suicidal)
    assert "--workers 1" in str(e.value)
    assert out.read_text() == "previous results\n"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["in.csv", "r.csv"], "no .tmp"
    assert multiprocessing.active_children() == [], "no worker left behind"


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def slow_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real set and 40,000 distinct answers (each one graded: the run takes a while)."""
    d = tmp_path_factory.mktemp("faults")
    p = generate(topic="basic", difficulty="medium", seed=3)
    (d / "set").mkdir()
    (d / "set" / f"{p.id}.json").write_text(p.to_json())
    src = d / "in.csv"
    src.write_text(HEADER + "".join(f"s{i},{p.id},{100_000 + 7 * i}\n" for i in range(40_000)))
    return d, src


def _start(d: Path, src: Path, out: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cnnquiz.cli import main; main()", "grade-batch", str(src), "--problems",
         str(d / "set"), "--out", str(out), "--workers", "2", "--chunk-size", "500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "workers never started"
        time.sleep(0.05)
    time.sleep(0.3)  # grading is under way
    return proc


def test_killed_worker_gives_a_message(tmp_path: Path, slow_class: tuple[Path, Path]) -> None:
    d, src = slow_class
    out = tmp_path / "r.csv"
    proc = _start(d, src, out)
    first, second = _children(proc.pid)[:2]
    os.kill(first, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert "killed by SIGKILL" in err and "Traceback" not in err, err
    assert not _alive(second), "the other worker ended too"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_killed_parent_takes_its_workers(tmp_path: Path, slow_class: tuple[Path, Path]) -> None:
    d, src = slow_class
    out = tmp_path / "r.csv"
    proc = _start(d, src, out)
    workers = _children(proc.pid)
    assert list(tmp_path.glob(".r.csv.*.tmp")), "the output is being written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "workers outlived their parent"
    assert not out.exists() and not list(tmp_path.glob(".*.tmp")), "no .tmp left behind"
