"""The registration of one layer kind (:class:`Kind`) and the small helpers its facets share.

A registration states everything the project knows about a kind in one place: the class and
fixed arguments that build it (the class carries the output-shape rule, the weight tensors
and the formulas), its spec options and the required ones, the Keras and PyTorch class names
that read as it (with their positional arguments), the per-layer code both frameworks print,
the words of a problem and the label of tables and diagrams (its glyph). The fast suite
checks that every registered kind has every facet and that they agree
(``tests/test_registry.py``).

>>> k((3, 3)), k((3, 5))
('3', '(3, 5)')
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError
from ..base import Layer, Shape

__all__ = ["Code", "Kind", "Snippet", "Wording", "k", "name_arg", "no_code"]


@dataclass(frozen=True, kw_only=True)
class Code:
    """What a per-layer code snippet needs beyond the layer itself."""

    in_shape: Shape
    #: Keras: the layer carries ``activation="relu"`` (PyTorch wraps the call instead)
    relu: bool = False
    #: PyTorch: the network's first Linear, printed as ``nn.LazyLinear`` (no flattened length)
    first_dense: bool = False
    #: PyTorch, the hard listing: ``nn.LazyConv*d``/``nn.LazyLinear``, no input channels shown
    lazy: bool = False


#: the source of one layer object: ``layers.Conv2D(...)`` / ``nn.Conv2d(...)``
Snippet = Callable[[Any, Code], str]
#: a problem's words for one layer: (layer, phrasing rng, the network's default bias) -> text
Wording = Callable[[Any, random.Random, bool], str]


@dataclass(frozen=True, kw_only=True)
class Kind:
    """Everything about one layer kind (a spec ``type``)."""

    kind: str
    cls: type[Layer]
    #: constructor arguments fixed by the kind (``rank``, ``op``)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    #: the option family (kinds of one family take the same options)
    family: str
    #: spec options (canonical names; :data:`generator.spec.ALIASES` maps Keras spellings)
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: label in summary tables and diagram boxes
    glyph: str
    #: Keras class names that read as this kind -> their positional argument names; the first
    #: is the Keras 3 name the code generator prints
    keras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: torch.nn class names that read as this kind -> their positional argument names
    torch: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keras_code: Snippet | None = None
    torch_code: Snippet | None = None
    #: when a framework has no counterpart: why (stated instead of a snippet)
    no_keras: str = ""
    no_torch: str = ""
    #: the problem's words; None: the layer's own ``describe()``
    wording: Wording | None = None
    #: a spec entry (options) and an input shape for the facet test's round trip
    example: tuple[Shape, Mapping[str, Any]] = ((8, 8, 3), {})
    #: spec layers the code round trip puts after the example (the importers fold a zero
    #: padding into the convolution after it, and leave an identity out)
    example_after: tuple[Mapping[str, Any], ...] = ()

    def make(self, **options: Any) -> Layer:
        return self.cls(**self.fixed, **options)

    def keras_source(self, layer: Layer, code: Code) -> str:
        if self.keras_code is None:
            raise no_code(layer, "Keras", self.no_keras)
        return self.keras_code(layer, code)

    def torch_source(self, layer: Layer, code: Code) -> str:
        if self.torch_code is None:
            raise no_code(layer, "PyTorch", self.no_torch)
        return self.torch_code(layer, code)

    def words(self, layer: Layer, rng: random.Random, default_bias: bool) -> str:
        return layer.describe() if self.wording is None else self.wording(layer, rng, default_bias)


def no_code(layer: Layer, framework: str, why: str = "") -> ConfigError:
    return ConfigError(f"{layer.name}: no {framework} code for {layer.kind}"
                       + (f" ({why})." if why else "."))


def k(t: tuple[int, ...]) -> str:
    """An int when every axis agrees, else a tuple literal."""
    return str(t[0]) if len(set(t)) == 1 else str(tuple(t))


def name_arg(layer: Layer) -> str:
    """The ``name="..."`` argument of a Keras layer."""
    return f'name="{layer.name}"'
