"""Exam assembly: an exam file (YAML) of slots becomes one exam, one copy per student.

An exam file::

    title: "Midterm: sizing CNNs"
    exam: midterm-2026            # part of every student's HMAC seed (default: the file name)
    seed: 1                       # the copy without a roster, and the reference of each slot
    instructions: "Show your working."
    slots:
      - {topic: color+sharing, difficulty: medium, style: prose, points: {total: 4, per_layer: 6}}
      - {topic: batchnorm, difficulty: easy, style: keras, points: {total: 2}, choices: 4}
      - {topic: classic-pool-weight, difficulty: easy, style: table, points: {total: 3}}
      - {from: my_network.yaml, style: pytorch, points: {total: 5, shape: 2}}

Each slot is one question, numbered on through the exam. Every student's question of a slot
has the slot's style, the colour model of the slot's reference problem and a total within a
factor of √2 of the reference's, so any two students' totals are within a factor of 2: a draw
that misses is redrawn with the next reroll of the student's HMAC seed. Copies show neutral
ids (``midterm-2026-q1-3f9a…``) that name no topic.

>>> exam = parse_exam({"title": "Quiz", "exam": "quiz", "slots": [
...     {"topic": "basic", "difficulty": "easy", "points": {"total": 2, "per_layer": 3}}]})
>>> (q,) = assemble(exam)
>>> q.number, q.problem.id, q.points, q.problem.parts
(1, 'quiz-q1', {'total': 2, 'per_layer': 3}, ('total', 'per_layer'))
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .authoring import Source, author, check_source
from .builder import STYLES
from .choices import with_choices
from .errors import ConfigError
from .importers import load_any
from .problem import DIFFICULTIES, Problem, generate, generator_version
from .seeding import SeedFields, student_seed, variant_tag
from .spec import read_spec_file
from .topics import is_topic, styles_for, topic_error

__all__ = ["Exam", "ExamQuestion", "Slot", "assemble", "fair", "load_exam", "parse_exam", "spread"]

K = TypeVar("K")  # a copy's key: its name, or None for the one shared copy

WHERE = "exam"
#: rerolls tried per student and slot before the exam is refused as unfair
MAX_REROLLS = 200
SLOT_KEYS = {"topic", "from", "difficulty", "style", "points", "choices"}


@dataclass(frozen=True)
class Slot:
    """One question of the exam: what is drawn, how it is shown, points per part."""

    number: int
    topic: str
    difficulty: str
    style: str
    points: dict[str, int]
    source: Source | None = None
    name: str = ""
    #: options of a multiple-choice total (0: an open question)
    choices: int = 0


@dataclass(frozen=True)
class Exam:
    title: str
    name: str
    seed: int
    instructions: str
    slots: tuple[Slot, ...]

    @property
    def total_points(self) -> int:
        return sum(sum(s.points.values()) for s in self.slots)


@dataclass(frozen=True)
class ExamQuestion:
    number: int
    problem: Problem
    points: dict[str, int]


def _points(raw: Any, where: str) -> dict[str, int]:
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"{where}: points must map each part to its points, e.g. "
                          "{total: 4, per_layer: 6}.", where=WHERE)
    out = {}
    for part, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 1000:
            raise ConfigError(f"{where}: the points of {part} must be a whole number from 1 to "
                              f"1000; received {value!r}.", where=WHERE)
        out[str(part)] = value
    return out


def _slot(raw: Any, number: int, base: Path) -> Slot:
    where = f"slot {number}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: a slot is a mapping with topic (or from), difficulty, "
                          "style and points.", where=WHERE)
    unknown = set(raw) - SLOT_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'; a slot has "
                          f"{', '.join(sorted(SLOT_KEYS))}.", where=WHERE)
    style = str(raw.get("style", "prose"))
    if style not in STYLES:
        raise ConfigError(f"{where}: style must be one of {', '.join(STYLES)} (one style per "
                          "slot, so every student sees the question the same way).", where=WHERE)
    points = _points(raw.get("points"), where)
    choices = raw.get("choices", 0)
    if isinstance(choices, bool) or not isinstance(choices, int) or choices not in (0, *range(2, 9)):
        raise ConfigError(f"{where}: choices is a number of options from 2 to 8.", where=WHERE)
    if ("topic" in raw) == ("from" in raw):
        raise ConfigError(f"{where}: give either topic or from.", where=WHERE)
    if "from" in raw:
        path = (base / str(raw["from"])).resolve()
        return Slot(number, "custom", "custom", style, points, check_source(load_any(path)),
                    path.stem, choices)
    topic, difficulty = str(raw["topic"]), str(raw.get("difficulty", "easy"))
    if not is_topic(topic):
        raise ConfigError(f"{where}: {topic_error(topic)}", where=WHERE)
    if difficulty not in DIFFICULTIES:
        raise ConfigError(f"{where}: difficulty is easy, medium or hard.", where=WHERE)
    if style not in styles_for(topic):
        raise ConfigError(f"{where}: {topic} is shown as {', '.join(styles_for(topic))}.",
                          where=WHERE)
    return Slot(number, topic, difficulty, style, points, choices=choices)


def parse_exam(data: Any, *, base: Path = Path("."), default_name: str = "exam") -> Exam:
    """An :class:`Exam` from a parsed exam file; ConfigError names the slot and key."""
    if not isinstance(data, Mapping):
        raise ConfigError("an exam file is a mapping with title and slots.", where=WHERE)
    unknown = set(data) - {"title", "exam", "seed", "instructions", "slots"}
    if unknown:
        raise ConfigError(f"unknown key '{sorted(unknown)[0]}'; an exam has title, exam, seed, "
                          "instructions and slots.", where=WHERE)
    slots = data.get("slots")
    if not isinstance(slots, list) or not slots or len(slots) > 200:
        raise ConfigError("slots must be a list of 1 to 200 questions.", where=WHERE)
    seed = data.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 10**12:
        raise ConfigError("seed must be a whole number from 0.", where=WHERE)
    return Exam(title=str(data.get("title", "Exam")), name=str(data.get("exam", default_name)),
                seed=seed, instructions=str(data.get("instructions", "Show your working. "
                                            "Every convention you need is stated.")),
                slots=tuple(_slot(s, i, base) for i, s in enumerate(slots, 1)))


def load_exam(path: str | Path) -> Exam:
    """Read an exam file; ``from:`` paths are relative to it."""
    p = Path(path)
    return parse_exam(read_spec_file(p), base=p.resolve().parent, default_name=p.stem)


def _draw(slot: Slot, seed: int, pid: str, version: str) -> Problem:
    parts = tuple(slot.points)
    if slot.source is not None:
        p = author(slot.source, seed=seed, name=slot.name, parts=parts, style=slot.style,
                   version=version, id=pid)
    else:
        p = generate(topic=slot.topic, difficulty=slot.difficulty, seed=seed, parts=parts,
                     style=slot.style, version=version, id=pid)
    return with_choices(p, slot.choices) if slot.choices else p


def _colour(p: Problem) -> tuple[Any, ...]:
    net = p.network()
    return (net.input.color, net.input.channels)


def fair(p: Problem, ref: Problem) -> bool:
    """The same colour model and a total within a factor of √2 of the reference (exact ints)."""
    t, r = p.solution().answer, ref.solution().answer
    return _colour(p) == _colour(ref) and 2 * t * t >= r * r and t * t <= 2 * r * r


def _points_for(p: Problem, slot: Slot) -> dict[str, int]:
    """Points keyed by the problem's resolved parts (bare 'shape' names its layer)."""
    return dict(zip(p.parts, slot.points.values(), strict=True))


def assemble(exam: Exam, *, student: str | None = None, secret: bytes | None = None,
             version: str | None = None) -> list[ExamQuestion]:
    """The questions of one copy: the reference copy, or a roster student's (HMAC seeds)."""
    version = version or generator_version()
    out = []
    for slot in exam.slots:
        ref = _draw(slot, exam.seed + slot.number - 1, f"{exam.name}-q{slot.number}", version)
        if student is None or secret is None:
            out.append(ExamQuestion(slot.number, ref, _points_for(ref, slot)))
            continue
        for reroll in range(MAX_REROLLS):
            fields: SeedFields = {"exam": exam.name, "student": student, "question": f"slot{slot.number}",
                      "version": version, "reroll": reroll}
            seed = student_seed(secret, **fields)
            tag = variant_tag(secret, **fields)
            p = _draw(slot, seed, f"{exam.name}-q{slot.number}-{tag}", version)
            if fair(p, ref):
                break
        else:
            raise ConfigError(f"slot {slot.number}: no variant for {student} within a factor of "
                              f"√2 of the reference total in {MAX_REROLLS} draws.", where=WHERE)
        out.append(ExamQuestion(slot.number, p, _points_for(p, slot)))
    return out


def spread(copies: Mapping[K, list[ExamQuestion]]) -> dict[int, float]:
    """Per slot, the largest total over the smallest across copies (the fairness figure)."""
    out: dict[int, float] = {}
    for qs in zip(*copies.values(), strict=True):
        totals = [q.problem.solution().answer for q in qs]
        out[qs[0].number] = max(totals) / min(totals) if min(totals) else math.inf
    return out
