"""Drawing a set: one function per source of problems (topics, the instructor's network),
per-student HMAC seeds, and a progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from generator.authoring import Source, author
from generator.concepts import Concepts
from generator.problem import Problem, generate
from generator.seeding import SeedFields, student_seed, variant_tag

__all__ = ["Draw", "choice_draw", "progress", "source_draw", "student_problems", "topic_draw"]

#: draws problem j of a set: (j, seed, id or None) -> Problem
Draw = Callable[[int, int, "str | None"], Problem]


def topic_draw(topics: list[str], difficulty: str, parts: list[str], style: str,
               version: str, concepts: Concepts | None = None) -> Draw:
    def draw(j: int, seed: int, pid: str | None) -> Problem:
        topic = topics[j % len(topics)]
        return generate(topic=topic, difficulty=difficulty, seed=seed, parts=parts, style=style,
                        version=version, id=pid and f"{topic}-{difficulty}-{pid}",
                        concepts=concepts)
    return draw


def source_draw(source: Source, name: str, parts: list[str], style: str, version: str) -> Draw:
    def draw(j: int, seed: int, pid: str | None) -> Problem:
        return author(source, seed=seed, name=name, parts=parts, style=style, version=version,
                      id=pid and f"{name}-{pid}")
    return draw


def choice_draw(draw: Draw, n: int) -> Draw:
    """Each drawn problem made multiple choice (see :mod:`generator.choices`)."""
    from generator.choices import with_choices

    return lambda j, seed, pid: with_choices(draw(j, seed, pid), n)


def student_problems(student: str, secret: bytes, exam: str, questions: list[str], draw: Draw,
                     version: str, reroll: int = 0) -> list[Problem]:
    """One student's problems: question j seeded by HMAC(secret, exam, student, question j)."""
    out = []
    for j, question in enumerate(questions):
        fields: SeedFields = {"exam": exam, "student": student, "question": question, "version": version,
                  "reroll": reroll}
        seed = student_seed(secret, **fields)
        tag = variant_tag(secret, **fields)
        out.append(draw(j, seed, tag))
    return out


def progress(items: list[Any], label: str) -> Any:
    if len(items) >= 20 and sys.stderr.isatty():
        return click.progressbar(items, label=label, file=sys.stderr)
    return _Plain(items)


class _Plain:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __enter__(self) -> list[Any]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None
