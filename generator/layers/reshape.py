"""Layers that move values without weights: upsampling, zero padding, cropping, reshape,
permute, identity (Keras 3 semantics, channels last; no parameters).

>>> UpSampling(rank=2, size=(2, 2)).output_shape((7, 7, 16))
(14, 14, 16)
>>> ZeroPadding(rank=2, padding=((1, 1), (2, 0))).output_shape((28, 28, 3))
(30, 30, 3)
>>> Cropping(rank=1, cropping=((2, 3),)).output_shape((20, 4))
(15, 4)
>>> Reshape(target_shape=(7, 7, -1)).output_shape((196,))
(7, 7, 4)
>>> Permute(dims=(2, 1)).output_shape((10, 3))
(3, 10)
>>> PixelShuffle(upscale_factor=2).output_shape((7, 7, 16))
(14, 14, 4)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..derive import Var
from ..errors import ConfigError
from ..formulas import exact_div, pad_len, upsample_len
from .base import AXES, Layer, Row, Shape, axis_var, fmt_shape

__all__ = ["Cropping", "Identity", "Permute", "PixelShuffle", "Reshape", "Resizing", "UpSampling",
           "ZeroPadding"]

Pairs = tuple[tuple[int, int], ...]


@dataclass(frozen=True, kw_only=True)
class _Spatial(Layer):
    rank: int = 2

    @property
    def in_ranks(self) -> tuple[int, ...]:
        return (self.rank + 1,)


@dataclass(frozen=True, kw_only=True)
class UpSampling(_Spatial):
    """Repeats every value ``size`` times along each spatial axis (UpSampling{1,2,3}D)."""

    size: tuple[int, ...] = (2, 2)

    def __post_init__(self) -> None:
        if len(self.size) != self.rank and self.size == (2, 2):
            object.__setattr__(self, "size", (2,) * self.rank)

    def check(self, in_shape: Shape) -> None:
        if len(self.size) != self.rank:
            raise ConfigError(f"size needs {self.rank} value(s), one per spatial axis; "
                              f"received {self.size}.", where=self.name)

    @property
    def kind(self) -> str:
        return f"up_sampling{self.rank}d"

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v: dict[str, Var] = {}
        for i, ax in enumerate(AXES[self.rank]):
            v[ax] = Var(ax, in_shape[i])
            v[axis_var("s", ax, self.rank)] = Var(axis_var("s", ax, self.rank), self.size[i], 1)
        v["C"] = Var("C", in_shape[-1])
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        rows = tuple((f"{ax}_out", upsample_len(v[ax], v[axis_var("s", ax, self.rank)]), True)
                     for ax in AXES[self.rank])
        return (*rows, ("C", v["C"], False))

    def describe(self) -> str:
        return f"upsampling by {fmt_shape(self.size)} (nearest)"


@dataclass(frozen=True, kw_only=True)
class ZeroPadding(_Spatial):
    """Zeros added before and after each spatial axis (ZeroPadding{1,2,3}D)."""

    padding: Pairs = ((1, 1), (1, 1))
    sign: int = 1  # -1: cropping

    def __post_init__(self) -> None:
        if len(self.padding) != self.rank and self.padding == ((1, 1), (1, 1)):
            object.__setattr__(self, "padding", ((1, 1),) * self.rank)

    @property
    def kind(self) -> str:
        return f"zero_padding{self.rank}d"

    def check(self, in_shape: Shape) -> None:
        if len(self.padding) != self.rank:
            raise ConfigError(f"{self.kind} needs one (before, after) pair per spatial axis "
                              f"({self.rank}); received {self.padding}.", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v: dict[str, Var] = {}
        for i, ax in enumerate(AXES[self.rank]):
            v[ax] = Var(ax, in_shape[i])
            a, b = self.padding[i]
            v[axis_var("a", ax, self.rank)] = Var(axis_var("a", ax, self.rank), a, 0)
            v[axis_var("b", ax, self.rank)] = Var(axis_var("b", ax, self.rank), b, 0)
        v["C"] = Var("C", in_shape[-1])
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        rows = tuple((f"{ax}_out", pad_len(v[ax], self.sign * v[axis_var("a", ax, self.rank)],
                                           self.sign * v[axis_var("b", ax, self.rank)]), True)
                     for ax in AXES[self.rank])
        return (*rows, ("C", v["C"], False))

    def describe(self) -> str:
        what = "zero padding" if self.sign > 0 else "cropping"
        return f"{what} {', '.join(f'{a}+{b}' for a, b in self.padding)} (before+after per axis)"


@dataclass(frozen=True, kw_only=True)
class Cropping(ZeroPadding):
    """Values cut off before and after each spatial axis (Cropping{1,2,3}D)."""

    cropping: Pairs = ((1, 1), (1, 1))
    sign: int = -1

    def __post_init__(self) -> None:
        crop = self.cropping
        if len(crop) != self.rank and crop == ((1, 1), (1, 1)):
            crop = ((1, 1),) * self.rank
        object.__setattr__(self, "cropping", crop)
        object.__setattr__(self, "padding", crop)

    @property
    def kind(self) -> str:
        return f"cropping{self.rank}d"


@dataclass(frozen=True, kw_only=True)
class Reshape(Layer):
    """A new shape for the same values (Keras Reshape: one -1 is inferred)."""

    kind = "reshape"
    target_shape: tuple[int, ...] = (-1,)

    def check(self, in_shape: Shape) -> None:
        n = math.prod(in_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        unknown = sum(d == -1 for d in self.target_shape)
        if unknown > 1 or any(d == 0 or d < -1 for d in self.target_shape):
            raise ConfigError(f"target_shape {self.target_shape} may hold one -1 and positive "
                              "sizes only.", where=self.name)
        if (unknown and n % known) or (not unknown and n != known):
            raise ConfigError(f"cannot reshape {fmt_shape(in_shape)} ({n:,} values) to "
                              f"{self.target_shape}: the sizes must multiply to {n:,}.",
                              where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"n": Var("n", math.prod(in_shape))}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        known = math.prod(d for d in self.target_shape if d != -1)
        return tuple((f"d{i + 1}", math.prod(in_shape) // known if d == -1 else d, False)
                     for i, d in enumerate(self.target_shape))

    def describe(self) -> str:
        return f"reshape to {fmt_shape(self.target_shape)}".replace("-1", "?")


@dataclass(frozen=True, kw_only=True)
class Permute(Layer):
    """The axes reordered (Keras Permute: ``dims`` counts from 1, batch left out)."""

    kind = "permute"
    dims: tuple[int, ...] = (2, 1)

    def check(self, in_shape: Shape) -> None:
        if sorted(self.dims) != list(range(1, len(in_shape) + 1)):
            raise ConfigError(f"dims {self.dims} must order the axes 1..{len(in_shape)} of the "
                              f"input {fmt_shape(in_shape)} (the batch axis is left out).",
                              where=self.name)

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return tuple((f"d{i + 1}", in_shape[d - 1], False) for i, d in enumerate(self.dims))

    def describe(self) -> str:
        return f"permute axes to {self.dims}"


@dataclass(frozen=True, kw_only=True)
class Identity(Layer):
    """Passes its input through unchanged."""

    kind = "identity"

    def describe(self) -> str:
        return "identity"


@dataclass(frozen=True, kw_only=True)
class PixelShuffle(Layer):
    """Moves blocks of r·r channels into an r×r patch of space (PyTorch ``nn.PixelShuffle(r)``,
    sub-pixel convolution): H×W×C becomes (H·r)×(W·r)×(C/r²); no parameters."""

    upscale_factor: int = 2
    kind = "pixel_shuffle"
    in_ranks = (3,)

    def check(self, in_shape: Shape) -> None:
        r2 = self.upscale_factor ** 2
        if in_shape[-1] % r2:
            raise ConfigError(f"pixel shuffle by {self.upscale_factor} needs channels divisible "
                              f"by {r2}; its input has {in_shape[-1]} (shape "
                              f"{fmt_shape(in_shape)}).", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"H": Var("H", in_shape[0]), "W": Var("W", in_shape[1]),
                "C": Var("C", in_shape[2]), "r": Var("r", self.upscale_factor)}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (("H_out", upsample_len(v["H"], v["r"]), True),
                ("W_out", upsample_len(v["W"], v["r"]), True),
                ("C_out", exact_div(v["C"], v["r"] * v["r"]), True))

    def describe(self) -> str:
        return (f"pixel shuffle with upscale factor {self.upscale_factor} (each block of "
                f"{self.upscale_factor ** 2} channels becomes a {self.upscale_factor}×"
                f"{self.upscale_factor} patch)")


@dataclass(frozen=True, kw_only=True)
class Resizing(_Spatial):
    """Resized to a fixed spatial ``size`` whatever the input size (Keras ``Resizing(h, w)``,
    PyTorch ``nn.Upsample(size=...)``); channels unchanged, no parameters.

    >>> Resizing(rank=2, size=(20, 15)).output_shape((7, 7, 16))
    (20, 15, 16)
    """

    size: tuple[int, ...] = (1, 1)

    @property
    def kind(self) -> str:
        return f"resizing{self.rank}d"

    def check(self, in_shape: Shape) -> None:
        if len(self.size) != self.rank:
            raise ConfigError(f"size needs {self.rank} value(s), one per spatial axis; "
                              f"received {self.size}.", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"C": Var("C", in_shape[-1])}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        rows = tuple((f"{ax}_out", n, False) for ax, n in zip(AXES[self.rank], self.size,
                                                                strict=True))
        return (*rows, ("C", v["C"], False))

    def describe(self) -> str:
        return f"resized to {fmt_shape(self.size)}"
