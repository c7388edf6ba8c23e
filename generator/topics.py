"""Random architectures by topic and difficulty, drawn from one ``random.Random``.

Each topic function takes the generator, a difficulty and the presentation style (the style
limits what can be shown: Keras has no explicit integer padding, PyTorch no 'same' for
stride > 1) and returns a spec mapping in the format :func:`generator.spec.load_spec` reads,
with every convention stated. A draw that cannot be completed exactly (an odd size before a
2×2 pool, a window larger than its input, a layer whose filters equal its input channels)
raises :class:`Redraw`; :func:`generator.problem.generate` then draws again.

Sizes are exact: every window tiles its (padded) input with no remainder, so no answer depends
on flooring; 'same' with stride s is only drawn on sizes divisible by s.

>>> import random
>>> spec = draw("basic", random.Random(3), "easy", "prose")
>>> sorted(spec)
['conventions', 'input', 'layers']
>>> spec["layers"][0]["type"]
'conv2d'
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .builder import CODE_STYLES, LEVELS, STYLES, Builder, Level, Redraw
from .combined import (
    CLASSICS,
    FEATURES,
    GRAPH_FEATURES,
    combinable,
    draw_classic,
    draw_combined,
    exercises,
    split_topic,
)
from .graph_topics import GRAPH_TOPICS

__all__ = ["CLASSICS", "CODE_STYLES", "FEATURES", "LEVELS", "STYLES", "TOPICS", "Redraw", "draw",
           "is_topic", "styles_for", "topic_error"]


# -- shared pieces ------------------------------------------------------------------------------
def _builder(rng: random.Random, difficulty: str, style: str, *, rank: int = 2,
             padding: str = "valid", bias: str = "true", pooling_weights: str = "none",
             count: str = "trainable") -> Builder:
    b = Builder(rng, LEVELS[difficulty], style, rank=rank)
    b.conventions = {"padding": padding, "bias": bias, "pool_strides": "pool_size",
                     "pooling_weights": pooling_weights, "count": count}
    return b


def _n_convs(b: Builder) -> int:
    lo, hi = b.level.convs
    return b.rng.randint(lo, hi)


def _conv_stack(b: Builder, n: int, *, pool_prob: float = 0.6, op: str = "max",
                **conv: Any) -> None:
    """n convolutions, each maybe followed by a 2×2 pool; the last is always pooled if it can."""
    for i in range(n):
        want_pool = i == n - 1 or b.rng.random() < pool_prob
        b.conv(even=want_pool, **conv)
        if want_pool:
            b.pool(op)


def _easy_size(b: Builder) -> int:
    return int(b.pick(b.level.sizes))


# -- topics -------------------------------------------------------------------------------------
def basic(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style)
    b.start(_easy_size(b), 3)
    _conv_stack(b, _n_convs(b))
    b.flatten()
    b.dense_head()
    return b.spec()


def color(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style)
    model = b.pick(("rgb", "rgba", "cmyk", "cmyk"))
    b.start(_easy_size(b), {"rgb": 3, "rgba": 4, "cmyk": 4}[model], color=model)
    _conv_stack(b, _n_convs(b))
    b.flatten()
    b.dense_head()
    return b.spec()


def sharing(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    """conv_a: C→A, conv_b: A→B, conv_c: B→A, then a reuse of conv_b (A→B); more at hard."""
    b = _builder(rng, difficulty, style, padding="same")
    b.start(int(b.pick([s for s in b.level.sizes if s % 4 == 0] or [16])), 3)
    first = b.conv()
    a = first["filters"]
    second = b.conv(filters=b.filters(exclude=(a,)))
    third = b.conv(filters=a)
    if b.rng.random() < 0.5:
        b.pool()
    b.layers.append({"type": f"conv{b.kind_suffix}", "name": b.name("conv"), "share": second["name"]})
    b.channels = second["filters"]
    if difficulty == "hard":
        b.layers.append({"type": f"conv{b.kind_suffix}", "name": b.name("conv"),
                         "share": third["name"]})
        b.channels = a
    if b.rng.random() < 0.5 or not b.pool():
        b.global_pool()
    else:
        b.flatten()
    b.dense_head()
    return b.spec()


def trainable_pooling(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    """LeNet-style: conv → subsampling with a coefficient (and bias) per channel."""
    weights = rng.choice(("coefficient_and_bias", "coefficient_and_bias", "coefficient"))
    b = _builder(rng, difficulty, style, pooling_weights=weights)
    op = rng.choice(("average", "max"))  # LeNet subsamples by averaging; AlexNet-style max too
    b.start(int(b.pick([s for s in b.level.sizes if s >= 12])), 3)
    for i in range(_n_convs(b)):
        if i == 0 and weights == "coefficient":  # else every bias dropped = every coefficient
            b.conv(kernel=3)
        b.conv(even=True, kernel=int(b.pick(b.level.kernels)))
        if not b.pool(op, trainable=weights):
            raise Redraw("odd size before subsampling")
    b.flatten()
    b.dense_head()
    return b.spec()


def padding(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, padding=rng.choice(("valid", "same")))
    b.start(_easy_size(b), 3)
    if style == "keras":
        modes: tuple[Any, ...] = ("valid", "same")
    else:
        modes = ("valid", "same", 1, 2)
    n = max(2, _n_convs(b))
    seen: set[str] = set()
    for i in range(n):
        mode = b.pick(modes)
        if i == n - 1 and len(seen) == 1 and str(mode) in seen:
            mode = b.pick([m for m in modes if str(m) not in seen])
        seen.add(str(mode))
        pool = i == n - 1 or b.rng.random() < 0.5
        b.conv(padding=mode, even=pool)
        if pool:
            b.pool()
    b.flatten()
    b.dense_head()
    return b.spec()


def stride_dilation(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    pad = "valid" if style == "pytorch" else rng.choice(("valid", "same"))
    b = _builder(rng, difficulty, style, padding=pad)
    b.start(int(b.pick([s for s in b.level.sizes if s >= 12])), 3)
    n = max(2, _n_convs(b))
    special = rng.randrange(n)
    for i in range(n):
        stride, dil = 1, 1
        if i == special or rng.random() < 0.4:
            stride, dil = rng.choice(((2, 1), (2, 1), (1, 2), (3, 1)))
        b.conv(stride=stride, dilation=dil, even=(i == n - 1))
    b.pool()
    b.flatten()
    b.dense_head()
    return b.spec()


def no_bias(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    default = rng.choice(("true", "false"))
    b = _builder(rng, difficulty, style, bias=default)
    b.start(_easy_size(b), 3)

    def flip() -> bool | None:
        return (default != "true") if rng.random() < 0.4 else None

    n = max(1, _n_convs(b))
    _conv_stack(b, n, bias=None)
    for layer in b.layers:
        f = flip()
        if layer["type"].startswith("conv") and f is not None:
            layer["bias"] = f
    b.flatten()
    b.dense_head(bias=flip)
    spec = b.spec()
    if not exercises(spec, ("no-bias",)):
        raise Redraw("no layer without bias")
    return spec


def groups(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style)
    b.start(_easy_size(b), 3)
    b.conv(filters=b.filters(multiple=4))
    for _ in range(max(1, _n_convs(b) - 1)):
        g = int(rng.choice([g for g in (2, 4) if b.channels % g == 0] or [2]))
        if b.channels % g:
            raise Redraw("channels not divisible by groups")
        pool = rng.random() < 0.5
        b.conv(groups=g, even=pool)
        if pool:
            b.pool()
    b.conv(even=True)  # an ungrouped conv, so 'C_in left out' differs from 'gray input'
    if not b.pool():
        b.global_pool()
    else:
        b.flatten()
    b.dense_head()
    return b.spec()


def depthwise_separable(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, padding=rng.choice(("valid", "same")))
    b.start(_easy_size(b), 3)
    b.conv()
    for _ in range(max(1, _n_convs(b) - 1)):
        if rng.random() < 0.5:
            dm = int(rng.choice((1, 1, 2)))
            b.conv(kind="depthwise", depth_multiplier=dm)
            b.conv(kernel=1, filters=b.filters())
        else:
            dm = int(rng.choice((1, 1, 2)))
            b.conv(kind="separable", depth_multiplier=dm)
    if rng.random() < 0.5:
        b.global_pool()
    else:
        if not b.pool():
            raise Redraw("odd map")
        b.flatten()
    b.dense_head()
    return b.spec()


def batchnorm(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, count=rng.choice(("trainable", "trainable", "total")))
    b.start(_easy_size(b), 3)
    for i in range(_n_convs(b)):
        pool = i == 0 or rng.random() < 0.5
        b.conv(even=pool)
        b.batchnorm()
        if pool:
            b.pool()
    b.flatten()
    b.dense(int(b.pick([u for u in b.level.units if u >= 10])))
    if rng.random() < 0.6:
        b.batchnorm()
    b.dense(int(b.pick([u for u in (2, 3, 4, 5, 10) if u != b.channels])))
    return b.spec()


def global_pooling(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, padding=rng.choice(("valid", "same")))
    b.start(_easy_size(b), 3)
    _conv_stack(b, _n_convs(b), pool_prob=0.5)
    b.global_pool(rng.choice(("average", "average", "max")))
    b.dense_head()
    return b.spec()


def dropout_flatten(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style)
    b.start(_easy_size(b), 3)
    n = _n_convs(b)
    for i in range(n):
        pool = i == n - 1 or rng.random() < 0.5
        b.conv(even=pool)
        if pool:
            b.pool()
            b.dropout(rng.choice((0.25, 0.3, 0.4)))
    b.flatten()
    b.dense_head(n=max(2, b.rng.randint(*b.level.dense)), dropout=rng.choice((0.5, 0.2)))
    return b.spec()


def transpose(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, padding="same" if style == "keras" else "valid")
    b.start(int(rng.choice((3, 4, 5, 6, 7, 8))), int(b.pick(b.level.filters[1:])))
    for _ in range(max(1, _n_convs(b) - (1 if difficulty == "hard" else 0))):
        if style == "pytorch" or (style != "keras" and rng.random() < 0.5):
            k, s, p = rng.choice(((4, 2, 1), (3, 2, 1), (2, 2, 0), (3, 1, 1), (5, 2, 2)))
            b.transpose(kernel=k, stride=s, padding=p)
        else:
            mode = rng.choice(("same", "valid"))
            k, s = rng.choice(((3, 2), (4, 2), (2, 2), (5, 2), (3, 1)))
            if mode == "valid" and k < s:
                k = s
            b.transpose(kernel=k, stride=s, padding=mode)
    if rng.random() < 0.6:
        b.conv(kernel=3, padding="same", filters=int(rng.choice((1, 3))) if b.channels > 3 else 8)
    return b.spec()


def conv1d(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, rank=1, padding=rng.choice(("valid", "same")))
    length = {"easy": (16, 20, 24, 32), "medium": (32, 48, 64, 100, 128),
              "hard": (100, 128, 200, 256, 500)}[difficulty]
    b.start(int(rng.choice(length)), int(rng.choice((2, 3, 6, 8, 12))))
    _conv_stack(b, _n_convs(b), pool_prob=0.5)
    if rng.random() < 0.4:
        b.global_pool(rng.choice(("average", "max")))
    else:
        b.flatten()
    b.dense_head()
    return b.spec()


def conv3d(rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    b = _builder(rng, difficulty, style, rank=3, padding=rng.choice(("valid", "same")))
    depth = int(rng.choice((6, 8, 10, 12, 16)))
    size = int(rng.choice({"easy": (8, 10, 12), "medium": (16, 20, 24, 32),
                           "hard": (24, 32, 48, 64)}[difficulty]))
    b.start([depth, size, size], int(rng.choice((2, 3))))
    b = _shrink_kernels(b)
    _conv_stack(b, max(2, _n_convs(b) - 1), pool_prob=0.5)
    if rng.random() < 0.3:
        b.global_pool()
    else:
        b.flatten()
    b.dense_head()
    return b.spec()


def _shrink_kernels(b: Builder) -> Builder:
    b.level = Level(**{**b.level.__dict__, "kernels": (3,),
                       "filters": tuple(f for f in b.level.filters if f <= 64)})
    return b


TOPICS: dict[str, Callable[[random.Random, str, str], dict[str, Any]]] = {
    "basic": basic,
    "color": color,
    "sharing": sharing,
    "trainable-pooling": trainable_pooling,
    "padding": padding,
    "stride-dilation": stride_dilation,
    "no-bias": no_bias,
    "groups": groups,
    "depthwise-separable": depthwise_separable,
    "batchnorm": batchnorm,
    "global-pooling": global_pooling,
    "dropout-flatten": dropout_flatten,
    "transpose": transpose,
    "conv1d": conv1d,
    "conv3d": conv3d,
    **GRAPH_TOPICS,
}


def is_topic(topic: str) -> bool:
    """A single topic, a classic question, or features joined by '+'.

    >>> is_topic("basic"), is_topic("color+sharing"), is_topic("color+conv1d")
    (True, True, False)
    """
    features = split_topic(topic)
    if features is not None:
        return combinable(features)
    return topic in TOPICS or topic in CLASSICS


def topic_error(topic: str) -> str:
    """Why ``topic`` is not one (the message of a ConfigError)."""
    if "+" in topic:
        bad = [t for t in topic.split("+") if t not in (*FEATURES, *GRAPH_TOPICS)]
        return (f"'{'+'.join(bad) or topic}' cannot be combined; topics that combine with '+': "
                f"{', '.join(FEATURES)}; or one of {', '.join(GRAPH_TOPICS)} with "
                f"{', '.join(GRAPH_FEATURES)}.")
    return f"unknown topic '{topic}'; topics: {', '.join((*TOPICS, *CLASSICS))}, or a+b+c of " \
           f"{', '.join(FEATURES)}."


def styles_for(topic: str) -> tuple[str, ...]:
    """The presentation styles a topic can be shown in.

    >>> styles_for("trainable-pooling"), styles_for("classic-keras")
    (('prose', 'keras', 'pytorch', 'table'), ('keras',))
    """
    return ("keras",) if topic == "classic-keras" else STYLES


def draw(topic: str, rng: random.Random, difficulty: str, style: str) -> dict[str, Any]:
    """One spec for a topic; may raise :class:`Redraw`."""
    if topic in TOPICS:
        return TOPICS[topic](rng, difficulty, style)
    if topic in CLASSICS:
        return draw_classic(topic, rng, difficulty, style)
    return draw_combined(split_topic(topic) or (), rng, difficulty, style)
