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

>>> parse_answer("50,828,751 params").reading
'50,828,751'
>>> parse_answer("1,234").reason
<Reason.AMBIGUOUS_SEPARATOR: 'ambiguous_separator'>
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

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
from .expr_reading import parse_expression
from .numbers import (
    MAX_BITS,
    MAX_EXPONENT,
    MAX_INPUT_CHARS,
    MAX_LITERAL_DIGITS,
    MAX_NUMBER_CHARS,
    Locale,
    Notation,
    NumberReading,
    ParseError,
    Reason,
    clean_value,
    echo,
    format_value,
    has_operator,
    normalize_text,
    read_number,
    resolve_locale,
    split_approximate,
)
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
from .shape_reading import MAX_DIMS, read_shape

__all__ = [
    "MAX_BITS", "MAX_DEPTH", "MAX_DIMS", "MAX_ENTRIES", "MAX_EXPONENT", "MAX_EXPR_CHARS",
    "MAX_INPUT_CHARS", "MAX_LITERAL_DIGITS", "MAX_NODES", "MAX_NUMBER_CHARS",
    "MAX_NUMBER_INPUT_CHARS", "Answer", "BinOp", "BreakdownAnswer", "BreakdownEntry", "Expect",
    "Expr", "ExpressionAnswer", "Invalid", "Neg", "Notation", "Num", "NumberAnswer",
    "ParseError", "Reason", "Result", "ShapeAnswer", "evaluate", "factors", "format_expr",
    "parse_answer", "parse_number", "terms",
]

MAX_NUMBER_INPUT_CHARS = 256
MAX_ENTRIES = 200


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


def _nonnegative(value: Fraction, allow_negative: bool) -> None:
    if value < 0 and not allow_negative:
        reading = format_value(value)
        raise ParseError(Reason.NEGATIVE, f"we read {reading}, but a number of parameters "
                         "cannot be negative; remove the minus sign.", reading)


def _number(r: NumberReading, text: str, allow_negative: bool) -> NumberAnswer:
    _nonnegative(r.value, allow_negative)
    return NumberAnswer(r.value, text, format_value(r.value), r.approximate, r.notation)


def _approximate(rest: str, v: str, loc: Locale) -> ParseError:
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
        if len(text) > MAX_NUMBER_INPUT_CHARS:
            raise ParseError(Reason.TOO_LONG, f"it is {len(text):,} characters long and the "
                             f"limit is {MAX_NUMBER_INPUT_CHARS}; type just the number, e.g. "
                             "1792.")
        v = clean_value(normalize_text(text))
        if not v:
            raise ParseError(Reason.EMPTY, "the answer is empty; type the number of "
                             "parameters, e.g. 1792.")
        rest = split_approximate(v)
        if rest is not None:
            raise _approximate(rest, v, loc)
        r = read_number(v, loc)
        if r is None:
            raise ParseError(Reason.NOT_A_NUMBER, f"{echo(v)} looks like a calculation; this "
                             "answer takes one number, so type its result, e.g. 1792.")
        return _number(r, text, allow_negative)
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


_POWER = re.compile(r"[+-]? ?10 ?(?:\^|\*\*)")  # 10^7 alone is a power, like 2^10
_LABEL = r"[A-Za-z_][A-Za-z0-9_ .-]{0,40}"
_LABEL_RE = re.compile(_LABEL)
_LABELLED = re.compile(rf"(?P<label>{_LABEL}?)\s*[:=\t;,]\s*(?P<value>.*)", re.DOTALL)
_ONE_LINE_LABEL = re.compile(rf"{_LABEL}?\s*[:=\t]")
_NEXT_LABEL = re.compile(rf",\s*(?={_LABEL}?\s*[:=])")
_TOTAL_LABELS = {"total", "answer", "result", "sum", "params", "parameters", "trainable params",
                 "trainable parameters", "total params", "total parameters", "count", "n"}
_HEADER = {"params", "parameters", "param", "param #", "# params", "count", "value", "values",
           "weights", "n", "number", "total", "trainable params", "trainable parameters"}


def _dispatch(raw: str, text: str, loc: Locale, want: Expect | None,
              allow_negative: bool) -> Result:
    s = text.strip()
    if not s:
        raise ParseError(Reason.EMPTY, "the answer is empty; type the number of parameters, "
                         "e.g. 1792.")
    counts = want in (Expect.COUNT, Expect.NUMBER, Expect.BREAKDOWN)
    if (s[0] == "{" and '"' in s) or (s[0] == "[" and ('"' in s or counts)):
        found = _json(raw, s, loc, want, allow_negative)
        if found is not None:
            return found
    lines = [line.strip() for line in s.split("\n") if line.strip()]
    if len(lines) > 1:
        return _breakdown(raw, lines, loc, want, allow_negative, lines_are_rows=True)
    if ";" in s or _ONE_LINE_LABEL.match(s):
        pieces = [p.strip() for part in s.split(";") for p in _NEXT_LABEL.split(part)]
        pieces = [p for p in pieces if p]
        found = _breakdown(raw, pieces, loc, want, allow_negative, lines_are_rows=False)
        label = found.entries[0].label
        m = _LABELLED.match(pieces[0])
        if len(pieces) == 1 and m and label and label.lower() in _TOTAL_LABELS:
            return _value(raw, m["value"], loc, want, allow_negative)  # "Total: 1792" is 1792
        return found
    return _value(raw, s, loc, want, allow_negative)


def _value(raw: str, s: str, loc: Locale, want: Expect | None,
           allow_negative: bool) -> NumberAnswer | ExpressionAnswer | ShapeAnswer:
    v = clean_value(s)
    if not v:
        raise ParseError(Reason.EMPTY, "the answer is empty; type the number of parameters, "
                         "e.g. 1792.")
    rest = split_approximate(v)
    if rest is not None:
        raise _approximate(rest, v, loc)
    if want is Expect.SHAPE or (want is None and v[0] in "(["):
        shape = read_shape(v, raw, want is Expect.SHAPE)
        if shape is not None:
            return shape
    if (len(v) <= MAX_NUMBER_CHARS or not has_operator(v)) and not _POWER.match(v):
        r = read_number(v, loc)
        if r is not None:
            return _number(r, raw, allow_negative)
    tree, value = parse_expression(v, loc)
    if isinstance(tree, Num):
        r = read_number(tree.text, loc)
        if r is not None:
            return _number(r, raw, allow_negative)
    _nonnegative(value, allow_negative)
    return ExpressionAnswer(value, tree, raw, f"{format_expr(tree)} = {format_value(value)}")


# -- breakdowns ---------------------------------------------------------------------------
def _too_many_entries(n: int) -> ParseError:
    return ParseError(Reason.TOO_MANY_TERMS, f"it has {n} entries and the limit is "
                      f"{MAX_ENTRIES}; give one value per layer.")


def _label(label: str) -> str:
    label = " ".join(label.split())
    if not _LABEL_RE.fullmatch(label):
        raise ParseError(Reason.BAD_LABEL, f"the label {echo(label)} is not a layer name; use "
                         "letters, digits, spaces, '_', '.' or '-' (up to 41 characters), "
                         "e.g. conv1.")
    return label


def _breakdown(raw: str, rows: list[str], loc: Locale, want: Expect | None,
               allow_negative: bool, *, lines_are_rows: bool) -> BreakdownAnswer:
    if len(rows) > MAX_ENTRIES:
        raise _too_many_entries(len(rows))
    entries: list[BreakdownEntry] = []
    for n, row in enumerate(rows, 1):
        label: str | None = None
        value = row
        m = _LABELLED.match(row)
        if m and (lines_are_rows or row[m.end("label"):m.start("value")].strip()[:1] != ","):
            label, value = m["label"].strip(), m["value"]
            if '"' in row:
                label, value = label.strip('"'), value.strip().strip('"')
        elif '"' in row:
            value = row.strip().strip('"')
        if n == 1 and label and value.strip().lower() in _HEADER:
            continue  # a CSV header such as "layer,params"
        try:
            if label is not None:
                label = _label(label.strip('"'))
                if not value.strip():
                    raise ParseError(Reason.EMPTY, f"there is no value after {echo(label)}; "
                                     "write label: value, e.g. conv1: 1792.")
            entries.append(BreakdownEntry(label, _value(value, value, loc, want,
                                                        allow_negative)))
        except ParseError as err:
            where = f"line {n}" if lines_are_rows else f"entry {n}"
            hint = (" Write one entry per line as label: value, e.g. conv1: 1792."
                    if err.reason in (Reason.UNKNOWN_WORD, Reason.SYNTAX) else "")
            raise ParseError(err.reason, f"in {where} ({echo(row)}), {err.detail}{hint}",
                             err.reading) from None
    if not entries:
        raise ParseError(Reason.EMPTY, "it has a header but no values; write one line per "
                         "layer, e.g. conv1: 1792.")
    return BreakdownAnswer(tuple(entries), raw)


class _Raw(str):
    """A JSON number kept as its text, so our own grammar reads it (never float)."""


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs, duplicates and order kept."""


def _json_depth_ok(s: str, limit: int = 3) -> bool:
    depth, in_string, escaped = 0, False, False
    for ch in s:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _json(raw: str, s: str, loc: Locale, want: Expect | None,
          allow_negative: bool) -> BreakdownAnswer | None:
    """A JSON object or array as a breakdown; None if it is not JSON and has no quotes."""
    if not _json_depth_ok(s):
        raise ParseError(Reason.TOO_DEEP, "the JSON is nested more than 3 deep; use "
                         '{"conv1": 1792, "dense": 2510}.')
    try:
        data = json.loads(s, parse_int=_Raw, parse_float=_Raw, parse_constant=_Raw,
                          object_pairs_hook=_Pairs)
    except (ValueError, RecursionError) as err:
        if '"' not in s:
            return None
        where = (f" (line {err.lineno}, column {err.colno})"
                 if isinstance(err, json.JSONDecodeError) else "")
        raise ParseError(Reason.SYNTAX, f"it looks like JSON but is not valid JSON{where}; "
                         'check quotes and commas, e.g. {"conv1": 1792, "dense": 2510}.') from None
    if isinstance(data, _Pairs):
        pairs: list[tuple[object, object]] = list(data)
    elif isinstance(data, list):
        pairs = [_json_item(item) for item in data]
    else:
        return None
    if len(pairs) > MAX_ENTRIES:
        raise _too_many_entries(len(pairs))
    entries = []
    for n, (key, val) in enumerate(pairs, 1):
        try:
            label = None if key is None else _label(normalize_text(str(key)).strip())
            entries.append(BreakdownEntry(label, _json_value(val, loc, want, allow_negative)))
        except ParseError as err:
            raise ParseError(err.reason, f"in JSON entry {n}, {err.detail}", err.reading) from None
    if not entries:
        raise ParseError(Reason.EMPTY, "the JSON has no entries; write "
                         '{"conv1": 1792, "dense": 2510}.')
    return BreakdownAnswer(tuple(entries), raw)


def _json_item(item: object) -> tuple[object, object]:
    if isinstance(item, list) and len(item) == 2 and type(item[0]) is str:
        return item[0], item[1]
    if isinstance(item, _Pairs) and len(item) == 1:
        return item[0]  # type: ignore[no-any-return]
    return None, item


def _json_value(val: object, loc: Locale, want: Expect | None,
                allow_negative: bool) -> NumberAnswer | ExpressionAnswer | ShapeAnswer:
    if isinstance(val, str):  # _Raw numbers too: both go through the same grammar
        text = str(val) if isinstance(val, _Raw) else normalize_text(val)
        return _value(text, text, loc, want, allow_negative)
    if isinstance(val, list) and not isinstance(val, _Pairs) and all(
            v is None or isinstance(v, str) for v in val):
        text = "(" + ", ".join("None" if v is None else str(v) for v in val) + ")"
        return read_shape(text, text, True)  # type: ignore[return-value]
    kind = {bool: "true/false", type(None): "null"}.get(type(val), "a nested object")
    raise ParseError(Reason.NOT_A_NUMBER, f"a value is {kind}; give a number, an expression "
                     'in quotes or a shape list, e.g. {"conv1": 1792}.')
