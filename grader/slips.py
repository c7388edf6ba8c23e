"""Arithmetic slips: the answers a typo or a miscopied digit gives, as a rival of the catalogue.

A wrong total that is one keystroke away from the key (one digit changed, two adjacent
digits swapped, one digit left out or doubled), or from the key with one layer's count
so changed, may be a slip rather than a misconception. :func:`slip_mass` gives the prior
mass of that rival; the diagnosis adds it to "something else", so a catalogued cause that
only coincides with a slip is offered as "perhaps", never recorded. The masses were set
from ``bench/diagnosis.py`` (conditions ``slip``, ``transposed``, ``dropped``).

>>> one_keystroke(666, 664), one_keystroke(21116, 12116), one_keystroke(1630, 1360)
(True, True, True)
>>> one_keystroke(1308, 808)
False
>>> which_slip([105, 1210], 1351), which_slip([105, 1210], 1360), which_slip([105, 1210], 4000)
(('slip_digits_swapped', None), ('slip_layer_misadded', 0), None)
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["LAYER_SLIP", "TOTAL_SLIP", "one_keystroke", "slip_mass", "which_slip"]

#: mass of "a slip in the total itself" when the value is one keystroke from the key
TOTAL_SLIP = 0.15
#: mass of "a slip in one layer's count" (shared by the layers it could be)
LAYER_SLIP = 0.05


def one_keystroke(a: int, b: int) -> bool:
    """b differs from a by one changed digit, one adjacent swap, or one digit dropped/added."""
    if a == b or a < 0 or b < 0:
        return False
    x, y = str(a), str(b)
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
            and x[diff[1]] == y[diff[0]]
    if abs(len(x) - len(y)) != 1:
        return False
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def slip_mass(params: Sequence[int], value: int) -> float:
    """Prior mass that ``value`` is a slip of the correct per-layer ``params``' total."""
    total = sum(params)
    mass = TOTAL_SLIP if one_keystroke(total, value) else 0.0
    counted = [p for p in params if p]
    hits = sum(1 for p in counted if one_keystroke(p, value - total + p))
    if hits:
        mass += LAYER_SLIP * hits / len(counted)
    return mass


def _kind(a: int, b: int) -> str:
    """Which keystroke turns a into b (one_keystroke(a, b) holds)."""
    x, y = str(a), str(b)
    if len(x) != len(y):
        return "slip_digit_dropped"
    return "slip_digit_changed" if sum(p != q for p, q in zip(x, y, strict=True)) == 1 \
        else "slip_digits_swapped"


def which_slip(params: Sequence[int], value: int) -> tuple[str, int | None] | None:
    """The slip (:data:`generator.misconceptions.slips.SLIPS` id) that makes ``value`` of
    the per-layer ``params``, and the layer index for a miscopied layer; None if none does.
    A slip in the total itself is preferred (it needs no layer to be guessed)."""
    total = sum(params)
    if one_keystroke(total, value):
        return _kind(total, value), None
    for i, p in enumerate(params):
        if p and one_keystroke(p, value - total + p):
            return "slip_layer_misadded", i
    return None
