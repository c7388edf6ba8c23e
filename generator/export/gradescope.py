"""Gradescope autograder zip: ``setup.sh`` and ``run_autograder`` at the root (A5, E12).

The zip vendors cnnquiz's own source (``generator/``, ``grader/``, ``templates/``) next to
``cnnquiz_autograder.py`` and the problem files, so grading runs offline; ``setup.sh``
(run once with network access when Gradescope builds the image) makes a Python >= 3.11
virtual environment ``<root>/venv`` with the three runtime libraries the grader needs (sympy, jinja2,
PyYAML). ``run_autograder`` always leaves a complete ``results.json``: the Python runner
writes it once, and a shell fallback writes a failure result if Python itself cannot run.
Gradescope copies ``run_autograder`` to ``/autograder/run_autograder`` and runs it there:
every path is taken relative to that script (``source/``, ``submission/``, ``results/``,
``submission_metadata.json``). Answer keys stay in ``/autograder/source`` (never shown to
students); feedback is
rendered without the expected answer; ``output_format`` is ``text``; stdout is hidden.

>>> from generator.problem import generate
>>> import io, zipfile
>>> names = zipfile.ZipFile(io.BytesIO(gradescope_zip([generate(topic="basic", difficulty="easy", seed=42)]))).namelist()
>>> names[:2], "problems/basic-easy-000042.json" in names
(['run_autograder', 'setup.sh'], True)
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import content as c
from .files import write_atomic
from .validate import ExportError, check_file_type

__all__ = ["NAME", "REQUIREMENTS", "export_gradescope", "gradescope_zip", "student_map"]

#: runtime libraries of generator/ and grader/ (pinned to what the tests run)
REQUIREMENTS = "sympy>=1.13,<2\njinja2>=3.1.4,<4\nPyYAML>=6.0,<7\n"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
NAME = "gradescope-autograder.zip"
HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent.parent

SETUP_SH = """#!/usr/bin/env bash
# Gradescope image setup (runs once, with network): Python >= 3.11 and three libraries.
# Gradescope unpacks the zip into /autograder/source and runs this from there; the virtual
# environment goes beside source/ (the root run_autograder looks for it in).
set -euo pipefail
SRC="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$SRC")"
PY=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q --upgrade pip
"$ROOT/venv/bin/python" -m pip install -q -r "$SRC/requirements.txt"
"""

#: Gradescope copies this file to /autograder/run_autograder and runs it there: the root is
#: the script's own directory, the code is in <root>/source, the student's files in
#: <root>/submission, the result goes to <root>/results/results.json (the documented layout).
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grade <root>/submission; always leave a complete <root>/results/results.json.
ROOT="$(cd "$(dirname "$0")" && pwd)"
SRC="$ROOT/source"
PY="$ROOT/venv/bin/python"
[ -x "$PY" ] || PY=python3
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
"$PY" "$SRC/cnnquiz_autograder.py" >/dev/null || true
if [ ! -s "$ROOT/results/results.json" ]; then
  cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0, "output": "The autograder could not grade this submission. Nothing is wrong with your work because of this message; your instructor will review it.", "output_format": "text", "stdout_visibility": "hidden", "tests": []}
JSON
fi
exit 0
"""


def _sources() -> dict[str, bytes]:
    """generator/, grader/ and templates/ as they are installed (templates under generator/)."""
    out: dict[str, bytes] = {}
    for package in ("generator", "grader"):
        root = PACKAGE_ROOT / package
        if not root.is_dir():
            raise ExportError(f"cannot vendor {package}/: not found next to {HERE}.")
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".j2", ".json"):
                out[f"{package}/{f.relative_to(root).as_posix()}"] = f.read_bytes()
    templates = PACKAGE_ROOT / "templates"
    if not templates.is_dir():
        templates = PACKAGE_ROOT / "generator" / "templates"
    for f in sorted(templates.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            out[f"generator/templates/{f.relative_to(templates).as_posix()}"] = f.read_bytes()
    return out


def _executable(name: str, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.external_attr = (0o100755 << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info, data


def student_map(students: Mapping[str, Sequence[str]]) -> dict[str, dict[str, list[str]]]:
    """The roster's student -> problem ids map, keyed the way Gradescope names a student.

    Gradescope's ``submission_metadata.json`` gives ``users[]`` with ``email``, ``name``,
    its own numeric ``id`` and, when the course roster has one, ``sid`` (the student ID). A
    roster id with an ``@`` is matched against ``email`` (case-insensitively), any other
    against ``sid``. Never by name or Gradescope's id, which the roster does not know.

    >>> student_map({"Ada@Uni.edu": ["p1"], "s2": ["p2"]})
    {'email': {'ada@uni.edu': ['p1']}, 'sid': {'s2': ['p2']}}
    """
    out: dict[str, dict[str, list[str]]] = {"email": {}, "sid": {}}
    for student, ids in sorted(students.items()):
        key = student.strip()
        if "@" in key:
            out["email"][key.lower()] = list(ids)
        else:
            out["sid"][key] = list(ids)
    return out


def gradescope_zip(problems: Sequence[c.ProblemLike],
                   students: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The autograder zip; ``students`` maps a roster id (email or student ID) to problem ids."""
    if not problems:
        raise ExportError("a Gradescope autograder needs at least one problem.")
    files: dict[str, bytes] = {
        "cnnquiz_autograder.py": (HERE / "gradescope_runner.py").read_bytes(),
        "requirements.txt": REQUIREMENTS.encode(),
        "README.txt": (b"cnnquiz autograder. Students submit answers.json or answers.txt; "
                       b"see cnnquiz_autograder.py.\n"),
        **_sources(),
    }
    for p in problems:
        to_json = getattr(p, "to_json", None)
        text = to_json() if callable(to_json) else json.dumps(p.__dict__, sort_keys=True, indent=2)
        files[f"problems/{p.id}.json"] = text.encode("utf-8")
    if students:
        files["students.json"] = json.dumps(student_map(students), indent=2,
                                            sort_keys=True).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in (("run_autograder", RUN_AUTOGRADER.encode()),
                           ("setup.sh", SETUP_SH.encode())):
            info, payload = _executable(name, data)
            z.writestr(info, payload)
        for name in sorted(files):
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), files[name],
                       compress_type=zipfile.ZIP_DEFLATED)
    data = buf.getvalue()
    check_gradescope_zip(data)
    return data


def check_gradescope_zip(data: bytes) -> None:
    """setup.sh and an executable run_autograder with a shebang at the root (E12)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        for name in ("setup.sh", "run_autograder"):
            if name not in names:
                raise ExportError(f"Gradescope zip: {name} must be at the root.")
            info = z.getinfo(name)
            if not (info.external_attr >> 16) & 0o111:
                raise ExportError(f"Gradescope zip: {name} is not executable.")
            if not z.read(name).startswith(b"#!"):
                raise ExportError(f"Gradescope zip: {name} has no shebang line.")
        if not any(n.startswith("problems/") for n in names):
            raise ExportError("Gradescope zip: no problem files.")


def export_gradescope(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``gradescope-autograder.zip`` into ``out``.

    When ``out`` holds the ``answer_key.json`` of ``cnnquiz generate --roster``, the
    student -> problems map is bundled so each student is graded on their own variants.
    """
    students = None
    key = Path(out) / "answer_key.json"
    if key.is_file():
        data = json.loads(key.read_text(encoding="utf-8"))
        if isinstance(data.get("students"), dict):
            students = {s: [e["id"] for e in entries] for s, entries in data["students"].items()}
    check_file_type(NAME, "gradescope")
    return [write_atomic(Path(out) / NAME, gradescope_zip(problems, students))]
