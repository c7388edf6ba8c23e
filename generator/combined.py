"""Combined topics (``color+sharing+trainable-pooling``) and the classic posted questions.

A combined topic draws one network that exercises every named feature at once, from one
``random.Random``: the features configure one :class:`~generator.builder.Builder` draw (the
input colour model, a tied convolution, pooling with weights, layers without bias, mixed
padding, a strided or dilated convolution, batch norm, dropout, a global-pooling head), and
:func:`exercises` checks the drawn spec really has each one (otherwise the draw is redrawn).

The classic questions are named topics of their own:

- ``classic-shared``: a CMYK or RGBA image, five convolutions of which the last reuses the
  weights of the third, flatten and two dense layers;
- ``classic-pool-weight``: a grayscale image and "the pooling layer has a weight, like
  AlexNet": max or average pooling with one coefficient and one bias per channel, stated;
- ``classic-keras``: a Keras listing with the input shape on the first layer only, so every
  input-channel count must be inferred.

>>> import random
>>> spec = draw_combined(("color", "sharing", "trainable-pooling"), random.Random(0), "easy", "prose")
>>> sorted(f for f in FEATURES if exercises(spec, (f,)))  # doctest: +NORMALIZE_WHITESPACE
['color', 'sharing', 'trainable-pooling']
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from .builder import LEVELS, Builder, Redraw
from .graph_topics import GRAPH_TOPICS

__all__ = ["CLASSICS", "FEATURES", "GRAPH_FEATURES", "combinable", "draw_classic",
           "draw_combined", "exercises", "split_topic"]

#: topics that combine with each other (one 2-D chain of convolutions, pooling and dense layers)
FEATURES = ("color", "sharing", "trainable-pooling", "no-bias", "padding", "stride-dilation",
            "batchnorm", "dropout-flatten", "global-pooling")
#: features a graph topic (residual, concat) takes: ``residual+batchnorm+color``
GRAPH_FEATURES = ("color", "batchnorm", "no-bias")
CLASSICS = ("classic-shared", "classic-pool-weight", "classic-keras")
DEEP_COLORS = ("rgba", "cmyk")
POOL_WEIGHTS = ("coefficient_and_bias", "coefficient")


def split_topic(topic: str) -> tuple[str, ...] | None:
    """The features of ``a+b+c`` in a canonical order, or None when ``topic`` is not combined.

    >>> split_topic("sharing+color"), split_topic("basic")
    (('color', 'sharing'), None)
    """
    if "+" not in topic:
        return None
    names = tuple(t.strip() for t in topic.split("+"))
    known = (*GRAPH_TOPICS, *FEATURES)
    return tuple(f for f in known if f in names) if set(names) <= set(known) else names


def combinable(features: Sequence[str]) -> bool:
    """Two or more chain features, or one graph topic with graph features.

    >>> combinable(("color", "sharing")), combinable(("residual", "batchnorm"))
    (True, True)
    >>> combinable(("residual", "sharing")), combinable(("residual", "concat"))
    (False, False)
    """
    bases = [f for f in features if f in GRAPH_TOPICS]
    if bases:
        return len(bases) == 1 and len(features) >= 2 and set(features) - set(bases) <= set(
            GRAPH_FEATURES)
    return len(features) >= 2 and set(features) <= set(FEATURES)


def _has_bias_free_layer(spec: dict[str, Any]) -> bool:
    default = spec["conventions"].get("bias", "true") == "true"
    return any(layer.get("bias", default) is False for layer in spec["layers"]
               if layer["type"].startswith(("conv", "dense")) and "share" not in layer)


#: feature name -> does the spec exercise it
CHECKS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "color": lambda s: s["input"].get("color") in ("rgb", "rgba", "cmyk"),
    "sharing": lambda s: any("share" in layer for layer in s["layers"]),
    "trainable-pooling": lambda s: s["conventions"].get("pooling_weights", "none") != "none"
    and any("pooling" in layer["type"] and "global" not in layer["type"] for layer in s["layers"]),
    "no-bias": _has_bias_free_layer,
    "padding": lambda s: len({str(layer.get("padding", s["conventions"]["padding"]))
                              for layer in s["layers"] if layer["type"].startswith("conv")
                              and "share" not in layer}) > 1,
    "stride-dilation": lambda s: any(layer.get("strides", 1) != 1 or layer.get("dilation", 1) != 1
                                     for layer in s["layers"]),
    "batchnorm": lambda s: any(layer["type"] == "batch_normalization" for layer in s["layers"]),
    "dropout-flatten": lambda s: any(layer["type"] == "dropout" for layer in s["layers"]),
    "global-pooling": lambda s: any(layer["type"].startswith("global_") for layer in s["layers"]),
    "residual": lambda s: any(layer["type"] == "add" for layer in s["layers"]),
    "concat": lambda s: any(layer["type"] == "concatenate" for layer in s["layers"]),
}


def exercises(spec: dict[str, Any], features: Sequence[str]) -> bool:
    """True when the spec has every feature (a tied layer for sharing, and so on)."""
    return all(CHECKS[f](spec) for f in features)


def _bias_flip(b: Builder, on: bool) -> bool | None:
    """With no-bias: sometimes the opposite of the default (None keeps the default)."""
    if not on or b.rng.random() >= 0.4:
        return None
    return b.conventions["bias"] != "true"


def draw_combined(features: Sequence[str], rng: random.Random, difficulty: str,
                  style: str) -> dict[str, Any]:
    """One network exercising every feature; raises :class:`Redraw` when a draw falls short."""
    f = set(features)
    if not combinable(features):
        raise ValueError(f"not combinable: {sorted(f)}")
    base = next((t for t in GRAPH_TOPICS if t in f), None)
    if base is not None:  # a residual or concat network with the named features
        spec = GRAPH_TOPICS[base](rng, difficulty, style, frozenset(f - {base}))
        if not exercises(spec, features):
            raise Redraw("a named feature is missing from the draw")
        return spec
    b = Builder(rng, LEVELS[difficulty], style)
    pad = rng.choice(("valid", "same"))
    b.conventions = {
        "padding": pad,
        "bias": rng.choice(("true", "false")) if "no-bias" in f else "true",
        "pool_strides": "pool_size",
        "pooling_weights": rng.choice(POOL_WEIGHTS) if "trainable-pooling" in f else "none",
        "count": rng.choice(("trainable", "total")) if "batchnorm" in f else "trainable",
    }
    color = rng.choice(("rgb", *DEEP_COLORS, *DEEP_COLORS)) if "color" in f else None
    sizes = [s for s in b.level.sizes if s >= 12 and s % 4 == 0] or [16]
    b.start(int(b.pick(sizes)), {"rgb": 3, "rgba": 4, "cmyk": 4, None: 3}[color], color=color)
    modes: tuple[Any, ...] = ("valid", "same") if style == "keras" else ("valid", "same", 1)
    n = max(2, rng.randint(*b.level.convs))
    special = rng.randrange(n)
    op = rng.choice(("max", "average"))
    for i in range(n):
        padding = b.pick(modes) if "padding" in f else None
        stride, dilation = 1, 1
        if "stride-dilation" in f and i == special:
            stride, dilation = rng.choice(((2, 1), (1, 2)))
            if stride > 1 and style == "pytorch" and (padding or pad) == "same":
                padding = "valid"
        pool = i == n - 1 or rng.random() < 0.4
        depth = b.channels
        layer = b.conv(padding=padding, stride=stride, dilation=dilation,
                       even=pool and not ("sharing" in f and i == 1),
                       bias=_bias_flip(b, "no-bias" in f))
        if "batchnorm" in f and (i == 0 or rng.random() < 0.5):
            b.batchnorm()
        if "sharing" in f and i == 1:
            _tie(b, layer, depth)
        if pool and not b.pool(op, trainable=None):
            raise Redraw("odd size before pooling")
        if "dropout-flatten" in f and pool:
            b.dropout(rng.choice((0.25, 0.4)))
    if "global-pooling" in f:
        b.global_pool(rng.choice(("average", "max")))
    else:
        b.flatten()
    b.dense_head(n=max(2, rng.randint(*b.level.dense)) if "dropout-flatten" in f else None,
                 bias=lambda: _bias_flip(b, "no-bias" in f),
                 dropout=0.5 if "dropout-flatten" in f else None)
    spec = b.spec()
    if not exercises(spec, features):
        raise Redraw("a named feature is missing from the draw")
    return spec


def _tie(b: Builder, shared: dict[str, Any], depth: int) -> None:
    """A convolution back to ``depth`` (the input depth of ``shared``), then a reuse of ``shared``."""
    b.conv(filters=depth)
    kernel, stride = shared["kernel"], shared.get("strides", 1)
    padding = shared.get("padding", b.conventions["padding"])
    padding = padding[0] if isinstance(padding, list) else padding
    outs = [b.out_len(n, kernel, stride, padding, shared.get("dilation", 1)) for n in b.spatial]
    if any(o is None or o < 3 for o in outs):
        raise Redraw("the tied convolution does not fit exactly")
    b.layers.append({"type": "conv2d", "name": b.name("conv"), "share": shared["name"]})
    b.spatial, b.channels = [int(o) for o in outs if o is not None], shared["filters"]


def draw_classic(topic: str, rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    """The classic posted questions (see the module docstring)."""
    b = Builder(rng, LEVELS[difficulty], style)
    b.conventions = {"padding": "valid", "bias": "true", "pool_strides": "pool_size",
                     "pooling_weights": "none", "count": "trainable"}
    if topic == "classic-shared":
        color = rng.choice(DEEP_COLORS)
        b.start(int(b.pick([s for s in b.level.sizes if s >= 16])), 4, color=color)
        width = b.filters()
        b.conv(filters=width, kernel=3)
        b.conv(filters=width, kernel=3)
        third = b.conv(filters=width, kernel=3)
        b.conv(filters=width, kernel=3)
        b.layers.append({"type": "conv2d", "name": b.name("conv"), "share": third["name"]})
        b.spatial = [s - 2 for s in b.spatial]
        if any(s < 3 for s in b.spatial):
            raise Redraw("the map is too small for five convolutions")
        b.flatten()
        b.dense_head(n=2)
    elif topic == "classic-pool-weight":
        b.conventions["pooling_weights"] = "coefficient_and_bias"
        b.start(int(b.pick([s for s in b.level.sizes if s >= 12])), 1, color="gray")
        op = rng.choice(("max", "average"))  # one kind per network: Keras shows one helper
        for _ in range(max(2, rng.randint(*b.level.convs))):
            b.conv(even=True)
            if not b.pool(op):
                raise Redraw("odd size before pooling")
        b.flatten()
        b.dense_head()
    elif topic == "classic-keras":
        b.start(int(b.pick([s for s in b.level.sizes if s >= 12])), int(rng.choice((1, 3))),
                color=None)
        for i in range(max(2, rng.randint(*b.level.convs))):
            pool = i % 2 == 1
            b.conv(even=pool)
            if pool:
                b.pool()
        b.flatten()
        b.dense_head()
    else:
        raise ValueError(f"not a classic topic: {topic}")
    return b.spec()
