"""Grading one count (the ``total`` part): exact comparison, then the catalogue's search.

An expression whose summands can be lined up with layers is graded layer by layer
(:func:`grader.per_layer.grade_total_expression`); otherwise its value is graded here.
"""

from __future__ import annotations

from fractions import Fraction

from generator.misconceptions.slips import SLIPS
from generator.render import num

from . import sentences
from .answers import as_int
from .diagnose import FLOOR, MAX_LAYERS, Diagnoser, Explanation
from .expr import Expr, evaluate, format_expr, terms
from .outcome import Diagnosis, Run
from .slips import which_slip

__all__ = ["expr_text", "grade_number", "summand_values", "too_large",
           "total_search"]


def expr_text(expr: Expr) -> str | None:
    """An expression as the feedback prints it, or None past the parser's caps."""
    try:
        return format_expr(expr)
    except (RecursionError, ValueError, OverflowError):  # text for feedback only
        return None


def summand_values(expr: Expr) -> tuple[list[int], list[str | None]]:
    """The signed whole values of the top-level summands (empty when one is not whole)."""
    values: list[int] = []
    texts: list[str | None] = []
    try:
        for sign, t in terms(expr):
            tv = as_int(evaluate(t))
            if tv is None:
                return [], []
            values.append(sign * tv)
            texts.append(expr_text(t))
    except (RecursionError, ValueError, OverflowError, ZeroDivisionError, MemoryError):
        return [], []  # past a cap: grade the value only
    return values, texts


def grade_number(run: Run, value: Fraction, reading: str) -> None:
    v = as_int(value)
    if v is None:
        run.unreadable("not_integer", f"{reading} is not a whole number; a parameter count is "
                       "a whole number.")
        return
    run.given = v
    if v == run.prep.expected:
        run.correct()
        return
    total_search(run, v)


def total_search(run: Run, v: int) -> None:
    """A wrong total: the catalogue's explanations, confident or hedged (at most three,
    none below the floor), or "too large to diagnose" past the budget."""
    d = run.prep.diagnoser
    run.headline = f"Not quite: you answered {num(v)}."
    if d.too_large:
        too_large(run)
        return
    found, slip = d.explain(v)
    if not Diagnoser.confident(found):
        found = Diagnoser.offered(found)  # nothing below the floor is offered
        if slip >= FLOOR and (not found or slip >= found[0].posterior):
            _slip(run, v)  # a keystroke explains it at least as well as any mistake
    if not found:
        run.score = run.policy.unexplained
        if not run.advice:
            run.advice = ("No common mistake explains this value. Recompute layer by layer: "
                          "each layer's output shape, then its weights (kernel and bias).")
        return
    run.score = run.policy.diagnosed_total
    run.confident = Diagnoser.confident(found)
    run.ambiguous = not run.confident
    shown = found[:1] if run.confident else found
    for e in shown:
        # one sentence per explanation: the printed line and the JSON explanation agree
        if run.confident:
            text = sentences.sure(d, e, v, show=run.show)
        else:
            text = sentences.mistake(d, e, v, show=run.show) + sentences.twins(
                d, [o for o in shown if o is not e and o.trace.params == e.trace.params
                    and o.trace.shapes == e.trace.shapes])
            run.hedges.append(f"perhaps ({e.posterior:.0%}) {text}")
        run.diagnoses.append(_diagnosis(run, e, v, run.confident, text))
    if run.confident:
        run.line(run.diagnoses[0].explanation, layer=sentences.names(run.diagnoses[0].layers))
        return
    where = None
    if len(found) > 1:
        i = d.first_difference(found[0].trace, found[1].trace)
        if i is None:
            run.follow_up = (
                "These explanations give the same numbers in every layer; write the "
                "first layer's count as a formula with its factors, e.g. (k·k·C_in + 1)·"
                "C_out, so we can see which step you took.")
            return
        where = d.engine.names[i]
    run.follow_up = ("Answer per layer (one value per layer) so the mistake can be told apart"
                     + (f"; the explanations first differ at {where}." if where else "."))


def _slip(run: Run, v: int) -> None:
    """Name the arithmetic slip that gives ``v`` (never recorded: it is not a misconception);
    its numbers only where the expected answer is shown."""
    d = run.prep.diagnoser
    got = which_slip(d.base.params, v)
    if got is None:
        return
    slip = SLIPS[got[0]]
    text = f"{sentences.capital(slip.title)}?"
    if run.show:
        i = got[1]
        layer = d.engine.names[i] if i is not None else ""
        was = d.base.params[i] if i is not None else 0
        text += " " + slip.detail.format(value=num(v), key=num(d.base.total), layer=layer,
                                         was=num(was), got=num(v - d.base.total + was))
    run.line(text, kind="slip", title=slip.title, step=slip.id)
    run.advice = slip.hint


def too_large(run: Run) -> None:
    """Graded exactly, not diagnosed: the network is past the diagnosis budget (#10.5)."""
    run.score = run.policy.unexplained
    run.reason = "too_large_to_diagnose"
    run.advice = (f"This network is too large to diagnose (over {MAX_LAYERS} layers or past "
                  "the diagnosis budget); the answer was graded exactly. Recompute layer by "
                  "layer: each layer's output shape, then its weights.")


def _diagnosis(run: Run, e: Explanation, v: int, confident: bool, text: str) -> Diagnosis:
    d = run.prep.diagnoser
    layers: list[str] = []
    for s in e.sites:
        for i in s.layers:
            n = "input" if i < 0 else d.engine.names[i]
            if n not in layers:
                layers.append(n)
    return Diagnosis(e.ids, tuple(layers), v, text, confident)
