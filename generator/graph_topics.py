"""Graph topics: residual blocks (``residual``) and concatenations (``concat``).

Both draw with the chain :class:`~generator.builder.Builder` and name the inputs of a layer
only where it does not take the layer before it (a shortcut, a branch, a skip), as the spec
format does. Every convolution pads to keep its size (``same``; the stated integer padding
k // 2 in PyTorch listings, which have no ``same`` for stride 2), so merges line up.

- ``residual``: basic blocks (two 3×3 convolutions) and, from medium, bottleneck blocks
  (1×1, 3×3, 1×1 with 4× expansion); the shortcut is the identity when the block keeps the
  channels and the size, else a 1×1 projection with the block's stride. Medium and hard
  draws hold both kinds of shortcut; with the ``batchnorm`` feature a batch norm after
  every convolution (convolutions without bias, as torchvision writes them).
- ``concat``: a stem convolution and an inception-style module (a 1×1 branch, a 1×1-reduced 3×3 and 5×5 branch,
  a 3×3 stride-1 max pool with a 1×1 projection) or a small U-Net (two encoder levels, an
  upsampling or a transposed convolution back up, the skip concatenated, a 1×1 classifier).

Strided convolutions are drawn only where they are exact (no answer depends on flooring):
on even sizes with ``same``, on odd sizes with PyTorch's integer padding.

>>> import random
>>> spec = residual(random.Random(1), "medium", "prose")
>>> sum(layer["type"] == "add" for layer in spec["layers"]) >= 2
True
>>> any(layer["type"] == "concatenate" for layer in concat(random.Random(2), "easy", "keras")["layers"])
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .builder import LEVELS, Builder, Redraw

__all__ = ["GRAPH_TOPICS", "concat", "residual"]


@dataclass(frozen=True)
class Tensor:
    """A named tensor of the draw: a layer's output (or the input) and its shape."""

    name: str
    spatial: tuple[int, ...]
    channels: int


class Graph:
    """A :class:`Builder` plus the names of tensors, so layers can take earlier ones."""

    def __init__(self, rng: random.Random, difficulty: str, style: str, *, bn: bool,
                 count: str, features: frozenset[str] = frozenset()) -> None:
        self.b = Builder(rng, LEVELS[difficulty], style)
        # PyTorch has no padding="same" for stride 2: its listings state the integer k // 2
        self.explicit = style == "pytorch"
        self.features = features
        bn = bn or "batchnorm" in features
        if bn and "batchnorm" in features:
            count = rng.choice(("trainable", "total"))
        self.b.conventions = {"padding": "valid" if self.explicit else "same",
                              "bias": rng.choice(("true", "false")) if "no-bias" in features
                              else "true", "pool_strides": "pool_size",
                              "pooling_weights": "none", "count": count}
        self.bn = bn
        self.rng = rng

    def start(self, size: int, channels: int) -> None:
        """The input; with the ``color`` feature an RGB, RGBA or CMYK image."""
        if "color" in self.features:
            model = self.rng.choice(("rgb", "rgba", "cmyk", "cmyk"))
            self.b.start(size, {"rgb": 3, "rgba": 4, "cmyk": 4}[model], color=model)
        else:
            self.b.start(size, channels)

    def _bias(self) -> bool | None:
        """Without bias under batch norm (as torchvision writes it); with ``no-bias``
        sometimes the opposite of the stated default."""
        if self.bn:
            return False
        if "no-bias" in self.features and self.rng.random() < 0.4:
            return self.b.conventions["bias"] != "true"
        return None

    # -- tensors ----------------------------------------------------------------------------
    def here(self) -> Tensor:
        b = self.b
        name = b.layers[-1]["name"] if b.layers else "input"
        return Tensor(name, tuple(b.spatial), b.channels)

    def _from(self, src: Tensor) -> int:
        """Set the running shape to ``src``; the index the next layer will have."""
        self.b.spatial, self.b.channels = list(src.spatial), src.channels
        return len(self.b.layers)

    def _wire(self, at: int, src: Tensor) -> None:
        previous = self.b.layers[at - 1]["name"] if at else "input"
        if previous != src.name:
            self.b.layers[at]["inputs"] = [src.name]

    # -- layers -----------------------------------------------------------------------------
    def fits(self, src: Tensor, kernel: int, stride: int) -> bool:
        pad = kernel // 2 if self.explicit else "same"
        return all(self.b.out_len(n, kernel, stride, pad) is not None for n in src.spatial)

    def conv(self, src: Tensor, filters: int, kernel: int, stride: int = 1,
             prefix: str = "conv", name: str | None = None, norm: bool = True) -> Tensor:
        """A size-keeping (``same`` / k // 2) convolution of ``src``, batch norm after it."""
        at = self._from(src)
        pad: Any = (kernel // 2 or "valid") if self.explicit else "same"
        self.b.conv(filters=filters, kernel=kernel, stride=stride, padding=pad, min_out=1,
                    bias=self._bias() if norm else None, name=name or self.b.name(prefix))
        self._wire(at, src)
        if self.bn and norm:
            self.b.batchnorm()
        return self.here()

    def pool_same(self, src: Tensor) -> Tensor:
        """A 3×3 max pool with stride 1 that keeps the size (inception's pool branch)."""
        at = self._from(src)
        self.b.layers.append({"type": "max_pooling2d", "name": self.b.name("pool"),
                              "pool_size": 3, "strides": 1,
                              "padding": [1, 1] if self.explicit else "same"})
        self._wire(at, src)
        return self.here()

    def merge(self, op: str, srcs: list[Tensor]) -> Tensor:
        spatial = srcs[0].spatial
        if any(s.spatial != spatial for s in srcs):  # pragma: no cover - drawn to match
            raise Redraw("branches of different sizes")
        if op == "add":
            channels = srcs[0].channels
        else:
            channels = sum(s.channels for s in srcs)
        self.b.layers.append({"type": op, "name": self.b.name("add" if op == "add" else "cat"),
                              "inputs": [s.name for s in srcs]})
        self.b.spatial, self.b.channels = list(spatial), channels
        return self.here()

    def head(self) -> None:
        """Global average pooling (or flatten on a small map) and one or two dense layers."""
        b = self.b
        flat = b.channels * _prod(b.spatial)
        if flat <= b.level.max_flat // 4 and self.rng.random() < 0.3:
            b.flatten()
        else:
            b.global_pool()
        flip = "no-bias" in self.features and not self.bn
        b.dense_head(bias=lambda: self._bias() if flip else None)

    def spec(self) -> dict[str, Any]:
        return self.b.spec()


def _prod(xs: list[int]) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def _widths(g: Graph) -> tuple[int, ...]:
    return tuple(f for f in g.b.level.filters if f <= 128)


# -- residual -----------------------------------------------------------------------------------
def _basic_block(g: Graph, x: Tensor, width: int, stride: int) -> tuple[Tensor, bool]:
    y = g.conv(x, width, 3, stride)
    y = g.conv(y, width, 3)
    return _shortcut(g, x, y, stride)


def _bottleneck(g: Graph, x: Tensor, width: int, stride: int) -> tuple[Tensor, bool]:
    """torchvision's Bottleneck (v1.5): the stride on the 3×3; expansion 4."""
    y = g.conv(x, width, 1)
    y = g.conv(y, width, 3, stride)
    y = g.conv(y, 4 * width, 1)
    return _shortcut(g, x, y, stride)


def _shortcut(g: Graph, x: Tensor, y: Tensor, stride: int) -> tuple[Tensor, bool]:
    """Identity when shapes already match, else a 1×1 projection with the block's stride."""
    if stride == 1 and x.channels == y.channels:
        return g.merge("add", [y, x]), False
    proj = g.conv(x, y.channels, 1, stride, prefix="proj")
    return g.merge("add", [y, proj]), True


def residual(rng: random.Random, difficulty: str, style: str,
             features: frozenset[str] = frozenset()) -> dict[str, Any]:
    # batch norm comes with the batchnorm feature (residual+batchnorm): per-layer answers
    # of BN-heavy graphs are not yet diagnosed reliably enough (see the issue 12 notes)
    g = Graph(rng, difficulty, style, bn=difficulty == "hard", count="trainable", features=features)
    b = g.b
    sizes = [s for s in b.level.sizes if s <= 64]
    if g.explicit:  # a stride-2 k // 2 window is exact on odd sizes only
        sizes = [s + 1 for s in sizes]
    g.start(int(b.pick(sizes)), int(rng.choice((3, 3, 16, 32))) if difficulty != "easy" else 3)
    x = g.conv(g.here(), int(b.pick([w for w in _widths(g) if w != b.channels])), 3,
               prefix="stem")
    n_blocks = {"easy": 1, "medium": 2, "hard": 3}[difficulty]
    kinds = []
    for i in range(n_blocks):
        bottleneck = difficulty != "easy" and rng.random() < 0.5
        width = int(b.pick([w for w in _widths(g) if w <= 64] if bottleneck else _widths(g)))
        # medium/hard: the first block keeps its shape when it can, a later one projects
        keep = rng.random() < 0.5 if difficulty == "easy" else i == 0
        out_channels = 4 * width if bottleneck else width
        stride = 1
        if keep:
            if bottleneck:
                width = x.channels // 4 if x.channels % 4 == 0 and x.channels >= 8 else width
                out_channels = 4 * width
            else:
                width = out_channels = x.channels
        elif rng.random() < 0.6 and g.fits(x, 3, 2) and g.fits(x, 1, 2) and min(x.spatial) >= 6:
            stride = 2
        if not keep and stride == 1 and out_channels == x.channels:
            raise Redraw("a projection block that keeps its shape")
        x, projected = (_bottleneck if bottleneck else _basic_block)(g, x, width, stride)
        kinds.append(projected)
    if difficulty != "easy" and len(set(kinds)) < 2:
        raise Redraw("identity and projection shortcuts both wanted")
    g.head()
    return g.spec()


# -- concat -------------------------------------------------------------------------------------
def _inception(g: Graph, difficulty: str) -> None:
    b, rng = g.b, g.rng
    g.start(int(b.pick([s for s in b.level.sizes if s <= 32])),
            int(rng.choice((16, 32, 64, 3)) if difficulty != "easy" else rng.choice((3, 8))))
    # a stem first, as GoogLeNet has: the input feeds one layer (the export's one-layer
    # distractors and the grader's per-layer reading then agree on the input's channels)
    x = g.conv(g.here(), int(b.pick([f for f in b.level.filters if f <= 64 and f != b.channels])),
               3, prefix="stem")
    small = [f for f in b.level.filters if f <= 64 and f != x.channels]
    branches = [g.conv(x, int(b.pick(small)), 1, name="branch1x1")]
    reduce3 = g.conv(x, int(b.pick(small)), 1, name="reduce3x3")
    branches.append(g.conv(reduce3, int(b.pick(small)), 3, name="branch3x3"))
    if difficulty != "easy":
        reduce5 = g.conv(x, int(b.pick(small)), 1, name="reduce5x5")
        branches.append(g.conv(reduce5, int(b.pick(small)), 5, name="branch5x5"))
    if difficulty != "easy" or rng.random() < 0.5:
        pooled = g.pool_same(x)
        branches.append(g.conv(pooled, int(b.pick(small)), 1, name="pool_proj"))
    if len({t.channels for t in branches}) < 2:
        raise Redraw("every branch has the same width")
    g.merge("concatenate", branches)
    g.head()


def _unet(g: Graph, difficulty: str) -> None:
    b, rng = g.b, g.rng
    g.start(int(b.pick([s for s in b.level.sizes if s % 4 == 0 and s <= 64] or [16])),
            int(rng.choice((1, 3))))
    width = int(b.pick([f for f in b.level.filters if f <= 32]))
    e1 = g.conv(g.here(), width, 3, prefix="enc")
    if difficulty == "hard":
        e1 = g.conv(e1, width, 3, prefix="enc")
    at = g._from(e1)
    if not b.pool("max"):
        raise Redraw("odd size before pooling")
    g._wire(at, e1)
    deep = int(b.pick([f for f in b.level.filters if width < f <= 64 and f != 2 * width]
                      or [3 * width]))
    e2 = g.conv(g.here(), deep, 3, prefix="enc")
    if difficulty != "easy":
        e2 = g.conv(e2, deep, 3, prefix="enc")
    at = g._from(e2)
    if rng.random() < 0.5:
        b.layers.append({"type": "up_sampling2d", "name": b.name("up"), "size": 2})
        b.spatial = [2 * n for n in b.spatial]
    else:
        # not `width`: the skip then doubles it, as merge_given_params and a pool's
        # scale and bias (2·width) would
        b.transpose(kernel=2, stride=2, padding="valid" if not g.explicit else 0,
                    filters=int(b.pick([f for f in b.level.filters if f <= 64 and f != width])))
    g._wire(at, e2)
    up = g.here()
    cat = g.merge("concatenate", [up, e1])
    d = g.conv(cat, width, 3, prefix="dec")
    g.conv(d, int(rng.choice((1, 2, 3, 5))), 1, prefix="out", norm=False)  # the classifier


def concat(rng: random.Random, difficulty: str, style: str,
           features: frozenset[str] = frozenset()) -> dict[str, Any]:
    unet = rng.random() < 0.4
    g = Graph(rng, difficulty, style, bn=difficulty == "hard", count="trainable", features=features)
    (_unet if unet else _inception)(g, difficulty)
    return g.spec()


GRAPH_TOPICS = {"residual": residual, "concat": concat}
