"""Phrasing helpers the wording facets share (one definition; :mod:`generator.wording` re-exports).

>>> plural(1, "filter"), dims((3, 3))
('1 filter', '3×3')
"""

from __future__ import annotations

from typing import Any

from ..base import fmt_shape

__all__ = ["bias_note", "dims", "pad", "plural", "stride", "window"]

#: a window or shape as printed (3×3, 28×28×16; a 1-D window as a bare number): the one
#: shape-text join, :func:`generator.layers.fmt_shape`
dims = fmt_shape


def pad(layer: Any) -> str:
    if isinstance(layer.padding, str):
        return "valid padding" if layer.padding == "valid" else "'same' padding"
    return f"zero padding of {dims(layer.padding[:1]) if len(set(layer.padding)) == 1 else dims(layer.padding)} on each side"


def plural(n: int, word: str) -> str:
    """'1 filter', '2 filters', the count grouped as every count is ('1,200 filters'). The one
    definition: the grader's feedback uses it too.

    >>> plural(1, "kernel"), plural(3, "kernel"), plural(1200, "unit")
    ('1 kernel', '3 kernels', '1,200 units')
    """
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def window(layer: Any) -> str:
    """'a 2×2 window'; 1-D: 'a window of 2'."""
    return f"a window of {layer.kernel[0]}" if len(layer.kernel) == 1 else f"a {dims(layer.kernel)} window"


def stride(layer: Any) -> str:
    s = layer.strides
    return f"stride {s[0]}" if len(set(s)) == 1 else f"strides {dims(s)}"


def bias_note(layer: Any, default_bias: bool) -> str:
    if layer.use_bias == default_bias:
        return ""
    return ", with bias" if layer.use_bias else ", without bias"
