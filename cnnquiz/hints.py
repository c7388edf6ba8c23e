"""Hints as a ladder: for each worked step, the concept, then the formula, then the numbers.

The ladder starts at the step the student's last confident diagnosis points to (the layer
it names), so the first hint after a diagnosed mistake is about that mistake, in the very
sentence the feedback states it with (:func:`grader.sentences.stated`, worded for the
layer's kind); with nothing diagnosed it starts at the first layer. A mistake is only
explained at a layer of a kind it applies to (a dense-layer mistake never at a conv). The
last rung of every step is the solution's own derivation line, so the hints never disagree
with the worked solution.

>>> from cnnquiz.practice_core import build
>>> p = build("basic", "easy", 42)
>>> [h.level for h in ladder(p)[:3]]
['concept', 'formula', 'numbers']
>>> ladder(p, focus="dense1", mistake="dense_no_bias")[0].text  # doctest: +NORMALIZE_WHITESPACE
'Dense bias left out (dense1; step: bias). In dense1, each unit also has one bias:
 (n_in + 1)·n_out. Formula: (n_in + 1)·n_out → n_in·n_out.'
>>> ladder(p, focus="conv1", mistake="dense_no_bias")[0].layer  # the mistake's own kind
'dense1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.misconceptions import MISCONCEPTIONS
from generator.network import LayerRow
from generator.problem import Problem
from generator.spec import family
from grader import sentences

__all__ = ["Hint", "LEVELS", "ladder"]

LEVELS = ("concept", "formula", "numbers")
#: what each symbol of the solution's formulas stands for (the concept rung names them)
SYMBOLS = {
    "H": "the input height", "W": "the input width", "D": "the input depth",
    "k_h": "the kernel height", "k_w": "the kernel width", "k_d": "the kernel depth",
    "k": "the kernel size", "C_in": "the input channels", "C_out": "the number of filters",
    "C": "the channels", "s_h": "the vertical stride", "s_w": "the horizontal stride",
    "s": "the stride", "P": "the padding", "p": "the padding", "d": "the dilation",
    "g": "the groups", "n_in": "the input length", "n_out": "the number of units",
    "n": "the length", "L": "the input length", "m": "the depth multiplier",
}
QUANTITY = {"H_out": "output height", "W_out": "output width", "D_out": "output depth",
            "L_out": "output length", "params": "parameter count", "n": "flattened length"}
_IDENT = re.compile(r"[A-Za-z][A-Za-z_]*")


@dataclass(frozen=True)
class Hint:
    """One rung: the layer, its level (concept, formula, numbers) and the sentence."""

    layer: str
    level: str
    text: str


def _concept(name: str, quantity: str, formula: str) -> str:
    used = [SYMBOLS[s] for s in dict.fromkeys(_IDENT.findall(formula)) if s in SYMBOLS]
    what = QUANTITY.get(quantity, quantity)
    if not used:
        return f"{name}: think about what its {what} depends on."
    return f"{name}: its {what} depends on " + (
        ", ".join(used[:-1]) + " and " + used[-1] if len(used) > 1 else used[0]) + "."


def _own_words(mid: str, focus: str, rows: list[LayerRow]) -> Hint | None:
    """The diagnosed mistake, stated at the focus layer, or at the first layer of a kind it
    applies to when the focus is of another kind; None when no layer is."""
    m = MISCONCEPTIONS.get(mid)
    if m is None:
        return None
    fits = [r for r in rows if family(r.kind) in m.applies_to]
    row = next((r for r in fits if r.name == focus), fits[0] if fits else None)
    if row is None:
        return None
    return Hint(row.name, "concept", sentences.stated(m.worded([family(row.kind)]), [row.name]))


def ladder(problem: Problem, focus: str | None = None, mistake: str | None = None) -> list[Hint]:
    """Every rung, starting with the ``focus`` layer (the diagnosed step) when it has steps."""
    rows = list(problem.solution().rows)
    names = [r.name for r in rows]
    words = _own_words(mistake, focus, rows) if mistake and focus in names else None
    if words:
        focus = words.layer
    if focus in names:
        i = names.index(focus)
        rows = rows[i:] + rows[:i]
    out: list[Hint] = [words] if words else []
    for r in rows:
        for d in r.derivations:
            out.append(Hint(r.name, "concept", _concept(r.name, d.quantity, d.formula)))
            out.append(Hint(r.name, "formula", f"{r.name}: {d.quantity} = {d.formula}"))
            out.append(Hint(r.name, "numbers", f"{r.name}: {d.line()}"))
    return out
