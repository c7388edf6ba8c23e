"""Batch and report outputs: never over an input or a file of the problem set; a full disk or
a read-only directory is a clear error (exit 2) that keeps the previous output."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.problem import generate

HEADER = "student_id,problem,answer\n"


@pytest.fixture
def problem_set(tmp_path: Path) -> tuple[Path, Path, str]:
    p = generate(topic="basic", difficulty="easy", seed=1)
    d = tmp_path / "set"
    (d / "problems").mkdir(parents=True)
    (d / "problems" / f"{p.id}.json").write_text(p.to_json())
    (d / "answer_key.json").write_text('{"problems": []}')
    src = tmp_path / "in.csv"
    src.write_text(HEADER + f"s1,{p.id},{p.answers['total']}\n")
    return d, src, p.id


def _snapshot(d: Path) -> dict[str, bytes]:
    return {str(f.relative_to(d)): f.read_bytes() for f in sorted(d.rglob("*")) if f.is_file()}


@pytest.mark.parametrize("option,target", [
    ("--out", "answer_key.json"), ("--canvas", "answer_key.json"),
    ("--moodle", "problems/{pid}.json"), ("--canvas", "problems/{pid}.json"),
    ("--out", "new.json"), ("--feedback-dir", "problems"), ("--feedback-dir", "."),
])
def test_outputs_never_touch_the_problem_set(tmp_path: Path, problem_set: tuple[Path, Path, str],
                                             option: str, target: str) -> None:
    d, src, pid = problem_set
    before = _snapshot(d)
    args = ["grade-batch", str(src), "--problems", str(d), "--out", str(tmp_path / "r.csv")]
    if option == "--out":
        args = args[:-2]
    args += [option, str(d / target.format(pid=pid))]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "inside the problem set" in res.output
    assert _snapshot(d) == before


def test_hard_link_of_the_input_is_refused(tmp_path: Path,
                                           problem_set: tuple[Path, Path, str]) -> None:
    d, src, _ = problem_set
    os.link(src, tmp_path / "alias.csv")
    res = CliRunner().invoke(main, ["grade-batch", str(src), "--problems", str(d), "--out",
                                    str(tmp_path / "alias.csv")])
    assert res.exit_code == 2 and "input" in res.output
    assert src.read_text().startswith(HEADER)


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every output's new contents go to /dev/full: the kernel's own ENOSPC on write."""
    import grader.batch.files as files

    real = files._temporary

    def temporary(path: Path) -> tuple[int, str]:
        fd, name = real(path)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), name

    monkeypatch.setattr(files, "_temporary", temporary)


def _read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import grader.batch.files as files

    def temporary(path: Path) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(files, "_temporary", temporary)


@pytest.mark.parametrize("fault", [_full_disk, _read_only], ids=["full-disk", "read-only"])
@pytest.mark.parametrize("command", ["grade-batch", "canvas", "report"])
def test_write_failure_keeps_previous_output(tmp_path: Path, problem_set: tuple[Path, Path, str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             fault: Callable[[pytest.MonkeyPatch], None],
                                             command: str) -> None:
    d, src, _ = problem_set
    out, canvas, html = tmp_path / "r.csv", tmp_path / "c.csv", tmp_path / "report.html"
    first = CliRunner().invoke(main, ["grade-batch", str(src), "--problems", str(d), "--out",
                                      str(out), "--canvas", str(canvas)])
    assert first.exit_code == 0, first.output
    assert CliRunner().invoke(main, ["report", str(out), "--out", str(html)]).exit_code == 0
    before = {p: p.read_bytes() for p in (out, canvas, html)}
    fault(monkeypatch)
    if command == "report":
        args = ["report", str(out), "--out", str(html)]
    else:
        args = ["grade-batch", str(src), "--problems", str(d), "--out",
                str(out if command == "grade-batch" else tmp_path / "r2.csv"), "--canvas",
                str(canvas)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "cannot write" in res.output and "kept" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert {p: p.read_bytes() for p in (out, canvas, html)} == before
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]


def test_unwritable_feedback_dir_is_a_clear_error(tmp_path: Path,
                                                  problem_set: tuple[Path, Path, str]) -> None:
    d, src, _ = problem_set
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = CliRunner().invoke(main, ["grade-batch", str(src), "--problems", str(d), "--out",
                                    str(tmp_path / "r.csv"), "--feedback-dir",
                                    str(blocker / "fb")])
    assert res.exit_code == 2 and "cannot write feedback pages" in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
