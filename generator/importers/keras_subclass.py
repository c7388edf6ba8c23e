"""A subclassed Keras model (``class MyModel(keras.Model)`` with its layers in ``__init__`` and
their use in ``call``), read as the functional model it is: ``self.conv1 = Conv2D(...)``
becomes a layer variable, ``call(self, x)`` a chain from an ``Input``, its final ``return`` the
model's output. The rewrite is of the ast (nothing is run); :class:`.keras_scope.Scope` then
reads it as any functional model (a layer called twice shares its weights, as in Keras).

The input shape comes from the code where it gives one: ``model.build((None, 28, 28, 1))``,
or the model called on ``tf.zeros((1, 28, 28, 1))`` (``np.zeros``, ``tf.ones``,
``tf.random.normal``); else it is left open and the import asks for ``--input-shape``.

>>> import ast
>>> tree = ast.parse('''
... class Net(keras.Model):
...     def __init__(self, n=10):
...         super().__init__()
...         self.d = layers.Dense(n)
...     def call(self, x):
...         return self.d(x)
... model = Net(4)
... model.build((None, 8))
... ''')
>>> [(c.name, shape, ast.unparse(body[-1])) for c, body, shape, _ in as_functional(tree, {})]
[('Net', (8,), 'Net = Model(__cnnquiz_input__, self_d(x))')]
"""

from __future__ import annotations

import ast
from typing import Any

from .common import dotted, import_aliases, scope_statements, try_fold
from .keras_names import keras_cls

__all__ = ["as_functional"]

MAKERS = ("zeros", "ones", "normal", "uniform", "rand", "randn", "random")
PLACEHOLDER = "__cnnquiz_open_shape__"  # an Input shape the code does not give
INPUT = "__cnnquiz_input__"  # the model's input tensor (call's argument may be rebound)


class _Self(ast.NodeTransformer):
    """``self.conv1`` -> ``self_conv1`` (a plain variable the scope reader follows)."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return ast.copy_location(ast.Name(f"self_{node.attr}", node.ctx), node)
        return self.generic_visit(node)


def _subclasses(tree: ast.Module, aliases: dict[str, str]) -> list[ast.ClassDef]:
    return [c for c in tree.body if isinstance(c, ast.ClassDef)
            and any(keras_cls(b, aliases) == "Model" for b in c.bases)]


def _shape(tree: ast.Module, name: str, aliases: dict[str, str], env: dict[str, Any]
           ) -> tuple[Any, ...] | None:
    """The input shape (without the batch) that ``model.build`` or a sample call gives the
    instances of class ``name``."""
    holders = {name}
    for stmt in scope_statements(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call) and isinstance(
                stmt.value.func, ast.Name) and stmt.value.func.id == name:
            holders.add(stmt.targets[0].id)
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "build" and isinstance(
                    f.value, ast.Name) and f.value.id in holders and (node.args or node.keywords):
                value = try_fold(node.args[0] if node.args else node.keywords[0].value, env)
                if isinstance(value, tuple) and len(value) >= 2:
                    return value[1:]
            if isinstance(f, ast.Name) and f.id in holders and len(node.args) == 1 and (
                    isinstance(node.args[0], ast.Call)):
                maker = node.args[0]
                q = dotted(maker.func, aliases) or ""
                if q.rsplit(".", 1)[-1] in MAKERS and maker.args:
                    value = try_fold(maker.args[0], env)
                    if isinstance(value, tuple) and len(value) >= 2:
                        return value[1:]
    return None


def as_functional(tree: ast.Module, env: dict[str, Any]
                  ) -> list[tuple[ast.ClassDef, list[ast.stmt], tuple[Any, ...] | None,
                                  ast.Call | None]]:
    """Each subclassed Keras model of the file that has an ``__init__`` and a ``call`` ending
    in one ``return``, and no weights of its own (``build``, ``add_weight``): (the class, its body rewritten as a functional model, the input shape
    the code gives or None, the one module-level call that makes an instance or None)."""
    aliases = import_aliases(tree)
    out = []
    for cls in _subclasses(tree, aliases):
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        init, call = methods.get("__init__"), methods.get("call")
        if "build" in methods or any(  # weights of its own: a custom layer, not a chain
                isinstance(n, ast.Attribute) and n.attr in ("add_weight", "add_variable")
                for n in ast.walk(cls)):
            continue
        if init is None or call is None or len(call.args.args) < 2 or not isinstance(
                call.body[-1], ast.Return) or call.body[-1].value is None or any(
                isinstance(n, ast.Return) for s in call.body[:-1] for n in ast.walk(s)):
            continue
        x = call.args.args[1].arg
        shape = _shape(tree, cls.name, aliases, env)
        value = ast.Name(PLACEHOLDER, ast.Load()) if shape is None else ast.parse(
            repr(tuple(shape)), mode="eval").body
        made = ast.Call(ast.Name("Input", ast.Load()), [], [ast.keyword("shape", value)])
        body: list[ast.stmt] = [_Self().visit(s) for s in init.body]
        body.append(ast.Assign([ast.Name(INPUT, ast.Store())], made, lineno=call.lineno))
        body.append(ast.Assign([ast.Name(x, ast.Store())], ast.Name(INPUT, ast.Load()),
                               lineno=call.lineno))
        body += [_Self().visit(s) for s in call.body[:-1]]
        returned = _Self().visit(call.body[-1]).value
        body.append(ast.Assign([ast.Name(cls.name, ast.Store())], ast.Call(
            ast.Name("Model", ast.Load()), [ast.Name(INPUT, ast.Load()), returned], []),
            lineno=call.body[-1].lineno))
        for node in body:
            ast.fix_missing_locations(node)
        calls = [n for s in scope_statements(tree.body) for n in ast.walk(s)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id == cls.name]
        out.append((cls, body, shape, calls[0] if len(calls) == 1 else None))
    return out

