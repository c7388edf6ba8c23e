"""The layer registry: every layer kind's one registration (:class:`~.kinds.base.Kind`).

Everything that depends on a layer kind reads it from here: the spec (options, required
options, option family), the importers (Keras and PyTorch class names), the code generator
(per-layer snippets), the words of a problem and the glyph of tables and diagrams. The
importers find a class name in :data:`KERAS_NAMES` / :data:`TORCH_NAMES` and hand the call's
arguments to the kind's reader. Adding a kind is a layer class (shape rule, weights,
formulas: :mod:`generator.layers`), one registration in :mod:`generator.layers.kinds` and a
framework test case (docs/adding-a-layer.md); the facet test (``tests/test_registry.py``)
fails until every facet is there.

>>> REGISTRY["conv2d"].glyph, REGISTRY["max_pooling1d"].family
('Conv2D', 'pool')
>>> of(REGISTRY["dense"].make(units=3)).kind
'dense'
>>> KERAS_NAMES["Convolution2D"].kind.kind, TORCH_NAMES["LazyLinear"].positional[:1]
('conv2d', ('out_features',))
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Layer
from .kinds import conv, core, merge, norm, pool, shape
from .kinds.base import Code, Kind, Reader

__all__ = ["KERAS_NAMES", "REGISTRY", "TORCH_NAMES", "Code", "Kind", "Named", "of"]

REGISTRY: dict[str, Kind] = {}
for _module in (core, shape, norm, conv, pool, merge):
    for _k in _module.KINDS:
        if _k.kind in REGISTRY:
            raise AssertionError(f"layer kind {_k.kind} registered twice")
        REGISTRY[_k.kind] = _k


def of(layer: Layer) -> Kind:
    """The registration of a layer object (by its ``kind``)."""
    return REGISTRY[layer.kind]


@dataclass(frozen=True)
class Named:
    """A framework class name as the importers read it: the kind whose reader reads it, the
    reader, and the call's positional argument names."""

    kind: Kind
    read: Reader
    positional: tuple[str, ...]


def _names(framework: str) -> dict[str, Named]:
    names: dict[str, Named] = {}
    for entry in REGISTRY.values():
        read = entry.keras_read if framework == "keras" else entry.torch_read
        table = entry.keras if framework == "keras" else entry.torch
        for name, positional in table.items():
            if read is None:
                continue  # read by another kind's reader (checked by tests/test_registry.py)
            if name in names:
                raise AssertionError(f"{framework} name {name} read by {names[name].kind.kind} "
                                     f"and {entry.kind}")
            names[name] = Named(entry, read, positional)
    return names


#: Keras class name -> its reading (Keras 1, 2 and 3 spellings)
KERAS_NAMES = _names("keras")
#: torch.nn class name -> its reading
TORCH_NAMES = _names("torch")
