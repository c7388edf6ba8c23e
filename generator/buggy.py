"""Buggy forward passes: a network solved under misconceptions, error carried forward.

:class:`Engine` evaluates one layer under a set of misconceptions (memoised on the layer,
its *student-side* input shape and the set), and runs whole forward passes where a
shape mistake changes every later layer. It reuses the layers' own code: a misconception
is a rewrite of hyper-parameters (``dataclasses.replace``), an input shape seen only by
the weight computation, or a small transform of the output shape or of the weights.

>>> from generator.spec import load_spec
>>> from generator.misconceptions import MISCONCEPTIONS
>>> net = load_spec({"input": {"shape": [8, 8], "channels": 3},
...                  "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]})
>>> eng = Engine(net, MISCONCEPTIONS)
>>> eng.base.total, eng.forward({0: ("conv_no_bias",)}).total
(56, 54)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .layers import Layer, Merge, Shape, Weight
from .network import Count, Network, Node, propagate, sources
from .spec import family

if TYPE_CHECKING:
    from .misconceptions import Misconception

__all__ = ["INPUT", "BuggyResult", "Engine", "LayerCtx"]

#: the pseudo layer index of the network input (colour-model misconceptions)
INPUT = -1


@dataclass(frozen=True)
class LayerCtx:
    """What a misconception may look at to decide whether it fits a layer."""

    layer: Layer
    node: Node
    index: int
    family: str
    in_shape: Shape
    out_shape: Shape
    network: Network
    is_last_param: bool


@dataclass(frozen=True)
class BuggyResult:
    """A (possibly buggy) forward pass: per-layer output shapes and counted parameters."""

    names: tuple[str, ...]
    shapes: tuple[Shape, ...]
    params: tuple[int, ...]
    input_shape: Shape
    #: the input names of every node (:func:`generator.network.sources`) and the network's
    #: input shapes by name; empty for a plain chain
    sources: tuple[tuple[str, ...], ...] = ()
    inputs: tuple[tuple[str, Shape], ...] = ()

    @property
    def total(self) -> int:
        """The answer under the network's count convention (trainable or total)."""
        return sum(self.params)

    def in_shape(self, i: int) -> Any:
        """Layer ``i``'s input shape; for a merge, the tuple of its inputs' shapes."""
        if not self.sources:
            return self.input_shape if i == 0 else self.shapes[i - 1]
        shapes = {**dict(self.inputs), **dict(zip(self.names, self.shapes, strict=True))}
        srcs = self.sources[i]
        return shapes[srcs[0]] if len(srcs) == 1 else tuple(shapes[s] for s in srcs)


class Engine:
    """A network compiled once for many buggy forward passes (memoised per layer)."""

    def __init__(self, network: Network, catalogue: Mapping[str, Misconception]) -> None:
        self.network = network
        self.catalogue = catalogue
        self.nodes = network.nodes
        self.names = tuple(n.name for n in network.nodes)
        self.families = tuple(family(n.layer.kind) for n in network.nodes)
        self.count_all = network.count == Count.TOTAL
        self.chain = network.is_chain
        self.sources = sources(network)
        self._memo: dict[tuple[int, Shape, tuple[str, ...]], tuple[Shape, int] | None] = {}
        #: layer evaluations done (memo misses): the work a diagnosis budget counts
        self.evaluations = 0
        params = [i for i, n in enumerate(self.nodes) if n.layer.has_weights and not n.shares]
        self.last_param = params[-1] if params else -1
        base = self.forward({})
        if base is None:  # pragma: no cover - solve() would have raised already
            raise ConfigError("the network cannot be solved")
        self.base: BuggyResult = base

    # -- one layer ------------------------------------------------------------------------
    def layer(self, i: int, in_shape: Any, ids: tuple[str, ...]) -> tuple[Shape, int] | None:
        """(output shape, counted params) of layer ``i`` under ``ids``; None if impossible.

        ``in_shape`` is the student-side input shape, for a merge the tuple of its inputs'.
        """
        key = (i, in_shape, ids)
        try:
            return self._memo[key]
        except KeyError:
            pass
        self.evaluations += 1
        try:
            out = self._evaluate(i, in_shape, ids)
        except (ConfigError, ValueError, ZeroDivisionError, IndexError, TypeError):
            out = None
        self._memo[key] = out
        return out

    def _evaluate(self, i: int, in_shape: Any, ids: tuple[str, ...]) -> tuple[Shape, int] | None:
        node = self.nodes[i]
        ms = [self.catalogue[m] for m in ids]
        layer: Any = node.layer
        if isinstance(layer, Merge):
            return self._merge(layer, in_shape, ms)
        for m in ms:
            if m.rewrite is not None:
                layer = m.rewrite(layer)
        shape_layer = layer
        for m in ms:
            if m.shape_layer is not None:
                shape_layer = m.shape_layer(shape_layer)
        out = shape_layer.output_shape(in_shape)
        for m in ms:
            if m.reshape is not None:
                out = m.reshape(layer, in_shape, out)
        if any(d <= 0 for d in out):
            return None
        w_layer, w_in = layer, in_shape
        for m in ms:
            if m.weight_layer is not None:
                w_layer = m.weight_layer(w_layer, in_shape)
            if m.weight_input is not None:
                w_in = m.weight_input(w_in)
        weights: tuple[Weight, ...] = w_layer.weights(w_in)
        for m in ms:
            if m.reweigh is not None:
                weights = m.reweigh(layer, in_shape, out, weights)
        shared = node.shares is not None and not any(m.unshare for m in ms)
        if shared:
            return out, 0
        return out, sum(w.size for w in weights if self.count_all or w.trainable)

    def _merge(self, layer: Merge, ins: tuple[Shape, ...], ms: list[Misconception]
               ) -> tuple[Shape, int] | None:
        """A merge under misconceptions: they see its first input as ``in_shape``."""
        for m in ms:
            if m.rewrite is not None:
                layer = m.rewrite(layer)
        out = layer.merge_shape(ins)
        for m in ms:
            if m.reshape is not None:
                out = m.reshape(layer, ins[0], out)
        weights: tuple[Weight, ...] = ()
        for m in ms:
            if m.reweigh is not None:
                weights = m.reweigh(layer, ins[0], out, weights)
        if any(d <= 0 for d in out):
            return None
        return out, sum(w.size for w in weights if self.count_all or w.trainable)

    # -- whole passes ---------------------------------------------------------------------
    def input_shape(self, ids: tuple[str, ...] = ()) -> Shape:
        shape = self.network.input.shape
        for m in ids:
            fn = self.catalogue[m].input
            if fn is not None:
                shape = fn(shape)
        return shape

    def forward(self, active: Mapping[int, tuple[str, ...]]) -> BuggyResult | None:
        """Run every layer on the student-side shapes; ``active[i]`` are layer i's ids."""
        first = self.input_shape(active.get(INPUT, ()))
        if self.chain:
            shape = first
            shapes: list[Shape] = []
            params: list[int] = []
            for i in range(len(self.nodes)):
                r = self.layer(i, shape, active.get(i, ()))
                if r is None:
                    return None
                shape, p = r
                shapes.append(shape)
                params.append(p)
            return BuggyResult(self.names, tuple(shapes), tuple(params), first)
        inputs = {**{k: v.shape for k, v in self.network.input_specs.items()},
                  self.network.input_name: first}
        rows = propagate(self.network, lambda i, _node, ins: self.layer(
            i, ins[0] if len(ins) == 1 else ins, active.get(i, ())), lambda r: r[0], inputs)
        if rows is None:
            return None
        return BuggyResult(self.names, tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                           first, self.sources, tuple(inputs.items()))

    def ctx(self, i: int) -> LayerCtx:
        b = self.base
        return LayerCtx(self.nodes[i].layer, self.nodes[i], i, self.families[i], b.in_shape(i),
                        b.shapes[i], self.network, i == self.last_param)

    def fits(self, mid: str) -> tuple[int, ...]:
        """Layers (or INPUT) where misconception ``mid`` applies and changes that layer."""
        m = self.catalogue[mid]
        if m.input is not None:
            if "input" not in m.applies_to or (m.when is not None and not m.when(self.network)):
                return ()
            return (INPUT,) if self.input_shape((mid,)) != self.network.input.shape else ()
        found = []
        for i in range(len(self.nodes)):
            if self.families[i] not in m.applies_to:
                continue
            c = self.ctx(i)
            if m.when is not None and not m.when(c):
                continue
            r = self.layer(i, c.in_shape, (mid,))
            if r is not None and r != (self.base.shapes[i], self.base.params[i]):
                found.append(i)
        return tuple(found)
