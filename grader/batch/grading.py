"""Grading rows: per-row isolation, result caches, CSV result lines.

A row's result is a :data:`Out` tuple of plain values (the result columns after ``row`` and
``student_id``); :func:`tail_line` is the one place that turns it into CSV text (formula
cells neutralised, grades as plain numbers), for every engine alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grader
from generator.csvsafe import number_cell, text_cell
from generator.errors import ConfigError
from generator.spec import load_spec

from . import options
from .options import MAX_ANSWER, BatchOptions, InputRow
from .problems import ProblemIndex

__all__ = ["GradeFn", "Grader", "Out", "csv_field", "tail_line"]

GradeFn = Callable[[Any, str, str], Any]
#: (problem, part, answer shown, status, score or None, misconceptions, confidence, hedged,
#: layers, layer types, feedback, reason): plain values, escaped only by :func:`tail_line`
Out = tuple[Any, ...]
SHOWN = 500  # characters of the answer repeated in the results


def _default_grade_fn(opts: BatchOptions) -> GradeFn:
    # Our own unbounded cache of prepared parts (the grader's LRU holds 256): each problem
    # of this process is prepared once, however many variants the class has.
    prepared: dict[tuple[int, str], Any] = {}

    def fn(problem: Any, answer: str, part: str) -> Any:
        key = (id(problem), part)  # problems stay alive in ProblemIndex.loaded
        prep = prepared.get(key)
        if prep is None:
            prep = prepared[key] = grader.prepare(problem, part)
        return grader.grade(problem, answer, part=prep, hide_answer=opts.hide_answer,
                            locale=opts.locale)

    return fn


def _ids(result: Any) -> tuple[str, str, str, str]:
    """(confident ids, confidence, hedged ids, layers of the confident diagnoses)."""
    ids: list[str] = []
    hedged: list[str] = []
    layers: list[str] = []
    for d in getattr(result, "diagnoses", ()) or ():
        sure = getattr(d, "confident", True)  # stubs without the flag count as sure
        for m in getattr(d, "misconceptions", ()):
            if m not in ids and m not in hedged:
                (ids if sure else hedged).append(m)
        for layer in getattr(d, "layers", ()) if sure else ():
            if layer not in layers:
                layers.append(layer)
    confidence = "confident" if ids else "hedged" if hedged else ""
    return ";".join(ids), confidence, ";".join(hedged), ";".join(layers)


def _error(problem: str, part: str, shown: str, reason: str, status: str = "error") -> Out:
    """The result tail of a row that could not be graded: its status (error, or unreadable
    when the file broke its quoting) and why."""
    return (problem, part, shown, status, None, "", "", "", "", "", "", reason)


def _shown(answer: str) -> str:
    return answer if len(answer) <= SHOWN else answer[:SHOWN] + "…"


def tail_line(out: Out) -> str:
    """The CSV text of a result tail (with its line end)."""
    score = out[4]
    cells = [csv_field(text_cell(v)) for v in out]
    cells[4] = "" if score is None or score != score else number_cell(score)
    return ",".join(cells) + "\n"


class Grader:
    """Grades rows with per-row isolation and a result cache (one per process)."""

    def __init__(self, opts: BatchOptions, index: ProblemIndex, grade_fn: GradeFn | None) -> None:
        self.opts = opts
        self.index = index
        self.grade_fn = grade_fn or _default_grade_fn(opts)
        self.cache: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}
        self.kinds: dict[str, dict[str, str]] = {}
        self.graded: dict[tuple[str, str, str], Out] = {}
        self.hits = 0

    def tail(self, r: InputRow) -> Out:
        """(problem, part, answer, status, score, misconceptions, confidence, hedged, layers,
        layer types, feedback, reason)."""
        answer = r.answer if r.answer is not None else ""
        shown = _shown(answer)
        if r.error is not None:
            return _error(r.problem, r.part, shown, r.error, r.status)
        try:
            key, problem = self.index.resolve(r.student, r.problem)
        except LookupError as e:
            return _error(r.problem, r.part, shown,
                          str(e.args[0]) if e.args else "unknown problem")
        except Exception as e:  # a broken problem file: this row only
            return _error(r.problem, r.part, shown,
                          f"cannot load problem: {type(e).__name__}: {e}"[:300])
        out = self._grade(key, problem, r.part, answer.strip())
        return (out[0], out[1], shown, *out[3:])

    def line_tail(self, r: InputRow) -> tuple[str, str]:
        """The CSV text of a row's result columns (after row and student) and its status.

        Cached per (problem, part, answer text): a class on few variants repeats answers,
        so most rows cost a dictionary lookup.
        """
        if r.error is None:
            ck = (r.problem, r.student if self.index.students else "", r.part, r.answer)
            hit = self.cache.get(ck)
            if hit is not None:
                self.hits += 1
                return hit
        tail = self.tail(r)
        out = (tail_line(tail), tail[3])
        if r.error is None and len(self.cache) < options.CACHE_LIMIT:
            self.cache[ck] = out
        return out

    def _kinds(self, key: str, problem: Any) -> dict[str, str]:
        """Layer name -> layer type of a problem (for the report's per-layer-type counts)."""
        hit = self.kinds.get(key)
        if hit is None:
            try:
                net = problem.network() if hasattr(problem, "network") else None
                if net is None:
                    net = load_spec(problem.get("spec", problem))
                hit = {n.name: n.layer.kind for n in net.nodes}
            except Exception:
                hit = {}
            self.kinds[key] = hit
        return hit

    def _grade(self, key: str, problem: Any, part: str, text: str) -> Out:
        ck = (key, part, text)
        hit = self.graded.get(ck)
        if hit is None:
            hit = self._grade_uncached(key, problem, part, text)
            if len(self.graded) < options.CACHE_LIMIT:
                self.graded[ck] = hit
        return hit

    def _grade_uncached(self, key: str, problem: Any, part: str, text: str) -> Out:
        head = (key, part, "")
        if not text:
            return (*head, "unreadable", None, "", "", "", "", "", "No answer was given.",
                    "empty answer")
        if len(text) > MAX_ANSWER:
            return (*head, "unreadable", None, "", "", "", "", "",
                    f"The answer is {len(text):,} characters long; give one number.",
                    "answer too long")
        try:
            result = self.grade_fn(problem, text, part)
            status = str(result.status)
            if status not in ("correct", "incorrect", "unreadable"):
                raise ValueError(f"grader returned status {status!r}")
            score = None if status == "unreadable" else float(result.score)
            ids, confidence, hedged, layers = _ids(result)
            kinds = ";".join(dict.fromkeys(self._kinds(key, problem).get(x, "") for x in
                                           layers.split(";") if x)) if layers else ""
            reason = getattr(result, "reason", None) or ""
            return (*head, status, score, ids, confidence, hedged, layers, kinds,
                    str(result.feedback).strip(), str(reason))
        except ConfigError as e:  # the row's part or problem is wrong: say so, not "internal"
            return _error(key, part, "", e.detail[:300])
        except Exception as e:  # isolate: this row is "error", the batch goes on (P5)
            return _error(key, part, "", f"internal error: {type(e).__name__}: {e}"[:300])


def csv_field(value: object) -> str:
    """One CSV field, quoted as csv.QUOTE_MINIMAL quotes it (RFC 4180).

    >>> csv_field('say "hi", then'), csv_field("plain"), csv_field(3)
    ('"say ""hi"", then"', 'plain', '3')
    """
    text = str(value)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


