"""Graph mistakes (residual adds, concatenations; issue 12): shortcuts and merges.

Shape mistakes made on one branch are carried past the merge by the buggy forward pass
(:func:`generator.buggy._carried_merge`): the student goes on with the main path's shape.
"""

from __future__ import annotations

from typing import Any

from ..buggy import LayerCtx
from ..layers import Weight
from ..network import sources
from .base import Misconception, Step, entry

__all__ = ["ENTRIES"]


def _consumers(c: LayerCtx, name: str) -> list[Any]:
    """The nodes that take ``name`` as an input (graph networks; none in a chain)."""
    srcs = sources(c.network)
    return [n for n, s in zip(c.network.nodes, srcs, strict=True) if name in s and len(s) > 1
            or name in s and n.layer.kind == "batch_normalization"]


def _is_projection(c: LayerCtx) -> bool:
    """A 1×1 conv whose output (maybe after a batch norm) is added to another branch."""
    if c.network.is_chain or any(k != 1 for k in getattr(c.layer, "kernel", (0,))):
        return False
    for n in _consumers(c, c.node.name):
        if n.layer.kind == "add":
            return True
        if n.layer.kind == "batch_normalization" and any(
                m.layer.kind == "add" for m in _consumers(c, n.name)):
            return True
    return False


def _identity_shortcut(c: LayerCtx) -> bool:
    """An add one of whose inputs feeds another of its inputs: that one comes straight from
    where the branch left (no projection on the way), as ``out + x`` in a residual block."""
    srcs = sources(c.network)
    feeds = {n.name: s for n, s in zip(c.network.nodes, srcs, strict=True)}
    mine = srcs[c.index]

    def ancestors(name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            for s in feeds.get(todo.pop(), ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return seen

    return len(set(mine)) < len(mine) or any(
        a in ancestors(b) for a in mine for b in mine if a != b)


#: catalogue order within the family (stable ids; the grader breaks ties by this order)
ENTRIES: tuple[Misconception, ...] = (
    entry("projection_shortcut_left_out", Step.SHORTCUT, frozenset({"conv"}),
       "projection shortcut left out",
       "{layer} is the 1×1 projection on the shortcut (the channels or the stride change): "
       "count its weights too.",
       "(C_in + 1)·C_out (1×1 projection) → 0", 2,
       when=lambda c: _is_projection(c), reweigh=lambda ly, i, o, ws: ()),
    entry("identity_shortcut_given_params", Step.PARAMETER_FREE, frozenset({"merge"}),
       "identity shortcut given parameters",
       "The shortcut into {layer} is the identity (the shapes already match): it has no "
       "weights, and the addition has none either.",
       "0 → C·C + C (a 1×1 conv on the shortcut)", 1,
       when=lambda c: c.layer.op == "add" and _identity_shortcut(c),
       reweigh=lambda ly, i, o, ws: (*ws, Weight("kernel", (o[-1], o[-1])),
                                     Weight("bias", (o[-1],)))),
    entry("concat_channels_from_one_branch", Step.OUTPUT_DEPTH, frozenset({"merge"}),
       "concatenated channels taken from one branch",
       "{layer} joins its inputs along the channels: its depth is the sum of every branch's "
       "depth, not the depth of one branch.",
       "C_1 + C_2 + … → C_1", 1, changes_shape=True,
       when=lambda c: c.layer.op == "concatenate" and c.layer.axis in (-1, len(c.out_shape)),
       reshape=lambda ly, i, o: (*o[:-1], i[-1]), source="issue 12"),
    entry("merge_given_params", Step.PARAMETER_FREE, frozenset({"merge"}),
       "merge layer given parameters",
       "{layer} only combines its inputs (add, concatenate, …): it has no weights.",
       "0 → C (one weight per channel)", 1,
       reweigh=lambda ly, i, o, ws: (*ws, Weight("weight", (o[-1],)))),
)
