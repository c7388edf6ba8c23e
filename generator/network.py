"""A network: inputs and a directed acyclic graph of layer applications; solving it.

Nodes are listed in order (each one's inputs come before it). A node's ``inputs`` name the
nodes (or network inputs) it takes, as Keras's functional API does; empty means the previous
node (the network input for the first), so a chain is written as before. Merge layers take
two or more inputs; every other layer one. The network's outputs are ``outputs`` (default:
the last node). :func:`sources` resolves the inputs of every node; :func:`propagate` is the
one forward pass over the graph that :func:`solve`, the fast forward pass of the generator
and the buggy passes of the diagnosis all use.

A node may *share* the weights of an earlier node (``shares``). Parameters belong to the
owning node only; a sharing node adds output-shape arithmetic but no parameters, and its
weight shapes must equal the owner's for its own input (torchinfo counts by identity too).

>>> from generator.layers import make
>>> net = Network(
...     InputSpec((28, 28), channels=1),
...     (Node(make("conv2d", name="c1", filters=4, kernel=(3, 3))),
...      Node(make("conv2d", name="c2", filters=4, kernel=(3, 3))),
...      Node(make("conv2d", name="c3", filters=4, kernel=(3, 3)), shares="c2")))
>>> sol = solve(net)
>>> sol.total, [r.params for r in sol.rows]
(188, [40, 148, 0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar

from .derive import Derivation
from .errors import ConfigError
from .layers import Layer, Merge, Shape, Weight, fmt_shape

__all__ = ["COLORS", "INPUT_NAME", "Count", "InputSpec", "LayerRow", "Network", "Node",
           "Solution", "output_of", "propagate", "solve", "sources"]

#: the name of the (first) network input, as a node's ``inputs`` may name it
INPUT_NAME = "input"

#: colour models and their channel counts
COLORS: dict[str, int] = {"gray": 1, "grayscale": 1, "rgb": 3, "bgr": 3, "rgba": 4, "cmyk": 4}


class Count(StrEnum):
    """What "the number of parameters" means in a question."""

    TRAINABLE = "trainable"
    TOTAL = "total"


@dataclass(frozen=True)
class InputSpec:
    """Input tensor without the batch axis: spatial sizes plus channels (channels last)."""

    spatial: tuple[int, ...]
    channels: int = 1
    color: str | None = None

    @property
    def shape(self) -> Shape:
        return (*self.spatial, self.channels)

    def describe(self) -> str:
        """E.g. '120×120 CMYK image (4 channels)'."""
        size = fmt_shape(self.spatial) if self.spatial else ""
        if self.color:
            name = {"gray": "grayscale", "grayscale": "grayscale"}.get(self.color, self.color.upper())
            return f"{size} {name} image ({self.channels} channel{'s' if self.channels > 1 else ''})"
        if not self.spatial:
            return f"vector of {self.channels} features"
        return f"{size} input with {self.channels} channel{'s' if self.channels > 1 else ''}"


@dataclass(frozen=True)
class Node:
    """One use of a layer; ``shares`` names the node whose weights it reuses; ``inputs`` the
    nodes or network inputs it takes (empty: the previous node)."""

    layer: Layer
    shares: str | None = None
    inputs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.layer.name


@dataclass(frozen=True)
class Network:
    """Inputs plus nodes in order; ``count`` says what the question counts.

    ``input`` is the first network input (named ``input``); ``extra_inputs`` are further
    named inputs; ``outputs`` name the output nodes (empty: the last node).
    """

    input: InputSpec
    nodes: tuple[Node, ...]
    count: Count = Count.TRAINABLE
    #: (layer name, option) pairs the spec states, on the layer or under `conventions`
    stated: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False)
    extra_inputs: tuple[tuple[str, InputSpec], ...] = ()
    outputs: tuple[str, ...] = ()
    input_name: str = INPUT_NAME

    @property
    def input_specs(self) -> dict[str, InputSpec]:
        return {self.input_name: self.input, **dict(self.extra_inputs)}

    @property
    def output_names(self) -> tuple[str, ...]:
        return self.outputs or ((self.nodes[-1].name,) if self.nodes else ())

    @cached_property
    def is_chain(self) -> bool:
        """True when every node takes the one before it (or the input) and one output."""
        return not self.extra_inputs and len(self.output_names) == 1 and self.output_names[0] == (
            self.nodes[-1].name) and all(
            src == ((self.nodes[i - 1].name,) if i else (self.input_name,))
            for i, src in enumerate(sources(self)))

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)


@dataclass(frozen=True)
class LayerRow:
    """The solved layer: shapes, new weights, counts and the worked steps."""

    name: str
    kind: str
    description: str
    in_shape: Shape
    out_shape: Shape
    weights: tuple[Weight, ...]
    shares: str | None
    derivations: tuple[Derivation, ...]
    notes: tuple[str, ...]
    #: the names of the nodes (or network inputs) it takes, and their shapes
    inputs: tuple[str, ...] = ()
    in_shapes: tuple[Shape, ...] = ()

    # counts are read many times (totals, parts, every rendering); a row never changes
    @cached_property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @cached_property
    def trainable(self) -> int:
        return sum(w.size for w in self.weights if w.trainable)

    @property
    def non_trainable(self) -> int:
        return self.params - self.trainable

    def to_dict(self) -> dict[str, Any]:
        params = [d for d in self.derivations if "params" in d.quantity]
        return {
            "name": self.name,
            "type": self.kind,
            "description": self.description,
            "input_shape": list(self.in_shape),
            "output_shape": list(self.out_shape),
            "params": self.params,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "weights": [
                {"name": w.name, "shape": list(w.shape), "size": w.size, "trainable": w.trainable}
                for w in self.weights
            ],
            "formula": " + ".join(d.formula for d in params) if params else None,
            "substitution": " + ".join(d.substitution for d in params) if params else None,
            "shares": self.shares,
            "inputs": list(self.inputs),
            "steps": [
                {"quantity": d.quantity, "formula": d.formula, "substitution": d.substitution,
                 "value": d.value}
                for d in self.derivations
            ],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Solution:
    """A solved network: one row per node and the totals (shared weights counted once)."""

    network: Network
    rows: tuple[LayerRow, ...]

    @cached_property
    def total(self) -> int:
        return sum(r.params for r in self.rows)

    @cached_property
    def trainable(self) -> int:
        return sum(r.trainable for r in self.rows)

    @property
    def non_trainable(self) -> int:
        return self.total - self.trainable

    @property
    def answer(self) -> int:
        """The number the question asks for (trainable or total, as the network states)."""
        return self.trainable if self.network.count == Count.TRAINABLE else self.total

    def row(self, name: str) -> LayerRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "input_shape": list(self.network.input.shape),
            "count": str(self.network.count),
            "total": self.total,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "answer": self.answer,
            "layers": [r.to_dict() for r in self.rows],
        }
        if not self.network.is_chain:
            out["inputs"] = {k: list(v.shape) for k, v in self.network.input_specs.items()}
            out["outputs"] = list(self.network.output_names)
        return out


def sources(network: Network) -> tuple[tuple[str, ...], ...]:
    """The input names of every node, defaults resolved; ConfigError for an unknown or later one.

    >>> from generator.layers import make
    >>> net = Network(InputSpec((4, 4), 2), (Node(make("conv2d", name="a", filters=2, kernel=(1, 1))),
    ...               Node(make("add", name="sum"), inputs=("a", "input"))))
    >>> sources(net)
    (('input',), ('a', 'input'))
    """
    return _sources(network)


def _sources(network: Network) -> tuple[tuple[str, ...], ...]:
    cached = _SOURCES.get(id(network))
    if cached is not None and cached[0] is network:
        return cached[1]
    seen = set(network.input_specs)
    out: list[tuple[str, ...]] = []
    previous = network.input_name
    for node in network.nodes:
        srcs = node.inputs or (previous,)
        for src in srcs:
            if src not in seen:
                later = any(n.name == src for n in network.nodes)
                raise ConfigError(
                    f"input '{src}' is " + ("a later layer; a layer may take only layers "
                                            "listed before it (no cycles)." if later else
                                            "neither a layer listed before it nor a network "
                                            "input."), where=node.name)
        if not isinstance(node.layer, Merge) and len(srcs) != 1:
            raise ConfigError(f"{node.layer.kind} takes one input; received {len(srcs)} "
                              f"({', '.join(srcs)}). Merge them first (add, concatenate, ...).",
                              where=node.name)
        out.append(tuple(srcs))
        seen.add(node.name)
        previous = node.name
    for name in network.outputs:
        if name not in seen:
            raise ConfigError(f"output '{name}' names no layer or input.", where="outputs")
    if len(_SOURCES) > 512:
        _SOURCES.clear()
    result = tuple(out)
    _SOURCES[id(network)] = (network, result)
    return result


_SOURCES: dict[int, tuple[Network, tuple[tuple[str, ...], ...]]] = {}

T = TypeVar("T")


def propagate(network: Network, step: Callable[[int, Node, tuple[Shape, ...]], T | None],
              shape_of: Callable[[T], Shape], inputs: dict[str, Shape] | None = None
              ) -> list[T] | None:
    """The one forward pass over the graph: ``step(i, node, input shapes)`` per node, in order.

    ``shape_of`` reads the output shape from what ``step`` returns; ``inputs`` replaces the
    network input shapes. Stops with None when a step returns None.
    """
    shapes: dict[str, Shape] = dict(inputs) if inputs is not None else {
        k: v.shape for k, v in network.input_specs.items()}
    results: list[T] = []
    for i, (node, srcs) in enumerate(zip(network.nodes, _sources(network), strict=True)):
        r = step(i, node, tuple(shapes[s] for s in srcs))
        if r is None:
            return None
        results.append(r)
        shapes[node.name] = shape_of(r)
    return results


def output_of(layer: Layer, ins: tuple[Shape, ...]) -> Shape:
    """A node's output shape from its input shapes: a merge's of all of them, any other
    layer's of its one input (the rule is the layer's own, its arithmetic in formulas.py)."""
    return layer.merge_shape(ins) if isinstance(layer, Merge) else layer.output_shape(ins[0])


def solve(network: Network, *, worked: bool = True) -> Solution:
    """Propagate shapes through the graph and count each weight tensor once.

    ``worked=False``: shapes and weights only, without the worked steps, descriptions and
    notes, and without checking shared weights (the generator's redraw loop; a draw it keeps
    is solved again in full).
    """
    owners: dict[str, tuple[Weight, ...]] = {}
    srcs = _sources(network)

    def step(i: int, node: Node, ins: tuple[Shape, ...]) -> LayerRow:
        layer = node.layer
        shape, out = ins[0], output_of(layer, ins)
        if isinstance(layer, Merge):
            return LayerRow(layer.name, layer.kind, layer.describe() if worked else "", shape,
                            out, (), None, layer.merge_derivations(ins) if worked else (),
                            layer.merge_notes(ins) if worked else (), srcs[i], ins)
        if not worked:
            weights = () if node.shares else layer.weights(shape)
            return LayerRow(layer.name, layer.kind, "", shape, out, weights, node.shares, (), (),
                            srcs[i], ins)
        weights = layer.weights(shape)
        steps = layer.derivations(shape)
        notes = list(layer.notes(shape))
        if node.shares is not None:
            owner = owners.get(node.shares)
            if owner is None:
                raise ConfigError(
                    f"shares the weights of '{node.shares}', which is not an earlier layer "
                    "with weights.", where=layer.name)
            mine = [(w.name, w.shape) for w in weights]
            theirs = [(w.name, w.shape) for w in owner]
            if mine != theirs:
                raise ConfigError(
                    f"cannot share the weights of '{node.shares}': on its input of shape "
                    f"{fmt_shape(shape)} it needs {_weights_text(weights)}, but "
                    f"'{node.shares}' has {_weights_text(owner)}.", where=layer.name)
            steps = tuple(d for d in steps if "params" not in d.quantity)
            notes.append(f"shares the weights of {node.shares}: 0 new parameters")
            weights = ()
        elif weights:
            owners[layer.name] = weights
        return LayerRow(layer.name, layer.kind, layer.describe(), shape, out,
                        weights, node.shares, steps, tuple(notes), srcs[i], ins)

    rows = propagate(network, step, lambda r: r.out_shape)
    assert rows is not None
    return Solution(network, tuple(rows))


def _weights_text(weights: tuple[Weight, ...]) -> str:
    return ", ".join(f"{w.name} {fmt_shape(w.shape)}" for w in weights) or "no weights"
