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
    """``Add()``, ``Concatenate(axis=-1)``, ``layers.add`` (its tensors taken off by the
    importer); Keras 1's ``merge`` (one name for every mode, listed with ``add``)."""
    if cls == "merge":
        return _keras1_read_merge(a, cls, e)
    if e.kind != "concatenate":
        return Reading()
    return Reading(options={"axis": a.get("axis", -1)}, known={"axis"})


#: Keras 1.2's merge modes (keras/engine/topology.py, ``Merge``; 'cos' and 'dot' are not
#: merges of equal shapes) -> our merge kinds
KERAS1_MODES = {"sum": "add", "mul": "multiply", "concat": "concatenate", "ave": "average",
                "max": "maximum"}


def _keras1_read_merge(a: Args, cls: str, e: Kind) -> Reading:
    """Keras 1's ``merge([a, b], mode='sum')`` (``concat_axis`` for 'concat')."""
    mode = a.get("mode", "sum")
    if mode not in KERAS1_MODES:
        a.fail(f"mode={mode!r} is not read; cnnquiz reads Keras 1's modes "
               f"{', '.join(repr(m) for m in KERAS1_MODES)}.")
    op = KERAS1_MODES[mode]
    options = {"axis": a.get("concat_axis", -1)} if op == "concatenate" else {}
    return Reading(kind=op, options=options, known={"mode", "concat_axis"})


#: the symbol of each merge's circle in graph diagrams
SYMBOLS = {"add": "+", "subtract": "−", "multiply": "×", "average": "μ", "maximum": "max",
           "minimum": "min", "concatenate": "‖"}

KINDS: list[Kind] = [
    Kind(kind=op, cls=Merge, fixed={"op": op}, family="merge", options=("axis",),
         parse={"axis": axis_of(op)},
         glyph=op, symbol=SYMBOLS[op],
         keras={op.capitalize(): ("axis",) if op == "concatenate" else (), op: (),
                **({"merge": ()} if op == "add" else {})},
         keras_read=_keras_read_merge, keras_code=_keras_merge,
         no_torch="a merge is an expression in forward() (out + x, torch.cat([...], dim=1))",
         example=((4, 4, 8), {}))
    for op in MERGE_OPS
]

