"""Drawing one architecture: difficulty levels and a builder that tracks the running shape.

A :class:`Builder` appends layers to a spec while it tracks the shape, choosing kernels so that
every window tiles its input exactly (no answer depends on flooring) and filter counts that
differ from the input channels (K = C_in hides mistakes). A draw that cannot be completed
raises :class:`Redraw`.

>>> import random
>>> b = Builder(random.Random(0), LEVELS["easy"], "prose")
>>> b.conventions = {"padding": "valid", "bias": "true", "pooling_weights": "none"}
>>> b.start(12, 3)
>>> layer = b.conv(kernel=3, filters=8)
>>> b.spatial, b.channels, b.pool()
([10, 10], 8, True)
>>> b.spatial
[5, 5]
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .formulas import (
    conv_len,
    effective_kernel,
    keras_transpose_len,
    same_len,
    tiles,
    transpose_len,
)

__all__ = ["CODE_STYLES", "LEVELS", "STYLES", "Builder", "Level", "Redraw"]

STYLES = ("prose", "keras", "pytorch", "table")
CODE_STYLES = ("keras", "pytorch")


class Redraw(Exception):
    """This draw cannot be completed exactly; draw again."""


@dataclass(frozen=True)
class Level:
    """How big and how many: the knobs a difficulty turns."""

    sizes: tuple[int, ...]
    filters: tuple[int, ...]
    kernels: tuple[int, ...]
    convs: tuple[int, int]
    dense: tuple[int, int]
    units: tuple[int, ...]
    max_flat: int


LEVELS: dict[str, Level] = {
    "easy": Level(sizes=(8, 10, 12, 14, 16, 20, 24, 28), filters=(2, 4, 5, 6, 8, 10, 12),
                  kernels=(3, 5), convs=(2, 2), dense=(1, 1), units=(2, 3, 4, 5, 10),
                  max_flat=1_500),
    "medium": Level(sizes=(16, 20, 24, 28, 30, 32, 36, 40, 48, 64),
                    filters=(8, 12, 16, 20, 24, 32, 40, 48, 64), kernels=(3, 5),
                    convs=(2, 3), dense=(1, 2), units=(10, 16, 20, 32, 50, 64, 100),
                    max_flat=25_000),
    "hard": Level(sizes=(28, 32, 48, 56, 60, 64, 96, 100, 112, 128),
                  filters=(16, 24, 32, 48, 60, 64, 96, 100, 128, 192, 256),
                  kernels=(3, 5, 7), convs=(3, 5), dense=(2, 3),
                  units=(10, 64, 100, 120, 128, 250, 256, 512), max_flat=150_000),
}


@dataclass
class Builder:
    """Tracks the running shape while layers are appended to a spec."""

    rng: random.Random
    level: Level
    style: str
    rank: int = 2
    spatial: list[int] = field(default_factory=list)
    channels: int = 0
    layers: list[dict[str, Any]] = field(default_factory=list)
    conventions: dict[str, str] = field(default_factory=dict)
    input: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    # -- helpers ----------------------------------------------------------------------------
    def name(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"

    def pick(self, options: Any) -> Any:
        return self.rng.choice(tuple(options))

    def start(self, size: int | list[int], channels: int, color: str | None = None) -> None:
        self.spatial = list(size) if isinstance(size, list) else [size] * self.rank
        self.channels = channels
        self.input = {"shape": list(self.spatial)}
        if color:
            self.input["color"] = color
        else:
            self.input["channels"] = channels

    def filters(self, exclude: tuple[int, ...] = (), multiple: int = 1) -> int:
        """A filter count different from the input channels (K = C_in hides mistakes)."""
        options = [f for f in self.level.filters
                   if f != self.channels and f not in exclude and f % multiple == 0]
        if not options:
            raise Redraw("no filter count fits")
        return int(self.pick(options))

    @property
    def kind_suffix(self) -> str:
        return f"{self.rank}d"

    # -- windows ----------------------------------------------------------------------------
    @staticmethod
    def out_len(n: int, k: int, s: int, padding: Any, d: int = 1) -> int | None:
        """Exact output length, or None when the window would floor or not fit."""
        if not tiles(n, k, s, padding, d):
            return None
        if padding == "same":
            return int(same_len(n, s))
        p = 0 if padding == "valid" else int(padding)
        return None if n + 2 * p < effective_kernel(k, d) else int(conv_len(n, k, s, p, d))

    def conv(self, *, kind: str = "conv", stride: int = 1, padding: Any = None,
             dilation: int = 1, groups: int = 1, bias: bool | None = None,
             filters: int | None = None, kernel: int | None = None, even: bool = False,
             min_out: int = 3, depth_multiplier: int | None = None,
             name: str | None = None) -> dict[str, Any]:
        """Append a convolution whose output size is exact; ``even``: ready for a 2×2 pool."""
        padding = self.conventions["padding"] if padding is None else padding
        kernels = [kernel] if kernel else list(self.level.kernels)
        self.rng.shuffle(kernels)
        for k in kernels:
            outs = [self.out_len(n, k, stride, padding, dilation) for n in self.spatial]
            if all(o is not None and o >= min_out and (not even or o % 2 == 0) for o in outs):
                break
        else:
            raise Redraw("no kernel fits exactly")
        prefix = {"conv": "conv", "depthwise": "dwconv", "separable": "sepconv"}[kind]
        layer: dict[str, Any] = {"type": f"{'' if kind == 'conv' else kind + '_'}conv{self.kind_suffix}",
                                 "name": name or self.name(prefix)}
        if kind != "depthwise":
            layer["filters"] = filters or self.filters(multiple=groups)
        layer["kernel"] = k
        if stride != 1:
            layer["strides"] = stride
        if padding != self.conventions["padding"]:
            layer["padding"] = padding if isinstance(padding, str) else [padding] * self.rank
        if dilation != 1:
            layer["dilation"] = dilation
        if groups != 1:
            layer["groups"] = groups
        if depth_multiplier is not None and depth_multiplier != 1:
            layer["depth_multiplier"] = depth_multiplier
        if bias is not None and bias != (self.conventions["bias"] == "true"):
            layer["bias"] = bias
        self.layers.append(layer)
        self.spatial = [o for o in outs if o is not None]
        if kind == "depthwise":
            self.channels *= depth_multiplier or 1
        else:
            self.channels = layer["filters"]
        return layer

    def pool(self, op: str = "max", size: int = 2, trainable: str | None = None) -> bool:
        """Append a size×size pool when it tiles the input exactly; False when it cannot."""
        if any(n % size or n // size < 2 for n in self.spatial):
            return False
        layer: dict[str, Any] = {"type": f"{op}_pooling{self.kind_suffix}",
                                 "name": self.name("pool"), "pool_size": size}
        if self.conventions["padding"] != "valid":
            layer["padding"] = "valid"
        if trainable is not None and trainable != self.conventions["pooling_weights"]:
            layer["trainable"] = trainable
        self.layers.append(layer)
        self.spatial = [int(conv_len(n, size, size)) for n in self.spatial]  # the pool's own rule
        return True

    def transpose(self, *, kernel: int, stride: int, padding: Any,
                  filters: int | None = None) -> None:
        """Append a transposed convolution (no flooring: its output is always exact)."""
        if padding == "valid" and kernel < stride:
            raise Redraw("Keras 'valid' transposed conv with k < s")
        if isinstance(padding, str):
            outs = [keras_transpose_len(n, kernel, stride, same=padding == "same")
                    for n in self.spatial]
        else:
            outs = [transpose_len(n, kernel, stride, padding) for n in self.spatial]
        layer: dict[str, Any] = {"type": f"conv{self.kind_suffix}_transpose",
                                 "name": self.name("tconv"),
                                 "filters": filters or self.filters(), "kernel": kernel}
        if stride != 1:
            layer["strides"] = stride
        if padding != self.conventions["padding"]:
            layer["padding"] = padding if isinstance(padding, str) else [padding] * self.rank
        self.layers.append(layer)
        self.spatial, self.channels = outs, layer["filters"]

    # -- heads ------------------------------------------------------------------------------
    def flatten(self) -> None:
        n = self.channels
        for s in self.spatial:
            n *= s
        if n > self.level.max_flat or all(s == 1 for s in self.spatial):
            raise Redraw("flattened vector too long (or 1×1 map)")
        self.layers.append({"type": "flatten", "name": self.name("flatten")})
        self.spatial, self.channels = [], n

    def global_pool(self, op: str = "average") -> None:
        if all(s == 1 for s in self.spatial):
            raise Redraw("global pooling of a 1×1 map")
        self.layers.append({"type": f"global_{op}_pooling{self.kind_suffix}",
                            "name": self.name("gap" if op == "average" else "gmp")})
        self.spatial = []

    def dense(self, units: int | None = None, bias: bool | None = None) -> None:
        options = [u for u in self.level.units if u != self.channels]
        layer: dict[str, Any] = {"type": "dense", "name": self.name("dense"),
                                 "units": units or int(self.pick(options))}
        if bias is not None and bias != (self.conventions["bias"] == "true"):
            layer["bias"] = bias
        self.layers.append(layer)
        self.channels = layer["units"]

    def dense_head(self, n: int | None = None, *, bias: Callable[[], bool | None] = lambda: None,
                   dropout: float | None = None) -> None:
        lo, hi = self.level.dense
        n = n or self.rng.randint(lo, hi)
        used: list[int] = []
        for i in range(n):
            last = i == n - 1
            opts = [u for u in self.level.units if u != self.channels and u not in used]
            if not last:
                opts = [u for u in opts if u >= 16] or opts
            if not opts:
                raise Redraw("no unit count fits")
            units = int(self.pick(opts))
            used.append(units)
            self.dense(units, bias=bias())
            if dropout is not None and not last:
                self.dropout(dropout)

    def dropout(self, rate: float) -> None:
        self.layers.append({"type": "dropout", "name": self.name("dropout"), "rate": rate})

    def batchnorm(self) -> None:
        self.layers.append({"type": "batch_normalization", "name": self.name("bn")})

    def spec(self) -> dict[str, Any]:
        return {"input": self.input, "conventions": dict(self.conventions), "layers": self.layers}
