"""The layer contract: variables, output-dimension formulas and named weight shapes.

A concrete layer (a frozen dataclass) implements three small methods:

- ``variables(in_shape)``: its named integer quantities (:class:`~generator.derive.Var`);
- ``out_dims(v, in_shape)``: the output shape as ``(quantity, expression, derived)`` rows;
- ``weight_dims(v)``: its weight tensors as ``(name, shape, trainable)`` rows, shapes as Keras
  builds them.

Everything else here is derived, for ints and symbols alike: output shape, weights, the
parameter count as the sum of the products of the weight shapes (like Keras's
``count_params``), and the worked derivation lines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from ..derive import Derivation, Var, product_text, show, substitute, symbolic, values
from ..errors import ConfigError
from ..formula_table import lookup

__all__ = ["AXES", "Layer", "Shape", "Weight", "axis_var", "fmt_shape"]

Shape = tuple[int, ...]
AXES: dict[int, tuple[str, ...]] = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


@lru_cache(maxsize=256)
def axis_var(base: str, axis: str, rank: int) -> str:
    """Name of a per-axis variable: ``k`` on a 1-D layer, ``k_h`` on a 2-D one.

    >>> axis_var("k", "H", 2), axis_var("k", "L", 1)
    ('k_h', 'k')
    """
    return base if rank == 1 else f"{base}_{axis.lower()}"


def fmt_shape(shape: Sequence[int] | tuple[int | str, ...]) -> str:
    """A shape as students write it; a size given in words stays words.

    >>> fmt_shape((94, 94, 60)), fmt_shape((1, "input size"))
    ('94×94×60', '1×input size')
    """
    return "×".join(map(str, shape))


@dataclass(frozen=True, slots=True)
class Weight:
    """One weight tensor of a layer."""

    name: str
    shape: Shape
    trainable: bool = True

    @property
    def size(self) -> int:
        return math.prod(self.shape)


Row = tuple[str, Any, bool]  # (quantity, expression, show a derivation for it)
WeightRow = tuple[str, tuple[Any, ...], bool]  # (weight name, shape, trainable)


@dataclass(frozen=True, kw_only=True)
class Layer:
    """Base of every layer: a name and the derived API. Subclasses are frozen dataclasses."""

    name: str = ""

    # A subclass states its kind and input ranks as class attributes (``kind = "dense"``)
    # or, when they follow its fields (``conv2d`` from ``rank``), as properties.
    @property
    def kind(self) -> str:
        """The registered kind (the spec ``type``)."""
        return "layer"

    @property
    def in_ranks(self) -> tuple[int, ...] | None:
        """Input ranks (len of shape, channels included) the layer accepts; None: any."""
        return None

    # -- to implement -------------------------------------------------------------------
    def variables(self, in_shape: Shape) -> dict[str, Var]:
        return {}

    def out_dims(self, v: Mapping[str, Any], in_shape: Shape) -> tuple[Row, ...]:
        return tuple((f"d{i}", d, False) for i, d in enumerate(in_shape))

    def weight_dims(self, v: Mapping[str, Any]) -> tuple[WeightRow, ...]:
        return ()

    def check(self, in_shape: Shape) -> None:
        """Raise ConfigError when the layer cannot take this input."""

    def describe(self) -> str:
        return self.kind

    def notes(self, in_shape: Shape) -> tuple[str, ...]:
        """Remarks the worked solution must state (e.g. Dense on a multi-axis input)."""
        return ()

    # -- derived ------------------------------------------------------------------------
    @property
    def has_weights(self) -> bool:
        return type(self).weight_dims is not Layer.weight_dims

    def _validated(self, in_shape: Shape) -> dict[str, Var]:
        if self.in_ranks is not None and len(in_shape) not in self.in_ranks:
            want = " or ".join(str(r) for r in self.in_ranks)
            raise ConfigError(
                f"{self.kind} needs an input of rank {want} (channels included), "
                f"received shape {fmt_shape(in_shape)} (rank {len(in_shape)}).",
                where=self.name,
            )
        self.check(in_shape)
        return self.variables(in_shape)

    def output_shape(self, in_shape: Shape) -> Shape:
        """The output shape (cached per layer and input shape: layers are frozen, pure)."""
        return _output_shape(self, tuple(in_shape))

    def _output_shape(self, in_shape: Shape) -> Shape:
        rows = self.out_dims(_int_values(self, in_shape), in_shape)
        shape = tuple([int(e) for _, e, _ in rows])
        if not shape or min(shape) > 0:
            return shape
        for (q, _, _), size in zip(rows, shape, strict=True):
            if size <= 0:
                step = next(d for d in self.derivations(in_shape) if d.quantity == q)
                raise ConfigError(
                    f"output size would be {size}: {step.line()}. The window is larger than its "
                    f"padded input of shape {fmt_shape(in_shape)}; use a smaller kernel, "
                    "'same' padding or a larger input.",
                    where=self.name,
                )
        return shape

    def weights(self, in_shape: Shape) -> tuple[Weight, ...]:
        """The weight tensors (cached like :meth:`output_shape`)."""
        return _weights(self, tuple(in_shape))

    def _weights(self, in_shape: Shape) -> tuple[Weight, ...]:
        v = _int_values(self, in_shape)
        return tuple([Weight(n, tuple(map(int, s)), t) for n, s, t in self.weight_dims(v)])

    def params(self, in_shape: Shape) -> int:
        """Total parameter count: Σ over weights of ∏ shape."""
        return sum(w.size for w in self.weights(in_shape))

    def trainable_params(self, in_shape: Shape) -> int:
        return sum(w.size for w in self.weights(in_shape) if w.trainable)

    def non_trainable_params(self, in_shape: Shape) -> int:
        return sum(w.size for w in self.weights(in_shape) if not w.trainable)

    def macs(self, in_shape: Shape) -> int:
        """Multiply-accumulate operations of one forward pass (batch 1); 0 unless overridden.

        Only kernel products count (bias additions, pooling and normalisation do not).
        """
        return 0

    def derivations(
        self, in_shape: Shape, v: Mapping[str, Var] | None = None
    ) -> tuple[Derivation, ...]:
        """Worked steps: each derived output dimension, then the parameter count(s).

        The symbolic formula texts depend only on the layer's *structure* (see
        :meth:`structure`), so they are built with SymPy once per structure and cached (common
        structures ship printed: :mod:`generator.formula_table`);
        the substitution and the values come from the ints every time.
        """
        v = self._validated(in_shape) if v is None else v
        key = (type(self), self.structure(), len(in_shape),
               tuple((k, x.live, None if x.live else x.value) for k, x in v.items()))
        texts = _FORMULA_TEXTS.get(key)
        if texts is None:
            if len(_FORMULA_TEXTS) > 4096:
                _FORMULA_TEXTS.clear()
            shipped = lookup(key)  # () for a layer with no worked steps: found, not missing
            texts = _FORMULA_TEXTS[key] = (self.formula_texts(in_shape, v) if shipped is None
                                           else shipped)
        vals = {k: x.value for k, x in v.items() if x.live}
        ints = values(v)
        out_rows = self.out_dims(ints, in_shape)
        int_rows = self.weight_dims(ints)
        out: list[Derivation] = []
        for quantity, text, index, trainable in texts:
            if index is not None:
                value = int(out_rows[index][1])
            else:
                value = sum(math.prod(int(d) for d in r[1]) for r in int_rows if r[2] is trainable)
            out.append(Derivation(quantity, text, substitute(text, vals), value))
        return tuple(out)

    def structure(self) -> tuple[Any, ...]:
        """The fields that shape the formulas: every non-size field (flags, modes, options).

        Sizes (ints and tuples of ints) become ``"#"``: they only enter as values.
        """
        out = []
        for name in _field_names(type(self)):
            value = getattr(self, name)
            sized = (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, tuple) and all(isinstance(x, int) for x in value))
            out.append((name, "#" if sized else value))
        return tuple(out)

    def formula_texts(
        self, in_shape: Shape, v: Mapping[str, Var]
    ) -> tuple[tuple[str, str, int | None, bool | None], ...]:
        """(quantity, formula text, out_dims row or None, trainable group) per worked step."""
        sym = symbolic(v)
        out: list[tuple[str, str, int | None, bool | None]] = []
        for i, (q, expr, derived) in enumerate(self.out_dims(sym, in_shape)):
            if derived:
                out.append((q, show(expr), i, None))
        rows = self.weight_dims(sym)
        for trainable in (True, False):
            group = [r for r in rows if r[2] is trainable]
            if not group:
                continue
            label = "params" if trainable else "non-trainable params"
            if trainable and any(not r[2] for r in rows):
                label = "trainable params"
            out.append((label, params_text([r[1] for r in group]), None, trainable))
        return tuple(out)


def _field_names(cls: type[Layer]) -> tuple[str, ...]:
    """A layer class's dataclass fields but ``name``, in order (read once per class)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls) if f.name != "name")
    return names


_FIELD_NAMES: dict[type[Layer], tuple[str, ...]] = {}


#: formula texts per layer structure (see Layer.derivations)
_FORMULA_TEXTS: dict[tuple[Any, ...], tuple[tuple[str, str, int | None, bool | None], ...]] = {}


# Generating and diagnosing problems evaluates the same (layer, input shape) pairs many times
# (every misconception re-runs a forward pass); layers are frozen dataclasses, so equal
# layers give equal results. Errors are not cached (lru_cache re-raises every time).
@lru_cache(maxsize=16384)
def _int_values(layer: Layer, in_shape: Shape) -> Mapping[str, int]:
    """The checked variables' int values (shared by the output shape and the weights)."""
    return values(layer._validated(in_shape))


@lru_cache(maxsize=16384)
def _output_shape(layer: Layer, in_shape: Shape) -> Shape:
    return layer._output_shape(in_shape)


@lru_cache(maxsize=16384)
def _weights(layer: Layer, in_shape: Shape) -> tuple[Weight, ...]:
    return layer._weights(in_shape)


def params_text(shapes: Sequence[tuple[Any, ...]]) -> str:
    """Σ∏ of weight shapes, factored as (… + 1)·X when every tensor ends in the same X.

    >>> import sympy as sp
    >>> k, c, f = sp.symbols("k_h C_in C_out")
    >>> params_text([(k, k, c, f), (f,)])
    '(k_h·k_h·C_in + 1)·C_out'
    >>> params_text([(c,), (c,)])
    'C_in + C_in'
    """
    last = {str(s[-1]) for s in shapes if s}
    if len(shapes) > 1 and len(last) == 1 and any(len(s) > 1 for s in shapes):
        inner = " + ".join(product_text(s[:-1]) if len(s) > 1 else "1" for s in shapes)
        return f"({inner})·{product_text(shapes[0][-1:])}"
    return " + ".join(product_text(s) for s in shapes)
