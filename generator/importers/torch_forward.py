"""``forward`` of a PyTorch module followed from its ast into a graph of layer uses.

Followed: ``x = self.layer(x)`` steps (a module called twice shares its weights), an
``nn.Sequential`` attribute (its children in order), ``nn.ModuleList`` items (iterated or
indexed by constants), sub-modules that are classes of the file (their own ``forward``, nested),
helper methods (``self._forward_impl(x)``), residual additions (``out + identity``,
``out += identity``, ``torch.add``), ``torch.cat([a, b], dim=1)``, ``if self.downsample is not
None`` and other ifs on constants, loops over constant ranges, shape-keeping functions and
methods (``F.relu``, ``torch.sigmoid``, ``x.relu()``, ``F.dropout``: ignored), functional
pooling (``F.max_pool2d(x, 2)``: a layer) and flattening (``torch.flatten(x, 1)``,
``x.flatten(1)``, ``x.view(x.size(0), -1)``, ``x.view(-1, 400)``: the size 400 is checked,
``x.view(-1, self.num_flat_features(x))``).

>>> import ast
>>> from .torch_objects import Custom
>>> cls = ast.parse('''
... class Net:
...     def forward(self, x):
...         y = F.relu(self.conv(x))
...         return torch.flatten(y + x, 1)
... ''').body[0]
>>> conv = Ref(3, "nn.Conv2d(1, 1, 3, padding=1)", "conv2d", {"filters": 1, "kernel": 3})
>>> net = Custom(cls, 1, "net", {"conv": conv})
>>> out = Forward({"F": "torch.nn.functional"}, {}).run(net, [Use(None, [], name="input")])
>>> out.ref.kind, out.srcs[0].ref.kind, [s.ref.kind if s.ref else "input" for s in out.srcs[0].srcs]
('flatten', 'add', ['conv2d', 'input'])
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from .chain import Ref
from .common import UNKNOWN, dotted, fail, fold, snippet, try_fold
from .graph import Use
from .torch_layers import FUNCTIONAL, PASSTHROUGH, torch_layer
from .torch_objects import (
    MAX_DEPTH,
    MAX_UNROLLED,
    NO_RETURN,
    Custom,
    ModList,
    Seq,
    first_return,
    loop_values,
)
from .torch_shapes import BATCH, Frame, TensorReads

__all__ = ["Forward"]

REFUSED = {"stack", "matmul", "bmm", "einsum", "div", "chunk", "split"}
MERGES = {"add": "add", "sub": "subtract", "subtract": "subtract", "mul": "multiply",
          "multiply": "multiply", "maximum": "maximum", "minimum": "minimum"}
class _Lengths(ast.NodeTransformer):
    """``len(self.ups)`` of a module list -> its number of modules (a constant)."""

    def __init__(self, forward: Forward, frame: Frame) -> None:
        self.forward, self.frame = forward, frame

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1:
            m = self.forward.module(node.args[0], self.frame)
            if isinstance(m, ModList | Seq):
                return ast.copy_location(ast.Constant(len(m.children)), node)
        return self.generic_visit(node)


class Forward(TensorReads):
    """Follows ``forward`` (and what it calls) from its one tensor argument into uses."""

    def __init__(self, aliases: dict[str, str], module_env: dict[str, Any]) -> None:
        self.aliases, self.module_env = aliases, module_env
        self.depth = 0
        self.budget = MAX_UNROLLED

    def run(self, owner: Custom, inputs: list[Use], fn: ast.FunctionDef | None = None) -> Use:
        fn = fn or owner.methods.get("forward")
        if fn is None:
            fail(owner.cls, f"class {owner.cls.name} has no forward; cnnquiz follows forward "
                            "to see how the layers connect.")
        params = fn.args.args[1:]
        if len(params) != len(inputs) or fn.args.vararg or fn.args.kwonlyargs:
            fail(fn, f"forward must take {len(inputs)} input tensor(s) (def forward(self, x)); "
                     "cnnquiz reads models with one input.")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            fail(fn, f"modules call each other more than {MAX_DEPTH} deep; cnnquiz stops here.")
        frame = Frame(owner, {**self.module_env, **owner.env})
        for p, u in zip(params, inputs, strict=True):
            frame.vars[p.arg] = u
        out = self.block(fn.body, frame)
        self.depth -= 1
        if not isinstance(out, Use):
            fail(fn, "forward returns no tensor cnnquiz can follow; end it with return x, "
                     "x the output of the last layer.")
        return out

    # -- statements ---------------------------------------------------------------------
    def block(self, body: list[ast.stmt], frame: Frame) -> Any:
        return first_return(body, lambda stmt: self.statement(stmt, frame))

    def statement(self, stmt: ast.stmt, frame: Frame) -> Any:
        if isinstance(stmt, ast.Return):
            if stmt.value is None:
                fail(stmt, "forward returns no tensor; return the output of the last layer "
                           "(return x).")
            if isinstance(stmt.value, ast.Tuple | ast.List):
                fail(stmt, f"`{snippet(stmt)}` returns several tensors; cnnquiz reads models "
                           "with one output tensor in PyTorch.")
            return self.tensor(stmt.value, frame)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            listed = self.tensor_list(stmt.value, frame)
            if listed is not None:  # skips = [] / skips = skips[::-1]: a list of tensors
                frame.vars[name] = listed
            elif self.batch(stmt.value, frame):
                frame.vars[name] = BATCH
            elif self.is_tensor(stmt.value, frame):
                frame.vars[name] = self.tensor(stmt.value, frame)
            else:
                frame.vars.pop(name, None)
                frame.env[name] = try_fold(stmt.value, frame.env)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Tuple) and self.dims(stmt.value, frame):
            names = [t.id if isinstance(t, ast.Name) else "" for t in stmt.targets[0].elts]
            frame.vars[names[0]] = BATCH  # b, c, h, w = x.size()
            frame.rest = frozenset(names[1:])
            for n in names[1:]:
                frame.vars.pop(n, None)
                frame.env[n] = UNKNOWN
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and (
                isinstance(frame.vars.get(stmt.target.id), Use)):
            frame.vars[stmt.target.id] = self.tensor(
                ast.BinOp(stmt.target, stmt.op, stmt.value, lineno=stmt.lineno), frame)
        elif isinstance(stmt, ast.If):
            test = self.truth(stmt.test, frame)
            if test is UNKNOWN:
                fail(stmt, f"forward branches on `{snippet(stmt.test)}`, which is not a "
                           "constant; cnnquiz follows ifs on constants and on optional modules "
                           "(if self.downsample is not None) only.")
            return self.block(stmt.body if test else stmt.orelse, frame)
        elif isinstance(stmt, ast.For):
            self.loop(stmt, frame)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(
                f := stmt.value.func, ast.Attribute) and f.attr == "append" and isinstance(
                f.value, ast.Name) and isinstance(frame.vars.get(f.value.id), list):
            frame.vars[f.value.id].append(self.tensor(self.single(stmt.value), frame))
        elif isinstance(stmt, ast.Expr | ast.Pass | ast.Assert):
            pass
        else:
            fail(stmt, f"forward: cannot follow `{snippet(stmt)}`. cnnquiz follows x = layer(x) "
                       "steps, residual additions, torch.cat, ifs on constants and loops over "
                       "constant ranges or module lists.")
        return NO_RETURN

    def loop(self, stmt: ast.For, frame: Frame) -> None:
        items = self.module(stmt.iter, frame)
        values: tuple[Any, ...] | None
        if isinstance(items, ModList | Seq):
            values = tuple(items.children)
        else:  # len(self.ups) of a module list is a constant: range(0, len(self.ups), 2)
            values = loop_values(_Lengths(self, frame).visit(copy.deepcopy(stmt)), frame.env)
        if values is None or stmt.orelse or not isinstance(stmt.target, ast.Name):
            fail(stmt, f"forward loops over `{snippet(stmt.iter)}`, which is neither a module "
                       "list nor a constant range.")
        for v in values:
            self.budget -= 1
            if self.budget < 0:
                fail(stmt, f"the loops would unroll more than {MAX_UNROLLED:,} iterations in all.")
            if isinstance(items, ModList | Seq):
                frame.vars[stmt.target.id] = v
            else:
                frame.env[stmt.target.id] = v
            self.block(stmt.body, frame)

    def truth(self, test: ast.expr, frame: Frame) -> Any:
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(
                test.ops[0], ast.Is | ast.IsNot) and isinstance(test.comparators[0], ast.Constant) \
                and test.comparators[0].value is None:
            m = self.module(test.left, frame)
            if m is UNKNOWN:
                v = try_fold(test.left, frame.env)
                if v is UNKNOWN:
                    return UNKNOWN
                m = v
            present = m is not None
            return not present if isinstance(test.ops[0], ast.Is) else present
        m = self.module(test, frame)
        if m is not UNKNOWN:
            return m is not None
        return try_fold(test, frame.env)

    # -- tensors ------------------------------------------------------------------------
    def module(self, node: ast.expr, frame: Frame) -> Any:
        """The module a name, ``self.x``, ``self.layers[i]`` refers to (None if unset)."""
        if isinstance(node, ast.Name) and isinstance(frame.vars.get(node.id),
                                                     Ref | Seq | ModList | Custom):
            return frame.vars[node.id]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                node.value.id == "self"):
            if node.attr in frame.owner.attrs:
                return frame.owner.attrs[node.attr]
            return None if frame.env.get(f"self.{node.attr}", UNKNOWN) is None else UNKNOWN
        if isinstance(node, ast.Subscript):
            base = self.module(node.value, frame)
            i = try_fold(node.slice, frame.env)
            if isinstance(base, ModList | Seq) and isinstance(i, int) and -len(
                    base.children) <= i < len(base.children):
                return base.children[i]
        return UNKNOWN

    def is_tensor(self, node: ast.expr, frame: Frame) -> bool:
        return any(isinstance(n, ast.Name) and isinstance(frame.vars.get(n.id), Use | list)
                   for n in ast.walk(node))

    def apply(self, module: Any, x: Use, node: ast.AST, frame: Frame) -> Use:
        if isinstance(module, Ref):
            return x if module.kind == "skip" else Use(module, [x], line=getattr(node, "lineno", 0))
        if isinstance(module, Seq):
            for child in module.children:
                x = self.apply(child, x, node, frame)
            return x
        if isinstance(module, Custom):
            return self.run(module, [x])
        if isinstance(module, ModList):
            fail(node, f"`{snippet(node)}` calls an nn.ModuleList; call its items (for layer in "
                       "self.layers: x = layer(x)).")
        fail(node, f"`{snippet(node)}` calls a module that is not set (None) or not a torch.nn "
                   "module cnnquiz can read.")

    def tensor(self, node: ast.expr, frame: Frame) -> Use:
        if isinstance(node, ast.Name) and isinstance(v := frame.vars.get(node.id), Use):
            return v
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(
                items := frame.vars.get(node.value.id), list):
            i = try_fold(node.slice, frame.env)  # skips[idx // 2]
            if not isinstance(i, int) or isinstance(i, bool) or not -len(items) <= i < len(items):
                fail(node, f"`{snippet(node)}`: the index is not a constant within the list of "
                           f"{len(items)} tensors.")
            item = items[i]
            assert isinstance(item, Use)  # lists in forward hold tensors only (tensor_list, .append)
            return item
        if isinstance(node, ast.BinOp):
            sides = [s for s in (node.left, node.right) if self.is_tensor(s, frame)]
            params = [p for s in (node.left, node.right)
                      if isinstance(p := self.module(s, frame), Ref) and p.kind == "parameter"]
            if len(sides) == 1 and len(params) == 1:  # x * self.scale: the parameter's weights
                return Use(params[0], [self.tensor(sides[0], frame)], line=node.lineno)
            if len(sides) == 1:
                return self.tensor(sides[0], frame)  # x * 0.5, x / 255: shape kept
            op = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply"}.get(type(node.op))
            if op is None or not sides:
                fail(node, f"`{snippet(node)}` combines tensors in a way cnnquiz does not size "
                           "(it reads +, - and * of two tensors).")
            return self.merge(node, op, [self.tensor(s, frame) for s in sides], {})
        if not isinstance(node, ast.Call) or not node.args and not node.keywords and not (
                isinstance(node.func, ast.Attribute) and self.is_tensor(node.func.value, frame)):
            fail(node, f"forward: cannot follow `{snippet(node)}`; expected x = layer(x) steps.")
        f = node.func
        module = self.module(f, frame)
        if module is not UNKNOWN:
            return self.apply(module, self.tensor(self.single(node), frame), node, frame)
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
            method = frame.owner.methods.get(f.attr)
            if method is None:
                fail(node, f"forward calls self.{f.attr}, which __init__ does not define as a "
                           "torch.nn module cnnquiz can read.")
            args = [self.tensor(a, frame) for a in node.args if self.is_tensor(a, frame)]
            return self.run(frame.owner, args, method)
        q = dotted(f, self.aliases) or ""
        if q.startswith("torch"):
            return self.function(node, q.rsplit(".", 1)[-1], frame)
        if isinstance(f, ast.Attribute) and f.attr == "mean":
            return self.mean(node, frame)
        if isinstance(f, ast.Attribute):
            return self.method(node, f.attr, self.tensor(f.value, frame), frame)
        fail(node, f"forward: cannot follow `{snippet(node)}`; expected x = layer(x) steps.")

    def merge(self, node: ast.AST, op: str, srcs: list[Use], options: dict[str, Any]) -> Use:
        line = getattr(node, "lineno", 0)
        return Use(Ref(line, snippet(node), op, options), srcs, line=line)

    def single(self, node: ast.Call) -> ast.expr:
        if len(node.args) != 1 or node.keywords:
            fail(node, f"`{snippet(node)}` takes several inputs; cnnquiz reads single-input "
                       "modules only.")
        return node.args[0]

    def function(self, node: ast.Call, fn: str, frame: Frame) -> Use:
        args = {k.arg: k.value for k in node.keywords}
        first = node.args[0] if node.args else args.get("input", args.get("tensors"))
        if fn in ("cat", "concat", "concatenate"):
            if not isinstance(first, ast.List | ast.Tuple):
                fail(node, f"`{snippet(node)}`: give the tensors to join as a list [a, b].")
            dim_node = args.get("dim", args.get("axis", node.args[1] if len(node.args) > 1
                                                else None))
            dim = 0 if dim_node is None else fold(dim_node, frame.env, "torch.cat: dim")
            if dim == 0:
                fail(node, f"`{snippet(node)}` joins along the batch axis (dim 0); cnnquiz sizes "
                           "joins of features (dim=1 for channels).")
            if dim < 0:
                fail(node, f"`{snippet(node)}`: write dim as a positive number (1 is the "
                           "channels).")
            # channels first, batch counted: dim 1 is the channels (Keras axis -1)
            axis = -1 if dim == 1 else dim - 1
            return self.merge(node, "concatenate", [self.tensor(e, frame) for e in first.elts],
                              {"axis": axis})
        if fn in MERGES:
            tensors = [a for a in node.args if self.is_tensor(a, frame)]
            if len(tensors) == 2:
                return self.merge(node, MERGES[fn], [self.tensor(a, frame) for a in tensors], {})
        if fn in REFUSED or fn in MERGES:
            fail(node, f"`{snippet(node)}`: torch.{fn} is not sized by cnnquiz (it follows "
                       "torch.cat, torch.add and +, -, * of two tensors).")
        if first is None:
            fail(node, f"forward: cannot follow `{snippet(node)}`; expected x = layer(x) steps.")
        x = self.tensor(first, frame)
        if fn in PASSTHROUGH:
            return x
        if fn in FUNCTIONAL:
            return Use(torch_layer(node, FUNCTIONAL[fn], frame.env, functional=True), [x],
                       line=node.lineno)
        if fn == "flatten":
            return Use(self.flatten(node, 1, frame), [x], line=node.lineno)
        fail(node, f"forward: {snippet(node.func)} is not read by cnnquiz (known: activations, "
                   "dropout, pooling, torch.flatten, torch.cat, torch.add).")
