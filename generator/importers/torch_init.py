"""PyTorch ``__init__`` code followed with :mod:`ast`: the module tree a model builds.

:class:`Builder` runs the statements of ``__init__`` (never the code itself): assignments of
``torch.nn`` modules, ``nn.Sequential(...)`` (also ``*layers`` and ``OrderedDict``),
``nn.ModuleList``, instances of ``nn.Module`` classes of the same file built with constant
arguments (nested to any depth, as torchvision's ``BasicBlock``/``Bottleneck``), helper
methods and functions (``self._make_layer(block, 64, 2)``, ``conv3x3(...)``), lists built with
``append``/``extend``/``+=``, loops over constant ranges, ``if`` on constants (``if downsample is
None``), classes passed as values (``block=BasicBlock``, ``norm_layer=nn.BatchNorm2d``) and
their class attributes (``block.expansion``). Weight-init loops (``for m in self.modules()``)
and other code that builds no module are skipped; a module built where the bounds or the
condition are not constants is refused with its line. Unrolled iterations are capped.

>>> import ast
>>> from .torch_ast import _Reader
>>> tree = ast.parse('''
... import torch.nn as nn
... class Block(nn.Module):
...     def __init__(self, c=8, n=2):
...         super().__init__()
...         self.convs = nn.Sequential(*[nn.Conv2d(c, c, 3, padding=1) for _ in range(n)])
... ''')
>>> b = Builder(_Reader(tree), {}, {}).instantiate(tree.body[1], None, None, "model")
>>> [type(m).__name__ for m in b.attrs.values()], len(b.attrs["convs"].children)
(['Seq'], 2)
"""

from __future__ import annotations

import ast
from collections import ChainMap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .chain import Ref
from .common import UNKNOWN, dotted, fail, fold, snippet
from .consts import bind, bind_value, constants, try_fold, with_parameters
from .torch_layers import MODULES, torch_layer

if TYPE_CHECKING:
    from .torch_ast import _Reader

__all__ = ["MAX_DEPTH", "MAX_UNROLLED", "Builder", "ClassRef", "Custom", "ModList", "Seq",
           "loop_values", "refs_of"]

MAX_UNROLLED = 5_000  # loop iterations and comprehension items in all
MAX_DEPTH = 30  # nested instantiations and helper calls


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


class _Obj(list):  # type: ignore[type-arg]
    """A Python list of modules being built (``layers = []; layers.append(...)``)."""


MODULE_TYPES = (Ref, Seq, ModList, Custom)
_NO_RETURN = object()


@dataclass
class _Frame:
    owner: Custom | None
    objs: dict[str, Any]
    env: ChainMap[str, Any]
    name: str


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
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and not it.keywords:
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


class Builder:
    """Runs ``__init__`` code (and the helpers it calls) into a module tree."""

    def __init__(self, reader: _Reader, module_env: dict[str, Any], objects: dict[str, Any]
                 ) -> None:
        self.reader, self.module_env, self.objects = reader, module_env, objects
        self.functions = {f.name: f for f in reader.tree.body if isinstance(f, ast.FunctionDef)}
        self.budget = MAX_UNROLLED
        self.depth = 0

    # -- entry points -------------------------------------------------------------------
    def frame(self, env: dict[str, Any]) -> _Frame:
        """A module-level frame (for a top-level call such as ResNet(Bottleneck, [3, 4, 6, 3]))."""
        return _Frame(None, {}, ChainMap({}, env), "")

    def instantiate(self, cls: ast.ClassDef, call: ast.Call | None, caller: _Frame | None,
                    name: str) -> Custom:
        """A new instance of a class of the file, ``__init__`` run with the call's arguments."""
        obj = Custom(cls, call.lineno if call is not None else cls.lineno, name)
        for stmt in cls.body:  # class attributes (expansion = 4)
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                constants([stmt], obj.env)
        obj.env = {f"self.{k}": v for k, v in obj.env.items()}
        init = obj.methods.get("__init__")
        if init is None:
            fail(cls, f"class {cls.name} has no __init__ defining its layers.")
        self.call_function(init, call, caller, owner=obj, name=name)
        return obj

    def call_function(self, fn: ast.FunctionDef, call: ast.Call | None, caller: _Frame | None,
                      *, owner: Custom | None, name: str) -> Any:
        """Run a function or method body with the call's arguments; its return value."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            fail(call or fn, f"classes and helpers are nested more than {MAX_DEPTH} deep; "
                             "cnnquiz stops here.")
        base = ChainMap({}, owner.env if owner is not None else {}, self.module_env)
        caller_env = caller.env if caller is not None else base
        names = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        params = {k: v for k, v in with_parameters(fn, dict(base), call, skip_self=owner is not None,
                                                   caller_env=caller_env).items() if k in names}
        objs: dict[str, Any] = {}
        positional = (fn.args.posonlyargs + fn.args.args)[1 if owner is not None else 0:]
        defaults = [None] * (len(positional) - len(fn.args.defaults)) + list(fn.args.defaults)
        for p, d in zip(positional, defaults[-len(positional):] if positional else [],
                        strict=True):
            if d is not None:
                self._bind_obj(objs, p.arg, self.value(d, caller or _Frame(owner, {}, base, name)))
        for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
            if d is not None:
                self._bind_obj(objs, p.arg, self.value(d, caller or _Frame(owner, {}, base, name)))
        if call is not None and caller is not None:
            for p, a in zip(positional, call.args, strict=False):
                self._bind_obj(objs, p.arg, self.value(a, caller), clear=True)
            for kw in call.keywords:
                if kw.arg is not None:
                    self._bind_obj(objs, kw.arg, self.value(kw.value, caller), clear=True)
        base.maps[0].update({k: v for k, v in params.items() if k not in objs})
        for k, v in objs.items():
            base.maps[0].update(self.class_constants(k, v))
        frame = _Frame(owner, objs, base, name)
        result = self.run(fn.body, frame)
        self.depth -= 1
        return None if result is _NO_RETURN else result

    def class_constants(self, key: str, value: Any) -> dict[str, Any]:
        """``block.expansion``-style constants of a class of the file bound to ``key``."""
        if not (isinstance(value, ClassRef) and value.local):
            return {}
        env: dict[str, Any] = {}
        for stmt in self.reader.classes[value.name].body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                constants([stmt], env)
        return {f"{key}.{k}": v for k, v in env.items()}

    @staticmethod
    def _bind_obj(objs: dict[str, Any], key: str, value: Any, *, clear: bool = False) -> None:
        if isinstance(value, (*MODULE_TYPES, ClassRef, FuncRef, _Obj)) or value is None:
            objs[key] = value
        elif clear:
            objs.pop(key, None)

    # -- statements ---------------------------------------------------------------------
    def run(self, body: list[ast.stmt], frame: _Frame) -> Any:
        for stmt in body:
            result = self.statement(stmt, frame)
            if result is not _NO_RETURN:
                return result
        return _NO_RETURN

    def statement(self, stmt: ast.stmt, frame: _Frame) -> Any:
        if isinstance(stmt, ast.Return):
            return None if stmt.value is None else self.value(stmt.value, frame)
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                return _NO_RETURN
            value = self.value(stmt.value, frame)
            for t in targets:
                self.assign(t, stmt.value, value, frame)
        elif isinstance(stmt, ast.AugAssign):
            target = self.lookup(stmt.target, frame)
            if isinstance(target, _Obj):
                more = self.value(stmt.value, frame)
                target.extend(more if isinstance(more, list) else [more])
            else:
                self.constants(stmt, frame)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.expression_call(stmt.value, frame)
        elif isinstance(stmt, ast.For):
            self.loop(stmt, frame)
        elif isinstance(stmt, ast.If):
            test = self.truth(stmt.test, frame)
            if test is UNKNOWN:
                self.builds_nothing(stmt, "an if whose condition is not a constant")
            else:
                return self.run(stmt.body if test else stmt.orelse, frame)
        elif isinstance(stmt, ast.With | ast.Try):
            return self.run(stmt.body, frame)
        elif isinstance(stmt, ast.Raise):
            fail(stmt, f"this code raises here (`{snippet(stmt)}`) with the constants it was "
                       "given; fix the arguments.")
        elif isinstance(stmt, ast.While):
            self.builds_nothing(stmt, "a while loop")
        return _NO_RETURN

    def assign(self, target: ast.expr, node: ast.expr, value: Any, frame: _Frame) -> None:
        is_obj = isinstance(value, (*MODULE_TYPES, ClassRef, FuncRef, _Obj))
        if isinstance(value, _Obj) and isinstance(target, ast.Attribute):
            value = _Obj(value)  # self.layers = [] keeps its own list
            if isinstance(node, ast.Name) and node.id in frame.objs:
                value = frame.objs[node.id]  # the same list object
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and (
                target.value.id == "self") and frame.owner is not None:
            key = target.attr
            if is_obj or value is None:
                if isinstance(value, MODULE_TYPES) and getattr(value, "name", None) in (None, ""):
                    value.name = key
                frame.owner.attrs[key] = value
                frame.owner.env.pop(f"self.{key}", None)
                if value is None:
                    frame.owner.env[f"self.{key}"] = None
                return
            frame.owner.attrs.pop(key, None)
            frame.owner.env[f"self.{key}"] = value if value is not UNKNOWN else try_fold(
                node, frame.env)
            return
        if isinstance(target, ast.Name):
            if is_obj:
                frame.objs[target.id] = value
                frame.env.maps[0][target.id] = UNKNOWN
                frame.env.maps[0].update(self.class_constants(target.id, value))
                return
            frame.objs.pop(target.id, None)
            if value is None:
                frame.objs[target.id] = None
        tmp: dict[str, Any] = {}
        if value is not UNKNOWN and isinstance(target, ast.Name | ast.Tuple | ast.List):
            bind_value(target, value, tmp)  # already evaluated (a helper's return value)
        else:
            bind(target, node, ChainMap(tmp, frame.env))  # type: ignore[arg-type]
        for k, v in tmp.items():
            if k.startswith("self.") and frame.owner is not None:
                frame.owner.env[k] = v
            else:
                frame.env.maps[0][k] = v

    def constants(self, stmt: ast.stmt, frame: _Frame) -> None:
        tmp: dict[str, Any] = {}
        constants([stmt], ChainMap(tmp, frame.env))  # type: ignore[arg-type]
        for k, v in tmp.items():
            (frame.owner.env if k.startswith("self.") and frame.owner else frame.env.maps[0])[k] = v

    def expression_call(self, call: ast.Call, frame: _Frame) -> None:
        f = call.func
        if isinstance(f, ast.Attribute):
            owner = self.lookup(f.value, frame)
            if isinstance(owner, _Obj) and f.attr in ("append", "extend") and call.args:
                v = self.value(call.args[0], frame)
                owner.extend(v if f.attr == "extend" and isinstance(v, list) else [v])
                return
            if isinstance(owner, ModList | Seq) and f.attr in ("append", "extend") and call.args:
                v = self.value(call.args[0], frame)
                owner.children.extend(v if f.attr == "extend" and isinstance(v, list) else [v])
                return
            if f.attr == "add_module" and len(call.args) == 2 and frame.owner is not None:
                key = str(fold(call.args[0], frame.env, "add_module: name"))
                value = self.value(call.args[1], frame)
                if isinstance(value, MODULE_TYPES):
                    if isinstance(value, Ref) and value.name is None:
                        value.name = key
                    frame.owner.attrs[key] = value
                return
        self.value(call, frame)  # a helper that assigns self.X, or anything else (ignored)

    def loop(self, stmt: ast.For, frame: _Frame) -> None:
        values = loop_values(stmt, frame.env)
        if values is None:
            items = self.value(stmt.iter, frame)
            if isinstance(items, _Obj | list):
                values = tuple(items)
        if values is None or stmt.orelse:
            self.builds_nothing(stmt, "a loop whose bounds are not constants")
            return
        for v in values:
            self.budget -= 1
            if self.budget < 0:
                fail(stmt, f"the loops would unroll more than {MAX_UNROLLED:,} iterations in all; "
                           "cnnquiz stops here.")
            if isinstance(v, MODULE_TYPES) and isinstance(stmt.target, ast.Name):
                frame.objs[stmt.target.id] = v
            else:
                tmp: dict[str, Any] = {}
                bind_value(stmt.target, v, tmp)
                frame.env.maps[0].update(tmp)
                for k in tmp:
                    frame.objs.pop(k, None)
            self.run(stmt.body, frame)

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
    def lookup(self, node: ast.expr, frame: _Frame) -> Any:
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

    def truth(self, test: ast.expr, frame: _Frame) -> Any:
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

    def value(self, node: ast.expr, frame: _Frame) -> Any:
        """A module tree value, a class, a list of modules, None, a constant, or UNKNOWN."""
        obj = self.lookup(node, frame)
        if obj is not UNKNOWN:
            return obj
        if isinstance(node, ast.List) and not node.elts:
            return _Obj()  # a list to be filled with append
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.value(e.value if isinstance(e, ast.Starred) else e, frame)
                     for e in node.elts]
            if any(isinstance(i, (*MODULE_TYPES, _Obj)) for i in items):
                out = _Obj()
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
                return _Obj([*a, *b])
        if isinstance(node, ast.Call):
            return self.call(node, frame)
        return try_fold(node, frame.env)

    def comprehension(self, node: ast.ListComp, frame: _Frame) -> Any:
        gen = node.generators[0]
        values = loop_values(gen, frame.env)
        if values is None or gen.ifs:
            self.builds_nothing(ast.Expr(node, lineno=node.lineno), "a comprehension over values "
                                "that are not constants")
            return try_fold(node, frame.env)
        out = _Obj()
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

    def call(self, call: ast.Call, frame: _Frame) -> Any:
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
        if isinstance(callee, ClassRef) or (cls and (cls in MODULES or cls in (
                "Sequential", "ModuleList", "ModuleDict"))):
            if cls == "Sequential":
                return self.sequential(call, frame)
            if cls == "ModuleList":
                items = self.value(call.args[0], frame) if call.args else _Obj()
                return ModList(call.lineno, "", list(items) if isinstance(items, list) else [])
            if cls == "ModuleDict":
                fail(call, f"{snippet(call)}: an nn.ModuleDict is indexed at run time; write its "
                           "layers out.")
            return torch_layer(call, str(cls), frame.env, name=None)  # type: ignore[arg-type]
        if cls and "nn" in q.split(".")[:-1] and cls[0].isupper():
            return torch_layer(call, str(cls), frame.env, name=None)  # type: ignore[arg-type]  # refused with a message
        if cls in ("partial",):
            fail(call, f"{snippet(call)}: functools.partial is not followed; pass the class.")
        return try_fold(call, frame.env)

    def sequential(self, call: ast.Call, frame: _Frame) -> Seq:
        seq = Seq(call.lineno, "", [])
        if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and self.reader.cls(
                call.args[0].func) == "OrderedDict":
            pairs = call.args[0].args[0] if call.args[0].args else None
            if not isinstance(pairs, ast.List | ast.Tuple) or not all(
                    isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                fail(call, f"{snippet(call)}: write OrderedDict([('name', layer), ...]).")
            for p in pairs.elts:
                key = str(fold(p.elts[0], frame.env, "name"))  # type: ignore[attr-defined]
                child = self.value(p.elts[1], frame)  # type: ignore[attr-defined]
                self._child(seq, child, p.elts[1], key)  # type: ignore[attr-defined]
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
