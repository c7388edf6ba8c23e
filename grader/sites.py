"""The vocabulary of diagnosis: sites, explanations, per-layer findings, priors, budget.

A *site* is a misconception at one layer (a slip) or at every layer it fits (held
consistently). Ranking: log P(S) = Σ log π(site) + (|S| − 1)·log λ; a slip of a
misconception that fits n layers has π/n·e^−½. The thresholds below were set from
``bench/diagnosis.py`` (catalogued and uncatalogued answers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.buggy import BuggyResult, Engine
from generator.misconceptions import MISCONCEPTIONS, ORDER, Misconception

__all__ = ["BUDGET", "CAP", "CONFIDENT", "CONFIDENT_TOTAL", "FLOOR", "LAMBDA", "MAX_HEDGES", "MIN_WEIGHT", "OTHER",
           "OTHER_LOCAL", "Q", "RATIO", "SLIP", "Budget", "Explanation", "Finding", "Site",
           "TooLarge", "weight"]

#: cost of each extra misconception in an explanation (reference §5: λ ≈ 0.3)
LAMBDA = 0.3
#: a one-layer slip of a misconception that fits n layers: π/n · e^−½
SLIP = math.exp(-0.5)
#: prior mass of "something else" (an arithmetic slip no catalogue entry explains)
OTHER = 0.002
#: how often a student holding a misconception applies it where it fits (per-layer answers)
Q = 0.9
#: the same for one layer of a per-layer answer (a slip no entry explains)
OTHER_LOCAL = 0.02
#: candidates kept per answer before ranking
CAP = 400
#: a diagnosis is recorded (progress, topics, report) only at this posterior or above
CONFIDENT = 0.75
#: ... for a total alone, where a simpler mistake can hide a rarer combination giving the
#: same number (bench/diagnosis.py: 0.75 recorded 1.3% of catalogued answers wrongly, 0.9 0.7%)
CONFIDENT_TOTAL = 0.9
#: ... and at least this many times the runner-up
RATIO = 3.0
#: below this posterior a cause is not offered at all ("no common mistake explains it")
FLOOR = 0.1
#: at most this many "perhaps" lines
MAX_HEDGES = 3
#: explanations lighter than this can never reach FLOOR (even alone against OTHER): not indexed
MIN_WEIGHT = OTHER * FLOOR / (1 - FLOOR)
#: work units (layer evaluations, indexed combinations, traces) one network may cost to
#: prepare, and one answer to diagnose; beyond it the answer is graded but not diagnosed
BUDGET = 60_000


class TooLarge(Exception):
    """The diagnosis would cost more than its budget (the grade itself stays exact)."""


class Budget:
    """A deterministic work counter (never a clock: the same input gives the same output)."""

    def __init__(self, limit: int = BUDGET, engine: Engine | None = None) -> None:
        self.limit, self.used, self.engine = limit, 0, engine
        self.start = engine.evaluations if engine is not None else 0

    def spend(self, units: int = 1) -> None:
        """Charge ``units`` (plus the engine's new layer evaluations); raise past the limit."""
        self.used += units
        done = self.used + (self.engine.evaluations - self.start if self.engine else 0)
        if done > self.limit:
            raise TooLarge(f"diagnosis budget of {self.limit:,} work units exceeded")


@dataclass(frozen=True, slots=True)
class Site:
    """A misconception at one layer (a slip) or at every layer it fits (consistent)."""

    mid: str
    layers: tuple[int, ...]
    consistent: bool
    prior: float
    shape: bool

    @property
    def m(self) -> Misconception:
        return MISCONCEPTIONS[self.mid]


@dataclass(frozen=True)
class Explanation:
    """A set of sites that reproduces an answer, with its prior weight and trace."""

    sites: tuple[Site, ...]
    weight: float
    trace: BuggyResult
    posterior: float = 0.0

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({s.mid for s in self.sites}, key=ORDER.__getitem__))


@dataclass(frozen=True)
class Finding:
    """The verdict on one layer of a per-layer answer (judged on the student's own shapes)."""

    layer: int
    verdict: str  # correct | carried_forward | misconception | ambiguous | unknown
    expected: int  # the correct rule on the student's own input shape
    correct: int  # the correct value on the correct input shape
    got: int
    options: tuple[tuple[Site, ...], ...] = ()
    in_shape: tuple[int, ...] = ()
    student_in: tuple[int, ...] = ()
    #: P(best option) among this layer's options and "something else"
    posterior: float = 1.0
    #: the best option's weight, weighed by the whole answer (readings of an answer compare
    #: by it: :func:`grader.per_layer._story`)
    weight: float = 1.0

    @property
    def ids(self) -> tuple[str, ...]:
        if not self.options:
            return ()
        return tuple(sorted({s.mid for s in self.options[0]}, key=ORDER.__getitem__))


def weight(sites: tuple[Site, ...]) -> float:
    w = LAMBDA ** (len(sites) - 1)
    for s in sites:
        w *= s.prior
    return w
