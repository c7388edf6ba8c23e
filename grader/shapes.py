"""Grading an output shape (the ``shape:LAYER`` part): exact, channels first, or a mistake.

A shape is compared channels last without the batch axis; a leading batch dimension is
dropped with a note. A channels-first answer earns the convention-variant credit where the
question shows PyTorch code (PyTorch's order), with a note; elsewhere the answer is not
graded and the feedback says which order the question uses. A
wrong shape is matched against every catalogued mistake's shape at that layer.
"""

from __future__ import annotations

from typing import Any

from generator.buggy import BuggyResult
from generator.layers import fmt_shape

from . import sentences
from .answers import as_int
from .diagnose import CONFIDENT, LAMBDA, MAX_HEDGES, RATIO
from .outcome import Diagnosis, Run

__all__ = ["grade_dims"]


def _with_depth(run: Run, name: str, dims: tuple[int, ...], want: tuple[int, ...]
                ) -> tuple[int, ...] | None:
    """A shape written without its depth ("2 x 2", or "58" for a square map) completed
    with the depth when the layer keeps its input's depth; otherwise "give the depth too"
    (not an attempt). None when the answer was refused."""
    if len(want) < 2 or len(dims) >= len(want):
        return dims
    spatial = len(want) - 1
    if len(dims) == 1 and spatial > 1:
        dims = dims * spatial  # one number for a square (or cubic) map
    if len(dims) != spatial:
        return dims
    d = run.prep.diagnoser
    i = run.prep.names.index(name)
    depth = d.base.in_shape(i)[-1]
    if want[-1] != depth:
        run.unreadable("expected_shape", f"you gave the spatial size {fmt_shape(dims)} of "
                       f"{name}; its depth changes too: give the depth as well, e.g. "
                       f"{fmt_shape(dims)}×C.")
        return None
    run.notes.append(f"You gave the spatial size only; {name} keeps its input's depth "
                     f"({depth}), so the shape is read as {fmt_shape((*dims, depth))}.")
    return (*dims, depth)


#: the channels-last order by rank of the shape (spatial axes, then channels)
_ORDER = {2: "length × channels (L×C)", 3: "height × width × channels (H×W×C)",
          4: "depth × height × width × channels (D×H×W×C)"}


def grade_dims(run: Run, raw: tuple[Any, ...], has_batch: bool) -> None:
    """Grade a shape given as its dimensions (from a shape answer, or one number)."""
    want = tuple(run.prep.expected)
    ints = [as_int(x) for x in raw]
    dims = tuple(x for x in ints if x is not None)
    if not dims or len(dims) != len(ints):
        run.unreadable("expected_shape", "expected a shape such as 94x94x60.")
        return
    name = str(run.prep.spec.layer)
    if has_batch:
        if len(dims) == len(want) + 1:
            dims = dims[1:]
        run.notes.append("You included a leading batch dimension (None); that is fine, "
                         "the shape of one example is what is graded.")
    elif len(dims) == len(want) + 1 and dims[0] == 1:
        dims = dims[1:]  # a TensorFlow print of a batch of one: (1, H, W, C)
        run.notes.append("You included a leading batch dimension of 1; that is fine, the "
                         "shape of one example is what is graded.")
    full = _with_depth(run, name, dims, want)
    if full is None:
        return
    dims = full
    shown = fmt_shape(dims)
    if dims == want:
        run.correct(shown)
        return
    if len(want) > 1 and dims == (want[-1], *want[:-1]):
        if run.code != "pytorch":  # channels first is PyTorch's order, not this question's
            run.unreadable("expected_shape", f"this question writes shapes channels last: "
                           f"{_ORDER[len(want)]}. If {shown} has the channels first, write "
                           "them last.")
            return
        run.correct(shown, run.policy.convention_variant)
        run.notes.append("You wrote the channels first (C×H×W), as PyTorch does; accepted, "
                         "since the question shows PyTorch code. Channels last, the same shape "
                         "is H×W×C.")
        return
    run.headline = f"Not quite: you answered {shown} for {name}."
    _diagnose(run, name, dims)


def _differs(alone: BuggyResult | None, both: BuggyResult, i: int) -> bool:
    """One mistake alone does not give the pair's shape at layer ``i`` (or gives none)."""
    return alone is None or alone.shapes[i] != both.shapes[i]


def _diagnose(run: Run, name: str, dims: tuple[int, ...]) -> None:
    d = run.prep.diagnoser
    i = run.prep.names.index(name)
    hits: list[tuple[float, Any]] = []
    close = (dims, (*dims[1:], dims[0]))
    for s in d.all_sites:
        t = d._trace((s,))
        if t is not None and t.shapes[i] in close:
            hits.append((s.prior, (s,)))
    # two mistakes together, as for counts (shape sites that reach this layer, consistent)
    pair_sites = [s for s in d.all_sites if s.shape and s.consistent and min(s.layers) <= i]
    for x in range(len(pair_sites)):
        for y in range(x + 1, len(pair_sites)):
            a, b = pair_sites[x], pair_sites[y]
            if a.mid == b.mid:
                continue
            t = d._trace((a, b))
            if t is not None and t.shapes[i] in close and all(
                    _differs(d._trace((c,)), t, i) for c in (a, b)):
                hits.append((LAMBDA * a.prior * b.prior, (a, b)))
    hits.sort(key=lambda h: -h[0])
    if not hits:
        run.advice = sentences.shape_advice(d.engine.nodes[i].layer.kind, name)
        return
    total_w = sum(w for w, _ in hits) + 0.0005
    seen: dict[tuple[str, ...], float] = {}
    for w, ss in hits:
        key = tuple(sorted(st.mid for st in ss))
        seen[key] = seen.get(key, 0.0) + w
    ranked = sorted(seen.items(), key=lambda kv: (len(kv[0]), -kv[1]))  # fewer mistakes first
    top = ranked[0][1] / total_w
    second = max((w for _, w in ranked[1:]), default=0.0) / total_w
    simple_rival = any(len(k) <= len(ranked[0][0]) for k, _ in ranked[1:])
    run.confident = top >= CONFIDENT and top >= RATIO * second and not simple_rival
    run.ambiguous = not run.confident
    for mids, _ in ranked[:1] if run.confident else ranked[:MAX_HEDGES]:
        ss = next(ss for _, ss in hits if tuple(sorted(st.mid for st in ss)) == mids)
        texts, all_layers = [], []
        for s in ss:
            m = sentences.entry_at(d, s)
            layers = (name,) if i in s.layers else tuple(
                d.engine.names[j] if j >= 0 else "input" for j in s.layers)
            all_layers += [x for x in layers if x not in all_layers]
            texts.append(sentences.stated(m, layers))
        expl = " ".join(texts)
        run.diagnoses.append(Diagnosis(mids, tuple(all_layers), 0, expl, run.confident))
        if run.confident:
            first = sentences.entry_at(d, ss[0])
            run.line(expl, layer=sentences.names(all_layers), step=str(first.step),
                     title=first.title, formula=first.formula)
        else:
            run.hedges.append("perhaps " + expl)
    if run.ambiguous:
        run.follow_up = "Give the output shape of every layer so the step can be told apart."
