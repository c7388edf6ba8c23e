"""Registrations of the merge layers (several inputs, no parameters)."""

from __future__ import annotations

from ..merge import MERGE_OPS, Merge
from .base import Code, Kind

__all__ = ["KINDS"]


def _keras_merge(layer: Merge, code: Code) -> str:
    cls = layer.op.capitalize()
    axis = f"axis={layer.axis}, " if layer.op == "concatenate" and layer.axis != -1 else ""
    return f'layers.{cls}({axis}name="{layer.name}")'


KINDS: list[Kind] = [
    Kind(kind=op, cls=Merge, fixed={"op": op}, family="merge", options=("axis",),
         glyph=op, keras={op.capitalize(): ("axis",) if op == "concatenate" else (), op: ()},
         keras_code=_keras_merge,
         no_torch="a merge is an expression in forward() (out + x, torch.cat([...], dim=1))",
         example=((4, 4, 8), {}))
    for op in MERGE_OPS
]
