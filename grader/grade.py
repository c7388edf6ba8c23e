"""Grading: exact comparison, then a diagnosis of what went wrong, then rendered feedback.

:func:`grade` reads the answer in the form its part asks for (:mod:`generator.parts`), then
dispatches on the parser's result type to the grader of that form: one count
(:mod:`grader.totals`, :mod:`grader.macs`), one value per layer (:mod:`grader.per_layer`,
:mod:`grader.macs`), a shape (:mod:`grader.shapes`) or a labelled pair (:mod:`grader.pairs`).

Credit policy (:class:`CreditPolicy`, configurable): an exact answer earns 1.0; a per-layer
answer (or expression) whose only own mistake is one diagnosed slip, everything after it
right or correctly carried forward, earns 0.5; any other wrong answer 0 (an unexplained
wrong total earns nothing); approximate or unreadable answers are not graded (status
``unreadable``, no attempt used). Convention variants (a shape written channels first)
earn full credit with a note. In exam mode (``hide_answer``) no key is printed or returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.builder import CODE_STYLES
from generator.parts import Form, Quantity
from generator.render import render

from . import macs, pairs, per_layer, shapes, totals
from .answers import as_int
from .outcome import FORMATS, CreditPolicy, Diagnosis, GradeResult, Run
from .parse import (
    BreakdownAnswer,
    ExpressionAnswer,
    Invalid,
    NumberAnswer,
    ShapeAnswer,
    parse_answer,
)
from .prepared import Prepared, clear_cache, prepare

__all__ = ["CreditPolicy", "Diagnosis", "GradeResult", "Prepared", "clear_cache", "grade",
           "prepare"]

DEFAULT_POLICY = CreditPolicy()
#: how the parser reads an answer of each form (pairs are read by grader.pairs)
EXPECT = {Form.INTEGER: "number", Form.PER_LAYER: "breakdown", Form.SHAPE: "shape"}


def _read(answer: Any, prep: Prepared, locale: str | None) -> Any:
    if not isinstance(answer, str):
        return answer  # already parsed
    form = prep.spec.form
    if form is Form.PAIR:
        return pairs.read_pair(answer, prep.spec.labels, locale)
    return parse_answer(answer, locale=locale, expect=EXPECT[form])


def grade(problem: Any, answer: Any, *, part: str | Prepared = "total",
          hide_answer: bool = False, locale: str | None = None,
          policy: CreditPolicy = DEFAULT_POLICY, feedback_format: str = "text") -> GradeResult:
    """Grade one answer to one part; the feedback names the layer, step and formula."""
    prep = part if isinstance(part, Prepared) else prepare(problem, part)
    parsed = _read(answer, prep, locale)
    text = answer if isinstance(answer, str) else str(getattr(parsed, "text", ""))
    run = Run(prep, text, show=not hide_answer, policy=policy, code=shown_code(problem))
    _dispatch(run, parsed)
    ctx = run.context()
    return GradeResult(
        status=run.status, score=run.score, expected=None if hide_answer else prep.expected,
        given=run.given, ambiguous=run.ambiguous, diagnoses=tuple(run.diagnoses),
        feedback=render(FORMATS[feedback_format], ctx), reason=run.reason, part=prep.part,
        confident=run.confident, findings=tuple(run.findings), context=ctx)


def shown_code(problem: Any) -> str:
    """The framework whose code the question shows ("pytorch", "keras"), or "" (prose, a
    table, a bare spec): a problem's style, or a problem file's ``style``."""
    style = problem.get("style") if isinstance(problem, Mapping) else getattr(problem, "style", "")
    return style if style in CODE_STYLES else ""


def _dispatch(run: Run, parsed: Any) -> None:
    part = run.prep.spec
    match parsed:
        case Invalid(reason=reason, message=message):
            run.unreadable(str(reason), message)
            return
        # a rounded-looking form (7.27194e6, 1.5k) whose value is exactly the key is exact
        case NumberAnswer(approximate=True, reading=reading, value=value) if (
                part.form is not Form.SHAPE and as_int(value) != run.prep.expected):
            run.unreadable("approximate", f"your answer was read as an approximate value "
                           f"({reading}); an exact count is needed.")
            return
    mac = Quantity.MACS in part.kind.counts
    match part.form:
        case Form.SHAPE:
            _shape(run, parsed)
        case Form.PAIR:
            _pair(run, parsed)
        case Form.INTEGER if mac:
            _mac_count(run, parsed)
        case Form.INTEGER:
            _count(run, parsed)
        case Form.PER_LAYER if mac:
            _mac_layers(run, parsed)
        case Form.PER_LAYER:
            _layers(run, parsed)


def _unexpected(run: Run, what: str) -> None:
    run.unreadable("unexpected", f"expected {what}.")


def _count(run: Run, a: Any) -> None:
    match a:
        case BreakdownAnswer():
            per_layer.grade_breakdown(run, a)
        case ExpressionAnswer():
            per_layer.grade_total_expression(run, a)
        case NumberAnswer(value=value, reading=reading):
            totals.grade_number(run, value, reading)
        case _:
            _unexpected(run, "a number of parameters")


def _layers(run: Run, a: Any) -> None:
    match a:
        case BreakdownAnswer():
            per_layer.grade_breakdown(run, a)
        case ExpressionAnswer():
            per_layer.grade_expression(run, a)
        case NumberAnswer():
            run.unreadable("expected_breakdown", per_layer.EXPECTED_BREAKDOWN)
        case _:
            _unexpected(run, "one number of parameters per layer")


def _shape(run: Run, a: Any) -> None:
    match a:
        case ShapeAnswer(dims=dims, has_batch=has_batch):
            shapes.grade_dims(run, dims, has_batch)
        case NumberAnswer(value=value):
            shapes.grade_dims(run, (value,), False)
        case _:
            run.unreadable("expected_shape", "expected a shape such as 94x94x60.")


def _pair(run: Run, a: Any) -> None:
    match a:
        case pairs.PairAnswer():
            pairs.grade_pair(run, a)
        case pairs.NotAPair(reason=reason, message=message):
            run.unreadable(reason, message)
        case _:
            first, second = (lab.replace("_", "-") for lab in run.prep.spec.labels)
            _unexpected(run, f"two numbers, the {first} and the {second}")


def _mac_count(run: Run, a: Any) -> None:
    match a:
        case NumberAnswer(value=value, reading=reading) | ExpressionAnswer(value=value,
                                                                           reading=reading):
            macs.grade_mac_count(run, value, reading)
        case _:
            _unexpected(run, f"one number of MACs for {run.prep.spec.layer}")


def _mac_layers(run: Run, a: Any) -> None:
    match a:
        case BreakdownAnswer():
            got = per_layer.breakdown_values(run, a)
            if got is not None:
                macs.grade_mac_layers(run, got[0], got[1])
        case ExpressionAnswer(expr=expr):
            values, _ = totals.summand_values(expr)
            macs.grade_mac_layers(run, [None] * len(values), values)
        case NumberAnswer(value=value) if len(run.prep.expected) == 1:
            macs.grade_mac_layers(run, [None], [int(value)] if value.denominator == 1 else [])
        case NumberAnswer():
            run.unreadable("expected_breakdown", "this part asks for the MACs of each layer "
                           "with a kernel (e.g. 'conv1: 86400' on each line).")
        case _:
            _unexpected(run, "the MACs of each layer with a kernel")
