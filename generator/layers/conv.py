"""Convolutions: standard (grouped), transposed, depthwise and separable, in 1-D to 3-D.

Weight shapes follow Keras 3 (channels last); output lengths follow Keras for 'valid'
and 'same' and PyTorch for explicit integer padding.

>>> Conv(rank=2, filters=60, kernel=(7, 7)).params((100, 100, 1))
3000
>>> Conv(rank=2, filters=60, kernel=(7, 7)).output_shape((100, 100, 1))
(94, 94, 60)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from ..derive import Var
from ..errors import ConfigError
from ..formulas import (
    conv_len,
    effective_kernel,
    exact_div,
    keras_transpose_len,
    same_len,
    transpose_len,
)
from .base import AXES, Layer, Row, Shape, WeightRow, axis_var, fmt_shape
from .kinds.words import plural

__all__ = ["Conv", "ConvTranspose", "DepthwiseConv", "SeparableConv", "Windowed"]

Padding = str | tuple[int, ...]
#: per-axis tuple fields of a windowed layer
TUPLES = ("kernel", "strides", "padding", "dilation", "output_padding")


_TUPLE_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _tuple_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default) of the per-axis tuple fields of a windowed layer class."""
    hit = _TUPLE_FIELDS.get(cls)
    if hit is None:
        hit = _TUPLE_FIELDS[cls] = tuple((f.name, f.default) for f in fields(cls)
                                         if f.name in TUPLES)
    return hit


@cache
def _axis_names(rank: int) -> tuple[tuple[str, str, str, str, str], ...]:
    """Per spatial axis: its name and those of its kernel, stride, dilation and padding."""
    return tuple((ax, axis_var("k", ax, rank), axis_var("s", ax, rank), axis_var("d", ax, rank),
                  axis_var("P", ax, rank)) for ax in AXES[rank])


@dataclass(frozen=True, kw_only=True)
class Windowed(Layer):
    """A layer that slides a window over the spatial axes (conv or pooling)."""

    rank: int = 2
    kernel: tuple[int, ...] = (3, 3)
    strides: tuple[int, ...] = (1, 1)
    padding: Padding = "valid"
    dilation: tuple[int, ...] = (1, 1)

    def __post_init__(self) -> None:
        """Stretch an untouched 2-D tuple default to the layer's rank; refuse other lengths.

        >>> Conv(rank=3, filters=2, kernel=(3, 3, 3)).strides
        (1, 1, 1)
        """
        rank = self.rank
        for name, default in _tuple_fields(type(self)):
            value = getattr(self, name)
            if not isinstance(value, tuple) or len(value) == rank:
                continue
            if value != default:
                raise ConfigError(
                    f"{name} needs {rank} value(s), one per spatial axis; received {value}.",
                    where=self.name,
                )
            object.__setattr__(self, name, (value[0],) * rank)

    @property
    def in_ranks(self) -> tuple[int, ...]:  # type: ignore[override]
        return (self.rank + 1,)

    @property
    def explicit_padding(self) -> bool:
        return not isinstance(self.padding, str)

    def _axes(self) -> tuple[str, ...]:
        return AXES[self.rank]

    def spatial_vars(self, in_shape: Shape) -> dict[str, Var]:
        v: dict[str, Var] = {}
        explicit = self.explicit_padding
        for i, (ax, k, s, d, p) in enumerate(_axis_names(self.rank)):
            v[ax] = Var(ax, in_shape[i])
            v[k] = Var(k, self.kernel[i])
            v[s] = Var(s, self.strides[i], 1)
            v[d] = Var(d, self.dilation[i], 1)
            if explicit:
                v[p] = Var(p, self.padding[i], 0)  # type: ignore[arg-type]
        return v

    def out_len(self, v: Mapping[str, Any], ax: str) -> Any:
        """Output length along one axis, for the layer's padding mode."""
        _, k, s, d, p = _axis_names(self.rank)[AXES[self.rank].index(ax)]
        if self.padding == "same":
            return same_len(v[ax], v[s])
        return conv_len(v[ax], v[k], v[s], v[p] if self.explicit_padding else 0, v[d])

    def spatial_rows(self, v: Mapping[str, Any]) -> tuple[Row, ...]:
        return tuple((f"{ax}_out", self.out_len(v, ax), True) for ax in self._axes())

    def window_text(self) -> str:
        parts = [fmt_shape(self.kernel)]
        if any(s != 1 for s in self.strides) or not self.kind.startswith("conv"):
            parts.append(f"stride {fmt_shape(self.strides)}")
        else:
            parts.append("stride 1")
        if self.explicit_padding:
            parts.append(f"zero padding {fmt_shape(self.padding)} on each side")  # type: ignore[arg-type]
        else:
            parts.append(f"{self.padding} padding")
        if any(d != 1 for d in self.dilation):
            parts.append(f"dilation {fmt_shape(self.dilation)}")
        return ", ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Conv(Windowed):
    """Standard (optionally grouped) convolution: kernel k…·C_in/g·C_out, bias C_out."""

    filters: int = 1
    groups: int = 1
    use_bias: bool = True
    frozen: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"conv{self.rank}d"

    def check(self, in_shape: Shape) -> None:
        c = in_shape[-1]
        if c % self.groups or self.filters % self.groups:
            raise ConfigError(
                f"groups={self.groups} must divide both the input channels and the filters; "
                f"received C_in={c}, filters={self.filters}.",
                where=self.name,
            )

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = self.spatial_vars(in_shape)
        v["C_in"] = Var("C_in", in_shape[-1])
        v["g"] = Var("g", self.groups, 1)
        v["C_out"] = Var("C_out", self.filters)
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (*self.spatial_rows(v), ("C_out", v["C_out"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        ks = tuple(v[axis_var("k", ax, self.rank)] for ax in self._axes())
        rows: list[WeightRow] = [
            ("kernel", (*ks, exact_div(v["C_in"], v["g"]), v["C_out"]), not self.frozen)
        ]
        if self.use_bias:
            rows.append(("bias", (v["C_out"],), not self.frozen))
        return tuple(rows)

    def macs(self, in_shape: Shape) -> int:
        """H_out·W_out·C_out·k_h·k_w·C_in/g.

        >>> Conv(rank=2, filters=8, kernel=(3, 3)).macs((10, 10, 4))  # 8·8·8·3·3·4
        18432
        """
        out = self.output_shape(in_shape)
        return math.prod(out) * math.prod(self.kernel) * in_shape[-1] // self.groups

    def describe(self) -> str:
        text = f"{plural(self.filters, 'filter')} {self.window_text()}"
        if self.groups != 1:
            text += f", {self.groups} groups"
        return text + ("" if self.use_bias else ", no bias")


@dataclass(frozen=True, kw_only=True)
class ConvTranspose(Windowed):
    """Transposed convolution; Keras kernel shape k…·C_out·C_in, bias C_out."""

    filters: int = 1
    output_padding: tuple[int, ...] | None = None
    use_bias: bool = True
    frozen: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"conv{self.rank}d_transpose"

    def check(self, in_shape: Shape) -> None:
        """Output padding must stay below the stride (Keras) or the stride or dilation (PyTorch)."""
        if self.output_padding is None:
            return
        for op, s, d in zip(self.output_padding, self.strides, self.dilation, strict=True):
            if op < (max(s, d) if self.explicit_padding else s):
                continue
            rule = ("the stride or the dilation on each axis (PyTorch's rule for explicit padding)"
                    if self.explicit_padding else "the stride on each axis (Keras's rule)")
            raise ConfigError(
                f"output_padding {self.output_padding} must be smaller than {rule}; received "
                f"strides {self.strides}, dilation {self.dilation}.",
                where=self.name,
            )

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = self.spatial_vars(in_shape)
        if self.output_padding is not None:
            for i, ax in enumerate(self._axes()):
                name = axis_var("op", ax, self.rank)
                v[name] = Var(name, self.output_padding[i], 0)
        v["C_in"] = Var("C_in", in_shape[-1])
        v["C_out"] = Var("C_out", self.filters)
        return v

    def out_len(self, v: Mapping[str, Any], ax: str) -> Any:
        i, r = self._axes().index(ax), self.rank
        n = v[ax]
        k, s, d = (v[axis_var(b, ax, r)] for b in ("k", "s", "d"))
        op = v[axis_var("op", ax, r)] if self.output_padding is not None else None
        if self.explicit_padding:
            return transpose_len(n, k, s, v[axis_var("P", ax, r)], d, 0 if op is None else op)
        wide = effective_kernel(self.kernel[i], self.dilation[i]) >= self.strides[i]
        return keras_transpose_len(n, k, s, d, same=self.padding == "same", output_padding=op,
                                   wide=wide)

    def structure(self) -> tuple[Any, ...]:
        """Keras's 'valid' rule picks its formula by whether the dilated kernel spans the stride."""
        wide = tuple(effective_kernel(k, d) >= s
                     for k, s, d in zip(self.kernel, self.strides, self.dilation, strict=True))
        return (*super().structure(), ("wide", wide))

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (*self.spatial_rows(v), ("C_out", v["C_out"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        ks = tuple(v[axis_var("k", ax, self.rank)] for ax in self._axes())
        rows: list[WeightRow] = [("kernel", (*ks, v["C_out"], v["C_in"]), not self.frozen)]
        if self.use_bias:
            rows.append(("bias", (v["C_out"],), not self.frozen))
        return tuple(rows)

    def macs(self, in_shape: Shape) -> int:
        """Every input value meets the whole kernel once: H·W·C_in·k_h·k_w·C_out.

        >>> ConvTranspose(rank=2, filters=4, kernel=(3, 3), strides=(2, 2)).macs((5, 5, 8))
        7200
        """
        return math.prod(in_shape) * math.prod(self.kernel) * self.filters

    def describe(self) -> str:
        text = f"{plural(self.filters, 'filter')} {self.window_text()} (transposed)"
        if self.output_padding is not None:
            text += f", output padding {fmt_shape(self.output_padding)}"
        return text + ("" if self.use_bias else ", no bias")


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv(Windowed):
    """Depthwise convolution: one k… filter per input channel and multiplier."""

    depth_multiplier: int = 1
    use_bias: bool = True
    frozen: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"depthwise_conv{self.rank}d"

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = self.spatial_vars(in_shape)
        v["C_in"] = Var("C_in", in_shape[-1])
        v["dm"] = Var("dm", self.depth_multiplier, 1)
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (*self.spatial_rows(v), ("C_out", v["C_in"] * v["dm"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        ks = tuple(v[axis_var("k", ax, self.rank)] for ax in self._axes())
        rows: list[WeightRow] = [("kernel", (*ks, v["C_in"], v["dm"]), not self.frozen)]
        if self.use_bias:
            rows.append(("bias", (v["C_in"] * v["dm"],), not self.frozen))
        return tuple(rows)

    def macs(self, in_shape: Shape) -> int:
        """H_out·W_out·(C_in·dm)·k_h·k_w.

        >>> DepthwiseConv(rank=2, kernel=(3, 3)).macs((10, 10, 4))  # 8·8·4·3·3
        2304
        """
        return math.prod(self.output_shape(in_shape)) * math.prod(self.kernel)

    def describe(self) -> str:
        text = f"depthwise {self.window_text()}"
        if self.depth_multiplier != 1:
            text += f", depth multiplier {self.depth_multiplier}"
        return text + ("" if self.use_bias else ", no bias")


@dataclass(frozen=True, kw_only=True)
class SeparableConv(Windowed):
    """Depthwise k… filters, then a 1×1 pointwise conv to ``filters``; one bias per filter."""

    filters: int = 1
    depth_multiplier: int = 1
    use_bias: bool = True
    frozen: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"separable_conv{self.rank}d"

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        v = self.spatial_vars(in_shape)
        v["C_in"] = Var("C_in", in_shape[-1])
        v["dm"] = Var("dm", self.depth_multiplier, 1)
        v["C_out"] = Var("C_out", self.filters)
        return v

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (*self.spatial_rows(v), ("C_out", v["C_out"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        ks = tuple(v[axis_var("k", ax, self.rank)] for ax in self._axes())
        ones = (1,) * self.rank
        rows: list[WeightRow] = [
            ("depthwise_kernel", (*ks, v["C_in"], v["dm"]), not self.frozen),
            ("pointwise_kernel", (*ones, v["C_in"] * v["dm"], v["C_out"]), not self.frozen),
        ]
        if self.use_bias:
            rows.append(("bias", (v["C_out"],), not self.frozen))
        return tuple(rows)

    def macs(self, in_shape: Shape) -> int:
        """Depthwise H_out·W_out·C_in·dm·k_h·k_w plus pointwise H_out·W_out·C_in·dm·C_out.

        >>> SeparableConv(rank=2, filters=8, kernel=(3, 3)).macs((10, 10, 4))  # 2304 + 8·8·4·8
        4352
        """
        out = self.output_shape(in_shape)
        positions = math.prod(out[:-1])
        mid = in_shape[-1] * self.depth_multiplier
        return positions * mid * math.prod(self.kernel) + positions * mid * self.filters

    def describe(self) -> str:
        text = f"{plural(self.filters, 'filter')}, separable {self.window_text()}"
        if self.depth_multiplier != 1:
            text += f", depth multiplier {self.depth_multiplier}"
        return text + ("" if self.use_bias else ", no bias")
