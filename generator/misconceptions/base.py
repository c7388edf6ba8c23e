"""The catalogue's vocabulary: the formula steps, priors, layer families and the entry type.

Each :class:`Misconception` changes one formula step and reuses the layers' own code:

- ``rewrite``: a hyper-parameter change (``dataclasses.replace``), e.g. strides -> 1;
- ``shape_layer``: a layer used for the output shape only (transposed conv as a conv);
- ``reshape(layer, in_shape, out_shape)``: a small change of the output shape (no ``+ 1``);
- ``weight_layer(layer, in_shape)`` / ``weight_input(in_shape)``: what the weight
  computation sees (C_in -> 1, a depthwise conv taken as a standard one);
- ``reweigh(layer, in_shape, out_shape, weights)``: a change of the weight tensors
  (bias dropped, counted per output position, moving statistics made trainable);
- ``input(shape)``: the network input as the student reads it (RGB taken as gray);
- ``unshare``: shared weights counted again at every use.

The small formula changes shared by several families are here too; the entries live in
one module per family (:mod:`.conv`, :mod:`.dense`, :mod:`.pool_norm`, :mod:`.shapes`,
:mod:`.graph`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from ..layers import Shape, Weight

__all__ = ["CONV", "PRIORS", "SHRINKING", "WINDOWED", "Fn", "Misconception", "Step", "channels",
           "entry", "per_position", "resize", "spatial"]


class Step(StrEnum):
    """The formula step a misconception changes."""

    INPUT_CHANNELS = "input channels"
    KERNEL = "kernel size"
    INPUT_DEPTH = "input depth C_in"
    BIAS = "bias"
    GROUPS = "groups"
    WEIGHT_SHARING = "weight sharing across positions"
    OUTPUT_SIZE = "output size"
    OUTPUT_DEPTH = "output depth"
    PADDING = "padding"
    STRIDE = "stride"
    DILATION = "dilation"
    ROUNDING = "rounding"
    DOWNSAMPLING = "downsampling"
    FLATTEN = "flattened length"
    DENSE_INPUT = "dense input"
    POOL_WEIGHTS = "pooling weights"
    PARAMETER_FREE = "parameter-free layers"
    NORMALIZATION = "normalization parameters"
    SHARING = "shared weights"
    TRAINABILITY = "trainable vs non-trainable"
    OUTPUT_LAYER = "output layer"
    SHORTCUT = "shortcut connection"


#: frequency (reference ★) -> prior weight; 0 stars = inferred, no public source
PRIORS = {3: 0.30, 2: 0.12, 1: 0.04, 0: 0.015}

CONV = frozenset({"conv", "conv_transpose", "depthwise", "separable"})
WINDOWED = frozenset({"conv", "conv_transpose", "depthwise", "separable", "pool"})
SHRINKING = frozenset({"conv", "depthwise", "separable", "pool"})
Fn = Callable[..., Any]


@dataclass(frozen=True)
class Misconception:
    """One catalogued mistake: which step, where it applies, and the formula change as data.

    ``hint`` is student-facing, names the step and holds no drawn numbers; ``{layer}``
    is filled in by the grader. ``by_family`` rewords the hint and formula for a layer family
    whose rule differs (a transposed convolution enlarges): (family, hint, formula) rows,
    chosen by :meth:`worded`.
    """

    id: str
    step: Step
    applies_to: frozenset[str]
    title: str
    hint: str
    formula: str
    stars: int = 2
    changes_shape: bool = False
    when: Fn | None = None
    rewrite: Fn | None = None
    shape_layer: Fn | None = None
    reshape: Fn | None = None
    weight_layer: Fn | None = None
    weight_input: Fn | None = None
    reweigh: Fn | None = None
    input: Fn | None = None
    unshare: bool = False
    #: where the mistake was seen (reference source keys S1…, or the issue that reported it)
    source: str = ""
    by_family: tuple[tuple[str, str, str], ...] = ()

    @property
    def prior(self) -> float:
        return PRIORS[self.stars]

    def worded(self, families: Iterable[str]) -> Misconception:
        """The entry with its hint and formula for layers of these families: a family's own
        wording when every layer is of that family, else the general one.

        >>> from generator.misconceptions import MISCONCEPTIONS
        >>> MISCONCEPTIONS["stride_ignored"].worded(["conv_transpose"]).formula
        '(H − 1)·s − 2P + k → H − 1 − 2P + k'
        >>> MISCONCEPTIONS["stride_ignored"].worded(["conv", "conv_transpose"]).formula
        '⌊(H + 2P − k)/s⌋ + 1 → H + 2P − k + 1'
        """
        fams = set(families)
        for fam, hint, formula in self.by_family:
            if fams == {fam}:
                return replace(self, hint=hint, formula=formula)
        return self


# -- small pure helpers shared by the families (the formula changes) -----------------
def spatial(shape: Shape) -> int:
    return math.prod(shape[:-1])


# (a Weight is rebuilt, not ``dataclasses.replace``d: these run on every evaluation)
def resize(name: str, size: Fn) -> Fn:
    def go(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
        return tuple(Weight(w.name, (size(layer, i, o, w),), w.trainable) if w.name == name
                     else w for w in ws)
    return go


def per_position(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(Weight(w.name, (*o[:-1], *w.shape), w.trainable) for w in ws)


def channels(fn: Fn) -> Fn:
    return lambda shape: (*shape[:-1], fn(shape[-1]))


def entry(*args: Any, **kw: Any) -> Misconception:
    """One catalogue entry (positional: id, step, applies_to, title, hint, formula, stars)."""
    return Misconception(*args, **kw)
