"""The input shape of a Keras model that states none, read from the data it is trained on:
``model.fit(x_train, ...)`` where ``x_train = x_train.reshape(60000, 28, 28, 1)`` (or
``.reshape((-1, 28, 28, 1))``, ``np.reshape(x, (n, 28, 28, 1))``) at module level. Read with
:mod:`ast` only; the sizes after the batch must fold to whole numbers.

>>> import ast
>>> tree = ast.parse('''
... x_train = x_train.reshape(x_train.shape[0], 28, 28, 1)
... model.fit(x_train, y_train, epochs=3)
... ''')
>>> fit_shape(tree, {"np": "numpy"}, {}, "model")
((28, 28, 1), 2, 'x_train.reshape(x_train.shape[0], 28, 28, 1)')
"""

from __future__ import annotations

import ast
from typing import Any

from .common import dotted, scope_statements, snippet, try_fold

__all__ = ["fit_shape"]

Found = tuple[tuple[int, ...], int, str]  # the shape without the batch, its line, its text


def _reshape(value: ast.expr, aliases: dict[str, str], env: dict[str, Any]) -> list[Any] | None:
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute) or (
            value.func.attr != "reshape"):
        return None
    args = list(value.args)
    if (dotted(value.func, aliases) or "").startswith("numpy."):  # np.reshape(x, shape)
        args = args[1:]
    if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
        args = list(args[0].elts)
    return [try_fold(a, env) for a in args[1:]] if len(args) >= 2 else None


def _kept(value: ast.expr, shaped: dict[str, Found]) -> Found | None:
    """``x.astype('float32') / 255``, ``x * 2``: the shape of the reshaped ``x`` it keeps."""
    while True:
        if isinstance(value, ast.BinOp) and isinstance(value.right, ast.Constant):
            value = value.left
        elif isinstance(value, ast.BinOp) and isinstance(value.left, ast.Constant):
            value = value.right
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and (
                value.func.attr == "astype"):
            value = value.func.value
        else:
            return shaped.get(value.id) if isinstance(value, ast.Name) else None


def fit_shape(tree: ast.Module, aliases: dict[str, str], env: dict[str, Any], model: str
              ) -> Found | None:
    """The shape of the data ``model.fit`` trains on, from its last reshape, or None."""
    holders = {model}
    shaped: dict[str, Found] = {}
    for stmt in scope_statements(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
            dims = _reshape(value, aliases, env)
            if dims is not None and all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                                        for d in dims):
                shaped[name] = (tuple(dims), stmt.lineno, snippet(value, 60))
            elif (kept := _kept(value, shaped)) is not None:
                shaped[name] = kept
            else:
                shaped.pop(name, None)
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and (
                    value.func.id in holders):
                holders.add(name)  # model = build_model()
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    node.func.attr == "fit") and isinstance(node.func.value, ast.Name) and (
                    node.func.value.id in holders) and node.args and isinstance(
                    node.args[0], ast.Name) and node.args[0].id in shaped:
                return shaped[node.args[0].id]
    return None
