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
from functools import cached_property
from math import prod
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .layers import Layer, Merge, Shape, Weight
from .network import Count, Network, Node, propagate, sources
from .spec import family

if TYPE_CHECKING:
    from .misconceptions.base import Misconception

__all__ = ["INPUT", "BuggyResult", "Engine", "LayerCtx"]

#: the pseudo layer index of the network input (colour-model misconceptions)
INPUT = -1

#: "not memoised yet" in :meth:`Engine.layer` (one dict lookup, not two; compared by identity)
_MISSING: tuple[Shape, int] = ((), -1)

#: one-mistake plans per layer, by (id, shared weights), shared by every engine: a redraw or
#: another problem often has an equal layer (the rewrites are pure in the layer); each entry
#: keeps its Misconception (a plan's last item), so a catalogue holding another entry under
#: that id builds its own
_PLANS: dict[Layer, dict[tuple[str, bool], tuple[Any, ...]]] = {}
_PLANS_MAX = 4096
#: per id, one mistake's hooks (see ``_hooks``), with the Misconception they are from
_HOOKS: dict[str, tuple[Any, tuple[tuple[Any, ...], ...]]] = {}


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
        return self._graph_in_shapes[i]

    @cached_property
    def _graph_in_shapes(self) -> tuple[Any, ...]:
        shapes = {**dict(self.inputs), **dict(zip(self.names, self.shapes, strict=True))}
        return tuple(shapes[srcs[0]] if len(srcs) == 1 else tuple(shapes[s] for s in srcs)
                     for srcs in self.sources)


def _hooks(ms: list[Misconception]) -> tuple[tuple[Any, ...], ...]:
    """The hooks of a plan, in catalogue order: output shape, weight layer, weight input,
    weights (one mistake's are made once: plans are kept, and so are the objects they hold)."""
    if len(ms) == 1:
        hit = _HOOKS.get(ms[0].id)
        if hit is not None and hit[0] is ms[0]:
            return hit[1]
    hooks = (tuple(m.reshape for m in ms if m.reshape is not None),
             tuple(m.weight_layer for m in ms if m.weight_layer is not None),
             tuple(m.weight_input for m in ms if m.weight_input is not None),
             tuple(m.reweigh for m in ms if m.reweigh is not None))
    if len(ms) == 1:
        _HOOKS[ms[0].id] = (ms[0], hooks)
    return hooks


def _carried_merge(layer: Merge, ins: tuple[Shape, ...]) -> Shape:
    """A merge of branches that a mistake made unequal, as the student carries it forward:
    the first input's shape (the main path); a concatenation still adds up its axis.

    >>> _carried_merge(Merge(op="add"), ((8, 8, 16), (4, 4, 16)))
    (8, 8, 16)
    >>> _carried_merge(Merge(op="concatenate"), ((8, 8, 16), (4, 4, 8)))
    (8, 8, 24)
    """
    first = ins[0]
    if layer.op != "concatenate" or any(len(s) != len(first) for s in ins):
        return first
    axis = layer.axis if layer.axis < 0 else layer.axis - 1
    axis %= len(first)
    return tuple(sum(s[axis] for s in ins) if i == axis else d for i, d in enumerate(first))


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
        self._plans: dict[tuple[int, tuple[str, ...]], tuple[Any, ...]] = {}
        self._ctx: dict[int, LayerCtx] = {}
        #: per ``applies_to`` set, the layer indices of those families (``fits`` candidates)
        self._sites: dict[frozenset[str], tuple[int, ...]] = {}
        #: the node layers' own output shapes and weights by (index, input shape): many
        #: mistakes leave the layer as it is, and this spares hashing it for its own caches
        self._outs: dict[tuple[int, Shape], Shape] = {}
        self._weights: dict[tuple[int, Shape], tuple[Weight, ...]] = {}
        #: per layer, its one-mistake plans shared with every engine (see ``_PLANS``)
        self._shared: list[dict[tuple[str, bool], tuple[Any, ...]] | None] = (
            [None] * len(self.nodes))
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
        memo = self._memo
        hit = memo.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        self.evaluations += 1
        try:
            out = self._evaluate(i, in_shape, ids)
        except (ConfigError, ValueError, ZeroDivisionError, IndexError, TypeError):
            out = None
        memo[key] = out
        return out

    def _evaluate(self, i: int, in_shape: Any, ids: tuple[str, ...]) -> tuple[Shape, int] | None:
        node = self.nodes[i]
        if isinstance(node.layer, Merge):
            return self._merge(node.layer, in_shape, [self.catalogue[m] for m in ids])
        layer, shape_layer, reshapes, w_layers, w_inputs, reweighs, shared, _ = self._plan(i, ids)
        own = node.layer
        if shape_layer is own:
            out = self._outs.get((i, in_shape))
            if out is None:
                out = self._outs[(i, in_shape)] = own.output_shape(in_shape)
        else:
            out = shape_layer.output_shape(in_shape)
        if reshapes:  # a layer's own output shape is never ≤ 0 (it raises instead)
            for fn in reshapes:
                out = fn(layer, in_shape, out)
            if any(d <= 0 for d in out):
                return None
        w_layer, w_in = layer, in_shape
        for fn in w_layers:
            w_layer = fn(w_layer, in_shape)
        for fn in w_inputs:
            w_in = fn(w_in)
        weights: tuple[Weight, ...]
        if w_layer is own:
            hit = self._weights.get((i, w_in))
            if hit is None:
                hit = self._weights[(i, w_in)] = own.weights(w_in)
            weights = hit
        else:
            weights = w_layer.weights(w_in)
        for fn in reweighs:
            weights = fn(layer, in_shape, out, weights)
        if shared:
            return out, 0
        if self.count_all:
            return out, sum([prod(w.shape) for w in weights])
        return out, sum([prod(w.shape) for w in weights if w.trainable])

    def _plan(self, i: int, ids: tuple[str, ...]) -> tuple[Any, ...]:
        """Layer ``i`` under ``ids``, prepared once (pure in the layer, so shared by every
        input shape of a search): the layer after the hyper-parameter rewrites, the layer
        seen for the output shape, then the hooks in catalogue order (output shape, weight
        layer, weight input, weights), whether the layer's weights stay shared, and for one
        mistake its Misconception (a shared plan is another catalogue's if that differs)."""
        hit = self._plans.get((i, ids))
        if hit is None:
            node = self.nodes[i]
            layer: Any = node.layer
            if not ids:  # the layer as it is: no hook
                hit = self._plans[(i, ids)] = (layer, layer, (), (), (), (), node.shares is not None,
                                               None)
                return hit
            ms = [self.catalogue[m] for m in ids]
            if len(ms) == 1:  # one mistake: shared by every engine (equal layers, same plan)
                plans = self._shared[i]
                if plans is None:  # the layer is hashed once per engine, not once per plan
                    if len(_PLANS) >= _PLANS_MAX:
                        _PLANS.clear()
                    plans = self._shared[i] = _PLANS.setdefault(layer, {})
                key = (ids[0], node.shares is not None)
                shared = plans.get(key)
                if shared is None or shared[-1] is not ms[0]:
                    shared = plans[key] = self._build_plan(node, ms)
                hit = self._plans[(i, ids)] = shared
                return hit
            hit = self._plans[(i, ids)] = self._build_plan(node, ms)
        return hit

    @staticmethod
    def _build_plan(node: Node, ms: list[Misconception]) -> tuple[Any, ...]:
        """A plan of :meth:`_plan` for these misconceptions (the layer's rewrites run here)."""
        layer: Any = node.layer
        for m in ms:
            if m.rewrite is not None:
                layer = m.rewrite(layer)
        shape_layer = layer
        for m in ms:
            if m.shape_layer is not None:
                shape_layer = m.shape_layer(shape_layer)
        return (layer, shape_layer, *_hooks(ms),
                node.shares is not None and not any(m.unshare for m in ms),
                ms[0] if len(ms) == 1 else None)

    def _merge(self, layer: Merge, ins: tuple[Shape, ...], ms: list[Misconception]
               ) -> tuple[Shape, int] | None:
        """A merge under misconceptions: they see its first input as ``in_shape``."""
        for m in ms:
            if m.rewrite is not None:
                layer = m.rewrite(layer)
        try:
            out = layer.merge_shape(ins)
        except ConfigError:  # a mistake on one branch: the student goes on with the first
            out = _carried_merge(layer, ins)
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
            return self._chain(first, active)
        inputs = {**{k: v.shape for k, v in self.network.input_specs.items()},
                  self.network.input_name: first}
        rows = propagate(self.network, lambda i, _node, ins: self.layer(
            i, ins[0] if len(ins) == 1 else ins, active.get(i, ())), lambda r: r[0], inputs)
        if rows is None:
            return None
        return BuggyResult(self.names, tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                           first, self.sources, tuple(inputs.items()))

    def _chain(self, first: Shape, active: Mapping[int, tuple[str, ...]]) -> BuggyResult | None:
        """:meth:`forward` of a chain. Before the first layer with ids, and after the last
        one once the shape is back to the correct one, every layer is the base's (the same
        memoised results), so those are copied from the base pass."""
        n = len(self.nodes)
        base: BuggyResult | None = getattr(self, "base", None)
        on = [i for i, ids in active.items() if ids and i != INPUT]
        start, stop = (min(on), max(on)) if on else (n, -1)
        if base is None or first != base.input_shape:
            start = 0
        shapes: list[Shape] = list(base.shapes[:start]) if base is not None else []
        params: list[int] = list(base.params[:start]) if base is not None else []
        shape = base.shapes[start - 1] if base is not None and start > 0 else first
        for i in range(start, n):
            if base is not None and i > stop and shape == base.in_shape(i):
                shapes += base.shapes[i:]
                params += base.params[i:]
                break
            r = self.layer(i, shape, active.get(i, ()))
            if r is None:
                return None
            shape, p = r
            shapes.append(shape)
            params.append(p)
        return BuggyResult(self.names, tuple(shapes), tuple(params), first)

    def total_at(self, mid: str, layers: tuple[int, ...]) -> int | None:
        """The total with ``mid`` at ``layers``: ``forward({i: (mid,) for i in layers}).total``.

        When ``mid`` leaves every one of those layers' output shapes as they were, no later
        layer sees another input, so the total is the base total plus the parameter changes
        at those layers (the same memoised layer evaluations, no forward pass).
        """
        if INPUT not in layers:
            delta = 0
            for i in layers:
                r = self.layer(i, self.ctx(i).in_shape, (mid,))
                if r is None or r[0] != self.base.shapes[i]:
                    break
                delta += r[1] - self.base.params[i]
            else:
                return self.base.total + delta
        whole = self.forward({i: (mid,) for i in layers})
        return None if whole is None else whole.total

    def ctx(self, i: int) -> LayerCtx:
        hit = self._ctx.get(i)
        if hit is None:
            b = self.base
            hit = self._ctx[i] = LayerCtx(self.nodes[i].layer, self.nodes[i], i, self.families[i],
                                          b.in_shape(i), b.shapes[i], self.network,
                                          i == self.last_param)
        return hit

    def fits(self, mid: str) -> tuple[int, ...]:
        """Layers (or INPUT) where misconception ``mid`` applies and changes that layer."""
        m = self.catalogue[mid]
        if m.input is not None:
            if "input" not in m.applies_to or (m.when is not None and not m.when(self.network)):
                return ()
            return (INPUT,) if self.input_shape((mid,)) != self.network.input.shape else ()
        sites = self._sites.get(m.applies_to)
        if sites is None:
            sites = self._sites[m.applies_to] = tuple(
                i for i, f in enumerate(self.families) if f in m.applies_to)
        found = []
        when, ids, shapes, params = m.when, (mid,), self.base.shapes, self.base.params
        ctxs, layer = self._ctx, self.layer
        for i in sites:
            c = ctxs.get(i) or self.ctx(i)
            if when is not None and not when(c):
                continue
            r = layer(i, c.in_shape, ids)
            if r is not None and (r[0] != shapes[i] or r[1] != params[i]):
                found.append(i)
        return tuple(found)
