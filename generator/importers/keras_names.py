"""What a name or a loop in Keras code stands for, told without following the code: a class
name, a layers module, a function that builds a model, the values of a constant loop.
"""

from __future__ import annotations

import ast
from typing import Any

from .common import dotted
from .consts import try_fold

__all__ = ["MAX_UNROLLED", "builds_model", "keeps_shape", "keras_cls", "layer_module",
           "loop_values"]

MAX_UNROLLED = 1_000  # loop iterations in all


def layer_module(qualified: str | None) -> bool:
    return qualified is not None and "layers" in qualified.split(".")[:-1]


def keras_cls(node: ast.AST, aliases: dict[str, str]) -> str | None:
    q = dotted(node, aliases)
    return q.rsplit(".", 1)[-1] if q else None


def builds_model(fn: ast.FunctionDef, aliases: dict[str, str]) -> bool:
    """A function that constructs a model (else it is a helper, followed where it is called)."""
    return any(isinstance(n, ast.Call) and keras_cls(n.func, aliases) in ("Sequential", "Model",
                                                                     "Functional")
               for n in ast.walk(fn))


def loop_values(stmt: ast.For, env: dict[str, Any]) -> tuple[Any, ...] | None:
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


#: modules of functions that keep a tensor's shape (tf.nn.relu(x), keras.activations.gelu(x))
SHAPE_KEEPING = ("tensorflow.nn.", "tensorflow.keras.activations.", "keras.activations.",
                 "tensorflow.math.", "keras.ops.", "tf.nn.", "tf.keras.activations.")
ACTIVATION_FNS = {"relu", "relu6", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "tanh",
                  "softmax", "log_softmax", "leaky_relu", "softplus", "softsign", "hard_sigmoid",
                  "mish", "dropout"}


def keeps_shape(q: str) -> bool:
    """A function of a tensor that keeps its shape and has no weights (``tf.nn.relu``).

    >>> keeps_shape("tensorflow.nn.relu"), keeps_shape("tensorflow.reshape")
    (True, False)
    """
    return q.startswith(SHAPE_KEEPING) and q.rsplit(".", 1)[-1] in ACTIVATION_FNS
