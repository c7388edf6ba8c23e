"""Reading an arithmetic answer: a tokenizer and a depth-capped grammar into :mod:`grader.expr`.

Grammar (no names, no functions, no strings; ``x`` and ``×`` multiply between operands)::

    expr   := [+|-] term (( + | - ) term)*        a leading sign negates the first term
    term   := factor (( * | / | x ) factor | implicit)*   implicit: 2(3+4), (3*3+1)(20)
    factor := ( + | - ) factor | power
    power  := primary [ (^ | **) factor ]          right-associative: 2^3^2 = 2^9
    primary:= number | ( expr ) | [ expr ] | { expr } | \\frac group group

Numbers inside an expression use the same numeral rules as single numbers: ``_``, ``'`` and
spaces group digits in threes, a comma groups only when it is unambiguous (``50,828,751``;
``1,234`` is ambiguous unless the locale decides; ``94,94,60`` is not a grouping, so commas
never separate arguments), and ``5.08e7`` is a literal. Implicit multiplication is read only
before an opening bracket or ``\frac`` (``2(3+4)``, ``(3*3*1+1)(20)``), never between two
bare numbers (``2 3`` is a grouping error) or after a bracket (``(3)4`` is an error).

Caps (all checked while reading, before any big number exists): text <= MAX_EXPR_CHARS,
numbers and operators <= MAX_NODES (200; P4's 50 is too few for a whole network), brackets and signs nested <= MAX_DEPTH, literal
digits <= 80, |exponent| <= 64 and every value <= 2**256 (:func:`evaluate`). The tree is
walked iteratively (see :mod:`grader.expr`).

>>> from grader.expr import format_expr
>>> expr, value = parse_expression("(7*7*1+1)*60 + (5*5*60+1)*100", resolve_locale(None))
>>> value, format_expr(expr)
(Fraction(153100, 1), '(7*7*1 + 1)*60 + (5*5*60 + 1)*100')
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from .expr import MAX_DEPTH, MAX_EXPR_CHARS, MAX_NODES, BinOp, Expr, Neg, Num, evaluate
from .numbers import read_numeral
from .reading import (
    MAX_EXPONENT,
    MAX_LITERAL_DIGITS,
    Locale,
    ParseError,
    Reason,
    check_size,
    echo,
    resolve_locale,
)

__all__ = ["parse_expression"]

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:[0-9](?:[0-9]|[.,'_ ](?=[0-9]))*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<op>\*\*|[-+*/^])
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<word>\\?[A-Za-z_]+)
  )""", re.VERBOSE | re.ASCII)
_IDENT = re.compile(r"\\?[A-Za-z_][A-Za-z0-9_]*")
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_NAN = {"nan", "inf", "infinity"}
_EN = resolve_locale("en")


class _Tok(NamedTuple):
    key: str    # what the grammar sees: num, open, close, frac, end or the operator + - * / ^
    text: str   # as typed, for messages
    pos: int
    value: Fraction | None = None


def _literal(text: str, loc: Locale) -> Fraction:
    if text.isdigit() and len(text) <= MAX_LITERAL_DIGITS:  # ASCII here: the common case
        return check_size(Fraction(int(text)))
    mantissa, e, exp = text.replace("E", "e").partition("e")
    value, _ = read_numeral(mantissa, loc)
    if e:
        n = int(exp)
        if abs(n) > MAX_EXPONENT:
            raise ParseError(Reason.EXPONENT_TOO_LARGE, f"the power of ten in {echo(text)} is "
                             f"beyond ±{MAX_EXPONENT}; check it.")
        value *= Fraction(10) ** n
    return check_size(value)


def _tokenize(text: str, loc: Locale) -> list[_Tok]:
    toks: list[_Tok] = []
    nodes, opened, pos, end = 0, [], 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            at = pos + len(text[pos:]) - len(text[pos:].lstrip())
            ch = text[at]
            hint = ("as in 50,828,751; put several values on separate lines" if ch == ","
                    else "use + - * / ^ and parentheses")
            raise ParseError(Reason.SYNTAX, f"the character '{ch}' at position {at + 1} is not "
                             f"something we can read here ({hint}).")
        kind, tok, start = m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup)
        pos = m.end()
        value, key = None, kind
        if kind == "num":
            value = _literal(tok, loc)
        elif kind == "op":
            key = "^" if tok == "**" else tok
        elif kind == "word":
            if tok in ("x", "X"):
                kind = key = "*"
            elif tok in ("\\frac", "\\dfrac", "\\tfrac"):
                kind = key = "frac"
            else:
                ident = _IDENT.match(text, start)
                shown = ident.group() if ident else tok
                if shown.lower() in _NAN:
                    raise ParseError(Reason.NOT_A_NUMBER, f"{echo(shown)} is not a count; type "
                                     "the exact number of parameters as digits, e.g. 1792.")
                raise ParseError(Reason.UNKNOWN_WORD, f"{echo(shown)} is not a number or an "
                                 "operator; only digits, + - * / ^ and brackets are read, "
                                 "e.g. (3*3*3+1)*64.")
        elif kind == "open":
            opened.append(tok)
            if len(opened) > MAX_DEPTH:
                raise _too_deep()
        elif kind == "close":
            if not opened or _CLOSE[opened.pop()] != tok:
                raise ParseError(Reason.SYNTAX, f"the '{tok}' at position {start + 1} has no "
                                 "matching opening bracket; check the brackets.")
        if kind != "open" and kind != "close":
            nodes += 1
            if nodes > MAX_NODES:
                raise _too_many()
        toks.append(_Tok(key, tok, start, value))
    if opened:
        raise ParseError(Reason.SYNTAX, f"{len(opened)} bracket(s) are never closed; add the "
                         f"missing '{_CLOSE[opened[-1]]}'.")
    return toks


def _too_deep() -> ParseError:
    return ParseError(Reason.TOO_DEEP, f"brackets, signs or powers are nested more than "
                      f"{MAX_DEPTH} deep; simplify the expression or type the final number.")


def _too_many() -> ParseError:
    return ParseError(Reason.TOO_MANY_TERMS, f"the expression has more than {MAX_NODES} numbers "
                      "and operators; type the final number, or one value per layer on "
                      "separate lines.")


class _Parser:
    """Recursive descent with an explicit depth counter (each level costs ~5 stack frames)."""

    def __init__(self, toks: list[_Tok], text: str) -> None:
        self.toks, self.text, self.i, self.depth = toks, text, 0, 0
        self.keys = [t.key for t in toks] + ["end"]
        self.nodes = sum(k != "open" and k != "close" for k in self.keys) - 1

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep()

    def _error(self) -> ParseError:
        if self.i >= len(self.toks):
            last = self.toks[-1].text if self.toks else ""
            return ParseError(Reason.SYNTAX, f"{echo(self.text)} ends with '{last}', where a "
                              "number or bracket should follow; complete or remove it.")
        tok = self.toks[self.i]
        return ParseError(Reason.SYNTAX, f"'{tok.text}' at position {tok.pos + 1} of "
                          f"{echo(self.text)} is out of place (a missing number or operator?); "
                          "check the operators and brackets.")

    def parse(self) -> Expr:
        node = self.expr()
        if self.i != len(self.toks):
            raise self._error()
        return node

    def expr(self) -> Expr:
        key = self.keys[self.i]
        if key == "+" or key == "-":
            self.i += 1
            self._enter()
            node = self.term()
            self.depth -= 1
            node = Neg(node) if key == "-" else node
        else:
            node = self.term()
        while (key := self.keys[self.i]) == "+" or key == "-":
            self.i += 1
            node = BinOp(key, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while True:
            key = self.keys[self.i]
            if key == "*" or key == "/":
                self.i += 1
                node = BinOp(key, node, self.factor())
            elif key == "open" or key == "frac":  # implicit: 2(3+4), (3*3+1)(20)
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise _too_many()
                node = BinOp("*", node, self.factor())
            else:
                return node

    def factor(self) -> Expr:
        key = self.keys[self.i]
        if key == "+" or key == "-":
            self.i += 1
            self._enter()
            node = self.factor()
            self.depth -= 1
            return Neg(node) if key == "-" else node
        return self.power()

    def power(self) -> Expr:
        base = self.primary()
        if self.keys[self.i] == "^":
            self.i += 1
            self._enter()
            exponent = self.factor()
            self.depth -= 1
            return BinOp("^", base, exponent)
        return base

    def primary(self) -> Expr:
        key = self.keys[self.i]
        if key == "num":
            tok = self.toks[self.i]
            self.i += 1
            assert tok.value is not None  # the tokenizer gives every num its value
            return Num(tok.value, tok.text)
        if key == "frac":
            self.i += 1
            top = self._group()
            return BinOp("/", top, self._group())
        if key != "open":
            raise self._error()
        self.i += 1
        self._enter()
        node = self.expr()
        self.depth -= 1
        self.i += 1  # the matching close (the tokenizer checked the pairs)
        return node

    def _group(self) -> Expr:
        if self.keys[self.i] != "open":
            raise ParseError(Reason.SYNTAX, "\\frac needs two groups in braces, as in "
                             "\\frac{10}{2}.")
        return self.primary()


def parse_expression(text: str, loc: Locale | None) -> tuple[Expr, Fraction]:
    """Read cleaned ASCII text as an arithmetic expression: its tree and exact value.

    >>> parse_expression("2^10 + 10**3 - \\\\frac{10}{2}", _EN)[1]
    Fraction(2019, 1)
    """
    if len(text) > MAX_EXPR_CHARS:
        raise ParseError(Reason.TOO_LONG, f"the expression is {len(text):,} characters long and "
                         f"the limit is {MAX_EXPR_CHARS:,}; type the final number instead.")
    toks = _tokenize(text, loc or resolve_locale(None))
    if not toks:
        raise ParseError(Reason.EMPTY, "the answer is empty; type the number of parameters, "
                         "e.g. 1792.")
    tree = _Parser(toks, text).parse()
    return tree, evaluate(tree)
