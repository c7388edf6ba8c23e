"""Layers without a window: dense, flatten, dropout, activations and normalisations.

>>> Dense(units=10).params((250,))
2510
>>> Flatten().output_shape((45, 45, 100))
(202500,)
>>> BatchNormalization().trainable_params((8, 8, 32)), BatchNormalization().non_trainable_params((8, 8, 32))
(64, 64)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..derive import Derivation, Var, substitute
from ..formulas import prod
from .base import AXES, Layer, Row, Shape, WeightRow, fmt_shape
from .kinds.words import plural

__all__ = [
    "Activation",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "Flatten",
    "LocalResponseNormalization",
]


def dim_names(rank: int) -> tuple[str, ...]:
    """Names of the axes of a rank-``rank`` input (channels last): H, W, C; else d_1, d_2, ..."""
    if 2 <= rank <= 4:
        return (*AXES[rank - 1], "C")
    return tuple(f"d_{i + 1}" for i in range(rank))


@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    """Flattens every axis into one: n = H·W·C."""

    kind = "flatten"

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {n: Var(n, d) for n, d in zip(dim_names(len(in_shape)), in_shape, strict=True)}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return (("n", prod(v.values()), len(in_shape) > 1),)

    def derivations(self, in_shape: Shape, v: Mapping[str, Var] | None = None
                    ) -> tuple[Derivation, ...]:
        """n as the product of the input axes, written in axis order (H·W·C)."""
        v = self.variables(in_shape) if v is None else v
        if len(in_shape) < 2:
            return ()
        text = "·".join(x.name for x in v.values())  # plain names: no SymPy needed
        subst = substitute(text, {k: x.value for k, x in v.items()})
        return (Derivation("n", text, subst, prod(in_shape)),)


@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    """Fully connected on the last axis (Keras): kernel n_in·n_out, bias n_out."""

    kind = "dense"
    units: int = 1
    use_bias: bool = True
    frozen: bool = False

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"n_in": Var("n_in", in_shape[-1]), "n_out": Var("n_out", self.units)}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        lead = tuple((f"d_{i + 1}", d, False) for i, d in enumerate(in_shape[:-1]))
        return (*lead, ("n_out", v["n_out"], False))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        rows: list[WeightRow] = [("kernel", (v["n_in"], v["n_out"]), not self.frozen)]
        if self.use_bias:
            rows.append(("bias", (v["n_out"],), not self.frozen))
        return tuple(rows)

    def notes(self, in_shape: Shape) -> tuple[str, ...]:
        if len(in_shape) == 1:
            return ()
        return (
            f"Dense acts on the last axis only (as Keras does): its input {fmt_shape(in_shape)} is "
            f"not flattened, so n_in = {in_shape[-1]} and the same weights serve every one of "
            f"the {fmt_shape(in_shape[:-1])} positions.",
        )

    def macs(self, in_shape: Shape) -> int:
        """n_in·n_out at each of the leading positions.

        >>> Dense(units=10).macs((250,)), Dense(units=10).macs((4, 250))
        (2500, 10000)
        """
        return math.prod(in_shape) * self.units

    def describe(self) -> str:
        return plural(self.units, "unit") + ("" if self.use_bias else ", no bias")


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    """Dropout: no parameters, shape unchanged."""

    kind = "dropout"
    rate: float = 0.5

    def describe(self) -> str:
        return f"rate {self.rate}"


@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    """An activation function as its own layer (relu, softmax, ...)."""

    kind = "activation"
    activation: str = "relu"

    def describe(self) -> str:
        return self.activation


@dataclass(frozen=True, kw_only=True)
class LocalResponseNormalization(Layer):
    """AlexNet's local response normalisation: fixed hyper-parameters, no parameters."""

    kind = "local_response_normalization"
    size: int = 5

    def describe(self) -> str:
        return f"size {self.size}"


@dataclass(frozen=True, kw_only=True)
class BatchNormalization(Layer):
    """Batch norm over the last axis: γ, β trainable; moving mean/variance non-trainable (Keras)."""

    kind = "batch_normalization"
    center: bool = True
    scale: bool = True
    frozen: bool = False

    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {"C": Var("C", in_shape[-1])}

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        rows: list[WeightRow] = []
        if self.scale:
            rows.append(("gamma", (v["C"],), not self.frozen))
        if self.center:
            rows.append(("beta", (v["C"],), not self.frozen))
        rows += [("moving_mean", (v["C"],), False), ("moving_variance", (v["C"],), False)]
        return tuple(rows)

    def describe(self) -> str:
        return "batch normalization"
