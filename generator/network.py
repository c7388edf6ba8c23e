"""A network: an input and an ordered chain of layer nodes; solving it layer by layer.

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

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .derive import Derivation
from .errors import ConfigError
from .layers import Layer, Shape, Weight, fmt_shape

__all__ = ["COLORS", "Count", "InputSpec", "LayerRow", "Network", "Node", "Solution", "solve"]

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
    """One use of a layer in the chain; ``shares`` names the node whose weights it reuses."""

    layer: Layer
    shares: str | None = None

    @property
    def name(self) -> str:
        return self.layer.name


@dataclass(frozen=True)
class Network:
    """Input plus an ordered chain of nodes; ``count`` says what the question counts."""

    input: InputSpec
    nodes: tuple[Node, ...]
    count: Count = Count.TRAINABLE
    #: (layer name, option) pairs the spec states, on the layer or under `conventions`
    stated: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False)

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

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
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

    @property
    def total(self) -> int:
        return sum(r.params for r in self.rows)

    @property
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
        return {
            "input_shape": list(self.network.input.shape),
            "count": str(self.network.count),
            "total": self.total,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "answer": self.answer,
            "layers": [r.to_dict() for r in self.rows],
        }


def solve(network: Network) -> Solution:
    """Propagate shapes through the chain and count each weight tensor once."""
    shape = network.input.shape
    rows: list[LayerRow] = []
    owners: dict[str, tuple[Weight, ...]] = {}
    for node in network.nodes:
        layer = node.layer
        out = layer.output_shape(shape)
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
        rows.append(LayerRow(layer.name, layer.kind, layer.describe(), shape, out,
                             weights, node.shares, steps, tuple(notes)))
        shape = out
    return Solution(network, tuple(rows))


def _weights_text(weights: tuple[Weight, ...]) -> str:
    return ", ".join(f"{w.name} {fmt_shape(w.shape)}" for w in weights) or "no weights"
