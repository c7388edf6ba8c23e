"""Constant folding for the code importers: values read from :mod:`ast` nodes, never run.

:func:`fold` knows numbers, strings, ``None``, tuples and lists, names bound to such values,
``+ - * // % **`` on whole numbers, ``/`` (a float, as in Python), unary minus, indexing
and slicing of a folded tuple (``shape[0]``, ``shape[:2]``), conditional expressions and ``and``/``or``
with folded operands, and the pure builtins ``int``, ``round``, ``float``, ``abs``, ``min``, ``max``, ``len``, ``sum``,
``tuple`` and ``list`` on folded values, and ``math.floor``/``math.ceil``. Nothing else: a call of anything else, an
attribute of an object, a comprehension is "not a constant".

:func:`constants` binds the names a statement list assigns (``N = 64``, ``N: int = 64``,
``H, W = 28, 28``, ``H, W, C = shape``, ``n *= 2``), in order, at module or function level;
:func:`with_parameters` binds a function's parameters to the arguments of one call (or to
their defaults). A name bound to anything else becomes :data:`UNKNOWN`, so a later use says
it is not constant rather than picking up an older value.

>>> import ast
>>> env = constants(ast.parse("img_rows, img_cols = 28, 28\\n"
...                           "input_shape = (img_rows, img_cols, 1)\\n"
...                           "half = img_rows // 2\\nnum_classes = 10").body, {})
>>> env["input_shape"], env["half"], env["num_classes"]
((28, 28, 1), 14, 10)
>>> fold(ast.parse("max(16, half * 4) + input_shape[-1]", mode="eval").body, env, "filters")
57
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any, NoReturn, TypeVar

from ..errors import ConfigError
from .envkeys import DEFINED, LAYER_BUDGET, MAX_LAYER_CALLS, NOTES, PARAMS, defined_names

__all__ = ["DEFINED", "LAYER_BUDGET", "MAX_INT", "MAX_LAYER_CALLS", "MAX_TUPLE", "NOTES",
           "PARAMS", "UNKNOWN", "bind", "bind_value", "constants", "defined_names", "fold",
           "try_fold", "unknown_reason", "with_parameters"]

MAX_INT = 10**12  # no layer size comes near; keeps folded arithmetic small
MAX_TUPLE = 16


def _name_reason(key: str, env: Mapping[str, Any]) -> str:
    """Why a name has no constant value, when the environment knows (else '')."""
    params = env.get(PARAMS) or {}
    if key in params:
        return f" ({params[key]})"
    defined = env.get(DEFINED)
    if defined is not None and key not in env and key.split(".")[0] not in defined:
        return f" ({key.split('.')[0]} is never defined in the paste)"
    return ""


def unknown_reason(node: ast.AST, env: Mapping[str, Any]) -> str:
    """Why an expression has no constant value, e.g. ``' (n is never defined in the paste)'``;
    '' when it has one or no reason is known (a call, an attribute of a run-time object)."""
    try:
        _fold(node, env)
    except _NotConstant as e:
        return e.args[0] if e.args else ""
    except RecursionError:
        return ""
    return ""


class _Unknown:
    """A name bound to something that is not a constant (a call, a parameter, ...)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class _NotConstant(Exception):
    pass


def _fail(node: ast.AST, message: str) -> NoReturn:
    raise ConfigError(message, where=f"line {getattr(node, 'lineno', 0)}")


def _snippet(node: ast.AST, limit: int = 70) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fold(node: ast.AST, env: Mapping[str, Any], what: str) -> Any:
    """The constant value of an expression node, or a ConfigError saying why it has none.

    ``what`` names the argument in the message, e.g. ``"filters"``.

    >>> fold(ast.parse("(3, 3)", mode="eval").body, {}, "kernel_size")
    (3, 3)
    >>> fold(ast.parse("n_filters", mode="eval").body, {}, "filters")
    Traceback (most recent call last):
    generator.errors.ConfigError: line 1: filters=n_filters is not a constant; replace it by a number.
    """
    try:
        return _fold(node, env)
    except _NotConstant as e:
        reason = e.args[0] if e.args else ""
        _fail(node, f"{what}={_snippet(node)} is not a constant{reason}; replace it by a number.")
    except RecursionError:
        _fail(node, f"{what}= is too deeply nested to read; replace it by a number.")


def try_fold(node: ast.AST | None, env: Mapping[str, Any]) -> Any:
    """The constant value of a node, or UNKNOWN (no error).

    >>> try_fold(ast.parse("2 * 3", mode="eval").body, {}), try_fold(ast.parse("f()").body[0], {})
    (6, UNKNOWN)
    """
    if node is None:
        return UNKNOWN
    try:
        return _fold(node, env)
    except (_NotConstant, RecursionError):
        return UNKNOWN


def _fold(node: ast.AST, env: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | str | float | type(None)):
            return node.value
        if isinstance(node.value, int):
            return _small(node.value)
        raise _NotConstant()
    if isinstance(node, ast.Tuple | ast.List):
        out: list[Any] = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                inner = _fold(e.value, env)
                if not isinstance(inner, tuple):
                    raise _NotConstant()
                out.extend(inner)
            else:
                out.append(_fold(e, env))
        if len(out) > MAX_TUPLE:
            raise _NotConstant(f" (more than {MAX_TUPLE} items)")
        return tuple(out)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _fold(node.operand, env)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _NotConstant()
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _fold(node.operand, env)
    if isinstance(node, ast.BinOp):
        return _binop(node.op, _fold(node.left, env), _fold(node.right, env))
    if isinstance(node, ast.Name | ast.Attribute):
        key = node.id if isinstance(node, ast.Name) else ast.unparse(node)
        if key in env and env[key] is not UNKNOWN:
            return env[key]
        raise _NotConstant(_name_reason(key, env))
    if isinstance(node, ast.Subscript):
        return _subscript(_fold(node.value, env), node.slice, env)
    if isinstance(node, ast.BoolOp):
        values = [_fold(v, env) for v in node.values]
        if isinstance(node.op, ast.And):
            return next((v for v in values if not v), values[-1])
        return next((v for v in values if v), values[-1])
    if isinstance(node, ast.IfExp):
        return _fold(node.body if _fold(node.test, env) else node.orelse, env)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        a, b = _fold(node.left, env), _fold(node.comparators[0], env)
        ops = {ast.Eq: a == b, ast.NotEq: a != b}
        if type(node.ops[0]) in ops:
            return ops[type(node.ops[0])]
        order: dict[type[ast.cmpop], Callable[[], bool]] = {
            ast.Lt: lambda: a < b, ast.LtE: lambda: a <= b, ast.Gt: lambda: a > b,
            ast.GtE: lambda: a >= b}
        if _number(a) and _number(b) and type(node.ops[0]) in order:
            return order[type(node.ops[0])]()
        raise _NotConstant()
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return _builtin(node.func.id, [_fold(a, env) for a in node.args])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(
            node.func.value, ast.Name) and node.func.value.id == "math" and (
            node.func.attr in ("floor", "ceil")) and len(node.args) == 1 and not node.keywords:
        v = _fold(node.args[0], env)
        if not _number(v):
            raise _NotConstant()
        return _small(math.floor(v) if node.func.attr == "floor" else math.ceil(v))
    raise _NotConstant()


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _builtin(name: str, args: list[Any]) -> Any:
    """The pure builtins a model file uses on sizes: int(x / 2), max(8, n // 4), len(shape)."""
    if name == "int" and len(args) == 1 and _number(args[0]):
        return _small(int(args[0]))
    if name == "round" and len(args) == 1 and _number(args[0]):
        return _small(round(args[0]))
    if name == "float" and len(args) == 1 and _number(args[0]):
        return float(args[0])
    if name == "abs" and len(args) == 1 and _number(args[0]):
        return abs(args[0])
    if name in ("min", "max") and args:
        items = args[0] if len(args) == 1 and isinstance(args[0], tuple) else tuple(args)
        if items and all(_number(x) for x in items):
            return min(items) if name == "min" else max(items)
    if name == "len" and len(args) == 1 and isinstance(args[0], tuple | str):
        return len(args[0])
    if name == "sum" and len(args) == 1 and isinstance(args[0], tuple) and all(
            _int(x) for x in args[0]):
        return _small(sum(args[0]))
    if name in ("tuple", "list") and len(args) == 1 and isinstance(args[0], tuple):
        return args[0]
    if name == "reversed" and len(args) == 1 and isinstance(args[0], tuple):
        return args[0][::-1]  # for f in reversed(features): the tuple backwards
    raise _NotConstant()


def _subscript(value: Any, index: ast.AST, env: Mapping[str, Any]) -> Any:
    if not isinstance(value, tuple):
        raise _NotConstant()
    if isinstance(index, ast.Slice):
        parts = [None if p is None else _fold(p, env) for p in (index.lower, index.upper, index.step)]
        if not all(p is None or _int(p) for p in parts) or parts[2] == 0:
            raise _NotConstant()
        return value[slice(*parts)]
    i = _fold(index, env)
    if not _int(i) or not -len(value) <= i < len(value):
        raise _NotConstant(" (index out of range)")
    return value[i]


def _small(v: int) -> int:
    if abs(v) > MAX_INT:
        raise _NotConstant(f" small enough to be a layer size (|value| > {MAX_INT:.0e})")
    return v


_FLOAT_OPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}
_INT_OPS = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__,
            ast.FloorDiv: int.__floordiv__, ast.Mod: int.__mod__}


def _binop(op: ast.operator, a: Any, b: Any) -> Any:
    if _int(a) and _int(b):
        if isinstance(op, ast.FloorDiv | ast.Mod | ast.Div) and b == 0:
            raise _NotConstant(" (division by zero)")
        if type(op) in _INT_OPS:
            return _small(_INT_OPS[type(op)](a, b))
        if isinstance(op, ast.Pow) and 0 <= b <= 64 and abs(a) <= MAX_INT:
            return _small(a**b) if abs(a) < 2 or b * abs(a).bit_length() <= 64 else _small(
                MAX_INT + 1)
    if isinstance(op, ast.Div) and _number(a) and _number(b):
        if b == 0:
            raise _NotConstant(" (division by zero)")
        return a / b  # a float, as in Python: int(planes * (base_width / 64.0)) folds
    if _number(a) and _number(b) and type(op) in _FLOAT_OPS:
        return _FLOAT_OPS[type(op)](a, b)
    if isinstance(op, ast.Add) and isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) + len(b) > MAX_TUPLE:
            raise _NotConstant(f" (more than {MAX_TUPLE} items)")
        return a + b
    if isinstance(op, ast.Mult) and {type(a), type(b)} == {tuple, int}:
        t, n = (a, b) if isinstance(a, tuple) else (b, a)
        if n < 0 or len(t) * n > MAX_TUPLE:
            raise _NotConstant(f" (more than {MAX_TUPLE} items)")
        return t * n
    raise _NotConstant(" (only whole numbers, tuples and + - * // % are folded)")


#: a constants environment written to: a dict, or a ChainMap over the enclosing scope's
_Env = TypeVar("_Env", bound=MutableMapping[str, Any])


def constants(body: Sequence[ast.stmt], env: _Env) -> _Env:
    """Names bound by the assignments of a statement list, in order (module or function level).

    Names bound to anything else become UNKNOWN, so a later use says it is not constant.

    >>> constants(ast.parse("A = 2\\nB = A * 8\\nC = f()\\nH, W, _ = (A, 3, 1)\\nA += 1").body, {})
    {'A': 3, 'B': 16, 'C': UNKNOWN, 'H': 2, 'W': 3, '_': 1}
    """
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                bind(t, stmt.value, env)
        elif isinstance(stmt, ast.AnnAssign):
            bind(stmt.target, stmt.value, env)
        elif isinstance(stmt, ast.AugAssign):
            key = ast.unparse(stmt.target)
            value = ast.BinOp(stmt.target, stmt.op, stmt.value)
            env[key] = try_fold(value, env) if key in env else UNKNOWN
    return env


def bind(target: ast.expr, value: ast.expr | None, env: MutableMapping[str, Any]) -> None:
    """Bind one assignment target (a name, ``self.attr`` or a tuple of them) to a value node."""
    if isinstance(target, ast.Name | ast.Attribute):
        key = ast.unparse(target)
        folded = try_fold(value, env)
        _set(env, key, folded)
        if folded is UNKNOWN and value is not None and DEFINED in env:  # say why, if used
            inner = unknown_reason(value, env).strip(" ()") or "computed when the code runs"
            env[PARAMS] = {**(env.get(PARAMS) or {}), key: (
                f"{key} = {_snippet(value, 40)} on line {getattr(value, 'lineno', 0)}: {inner}")}
    elif isinstance(target, ast.Tuple | ast.List):
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            folded = [try_fold(v, env) for v in value.elts]  # right side first: a, b = b, a
            for t, v in zip(target.elts, folded, strict=True):
                bind_value(t, v, env)
            return
        whole = try_fold(value, env)
        seq = whole if isinstance(whole, tuple) and len(whole) == len(target.elts) else None
        for i, t in enumerate(target.elts):
            bind_value(t, UNKNOWN if seq is None else seq[i], env)


def _set(env: MutableMapping[str, Any], key: str, value: Any) -> None:
    """Bind a name; a parameter given a value in the body is no longer a bare parameter."""
    env[key] = value
    params = env.get(PARAMS)
    if params and key in params:
        env[PARAMS] = {k: v for k, v in params.items() if k != key}


def bind_value(target: ast.expr, value: Any, env: MutableMapping[str, Any]) -> None:
    """Bind a target (a name or nested tuple of names) to an already folded value."""
    if isinstance(target, ast.Name | ast.Attribute):
        _set(env, ast.unparse(target), value)
    elif isinstance(target, ast.Tuple | ast.List):
        seq = value if isinstance(value, tuple) and len(value) == len(target.elts) else None
        for i, t in enumerate(target.elts):
            bind_value(t, UNKNOWN if seq is None else seq[i], env)


def with_parameters(fn: ast.FunctionDef, env: Mapping[str, Any],
                    call: ast.Call | None = None, *, skip_self: bool = False,
                    caller_env: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``env`` plus a function's parameters: the call's folded arguments, else the defaults.

    A parameter with neither is UNKNOWN. With ``skip_self`` the first parameter (``self``)
    is left out. Arguments are folded in ``caller_env`` (default: ``env``).

    >>> fn = ast.parse("def block(x, filters, stride=1, *, bn=True): pass").body[0]
    >>> call = ast.parse("block(x, 64, bn=False)", mode="eval").body
    >>> env = with_parameters(fn, {}, call)
    >>> env["filters"], env["stride"], env["bn"], env["x"]
    (64, 1, False, UNKNOWN)
    """
    out = dict(env)
    caller = env if caller_env is None else caller_env
    positional = fn.args.posonlyargs + fn.args.args
    if skip_self:
        positional = positional[1:]
    defaults = [None] * (len(positional) - len(fn.args.defaults)) + list(fn.args.defaults)
    defaults = defaults[-len(positional):] if positional else []
    values: dict[str, Any] = {}
    for p, d in zip(positional, defaults, strict=True):
        values[p.arg] = UNKNOWN if d is None else try_fold(d, env)
    for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        values[p.arg] = UNKNOWN if d is None else try_fold(d, env)
    if call is not None:
        for p, a in zip(positional, call.args, strict=False):
            if isinstance(a, ast.Starred):
                break
            values[p.arg] = try_fold(a, caller)
        for kw in call.keywords:
            if kw.arg is not None and kw.arg in values:
                values[kw.arg] = try_fold(kw.value, caller)
    given: set[str | None] = set()
    reasons: dict[str, str] = {}
    if call is not None:
        pairs = [(p.arg, a) for p, a in zip(positional, call.args, strict=False)] + [
            (kw.arg, kw.value) for kw in call.keywords]
        for name, a in pairs:
            given.add(name)
            if name in values and values[name] is UNKNOWN and not isinstance(a, ast.Starred):
                inner = unknown_reason(a, caller).strip(" ()") or "computed when the code runs"
                reasons[name] = (f"{name} is {_snippet(a, 40)} in the call on line "
                                 f"{call.lineno}: {inner}")
    for p, d in zip(positional + fn.args.kwonlyargs,
                    defaults + list(fn.args.kw_defaults), strict=True):
        if d is None and p.arg not in given:
            reasons[p.arg] = (f"{p.arg} is a parameter of {fn.name}() (line {fn.lineno}) with "
                              "no default, and no call in the file gives its value")
    if reasons:
        out[PARAMS] = {**(env.get(PARAMS) or {}), **reasons}
    out.update(values)
    return out
