"""Property tests for grader.parse: it never raises or hangs, and what it prints it reads back.

Examples per property come from the environment variable ``CNNQUIZ_FUZZ_EXAMPLES``:

* unset (CI): 300 examples, ``derandomize=True``, so every run tries the same inputs;
* set, e.g. ``CNNQUIZ_FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest tests/test_parse_fuzz.py
  -p no:cacheprovider``: a long randomized run on demand.

Hypothesis' own deadline is off; each call asserts its own bound (``BOUND``) instead, so a
slow parse fails with the input that caused it.
"""

from __future__ import annotations

import json
import os
import time
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.parse import (
    MAX_DEPTH,
    MAX_NODES,
    TOTAL_LABELS,  # the labels that mean "the whole answer"
    BreakdownAnswer,
    ExpressionAnswer,
    Invalid,
    NumberAnswer,
    Result,
    ShapeAnswer,
    format_expr,
    parse_answer,
    parse_number,
)

from .test_parse import exact

EXAMPLES = int(os.environ.get("CNNQUIZ_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize="CNNQUIZ_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BOUND = 0.2  # seconds per call (the target is < 50 ms)
RESULTS = (NumberAnswer, ExpressionAnswer, BreakdownAnswer, ShapeAnswer, Invalid)
LOCALES = st.sampled_from([None, "en", "de", "fr", "en_IN"])
EXPECTS = st.sampled_from([None, "shape", "count", "number", "breakdown"])


def timed(text: str, **kwargs: Any) -> Result:
    """parse_answer with a time bound; a slow call is retried twice (the best of three counts),
    so a scheduler stall on a busy machine is not mistaken for a slow input."""
    elapsed = BOUND
    for _ in range(3):
        start = time.perf_counter()
        r = parse_answer(text, **kwargs)
        elapsed = min(elapsed, time.perf_counter() - start)
        if elapsed < BOUND:
            break
    assert isinstance(r, RESULTS), r
    assert elapsed < BOUND, f"{elapsed * 1000:.1f} ms for {text[:80]!r}"
    if isinstance(r, Invalid):
        assert r.message.startswith(("Could not read your answer", "Your answer looks rounded"))
        assert r.reason == r.reason.value  # a StrEnum code
    return r


# -- any text -----------------------------------------------------------------------------
@FUZZ
@given(st.text(), LOCALES, EXPECTS)
def test_any_unicode_text_gives_a_result(text: str, locale: str | None, expect: str | None) -> None:
    timed(text, locale=locale, expect=expect)
    assert isinstance(parse_number(text, locale=locale), NumberAnswer | Invalid)


ANSWER_CHARS = ("0123456789+-*/^()[]{}.,'_ xX\u00d7\u00b7\u2212eE$\\kKMBGTm\u2248~\n:;=\"\t"
                "\u2009\u202f\u00b2\u2077\u200bNone?abcfrac")


@FUZZ
@given(st.text(alphabet=ANSWER_CHARS, max_size=300), LOCALES, EXPECTS)
def test_answer_like_text_gives_a_result(text: str, locale: str | None,
                                         expect: str | None) -> None:
    timed(text, locale=locale, expect=expect)


@FUZZ
@given(st.sampled_from(["(", "-", "2^", "2**", "1+", "[", "{", "\\frac{1}{", "((1)", "9**"]),
       st.integers(0, 3000), st.sampled_from(["1", "1)", ")" * 5, ""]))
def test_repeated_fragments_stay_fast(fragment: str, times: int, tail: str) -> None:
    timed(fragment * times + tail)


# -- grammar-guided expressions -----------------------------------------------------------
# a tree is (text, value, nodes, depth, bits): the value is computed here, independently, and
# bits is the largest numerator/denominator bit length met on the way (the parser caps 256)
Tree = tuple[str, Fraction, int, int, int]


def _bits(v: Fraction) -> int:
    return max(v.numerator.bit_length(), v.denominator.bit_length())


leaves = st.integers(0, 999).map(lambda v: (str(v), Fraction(v), 1, 0, _bits(Fraction(v))))


def _node(text: str, value: Fraction, nodes: int, depth: int, *kids: Tree) -> Tree:
    return text, value, nodes, depth, max(_bits(value), *(k[4] for k in kids))


def _combine(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    def binary(op: str, a: Tree, b: Tree) -> Tree:
        value = {"+": a[1] + b[1], "-": a[1] - b[1], "*": a[1] * b[1], "x": a[1] * b[1]}[op]
        return _node(f"({a[0]}){op}({b[0]})", value, a[2] + b[2] + 1, max(a[3], b[3]) + 1, a, b)

    def divide(a: Tree, b: Tree) -> Tree:
        assume(b[1] != 0)
        return _node(f"({a[0]})/({b[0]})", a[1] / b[1], a[2] + b[2] + 1, max(a[3], b[3]) + 1,
                     a, b)

    def power(a: Tree, e: int) -> Tree:
        assume(_bits(a[1]) < 40 and (a[1] != 0 or e >= 0))
        return _node(f"({a[0]})^{e}", a[1] ** e, a[2] + 2, a[3] + 1, a)

    def negate(a: Tree) -> Tree:
        return _node(f"-({a[0]})", -a[1], a[2] + 1, a[3] + 1, a)

    return st.one_of(
        st.builds(binary, st.sampled_from("+-*x"), children, children),
        st.builds(divide, children, children),
        st.builds(power, children, st.integers(-2, 3)),
        st.builds(negate, children),
    )


trees = st.recursive(leaves, _combine, max_leaves=12)


@FUZZ
@given(trees)
def test_expressions_read_back_to_their_value(tree: Tree) -> None:
    text, value, nodes, depth, bits = tree
    # each level adds a bracket and maybe a sign; the leaves sit in brackets too
    assume(nodes <= MAX_NODES and 2 * depth + 1 <= MAX_DEPTH and bits <= 250)
    r = timed(text, allow_negative=True)
    assert isinstance(r, NumberAnswer | ExpressionAnswer), (text, r)
    assert r.value == value
    if isinstance(r, ExpressionAnswer):  # the canonical printing reads back the same
        again = timed(format_expr(r.expr), allow_negative=True)
        assert isinstance(again, NumberAnswer | ExpressionAnswer) and again.value == value


@FUZZ
@given(st.recursive(leaves, _combine, max_leaves=80), st.sampled_from(["", " params", "$"]))
def test_big_random_expressions_never_crash(tree: Tree, dress: str) -> None:
    text = f"${tree[0]}$" if dress == "$" else tree[0] + dress
    r = timed(text, allow_negative=True)
    if not isinstance(r, Invalid):
        assert exact(r).value == tree[1]


# -- number formats -----------------------------------------------------------------------
def grouped(n: int, sep: str) -> str:
    digits = str(n)
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


FORMATS = {
    "plain": str,
    "comma": lambda n: grouped(n, ","),
    "space": lambda n: grouped(n, " "),
    "thin space": lambda n: grouped(n, "\u2009"),
    "narrow nbsp": lambda n: grouped(n, "\u202f"),
    "nbsp": lambda n: grouped(n, "\u00a0"),
    "latex thin space": lambda n: grouped(n, "\\,"),
    "underscore": lambda n: grouped(n, "_"),
    "apostrophe": lambda n: grouped(n, "'"),
    "dot": lambda n: grouped(n, "."),
    "sci": lambda n: (lambda d: f"{d[0]}.{d[1:]}e{len(d) - 1}" if len(d) > 1 else d)(str(n)),
    "sci x10": lambda n: (lambda d: f"{d[0]}.{d[1:]} \u00d7 10^{len(d) - 1}"
                          if len(d) > 1 else d)(str(n)),
    "with unit": lambda n: f"{n} params",
}


@FUZZ
@given(st.one_of(st.integers(0, 10**7), st.integers(0, 10**40)), st.sampled_from(sorted(FORMATS)))
def test_every_accepted_format_reads_back(n: int, fmt: str) -> None:
    text = FORMATS[fmt](n)
    # one ',' or '.' before three digits is ambiguous by design (1,234): skip that case
    assume(not (fmt in ("comma", "dot") and text.count(text[-4:-3]) == 1 and len(text) > 4))
    for r in (parse_number(text), timed(text), timed(f"  {text} \n")):
        assert isinstance(r, NumberAnswer), (text, r)
        assert r.value == n and r.as_int == n
        if fmt.startswith("sci") and len(str(n)) > 3:
            assert not r.approximate


@FUZZ
@given(st.integers(0, 10**12), st.integers(0, 99))
def test_decimal_comma_locales(whole: int, cents: int) -> None:
    text = f"{grouped(whole, '.')},{cents:02d}"
    r = parse_number(text, locale="de")
    assert isinstance(r, NumberAnswer) and r.value == whole + Fraction(cents, 100)
    r = parse_number(f"{grouped(whole, ' ')},{cents:02d}", locale="fr")
    assert isinstance(r, NumberAnswer) and r.value == whole + Fraction(cents, 100)


@FUZZ
@given(st.integers(1, 10**15))
def test_indian_grouping(n: int) -> None:
    digits = str(n)
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, i - 2):i] for i in range(len(head), 0, -2)][::-1]
    text = ",".join([*pairs, tail]) if head else tail
    r = parse_number(text, locale="en_IN")
    assert isinstance(r, NumberAnswer) and r.value == n, text


# -- breakdowns and shapes ----------------------------------------------------------------
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"
labels = st.builds(str.__add__, st.sampled_from(_ALNUM[:53]), st.text(_ALNUM, max_size=10))


@FUZZ
@given(st.lists(st.tuples(labels, st.integers(0, 10**9)), min_size=1, max_size=30),
       st.sampled_from(["colon", "equals", "csv", "json", "semicolon"]))
def test_breakdowns_read_back(pairs: list[tuple[str, int]], style: str) -> None:
    if style == "json":
        text = json.dumps(dict(pairs))
        pairs = list(dict(pairs).items())
    elif style == "semicolon":
        text = "; ".join(f"{lab}: {v}" for lab, v in pairs)
    else:
        sep = {"colon": ": ", "equals": " = ", "csv": ","}[style]
        text = "\n".join(f"{lab}{sep}{v}" for lab, v in pairs)
    # one CSV line is not a breakdown, and a lone "total: 5" is just the number 5
    assume(len(pairs) > 1 or (style != "csv" and pairs[0][0].lower() not in TOTAL_LABELS))
    r = timed(text)
    assert isinstance(r, BreakdownAnswer), (text, r)
    assert [(e.label, exact(e.value).value) for e in r.entries] == [
        (label, Fraction(v)) for label, v in pairs]


@FUZZ
@given(st.lists(st.integers(1, 4096), min_size=1, max_size=8),
       st.sampled_from(["x", " x ", "\u00d7", " \\times "]), st.booleans())
def test_shapes_read_back(dims: list[int], sep: str, batch: bool) -> None:
    r = timed(sep.join(map(str, dims)), expect="shape")
    assert isinstance(r, ShapeAnswer) and r.dims == tuple(dims)
    text = "(" + ", ".join((["None"] if batch else []) + list(map(str, dims))) + ")"
    r = timed(text)
    if len(dims) > 1 or batch:
        assert isinstance(r, ShapeAnswer) and (r.dims, r.has_batch) == (tuple(dims), batch)
