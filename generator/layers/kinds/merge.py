"""Registrations of the merge layers (several inputs, no parameters)."""

from __future__ import annotations

from ..merge import MERGE_OPS, Merge
from .base import Args, Code, Kind, Reading
from .read import axis_of

__all__ = ["KINDS"]


def _keras_merge(layer: Merge, code: Code) -> str:
    cls = layer.op.capitalize()
    axis = f"axis={layer.axis}, " if layer.op == "concatenate" and layer.axis != -1 else ""
    return f'layers.{cls}({axis}name="{layer.name}")'


def _keras_read_merge(a: Args, cls: str, e: Kind) -> Reading:
    """``Add()``, ``Concatenate(axis=-1)``, ``layers.add`` (its tensors taken off by the importer)."""
    if e.kind != "concatenate":
        return Reading()
    return Reading(options={"axis": a.get("axis", -1)}, known={"axis"})


#: the symbol of each merge's circle in graph diagrams
SYMBOLS = {"add": "+", "subtract": "−", "multiply": "×", "average": "μ", "maximum": "max",
           "minimum": "min", "concatenate": "‖"}

KINDS: list[Kind] = [
    Kind(kind=op, cls=Merge, fixed={"op": op}, family="merge", options=("axis",),
         parse={"axis": axis_of(op)},
         glyph=op, symbol=SYMBOLS[op],
         keras={op.capitalize(): ("axis",) if op == "concatenate" else (), op: ()},
         keras_read=_keras_read_merge, keras_code=_keras_merge,
         no_torch="a merge is an expression in forward() (out + x, torch.cat([...], dim=1))",
         example=((4, 4, 8), {}))
    for op in MERGE_OPS
]
