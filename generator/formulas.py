"""Pure shape and count arithmetic, exact for ints and symbolic for SymPy symbols.

Every function here takes plain ``int`` values *or* SymPy expressions. Called with
ints it returns an exact ``int`` (fast: SymPy is not even imported); called with symbols it
returns the SymPy expression of the same formula. That one definition serves both
the answer key (values) and the worked solution (formulas), so the two can never
drift apart.

Defaults that do not change a result (stride 1, dilation 1, padding 0) are passed
as plain ints, so they simply disappear from a symbolic formula:

>>> import sympy as sp
>>> H, k = sp.symbols("H k", integer=True, positive=True)
>>> conv_len(H, k)
H - k + 1
>>> conv_len(100, 7)
94
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ceil_div",
    "concat_len",
    "conv_len",
    "effective_kernel",
    "exact_div",
    "floor_div",
    "prod",
    "same_len",
    "transpose_len",
]

Num = Any  # an int or a SymPy expression


def _all_int(*xs: Num) -> bool:
    return all(isinstance(x, int) for x in xs)


def floor_div(a: Num, b: Num) -> Num:
    """⌊a/b⌋, exact.

    >>> floor_div(7, 2)
    3
    >>> import sympy as sp
    >>> floor_div(sp.Symbol("x"), 2)
    floor(x/2)
    """
    if _all_int(a, b):
        return a // b
    import sympy as sp  # only symbolic formulas need SymPy (a slow import)

    return sp.floor(sp.sympify(a) / b)


def ceil_div(a: Num, b: Num) -> Num:
    """⌈a/b⌉, exact.

    >>> ceil_div(7, 2)
    4
    """
    if _all_int(a, b):
        return -(-a // b)
    import sympy as sp  # only symbolic formulas need SymPy (a slow import)

    return sp.ceiling(sp.sympify(a) / b)


def prod(xs: Iterable[Num]) -> Num:
    """Product of the values (1 for none).

    >>> prod([3, 3, 4, 20])
    720
    """
    xs = list(xs)
    if _all_int(*xs):
        return math.prod(xs)
    import sympy as sp  # only symbolic formulas need SymPy (a slow import)

    return sp.Mul(*xs)


def effective_kernel(k: Num, d: Num = 1) -> Num:
    """Extent of a dilated kernel: d·(k − 1) + 1.

    >>> effective_kernel(3, 2)
    5
    """
    return d * (k - 1) + 1


def conv_len(n: Num, k: Num, s: Num = 1, p: Num = 0, d: Num = 1, one: Num = 1) -> Num:
    """Output length of a strided window over ``n`` zero-padded by ``p`` on each side.

    ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1, the rule of both PyTorch and Keras ('valid' is p = 0).
    ``one`` is the final ``+ 1`` (a misconception may set it to 0).

    >>> conv_len(32, 5)
    28
    >>> conv_len(121, 4, s=3)
    40
    >>> conv_len(32, 3, p=1, d=2)
    30
    """
    return floor_div(n + 2 * p - d * (k - 1) - 1, s) + one


def same_len(n: Num, s: Num = 1) -> Num:
    """Output length with TF/Keras 'same' padding: ⌈n/s⌉.

    >>> same_len(64, 2)
    32
    >>> same_len(15, 2)
    8
    """
    return ceil_div(n, s)


def transpose_len(
    n: Num, k: Num, s: Num = 1, p: Num = 0, d: Num = 1, output_padding: Num = 0
) -> Num:
    """Output length of a transposed convolution with explicit padding ``p``.

    (n − 1)·s − 2p + d(k − 1) + output_padding + 1, as in PyTorch's ConvTranspose.

    >>> transpose_len(16, 4, s=2, p=1)
    32
    """
    return (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def exact_div(a: Num, b: Num) -> Num:
    """a/b where b divides a (grouped channels); symbolic a/b for symbols.

    >>> exact_div(96, 2)
    48
    """
    if _all_int(a, b):
        q, r = divmod(a, b)
        if r:
            raise ValueError(f"{b} does not divide {a}")
        return q
    import sympy as sp  # only symbolic formulas need SymPy (a slow import)

    return sp.sympify(a) / b


def concat_len(sizes: Iterable[Num]) -> Num:
    """Length of the joined axis of a concatenation: the sum of the inputs' lengths.

    >>> concat_len([64, 32])
    96
    """
    sizes = list(sizes)
    if _all_int(*sizes):
        return sum(sizes)
    import sympy as sp  # only symbolic formulas need SymPy (a slow import)
    return sp.Add(*sizes)
