"""Read a student's answer safely: a number, an expression, a per-layer breakdown or a shape.

Student text is untrusted. Nothing here calls eval, exec, compile, sympify or any evaluator:
a tokenizer and a small depth-capped grammar read it into ``int`` and ``Fraction`` (never
float), and every public function returns a result instead of raising on any ``str``.

Caps (each exceeded cap is an ``Invalid`` with its reason, found before any large work):

======================  ==========  =====================================================
whole answer            4,000 chars ``MAX_INPUT_CHARS``, before normalisation and after
parse_number input      256 chars   ``MAX_NUMBER_INPUT_CHARS`` (spaces, LaTeX, unit words)
one number              64 chars    ``MAX_NUMBER_CHARS``, once LaTeX and unit words are gone
one literal             80 digits   ``MAX_LITERAL_DIGITS``
one expression          2,000 chars ``MAX_EXPR_CHARS``
expression nodes        200         ``MAX_NODES`` (numbers + operators; see grader/expr.py)
nesting                 20          ``MAX_DEPTH`` (brackets, signs, exponents)
exponent                |n| <= 64   ``MAX_EXPONENT`` (``a^n``, ``1e<n>``, ``x10^<n>``)
any value               <= 2**256   ``MAX_BITS``, checked before a power is computed
breakdown entries       200         ``MAX_ENTRIES``; labels ``[A-Za-z_][A-Za-z0-9_ .-]{0,40}``
shape dimensions        8           ``MAX_DIMS``
======================  ==========  =====================================================

How text is read, in order: JSON (``{"conv1": 3000}``; a ``[...]`` array only with quotes or
when counting) → a breakdown (two or more lines, ``;``, or ``label: value`` / ``label = value``;
a lone ``Total: 1792`` / ``answer = …`` is just its value) → a shape (see ``Expect``) → one
number (``read_number``) → an arithmetic expression (``grader.expr``).

This module is the entry point; each reader is its own module and data flows one way:
``parse`` → ``json_reading`` → ``breakdown_reading`` → ``value_reading`` → ``shape_reading``,
``numbers``, ``expr_reading`` → ``cleanup``, ``reading`` (the vocabulary).

>>> parse_answer("50,828,751 params").reading
'50,828,751'
>>> parse_answer("1,234").reason
<Reason.AMBIGUOUS_SEPARATOR: 'ambiguous_separator'>
"""

from __future__ import annotations

import re
from fractions import Fraction

from .breakdown_reading import (
    MAX_ENTRIES,
    TOTAL_LABELS,
    is_one_line_breakdown,
    read_breakdown,
    read_entries,
)
from .cleanup import clean_value, normalize_text, split_approximate
from .expr import (
    MAX_DEPTH,
    MAX_EXPR_CHARS,
    MAX_NODES,
    BinOp,
    Expr,
    Neg,
    Num,
    evaluate,
    factors,
    format_expr,
    terms,
)
from .json_reading import read_json
from .numbers import read_number
from .parsed import (
    Answer,
    BreakdownAnswer,
    BreakdownEntry,
    Expect,
    ExpressionAnswer,
    Invalid,
    NumberAnswer,
    Result,
    ShapeAnswer,
)
from .reading import (
    MAX_BITS,
    MAX_EXPONENT,
    MAX_INPUT_CHARS,
    MAX_LITERAL_DIGITS,
    MAX_NUMBER_CHARS,
    Locale,
    Notation,
    ParseError,
    Reason,
    echo,
    resolve_locale,
)
from .shape_reading import MAX_DIMS
from .value_reading import approximate_error, empty_error, number_answer, read_value

__all__ = [
    "MAX_BITS", "MAX_DEPTH", "MAX_DIMS", "MAX_ENTRIES", "MAX_EXPONENT", "MAX_EXPR_CHARS",
    "MAX_INPUT_CHARS", "MAX_LITERAL_DIGITS", "MAX_NODES", "MAX_NUMBER_CHARS",
    "MAX_NUMBER_INPUT_CHARS", "TOTAL_LABELS", "Answer", "BinOp", "BreakdownAnswer",
    "BreakdownEntry", "Expect", "Expr", "ExpressionAnswer", "Invalid", "Neg", "Notation", "Num",
    "NumberAnswer", "ParseError", "Reason", "Result", "ShapeAnswer", "evaluate", "factors",
    "format_expr", "parse_answer", "parse_number", "terms",
]

MAX_NUMBER_INPUT_CHARS = 256


def _invalid(err: ParseError) -> Invalid:
    prefix = ("Your answer looks rounded" if err.reason == Reason.APPROXIMATE
              else "Could not read your answer")
    return Invalid(err.reason, f"{prefix}: {err.detail}", err.reading)


def _last_resort(err: BaseException) -> Invalid:
    """P4: a cap we missed must still end as a format error, never a crash or a zero."""
    if isinstance(err, RecursionError):
        reason = Reason.TOO_DEEP
    elif isinstance(err, MemoryError | OverflowError):
        reason = Reason.RESULT_TOO_LARGE
    elif isinstance(err, ZeroDivisionError):
        reason = Reason.DIVISION_BY_ZERO
    else:
        reason = Reason.SYNTAX
    return Invalid(reason, "Could not read your answer: it is too complex or malformed to read; "
                   "type the final number, e.g. 1792.")


_FAST = re.compile(r"[0-9]{1,64}|[1-9][0-9]{0,2}(?:,[0-9]{3}){2,20}")


def _fast(text: str) -> NumberAnswer | None:
    """Plain digits or comma groups of three (two or more commas): a few microseconds."""
    if len(text) > MAX_NUMBER_CHARS:
        return None
    t = text
    if _FAST.fullmatch(t) is None:
        t = t.strip()
        if _FAST.fullmatch(t) is None:
            return None
    if "," in t:
        n = int(t.replace(",", ""))
        return NumberAnswer(Fraction(n), text, f"{n:,}", False, Notation.GROUPED)
    n = int(t)
    return NumberAnswer(Fraction(n), text, f"{n:,}", False, Notation.PLAIN)


def _check_text(text: object, fn: str) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{fn}() reads a str; received {type(text).__name__}. Convert numbers "
                        "with str() first.")


def _number(text: str, loc: Locale, allow_negative: bool) -> NumberAnswer:
    if len(text) > MAX_NUMBER_INPUT_CHARS:
        raise ParseError(Reason.TOO_LONG, f"it is {len(text):,} characters long and the "
                         f"limit is {MAX_NUMBER_INPUT_CHARS}; type just the number, e.g. "
                         "1792.")
    v = clean_value(normalize_text(text))
    if not v:
        raise empty_error()
    rest = split_approximate(v)
    if rest is not None:
        raise approximate_error(rest, v, loc)
    r = read_number(v, loc)
    if r is None:
        raise ParseError(Reason.NOT_A_NUMBER, f"{echo(v)} looks like a calculation; this "
                         "answer takes one number, so type its result, e.g. 1792.")
    return number_answer(r, text, allow_negative)


def parse_number(text: str, *, locale: str | None = None,
                 allow_negative: bool = False) -> NumberAnswer | Invalid:
    """Read one number in any accepted notation (B3); calculations are not numbers here.

    Raises TypeError for non-str text and ValueError for an unsupported locale (author errors).

    >>> parse_number("50 828 751").value, parse_number("1.234", locale="de").as_int
    (Fraction(50828751, 1), 1234)
    """
    _check_text(text, "parse_number")
    loc = resolve_locale(locale)
    fast = _fast(text)
    if fast is not None:
        return fast
    try:
        return _number(text, loc, allow_negative)
    except ParseError as err:
        return _invalid(err)
    except (RecursionError, MemoryError, OverflowError, ZeroDivisionError, ValueError) as err:
        return _last_resort(err)


def parse_answer(text: str, *, locale: str | None = None, expect: str | None = None,
                 allow_negative: bool = False) -> Result:
    """Read any answer: number, expression, per-layer breakdown or shape.

    With ``expect`` None, bracketed comma lists are shapes and ``5x5x3`` is a product;
    ``expect="shape"`` reads ``94x94x60`` as a shape; ``"count"``/``"number"``/``"breakdown"``
    never read shapes. A bare number (even in brackets) is a NumberAnswer, not an expression.
    Raises TypeError for non-str text and ValueError for an unknown locale or expect.

    >>> parse_answer("5x5x3").value, parse_answer("5x5x3", expect="shape").dims
    (Fraction(75, 1), (5, 5, 3))
    """
    _check_text(text, "parse_answer")
    loc = resolve_locale(locale)
    want = None if expect is None else Expect(expect)
    if want is not Expect.SHAPE:
        fast = _fast(text)
        if fast is not None:
            return fast
    try:
        return _dispatch(text, normalize_text(text), loc, want, allow_negative)
    except ParseError as err:
        return _invalid(err)
    except (RecursionError, MemoryError, OverflowError, ZeroDivisionError, ValueError) as err:
        return _last_resort(err)


def _dispatch(raw: str, text: str, loc: Locale, want: Expect | None,
              allow_negative: bool) -> Result:
    """JSON, then lines, then one line of entries, then one value (module docstring)."""
    s = text.strip()
    if not s:
        raise empty_error()
    counts = want in (Expect.COUNT, Expect.NUMBER, Expect.BREAKDOWN)
    if (s[0] == "{" and '"' in s) or (s[0] == "[" and ('"' in s or counts)):
        found = read_json(raw, s, loc, want, allow_negative)
        if found is not None:
            return found
    lines = [line.strip() for line in s.split("\n") if line.strip()]
    if len(lines) > 1:
        return read_breakdown(raw, lines, loc, want, allow_negative, lines_are_rows=True)
    if is_one_line_breakdown(s):
        return read_entries(raw, s, loc, want, allow_negative)
    return read_value(raw, s, loc, want, allow_negative)
