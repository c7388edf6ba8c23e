"""Writing a problem set: files under ``--out`` (never an input), documents and answer keys."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.csvsafe import text_cell
from generator.errors import ConfigError
from generator.problem import Problem

__all__ = ["EXT", "Writer", "documents", "write_keys"]

EXT = {"md": "md", "html": "html", "latex": "tex", "txt": "txt"}


def _cell(value: Any) -> str:
    """A CSV cell of the answer key (generator.csvsafe: formulas neutralised, NUL removed).

    >>> _cell("=1+1"), _cell(5), _cell([1, 2])
    ("'=1+1", '5', '[1, 2]')
    """
    return text_cell(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


class Writer:
    """Writes files under ``out``; refuses to replace any input file."""

    def __init__(self, out: Path, inputs: Sequence[Path]) -> None:
        self.out = out
        self.inputs = {p.resolve() for p in inputs}
        self.written: list[Path] = []

    def check(self, path: Path) -> None:
        if path.resolve() in self.inputs:
            raise ConfigError(f"{path} is one of the inputs; choose another --out.")

    def write(self, rel: str, text: str | bytes) -> Path:
        """Write one file atomically (a temporary file, then a rename): on a full disk or a
        read-only directory the previous file stays whole and the error is a ConfigError."""
        path = self.out / rel
        self.check(path)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
            os.replace(tmp, path)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise ConfigError(f"cannot write {path}: {e.strerror or e}. Files written before "
                              "it are complete and earlier versions of the others are kept; free "
                              "space or choose another --out.") from None
        self.written.append(path)
        return path


def documents(w: Writer, problems: list[Problem], fmt: str, stem: str, key_stem: str,
               title: str, student: str | None = None) -> None:
    from generator.present import problem_context, render_set, solution_ctx

    hrefs: dict[str, str] = {}
    key_hrefs: dict[str, str] = {}
    if fmt == "md":  # Markdown links the diagrams as files (inline SVG is stripped by many hosts)
        depth = "../" * stem.count("/")
        for p in problems:
            w.write(f"diagrams/{p.id}.svg", str(problem_context(p, fmt="md")["diagram_svg"]) + "\n")
            w.write(f"diagrams/{p.id}.solution.svg", str(solution_ctx(p, fmt="md")["diagram_svg"]) + "\n")
            hrefs[p.id] = f"{depth}diagrams/{p.id}.svg"
            key_hrefs[p.id] = f"{depth}diagrams/{p.id}.solution.svg"
    ext = EXT[fmt]
    w.write(f"{stem}.{ext}", render_set(problems, fmt, title=title, student=student,
                                        diagram_hrefs=hrefs))
    w.write(f"{key_stem}.{ext}", render_set(problems, fmt, key=True, title=title,
                                            student=student, diagram_hrefs=key_hrefs))


def _key_rows(problems: list[Problem], student: str | None) -> list[list[str]]:
    rows = []
    for n, p in enumerate(problems, 1):
        for part in p.parts:
            row = [str(n), p.id, p.topic, p.difficulty, p.style, part, _cell(p.answers[part])]
            rows.append(([_cell(student)] if student is not None else []) + row)
    return rows


def _key_entry(n: int, p: Problem) -> dict[str, Any]:
    return {"number": n, "id": p.id, "topic": p.topic, "difficulty": p.difficulty,
            "style": p.style, "parts": list(p.parts), "answers": p.answers,
            "file": f"problems/{p.id}.json"}


def write_keys(w: Writer, sets: dict[str | None, list[Problem]], version: str) -> None:
    roster = None not in sets
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow((["student_id"] if roster else [])
                 + ["problem", "id", "topic", "difficulty", "style", "part", "answer"])
    for student, problems in sets.items():
        out.writerows(_key_rows(problems, student))
    w.write("answer_key.csv", buf.getvalue())
    if roster:
        data: dict[str, Any] = {"version": version, "students": {
            s: [_key_entry(n, p) for n, p in enumerate(ps, 1)] for s, ps in sets.items()}}
    else:
        data = {"version": version,
                "problems": [_key_entry(n, p) for n, p in enumerate(sets[None], 1)]}
    w.write("answer_key.json", json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
