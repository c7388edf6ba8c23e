"""Layer classes and the registry of layer kinds (Keras's snake_case names).

>>> sorted(KINDS)[:3]
['activation', 'add', 'average']
>>> make("conv2d", filters=8, kernel=(3, 3), strides=(1, 1), dilation=(1, 1)).kind
'conv2d'
"""

from __future__ import annotations

from typing import Any

from .base import Layer, Shape, Weight, fmt_shape
from .conv import Conv, ConvTranspose, DepthwiseConv, SeparableConv, Windowed
from .core import (
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    Flatten,
    LocalResponseNormalization,
)
from .merge import MERGE_OPS, Merge
from .pooling import GlobalPool, Pool, PoolWeights

__all__ = [
    "KINDS",
    "MERGE_OPS",
    "Merge",
    "Activation",
    "BatchNormalization",
    "Conv",
    "ConvTranspose",
    "Dense",
    "DepthwiseConv",
    "Dropout",
    "Flatten",
    "GlobalPool",
    "Layer",
    "LocalResponseNormalization",
    "Pool",
    "PoolWeights",
    "SeparableConv",
    "Shape",
    "Weight",
    "Windowed",
    "fmt_shape",
    "make",
]

#: kind -> (class, fixed constructor arguments)
KINDS: dict[str, tuple[type[Layer], dict[str, Any]]] = {
    "flatten": (Flatten, {}),
    "dense": (Dense, {}),
    "dropout": (Dropout, {}),
    "activation": (Activation, {}),
    "relu": (Activation, {"activation": "relu"}),
    "softmax": (Activation, {"activation": "softmax"}),
    "batch_normalization": (BatchNormalization, {}),
    "local_response_normalization": (LocalResponseNormalization, {}),
}
for _r in (1, 2, 3):
    KINDS[f"conv{_r}d"] = (Conv, {"rank": _r})
    KINDS[f"conv{_r}d_transpose"] = (ConvTranspose, {"rank": _r})
    for _op in ("max", "average"):
        KINDS[f"{_op}_pooling{_r}d"] = (Pool, {"rank": _r, "op": _op})
        KINDS[f"global_{_op}_pooling{_r}d"] = (GlobalPool, {"rank": _r, "op": _op})
for _op in MERGE_OPS:
    KINDS[_op] = (Merge, {"op": _op})
for _r in (1, 2):
    KINDS[f"depthwise_conv{_r}d"] = (DepthwiseConv, {"rank": _r})
    KINDS[f"separable_conv{_r}d"] = (SeparableConv, {"rank": _r})


def make(kind: str, **options: Any) -> Layer:
    """Build a layer of a registered kind from constructor arguments."""
    cls, fixed = KINDS[kind]
    return cls(**fixed, **options)
