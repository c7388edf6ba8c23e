"""Match a parsed per-layer breakdown or a sum expression to the network's layers.

Parsing is :mod:`grader.parse`'s job (a bounded grammar; nothing here evaluates text).
This module only lines values up with layers and reads the number literals of each
top-level summand, so that a term's factors can be compared with the formula's symbols.

>>> summands("(7*7*1+1)*60 + (5*5*60+1)*100")
['(7*7*1+1)*60', '(5*5*60+1)*100']
>>> literals("(3·3·1 + 1)·20")
[3, 3, 1, 1, 20]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

__all__ = ["align", "as_int", "by_label", "literals", "match_free", "summands"]

_NUM = re.compile(r"\d+(?:[_ ,'\u2009\u202f]\d{3})*")
MAX_TEXT = 20_000


def summands(text: str) -> list[str]:
    """Top-level summands of an expression's text (split at + and − outside brackets)."""
    text = text[:MAX_TEXT]
    out: list[str] = []
    depth, start = 0, 0
    prev = ""
    for k, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in "+-−" and k > start and prev not in "eE*^×·/(" :
            out.append(text[start:k].strip())
            start = k + 1
        if not ch.isspace():
            prev = ch
    out.append(text[start:].strip())
    return [s for s in out if s]


def literals(term: str) -> list[int]:
    """The integer literals of a term, in order (thousands separators joined)."""
    return [int(re.sub(r"\D", "", m.group())) for m in _NUM.finditer(term[:MAX_TEXT])]


def norm(label: str) -> str:
    return re.sub(r"[\s_\-:]+", "", label.lower())


def by_label(labels: Sequence[str | None], names: Sequence[str]) -> list[int] | None:
    """Layer index of each label (names match ignoring case, spaces, '_' and '-')."""
    index = {norm(n): i for i, n in enumerate(names)}
    out = []
    for lab in labels:
        if lab is None or norm(lab) not in index:
            return None
        out.append(index[norm(lab)])
    return out if len(set(out)) == len(out) else None


def align(values: Sequence[int], layers: Sequence[int], plausible: dict[int, set[int]],
          *, late: bool = True) -> list[int] | None:
    """Assign values in order to increasing layers (a layer may get none), best match first.

    Cost 0 when the value is plausible for the layer (its correct value or a one-misconception
    value), 1 otherwise; a skipped layer costs 1 unless 0 is plausible for it. Among equally
    good alignments a value goes to the latest layer it can (``late``) or the earliest.

    >>> align([10, 30], [0, 1, 2], {0: {10}, 1: {20}, 2: {30}})
    [0, 2]
    >>> p = {0: {10}, 1: {0, 30}, 2: {0, 30}}
    >>> align([10, 30], [0, 1, 2], p), align([10, 30], [0, 1, 2], p, late=False)
    ([0, 2], [0, 1])
    """
    n, m = len(values), len(layers)
    if n > m:
        return None
    INF = 10**9
    # best[a][b]: cost of matching the first a values within the first b layers
    best = [[INF] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int, bool]] = {}
    best[0][0] = 0
    for b in range(1, m + 1):
        skip = 0 if 0 in plausible.get(layers[b - 1], set()) else 1
        best[0][b] = best[0][b - 1] + skip
        back[(0, b)] = (0, b - 1, False)
    for a in range(1, n + 1):
        for b in range(1, m + 1):
            lay = layers[b - 1]
            skip = 0 if 0 in plausible.get(lay, set()) else 1
            take = best[a - 1][b - 1] + (0 if values[a - 1] in plausible.get(lay, set()) else 1)
            leave = best[a][b - 1] + skip
            if take < leave or (take == leave and late):
                best[a][b], back[(a, b)] = take, (a - 1, b - 1, True)
            else:
                best[a][b], back[(a, b)] = leave, (a, b - 1, False)
    if best[n][m] >= INF:
        return None
    out: list[int] = []
    a, b = n, m
    while a > 0:
        pa, pb, took = back[(a, b)]
        if took:
            out.append(layers[b - 1])
        a, b = pa, pb
    return out[::-1]


def match_free(values: Sequence[int], layers: Sequence[int], plausible: dict[int, set[int]],
               correct: dict[int, int] | None = None, weighted: set[int] | None = None
               ) -> dict[int, int] | None:
    """Match values to layers in any order, by value and layer type (not by position).

    In turn: values equal to a layer's correct value; values a misconception gives on a
    layer with weights; on any layer; then the rest to the free layers, those with weights
    first.

    >>> match_free([30, 10], [0, 1, 2], {0: {10}, 1: {20}, 2: {30}})
    {2: 30, 0: 10}
    >>> match_free([5, 7], [0, 1, 2], {0: {0, 5}, 1: {9}, 2: {8, 5}}, {0: 0, 1: 9, 2: 8}, {1, 2})
    {2: 5, 1: 7}
    """
    if len(values) > len(layers):
        return None
    correct = correct or {}
    has_w = weighted if weighted is not None else set(layers)
    free = list(layers)
    slots: list[int | None] = [None] * len(values)
    tests = (lambda v, lay: correct.get(lay) == v,
             lambda v, lay: lay in has_w and v in plausible.get(lay, set()),
             lambda v, lay: v in plausible.get(lay, set()))
    for fits in tests:
        for k, v in enumerate(values):
            if slots[k] is None:
                hit = next((lay for lay in free if fits(v, lay)), None)
                if hit is not None:
                    free.remove(hit)
                    slots[k] = hit
    free.sort(key=lambda lay: lay not in has_w)
    out: dict[int, int] = {}
    for v, hit in zip(values, slots, strict=True):
        out[hit if hit is not None else free.pop(0)] = v
    return out


def as_int(x: object) -> int | None:
    """An exact integer value, or None (fractions are not counts)."""
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return x
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return None
