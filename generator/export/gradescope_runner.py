"""Gradescope autograder entry point, shipped as ``cnnquiz_autograder.py`` in the zip.

Gradescope's layout (its autograder specification): the zip is unpacked into
``/autograder/source``, ``run_autograder`` is copied to ``/autograder/run_autograder`` and
run there, the student's files are in ``/autograder/submission``, who submitted is in
``/autograder/submission_metadata.json``, and the result must be written to
``/autograder/results/results.json``. This file lives in ``<root>/source``, so the root is
its parent directory: nothing else configures it.

Reads the student's ``answers.json`` / ``answers.txt``, grades each answer with cnnquiz's
grader against the bundled problem files, and writes ``results/results.json`` exactly once,
also when anything fails (A5, E12). The answer key never reaches stdout or any ``output``:
feedback is rendered with ``hide_answer``, internal errors are reported without details.
One answer that cannot be read or graded (too long, a 5,000-digit number, anything the
grader refuses) fails that answer only.

Submission formats::

    answers.json   {"<problem id>": "1792"} or {"<problem id>": {"total": "1792", "shape:conv1": "26x26x8"}}
    answers.txt    one "<problem id> [part] = answer" per line ('#' starts a comment);
                   with a single problem a bare answer line is its total

Roster mode (the zip has ``students.json``, written by ``cnnquiz generate --roster``): the
student is found in ``submission_metadata.json``, whose documented fields are::

    {"users": [{"email": "ada@uni.edu", "id": 1234, "name": "Ada L.", "sid": "s1"}], ...}

``email`` is matched (ignoring case) against roster ids that are emails, ``sid`` (present
when the course roster has student IDs) against the others. Each student is graded on their
own variants only; when nobody of the submission is on the roster, nothing is graded and the
output says so (never another student's variants).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent
ROOT = SOURCE.parent
FAILED = ("The autograder could not grade this submission. Nothing is wrong with your "
          "work because of this message; your instructor will review it.")
FORMAT_HELP = ("Submit answers.json ({\"<problem id>\": \"<answer>\"}) or answers.txt with "
               "one '<problem id> = <answer>' per line.")
NOT_ON_ROSTER = ("Nothing was graded: this autograder grades each student on their own "
                 "variants, and no student of this submission ({who}) is on its roster "
                 "(matched by email and student ID). Ask your instructor to check the roster.")
MAX_FILE = 1_000_000
MAX_ANSWER = 2000


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


def _text(path: Path, notes: list[str]) -> str | None:
    data = path.read_bytes()[:MAX_FILE]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        notes.append(f"{path.name} is not UTF-8 text (byte {e.start + 1}); save it as UTF-8. "
                     + FORMAT_HELP)
        return None


def _from_json(text: str, notes: list[str]) -> dict[tuple[str, str], str]:
    try:  # numbers stay text: a 5,000-digit integer is one unreadable answer, not a crash
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except (ValueError, RecursionError) as e:
        line = getattr(e, "lineno", None)
        notes.append(f"answers.json is not valid JSON{f' (line {line})' if line else ''}. "
                     + FORMAT_HELP)
        return {}
    if not isinstance(data, dict):
        notes.append(f"answers.json must be an object. {FORMAT_HELP}")
        return {}
    answers: dict[tuple[str, str], str] = {}
    for pid, value in data.items():
        if isinstance(value, dict):
            for part, a in value.items():
                answers[(str(pid), str(part))] = a if isinstance(a, str) else json.dumps(a)
        else:
            answers[(str(pid), "total")] = value if isinstance(value, str) else json.dumps(value)
    return answers


def _from_txt(text: str, single: str | None) -> dict[tuple[str, str], str]:
    answers: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" in line:
            left, answer = line.split("=", 1)
            words = left.split()
            if words:
                pid, part = words[0], (words[1] if len(words) > 1 else "total")
                answers[(pid, part)] = answer.strip()
        elif single is not None:
            answers[(single, "total")] = line
    return answers


def _read_submission(single: str | None) -> tuple[dict[tuple[str, str], str], list[str]]:
    sub = ROOT / "submission"
    notes: list[str] = []
    js, txt = sub / "answers.json", sub / "answers.txt"
    if js.is_file():
        text = _text(js, notes)
        return (_from_json(text, notes) if text is not None else {}), notes
    if txt.is_file():
        text = _text(txt, notes)
        return (_from_txt(text, single) if text is not None else {}), notes
    notes.append(f"No answers.json or answers.txt in the submission. {FORMAT_HELP}")
    return {}, notes


def _assigned(problems: dict[str, Any]) -> tuple[list[str] | None, str]:
    """(problem ids of this submission's students, who they are) in roster mode, else
    (None, ""). An empty list means nobody of the submission is on the roster."""
    mapping = SOURCE / "students.json"
    if not mapping.is_file():
        return None, ""
    roster = json.loads(mapping.read_text(encoding="utf-8"))
    try:
        meta = json.loads((ROOT / "submission_metadata.json").read_text(encoding="utf-8"))
        users = [u for u in meta.get("users") or [] if isinstance(u, dict)]
    except (OSError, ValueError, AttributeError):
        return [], "unknown: no readable submission_metadata.json"
    ids: list[str] = []
    for u in users:
        email = str(u.get("email") or "").strip().lower()
        sid = str(u.get("sid") or "").strip()
        for pid in roster["email"].get(email, []) + roster["sid"].get(sid, []):
            if pid in problems and pid not in ids:
                ids.append(pid)
    who = ", ".join(str(u.get("email") or u.get("sid") or u.get("name") or "?")
                    for u in users) or "no users listed"
    return ids, who


def _test(number: int, pid: str, part: str) -> dict[str, Any]:
    return {"name": f"{pid} {part}", "number": str(number), "max_score": 1,
            "output_format": "text", "visibility": "visible"}


def _grade_one(grader: Any, problem: Any, part: str, given: str | None) -> dict[str, Any]:
    if given is None:
        return {"score": 0, "status": "failed", "output": "No answer given for this part."}
    if len(given) > MAX_ANSWER:
        return {"score": 0, "status": "failed",
                "output": f"This answer is {len(given):,} characters long; answers of up to "
                          f"{MAX_ANSWER:,} characters are read. Nothing of it was graded."}
    try:
        r = grader.grade(problem, given, part=part, hide_answer=True)
    except Exception:  # one answer's failure never hides the others
        traceback.print_exc(limit=0, file=sys.stderr)
        return {"score": 0, "status": "failed", "output": FAILED}
    return {"score": float(r.score), "status": "passed" if r.status == "correct" else "failed",
            "output": str(r.feedback)}


def grade_submission() -> dict[str, Any]:
    sys.path.insert(0, str(SOURCE))
    grader = importlib.import_module("grader")  # shipped beside it in the zip; never imported by generator

    problems = _problems()
    assigned, who = _assigned(problems)
    if assigned is not None and not assigned:
        return {"score": 0, "output": NOT_ON_ROSTER.format(who=who), "output_format": "text",
                "stdout_visibility": "hidden", "tests": []}
    pool = assigned if assigned is not None else list(problems)
    answers, notes = _read_submission(pool[0] if len(pool) == 1 else None)
    if assigned is not None:
        wanted = [(pid, part) for pid in assigned for part in problems[pid].parts]
    else:
        wanted = sorted({k for k in answers if k[0] in problems and k[1] in problems[k[0]].parts})
    unknown = sorted(k for k in answers if k not in set(wanted))
    tests = []
    for number, (pid, part) in enumerate(wanted, 1):
        tests.append({**_test(number, pid, part),
                      **_grade_one(grader, problems[pid], part, answers.get((pid, part)))})
    if unknown:
        notes.append("Ignored answers for unknown problems or parts: "
                     + ", ".join(f"{p[:40]} {q[:40]}" for p, q in unknown[:20]))
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
