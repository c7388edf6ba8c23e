"""Keras models in pasted source -> spec dict: ``Sequential`` (list or ``model.add``) and
functional chains (``x = Conv2D(...)(x)``; a layer object called twice shares its weights).

The file is read with :mod:`ast` only. Models are looked for at module level and inside
top-level functions (``def build_model(num_classes=10): ...``, called or not); a file with
several models names them and asks for one (``model=``), never picking one silently.

>>> src = '''
... from keras import layers, models
... model = models.Sequential([
...     layers.Conv2D(8, 3, input_shape=(28, 28, 1)),
...     layers.Flatten(),
...     layers.Dense(10),
... ])
... '''
>>> [layer["type"] for layer in import_keras(src)["layers"]]
['conv2d', 'flatten', 'dense']
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..layers import MERGE_OPS
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
)
from .consts import (
    DEFINED,
    LAYER_BUDGET,
    MAX_LAYER_CALLS,
    bind_value,
    defined_names,
    try_fold,
    with_parameters,
)
from .graph import Use, build_graph
from .keras_layers import (
    CHANNELS_FIRST,
    CLASSES,
    MERGES,
    NOTES,
    Unread,
    channel_branch_notes,
    channel_order,
    keras_layer,
    to_channels_last,
)

__all__ = ["import_keras", "looks_like_keras"]


@dataclass(eq=False)
class _Tensor:
    """A symbolic tensor: the output of ``ref`` applied to ``src`` (and, for a merge, to
    ``more``), or an Input."""

    line: int
    ref: Ref | None = None
    src: _Tensor | None = None
    shape: tuple[Any, ...] | None = None
    more: list[_Tensor] = field(default_factory=list)


@dataclass(eq=False)
class _Model:
    line: int
    name: str
    refs: list[Ref] = field(default_factory=list)
    shape: tuple[Any, ...] | None = None
    output: _Tensor | None = None  # functional models
    graph: tuple[list[_Tensor], list[_Tensor]] | None = None  # (inputs, outputs) of a graph


def _cls(node: ast.AST, aliases: dict[str, str]) -> str | None:
    q = dotted(node, aliases)
    return q.rsplit(".", 1)[-1] if q else None


def looks_like_keras(tree: ast.Module) -> bool:
    """True when the file imports keras/tensorflow or calls a Keras model constructor."""
    aliases = import_aliases(tree)
    if any(q.split(".")[0] in ("keras", "tensorflow", "tf") for q in aliases.values()):
        return True
    return any(isinstance(n, ast.Call) and _cls(n.func, aliases) in ("Sequential", "Model")
               and not (dotted(n.func, aliases) or "").startswith("torch")
               for n in ast.walk(tree))


class _Scope:
    """Walks one scope's statements in order, tracking layers, tensors and models."""

    def __init__(self, aliases: dict[str, str], env: dict[str, Any],
                 functions: dict[str, ast.FunctionDef] | None = None, depth: int = 0,
                 budget: list[int] | None = None) -> None:
        self.aliases, self.env = aliases, env
        self.vars: dict[str, Any] = {}
        self.models: list[_Model] = []
        self.functions = functions or {}
        self.depth = depth
        self.budget = budget if budget is not None else [MAX_UNROLLED]
        self.returned: Any = None
        self.declared: dict[int, Any] = {}  # id(ref) -> the input shape its call states

    def run(self, body: list[ast.stmt]) -> list[_Model]:
        for stmt in scope_statements(body, bool(self.env.get(CHANNELS_FIRST))):
            if self.returned is not None:
                break
            if isinstance(stmt, ast.For) and self.unroll(stmt):
                continue
            if isinstance(stmt, ast.If) and (test := try_fold(stmt.test, self.env)) is not UNKNOWN:
                self.run(stmt.body if test else stmt.orelse)  # a constant condition
                continue
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = self.expr(stmt.value) if stmt.value is not None else None
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.bind(t.id, value, stmt)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                if not self.grow(stmt.value):
                    self.method(stmt.value)
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and \
                    isinstance(self.vars.get(stmt.target.id), list):
                self.grow(ast.Call(ast.Attribute(stmt.target, "extend"), [stmt.value], [],
                                   lineno=stmt.lineno))
            elif isinstance(stmt, ast.Return) and stmt.value is not None:
                value = self.expr(stmt.value)
                if isinstance(value, _Model) and value not in self.models:
                    self.models.append(value)
                self.returned = value if value is not None else _NOTHING
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and \
                    isinstance(self.vars.get(stmt.target.id), _Tensor):
                self.bind(stmt.target.id, self.expr(ast.BinOp(stmt.target, stmt.op, stmt.value,
                                                              lineno=stmt.lineno)), stmt)
            elif isinstance(stmt, ast.For | ast.While | ast.If | ast.AsyncFor):
                self.no_layers_in(stmt)
        return self.models

    def unroll(self, stmt: ast.For) -> bool:
        """``for i in range(n)`` (or over a constant tuple) with constant bounds: run the body
        once per value, at most MAX_UNROLLED iterations in all; False for any other loop."""
        values = _loop_values(stmt, self.env)
        if values is None or stmt.orelse:
            return False
        for v in values:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                fail(stmt, f"this loop would unroll more than {MAX_UNROLLED:,} iterations in all; "
                           "cnnquiz stops here. Use smaller constants.")
            bind_value(stmt.target, v, self.env)
            for n in ast.walk(stmt.target):
                if isinstance(n, ast.Name):
                    self.vars.pop(n.id, None)
            self.run(stmt.body)
        return True

    def inline(self, fn: ast.FunctionDef, call: ast.Call) -> Any:
        """A helper function of the file called with tensors and constants: run its body."""
        if self.depth >= MAX_CALL_DEPTH:
            fail(call, f"{snippet(call)}: helper functions call each other more than "
                       f"{MAX_CALL_DEPTH} deep; cnnquiz stops here.")
        env = with_parameters(fn, self.env, call)
        sub = _Scope(self.aliases, env, self.functions, self.depth + 1, self.budget)
        positional = fn.args.posonlyargs + fn.args.args
        for p, a in zip(positional, call.args, strict=False):
            value = self.expr(a)
            if value is not None:
                sub.vars[p.arg] = value
        for kw in call.keywords:
            value = self.expr(kw.value)
            if value is not None and kw.arg is not None:
                sub.vars[kw.arg] = value
        sub.run(fn.body)
        self.models += [m for m in sub.models if m not in self.models]
        return None if sub.returned is _NOTHING else sub.returned

    def bind(self, name: str, value: Any, stmt: ast.stmt) -> None:
        if value is None:
            self.vars.pop(name, None)
            constants([stmt], self.env)
            return
        self.env[name] = UNKNOWN
        self.vars[name] = value
        if isinstance(value, _Model) and value not in self.models:
            value.name = name
            self.models.append(value)

    def no_layers_in(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and (
                    isinstance(node.func, ast.Call)
                    or (isinstance(node.func, ast.Name) and (
                        node.func.id in self.functions
                        or isinstance(self.vars.get(node.func.id), Ref | _Model)))
                    or (isinstance(node.func, ast.Attribute) and node.func.attr in (
                        "add", "append", "extend") and isinstance(self.vars.get(getattr(
                            node.func.value, "id", "")), _Model | list))):
                fail(node, f"{snippet(node)} is inside a loop or an if whose bounds or condition "
                           "are not constants; cnnquiz follows `for i in range(N)` and `if` on "
                           "constants only. Unroll it (or use a YAML spec).")

    def method(self, call: ast.Call) -> None:
        """``model.add(layer)`` and ``model.build(shape)``; other calls are ignored."""
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
            return
        model = self.vars.get(f.value.id)
        if not isinstance(model, _Model) or model.output is not None:
            return
        if f.attr == "add" and call.args:
            self.append(model, call.args[0])
        elif f.attr == "build" and (call.args or call.keywords):
            node = call.args[0] if call.args else call.keywords[0].value
            shape = fold(node, self.env, "build: input_shape")
            model.shape = tuple(shape)[1:] if isinstance(shape, tuple) else None

    def append(self, model: _Model, node: ast.expr) -> None:
        if isinstance(node, ast.Name) and isinstance(self.vars.get(node.id), Ref):
            self.add_ref(model, self.vars[node.id])
            return
        if isinstance(node, ast.Name) and isinstance(self.vars.get(node.id), _Model):
            fail(node, f"{node.id} is a model used as a layer; cnnquiz reads one flat model. "
                       "Write its layers out in place.")
        if not isinstance(node, ast.Call) or (cls := _cls(node.func, self.aliases)) is None:
            fail(node, f"{snippet(node)} is not a layer call cnnquiz can read; add a layer "
                       "written out, e.g. model.add(Dense(10)).")
        ref, shape = keras_layer(node, cls, self.env)
        if shape is not None and not model.refs and model.shape is None:
            model.shape = shape
        if ref is not None:
            model.refs.append(ref)

    def add_ref(self, model: _Model, ref: Ref) -> None:
        """A layer already read (a variable, an item of a list of layers) added to a model."""
        shape = self.declared.get(id(ref))
        if shape is not None and not model.refs and model.shape is None:
            model.shape = shape
        if ref.kind != "skip":
            model.refs.append(ref)

    def layer(self, node: ast.Call, cls: str) -> Ref:
        """A layer call read where it stands; the input shape it states is kept for it."""
        ref, shape = keras_layer(node, cls, self.env)
        if shape is None:
            return ref or _SKIP
        ref = ref or Ref(node.lineno, snippet(node), "skip", {})
        self.declared[id(ref)] = shape
        return ref

    def as_layers(self, items: list[Any]) -> list[Any]:
        """A list of layers with an ``Input(shape)`` among them read as the input shape."""
        out = []
        for item in items:
            if isinstance(item, _Tensor) and item.ref is None and item.src is None:
                item_ref = Ref(item.line, "", "skip", {})
                self.declared[id(item_ref)] = item.shape
                out.append(item_ref)
            else:
                out.append(item)
        return out

    def comprehension(self, node: ast.ListComp) -> list[Any] | None:
        """``[Dense(n) for n in (64, 32)]`` over constants: the items, else None."""
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            return None
        gen = node.generators[0]
        values = _loop_values(ast.For(gen.target, gen.iter, [], []), self.env)
        if values is None:
            return None
        names = [n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)]
        saved = {n: self.env[n] for n in names if n in self.env}
        items = []
        for v in values:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                fail(node, f"this list comprehension would unroll more than {MAX_UNROLLED:,} "
                           "iterations in all; cnnquiz stops here. Use smaller constants.")
            bind_value(gen.target, v, self.env)
            items.append(self.expr(node.elt))
        for n in names:  # a comprehension's variable does not leak out of it
            self.env.pop(n, None)
        self.env.update(saved)
        return items if items and all(i is not None for i in items) else None

    def grow(self, call: ast.Call) -> bool:
        """``layers.append(Dense(4))`` / ``layers.extend([...])`` on a list of layers."""
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                and isinstance(self.vars.get(f.value.id), list)
                and f.attr in ("append", "extend") and len(call.args) == 1):
            return False
        value = self.expr(call.args[0])
        items = [value] if f.attr == "append" else value
        old = self.vars[f.value.id]
        merged = self.as_layers(old + items) if isinstance(items, list) else None
        if isinstance(items, list) and _tensors(old + items):
            old.extend(items)
        elif _refs(merged):  # [Input(shape)] grown with layers: a list of layers
            old[:] = merged
        else:  # a list of something else: no longer a list cnnquiz follows
            self.vars.pop(f.value.id)
        return True

    def tensors(self, node: ast.expr) -> list[_Tensor]:
        value = self.expr(node)
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, _Tensor) for v in items):
            fail(node, f"{snippet(node)} is not a list of tensors of the model that cnnquiz can "
                       "follow.")
        return items

    def merge(self, node: ast.AST, ref: Ref, srcs: list[_Tensor]) -> _Tensor:
        return _Tensor(getattr(node, "lineno", 0), ref, srcs[0], more=srcs[1:])

    def tensor(self, node: ast.expr) -> _Tensor:
        value = self.expr(node)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, _Tensor):
            fail(node, f"{snippet(node)} is not a tensor of the model (an Input or a layer's "
                       "output) that cnnquiz can follow.")
        return value

    def expr(self, node: ast.expr) -> Any:
        """A model, a layer ref, a tensor, a list of those, or None for anything else."""
        if isinstance(node, ast.Name):
            return self.vars.get(node.id)
        if isinstance(node, ast.List | ast.Tuple):
            items = [self.expr(e) for e in node.elts]
            if not node.elts and isinstance(node, ast.List):
                return []  # layers = []: grown by .append below
            return items if items and all(i is not None for i in items) else None
        if isinstance(node, ast.ListComp):
            return self.comprehension(node)
        if isinstance(node, ast.BinOp):
            sides = [self.expr(side) for side in (node.left, node.right)]
            if isinstance(node.op, ast.Add) and all(isinstance(v, list) for v in sides) and any(
                    _refs(v) for v in sides):
                return self.as_layers(sides[0] + sides[1])  # layers + [Dense(10)]
            if not any(isinstance(v, _Tensor) for v in sides):
                return None
            op = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply"}.get(type(node.op))
            if op is None or not all(isinstance(v, _Tensor) for v in sides):
                fail(node, f"`{snippet(node)}` does arithmetic on a tensor that is not a merge of "
                           "two tensors (x + y, x - y, x * y); cnnquiz cannot size it.")
            return self.merge(node, Ref(node.lineno, snippet(node), op, {}), sides)
        if not isinstance(node, ast.Call):
            return None
        f = node.func
        if isinstance(f, ast.Name) and f.id in self.functions and f.id not in self.vars:
            return self.inline(self.functions[f.id], node)
        if isinstance(f, ast.Call) or (isinstance(f, ast.Name) and isinstance(self.vars.get(f.id), Ref
                                                                             | _Model)):
            return self.apply(node)
        cls = _cls(f, self.aliases)
        if cls == "Sequential":
            return self.sequential(node)
        if cls in ("Model", "Functional"):
            return self.functional(node)
        if cls == "Input":
            _, shape = keras_layer(node, cls, self.env)
            return _Tensor(node.lineno, shape=shape)
        if cls in MERGES and cls[0].islower():  # layers.add([a, b]): a merge applied at once
            if not node.args:
                fail(node, f"{snippet(node)}: give the tensors to merge as a list.")
            ref = keras_layer(ast.Call(node.func, [], node.keywords, lineno=node.lineno), cls,
                              self.env)[0]
            assert ref is not None
            return self.merge(node, ref, self.tensors(node.args[0]))
        if cls in CLASSES or cls in MERGES or (cls and cls[0].isupper() and _layer_module(
                dotted(f, self.aliases))):
            return self.layer(node, cls)
        return None

    def apply(self, node: ast.Call) -> _Tensor:
        """``Layer(...)(x)`` or ``layer(x)``: a new tensor; a list argument is a merge."""
        f = node.func
        if isinstance(f, ast.Name):
            layer = self.vars[f.id]
        else:
            cls = _cls(f.func, self.aliases) if isinstance(f, ast.Call) else None
            if cls is None:
                fail(node, f"{snippet(node.func)} is not a layer cnnquiz can read; apply a "
                           "Keras layer, e.g. x = Dense(10)(x).")
            layer = self.expr(f) if cls in ("Sequential", "Model") else (
                keras_layer(f, cls, self.env)[0] or _SKIP)  # type: ignore[arg-type]
        if isinstance(layer, _Model):
            fail(node, f"{snippet(node)} calls a whole model as a layer; cnnquiz reads one flat "
                       "model. Write its layers out in place.")
        if isinstance(layer, Ref) and layer.kind in MERGE_OPS:
            if len(node.args) != 1:
                fail(node, f"{snippet(node)}: give the tensors to merge as one list.")
            return self.merge(node, layer, self.tensors(node.args[0]))
        if len(node.args) != 1 or isinstance(node.args[0], ast.List | ast.Tuple):
            fail(node, f"{snippet(node)} takes several tensors, but {snippet(node.func)} is not a "
                       "merge layer.")
        src = self.tensor(node.args[0])
        if layer is _SKIP:
            return src
        if not isinstance(layer, Ref):
            fail(node, f"{snippet(node.func)} is not a layer cnnquiz can read; apply a Keras "
                       "layer, e.g. x = Dense(10)(x).")
        return _Tensor(node.lineno, layer, src)

    def sequential(self, call: ast.Call) -> _Model:
        model = _Model(call.lineno, "model")
        items = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "layers"), None)
        if isinstance(items, ast.List | ast.Tuple):
            for item in items.elts:
                self.append(model, item)
        elif items is not None:
            value = self.expr(items)
            value = self.as_layers(value) if isinstance(value, list) else value
            if not _refs(value) or not value:
                fail(call, f"{snippet(call)}: {snippet(items, 40)} is not a list of layers "
                           "cnnquiz can follow (it follows a list written [...], grown with "
                           ".append in a for loop over range(N) or a constant tuple, or a list "
                           "comprehension over constants). Write the layers in the list.")
            for ref in value:
                self.add_ref(model, ref)
        return model

    def functional(self, call: ast.Call) -> _Model:
        args = {k.arg: k.value for k in call.keywords}
        ins = args.get("inputs", args.get("input", call.args[0] if call.args else None))
        outs = args.get("outputs", args.get("output", call.args[1] if len(call.args) > 1 else None))
        if ins is None or outs is None:
            fail(call, f"{snippet(call)}: give inputs= and outputs=.")
        outputs, inputs = self.tensors(outs), self.tensors(ins)
        model = _Model(call.lineno, "model", output=outputs[0])
        if len(inputs) == 1 and len(outputs) == 1 and (chain := _chain(outputs[0], inputs[0])):
            model.refs = chain
        else:
            model.graph = (inputs, outputs)
            _reaches(call, inputs, outputs)
        model.shape = inputs[0].shape
        return model


def _refs(value: Any) -> bool:
    """A list of layers (possibly empty)."""
    return isinstance(value, list) and all(isinstance(i, Ref) for i in value)


def _tensors(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, _Tensor) for i in value)


def _chain(out: _Tensor, start: _Tensor) -> list[Ref] | None:
    """The refs from ``start`` to ``out`` when they form a plain chain, else None."""
    refs: list[Ref] = []
    t: _Tensor | None = out
    while t is not None and t is not start:
        if t.more:
            return None
        if t.ref is not None:
            refs.insert(0, t.ref)
        t = t.src
    return refs if t is start else None


def _reaches(call: ast.Call, inputs: list[_Tensor], outputs: list[_Tensor]) -> None:
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


def _uses(inputs: list[_Tensor], outputs: list[_Tensor], shape: tuple[int, ...] | None,
          *, channels_first: bool = False) -> tuple[list[Use], list[Use]]:
    """The tensors as :class:`~.graph.Use` (skipped layers dropped), inputs named; with
    channels-first code a concatenation axis is moved to channels last (1 -> -1)."""
    made: dict[int, Use] = {}
    ins: list[Use] = []
    for k, t in enumerate(inputs):
        u = Use(None, [], shape=tuple(shape) if k == 0 and shape else t.shape,
                name="input" if k == 0 else f"input_{k}", line=t.line)
        made[id(t)] = u
        ins.append(u)

    def use(t: _Tensor) -> Use:
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
                made[id(top)] = Use(None, [], shape=top.shape, name=f"input_l{top.line}",
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


def _builds_model(fn: ast.FunctionDef, aliases: dict[str, str]) -> bool:
    """A function that constructs a model (else it is a helper, followed where it is called)."""
    return any(isinstance(n, ast.Call) and _cls(n.func, aliases) in ("Sequential", "Model",
                                                                     "Functional")
               for n in ast.walk(fn))


def _loop_values(stmt: ast.For, env: dict[str, Any]) -> tuple[Any, ...] | None:
    """The values of a ``for name in range(...)`` / constant tuple loop, or None."""
    if not isinstance(stmt.target, ast.Name | ast.Tuple):
        return None
    it = stmt.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in (
            "enumerate", "zip") and not it.keywords:
        parts = [try_fold(a, env) for a in it.args]
        if not parts or not all(isinstance(p, tuple) for p in parts):
            return None
        return tuple(enumerate(parts[0])) if it.func.id == "enumerate" and len(parts) == 1 else (
            tuple(zip(*parts, strict=False)) if it.func.id == "zip" else None)
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and (
            not it.keywords and 1 <= len(it.args) <= 3):
        bounds = [try_fold(a, env) for a in it.args]
        if all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            r = range(*bounds)
            return tuple(r) if len(r) <= MAX_UNROLLED else tuple(range(MAX_UNROLLED + 1))
        return None
    value = try_fold(it, env)
    return value if isinstance(value, tuple) else None


_NOTHING = object()  # a helper's `return` of something that is not a tensor or model
MAX_UNROLLED = 1_000  # loop iterations in all
MAX_CALL_DEPTH = 20


_SKIP = Ref(0, "", "skip", {})


def _layer_module(qualified: str | None) -> bool:
    return bool(qualified) and "layers" in qualified.split(".")[:-1]  # type: ignore[union-attr]


def _module_calls(tree: ast.Module, name: str, env: dict[str, Any]) -> list[ast.Call]:
    """The module-level calls of a function (``build(...)``, ``LeNet.build(...)``)."""
    found = []
    for stmt in scope_statements(tree.body):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == name:
                found.append(node)
    return found


def import_keras(source: str, *, input_shape: tuple[int, ...] | None = None,
                 filename: str = "<source>", model: str | None = None,
                 notes: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """The spec dict of the Keras model in ``source`` (``model``: its name when there are
    several), read, never run; ``notes`` receives (line, what) about how it was read."""
    tree = parse(source, filename)
    aliases = import_aliases(tree)
    first = channel_order(tree, aliases)
    layer_notes: list[tuple[int, str]] = []
    module_env = constants(list(scope_statements(tree.body, bool(first))),
                           {CHANNELS_FIRST: bool(first), NOTES: layer_notes,
                            DEFINED: defined_names(tree), LAYER_BUDGET: [MAX_LAYER_CALLS]})
    helpers = {s.name: s for s in tree.body  # helpers, followed where they are called
               if isinstance(s, ast.FunctionDef) and not _builds_model(s, aliases)}
    models = _Scope(aliases, dict(module_env), helpers).run(tree.body)
    where = {id(m): "" for m in models}
    functions = [(s.name, s) for s in tree.body if isinstance(s, ast.FunctionDef)
                 and _builds_model(s, aliases)] + [
        (f"{c.name}.{f.name}", f) for c in tree.body if isinstance(c, ast.ClassDef)
        and not any(_cls(b, aliases) in ("Model", "Layer") for b in c.bases)
        for f in c.body if isinstance(f, ast.FunctionDef)]  # e.g. a static LeNet.build()
    for fn_name, fn in functions:
        calls = _module_calls(tree, fn_name, module_env)
        method = "." in fn_name and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
        env = with_parameters(fn, module_env, calls[0] if len(calls) == 1 else None,
                              skip_self=method)
        if len(calls) == 1 and notes is not None and (calls[0].args or calls[0].keywords):
            notes.append((calls[0].lineno, f"{fn_name}() read with the arguments of its call "
                                           f"{snippet(calls[0], 60)}"))
        built = _Scope(aliases, env, helpers).run(fn.body)
        for m in built:  # named after the function, so that --model can choose it
            m.name = fn_name if len(built) == 1 else f"{fn_name}.{m.name}"
            where[id(m)] = f" built in {fn_name}()"
        models += built
    subclassed = [c for c in tree.body if isinstance(c, ast.ClassDef)
                  and any(_cls(b, aliases) in ("Model", "Layer") for b in c.bases)]
    if not models and subclassed:
        fail(subclassed[0], f"class {subclassed[0].name} subclasses a Keras Model/Layer; its "
                            "call() is code cnnquiz does not follow. Write the model as a "
                            "Sequential or functional model (or a YAML spec).")
    if not models:
        raise ConfigError("no model found in this file: expected a keras Sequential/functional "
                          "model or a torch nn.Module/nn.Sequential.", where=filename)
    models.sort(key=lambda m: m.line)
    chosen = models[choose_model([Candidate(
        m.name, m.line, ("Keras functional Model" if m.output is not None else "Keras Sequential")
        + where[id(m)]) for m in models], model, filename)]
    shape = input_shape or chosen.shape
    if isinstance(shape, Unread):
        shape.fail()
    if notes is not None:
        notes.extend(channel_branch_notes(tree, bool(first)) + layer_notes)
    if first and input_shape is None and shape is not None:
        shape = to_channels_last(tuple(shape))
        if notes is not None:
            notes.append((first[0], f"{first[1]}: channels first, so the input shape "
                                    f"{tuple(chosen.shape)} is read as C, H, W: "  # type: ignore[arg-type]
                                    f"{'×'.join(map(str, shape))} (H×W×C)"))
    if shape is None or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in shape):
        what = "gives no input shape" if shape is None else f"has input shape {shape}"
        raise ConfigError(f"the model {chosen.name!r} {what}; add input_shape=(H, W, C) to the "
                          "first layer (or keras.Input(shape=...)), or pass --input-shape HxWxC.",
                          where=f"line {chosen.line}")
    if chosen.graph is not None:
        inputs, outputs = _uses(*chosen.graph, tuple(shape), channels_first=bool(first))
        return build_graph(inputs, outputs, count="total", title=chosen.name)
    return build_spec(chosen.refs, tuple(shape), count="total", title=chosen.name)
