"""Multiple choice with diagnosed distractors: the wrong options are the mistakes students make.

R/exams' ``num_to_schoice`` draws random numbers near the answer; here every wrong option is
the value one catalogued misconception gives on this variant (see
:mod:`generator.export.distractors`), so each option carries the feedback that names its
step, and the grader diagnoses that value as the same misconception. The most frequent
misconceptions (by their reference prior) are chosen first; the options are then shuffled
with the problem's own seed, so a variant always shows the same letters.

A part has options only when it asks for one number that has distractors (``total``); the
others stay open questions.

>>> from generator.problem import generate
>>> p = with_choices(generate(topic="basic", difficulty="easy", seed=42), 4)
>>> [c["label"] for c in p.choices["total"]], sum(c["correct"] for c in p.choices["total"])
(['A', 'B', 'C', 'D'], 1)
>>> right = next(c for c in p.choices["total"] if c["correct"])
>>> right["value"] == p.answers["total"]
True
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from .errors import ConfigError
from .export.distractors import distractors
from .misconceptions import MISCONCEPTIONS
from .problem import Problem

__all__ = ["CHOICE_PARTS", "MAX_CHOICES", "choice_label", "with_choices"]

#: parts that can be multiple choice (one number with catalogued distractors)
CHOICE_PARTS = ("total",)
MAX_CHOICES = 8
LETTERS = "ABCDEFGH"


def choice_label(problem: Problem, part: str, value: int) -> str | None:
    """The letter of the option with this value, or None."""
    for c in problem.choices.get(part, ()):
        if c["value"] == value:
            return str(c["label"])
    return None


def _prior(mids: tuple[str, ...]) -> float:
    return max((MISCONCEPTIONS[m].prior for m in mids if m in MISCONCEPTIONS), default=0.0)


def _options(problem: Problem, part: str, n: int) -> list[dict[str, Any]]:
    wrong = sorted(distractors(problem, part), key=lambda d: (-_prior(d.misconceptions),
                                                               d.value))[: n - 1]
    options = [{"value": int(problem.answers[part]), "correct": True, "misconceptions": [],
                "feedback": "Correct."}]
    options += [{"value": d.value, "correct": False, "misconceptions": list(d.misconceptions),
                 "feedback": d.feedback} for d in wrong]
    random.Random(f"choices|{problem.id}|{problem.seed}|{part}").shuffle(options)
    return [{"label": LETTERS[i], **o} for i, o in enumerate(options)]


def with_choices(problem: Problem, n: int) -> Problem:
    """The problem with up to ``n`` options (1 correct, n - 1 diagnosed) for each choice part.

    A variant with fewer catalogued wrong values than ``n - 1`` gets fewer options (never a
    made-up one); ConfigError when ``n`` is out of range.
    """
    if not 2 <= n <= MAX_CHOICES:
        raise ConfigError(f"--choices takes 2 to {MAX_CHOICES} options; received {n}.")
    choices = {part: _options(problem, part, n) for part in problem.parts if part in CHOICE_PARTS}
    return replace(problem, choices={k: v for k, v in choices.items() if len(v) >= 2})
