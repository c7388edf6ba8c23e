"""Gradescope autograder entry point, shipped as ``cnnquiz_autograder.py`` in the zip.

Reads the student's ``answers.json`` / ``answers.txt`` from the submission directory,
grades each answer with cnnquiz's grader against the bundled problem files, and writes
``results/results.json`` exactly once, also when anything fails (A5, E12). The answer
key never reaches stdout or any ``output``: feedback is rendered with ``hide_answer``,
internal errors are reported to the student without details.

Submission formats::

    answers.json   {"<problem id>": "1792"} or {"<problem id>": {"total": "1792", "shape:conv1": "26x26x8"}}
    answers.txt    one "<problem id> [part] = answer" per line ('#' starts a comment);
                   with a single problem a bare answer line is its total
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
SOURCE = Path(__file__).resolve().parent
FAILED = ("The autograder could not grade this submission. Nothing is wrong with your "
          "work because of this message; your instructor will review it.")
FORMAT_HELP = ("Submit answers.json ({\"<problem id>\": \"<answer>\"}) or answers.txt with "
               "one '<problem id> = <answer>' per line.")


def _write(results: dict[str, Any]) -> None:
    out = ROOT / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out)


def _failure() -> dict[str, Any]:
    return {"score": 0, "output": FAILED, "output_format": "text",
            "stdout_visibility": "hidden", "tests": []}


def _problems() -> dict[str, Any]:
    from generator.problem import load_problem

    out = {}
    for path in sorted((SOURCE / "problems").glob("*.json")):
        p = load_problem(path)
        out[p.id] = p
    return out


def _read_submission(problems: dict[str, Any]) -> tuple[dict[tuple[str, str], str], list[str]]:
    sub = ROOT / "submission"
    answers: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    js, txt = sub / "answers.json", sub / "answers.txt"
    if js.is_file():
        try:
            data = json.loads(js.read_text(encoding="utf-8", errors="replace")[:1_000_000])
        except json.JSONDecodeError as e:
            notes.append(f"answers.json is not valid JSON (line {e.lineno}). {FORMAT_HELP}")
            data = {}
        if not isinstance(data, dict):
            notes.append(f"answers.json must be an object. {FORMAT_HELP}")
            data = {}
        for pid, value in data.items():
            if isinstance(value, dict):
                for part, a in value.items():
                    answers[(str(pid), str(part))] = str(a)[:2000]
            else:
                answers[(str(pid), "total")] = str(value)[:2000]
    elif txt.is_file():
        single = next(iter(problems)) if len(problems) == 1 else None
        for line in txt.read_text(encoding="utf-8", errors="replace")[:1_000_000].splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" in line:
                left, answer = line.split("=", 1)
                words = left.split()
                if not words:
                    continue
                pid, part = words[0], (words[1] if len(words) > 1 else "total")
                answers[(pid, part)] = answer.strip()[:2000]
            elif single is not None:
                answers[(single, "total")] = line[:2000]
    else:
        notes.append(f"No answers.json or answers.txt in the submission. {FORMAT_HELP}")
    return answers, notes


def _student_problems(problems: dict[str, Any]) -> list[str] | None:
    """The problem ids assigned to this student, when the bundle has a student map."""
    mapping = SOURCE / "students.json"
    meta = ROOT / "submission_metadata.json"
    if not mapping.is_file() or not meta.is_file():
        return None
    students = json.loads(mapping.read_text(encoding="utf-8"))
    users = json.loads(meta.read_text(encoding="utf-8")).get("users") or []
    for u in users:
        for key in ("sid", "email", "name"):
            ids = students.get(str(u.get(key) or ""))
            if ids:
                return [i for i in ids if i in problems]
    return None


def grade_submission() -> dict[str, Any]:
    sys.path.insert(0, str(SOURCE))
    grader = importlib.import_module("grader")  # shipped beside it in the zip; never imported by generator

    problems = _problems()
    answers, notes = _read_submission(problems)
    assigned = _student_problems(problems)
    wanted: list[tuple[str, str]] = []
    if assigned is not None:
        wanted = [(pid, part) for pid in assigned for part in problems[pid].parts]
    else:
        wanted = sorted({k for k in answers if k[0] in problems and k[1] in problems[k[0]].parts})
    unknown = sorted(k for k in answers if k not in set(wanted))
    tests = []
    for number, (pid, part) in enumerate(wanted, 1):
        test: dict[str, Any] = {"name": f"{pid} {part}", "number": str(number), "max_score": 1,
                                "output_format": "text", "visibility": "visible"}
        given = answers.get((pid, part))
        try:
            if given is None:
                test.update(score=0, status="failed", output="No answer given for this part.")
            else:
                r = grader.grade(problems[pid], given, part=part, hide_answer=True)
                test.update(score=float(r.score), status="passed" if r.status == "correct"
                            else "failed", output=str(r.feedback))
        except Exception:  # one part's failure never hides the others
            traceback.print_exc(limit=0, file=sys.stderr)
            test.update(score=0, status="failed", output=FAILED)
        tests.append(test)
    if unknown:
        notes.append("Ignored answers for unknown problems or parts: "
                     + ", ".join(f"{p} {q}" for p, q in unknown[:20]))
    if not tests:
        notes.append("No answer matched a problem of this assignment. " + FORMAT_HELP)
    score = sum(t["score"] for t in tests)
    return {"score": score, "output": "\n".join(notes) or f"Graded {len(tests)} answer(s).",
            "output_format": "text", "stdout_visibility": "hidden", "tests": tests}


def main() -> int:
    try:
        results = grade_submission()
    except Exception:
        traceback.print_exc(limit=0, file=sys.stderr)
        results = _failure()
    try:
        _write(results)
    except Exception:
        _write(_failure())
    return 0


if __name__ == "__main__":
    sys.exit(main())
