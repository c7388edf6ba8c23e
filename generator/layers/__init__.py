"""Layer classes and the registry of layer kinds (Keras's snake_case names).

>>> sorted(KINDS)[:3]
['activation', 'adaptive_average_pooling1d', 'adaptive_average_pooling2d']
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
from .norm import Embedding, GroupNormalization, LayerNormalization, Parameter, PReLU
from .pooling import AdaptivePool, GlobalPool, Pool, PoolWeights
from .registry import REGISTRY, Code, Kind, of
from .reshape import (
    Cropping,
    Identity,
    Permute,
    Reshape,
    Resizing,
    UpSampling,
    ZeroPadding,
)

__all__ = [
    "KINDS",
    "REGISTRY",
    "Code",
    "Kind",
    "of",
    "MERGE_OPS",
    "Merge",
    "PReLU",
    "Parameter",
    "Permute",
    "Activation",
    "AdaptivePool",
    "BatchNormalization",
    "Conv",
    "ConvTranspose",
    "Cropping",
    "Dense",
    "DepthwiseConv",
    "Dropout",
    "Embedding",
    "Flatten",
    "GlobalPool",
    "GroupNormalization",
    "Identity",
    "Layer",
    "LayerNormalization",
    "LocalResponseNormalization",
    "Pool",
    "PoolWeights",
    "Reshape",
    "Resizing",
    "SeparableConv",
    "Shape",
    "UpSampling",
    "Weight",
    "Windowed",
    "ZeroPadding",
    "fmt_shape",
    "make",
]

#: kind -> (class, fixed constructor arguments), from the registry
KINDS: dict[str, tuple[type[Layer], dict[str, Any]]] = {
    k: (r.cls, dict(r.fixed)) for k, r in REGISTRY.items()}


def make(kind: str, **options: Any) -> Layer:
    """Build a layer of a registered kind from constructor arguments."""
    cls, fixed = KINDS[kind]
    return cls(**fixed, **options)
