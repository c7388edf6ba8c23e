"""Grading one count (the ``total`` part): exact comparison, then the catalogue's search.

An expression whose summands can be lined up with layers is graded layer by layer
(:mod:`grader.per_layer`); otherwise its value is graded as a total.
"""

from __future__ import annotations

from typing import Any

from generator.misconceptions import MISCONCEPTIONS
from generator.render import num

from .answers import as_int
from .diagnose import Diagnoser, Explanation
from .explain import explain_total, trace_difference
from .outcome import Diagnosis, Run

__all__ = ["expr_text", "grade_expression", "grade_number", "summand_values", "total_search"]


def expr_text(expr: Any) -> str | None:
    """An expression as the feedback prints it, or None past the parser's caps."""
    from .parse import format_expr

    try:
        return str(format_expr(expr))
    except (RecursionError, ValueError, OverflowError):  # text for feedback only
        return None


def summand_values(expr: Any) -> tuple[list[int], list[str | None]]:
    """The signed whole values of the top-level summands (empty when one is not whole)."""
    from .parse import evaluate, terms

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


def grade_number(run: Run, value: Any, reading: str) -> None:
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


def grade_expression(run: Run, a: Any) -> None:
    """A sum expression for the total: line its summands up with layers when it can."""
    from .per_layer import grade_values

    v = as_int(a.value)
    if v is None:
        run.unreadable("not_integer", f"your expression gives {a.value}, not a whole number.")
        return
    if v == run.prep.expected:
        run.given = v
        run.correct()
        return
    values, texts = summand_values(a.expr)
    if len(values) < 2:
        run.given = v
        total_search(run, v)
        return
    grade_values(run, values, [None] * len(values), texts, total=v)


def total_search(run: Run, v: int) -> None:
    """A wrong total: the catalogue's explanations, confident or hedged."""
    d = run.prep.diagnoser
    found = d.total(v)
    run.headline = f"Not quite: you answered {num(v)}."
    if not found:
        run.score = run.policy.unexplained
        run.advice = ("No common mistake explains this value. Recompute layer by layer: "
                      "each layer's output shape, then its weights (kernel and bias).")
        return
    run.score = run.policy.diagnosed_total
    run.confident = Diagnoser.confident(found)
    run.ambiguous = not run.confident
    for e in found[:1] if run.confident else [e for e in found[:3] if e.posterior >= 0.05]:
        run.diagnoses.append(_diagnosis(run, e, v, run.confident))
    if run.confident:
        run.line(_sure(run, found[0], v), layer=", ".join(run.diagnoses[0].layers))
        return
    shown = [e for e in found[:3] if e.posterior >= 0.05] or found[:1]
    for e in shown:
        twins = [o for o in shown if o is not e and o.trace.params == e.trace.params
                 and o.trace.shapes == e.trace.shapes]
        same = (" It gives the same numbers in every layer as the "
                + " and the ".join(", ".join(MISCONCEPTIONS[m].title for m in o.ids)
                                   for o in twins) + " explanation.") if twins else ""
        run.hedges.append(f"perhaps ({e.posterior:.0%}) "
                          + explain_total(d, e, v, show=run.show) + same)
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


def _sure(run: Run, e: Explanation, v: int) -> str:
    d = run.prep.diagnoser
    parts = []
    for s in e.sites:
        m = MISCONCEPTIONS[s.mid]
        layer = ", ".join(d.engine.names[i] if i >= 0 else "the input" for i in s.layers)
        parts.append(f"{m.title[0].upper()}{m.title[1:]} ({layer}; step: {m.step}). "
                     f"{m.hint.format(layer=layer)} Formula: {m.formula}.")
    diff = trace_difference(d, e.trace, show=run.show)
    return " ".join(parts) + f" With this, {diff}, and the total is {num(v)}."


def _diagnosis(run: Run, e: Explanation, v: int, confident: bool) -> Diagnosis:
    d = run.prep.diagnoser
    layers: list[str] = []
    for s in e.sites:
        for i in s.layers:
            n = "input" if i < 0 else d.engine.names[i]
            if n not in layers:
                layers.append(n)
    return Diagnosis(e.ids, tuple(layers), v, explain_total(d, e, v, show=run.show), confident)
