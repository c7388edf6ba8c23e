"""Arithmetic answers as a small immutable tree: exact evaluation under caps, terms and
factors for the diagnosis, and printing. Reading text into a tree is :mod:`grader.expr_reading`.

The tree is walked iteratively, so even a hand-built deep tree cannot overflow the stack.

>>> from grader.expr_reading import parse_expression
>>> from grader.reading import resolve_locale
>>> expr, value = parse_expression("(7*7*1+1)*60 + (5*5*60+1)*100", resolve_locale(None))
>>> value, format_expr(expr)
(Fraction(153100, 1), '(7*7*1 + 1)*60 + (5*5*60 + 1)*100')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias, TypeVar

from .numbers import format_value
from .reading import MAX_BITS, MAX_EXPONENT, ParseError, Reason, check_size

__all__ = ["MAX_DEPTH", "MAX_EXPR_CHARS", "MAX_NODES", "BinOp", "Expr", "Neg", "Num", "evaluate",
           "factors", "format_expr", "terms"]

MAX_EXPR_CHARS = 2_000  # one expression, after clean-up
# numbers + operators in one expression. The reference's P4 says 50; a whole network written
# as one sum ((7*7*1+1)*60 + (5*5*60+1)*100 + ... for 7 layers) needs ~100, so we allow 200:
# every other cap (2,000 chars, depth 20, |exponent| <= 64, values <= 2**256) still bounds
# the work, and the DoS tests run against this limit.
MAX_NODES = 200
MAX_DEPTH = 20          # nested brackets, signs and exponents


@dataclass(frozen=True, slots=True)
class Num:
    """A number literal: its exact value and the text it was read from."""

    value: Fraction
    text: str


@dataclass(frozen=True, slots=True)
class BinOp:
    """``left op right`` with op one of ``+ - * / ^``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: Expr


Expr: TypeAlias = Num | BinOp | Neg
T = TypeVar("T")


def _fold(expr: Expr, num: Callable[[Num], T], neg: Callable[[Neg, T], T],
          binop: Callable[[BinOp, T, T], T]) -> T:
    """Post-order fold with an explicit stack (no recursion, any depth)."""
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    out: list[T] = []
    while stack:
        node, ready = stack.pop()
        if isinstance(node, Num):
            out.append(num(node))
        elif ready:
            if isinstance(node, Neg):
                out.append(neg(node, out.pop()))
            else:
                right = out.pop()
                out.append(binop(node, out.pop(), right))
        elif isinstance(node, Neg):
            stack += [(node, True), (node.operand, False)]
        elif isinstance(node, BinOp):
            stack += [(node, True), (node.right, False), (node.left, False)]
        else:
            raise TypeError(f"not an expression node: {type(node).__name__}")
    return out[0]


Value: TypeAlias = int | Fraction  # ints while the value is whole: int arithmetic is ~30x faster
_LIMIT = 1 << MAX_BITS


def _sized(v: Value) -> Value:
    """``v`` as an int when whole, after the 2**256 check."""
    if isinstance(v, int):
        if -_LIMIT <= v <= _LIMIT:
            return v
        return int(check_size(Fraction(v)))  # raises: past 2**256
    v = check_size(v)
    return v.numerator if v.denominator == 1 else v


def _power(base: Value, exp: Value) -> Value:
    if type(exp) is not int:
        raise ParseError(Reason.BAD_EXPONENT, f"the exponent {exp} is not a whole number; "
                         "use whole-number powers such as 2^10.")
    if abs(exp) > MAX_EXPONENT:
        raise ParseError(Reason.EXPONENT_TOO_LARGE, f"the exponent {exp:,} is larger than "
                         f"{MAX_EXPONENT}; no network has that many parameters, so check the "
                         "power.")
    if base == 0 and exp < 0:
        raise ParseError(Reason.DIVISION_BY_ZERO, "it raises 0 to a negative power, which "
                         "divides by zero; check the exponent.")
    frac = Fraction(base)
    bits = max(frac.numerator.bit_length(), frac.denominator.bit_length())
    if (bits - 1) * abs(exp) > MAX_BITS:  # |base| >= 2**(bits-1): too large before computing
        raise ParseError(Reason.RESULT_TOO_LARGE, f"a power in it is larger than 2^{MAX_BITS}, "
                         "far beyond any parameter count; check the powers.")
    return _sized(base**exp if exp >= 0 else frac**exp)


def _apply(op: str, a: Value, b: Value) -> Value:
    if op == "+":
        return _sized(a + b)
    if op == "-":
        return _sized(a - b)
    if op == "*":
        return _sized(a * b)
    if op == "/":
        if b == 0:
            raise ParseError(Reason.DIVISION_BY_ZERO, "it divides by zero; check the "
                             "denominator.")
        return _sized(Fraction(a) / b)
    if op == "^":
        return _power(a, b)
    raise ValueError(f"unknown operator {op!r}; use one of + - * / ^.")


def evaluate(expr: Expr) -> Fraction:
    """Exact value of an expression tree (iterative; raises ParseError past the caps).

    >>> evaluate(BinOp("^", Num(Fraction(2), "2"), Num(Fraction(10), "10")))
    Fraction(1024, 1)
    """
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    out: list[Value] = []
    while stack:
        node, ready = stack.pop()
        if isinstance(node, Num):
            v = node.value
            out.append(_sized(v.numerator if v.denominator == 1 else v))
        elif ready:
            if isinstance(node, Neg):
                out.append(-out.pop())
            else:
                right = out.pop()
                out.append(_apply(node.op, out.pop(), right))
        elif isinstance(node, Neg):
            stack += [(node, True), (node.operand, False)]
        elif isinstance(node, BinOp):
            stack += [(node, True), (node.right, False), (node.left, False)]
        else:
            raise TypeError(f"not an expression node: {type(node).__name__}")
    return Fraction(out[0])


def terms(expr: Expr) -> list[tuple[int, Expr]]:
    """Top-level summands with their signs (+1/-1), flattening nested + and - and unary minus.

    >>> from grader.expr_reading import _EN, parse_expression
    >>> [(s, format_expr(t)) for s, t in terms(parse_expression("3*3*64 - (64 - 1)", _EN)[0])]
    [(1, '3*3*64'), (-1, '64'), (1, '1')]
    """
    out: list[tuple[int, Expr]] = []
    stack: list[tuple[int, Expr]] = [(1, expr)]
    while stack:
        sign, node = stack.pop()
        if isinstance(node, BinOp) and node.op in ("+", "-"):
            stack.append((sign if node.op == "+" else -sign, node.right))
            stack.append((sign, node.left))
        elif isinstance(node, Neg):
            stack.append((-sign, node.operand))
        else:
            out.append((sign, node))
    return out


def factors(expr: Expr) -> list[Fraction]:
    """Numeric factors of a product, left to right, flattening ``*`` and ``/``.

    A divisor contributes the reciprocals of its own factors (``a/(b*c)`` gives a, 1/b, 1/c);
    any other sub-expression (a sum, a power, a negation) is one factor, evaluated.

    >>> from grader.expr_reading import _EN, parse_expression
    >>> factors(parse_expression("(7*7*1+1)*60/2", _EN)[0])
    [Fraction(50, 1), Fraction(60, 1), Fraction(1, 2)]
    """
    out: list[Fraction] = []
    stack: list[tuple[bool, Expr]] = [(False, expr)]
    while stack:
        inverted, node = stack.pop()
        if isinstance(node, BinOp) and node.op in ("*", "/"):
            stack.append((inverted != (node.op == "/"), node.right))
            stack.append((inverted, node.left))
            continue
        value = evaluate(node)
        if inverted:
            if value == 0:
                raise ParseError(Reason.DIVISION_BY_ZERO, "it divides by zero; check the "
                                 "denominator.")
            value = 1 / value
        out.append(value)
    return out


# -- printing -----------------------------------------------------------------------------
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


def _num_text(value: Fraction) -> tuple[str, int]:
    if value.denominator == 1:
        return str(value.numerator), (5 if value.numerator >= 0 else 3)
    sign, prec = ("-", 3) if value < 0 else ("", 5)
    value = abs(value)
    if value.denominator == 1:
        return f"{sign}{value.numerator}", prec
    text = format_value(value).replace(",", "")
    whole, _, frac = text.partition(".")
    if "/" in text or (len(frac) == 3 and whole != "0" and len(whole) <= 3):
        return f"{sign}{value.numerator}/{value.denominator}", 2
    return sign + text, prec


def _print_bin(node: BinOp, left: tuple[str, int], right: tuple[str, int]) -> tuple[str, int]:
    p = _PREC[node.op]
    (ls, lp), (rs, rp) = left, right
    if lp < p or (p >= 2 and lp == 3) or (node.op == "^" and lp <= 4):
        ls = f"({ls})"
    if (rp < 3) if node.op == "^" else (rp < p or (rp == p and node.op in ("-", "/"))):
        rs = f"({rs})"
    glue = f" {node.op} " if p == 1 else node.op
    return ls + glue + rs, p


def format_expr(expr: Expr) -> str:
    """Canonical text of a tree that parses back to the same value (no locale needed).

    >>> from grader.expr_reading import _EN, parse_expression
    >>> format_expr(parse_expression("2 x (3 + 4)^2", _EN)[0])
    '2*(3 + 4)^2'
    """
    return _fold(expr, lambda n: _num_text(n.value),
                 lambda _, o: ("-" + (o[0] if o[1] >= 3 else f"({o[0]})"), 3), _print_bin)[0]
