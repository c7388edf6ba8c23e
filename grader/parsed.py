"""What the answer parser returns: one type per kind of answer, and why one was unreadable.

:func:`grader.parse.parse_answer` returns exactly one of these; graders dispatch on the type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from .expr import Expr
from .reading import Notation, Reason

__all__ = ["Answer", "BreakdownAnswer", "BreakdownEntry", "Expect", "ExpressionAnswer",
           "Invalid", "NumberAnswer", "Result", "ShapeAnswer"]


class Expect(StrEnum):
    """What the question asks for; decides how ``94x94x60`` and ``[3000, 5000]`` are read.

    >>> Expect("shape") is Expect.SHAPE
    True
    """

    SHAPE = "shape"          # 94x94x60 and bare 94, 94, 60 are shapes
    COUNT = "count"          # x and × multiply; no shapes
    NUMBER = "number"        # same as COUNT
    BREAKDOWN = "breakdown"  # same as COUNT for each value; [3000, 5000] is a breakdown


# -- results ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Invalid:
    """An answer we could not read: a stable reason, a sentence for the student, our reading.

    >>> from grader.parse import parse_answer, parse_number
    >>> parse_number("≈1.8k").message.startswith("Your answer looks rounded")
    True
    """

    reason: Reason
    message: str
    reading: str | None = None


class _ExactValue:
    """``is_integer`` and ``as_int`` for results that carry an exact ``value``."""

    __slots__ = ()
    value: Fraction

    @property
    def is_integer(self) -> bool:
        """Whether the value is a whole number."""
        return self.value.denominator == 1

    @property
    def as_int(self) -> int | None:
        """The value as an int, or None if it is not whole."""
        return self.value.numerator if self.value.denominator == 1 else None


@dataclass(frozen=True, slots=True)
class NumberAnswer(_ExactValue):
    """One number. ``approximate`` marks rounded forms (50.8M, 5.08e7): see ``read_number``.

    >>> from grader.parse import parse_number
    >>> parse_number("5.0828751E+07").as_int, parse_number("2.5").is_integer
    (50828751, False)
    """

    value: Fraction
    text: str
    reading: str
    approximate: bool = False
    notation: str = Notation.PLAIN


@dataclass(frozen=True, slots=True)
class ExpressionAnswer(_ExactValue):
    """An arithmetic answer: exact value, tree (see ``terms``/``factors``), reading.

    >>> from grader.parse import parse_answer
    >>> parse_answer("3*3*3*64+64").reading
    '3*3*3*64 + 64 = 1,792'
    """

    value: Fraction
    expr: Expr
    text: str
    reading: str


@dataclass(frozen=True, slots=True)
class ShapeAnswer:
    """A tensor shape in the order written; a leading None/?/batch/N/-1 sets ``has_batch``.

    >>> from grader.parse import parse_answer
    >>> parse_answer("(None, 94, 94, 60)").dims
    (94, 94, 60)
    """

    dims: tuple[int, ...]
    has_batch: bool
    text: str
    reading: str


@dataclass(frozen=True, slots=True)
class BreakdownEntry:
    """One line of a breakdown: an optional label and its value."""

    label: str | None
    value: NumberAnswer | ExpressionAnswer | ShapeAnswer


@dataclass(frozen=True, slots=True)
class BreakdownAnswer:
    """Per-layer values: ``conv1: 3000`` lines, CSV, ``;``-separated or JSON.

    >>> from grader.parse import parse_answer
    >>> parse_answer("conv1: 3000\\ndense = (250+1)*10").reading
    'conv1: 3,000; dense: (250 + 1)*10 = 2,510'
    """

    entries: tuple[BreakdownEntry, ...]
    text: str

    @property
    def reading(self) -> str:
        """How every entry was read, in order."""
        return "; ".join((f"{e.label}: " if e.label else "") + e.value.reading
                         for e in self.entries)


Answer: TypeAlias = NumberAnswer | ExpressionAnswer | BreakdownAnswer | ShapeAnswer
Result: TypeAlias = Answer | Invalid
