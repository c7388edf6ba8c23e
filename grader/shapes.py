"""Grading an output shape (the ``shape:LAYER`` part): exact, channels first, or a mistake.

A shape is compared channels last without the batch axis; a leading batch dimension is
dropped with a note and a channels-first answer earns the convention-variant credit. A
wrong shape is matched against every catalogued mistake's shape at that layer.
"""

from __future__ import annotations

from typing import Any

from generator.layers import fmt_shape
from generator.misconceptions import MISCONCEPTIONS

from . import sentences
from .answers import as_int
from .diagnose import CONFIDENT, RATIO
from .outcome import Diagnosis, Run

__all__ = ["grade_dims"]


def grade_dims(run: Run, raw: tuple[Any, ...], has_batch: bool) -> None:
    """Grade a shape given as its dimensions (from a shape answer, or one number)."""
    want = tuple(run.prep.expected)
    dims = tuple(as_int(x) for x in raw)
    if not dims or any(x is None for x in dims):
        run.unreadable("expected_shape", "expected a shape such as 94x94x60.")
        return
    name = str(run.prep.spec.layer)
    if has_batch:
        if len(dims) == len(want) + 1:
            dims = dims[1:]
        run.notes.append("You included a leading batch dimension (None); that is fine, "
                         "the shape of one example is what is graded.")
    shown = fmt_shape(dims)  # type: ignore[arg-type]
    if dims == want:
        run.correct(shown)
        return
    if len(want) > 1 and dims == (want[-1], *want[:-1]):
        run.correct(shown, run.policy.convention_variant)
        run.notes.append("You wrote the channels first (C×H×W, PyTorch's order); this "
                         "course writes them last (H×W×C).")
        return
    run.headline = f"Not quite: you answered {shown} for {name}."
    _diagnose(run, name, dims)  # type: ignore[arg-type]


def _diagnose(run: Run, name: str, dims: tuple[int, ...]) -> None:
    d = run.prep.diagnoser
    i = run.prep.names.index(name)
    hits: list[tuple[float, Any]] = []
    for s in d.all_sites:
        t = d._trace((s,))
        if t is not None and t.shapes[i] in (dims, (*dims[1:], dims[0])):
            hits.append((s.prior, s))
    hits.sort(key=lambda h: -h[0])
    if not hits:
        run.advice = sentences.shape_advice(d.engine.nodes[i].layer.kind, name)
        return
    total_w = sum(w for w, _ in hits) + 0.0005
    seen: dict[str, float] = {}
    for w, s in hits:
        seen[s.mid] = seen.get(s.mid, 0.0) + w
    ranked = sorted(seen.items(), key=lambda kv: -kv[1])
    top = ranked[0][1] / total_w
    second = ranked[1][1] / total_w if len(ranked) > 1 else 0.0
    run.confident = top >= CONFIDENT and top >= RATIO * second
    run.ambiguous = not run.confident
    for mid, _ in ranked[:1] if run.confident else ranked[:3]:
        s = next(s for _, s in hits if s.mid == mid)
        m = MISCONCEPTIONS[mid]
        layers = (name,) if i in s.layers else tuple(
            d.engine.names[j] if j >= 0 else "input" for j in s.layers)
        layer = sentences.names(layers)
        expl = (f"{m.title[0].upper()}{m.title[1:]} ({layer}; step: {m.step}): "
                f"{sentences.fill(m.hint, layers)} Formula: {m.formula}.")
        run.diagnoses.append(Diagnosis((mid,), layers, 0, expl, run.confident))
        if run.confident:
            run.line(expl, layer=layer, step=str(m.step), title=m.title, formula=m.formula)
        else:
            run.hedges.append("perhaps " + expl)
    if run.ambiguous:
        run.follow_up = "Give the output shape of every layer so the step can be told apart."
