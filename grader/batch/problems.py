"""Finding the problem of a row: by id in a generated set, by per-student variant, or path."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.untrusted import read_json_file

__all__ = ["ProblemIndex", "has_students", "read_roster"]


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
            self.students = read_roster(directory)

    def resolve(self, student: str, cell: str) -> tuple[str, Any]:
        """(problem key, problem) or raise LookupError with a reason.

        With a roster, a row is graded only against its own student's variants: a student
        who is not on the roster, or a variant of somebody else, is an error, never a grade.
        """
        mine = self.students.get(student)
        if self.students and mine is None:
            raise LookupError(f"student {student!r} is not on the roster of this problem set "
                              "(answer_key.json); not graded")
        pid = cell
        if mine is not None and pid not in mine:
            number = cell.lower().lstrip("q")
            if not cell and len(mine) == 1:
                pid = mine[0]
            elif number.isdigit() and 1 <= int(number) <= len(mine):
                pid = mine[int(number) - 1]
            elif not cell:
                raise LookupError(f"student {student!r} has {len(mine)} problems; say which")
        key, problem = self._find(pid)
        if mine is not None and key not in mine and getattr(problem, "id", None) not in mine:
            raise LookupError(f"problem {pid!r} is not one of {student!r}'s variants "
                              f"(theirs: {', '.join(mine[:5])}); not graded")
        return key, problem

    def _find(self, pid: str) -> tuple[str, Any]:
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
        raise LookupError(f"unknown problem {pid!r}")


def read_roster(directory: Path) -> dict[str, list[str]]:
    """Student -> their variant ids from a set's ``answer_key.json`` ({} without a roster).

    A key that is not a cnnquiz answer key is the author's error for the whole batch.
    """
    key = Path(directory) / "answer_key.json"
    if not key.is_file():
        return {}
    try:
        data = read_json_file(key, "answer key")  # bounded: size, encoding, depth, digits
        students = data.get("students") if isinstance(data, dict) else None
        if students is None:
            return {}
        if not isinstance(students, dict):
            raise ValueError("'students' is not an object")
        roster: dict[str, list[str]] = {}
        for s, entries in students.items():
            if not isinstance(entries, list) or not all(
                    isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries):
                raise ValueError(f"student {str(s)[:40]!r} has no list of variants with ids")
            roster[str(s)] = [e["id"] for e in entries]
        return roster
    except (ValueError, RecursionError, OSError) as e:  # ConfigError (a ValueError) included
        raise ConfigError(f"{key} is not a readable cnnquiz answer key "
                          f"({type(e).__name__}: {str(e)[:200]}); generate the set again.") from None


def _load(path: Path) -> Any:
    from generator.problem import read_problem

    return read_problem(path)


def has_students(directory: Path) -> bool:
    return bool(read_roster(directory))
