"""Difficulty by concept, not by size: knobs that change what a problem tests.

- ``max_product``: a calculator-free cap; every weight tensor and every layer's count stays at
  or below it, so the arithmetic can be done by hand;
- ``floors``: the input gets odd sizes (one more pixel per axis), so some window does not tile
  its input and the output size must be rounded down; a draw without a rounding is redrawn;
- ``overlap_pooling``: AlexNet's overlapping pooling, 3×3 windows with stride 2;
- ``pool_stride_one``: pooling windows that move by 1 (the map shrinks by window − 1).

:meth:`Concepts.transform` rewrites a drawn spec and :meth:`Concepts.accept` filters the solved
draw; :func:`generator.problem.generate` redraws until both agree, so every problem stays valid,
unambiguous and diagnosable.

>>> c = Concepts(overlap_pooling=True)
>>> c.transform({"input": {"shape": [8, 8], "channels": 1}, "conventions": {},
...              "layers": [{"type": "max_pooling2d", "pool_size": 2}]})["layers"]
[{'type': 'max_pooling2d', 'pool_size': 3, 'strides': 2}]
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .network import Solution

__all__ = ["Concepts"]


def _is_window_pool(layer: dict[str, Any]) -> bool:
    kind = str(layer.get("type", ""))
    return "pooling" in kind and not kind.startswith("global_")


@dataclass(frozen=True)
class Concepts:
    max_product: int | None = None
    floors: bool = False
    overlap_pooling: bool = False
    pool_stride_one: bool = False

    def __post_init__(self) -> None:
        if self.overlap_pooling and self.pool_stride_one:
            raise ConfigError("overlapping pooling (3×3, stride 2) and stride-1 pooling exclude "
                              "each other; choose one.")
        if self.max_product is not None and self.max_product < 10:
            raise ConfigError(f"the product cap must be at least 10; received {self.max_product}.")

    @property
    def active(self) -> bool:
        return bool(self.max_product or self.floors or self.overlap_pooling or
                    self.pool_stride_one)

    def transform(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The drawn spec with the pooling and input sizes these concepts ask for."""
        out = copy.deepcopy(spec)
        for layer in out["layers"]:
            if not _is_window_pool(layer):
                continue
            if self.overlap_pooling:
                layer["pool_size"], layer["strides"] = 3, 2
            elif self.pool_stride_one:
                layer["strides"] = 1
        if self.floors and out["input"].get("shape") and (
                out["input"].get("color") or "channels" in out["input"]):
            out["input"]["shape"] = [int(n) + 1 for n in out["input"]["shape"]]
        return out

    def accept(self, sol: Solution, rounds: bool) -> bool:
        """Whether a solved draw tests what was asked (``rounds``: some size is floored)."""
        if self.floors and not rounds:
            return False  # a floor is what this problem tests
        if rounds and not (self.floors or self.overlap_pooling or self.pool_stride_one):
            return False  # only these knobs let a size be rounded

        if (self.overlap_pooling or self.pool_stride_one) and not any(
                "pooling" in r.kind and not r.kind.startswith("global_") for r in sol.rows):
            return False  # the pooling asked for must be there
        if self.max_product is not None:
            cap = self.max_product
            for row in sol.rows:
                if any(w.size > cap for w in row.weights) or row.params > cap:
                    return False
        return True
