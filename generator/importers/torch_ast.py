"""PyTorch models in pasted source -> spec dict: ``nn.Sequential(...)`` assigned to a name, or
an ``nn.Module`` subclass with its layers in ``__init__``.

With a ``forward``, its call order is used when it is a simple chain: a module called twice
shares its weights; ``torch.flatten(x, 1)``, ``x.view(x.size(0), -1)`` and ``nn.Flatten()``
flatten; ``F.relu`` and other activations are ignored; ``F.max_pool2d(x, 2)`` is a layer.
Without a ``forward``, the ``__init__`` order is used and a flatten is put before the first
``nn.Linear`` that needs it. The input size comes from ``input_shape`` (H×W×C, channels last).

>>> src = '''
... import torch.nn as nn
... net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 24 * 24, 10))
... '''
>>> [layer["type"] for layer in import_torch(src, input_shape=(28, 28, 1))["layers"]]
['conv2d', 'relu', 'flatten', 'dense']
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .chain import Ref, build_spec
from .common import (
    UNKNOWN,
    Candidate,
    choose_model,
    constants,
    dotted,
    fail,
    fold,
    import_aliases,
    parse,
    scope_statements,
    snippet,
    try_fold,
)
from .torch_forward import Forward
from .torch_layers import MODULES, torch_layer

__all__ = ["import_torch", "looks_like_torch"]

PARAM_KINDS = ("conv", "dense", "batch_normalization", "depthwise", "separable")


@dataclass(eq=False)
class _Seq:
    line: int
    name: str
    children: list[Ref | _Seq]

    def refs(self) -> list[Ref]:
        return [r for c in self.children for r in (c.refs() if isinstance(c, _Seq) else [c])]


def looks_like_torch(tree: ast.Module) -> bool:
    """True when the file imports torch."""
    return any(q.split(".")[0] == "torch" for q in import_aliases(tree).values())


class _Reader:
    """Turns module expressions into refs; knows the file's imports and local classes."""

    def __init__(self, tree: ast.Module) -> None:
        self.aliases = import_aliases(tree)
        self.classes = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}

    def cls(self, node: ast.AST) -> str | None:
        q = dotted(node, self.aliases)
        return q.rsplit(".", 1)[-1] if q else None

    def module(self, node: ast.expr, env: dict[str, Any], objects: dict[str, Any],
               name: str | None, *, top: bool = False) -> Ref | _Seq | None:
        """A module expression: a layer call, nn.Sequential(...), or a name bound to a module.

        At module level (``top``) an instance of a class of the file (``net = Net()``) is no
        layer; inside a model it is a custom submodule, which cnnquiz does not inline.
        """
        if isinstance(node, ast.Name | ast.Attribute) and ast.unparse(node) in objects:
            return objects[ast.unparse(node)]  # the same object again: shared weights
        if not isinstance(node, ast.Call):
            return None
        cls = self.cls(node.func)
        if cls in self.classes and top:
            return None
        if cls in self.classes:
            fail(node, f"{snippet(node)} uses the custom module {cls} (line "
                       f"{self.classes[cls].lineno}); cnnquiz reads one flat model. Write its "
                       "layers out in this module, or describe the network in a YAML spec.")
        if cls == "Sequential":
            return self.sequential(node, env, objects, None if top else name)
        if cls in MODULES or (cls and "nn" in (dotted(node.func, self.aliases) or "").split(".")):
            return torch_layer(node, cls or "", env, name=name)
        return None

    def sequential(self, call: ast.Call, env: dict[str, Any], objects: dict[str, Any],
                   name: str | None) -> _Seq:
        items: list[tuple[str, ast.expr]] = [(str(i), a) for i, a in enumerate(call.args)]
        if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and self.cls(
                call.args[0].func) == "OrderedDict":
            pairs = call.args[0].args[0] if call.args[0].args else None
            if not isinstance(pairs, ast.List | ast.Tuple) or not all(
                    isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                fail(call, f"{snippet(call)}: write OrderedDict([('name', layer), ...]).")
            items = [(str(fold(p.elts[0], env, "name")), p.elts[1]) for p in pairs.elts]
        seq = _Seq(call.lineno, name or "model", [])
        for key, arg in items:
            if isinstance(arg, ast.Starred):
                fail(call, f"{snippet(call)}: *{snippet(arg.value)} hides the layers; write "
                           "them out.")
            child = self.module(arg, env, objects, f"{name}.{key}" if name else (
                key if not key.isdigit() else None))
            if child is None:
                fail(arg, f"{snippet(arg)} is not a torch.nn module cnnquiz can read.")
            seq.children.append(child)
        return seq


def _defaults(fn: ast.FunctionDef, env: dict[str, Any]) -> dict[str, Any]:
    env = dict(env)
    args = fn.args.args + fn.args.kwonlyargs
    defaults = [None] * (len(fn.args.args) - len(fn.args.defaults)) + list(fn.args.defaults)
    for p, d in zip(args, defaults + list(fn.args.kw_defaults), strict=True):
        env[p.arg] = UNKNOWN if d is None else try_fold(d, env)
    return env


def _init(reader: _Reader, fn: ast.FunctionDef, env: dict[str, Any], objects: dict[str, Any]
          ) -> dict[str, Ref | _Seq]:
    """The modules ``__init__`` assigns to ``self``, in order; ``self.n = 64`` is a constant."""
    env, objects = _defaults(fn, env), dict(objects)
    modules: dict[str, Ref | _Seq] = {}
    for stmt in fn.body:
        if isinstance(stmt, ast.For | ast.While | ast.If | ast.With):
            fail(stmt, "__init__ builds modules in a loop or an if; cnnquiz reads modules "
                       "written out one by one. Unroll it (or use a YAML spec).")
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_module" and len(call.args) == 2):
            key = str(fold(call.args[0], env, "add_module: name"))
            stmt = ast.Assign([ast.Attribute(ast.Name("self"), key)], call.args[1],
                              lineno=stmt.lineno)
        if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for t in targets:
            key = ast.unparse(t)
            name = t.attr if isinstance(t, ast.Attribute) else key
            value = reader.module(stmt.value, env, objects, name)
            if value is None:
                env[key] = try_fold(stmt.value, env)
                continue
            objects[key] = value
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                modules[t.attr] = value
    return modules


def _model(reader: _Reader, cls: ast.ClassDef, env: dict[str, Any], objects: dict[str, Any]
           ) -> tuple[list[Ref], bool]:
    """The refs of an nn.Module class, and whether __init__ order (no forward) was used."""
    fns = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    if "__init__" not in fns:
        fail(cls, f"class {cls.name} has no __init__ defining its layers.")
    modules = _init(reader, fns["__init__"], env, objects)
    order = [r for m in modules.values() for r in (m.refs() if isinstance(m, _Seq) else [m])]
    if "forward" not in fns:
        return order, True
    refs = list(Forward(reader.aliases, cls, modules, _defaults(fns["__init__"], env)
                         ).run(fns["forward"]))
    used = {id(r) for r in refs}
    for r in order:
        if id(r) not in used and r.kind.startswith(PARAM_KINDS):
            r.fail(f"self.{r.name} is defined in __init__ but never called in forward; PyTorch "
                   "would still count its parameters. Call it in forward or remove it.")
    return refs, False


def import_torch(source: str, *, input_shape: tuple[int, ...] | None = None,
                 filename: str = "<source>", model: str | None = None,
                 notes: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """The spec dict of the PyTorch model in ``source`` (``model``: its name when there are
    several; a class or ``nn.Sequential`` used inside another model is part of it), never run.
    ``notes`` receives (line, what) about how the code was read."""
    tree = parse(source, filename)
    reader = _Reader(tree)
    env = constants(list(scope_statements(tree.body)), {})
    objects: dict[str, Any] = {}
    found: list[tuple[int, str, Any, ast.AST, str]] = []  # line, name, model, node, kind
    scopes = [(tree.body, env, None)] + [(f.body, _defaults(f, env), f.name) for f in tree.body
                                         if isinstance(f, ast.FunctionDef)]
    for body, scope_env, fn in scopes:
        scope_env = dict(scope_env)
        built = []
        for stmt in scope_statements(body):
            if isinstance(stmt, ast.Return) and stmt.value is not None and fn is not None:
                value = reader.module(stmt.value, scope_env, objects, "model", top=True)
                if isinstance(value, _Seq):
                    built.append((stmt.lineno, "model", value, stmt.value))
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                    stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                value = reader.module(stmt.value, scope_env, objects, name, top=True)
                if isinstance(value, _Seq):
                    built.append((stmt.lineno, name, value, stmt.value))
                if value is not None:
                    objects[name] = value
                else:
                    constants([stmt], scope_env)
        for line, name, value, node in built:
            title = name if fn is None else fn if len(built) == 1 else f"{fn}.{name}"
            found.append((line, title, value, node, "PyTorch nn.Sequential" + (
                f" built in {fn}()" if fn else "")))
    for cls in reader.classes.values():
        if any(reader.cls(b) == "Module" for b in cls.bases):
            found.append((cls.lineno, cls.name, cls, cls, "PyTorch nn.Module class"))
    found = [f for f in found if not any(  # a part of another model is not a model
        g is not f and _uses(g[3], f[1]) for g in found)]
    if not found:
        raise ConfigError("no model found in this file: expected a keras Sequential/functional "
                          "model or a torch nn.Module/nn.Sequential.", where=filename)
    found.sort(key=lambda f: f[0])
    line, title, chosen, _, _ = found[choose_model(
        [Candidate(f[1], f[0], f[4]) for f in found], model, filename)]
    if isinstance(chosen, _Seq):
        refs, auto = chosen.refs(), False
    else:
        refs, auto = _model(reader, chosen, env, objects)
    refs = [r for r in refs if r.kind != "skip"]
    if input_shape is None:
        first = next((r.expect for r in refs if r.expect), {})
        hint = (f"; the first layer expects {first['in_features']} features: --input-shape "
                f"{first['in_features']}" if "in_features" in first else
                f"; the first layer expects C = {first['in_channels']}: e.g. --input-shape "
                f"32x32x{first['in_channels']}" if "in_channels" in first else "")
        raise ConfigError(f"PyTorch code gives no input size: pass --input-shape HxWxC "
                          f"(channels last){hint}.", where=f"line {line}")
    return build_spec(refs, tuple(input_shape), count="trainable", auto_flatten=auto,
                      title=title)


def _uses(node: ast.AST, name: str) -> bool:
    """Whether the code of ``node`` refers to ``name`` (``Block(...)``, ``self.f = features``)."""
    if isinstance(node, ast.ClassDef) and node.name == name:
        return False
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
