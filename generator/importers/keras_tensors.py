"""The symbolic tensors and models of Keras code read by :mod:`.keras_scope`, and their
conversion to a chain of layer uses or to a graph (:class:`~.graph.Use`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from .chain import Ref
from .common import fail, snippet
from .graph import Use
from .keras_layers import Declared, Unread

__all__ = ["Model", "Tensor", "chain_of", "check_reaches", "is_refs", "is_tensors", "no_layers_in",
           "uses"]


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor: the output of ``ref`` applied to ``src`` (and, for a merge, to
    ``more``), or an Input."""

    line: int
    ref: Ref | None = None
    src: Tensor | None = None
    shape: Declared = None
    more: list[Tensor] = field(default_factory=list)


@dataclass(eq=False)
class Model:
    line: int
    name: str
    refs: list[Ref] = field(default_factory=list)
    shape: Declared = None
    output: Tensor | None = None  # functional models
    graph: tuple[list[Tensor], list[Tensor]] | None = None  # (inputs, outputs) of a graph


def is_refs(value: Any) -> bool:
    """A list of layers (possibly empty)."""
    return isinstance(value, list) and all(isinstance(i, Ref) for i in value)


def is_tensors(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, Tensor) for i in value)


def chain_of(out: Tensor, start: Tensor) -> list[Ref] | None:
    """The refs from ``start`` to ``out`` when they form a plain chain, else None."""
    refs: list[Ref] = []
    t: Tensor | None = out
    while t is not None and t is not start:
        if t.more:
            return None
        if t.ref is not None:
            refs.insert(0, t.ref)
        t = t.src
    return refs if t is start else None


def check_reaches(call: ast.Call, inputs: list[Tensor], outputs: list[Tensor]) -> None:
    """Every Input the outputs depend on is among the model's inputs."""
    stack, seen = list(outputs), set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.ref is None and t.src is None and not any(t is i for i in inputs):
            fail(call, f"{snippet(call)}: the outputs depend on the Input of line {t.line}, "
                       "which is not among the model's inputs.")
        stack += ([t.src] if t.src is not None else []) + t.more


def _constant(shape: Declared) -> tuple[Any, ...] | None:
    """An input's stated shape; one the code computes when it runs is refused (its message)."""
    if isinstance(shape, Unread):
        shape.fail()
    return shape


def uses(inputs: list[Tensor], outputs: list[Tensor], shape: tuple[int, ...] | None,
          *, channels_first: bool = False) -> tuple[list[Use], list[Use]]:
    """The tensors as :class:`~.graph.Use` (skipped layers dropped), inputs named; with
    channels-first code a concatenation axis is moved to channels last (1 -> -1)."""
    made: dict[int, Use] = {}
    ins: list[Use] = []
    for k, t in enumerate(inputs):
        u = Use(None, [], shape=tuple(shape) if k == 0 and shape else _constant(t.shape),
                name="input" if k == 0 else f"input_{k}", line=t.line)
        made[id(t)] = u
        ins.append(u)

    def use(t: Tensor) -> Use:
        stack = [t]
        while stack:
            top = stack[-1]
            if id(top) in made:
                stack.pop()
                continue
            srcs = ([top.src] if top.src is not None else []) + top.more
            missing = [s for s in srcs if id(s) not in made]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            if top.ref is None and not srcs:
                made[id(top)] = Use(None, [], shape=_constant(top.shape), name=f"input_l{top.line}",
                                    line=top.line)
            else:
                ref = top.ref
                if channels_first and ref is not None and ref.kind == "concatenate":
                    axis = ref.options.get("axis", -1)
                    if axis < 0:
                        ref.fail(f"axis={axis} on channels-first data counts from the end; "
                                 "write it as a positive axis (1 is the channels).")
                    ref.options["axis"] = -1 if axis == 1 else axis - 1
                made[id(top)] = Use(ref, [made[id(s)] for s in srcs], line=top.line)
        return made[id(t)]

    return ins, [use(o) for o in outputs]


def no_layers_in(stmt: ast.stmt, functions: dict[str, Any], variables: dict[str, Any]) -> None:
    """Refuse a loop or an if that cnnquiz cannot follow when it builds or calls layers."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and (
                isinstance(node.func, ast.Call)
                or (isinstance(node.func, ast.Name) and (
                    node.func.id in functions
                    or isinstance(variables.get(node.func.id), Ref | Model)))
                or (isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "add", "append", "extend") and isinstance(variables.get(getattr(
                        node.func.value, "id", "")), Model | list))):
            fail(node, f"{snippet(node)} is inside a loop or an if whose bounds or condition "
                       "are not constants; cnnquiz follows `for i in range(N)` and `if` on "
                       "constants only. Unroll it (or use a YAML spec).")
