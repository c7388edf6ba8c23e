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
from typing import Any

from ..errors import ConfigError
from ..layers import fmt_shape
from .chain import Ref, build_spec
from .common import (
    UNKNOWN,
    Candidate,
    NoInputSize,
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
from .consts import (
    DEFINED,
    LAYER_BUDGET,
    MAX_LAYER_CALLS,
    NOTES,
    defined_names,
    with_parameters,
)
from .graph import Use, build_graph
from .torch_forward import Forward
from .torch_init import Builder
from .torch_layers import MODULES, torch_layer
from .torch_objects import Custom, ModList, Objects, Seq, ordered_items, refs_of
from .torch_sample import MOVES, sample_input

__all__ = ["import_torch", "looks_like_torch"]

PARAM_KINDS = ("conv", "dense", "batch_normalization", "depthwise", "separable", "parameter")


_Seq = Seq  # nn.Sequential, at module level or inside a class


def looks_like_torch(tree: ast.Module) -> bool:
    """True when the file imports torch."""
    return any(q.split(".")[0] == "torch" for q in import_aliases(tree).values())


class _Reader:
    """Turns module expressions into refs; knows the file's imports and local classes."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.aliases = import_aliases(tree)
        self.classes = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}

    def cls(self, node: ast.AST) -> str | None:
        q = dotted(node, self.aliases)
        return q.rsplit(".", 1)[-1] if q else None

    def module(self, node: ast.expr, env: dict[str, Any], objects: Objects,
               name: str | None, *, top: bool = False) -> Ref | _Seq | None:
        """A module expression: a layer call, nn.Sequential(...), or a name bound to a module.

        At module level (``top``) an instance of a class of the file (``net = Net()``) is no
        layer; inside a model it is a custom submodule, which cnnquiz does not inline.
        """
        if isinstance(node, ast.Name | ast.Attribute) and ast.unparse(node) in objects:
            return objects[ast.unparse(node)]  # the same object again: shared weights
        if not isinstance(node, ast.Call):
            return None
        if isinstance(node.func, ast.Attribute) and node.func.attr in MOVES and isinstance(
                node.func.value, ast.Call):  # nn.Sequential(...).to(device): the same module
            return self.module(node.func.value, env, objects, name, top=top)
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

    def sequential(self, call: ast.Call, env: dict[str, Any], objects: Objects,
                   name: str | None) -> _Seq:
        items: list[tuple[str, ast.expr]] = [(str(i), a) for i, a in enumerate(call.args)]
        if len(call.args) == 1 and isinstance(call.args[0], ast.Call) and self.cls(
                call.args[0].func) == "OrderedDict":
            items = [(str(fold(key, env, "name")), module)
                     for key, module in ordered_items(call, call.args[0])]
        seq = _Seq(call.lineno, name or "model", [])
        for key, arg in items:
            if isinstance(arg, ast.Starred):
                fail(call, f"{snippet(call)}: *{snippet(arg.value)} hides the layers; write "
                           "them out.")
            child = self.module(arg, env, objects, f"{name}.{key}" if name else (
                key if not key.isdigit() else None))
            if child is None:
                fail(arg, f"{snippet(arg)} is not a torch.nn module cnnquiz can read; nn.Sequential "
                           "takes modules such as nn.Conv2d(3, 16, 3) or an nn.Module class of the paste.")
            seq.children.append(child)
        return seq


def _defaults(fn: ast.FunctionDef, env: dict[str, Any]) -> dict[str, Any]:
    env = dict(env)
    args = fn.args.args + fn.args.kwonlyargs
    defaults = [None] * (len(fn.args.args) - len(fn.args.defaults)) + list(fn.args.defaults)
    for p, d in zip(args, defaults + list(fn.args.kw_defaults), strict=True):
        env[p.arg] = UNKNOWN if d is None else try_fold(d, env)
    return env


def _model(reader: _Reader, cls: ast.ClassDef, env: dict[str, Any], objects: Objects,
           call: ast.Call | None = None, call_env: dict[str, Any] | None = None
           ) -> tuple[list[Ref], bool, Use | None]:
    """An nn.Module class: (its refs in __init__ order, True, None) without a forward, else
    ([], False, the output use of forward applied to the input use)."""
    builder = Builder(reader, env, objects)
    caller = builder.frame(call_env or env) if call is not None else None
    top = builder.instantiate(cls, call, caller, cls.name)
    for key, value in top.attrs.items():
        if isinstance(value, list) and any(isinstance(v, Ref | Seq | Custom) for v in value):
            fail(cls, f"self.{key} is a plain Python list of modules: PyTorch does not register "
                      "them, so model.parameters() leaves them out. Use nn.ModuleList(...) "
                      "(or nn.Sequential(*layers)).")
    _name_tree(top, "")
    if "forward" not in top.methods:
        order: list[Ref] = []
        for m in top.attrs.values():
            if isinstance(m, Ref):
                order.append(m)
            elif isinstance(m, Seq):
                order += m.refs()
            elif isinstance(m, ModList | Custom):
                fail(cls, f"class {cls.name} has no forward, and its {m.name} is a "
                          f"{'module list' if isinstance(m, ModList) else 'custom module'}: "
                          "cnnquiz needs forward to see how it is used.")
        return order, True, None
    inp = Use(None, [], name="input", line=cls.lineno)
    out = Forward(reader.aliases, env).run(top, [inp])
    used = set()
    stack = [out]
    while stack:
        u = stack.pop()
        if id(u) in used:
            continue
        used.add(id(u))
        if u.ref is not None:
            used.add(id(u.ref))
        stack += u.srcs
    for r in refs_of(top):
        if id(r) not in used and r.kind.startswith(PARAM_KINDS):
            r.fail(f"self.{r.name} is defined in __init__ but never called in forward; PyTorch "
                   "would still count its parameters. Call it in forward or remove it.")
    return [], False, out


def _name_tree(module: Any, prefix: str) -> None:
    """Layer names as PyTorch's named_modules gives them (layer1.0.conv1), first use wins."""
    items: list[tuple[str, Any]]
    if isinstance(module, Custom):
        items = list(module.attrs.items())
    elif isinstance(module, Seq | ModList):
        items = [(c.name if isinstance(c, Ref) and c.name and not prefix else str(i), c)
                 for i, c in enumerate(module.children)]
    else:
        return
    for key, child in items:
        if isinstance(child, Ref):
            if child.name is None or child.name == key or not prefix:
                child.name = f"{prefix}{key}" if child.name is None or child.name == key else (
                    child.name)
        elif isinstance(child, Seq | ModList | Custom):
            _name_tree(child, f"{prefix}{key}.")


def import_torch(source: str, *, input_shape: tuple[int, ...] | None = None,
                 filename: str = "<source>", model: str | None = None,
                 notes: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """The spec dict of the PyTorch model in ``source`` (``model``: its name when there are
    several; a class or ``nn.Sequential`` used inside another model is part of it), never run.
    ``notes`` receives (line, what) about how the code was read."""
    tree = parse(source, filename)
    reader = _Reader(tree)
    layer_notes: list[tuple[int, str]] = notes if notes is not None else []
    env = constants(list(scope_statements(tree.body)),
                    {NOTES: layer_notes, DEFINED: defined_names(tree),
                     LAYER_BUDGET: [MAX_LAYER_CALLS]})
    objects: Objects = {}
    found: list[tuple[int, str, Any, ast.AST, str]] = []  # line, name, model, node, kind
    scopes = [(tree.body, env, None)] + [  # a helper with required parameters is no model
        (f.body, _defaults(f, env), f.name) for f in tree.body
        if isinstance(f, ast.FunctionDef) and len(f.args.defaults) == len(f.args.args)
        and None not in f.args.kw_defaults]
    for f, call in _called_builders(tree, reader):  # ... unless called once: model = make(10)
        scopes.append((f.body, with_parameters(f, env, call), f.name))
        layer_notes.append((call.lineno, f"{f.name}() read with the arguments of its call "
                                         f"{snippet(call, 60)}"))
    for body, scope_env, fn in scopes:
        scope_env = dict(scope_env)
        built = []
        for stmt in scope_statements(body):
            inst = _instance(stmt, reader)
            if inst is not None:  # model = ResNet(Bottleneck, [3, 4, 6, 3])
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
                title = fn or (target.id if isinstance(target, ast.Name) else "model")
                found.append((stmt.lineno, title, (*inst, dict(scope_env)), stmt,
                              f"PyTorch {inst[0].name} instance"
                              + (f" built in {fn}()" if fn else "")))
                continue
            if fn is not None and not _sequential(stmt, reader):
                constants([stmt], scope_env)  # a helper such as conv3x3(): followed where called
                continue
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
    out: Use | None = None
    if isinstance(chosen, _Seq):
        refs, auto = chosen.refs(), False
    else:
        refs, auto, out = (_model(reader, chosen[0], env, objects, chosen[1], chosen[2])
                           if isinstance(chosen, tuple) else _model(reader, chosen, env, objects))
        if out is not None:  # the layers forward uses: the first one says the input channels
            refs = _graph_refs(out)
    refs = [r for r in refs if r.kind != "skip"]
    if input_shape is None:
        sized = next((r for r in refs if r.expect), None)
        kind = sized.kind if sized is not None else "conv2d"
        rank = int(kind[4]) if kind[:4] == "conv" and kind[4:5].isdigit() else 0 if (
            kind == "dense") else 2
        sample = sample_input(tree, reader.aliases, env, title, rank,
                              is_class=isinstance(chosen, ast.ClassDef))
        if sample is not None:  # it also sizes lazy modules, as PyTorch does on that call
            input_shape = sample[0]
            layer_notes.append((sample[1], f"input size {fmt_shape(sample[0])} taken from "
                                           f"{sample[2]} on line {sample[1]} (channels first "
                                           "in PyTorch, read as H×W×C)" if rank else
                                           f"input size {sample[0][0]} taken from {sample[2]} "
                                           f"on line {sample[1]}"))
    if input_shape is None:
        first = sized.expect if sized is not None else {}
        hint = (f"; the first layer expects {first['in_features']} features: --input-shape "
                f"{first['in_features']}" if "in_features" in first else
                f"; the first layer expects C = {first['in_channels']}: e.g. --input-shape "
                f"32x32x{first['in_channels']}" if "in_channels" in first else "")
        raise NoInputSize(f"PyTorch code gives no input size: pass --input-shape HxWxC "
                          f"(channels last){hint}.", where=f"line {line}",
                          expect=first, kind=sized.kind if sized is not None else "",
                          lazy=any("Lazy" in r.call for r in refs))
    if out is not None:
        inp = _graph_input(out)
        inp.shape = tuple(input_shape)
        return build_graph([inp], [out], count="trainable", title=title)
    return build_spec(refs, tuple(input_shape), count="trainable", auto_flatten=auto,
                      title=title)


def _instance(stmt: ast.stmt, reader: _Reader) -> tuple[ast.ClassDef, ast.Call] | None:
    """``x = Cls(args)`` / ``return Cls(args)`` of an nn.Module class of the file, with
    arguments (without, the class itself is the model)."""
    value = stmt.value if isinstance(stmt, ast.Return | ast.Assign) else None
    if not isinstance(value, ast.Call) or not (value.args or value.keywords):
        return None
    cls = reader.classes.get(reader.cls(value.func) or "")
    if cls is None or not any(reader.cls(b) == "Module" for b in cls.bases):
        return None
    return cls, value


def _called_builders(tree: ast.Module, reader: _Reader
                     ) -> list[tuple[ast.FunctionDef, ast.Call]]:
    """Top-level functions with required parameters that return an nn.Sequential and are
    called exactly once outside any function or class (``model = make_model(10)``), with
    that call; a function that a class or another function uses is a part, not a model."""
    out = []
    for f in tree.body:
        if not isinstance(f, ast.FunctionDef) or (
                len(f.args.defaults) == len(f.args.args) and None not in f.args.kw_defaults):
            continue
        if not any(_sequential(s, reader) for s in f.body) or any(
                _uses(other, f.name) for other in tree.body
                if isinstance(other, ast.FunctionDef | ast.ClassDef) and other is not f):
            continue
        calls = [n for stmt in scope_statements(tree.body)
                 if not isinstance(stmt, ast.FunctionDef | ast.ClassDef)
                 for n in ast.walk(stmt) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id == f.name]
        if len(calls) == 1:
            out.append((f, calls[0]))
    return out


def _sequential(stmt: ast.stmt, reader: _Reader) -> bool:
    """A ``return``/assignment of an ``nn.Sequential(...)`` (a model a function builds)."""
    value = stmt.value if isinstance(stmt, ast.Return | ast.Assign) else None
    return isinstance(value, ast.Call) and reader.cls(value.func) == "Sequential"


def _graph_refs(out: Use) -> list[Ref]:
    """The layers a forward graph uses, sources first."""
    order: list[Ref] = []
    seen: set[int] = set()
    stack: list[tuple[Use, bool]] = [(out, False)]
    while stack:
        u, done = stack.pop()
        if done:
            if u.ref is not None:
                order.append(u.ref)
            continue
        if id(u) in seen:
            continue
        seen.add(id(u))
        stack.append((u, True))
        stack += [(s, False) for s in reversed(u.srcs)]
    return order


def _graph_input(out: Use) -> Use:
    stack, seen = [out], set()
    while stack:
        u = stack.pop()
        if u.ref is None:
            return u
        if id(u) not in seen:
            seen.add(id(u))
            stack += u.srcs
    raise ConfigError("forward's output does not depend on its input.")


def _uses(node: ast.AST, name: str) -> bool:
    """Whether the code of ``node`` refers to ``name`` (``Block(...)``, ``self.f = features``)."""
    if isinstance(node, ast.ClassDef) and node.name == name:
        return False
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
