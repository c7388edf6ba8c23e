"""Argument converters the readers of several kinds share.

An importer reader (:data:`~.base.Reader`) turns one call's arguments into spec options;
the first helpers are the conversions more than one kind needs (an int-or-tuple to one value
per axis, Keras's and PyTorch's padding spellings, zero padding per side). The last ones make
a kind's spec option readers (:class:`~.base.Parse`) from :mod:`generator.spec_values`.

>>> tup(3, 2), tup((1, 2), 2)
((3, 3), (1, 2))
"""

from __future__ import annotations

from typing import Any

from ...spec_values import _axes, _axis, _int, _output_size, _pairs, _sizes, _tuple
from .base import Args, Parse

__all__ = ["axes", "axis_of", "ints", "keras_padding", "keras_tuple", "keras_zero_padding",
           "output_size", "pairs", "per_axis", "sizes", "torch_padding", "torch_zero_padding",
           "tup", "whole"]


def ints(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def tup(v: Any, rank: int) -> tuple[Any, ...]:
    """One value per axis: a tuple or list as given, a single value repeated."""
    return tuple(v) if isinstance(v, tuple | list) else (v,) * rank


def keras_tuple(a: Args, key: str, rank: int, default: Any) -> Any:
    v = a.get(key, default)
    return tup(default if v is None else v, rank)


def keras_padding(a: Args, kernel: Any, dilation: Any) -> Any:
    """Keras's padding: 'valid', 'same', or Keras 1's 'full' (Theano: k − 1 zeros each side)."""
    v = a.get("padding", "valid")
    mode = v.lower() if isinstance(v, str) else v
    if mode in ("valid", "same"):
        return mode
    if mode == "full" and kernel is not None:
        return tuple(d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
    a.fail(f"padding={v!r} is not read; cnnquiz knows 'valid', 'same' and Keras 1's 'full'.")


def keras_zero_padding(a: Args, rank: int) -> tuple[int, ...]:
    v = a.get("padding", 1)
    if ints(v):
        return (v,) * rank
    if rank == 1 and isinstance(v, tuple) and len(v) == 2 and all(ints(p) for p in v):
        v = (v,)  # ZeroPadding1D((left, right)): one pair (keras/src/layers/reshaping/zero_padding1d.py)
    if not isinstance(v, tuple) or len(v) != rank:
        a.fail(f"padding needs one entry per spatial axis ({rank}).")
    out = []
    for p in v:
        if ints(p):
            out.append(p)
        elif isinstance(p, tuple) and len(p) == 2 and p[0] == p[1] and ints(p[0]):
            out.append(p[0])
        else:
            a.fail(f"asymmetric padding {p!r} cannot be folded into the next layer (cnnquiz "
                   "pads both sides alike); use equal sizes.")
    return tuple(out)


def torch_padding(a: Args, rank: int, strides: tuple[int, ...], explicit: bool = False) -> Any:
    """PyTorch's padding: a number or tuple (zeros per side), 'same' (stride 1 only), 'valid'."""
    v = a.get("padding", 0)
    if isinstance(v, str):
        if v == "same" and any(s != 1 for s in strides):
            a.fail(f"PyTorch refuses padding='same' with stride {strides}; use an explicit "
                   "padding.")
        if v in ("same", "valid"):
            return v
        a.fail(f"padding={v!r}: expected a number, a tuple, 'same' or 'valid'.")
    pad = tup(v, rank)
    return "valid" if not explicit and all(p == 0 for p in pad) else pad


def torch_zero_padding(a: Args, rank: int) -> tuple[int, ...]:
    """``nn.ZeroPad2d((left, right, top, bottom))`` (last axis first) as zeros per axis."""
    v = a.get("padding")
    if isinstance(v, int):
        return (v,) * rank
    if isinstance(v, tuple) and len(v) == 2 * rank:
        pairs = [v[i:i + 2] for i in range(0, len(v), 2)]
        if all(p[0] == p[1] for p in pairs):
            return tuple(p[0] for p in reversed(pairs))
    a.fail(f"padding {v!r} is not the same on both sides of each axis, so it cannot be folded "
           "into the next layer; use equal sizes.")


# -- spec option readers (value, *, rank, where) ----------------------------------------------
def whole(what: str) -> Parse:
    """A whole number ≥ 1."""
    def read(v: Any, *, rank: int, where: str) -> int:
        return _int(v, what, where)
    return read


def per_axis(what: str) -> Parse:
    """One whole number per spatial axis (a single number serves every axis)."""
    def read(v: Any, *, rank: int, where: str) -> tuple[int, ...]:
        return _tuple(v, rank, what, where)
    return read


def pairs(what: str) -> Parse:
    """A (before, after) pair per spatial axis."""
    def read(v: Any, *, rank: int, where: str) -> tuple[tuple[int, int], ...]:
        return _pairs(v, rank, what, where)
    return read


def sizes(what: str, allow: int | None = None) -> Parse:
    """A list of whole numbers (``allow``: one other value accepted, -1 for a reshape)."""
    def read(v: Any, *, rank: int, where: str) -> tuple[int, ...]:
        return _sizes(v, what, where, allow=allow)
    return read


def axis_of(kind: str) -> Parse:
    """A merge's axis (only concatenate has one), counted as Keras does."""
    def read(v: Any, *, rank: int, where: str) -> int:
        return _axis(v, kind, where)
    return read


def axes(v: Any, *, rank: int, where: str) -> tuple[int, ...]:
    return _axes(v, where)


def output_size(v: Any, *, rank: int, where: str) -> tuple[int | None, ...]:
    return _output_size(v, rank, where)
