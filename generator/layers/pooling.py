"""Pooling: windowed max/average (optionally with LeNet-style trainable weights) and global.

A *trainable* pooling layer carries, per channel, one coefficient (``coefficient``) or one
coefficient and one bias (``coefficient_and_bias``), as LeNet-5's subsampling layers do.

>>> Pool(rank=2, kernel=(2, 2), strides=(2, 2)).output_shape((90, 90, 100))
(45, 45, 100)
>>> Pool(rank=2, kernel=(2, 2), strides=(2, 2), trainable="coefficient_and_bias").params((90, 90, 100))
200
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..derive import Var
from ..errors import ConfigError
from .base import AXES, Layer, Row, Shape, WeightRow, fmt_shape
from .conv import Windowed

__all__ = ["AdaptivePool", "GlobalPool", "Pool", "PoolWeights"]


class PoolWeights(StrEnum):
    """Trainable weights of a pooling layer, per channel."""

    NONE = "none"
    COEFFICIENT = "coefficient"
    COEFFICIENT_AND_BIAS = "coefficient_and_bias"


@dataclass(frozen=True, kw_only=True)
class Pool(Windowed):
    """Max or average pooling over a window; stride defaults to the window (set by the spec)."""

    op: str = "max"
    trainable: PoolWeights = PoolWeights.NONE

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"{self.op}_pooling{self.rank}d"

    def check(self, in_shape: Shape) -> None:
        if self.explicit_padding and any(
            2 * p > k for p, k in zip(self.padding, self.kernel, strict=True)  # type: ignore[operator]
        ):
            raise ConfigError(
                f"explicit padding {self.padding} must be at most half the pool size "
                f"{self.kernel} (PyTorch's rule).",
                where=self.name,
            )

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = self.spatial_vars(in_shape)
        v["C"] = Var("C", in_shape[-1])
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (*self.spatial_rows(v), ("C", v["C"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        if self.trainable == PoolWeights.NONE:
            return ()
        rows: list[WeightRow] = [("coefficient", (v["C"],), True)]
        if self.trainable == PoolWeights.COEFFICIENT_AND_BIAS:
            rows.append(("bias", (v["C"],), True))
        return tuple(rows)

    @property
    def has_weights(self) -> bool:
        return self.trainable != PoolWeights.NONE

    def describe(self) -> str:
        text = f"{self.op} pooling {self.window_text()}"
        if self.trainable == PoolWeights.COEFFICIENT:
            text += ", one trainable coefficient per channel"
        elif self.trainable == PoolWeights.COEFFICIENT_AND_BIAS:
            text += ", one trainable coefficient and one trainable bias per channel"
        return text


@dataclass(frozen=True, kw_only=True)
class GlobalPool(Layer):
    """Global max or average pooling: one value per channel."""

    rank: int = 2
    op: str = "average"
    keepdims: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"global_{self.op}_pooling{self.rank}d"

    @property
    def in_ranks(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.rank + 1,)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"C": Var("C", in_shape[-1])}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        ones: tuple[Row, ...] = tuple((f"{ax}_out", 1, False) for ax in AXES[self.rank])
        return (*(ones if self.keepdims else ()), ("C", v["C"], False))

    def describe(self) -> str:
        return f"global {self.op} pooling" + (" (keeping the spatial axes)" if self.keepdims else "")


@dataclass(frozen=True, kw_only=True)
class AdaptivePool(Layer):
    """Adaptive max or average pooling to a given output size per spatial axis (PyTorch's
    ``nn.AdaptiveAvgPool2d((7, None))``, Keras's ``AdaptiveAveragePooling2D``); ``None`` keeps
    that axis's input size. No parameters; the windows adapt to the input.

    >>> AdaptivePool(rank=2, output_size=(7, None)).output_shape((13, 9, 16))
    (7, 9, 16)
    """

    rank: int = 2
    op: str = "average"
    output_size: tuple[int | None, ...] = (1, 1)

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"adaptive_{self.op}_pooling{self.rank}d"

    @property
    def in_ranks(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.rank + 1,)

    def check(self, in_shape: Shape) -> None:
        if len(self.output_size) != self.rank:
            raise ConfigError(f"output_size needs {self.rank} value(s), one per spatial axis; "
                              f"received {self.output_size}.", where=self.name)

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = {ax: Var(ax, in_shape[i]) for i, ax in enumerate(AXES[self.rank])}
        v["C"] = Var("C", in_shape[-1])
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        rows = tuple((f"{ax}_out", v[ax] if o is None else o, False)
                     for ax, o in zip(AXES[self.rank], self.output_size, strict=True))
        return (*rows, ("C", v["C"], False))

    def describe(self) -> str:
        size = fmt_shape(tuple("input size" if o is None else o for o in self.output_size))
        return f"adaptive {self.op} pooling to {size}"
