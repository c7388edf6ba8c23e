"""The values of PyTorch ``__init__`` code: names, attributes, conditions, lists and calls
(modules, ``nn.Sequential``, instances of the file's classes, helper calls), read with
:mod:`ast`; the statements that bind them are :class:`~.torch_init.Builder`'s.
"""

from __future__ import annotations

import ast
from collections import ChainMap
from dataclasses import dataclass
from typing import Any

from .chain import Ref
from .common import UNKNOWN, dotted, fail, fold, snippet
from .consts import bind_value, try_fold
from .torch_layers import MODULES, torch_layer, torch_parameter
from .torch_objects import (
    MAX_UNROLLED,
    MODULE_TYPES,
    ClassRef,
    Custom,
    FuncRef,
    ModList,
    Objects,
    PyList,
    Seq,
    Source,
    loop_values,
    ordered_items,
)

__all__ = ["Frame", "Values"]


@dataclass
class Frame:
    owner: Custom | None
    objs: dict[str, Any]
    env: ChainMap[str, Any]
    name: str


class Values:
    """Evaluates expressions of ``__init__`` code; :class:`~.torch_init.Builder` adds the
    statements, instances and helper calls it needs."""

    reader: Source
    objects: Objects
    module_env: dict[str, Any]
    functions: dict[str, ast.FunctionDef]
    budget: int

    def instantiate(self, cls: ast.ClassDef, call: ast.Call | None, caller: Frame | None,
                    name: str) -> Custom:
        raise NotImplementedError

    def call_function(self, fn: ast.FunctionDef, call: ast.Call | None, caller: Frame | None,
                      *, owner: Custom | None, name: str) -> Any:
        raise NotImplementedError

    def builds_nothing(self, stmt: ast.stmt, what: str) -> None:
        """Skip code that builds no module (weight init); refuse code that does."""
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and self.builds(node):
                fail(node, f"{snippet(node)} is built inside {what}; cnnquiz follows loops over "
                           "constant ranges and ifs on constants only. Use constants (or a YAML "
                           "spec).")

    def builds(self, call: ast.Call) -> bool:
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr in ("append", "extend", "add_module"):
            return True
        q = self.reader.cls(f)
        if q in self.reader.classes or q in ("Sequential", "ModuleList"):
            return True
        dotted_name = ast.unparse(f)
        return q in MODULES and ".init." not in dotted_name and "functional" not in dotted_name

    # -- values -------------------------------------------------------------------------
    def lookup(self, node: ast.expr, frame: Frame) -> Any:
        if isinstance(node, ast.Name):
            if node.id in frame.objs:
                return frame.objs[node.id]
            if node.id in self.objects:
                return self.objects[node.id]
            if node.id in self.reader.classes:
                return ClassRef(node.id, True)
            if node.id in self.functions:
                return FuncRef(node.id)
            return UNKNOWN
        if isinstance(node, ast.Attribute):
            q = dotted(node, self.reader.aliases) or ""
            if q.startswith("torch.nn.") and (node.attr in MODULES or node.attr in (
                    "Sequential", "ModuleList")):
                return ClassRef(node.attr, False)  # norm_layer = nn.BatchNorm2d
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "self" and frame.owner is not None:
                return frame.owner.attrs.get(node.attr, UNKNOWN)
            base = self.lookup(node.value, frame)
            if isinstance(base, ClassRef) and base.local:  # block.expansion
                for stmt in self.reader.classes[base.name].body:
                    if isinstance(stmt, ast.Assign) and any(
                            isinstance(t, ast.Name) and t.id == node.attr for t in stmt.targets):
                        return try_fold(stmt.value, self.module_env)
        return UNKNOWN

    def truth(self, test: ast.expr, frame: Frame) -> Any:
        """The value of a condition, or UNKNOWN; ``x is None`` also for module values."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(
                test.ops[0], ast.Is | ast.IsNot):
            a, b = self.value(test.left, frame), self.value(test.comparators[0], frame)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            same = a is b if not (isinstance(a, int | str) or isinstance(b, int | str)) else a == b
            return same if isinstance(test.ops[0], ast.Is) else not same
        if isinstance(test, ast.BoolOp):
            values = [self.truth(v, frame) for v in test.values]
            if isinstance(test.op, ast.And):
                return False if any(v is not UNKNOWN and not v for v in values) else (
                    UNKNOWN if UNKNOWN in values else True)
            return True if any(v is not UNKNOWN and v for v in values) else (
                UNKNOWN if UNKNOWN in values else False)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            v = self.truth(test.operand, frame)
            return UNKNOWN if v is UNKNOWN else not v
        obj = self.lookup(test, frame)
        if obj is not UNKNOWN:
            return obj is not None
        return try_fold(test, frame.env)

    def value(self, node: ast.expr, frame: Frame) -> Any:
        """A module tree value, a class, a list of modules, None, a constant, or UNKNOWN."""
        obj = self.lookup(node, frame)
        if obj is not UNKNOWN:
            return obj
        if isinstance(node, ast.List) and not node.elts:
            return PyList()  # a list to be filled with append
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.value(e.value if isinstance(e, ast.Starred) else e, frame)
                     for e in node.elts]
            if any(isinstance(i, (*MODULE_TYPES, PyList)) for i in items):
                out = PyList()
                for e, i in zip(node.elts, items, strict=True):
                    out.extend(i if isinstance(e, ast.Starred) and isinstance(i, list) else [i])
                return out
            return try_fold(node, frame.env)
        if isinstance(node, ast.IfExp):
            test = self.truth(node.test, frame)
            if test is not UNKNOWN:
                return self.value(node.body if test else node.orelse, frame)
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            return self.comprehension(node, frame)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = self.value(node.left, frame), self.value(node.right, frame)
            if isinstance(a, list) and isinstance(b, list):
                return PyList([*a, *b])
        if isinstance(node, ast.Call):
            return self.call(node, frame)
        return try_fold(node, frame.env)

    def comprehension(self, node: ast.ListComp, frame: Frame) -> Any:
        gen = node.generators[0]
        values = loop_values(gen, frame.env)
        if values is None or gen.ifs:
            self.builds_nothing(ast.Expr(node, lineno=node.lineno), "a comprehension over values "
                                "that are not constants")
            return try_fold(node, frame.env)
        out = PyList()
        for v in values:
            self.budget -= 1
            if self.budget < 0:
                fail(node, f"the loops would unroll more than {MAX_UNROLLED:,} iterations in all.")
            tmp: dict[str, Any] = {}
            bind_value(gen.target, v, tmp)
            frame.env.maps[0].update(tmp)
            out.append(self.value(node.elt, frame))
        if not any(isinstance(i, MODULE_TYPES) for i in out):
            return try_fold(node, frame.env)
        return out

    def call(self, call: ast.Call, frame: Frame) -> Any:
        f = call.func
        callee = self.lookup(f, frame)
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and (
                f.value.id == "self") and frame.owner is not None and (
                f.attr in frame.owner.methods and f.attr not in frame.owner.attrs):
            return self.call_function(frame.owner.methods[f.attr], call, frame,
                                      owner=frame.owner, name=frame.name)
        if isinstance(callee, FuncRef):
            return self.call_function(self.functions[callee.name], call, frame, owner=None,
                                      name=frame.name)
        if isinstance(callee, ClassRef) and callee.local:
            return self.instantiate(self.reader.classes[callee.name], call, frame, "")
        cls = callee.name if isinstance(callee, ClassRef) else self.reader.cls(f)
        if cls in self.reader.classes and callee is UNKNOWN:
            return self.instantiate(self.reader.classes[cls], call, frame, "")
        q = ast.unparse(f)
        if cls == "Parameter":
            return torch_parameter(call, frame.env)
        if isinstance(callee, ClassRef) or (cls and (cls in MODULES or cls in (
                "Sequential", "ModuleList", "ModuleDict"))):
            if cls == "Sequential":
                return self.sequential(call, frame)
            if cls == "ModuleList":
                items = self.value(call.args[0], frame) if call.args else PyList()
                return ModList(call.lineno, "", list(items) if isinstance(items, list) else [])
            if cls == "ModuleDict":
                fail(call, f"{snippet(call)}: an nn.ModuleDict is indexed at run time; write its "
                           "layers out.")
            return torch_layer(call, str(cls), frame.env, name=None)
        if cls and "nn" in q.split(".")[:-1] and cls[0].isupper():
            return torch_layer(call, str(cls), frame.env, name=None)  # refused with a message
        if cls in ("partial",):
            fail(call, f"{snippet(call)}: functools.partial is not followed; pass the class.")
        return try_fold(call, frame.env)

    def sequential(self, call: ast.Call, frame: Frame) -> Seq:
        seq = Seq(call.lineno, "", [])
        if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and self.reader.cls(
                call.args[0].func) == "OrderedDict":
            for key, module in ordered_items(call, call.args[0]):
                self._child(seq, self.value(module, frame), module,
                            str(fold(key, frame.env, "name")))
            return seq
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                items = self.value(arg.value, frame)
                if not isinstance(items, list):
                    fail(call, f"{snippet(call)}: *{snippet(arg.value)} is not a list of modules "
                               "cnnquiz can follow.")
                for j, child in enumerate(items):
                    self._child(seq, child, arg, str(len(seq.children) + j * 0))
                continue
            self._child(seq, self.value(arg, frame), arg, str(i))
        return seq

    @staticmethod
    def _child(seq: Seq, child: Any, node: ast.AST, key: str) -> None:
        if not isinstance(child, MODULE_TYPES):
            fail(node, f"{snippet(node)} is not a torch.nn module cnnquiz can read; nn.Sequential "
                       "takes modules such as nn.Conv2d(3, 16, 3) or an nn.Module class of the paste.")
        if isinstance(child, Ref) and child.name is None and not key.isdigit():
            child.name = key
        seq.children.append(child)
