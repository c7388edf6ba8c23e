"""Finding the problem of a row: by id in a generated set, by per-student variant, or path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ProblemIndex", "has_students"]


class ProblemIndex:
    """Finds the problem of a row: by id in a generated set, by per-student variant, or path.

    ``--problems DIR`` is the output of ``cnnquiz generate`` (or any directory of problem
    JSON files). With a roster, its ``answer_key.json`` maps each student to their variants,
    so the ``problem`` cell may be the question number (``1``, ``q1``) or left empty when
    each student has one problem.
    """

    def __init__(self, directory: Path | None = None, base: Path | None = None,
                 problems: Mapping[str, Any] | None = None) -> None:
        self.paths: dict[str, Path] = {}
        self.loaded: dict[str, Any] = dict(problems or {})
        self.students: dict[str, list[str]] = {}
        self.base = base or Path.cwd()
        if directory is not None:
            directory = Path(directory)
            for f in sorted(directory.rglob("*.json")):
                if f.name != "answer_key.json":
                    self.paths.setdefault(f.stem, f)
            key = directory / "answer_key.json"
            if key.is_file():
                data = json.loads(key.read_text(encoding="utf-8"))
                for s, entries in (data.get("students") or {}).items():
                    self.students[str(s)] = [str(e["id"]) for e in entries]

    def resolve(self, student: str, cell: str) -> tuple[str, Any]:
        """(problem key, problem) or raise LookupError with a reason."""
        pid = cell
        if pid not in self.loaded and pid not in self.paths and student in self.students:
            mine = self.students[student]
            number = cell.lower().lstrip("q")
            if not cell and len(mine) == 1:
                pid = mine[0]
            elif number.isdigit() and 1 <= int(number) <= len(mine):
                pid = mine[int(number) - 1]
            elif not cell:
                raise LookupError(f"student {student!r} has {len(mine)} problems; say which")
        if pid in self.loaded:
            return pid, self.loaded[pid]
        if pid in self.paths:
            self.loaded[pid] = _load(self.paths[pid])
            return pid, self.loaded[pid]
        if pid.lower().endswith((".json", ".yaml", ".yml")):
            # relative paths: next to the submissions file first, then the working directory
            for path in (Path(pid),) if Path(pid).is_absolute() else (self.base / pid, Path(pid)):
                if path.is_file():
                    self.loaded[pid] = _load(path)
                    return pid, self.loaded[pid]
            raise LookupError(f"problem file {pid!r} not found (looked next to the submissions "
                              "file and in the working directory)")
        if not pid:
            raise LookupError("no problem given")
        if self.students and student not in self.students:
            raise LookupError(f"unknown student {student!r} and problem {pid!r}")
        raise LookupError(f"unknown problem {pid!r}")


def _load(path: Path) -> Any:
    from generator.problem import load_problem
    from generator.spec import read_spec_file

    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "answers" in data and "spec" in data:
            return load_problem(path)
        return data
    return read_spec_file(path)


def has_students(directory: Path) -> bool:
    key = Path(directory) / "answer_key.json"
    if not key.is_file():
        return False
    try:
        return bool(json.loads(key.read_text(encoding="utf-8")).get("students"))
    except (OSError, json.JSONDecodeError):
        return False
