"""What ``forward`` does to a tensor's shape besides calling modules: batch sizes
(``x.size(0)``, ``b, c, h, w = x.size()``), flattening (``torch.flatten(x, 1)``,
``x.view(x.size(0), -1)``, ``x.view(b, c * h * w)``), means as global pooling
(``x.mean([2, 3])``), ``x.squeeze()`` right after a 1×1 pooling, shape-keeping tensor methods
(``x.relu()``) and lists of tensors
(``skips.append(x)``, ``skips[::-1]``). :class:`.torch_forward.Forward` builds on these.
"""

from __future__ import annotations

import ast
from typing import Any

from .chain import Ref
from .common import UNKNOWN, fail, fold, snippet, try_fold
from .graph import Use
from .torch_layers import PASSTHROUGH
from .torch_objects import Custom

__all__ = ["BATCH", "Frame", "TensorReads"]

BATCH = object()  # a name bound to x.size(0)


class Frame:
    """One call of ``forward`` (or a helper): its module, constants and tensors."""

    def __init__(self, owner: Custom, env: dict[str, Any]) -> None:
        self.owner, self.env = owner, env
        self.vars: dict[str, Any] = {}
        self.rest: frozenset[str] = frozenset()  # c, h, w of b, c, h, w = x.size()


class TensorReads:
    """The shape-reading half of :class:`.torch_forward.Forward`."""

    def tensor(self, node: ast.expr, frame: Frame) -> Use:
        raise NotImplementedError  # Forward follows an expression into a tensor

    def tensor_list(self, node: ast.expr, frame: Frame) -> list[Use] | None:
        """``[]``, or a list of tensors sliced with constants (``skips[::-1]``), else None."""
        if isinstance(node, ast.List) and not node.elts:
            return []
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(
                items := frame.vars.get(node.value.id), list) and isinstance(node.slice, ast.Slice):
            parts = [None if p is None else try_fold(p, frame.env)
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            if all(p is None or isinstance(p, int) and not isinstance(p, bool) for p in parts) \
                    and parts[2] != 0:
                return list(items[slice(*parts)])
        return None

    def dims(self, node: ast.expr, frame: Frame) -> bool:
        """x.size() or x.shape of a tensor (unpacked into its sizes)."""
        text = ast.unparse(node).replace(" ", "")
        return any(text in (f"{x}.size()", f"{x}.shape") for x, v in frame.vars.items()
                   if isinstance(v, Use))

    def batch(self, node: ast.expr, frame: Frame) -> bool:
        """x.size(0), x.size()[0], x.shape[0], len(x), or a name bound to one of them."""
        text = ast.unparse(node).replace(" ", "")
        if isinstance(node, ast.Name):
            return frame.vars.get(node.id) is BATCH
        return any(text == f"{x}{tail}" for x, v in frame.vars.items() if isinstance(v, Use)
                   for tail in (".size(0)", ".size()[0]", ".shape[0]", ".size(dim=0)")) or (
            text.startswith("len(") and text[4:-1] in frame.vars)

    def mean(self, node: ast.Call, frame: Frame) -> Use:
        """Global average pooling spelled as a mean: x.mean([2, 3]), x.mean(3).mean(2)."""
        f = node.func
        assert isinstance(f, ast.Attribute)
        keep = any(k.arg == "keepdim" and try_fold(k.value, frame.env) is True
                   for k in node.keywords)
        dim = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "dim"), None)
        dims = try_fold(dim, frame.env) if dim is not None else UNKNOWN
        inner = f.value
        if dims == 2 and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) \
                and inner.func.attr == "mean" and inner.args and try_fold(
                    inner.args[0], frame.env) == 3 and not keep:
            x = self.tensor(inner.func.value, frame)
        elif isinstance(dims, tuple) and sorted(dims) in ([2, 3], [-2, -1]):
            x = self.tensor(inner, frame)
        else:
            fail(node, f"`{snippet(node)}`: cnnquiz reads a mean only as global average "
                       "pooling over the two spatial axes (x.mean([2, 3]) or x.mean(3).mean(2)).")
        ref = Ref(node.lineno, snippet(node), "global_average_pooling2d", {"keepdims": keep})
        return Use(ref, [x], line=node.lineno)

    def flatten(self, node: ast.Call, at: int, frame: Frame) -> Ref:
        """torch.flatten(x, 1) / x.flatten(1): everything but the batch axis."""
        args = {k.arg: k.value for k in node.keywords}
        start = args.get("start_dim", node.args[at] if len(node.args) > at else None)
        if start is None or fold(start, frame.env, "start_dim") != 1 or "end_dim" in args:
            fail(node, f"`{snippet(node)}` also flattens the batch axis; use "
                       "torch.flatten(x, 1).")
        return Ref(node.lineno, snippet(node), "flatten", {})

    def method(self, node: ast.Call, name: str, x: Use, frame: Frame) -> Use:
        if name in PASSTHROUGH:
            return x
        if name == "flatten":
            return Use(self.flatten(node, 0, frame), [x], line=node.lineno)
        if name == "squeeze":
            return self.squeeze(node, x, frame)
        if name not in ("view", "reshape"):
            fail(node, f"forward: the tensor method .{name}() is not read by cnnquiz "
                       "(known: view, reshape, flatten, activations).")
        args = list(node.args)
        if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
            args = list(args[0].elts)
        sizes = [self.size(a, frame) for a in args]
        ref = Ref(node.lineno, snippet(node), "flatten", {})
        if len(sizes) == 2 and sizes[0] in ("batch", -1) and (
                sizes[1] == "rest" or sizes[1] == -1 and sizes[0] == "batch"
                or isinstance(sizes[1], int) and not isinstance(sizes[1], bool) and sizes[1] > 0):
            if isinstance(sizes[1], int) and sizes[1] > 0:
                ref.expect["features"] = sizes[1]
            return Use(ref, [x], line=node.lineno)
        fail(node, f"`{snippet(node)}` keeps more than the batch axis and one feature axis; "
                   "cnnquiz reads view/reshape only as a flatten: x.view(x.size(0), -1).")

    def squeeze(self, node: ast.Call, x: Use, frame: Frame) -> Use:
        """``x.squeeze()`` (``squeeze(-1).squeeze(-1)``, ``squeeze((2, 3))``) right after a
        pooling to 1×1 (``nn.AdaptiveAvgPool2d(1)``): the channels, as a flatten; elsewhere
        it would keep or drop axes by their size at run time, so it is refused."""
        out = x.ref.options.get("output") if x.ref is not None and (
            x.ref.kind == "adaptive_pooling") else None
        if out is None or any(o != 1 for o in (out if isinstance(out, tuple) else (out,))):
            fail(node, f"`{snippet(node)}`: cnnquiz reads squeeze only right after a pooling "
                       "to 1×1 (nn.AdaptiveAvgPool2d(1)); write torch.flatten(x, 1).")
        dims = [try_fold(a, frame.env) for a in node.args] + [
            try_fold(k.value, frame.env) for k in node.keywords if k.arg == "dim"]
        inner = node.func.value if isinstance(node.func, ast.Attribute) else None
        twice = isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and (
            inner.func.attr == "squeeze")
        if dims in ([-1], [3]) and not twice:
            return x  # one spatial axis of two dropped: the next squeeze drops the other
        if not dims or dims in ([(2, 3)], [(-2, -1)]) or twice and dims in ([-1], [2]):
            return Use(Ref(node.lineno, snippet(node), "flatten", {}), [x], line=node.lineno)
        fail(node, f"`{snippet(node)}`: cnnquiz reads x.squeeze() of a 1×1 pooling as its "
                   "channels; write torch.flatten(x, 1).")

    def size(self, node: ast.expr, frame: Frame) -> Any:
        if self.batch(node, frame):
            return "batch"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and ast.unparse(node.func.value) == "self"
                and node.func.attr in frame.owner.methods):
            return "rest"  # self.num_flat_features(x) of the PyTorch 60-minute blitz
        factors, stack = [], [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mult):
                stack += [n.left, n.right]
            else:
                factors.append(ast.unparse(n))
        if frame.rest and sorted(factors) == sorted(frame.rest):
            return "rest"  # x.view(b, c * h * w) after b, c, h, w = x.size()
        return fold(node, frame.env, "view size")
