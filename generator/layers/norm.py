"""Normalisations and layers with per-element weights: layer norm, group norm, PReLU, embedding.

Weight shapes follow Keras 3: LayerNormalization and GroupNormalization have γ and β of the
channel axis; PReLU has one slope α per input value unless ``shared_axes`` share it (PyTorch's
``nn.PReLU(C)`` is Keras's ``shared_axes`` = every spatial axis); Embedding maps each of the
``L`` token ids to ``output_dim`` values with an ``input_dim × output_dim`` table.

>>> LayerNormalization().params((10, 64))
128
>>> GroupNormalization(groups=8).params((8, 8, 32))
64
>>> PReLU(shared_axes=(1, 2)).params((8, 8, 16)), PReLU().params((8, 8, 16))
(16, 1024)
>>> Embedding(input_dim=1000, output_dim=32).output_shape((50,))
(50, 32)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..derive import Var
from ..errors import ConfigError
from .base import Layer, Row, Shape, WeightRow, fmt_shape
from .core import dim_names

__all__ = ["Embedding", "GroupNormalization", "LayerNormalization", "PReLU", "Parameter",
           "channels_first"]


def channels_first(rank: int) -> tuple[int, ...]:
    """Our (channels-last) axis indices in PyTorch's channels-first order, C first.

    >>> channels_first(3), channels_first(1)
    ((2, 0, 1), (0,))
    """
    return (rank - 1, *range(rank - 1)) if rank > 1 else (0,)


@dataclass(frozen=True, kw_only=True)
class LayerNormalization(Layer):
    """Normalises over ``axis`` (Keras axes, batch counted; default the channel axis): γ and β
    of the shape of those axes, as Keras's ``LayerNormalization.build`` makes them
    (keras/src/layers/normalization/layer_normalization.py); PyTorch's
    ``nn.LayerNorm(normalized_shape)`` is the trailing axes of its channels-first tensor.

    >>> LayerNormalization(axis=(1, 2, 3)).params((4, 4, 8))
    256
    """

    kind = "layer_normalization"
    center: bool = True
    scale: bool = True
    frozen: bool = False
    axis: tuple[int, ...] = (-1,)

    def axes(self, in_shape: Shape) -> tuple[int, ...]:
        """The normalised axes as indices into ``in_shape`` (no batch axis), sorted."""
        n = len(in_shape)
        return tuple(sorted({a - 1 if a > 0 else n + a for a in self.axis}))

    def check(self, in_shape: Shape) -> None:
        n = len(in_shape)
        if any(a == 0 or not -n <= a <= n for a in self.axis) or len(
                self.axes(in_shape)) != len(self.axis):
            raise ConfigError(f"axis {self.axis} must name distinct axes 1..{n} (or -1..-{n}) of "
                              f"the input {fmt_shape(in_shape)}; 0 is the batch axis.",
                              where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        if self.axis == (-1,):
            return {"C": Var("C", in_shape[-1])}
        names = dim_names(len(in_shape))
        return {names[i]: Var(names[i], in_shape[i]) for i in self.axes(in_shape)}

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        rows: list[WeightRow] = []
        shape = tuple(v.values())
        if self.scale:
            rows.append(("gamma", shape, not self.frozen))
        if self.center:
            rows.append(("beta", shape, not self.frozen))
        return tuple(rows)

    @property
    def has_weights(self) -> bool:
        return self.center or self.scale

    def describe(self) -> str:
        over = "" if self.axis == (-1,) else f" over axes {', '.join(map(str, self.axis))}"
        return "layer normalization" + over


@dataclass(frozen=True, kw_only=True)
class GroupNormalization(LayerNormalization):
    """Normalises groups of channels: γ and β of length C; ``groups`` must divide C."""

    kind = "group_normalization"
    groups: int = 32

    def check(self, in_shape: Shape) -> None:
        super().check(in_shape)
        if in_shape[-1] % self.groups:
            raise ConfigError(f"groups={self.groups} must divide the {in_shape[-1]} channels.",
                              where=self.name)

    def describe(self) -> str:
        return f"group normalization, {self.groups} groups"


@dataclass(frozen=True, kw_only=True)
class PReLU(Layer):
    """Leaky ReLU with learned slopes α, one per value except along ``shared_axes`` (Keras
    axes: 1 is the first axis after the batch)."""

    kind = "prelu"
    shared_axes: tuple[int, ...] = ()

    def check(self, in_shape: Shape) -> None:
        bad = [a for a in self.shared_axes if not 1 <= a <= len(in_shape)]
        if bad:
            raise ConfigError(f"shared_axes {self.shared_axes} must name axes 1..{len(in_shape)} "
                              f"of the input {fmt_shape(in_shape)}.", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        names = ("H", "W", "C") if len(in_shape) == 3 else tuple(
            f"d_{i + 1}" for i in range(len(in_shape)))
        return {n: Var(n, 1 if i + 1 in self.shared_axes else d)
                for i, (n, d) in enumerate(zip(names, in_shape, strict=True))}

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        return (("alpha", tuple(v.values()), True),)

    def describe(self) -> str:
        return "PReLU" + (f", slopes shared along axes {self.shared_axes}"
                          if self.shared_axes else ", one slope per value")


@dataclass(frozen=True, kw_only=True)
class Embedding(Layer):
    """A lookup table: each of the L token ids becomes ``output_dim`` values."""

    kind = "embedding"
    input_dim: int = 1
    output_dim: int = 1
    in_ranks = (1,)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"L": Var("L", in_shape[0]), "V": Var("V", self.input_dim),
                "D": Var("D", self.output_dim)}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (("L", v["L"], False), ("D", v["D"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        return (("embeddings", (v["V"], v["D"]), True),)

    def describe(self) -> str:
        return f"embedding of {self.input_dim:,} tokens into {self.output_dim} values"


@dataclass(frozen=True, kw_only=True)
class Parameter(Layer):
    """A learned tensor combined element-wise with its input (PyTorch's module attribute
    ``nn.Parameter(torch.zeros(1, C, 1, 1))`` used as ``x * self.scale`` or ``x + self.pos``).

    ``shape`` is PyTorch's, channels first, the batch axis optional; it must broadcast to the
    input without growing it. The output has the input's shape; the tensor's values count as
    parameters, as ``model.parameters()`` counts them.

    >>> Parameter(shape=(1, 8, 1, 1)).params((6, 6, 8))
    8
    """

    kind = "parameter"
    shape: tuple[int, ...] = (1,)

    def check(self, in_shape: Shape) -> None:
        first = tuple(in_shape[i] for i in channels_first(len(in_shape)))
        p = self.shape[1:] if len(self.shape) == len(first) + 1 and self.shape[0] == 1 else (
            self.shape)
        fits = len(p) <= len(first) and all(a in (1, b) for a, b in zip(
            reversed(p), reversed(first), strict=False))
        if not fits:
            raise ConfigError(f"a parameter of shape {self.shape} does not broadcast to its "
                              f"input, (batch, {', '.join(map(str, first))}) channels first, "
                              "without growing it.", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {f"p_{i + 1}": Var(f"p_{i + 1}", d) for i, d in enumerate(self.shape)}

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        return (("weight", tuple(v.values()), True),)

    def describe(self) -> str:
        return f"learned tensor of shape {fmt_shape(self.shape)}, applied element-wise"
