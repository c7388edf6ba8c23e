"""The input size PyTorch code gives by running its model on a sample: ``model(torch.randn(1,
3, 32, 32))``, ``x = torch.zeros(2, 4, 8, 8)`` then ``out = net(x)``, or torchsummary's
``summary(model, (3, 32, 32))`` and torchinfo's ``summary(model, input_size=(1, 3, 32, 32))``.

Read with :mod:`ast` only, at module level (and under ``if __name__ == "__main__":``); the
sizes are folded from constants. The sample is tied to the model: the called name must be
the model's variable, or a variable assigned from it (``model = Net().to(device)``), or the
model class called in place (``Net()(x)``). The result is channels last, without the batch.

>>> import ast
>>> tree = ast.parse('''
... import torch
... net = Net()
... x = torch.randn(1, 3, 32, 32)
... print(net(x).shape)
... ''')
>>> sample_input(tree, {"torch": "torch"}, {}, "Net", 2)
((32, 32, 3), 4, 'torch.randn(1, 3, 32, 32)')
"""

from __future__ import annotations

import ast
from typing import Any

from .common import UNKNOWN, dotted, scope_statements, snippet, try_fold

__all__ = ["MOVES", "sample_dims", "sample_input"]

MAKERS = {"zeros", "ones", "randn", "rand", "empty", "full", "randint", "zeros_like"}
Sample = tuple[tuple[int, ...], int, str]  # (H, W, C) or (features,), its line, its text


def sample_dims(call: ast.Call, env: dict[str, Any], aliases: dict[str, str]) -> list[Any] | None:
    """The sizes of ``torch.randn(1, 3, 32, 32)`` / ``torch.zeros((1, 3, 32, 32))``."""
    q = dotted(call.func, aliases) or ""
    if q.rsplit(".", 1)[-1] == "Variable" and len(call.args) == 1 and isinstance(
            call.args[0], ast.Call):  # Variable(torch.randn(...)) of PyTorch before 0.4
        return sample_dims(call.args[0], env, aliases)
    if not q.startswith("torch.") or q.rsplit(".", 1)[-1] not in MAKERS:
        return None
    args = list(call.args)
    if q.endswith(".randint"):  # torch.randint(low, high, size)
        args = args[2:3] if len(args) >= 3 else [k.value for k in call.keywords if k.arg == "size"]
    elif q.endswith(".full"):
        args = args[:1]
    size = next((k.value for k in call.keywords if k.arg == "size"), None)
    if size is not None:
        args = [size]
    if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
        args = list(args[0].elts)
    out: list[Any] = []
    for a in args:  # torch.zeros(1, *input_shape)
        value = try_fold(a.value if isinstance(a, ast.Starred) else a, env)
        if isinstance(a, ast.Starred):
            if not isinstance(value, tuple):
                return None
            out += value
        else:
            out.append(value)
    return out or None


def _shape(dims: list[Any], rank: int, batched: bool | None) -> tuple[int, ...] | None:
    """(N,) C, H, W (``rank`` spatial axes) -> H, W, C; (N,) F -> (F,) for a Linear first."""
    want = rank + 1 if rank else 1
    if batched is None:
        batched = len(dims) == want + 1
    kept = dims[1:] if batched else dims
    if len(kept) != want or any(isinstance(d, bool) or not isinstance(d, int) or d < 1
                                for d in kept):
        return None
    return (*kept[1:], kept[0]) if rank else (kept[0],)


#: methods that return the module itself (model.to(device), model.eval())
MOVES = {"to", "cuda", "cpu", "eval", "train", "float", "double", "half"}


def _holds_model(value: ast.expr, models: set[str], cls: str | None) -> bool:
    """``Net()``, ``Net(10).to(device)``, ``model.eval()``, ``net = model``: the model itself
    (``model(x)`` is its output)."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and (
            value.func.attr in MOVES):
        value = value.func.value
    if isinstance(value, ast.Name):
        return value.id in models
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and (
        value.func.id == cls)


def sample_input(tree: ast.Module, aliases: dict[str, str], env: dict[str, Any], title: str,
                 rank: int, *, is_class: bool = True) -> Sample | None:
    """The first sample the code runs the model ``title`` (its class, or the variable of an
    ``nn.Sequential``) on, read for a first layer with ``rank`` spatial axes (0: a Linear),
    or None."""
    env = dict(env)
    cls = title if is_class else None
    models = set() if is_class else {title}  # names that hold the model
    tensors: dict[str, ast.Call] = {}  # names bound to a sample tensor
    for stmt in scope_statements(tree.body):
        if isinstance(stmt, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func
            q = dotted(callee, aliases) or ""
            if q.rsplit(".", 1)[-1] == "summary" and node.args and (
                    _holds_model(node.args[0], models, cls)):
                size = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "input_size"), None)
                dims = try_fold(size, env) if size is not None else UNKNOWN
                if isinstance(dims, tuple | list):
                    dims = list(dims[0]) if dims and isinstance(dims[0], tuple | list) else dims
                    shape = _shape(list(dims), rank, None)
                    if shape is not None:
                        return shape, node.lineno, snippet(node, 60)
            if isinstance(callee, ast.Attribute) and callee.attr in ("forward", "__call__"):
                callee = callee.value
            if len(node.args) == 1 and (isinstance(callee, ast.Name) and callee.id in models
                                        or _holds_model(callee, models, cls)
                                        and isinstance(callee, ast.Call)):
                arg = node.args[0]
                made = tensors.get(arg.id) if isinstance(arg, ast.Name) else (
                    arg if isinstance(arg, ast.Call) else None)
                dims = sample_dims(made, env, aliases) if made is not None else None
                shape = _shape(dims, rank, True) if dims else None
                if shape is not None and made is not None:
                    return shape, made.lineno, snippet(made, 60)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            value = stmt.value
            if isinstance(value, ast.Call) and sample_dims(value, env, aliases) is not None:
                tensors[target] = value
            elif _holds_model(value, models, cls):
                models.add(target)  # model = Net().to(device); net = model
            else:
                tensors.pop(target, None)
                env[target] = try_fold(value, env)
    return None
