"""The module tree the PyTorch importer builds from ``__init__`` code (never run): sequentials,
module lists, instances of the file's own classes, classes and functions used as values, and
the Python lists of modules being built; helpers every part of the importer shares.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .chain import Ref
from .common import fail, snippet
from .consts import try_fold

__all__ = ["MAX_DEPTH", "MAX_UNROLLED", "MODULE_TYPES", "NO_RETURN", "ClassRef", "Custom",
           "FuncRef", "ModList", "Objects", "PyList", "Seq", "Source", "first_return",
           "loop_values", "ordered_items", "refs_of"]

MAX_UNROLLED = 5_000  # loop iterations and comprehension items in all
MAX_DEPTH = 30  # nested instantiations and helper calls
#: a statement that does not return (the walk goes on)
NO_RETURN = object()


class Source(Protocol):
    """What every reader of the PyTorch code knows of the file (:class:`~.torch_ast._Reader`):
    its tree, its import aliases, its classes, and the class name a call names."""

    tree: ast.Module
    aliases: dict[str, str]
    classes: dict[str, ast.ClassDef]

    def cls(self, node: ast.AST) -> str | None: ...


@dataclass(eq=False)
class Seq:
    """``nn.Sequential``: children applied in order."""

    line: int
    name: str
    children: list[Any]

    def refs(self) -> list[Ref]:
        """The layers in order, when every child is a layer or a Sequential of layers."""
        out: list[Ref] = []
        for c in self.children:
            if isinstance(c, Seq):
                out += c.refs()
            elif isinstance(c, Ref):
                out.append(c)
            else:
                fail(self.line, f"{self.name}: holds {type(c).__name__.lower()} modules; "
                                "cnnquiz follows them through forward only.")
        return out


@dataclass(eq=False)
class ModList:
    """``nn.ModuleList``: children indexed or iterated in forward."""

    line: int
    name: str
    children: list[Any]


@dataclass(eq=False)
class Custom:
    """An instance of an ``nn.Module`` class of the file: its attributes and constants."""

    cls: ast.ClassDef
    line: int
    name: str
    attrs: dict[str, Any] = field(default_factory=dict)  # self.X -> module, list, class, None
    env: dict[str, Any] = field(default_factory=dict)  # "self.X" -> constant

    @property
    def methods(self) -> dict[str, ast.FunctionDef]:
        return {f.name: f for f in self.cls.body if isinstance(f, ast.FunctionDef)}


@dataclass(frozen=True)
class ClassRef:
    """A class used as a value: a torch.nn class (``local`` False) or a class of the file."""

    name: str
    local: bool


@dataclass(frozen=True)
class FuncRef:
    name: str


class PyList(list[Any]):
    """A Python list of modules being built (``layers = []; layers.append(...)``)."""


MODULE_TYPES = (Ref, Seq, ModList, Custom)
#: the modules a file binds at module level, by name (``block = nn.Sequential(...)``): a
#: name used again is the same object, so its weights are shared
Objects = dict[str, Ref | Seq]


def ordered_items(call: ast.Call, ordered: ast.Call) -> list[tuple[ast.expr, ast.expr]]:
    """The (name, module) expressions of ``nn.Sequential(OrderedDict([(name, module), ...]))``;
    ``ordered`` is the OrderedDict call, refused unless it is a literal list of pairs."""
    pairs = ordered.args[0] if ordered.args else None
    listed = pairs.elts if isinstance(pairs, ast.List | ast.Tuple) else None
    items = [(p.elts[0], p.elts[1]) for p in listed or ()
             if isinstance(p, ast.Tuple) and len(p.elts) == 2]
    if listed is None or len(items) != len(listed):
        fail(call, f"{snippet(call)}: write OrderedDict([('name', layer), ...]).")
    return items


def first_return(body: Sequence[ast.stmt], statement: Callable[[ast.stmt], Any]) -> Any:
    """Run ``statement`` on each of ``body`` until one returns (else :data:`NO_RETURN`)."""
    for stmt in body:
        out = statement(stmt)
        if out is not NO_RETURN:
            return out
    return NO_RETURN


def refs_of(module: Any) -> list[Ref]:
    """Every layer object inside a module tree, in registration order, each once."""
    out: dict[int, Ref] = {}
    stack = [module]
    while stack:
        m = stack.pop(0)
        if isinstance(m, Ref):
            out.setdefault(id(m), m)
        elif isinstance(m, Seq | ModList):
            stack[:0] = list(m.children)
        elif isinstance(m, Custom):
            stack[:0] = [v for v in m.attrs.values() if isinstance(v, MODULE_TYPES)]
    return list(out.values())


def loop_values(stmt: ast.For | ast.comprehension, env: Any) -> tuple[Any, ...] | None:
    """The values of a loop over ``range(...)``, a constant tuple, ``enumerate``/``zip`` of
    constant tuples; None when they are not constants."""
    it = stmt.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and not it.keywords and (
            it.func.id in ("range", "enumerate", "zip")):
        parts = [try_fold(a, env) for a in it.args]
        if it.func.id == "range" and 1 <= len(parts) <= 3 and all(
                isinstance(p, int) and not isinstance(p, bool) for p in parts):
            r = range(*parts)
            return tuple(r) if len(r) <= MAX_UNROLLED else tuple(range(MAX_UNROLLED + 1))
        if it.func.id in ("enumerate", "zip") and parts and all(isinstance(p, tuple) for p in parts):
            if it.func.id == "enumerate" and len(parts) == 1:
                return tuple(enumerate(parts[0]))
            return tuple(zip(*parts, strict=False)) if it.func.id == "zip" else None
        return None
    value = try_fold(it, env)
    return value if isinstance(value, tuple) else None
