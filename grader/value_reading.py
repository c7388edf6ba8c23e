"""Reading one value: a number, an arithmetic expression or a shape (a layer of the answer
parser; the public API is :mod:`grader.parse`).

A breakdown entry, a JSON value and a whole one-value answer are all read here, so one value
is read the same way wherever it stands.

>>> from grader.reading import resolve_locale
>>> read_value("3*3*3*64 + 64", "3*3*3*64 + 64", resolve_locale(None), None, False).reading
'3*3*3*64 + 64 = 1,792'
"""

from __future__ import annotations

import re
from fractions import Fraction

from .cleanup import clean_value, split_approximate
from .expr import Num, format_expr
from .expr_reading import parse_expression
from .numbers import format_value, has_operator, read_number
from .parsed import Expect, ExpressionAnswer, NumberAnswer, ShapeAnswer
from .reading import MAX_NUMBER_CHARS, Locale, NumberReading, ParseError, Reason, echo
from .shape_reading import read_shape

__all__ = ["Value", "approximate_error", "empty_error", "number_answer", "read_value"]

#: what one value reads as
Value = NumberAnswer | ExpressionAnswer | ShapeAnswer

_POWER = re.compile(r"[+-]? ?10 ?(?:\^|\*\*)")  # 10^7 alone is a power, like 2^10


def empty_error() -> ParseError:
    return ParseError(Reason.EMPTY, "the answer is empty; type the number of parameters, "
                      "e.g. 1792.")


def _nonnegative(value: Fraction, allow_negative: bool) -> None:
    if value < 0 and not allow_negative:
        reading = format_value(value)
        raise ParseError(Reason.NEGATIVE, f"we read {reading}, but a number of parameters "
                         "cannot be negative; remove the minus sign.", reading)


def number_answer(r: NumberReading, text: str, allow_negative: bool) -> NumberAnswer:
    """A number read from ``text``; a negative one is refused unless ``allow_negative``."""
    _nonnegative(r.value, allow_negative)
    return NumberAnswer(r.value, text, format_value(r.value), r.approximate, r.notation)


def approximate_error(rest: str, v: str, loc: Locale) -> ParseError:
    """``~1.8k`` or ``about 1792``: refused, saying what we read (the exact count is due)."""
    reading = None
    try:
        r = read_number(clean_value(rest), loc)
        reading = f"about {format_value(r.value)}" if r else None
    except ParseError:
        pass
    read = f" (we read {reading})" if reading else ""
    return ParseError(Reason.APPROXIMATE, f"{echo(v)} is marked as approximate{read}, but the "
                      "exact count is needed; remove the '~' or 'about' and type every digit.",
                      reading)


def read_value(raw: str, s: str, loc: Locale, want: Expect | None,
               allow_negative: bool) -> Value:
    """One value ``s`` (``raw`` is the text the student typed, kept for the answer)."""
    v = clean_value(s)
    if not v:
        raise empty_error()
    rest = split_approximate(v)
    if rest is not None:
        raise approximate_error(rest, v, loc)
    if want is Expect.SHAPE or (want is None and v[0] in "(["):
        shape = read_shape(v, raw, want is Expect.SHAPE)
        if shape is not None:
            return shape
    if (len(v) <= MAX_NUMBER_CHARS or not has_operator(v)) and not _POWER.match(v):
        r = read_number(v, loc)
        if r is not None:
            return number_answer(r, raw, allow_negative)
    tree, value = parse_expression(v, loc)
    if isinstance(tree, Num):
        r = read_number(tree.text, loc)
        if r is not None:
            return number_answer(r, raw, allow_negative)
    _nonnegative(value, allow_negative)
    return ExpressionAnswer(value, tree, raw, f"{format_expr(tree)} = {format_value(value)}")
