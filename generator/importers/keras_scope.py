"""One scope of Keras code (module level, a model-building function, a helper it calls)
walked statement by statement with :mod:`ast`: its layers, tensors and models.
"""

from __future__ import annotations

import ast
from typing import Any

from ..layers import MERGE_OPS
from .chain import Ref
from .common import (
    UNKNOWN,
    constants,
    dotted,
    fail,
    fold,
    scope_statements,
    snippet,
)
from .consts import NOTES, bind_value, try_fold, with_parameters
from .keras_layers import (
    CHANNELS_FIRST,
    CLASSES,
    MERGES,
    keras_layer,
)
from .keras_names import MAX_UNROLLED, keeps_shape, keras_cls, layer_module, loop_values
from .keras_tensors import (
    Model,
    Tensor,
    chain_of,
    check_reaches,
    is_refs,
    is_tensors,
    no_layers_in,
)

__all__ = ["MAX_CALL_DEPTH", "MAX_UNROLLED", "Scope"]

_NOTHING = object()  # a helper's `return` of something that is not a tensor or model
MAX_CALL_DEPTH = 20


_SKIP = Ref(0, "", "skip", {})


class Scope:
    """Walks one scope's statements in order, tracking layers, tensors and models."""

    def __init__(self, aliases: dict[str, str], env: dict[str, Any],
                 functions: dict[str, ast.FunctionDef] | None = None, depth: int = 0,
                 budget: list[int] | None = None) -> None:
        self.aliases, self.env = aliases, env
        self.vars: dict[str, Any] = {}
        self.models: list[Model] = []
        self.functions = functions or {}
        self.depth = depth
        self.budget = budget if budget is not None else [MAX_UNROLLED]
        self.returned: Any = None
        self.declared: dict[int, Any] = {}  # id(ref) -> the input shape its call states

    def run(self, body: list[ast.stmt]) -> list[Model]:
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
                if isinstance(value, Model) and value not in self.models:
                    self.models.append(value)
                self.returned = value if value is not None else _NOTHING
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and \
                    isinstance(self.vars.get(stmt.target.id), Tensor):
                self.bind(stmt.target.id, self.expr(ast.BinOp(stmt.target, stmt.op, stmt.value,
                                                              lineno=stmt.lineno)), stmt)
            elif isinstance(stmt, ast.For | ast.While | ast.If | ast.AsyncFor):
                no_layers_in(stmt, self.functions, self.vars)
        return self.models

    def unroll(self, stmt: ast.For) -> bool:
        """``for i in range(n)`` (or over a constant tuple) with constant bounds: run the body
        once per value, at most MAX_UNROLLED iterations in all; False for any other loop."""
        values = loop_values(stmt, self.env)
        if values is None or stmt.orelse:
            return False
        for v in values:
            self.iterate(stmt, "this loop", stmt.target, v)
            for n in ast.walk(stmt.target):
                if isinstance(n, ast.Name):
                    self.vars.pop(n.id, None)
            self.run(stmt.body)
        return True

    def iterate(self, node: ast.AST, what: str, target: ast.expr, value: Any) -> None:
        """One unrolled iteration: the budget spent, the loop variable bound."""
        self.budget[0] -= 1
        if self.budget[0] < 0:
            fail(node, f"{what} would unroll more than {MAX_UNROLLED:,} iterations in all; "
                       "cnnquiz stops here. Use smaller constants.")
        bind_value(target, value, self.env)

    def inline(self, fn: ast.FunctionDef, call: ast.Call) -> Any:
        """A helper function of the file called with tensors and constants: run its body."""
        if self.depth >= MAX_CALL_DEPTH:
            fail(call, f"{snippet(call)}: helper functions call each other more than "
                       f"{MAX_CALL_DEPTH} deep; cnnquiz stops here.")
        env = with_parameters(fn, self.env, call)
        sub = Scope(self.aliases, env, self.functions, self.depth + 1, self.budget)
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
        if isinstance(value, Model) and value not in self.models:
            value.name = name
            self.models.append(value)

    def method(self, call: ast.Call) -> None:
        """``model.add(layer)`` and ``model.build(shape)``; other calls are ignored."""
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
            return
        model = self.vars.get(f.value.id)
        if not isinstance(model, Model) or model.output is not None:
            return
        if f.attr == "add" and call.args:
            self.append(model, call.args[0])
        elif f.attr == "build" and (call.args or call.keywords):
            node = call.args[0] if call.args else call.keywords[0].value
            shape = fold(node, self.env, "build: input_shape")
            model.shape = tuple(shape)[1:] if isinstance(shape, tuple) else None

    def append(self, model: Model, node: ast.expr) -> None:
        if isinstance(node, ast.Name) and isinstance(self.vars.get(node.id), Ref):
            self.add_ref(model, self.vars[node.id])
            return
        inner = self.vars.get(node.id) if isinstance(node, ast.Name) else None
        if isinstance(node, ast.Name) and isinstance(inner, Model) and inner.output is None \
                and inner.graph is None and inner is not model:  # a Sequential used as a layer: its layers, in place
            if not model.refs and model.shape is None:
                model.shape = inner.shape
            model.refs += inner.refs
            if inner in self.models:  # a part of this model, not a model to ask about
                self.models.remove(inner)
            self.env.setdefault(NOTES, []).append((node.lineno, (
                f"{node.id} (line {inner.line}), a Sequential used as a layer, read with its "
                "layers in place (Keras counts them in the outer model)")))
            return
        if isinstance(node, ast.Name) and isinstance(inner, Model):
            fail(node, f"{node.id} is a model used as a layer; cnnquiz reads one flat model. "
                       "Write its layers out in place.")
        if not isinstance(node, ast.Call) or (cls := keras_cls(node.func, self.aliases)) is None:
            fail(node, f"{snippet(node)} is not a layer call cnnquiz can read; add a layer "
                       "written out, e.g. model.add(Dense(10)).")
        ref, shape = keras_layer(node, cls, self.env)
        if shape is not None and not model.refs and model.shape is None:
            model.shape = shape
        if ref is not None:
            model.refs.append(ref)

    def add_ref(self, model: Model, ref: Ref) -> None:
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
            if isinstance(item, Tensor) and item.ref is None and item.src is None:
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
        values = loop_values(ast.For(gen.target, gen.iter, [], []), self.env)
        if values is None:
            return None
        names = [n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)]
        saved = {n: self.env[n] for n in names if n in self.env}
        items = []
        for v in values:
            self.iterate(node, "this list comprehension", gen.target, v)
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
        if isinstance(items, list) and is_tensors(old + items):
            old.extend(items)
        elif is_refs(merged):  # [Input(shape)] grown with layers: a list of layers
            old[:] = merged
        else:  # a list of something else: no longer a list cnnquiz follows
            self.vars.pop(f.value.id)
        return True

    def tensors(self, node: ast.expr) -> list[Tensor]:
        value = self.expr(node)
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, Tensor) for v in items):
            fail(node, f"{snippet(node)} is not a list of tensors of the model that cnnquiz can "
                       "follow.")
        return items

    def merge(self, node: ast.AST, ref: Ref, srcs: list[Tensor]) -> Tensor:
        return Tensor(getattr(node, "lineno", 0), ref, srcs[0], more=srcs[1:])

    def tensor(self, node: ast.expr) -> Tensor:
        value = self.expr(node)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, Tensor):
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
                    is_refs(v) for v in sides):
                return self.as_layers(sides[0] + sides[1])  # layers + [Dense(10)]
            if not any(isinstance(v, Tensor) for v in sides):
                return None
            op = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply"}.get(type(node.op))
            if op is None or not all(isinstance(v, Tensor) for v in sides):
                fail(node, f"`{snippet(node)}` does arithmetic on a tensor that is not a merge of "
                           "two tensors (x + y, x - y, x * y); cnnquiz cannot size it.")
            return self.merge(node, Ref(node.lineno, snippet(node), op, {}), sides)
        if not isinstance(node, ast.Call):
            return None
        f = node.func
        if isinstance(f, ast.Name) and f.id in self.functions and f.id not in self.vars:
            return self.inline(self.functions[f.id], node)
        if isinstance(f, ast.Call) or (isinstance(f, ast.Name) and isinstance(self.vars.get(f.id), Ref
                                                                             | Model)):
            return self.apply(node)
        q = dotted(f, self.aliases) or ""
        if keeps_shape(q) and node.args:
            src = self.expr(node.args[0])  # tf.nn.relu(x): the same shape, no weights
            if isinstance(src, Tensor):
                return src
        cls = keras_cls(f, self.aliases)
        if cls == "Sequential":
            return self.sequential(node)
        if cls in ("Model", "Functional"):
            return self.functional(node)
        if cls == "Input":
            _, shape = keras_layer(node, cls, self.env)
            return Tensor(node.lineno, shape=shape)
        if cls in MERGES and cls[0].islower():  # layers.add([a, b]): a merge applied at once
            if not node.args:
                fail(node, f"{snippet(node)}: give the tensors to merge as a list.")
            ref = keras_layer(ast.Call(node.func, [], node.keywords, lineno=node.lineno), cls,
                              self.env)[0]
            assert ref is not None
            return self.merge(node, ref, self.tensors(node.args[0]))
        if cls in CLASSES or cls in MERGES or (cls and cls[0].isupper() and layer_module(
                dotted(f, self.aliases))):
            return self.layer(node, cls)
        return None

    def apply(self, node: ast.Call) -> Tensor:
        """``Layer(...)(x)`` or ``layer(x)``: a new tensor; a list argument is a merge."""
        f = node.func
        if isinstance(f, ast.Name):
            layer = self.vars[f.id]
        elif not isinstance(f, ast.Call) or (cls := keras_cls(f.func, self.aliases)) is None:
            fail(node, f"{snippet(node.func)} is not a layer cnnquiz can read; apply a "
                       "Keras layer, e.g. x = Dense(10)(x).")
        else:
            layer = self.expr(f) if cls in ("Sequential", "Model") else (
                keras_layer(f, cls, self.env)[0] or _SKIP)
        if isinstance(layer, Model):
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
        return Tensor(node.lineno, layer, src)

    def sequential(self, call: ast.Call) -> Model:
        model = Model(call.lineno, "model")
        items = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "layers"), None)
        if isinstance(items, ast.List | ast.Tuple):
            for item in items.elts:
                self.append(model, item)
        elif items is not None:
            value = self.expr(items)
            value = self.as_layers(value) if isinstance(value, list) else value
            if not is_refs(value) or not value:
                fail(call, f"{snippet(call)}: {snippet(items, 40)} is not a list of layers "
                           "cnnquiz can follow (it follows a list written [...], grown with "
                           ".append in a for loop over range(N) or a constant tuple, or a list "
                           "comprehension over constants). Write the layers in the list.")
            for ref in value:
                self.add_ref(model, ref)
        return model

    def functional(self, call: ast.Call) -> Model:
        args = {k.arg: k.value for k in call.keywords}
        ins = args.get("inputs", args.get("input", call.args[0] if call.args else None))
        outs = args.get("outputs", args.get("output", call.args[1] if len(call.args) > 1 else None))
        if ins is None or outs is None:
            fail(call, f"{snippet(call)}: give inputs= and outputs=.")
        outputs, inputs = self.tensors(outs), self.tensors(ins)
        model = Model(call.lineno, "model", output=outputs[0])
        if len(inputs) == 1 and len(outputs) == 1 and (chain := chain_of(outputs[0], inputs[0])):
            model.refs = chain
        else:
            model.graph = (inputs, outputs)
            check_reaches(call, inputs, outputs)
        model.shape = inputs[0].shape
        return model
