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
from typing import Any

from .chain import Ref
from .common import UNKNOWN, fail, fold, snippet
from .consts import NOTES, bind, bind_value, constants, try_fold, with_parameters
from .torch_objects import (
    MAX_DEPTH,
    MAX_UNROLLED,
    MODULE_TYPES,
    NO_RETURN,
    ClassRef,
    Custom,
    FuncRef,
    ModList,
    Objects,
    PyList,
    Seq,
    Source,
    first_return,
    loop_values,
)
from .torch_probe import probe
from .torch_values import Frame, Values

__all__ = ["Builder"]


class Builder(Values):
    """Runs ``__init__`` code (and the helpers it calls) into a module tree."""

    def __init__(self, reader: Source, module_env: dict[str, Any], objects: Objects) -> None:
        self.reader, self.module_env, self.objects = reader, module_env, objects
        self.functions = {f.name: f for f in reader.tree.body if isinstance(f, ast.FunctionDef)}
        self.budget = MAX_UNROLLED
        self.depth = 0

    # -- entry points -------------------------------------------------------------------
    def frame(self, env: dict[str, Any]) -> Frame:
        """A module-level frame (for a top-level call such as ResNet(Bottleneck, [3, 4, 6, 3]))."""
        return Frame(None, {}, ChainMap({}, env), "")

    def instantiate(self, cls: ast.ClassDef, call: ast.Call | None, caller: Frame | None,
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

    def call_function(self, fn: ast.FunctionDef, call: ast.Call | None, caller: Frame | None,
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
                self._bind_obj(objs, p.arg, self.value(d, caller or Frame(owner, {}, base, name)))
        for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
            if d is not None:
                self._bind_obj(objs, p.arg, self.value(d, caller or Frame(owner, {}, base, name)))
        if call is not None and caller is not None:
            for p, a in zip(positional, call.args, strict=False):
                self._bind_obj(objs, p.arg, self.value(a, caller), clear=True)
            for kw in call.keywords:
                if kw.arg is not None:
                    self._bind_obj(objs, kw.arg, self.value(kw.value, caller), clear=True)
        base.maps[0].update({k: v for k, v in params.items() if k not in objs})
        for k, v in objs.items():
            base.maps[0].update(self.class_constants(k, v))
        frame = Frame(owner, objs, base, name)
        result = self.run(fn.body, frame)
        self.depth -= 1
        return None if result is NO_RETURN else result

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
        if isinstance(value, (*MODULE_TYPES, ClassRef, FuncRef, PyList)) or value is None:
            objs[key] = value
        elif clear:
            objs.pop(key, None)

    # -- statements ---------------------------------------------------------------------
    def run(self, body: list[ast.stmt], frame: Frame) -> Any:
        return first_return(body, lambda stmt: self.statement(stmt, frame))

    def statement(self, stmt: ast.stmt, frame: Frame) -> Any:
        if isinstance(stmt, ast.Return):
            return None if stmt.value is None else self.value(stmt.value, frame)
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                return NO_RETURN
            value = probe(stmt.value, lambda n: self.lookup(n, frame), self.reader.aliases,
                          dict(frame.env))  # n = self.features(torch.zeros(1, 1, 28, 28)).numel()
            if value is None:
                value = self.value(stmt.value, frame)
            elif isinstance(notes := frame.env.get(NOTES), list):
                notes.append((stmt.lineno, f"{snippet(stmt.value, 60)} read as {value:,}, the "
                                           "size of that output (propagated, not run)"))
            for t in targets:
                self.assign(t, stmt.value, value, frame)
        elif isinstance(stmt, ast.AugAssign):
            target = self.lookup(stmt.target, frame)
            if isinstance(target, PyList):
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
        return NO_RETURN

    def assign(self, target: ast.expr, node: ast.expr, value: Any, frame: Frame) -> None:
        is_obj = isinstance(value, (*MODULE_TYPES, ClassRef, FuncRef, PyList))
        if isinstance(value, PyList) and isinstance(target, ast.Attribute):
            value = PyList(value)  # self.layers = [] keeps its own list
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
            bind(target, node, ChainMap(tmp, frame.env))
        for k, v in tmp.items():
            if k.startswith("self.") and frame.owner is not None:
                frame.owner.env[k] = v
            else:
                frame.env.maps[0][k] = v

    def constants(self, stmt: ast.stmt, frame: Frame) -> None:
        tmp: dict[str, Any] = {}
        constants([stmt], ChainMap(tmp, frame.env))
        for k, v in tmp.items():
            (frame.owner.env if k.startswith("self.") and frame.owner else frame.env.maps[0])[k] = v

    def expression_call(self, call: ast.Call, frame: Frame) -> None:
        f = call.func
        if isinstance(f, ast.Attribute):
            owner = self.lookup(f.value, frame)
            if isinstance(owner, PyList) and f.attr in ("append", "extend") and call.args:
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

    def loop(self, stmt: ast.For, frame: Frame) -> None:
        values = loop_values(stmt, frame.env)
        if values is None:
            items = self.value(stmt.iter, frame)
            if isinstance(items, PyList | list):
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
