"""Argument converters the importer readers of several kinds share (Keras and PyTorch defaults).

A reader (:data:`~.base.Reader`) turns one call's arguments into spec options; these helpers
are the conversions more than one kind needs: an int-or-tuple to one value per axis, Keras's
and PyTorch's padding spellings, zero padding per side.

>>> tup(3, 2), tup((1, 2), 2)
((3, 3), (1, 2))
"""

from __future__ import annotations

from typing import Any

from .base import Args

__all__ = ["ints", "keras_padding", "keras_tuple", "keras_zero_padding", "torch_padding",
           "torch_zero_padding", "tup"]


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
