"""A brute-force oracle that shares no code with generator/formulas.py.

Output lengths are found by *counting* window positions with range(); weight counts by
building the weight tensors as nested lists and counting their leaves.
"""

from __future__ import annotations

import math


def count_windows(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Number of positions where a dilated window fits inside [−p, n + p)."""
    extent = d * (k - 1) + 1
    return sum(1 for start in range(-p, n + p, s) if start + extent <= n + p)


def same_windows(n: int, s: int) -> int:
    """'same' padding (TF): one output per stride step that starts inside the input."""
    return len(range(0, n, s))


def nested(shape: tuple[int, ...]) -> object:
    """A tensor of zeros as nested lists."""
    if not shape:
        return 0.0
    return [nested(shape[1:]) for _ in range(shape[0])]


def leaves(t: object) -> int:
    """Count the scalars of a nested-list tensor."""
    if isinstance(t, list):
        return sum(leaves(x) for x in t)
    return 1


def conv_params(k: tuple[int, ...], c_in: int, filters: int, groups: int = 1,
                bias: bool = True) -> int:
    """Each filter sees c_in/groups channels through a k-window, plus one bias."""
    per_filter = leaves(nested((*k, c_in // groups)))
    return filters * per_filter + (filters if bias else 0)


def dense_params(n_in: int, units: int, bias: bool = True) -> int:
    return leaves(nested((n_in, units))) + (units if bias else 0)


def flat(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
