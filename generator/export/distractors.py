"""Distractors: the wrong values a misconception predicts for one number, with feedback (E4).

For a variant's ``total``: the catalogue's values (each misconception applied wherever it
fits). For one layer's count (``per_layer:<layer>``): each misconception applied at that
layer alone, on its correct input, and each misconception applied at one other site (an
earlier layer, the input) or at every site it fits, that changes this layer's count and no
other one (a padding rule swapped in every conv changes only the dense layer's count): the grader,
reading a breakdown with only this layer wrong, explains it by either, so the feedback
names both. For one dimension of a layer's output (``shape:<layer>:<dim>``): each
misconception applied at that layer alone, also naming any error made earlier (or at every
site) that gives that layer the very same output shape. Values equal to the correct answer are dropped;
misconceptions giving the same value are merged into one distractor naming each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..buggy import BuggyResult, Engine
from ..compiled import Compiled, compiled, spec_key
from ..misconceptions import MISCONCEPTIONS, catalogue_values, engine
from ..misconceptions.phrasing import fill
from ..network import solve
from ..spec import load_spec

__all__ = ["Distractor", "distractors", "merge_distractors"]

T = TypeVar("T")


@dataclass(frozen=True)
class Distractor:
    """A wrong value a misconception predicts, with the feedback that names its step."""

    value: int
    misconceptions: tuple[str, ...]
    feedback: str


def _derived(problem: Any, name: str, build: Callable[[Compiled], T]) -> T:
    """What this module derives from a problem, kept on its compiled-problem entry."""
    entry = compiled(spec_key(problem.spec), lambda: solve(load_spec(problem.spec)))
    key = ("distractors", name)
    if key not in entry.derived:
        entry.derived[key] = build(entry)
    found: T = entry.derived[key]
    return found


def _misconception_feedback(m: Any, value: int, layers: Sequence[str]) -> str:
    """'1728: conv bias left out (step: bias). In conv1, each filter also has one bias: …'
    (the hint filled in as the grader's feedback fills it)."""
    hint = fill(str(getattr(m, "hint", "")), list(layers) or ["the layers it applies to"])
    return f"{value}: {m.title} (step: {m.step}). {hint}".strip()


def merge_distractors(correct: int, values: Iterable[tuple[str, int]],
                      describe: Callable[[str, int], str]) -> list[Distractor]:
    """Group misconception values: one distractor per distinct wrong value (E4).

    Values equal to the correct answer are dropped (a tolerance of 0 makes that the only
    collision); misconceptions sharing a value are merged into one answer whose feedback
    names each; order is by value, then id, so exports are deterministic.

    >>> merge_distractors(1792, [("b", 1728), ("a", 1728), ("c", 1792)],
    ...                   lambda i, v: f"{i}:{v}")
    [Distractor(value=1728, misconceptions=('a', 'b'), feedback='a:1728 Or: b:1728')]
    """
    by_value: dict[int, list[str]] = {}
    for mid, value in values:
        value = int(value)
        if value == correct:
            continue
        by_value.setdefault(value, []).append(mid)
    out = []
    for value in sorted(by_value):
        ids = tuple(sorted(set(by_value[value])))
        out.append(Distractor(value, ids, " Or: ".join(describe(i, value) for i in ids)))
    return out


def _catalogue(problem: Any) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """(misconception id, the total it gives, the layers it applies to) for one spec."""
    return _derived(problem, "catalogue", lambda entry: _catalogue_of(_engine(problem)))


def _catalogue_of(eng: Engine) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    names = list(eng.names)
    out = []
    for mid, value in sorted(catalogue_values(eng).items()):
        fits = eng.fits(mid)
        layers = tuple(names[i] for i in fits if isinstance(i, int) and 0 <= i < len(names))
        out.append((mid, int(value), layers))
    return tuple(out)


def _engine(problem: Any) -> Engine:
    return _derived(problem, "engine", lambda entry: engine(entry.network))


def _carried_counts(problem: Any) -> dict[int, tuple[tuple[str, int], ...]]:
    """Per layer index: (misconception, count) for each misconception applied at one other
    site, or at every site it fits, whose error, carried forward, changes that layer's count
    and no other one."""
    return _derived(problem, "counts", lambda entry: _carried_counts_of(_engine(problem)))


def _carried(eng: Engine) -> Iterator[tuple[str, tuple[int, ...], BuggyResult]]:
    """(misconception, sites, forward pass) for each misconception applied at one site it
    fits, and at every site it fits when there are several."""
    for mid in MISCONCEPTIONS:
        fits = eng.fits(mid)
        for sites in [(site,) for site in fits] + ([fits] if len(fits) > 1 else []):
            r = eng.forward({site: (mid,) for site in sites})
            if r is not None:
                yield mid, sites, r


def _carried_counts_of(eng: Engine) -> dict[int, tuple[tuple[str, int], ...]]:
    out: dict[int, list[tuple[str, int]]] = {}
    for mid, sites, r in _carried(eng):
        changed = [j for j, v in enumerate(r.params) if v != eng.base.params[j]]
        if len(changed) == 1 and changed[0] not in sites:
            out.setdefault(changed[0], []).append((mid, int(r.params[changed[0]])))
    return {i: tuple(v) for i, v in out.items()}


def _carried_shapes(problem: Any) -> dict[int, tuple[tuple[str, tuple[int, ...]], ...]]:
    """Per layer index: (misconception, output shape) for each misconception applied at one
    other site, or at every site it fits, that changes that layer's output shape."""
    return _derived(problem, "shapes", lambda entry: _carried_shapes_of(_engine(problem)))


def _carried_shapes_of(eng: Engine) -> dict[int, tuple[tuple[str, tuple[int, ...]], ...]]:
    out: dict[int, list[tuple[str, tuple[int, ...]]]] = {}
    for mid, sites, r in _carried(eng):
        for j, shape in enumerate(r.shapes):
            if j not in sites and tuple(shape) != tuple(eng.base.shapes[j]):
                out.setdefault(j, []).append((mid, tuple(int(d) for d in shape)))
    return {i: tuple(v) for i, v in out.items()}


def _local_values(problem: Any, layer: str, dim: int | None) -> list[tuple[str, int]]:
    """The (misconception, value) pairs of one layer's count (``dim`` None) or one output
    dimension, as the module docstring describes."""
    eng = _engine(problem)
    if layer not in eng.names:
        return []
    i = eng.names.index(layer)
    base_shape = eng.base.shapes[i]
    out = list(_carried_counts(problem).get(i, ())) if dim is None else []
    local_shapes = set()
    for mid in MISCONCEPTIONS:
        if i not in eng.fits(mid):
            continue
        r = eng.layer(i, eng.base.in_shape(i), (mid,))
        if r is None:
            continue
        shape, params = r
        if dim is None:
            out.append((mid, int(params)))
        elif len(shape) == len(base_shape) and dim < len(shape):
            out.append((mid, int(shape[dim])))
            local_shapes.add(tuple(int(d) for d in shape))
    if dim is not None:  # an error made earlier that gives the very same shape: name it too
        out += [(mid, shape[dim]) for mid, shape in _carried_shapes(problem).get(i, ())
                if shape in local_shapes]
    return out


def distractors(problem: Any, part: str = "total") -> list[Distractor]:
    """The wrong values with feedback for one number (E4).

    ``total``, ``per_layer:<layer>`` and ``shape:<layer>:<dim>`` as the module docstring
    says; other parts have none (only the catch-all).
    """
    catalogue = MISCONCEPTIONS
    if part == "total":
        entries = _catalogue(problem)
        layers = {mid: ls for mid, _, ls in entries}
        values = [(mid, v) for mid, v, _ in entries]
        correct = int(problem.answers["total"])
    elif part.startswith("per_layer:"):
        layer = part.split(":", 1)[1]
        values, layers = _local_values(problem, layer, None), {}
        layers = {mid: (layer,) for mid, _ in values}
        correct = int(problem.answers["per_layer"][layer])
    elif part.startswith("shape:") and part.count(":") == 2:
        _, layer, dim = part.split(":")
        values = _local_values(problem, layer, int(dim))
        layers = {mid: (layer,) for mid, _ in values}
        correct = int(problem.answers[f"shape:{layer}"][int(dim)])
    else:
        return []

    def describe(mid: str, value: int) -> str:
        m = catalogue.get(mid)
        return (_misconception_feedback(m, value, layers.get(mid, ()))
                if m is not None else f"{value}: {mid}.")

    return merge_distractors(correct, values, describe)
