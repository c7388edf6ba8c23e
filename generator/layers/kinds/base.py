"""The registration of one layer kind (:class:`Kind`) and the small helpers its facets share.

A registration states everything the project knows about a kind in one place: the class and
fixed arguments that build it (the class carries the output-shape rule, the weight tensors
and the formulas), its spec options and the required ones, the Keras and PyTorch class names
that read as it (with their positional arguments), the per-layer code both frameworks print,
the words of a problem and the label of tables and diagrams (its glyph), and how each
importer turns a call's arguments into spec options (its readers). The fast suite
checks that every registered kind has every facet and that they agree
(``tests/test_registry.py``).

>>> k((3, 3)), k((3, 5))
('3', '(3, 5)')
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from ...errors import ConfigError
from ..base import Layer, Shape

__all__ = ["Args", "Code", "Kind", "Later", "Parse", "Reader", "Reading", "Snippet", "Wording", "k",
           "name_arg", "no_code"]


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


class Args(Protocol):
    """A layer call's arguments as an importer hands them to a reader (positional ones named
    from the registration, old spellings renamed; values folded to constants on demand):
    :class:`generator.importers.callargs.CallArgs`."""

    label: str

    @property
    def channels_first(self) -> bool:
        """The file is channels-first (Keras ``data_format='channels_first'``)."""

    def __contains__(self, key: str) -> bool: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def optional(self, key: str, default: Any = None) -> Any: ...
    def word(self, key: str, default: str) -> str: ...
    def fail(self, message: str) -> NoReturn: ...


#: a spec entry settled only once the input shape is known: (input shape, options) -> entry;
#: raises ConfigError with the reason when the input does not fit
Later = Callable[[Shape, Mapping[str, Any]], dict[str, Any]]


@dataclass(kw_only=True)
class Reading:
    """What a reader makes of one layer call."""

    options: dict[str, Any] = field(default_factory=dict)
    #: the arguments it reads (any other is refused, unless the importer ignores it everywhere);
    #: None: any argument is accepted (activations: none changes a count)
    known: set[str] | None = field(default_factory=set)
    #: the layer use's kind when not the registration's own: ``zero_padding`` (folded into the
    #: next layer by the importer), or a framework's own name settled by :attr:`later`
    kind: str = ""
    #: what the call states about its input, checked against the propagated shape
    #: (``in_channels``, ``in_features``, ``num_features``, ``axis``)
    expect: dict[str, Any] = field(default_factory=dict)
    later: Later | None = None
    #: read and left out: changes neither shapes nor counts (an identity)
    skip: bool = False
    #: Keras: the input shape the call states of its own (an Embedding's input_length), used
    #: when it gives no input_shape; None: the importer's general rule
    declared: tuple[Any, ...] | None = None


#: (the call's arguments, the class name as written, the registration) -> what it means
Reader = Callable[[Args, str, "Kind"], Reading]


class Parse(Protocol):
    """A spec option's reader: (value, *, rank, where) -> the constructor argument; raises
    ConfigError naming ``where`` when the value does not fit (:mod:`generator.spec_values`)."""

    def __call__(self, value: Any, /, *, rank: int, where: str) -> Any: ...


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
    #: readers of the options this kind reads its own way, or that only it has; the others
    #: are the spec's shared ones (:func:`generator.spec.option_parsers`)
    parse: Mapping[str, Parse] = field(default_factory=dict)
    #: label in summary tables and diagram boxes
    glyph: str
    #: a merge's symbol, drawn in its circle in graph diagrams (+ for add); "": a box
    symbol: str = ""
    #: Keras class names that read as this kind -> their positional argument names; the first
    #: is the Keras 3 name the code generator prints
    keras: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: torch.nn class names that read as this kind -> their positional argument names
    torch: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: how the importers read a call of one of those names (None: the name is read by another
    #: kind's reader, e.g. nn.Upsample(size=) by up_sampling2d's, which settles the kind)
    keras_read: Reader | None = None
    torch_read: Reader | None = None
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

    @property
    def rank(self) -> int:
        """The number of spatial axes fixed by the kind (0: none fixed)."""
        return int(self.fixed.get("rank", 0))

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
