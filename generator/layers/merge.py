"""Merge layers: several tensors in, one out, no parameters (Keras's merging layers).

Element-wise merges (add, subtract, multiply, average, maximum, minimum) need inputs of one
rank whose axes agree or are 1 (broadcast), as Keras's ``Merge._compute_elemwise_op_output_shape``
(keras/src/layers/merging/base_merge.py) computes; ``subtract`` takes exactly two inputs
(keras/src/layers/merging/subtract.py). ``concatenate`` joins along ``axis`` (Keras counts the
batch axis: -1, the default, is the channel axis); every other axis must agree, as
``ops.concatenate`` requires.

>>> Merge(op="add").merge_shape(((8, 8, 64), (8, 8, 64)))
(8, 8, 64)
>>> Merge(op="concatenate").merge_shape(((8, 8, 64), (8, 8, 32)))
(8, 8, 96)
>>> Merge(op="add", name="add1").merge_shape(((8, 8, 64), (4, 4, 64)))
Traceback (most recent call last):
generator.errors.ConfigError: add1: add needs inputs of matching shapes (axes may differ only where one of them is 1); received 8×8×64 and 4×4×64: axis 1 is 8 in one and 4 in the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..derive import Derivation
from ..errors import ConfigError
from ..formulas import concat_len
from .base import Layer, Shape, fmt_shape

__all__ = ["MERGE_OPS", "Merge"]

#: merge operations (Keras's snake_case layer names)
MERGE_OPS = ("add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate")


@dataclass(frozen=True, kw_only=True)
class Merge(Layer):
    """One merge of two or more tensors; ``axis`` only for concatenate (batch axis counted)."""

    op: str = "add"
    axis: int = -1

    @property
    def kind(self) -> str:
        return self.op

    @property
    def has_weights(self) -> bool:
        return False

    def describe(self) -> str:
        if self.op == "concatenate":
            return "concatenate along the channels" if self.axis == -1 else (
                f"concatenate along axis {self.axis}")
        return f"element-wise {self.op}"

    def _axis(self, rank: int) -> int:
        """The concatenation axis as an index into a shape without the batch axis."""
        axis = self.axis if self.axis < 0 else self.axis - 1
        if not -rank <= axis < rank or self.axis == 0:
            raise ConfigError(f"concatenate axis {self.axis} does not exist for inputs of rank "
                              f"{rank} (plus the batch axis, axis 0, which cannot be joined).",
                              where=self.name)
        return axis % rank

    def merge_shape(self, shapes: Sequence[Shape]) -> Shape:
        """The output shape, or a ConfigError saying which inputs do not fit and why."""
        shapes = tuple(tuple(s) for s in shapes)
        if len(shapes) < 2:
            raise ConfigError(f"{self.op} merges two or more tensors; received {len(shapes)}.",
                              where=self.name)
        if self.op == "subtract" and len(shapes) != 2:
            raise ConfigError(f"subtract takes exactly two inputs; received {len(shapes)}.",
                              where=self.name)
        ranks = {len(s) for s in shapes}
        if len(ranks) > 1:
            raise ConfigError(f"{self.op} needs inputs of one rank; received "
                              f"{' and '.join(fmt_shape(s) for s in shapes)}.", where=self.name)
        if self.op == "concatenate":
            axis = self._axis(len(shapes[0]))
            first = shapes[0]
            for s in shapes[1:]:
                for i, (a, b) in enumerate(zip(first, s, strict=True)):
                    if i != axis and a != b:
                        raise ConfigError(
                            f"concatenate joins along axis {self.axis} and needs every other "
                            f"axis to match; received {fmt_shape(first)} and {fmt_shape(s)}: "
                            f"axis {i + 1} is {a} in one and {b} in the other.", where=self.name)
            return tuple(concat_len([s[axis] for s in shapes]) if i == axis else d
                         for i, d in enumerate(first))
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s, strict=True)):
                if a != b and 1 not in (a, b):
                    raise ConfigError(
                        f"{self.op} needs inputs of matching shapes (axes may differ only where "
                        f"one of them is 1); received {fmt_shape(shapes[0])} and {fmt_shape(s)}: "
                        f"axis {i + 1} is {a} in one and {b} in the other.", where=self.name)
                out[i] = max(a, b)
        return tuple(out)

    def merge_derivations(self, shapes: Sequence[Shape]) -> tuple[Derivation, ...]:
        """Concatenate: the joined axis as a sum (C = 64 + 32 = 96); element-wise: none."""
        if self.op != "concatenate":
            return ()
        axis = self._axis(len(shapes[0]))
        sizes = [s[axis] for s in shapes]
        quantity = "C_out" if axis == len(shapes[0]) - 1 else f"d{axis + 1}_out"
        names = " + ".join(f"{quantity[:-4]}_{i + 1}" for i in range(len(sizes)))
        return (Derivation(quantity, names, " + ".join(map(str, sizes)), concat_len(sizes)),)

    def merge_notes(self, shapes: Sequence[Shape]) -> tuple[str, ...]:
        if self.op == "concatenate":
            return ("concatenate: the other axes must match; the joined axis adds up; "
                    "0 parameters",)
        return (f"{self.op}: the shapes must match ({' and '.join(fmt_shape(s) for s in shapes)}),"
                " the output has the same shape; 0 parameters",)
