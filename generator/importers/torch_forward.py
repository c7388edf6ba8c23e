"""``forward`` of a PyTorch module as a chain of layer uses, read from its ast.

Followed: ``x = self.layer(x)`` steps (a module called twice shares its weights), an
``nn.Sequential`` attribute (its children in order), shape-keeping functions and methods
(``F.relu``, ``torch.sigmoid``, ``x.relu()``, ``F.dropout``: ignored), functional pooling
(``F.max_pool2d(x, 2)``: a layer) and flattening (``torch.flatten(x, 1)``, ``x.flatten(1)``,
``x.view(x.size(0), -1)``, ``x.view(-1, 400)``: the size 400 is checked). Anything that
combines two tensors (``x + y``, ``torch.cat``) is a branch and is refused.

>>> import ast
>>> cls = ast.parse('''
... class Net:
...     def forward(self, x):
...         x = F.relu(self.conv(x))
...         return torch.flatten(x, 1)
... ''').body[0]
>>> conv = Ref(3, "nn.Conv2d(1, 2, 3)", "conv2d", {"filters": 2, "kernel": 3})
>>> chain = Forward({"F": "torch.nn.functional"}, cls, {"conv": conv}, {}).run(cls.body[0])
>>> [r.kind for r in chain]
['conv2d', 'flatten']
"""

from __future__ import annotations

import ast
from typing import Any

from .chain import Ref
from .common import UNKNOWN, dotted, fail, fold, snippet, try_fold
from .torch_layers import FUNCTIONAL, PASSTHROUGH, torch_layer

__all__ = ["Forward"]

BRANCHING = {"cat", "concat", "stack", "add", "mul", "sub", "matmul", "bmm", "einsum"}


_BATCH = object()  # a name bound to x.size(0)
Tensor = tuple[Ref, ...]  # the layers applied to the input, in order


class Forward:
    """Follows ``forward`` as a chain of module calls from its one tensor argument."""

    def __init__(self, aliases: dict[str, str], cls: ast.ClassDef, modules: dict[str, Any],
                 env: dict[str, Any]) -> None:
        self.aliases, self.modules, self.env = aliases, modules, env
        self.methods = {f.name for f in cls.body if isinstance(f, ast.FunctionDef)}
        self.vars: dict[str, Any] = {}

    def run(self, fn: ast.FunctionDef) -> Tensor:
        params = fn.args.args[1:]
        if len(params) != 1 or fn.args.vararg or fn.args.kwonlyargs:
            fail(fn, "forward must take one input tensor (def forward(self, x)); cnnquiz reads "
                     "single-input chains only.")
        self.vars[params[0].arg] = ()
        for stmt in fn.body:
            if isinstance(stmt, ast.Return):
                if stmt.value is None:
                    break
                return self.tensor(stmt.value)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                    stmt.targets[0], ast.Name):
                self.vars[stmt.targets[0].id] = (_BATCH if self.batch(stmt.value)
                                                 else self.tensor(stmt.value))
            elif isinstance(stmt, ast.Expr | ast.Pass | ast.Assert):
                continue
            else:
                fail(stmt, f"forward is not a simple chain: `{snippet(stmt)}`. cnnquiz follows "
                           "x = layer(x) steps only (no branches, loops or residual additions).")
        fail(fn, "forward returns no tensor.")

    def batch(self, node: ast.expr) -> bool:
        """x.size(0), x.size()[0], x.shape[0], len(x), or a name bound to one of them."""
        text = ast.unparse(node).replace(" ", "")
        if isinstance(node, ast.Name):
            return self.vars.get(node.id) is _BATCH
        return any(text == f"{x}{tail}" for x in self.vars if self.vars[x] is not _BATCH
                   for tail in (".size(0)", ".size()[0]", ".shape[0]", ".size(dim=0)")) or (
            text.startswith("len(") and text[4:-1] in self.vars)

    def tensor(self, node: ast.expr) -> Tensor:
        if isinstance(node, ast.Name) and isinstance(self.vars.get(node.id), tuple):
            return self.vars[node.id]
        if isinstance(node, ast.BinOp):
            sides = [s for s in (node.left, node.right) if try_fold(s, self.env) is UNKNOWN]
            if len(sides) == 1:
                return self.tensor(sides[0])
            fail(node, f"`{snippet(node)}` combines two tensors (a branch or a residual "
                       "connection); cnnquiz reads a chain of layers only.")
        if not isinstance(node, ast.Call) or not node.args and not node.keywords:
            fail(node, f"forward: cannot follow `{snippet(node)}`; expected x = layer(x) steps.")
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
            module = self.modules.get(f.attr)
            if module is None:
                fail(node, f"forward calls self.{f.attr}, which __init__ does not define as a "
                           "torch.nn module cnnquiz can read.")
            x = self.tensor(self.single(node))
            return (*x, *([module] if isinstance(module, Ref) else module.refs()))
        q = dotted(f, self.aliases) or ""
        if q.startswith("torch"):
            return self.function(node, q.rsplit(".", 1)[-1])
        if isinstance(f, ast.Attribute):
            return self.method(node, f.attr, self.tensor(f.value))
        fail(node, f"forward: cannot follow `{snippet(node)}`; expected x = layer(x) steps.")

    def single(self, node: ast.Call) -> ast.expr:
        if len(node.args) != 1 or node.keywords:
            fail(node, f"`{snippet(node)}` takes several inputs; cnnquiz reads single-input "
                       "chains only.")
        return node.args[0]

    def function(self, node: ast.Call, fn: str) -> Tensor:
        first = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "input"), None)
        if fn in BRANCHING:
            fail(node, f"`{snippet(node)}` merges tensors (a branching graph); cnnquiz reads a "
                       "chain of layers only.")
        if first is None:
            fail(node, f"forward: cannot follow `{snippet(node)}`.")
        x = self.tensor(first)
        if fn in PASSTHROUGH:
            return x
        if fn in FUNCTIONAL:
            return (*x, torch_layer(node, FUNCTIONAL[fn], self.env, functional=True))
        if fn == "flatten":
            return (*x, self.flatten(node, 1))
        fail(node, f"forward: {snippet(node.func)} is not read by cnnquiz (known: activations, "
                   "dropout, pooling, torch.flatten).")

    def flatten(self, node: ast.Call, at: int) -> Ref:
        """torch.flatten(x, 1) / x.flatten(1): everything but the batch axis."""
        args = {k.arg: k.value for k in node.keywords}
        start = args.get("start_dim", node.args[at] if len(node.args) > at else None)
        if start is None or fold(start, self.env, "start_dim") != 1 or "end_dim" in args:
            fail(node, f"`{snippet(node)}` also flattens the batch axis; use "
                       "torch.flatten(x, 1).")
        return Ref(node.lineno, snippet(node), "flatten", {})

    def method(self, node: ast.Call, name: str, x: Tensor) -> Tensor:
        if name in PASSTHROUGH:
            return x
        if name == "flatten":
            return (*x, self.flatten(node, 0))
        if name not in ("view", "reshape"):
            fail(node, f"forward: the tensor method .{name}() is not read by cnnquiz "
                       "(known: view, reshape, flatten, activations).")
        args = list(node.args)
        if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
            args = list(args[0].elts)
        sizes = [self.size(a) for a in args]
        ref = Ref(node.lineno, snippet(node), "flatten", {})
        if len(sizes) == 2 and sizes[0] in ("batch", -1) and sizes[1] != "batch" and (
                sizes[1] == -1 and sizes[0] == "batch" or isinstance(sizes[1], int) and sizes[1] > 0):
            if isinstance(sizes[1], int) and sizes[1] > 0:
                ref.expect["features"] = sizes[1]
            return (*x, ref)
        fail(node, f"`{snippet(node)}` keeps more than the batch axis and one feature axis; "
                   "cnnquiz reads view/reshape only as a flatten: x.view(x.size(0), -1).")

    def size(self, node: ast.expr) -> Any:
        if self.batch(node):
            return "batch"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and ast.unparse(node.func.value) == "self" and node.func.attr in self.methods):
            return -1  # e.g. self.num_flat_features(x), as in the old PyTorch tutorial
        return fold(node, self.env, "view size")
