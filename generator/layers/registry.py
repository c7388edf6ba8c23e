"""The layer registry: every layer kind's one registration (:class:`~.kinds.base.Kind`).

Everything that depends on a layer kind reads it from here: the spec (options, required
options, option family), the importers (Keras and PyTorch class names), the code generator
(per-layer snippets), the words of a problem and the glyph of tables and diagrams. Adding a
kind is a layer class (shape rule, weights, formulas: :mod:`generator.layers`), one
registration in :mod:`generator.layers.kinds` and a framework test case; the facet test
(``tests/test_registry.py``) fails until every facet is there.

>>> REGISTRY["conv2d"].glyph, REGISTRY["max_pooling1d"].family
('Conv2D', 'pool')
>>> of(REGISTRY["dense"].make(units=3)).kind
'dense'
"""

from __future__ import annotations

from .base import Layer
from .kinds import conv, core, merge, norm, pool, shape
from .kinds.base import Code, Kind

__all__ = ["REGISTRY", "Code", "Kind", "of"]

REGISTRY: dict[str, Kind] = {}
for _module in (core, shape, norm, conv, pool, merge):
    for _k in _module.KINDS:
        if _k.kind in REGISTRY:
            raise AssertionError(f"layer kind {_k.kind} registered twice")
        REGISTRY[_k.kind] = _k


def of(layer: Layer) -> Kind:
    """The registration of a layer object (by its ``kind``)."""
    return REGISTRY[layer.kind]
