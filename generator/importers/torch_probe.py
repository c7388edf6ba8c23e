"""The feature count an ``__init__`` measures with a dummy pass, propagated instead of run:
``n = self.features(torch.zeros(1, *shape)).numel()`` (also ``.view(1, -1).size(1)``,
``.flatten(1).shape[1]``), then ``nn.Linear(n, 10)``. The sample's sizes must be constants;
the submodule must be a layer or an ``nn.Sequential`` of layers; its output shape comes from
the same shape arithmetic as every other layer (nothing is run).

>>> import ast
>>> from .chain import Ref
>>> conv = Ref(1, "nn.Conv2d(1, 4, 3)", "conv2d", {"filters": 4, "kernel": 3},
...            expect={"in_channels": 1})
>>> node = ast.parse("self.c(torch.zeros(1, 1, 8, 8)).numel()", mode="eval").body
>>> probe(node, lambda n: conv if ast.unparse(n) == "self.c" else None, {"torch": "torch"}, {})
144
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from ..network import solve
from ..spec import load_spec
from .chain import Ref, build_spec
from .torch_objects import Seq
from .torch_sample import sample_dims

__all__ = ["probe"]


def _measure(node: ast.expr) -> tuple[ast.expr, int] | None:
    """``X.numel()`` -> (X, 0); ``X.view(1, -1).size(1)``, ``X.flatten(1).shape[1]`` -> (X, 1)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "numel") and not node.args:
        return node.func.value, 0
    inner: ast.expr | None = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr == "size") and len(node.args) == 1 and isinstance(
            node.args[0], ast.Constant) and node.args[0].value in (1, -1):
        inner = node.func.value
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and (
            node.value.attr == "shape") and isinstance(node.slice, ast.Constant) and (
            node.slice.value in (1, -1)):
        inner = node.value.value
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and (
            inner.func.attr in ("view", "reshape", "flatten")):
        return inner.func.value, 1
    return None


def probe(node: ast.expr, module: Callable[[ast.expr], Any], aliases: dict[str, str],
          env: dict[str, Any]) -> int | None:
    """The number a dummy pass measures, or None when ``node`` is not one cnnquiz can size.

    ``module`` gives the module an expression such as ``self.features`` refers to.
    """
    measured = _measure(node)
    if measured is None:
        return None
    call, per_sample = measured
    if not isinstance(call, ast.Call) or len(call.args) != 1 or not isinstance(
            call.args[0], ast.Call):
        return None
    sample = call.args[0]
    dims = sample_dims(sample, env, aliases)
    if not dims or len(dims) < 2 or any(
            not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in dims):
        return None
    m = module(call.func)
    refs = m.refs() if isinstance(m, Seq) else [m] if isinstance(m, Ref) else None
    if not refs or any(not isinstance(r, Ref) for r in refs):
        return None
    shape = (*dims[2:], dims[1])  # N, C, H, W -> H, W, C
    try:
        out = solve(load_spec(build_spec([r for r in refs if r.kind != "skip"], shape,
                                         count="trainable"))).rows[-1].out_shape
    except ConfigError:
        return None
    features = math.prod(out)
    return features if per_sample else features * dims[0]
