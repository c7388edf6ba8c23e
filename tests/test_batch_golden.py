"""Golden files of batch grading: results CSV, Canvas, Moodle and a feedback page.

The grader is the stub of tests/test_batch.py, so these pin the batch layer only (row order
and numbers, statuses, escaping, gradebook layout), not the grader's wording. Rewrite with
``pytest tests/test_batch_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grader.batch import BatchOptions, grade_file
from grader.gradebook import read_results, write_canvas, write_feedback, write_moodle

from .test_batch import PROBLEMS, stub

BODY = ("student_id,problem,answer\n"
        "s1,p1,42\n"
        "s2,p1,41\n"
        "=cmd|' /C calc'!A0,p2,=1+1\n"
        "s3,zzz,42\n"
        "s4,p1,\n"
        "s5,p1,1,792\n"
        "s1,p2,41\n"
        's6,p2,"4\n2"\n'
        "s7,p1,boom\n"
        "s2,p1,42\n"
        "-5,p2,-5\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_golden_batch(tmp_path: Path, golden: Callable[[str, str], None], workers: int) -> None:
    src = tmp_path / "in.csv"
    src.write_text(BODY, encoding="utf-8")
    out = tmp_path / "results.csv"
    grade_file(src, out, BatchOptions(workers=workers, chunk_size=3), problems=PROBLEMS,
               grade_fn=stub)
    golden("batch/results.csv", out.read_text(encoding="utf-8"))
    book = read_results(out)
    golden("batch/canvas.csv", write_canvas(book, tmp_path / "c.csv", "Quiz (7)").read_text())
    golden("batch/moodle.csv", write_moodle(book, tmp_path / "m.csv", "Quiz").read_text())
    pages = write_feedback(book, tmp_path / "fb")
    golden("batch/feedback-s2.html", next(p for p in pages if p.name.startswith("s2-")).read_text())
