"""Reading a tensor shape: 94x94x60, (None, 94, 94, 60), [94, 94, 60]."""

from __future__ import annotations

import re
from typing import Literal, overload

from .parsed import ShapeAnswer
from .reading import ParseError, Reason, echo

__all__ = ["MAX_DIMS", "read_shape"]

MAX_DIMS = 8

_BATCH = {"none", "null", "?", "batch", "batch_size", "n", "b", "bs", "-1"}
_DIM = re.compile(r"[0-9]{1,10}")
_BY = re.compile(r"\s*[xX*]\s*")


def _bad_shape(v: str, problem: str) -> ParseError:
    return ParseError(Reason.BAD_SHAPE, f"we read {echo(v)} as a shape, but {problem}; write "
                      "it like 94x94x60 or (None, 94, 94, 60).")


@overload
def read_shape(v: str, raw: str, expected: Literal[True]) -> ShapeAnswer: ...
@overload
def read_shape(v: str, raw: str, expected: bool) -> ShapeAnswer | None: ...


def read_shape(v: str, raw: str, expected: bool) -> ShapeAnswer | None:
    """``v`` as a shape; with ``expected`` every failure is a BAD_SHAPE error (never None),
    else None where ``v`` is not shaped like one."""
    body, bracketed = v, len(v) >= 2 and v[0] + v[-1] in ("()", "[]")
    if bracketed:
        body = v[1:-1].strip()
    if "," in body and (bracketed or expected):
        items = [i.strip() for i in body.split(",")]
        if bracketed and len(items) > 1 and not items[-1]:
            items.pop()  # (60,)
    elif expected:
        items = _BY.split(body)
    else:
        return None
    if not all(_DIM.fullmatch(i) or i.lower() in _BATCH for i in items):
        if expected:
            raise _bad_shape(v, "each entry must be a whole number (or None first, for the "
                             "batch)")
        return None
    has_batch = items[0].lower() in _BATCH
    dims = items[1:] if has_batch else items
    if not dims or any(d.lower() in _BATCH for d in dims):
        raise _bad_shape(v, "None, ?, N or -1 may only stand first, for the batch, and a "
                         "shape needs at least one size")
    if len(dims) > MAX_DIMS:
        raise _bad_shape(v, f"it has {len(dims)} dimensions and the limit is {MAX_DIMS}")
    sizes = tuple(int(d) for d in dims)
    if 0 in sizes:
        raise _bad_shape(v, "a size of 0 leaves no values; check the size formula")
    shown = ", ".join(["batch"] * has_batch + [str(d) for d in sizes])
    return ShapeAnswer(sizes, has_batch, raw, f"({shown})")
