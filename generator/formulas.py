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
from typing import Any, overload

__all__ = [
    "ceil_conv_len",
    "ceil_div",
    "concat_len",
    "conv_len",
    "effective_kernel",
    "exact_div",
    "keras_transpose_len",
    "floor_div",
    "prod",
    "same_len",
    "tiles",
    "transpose_len",
    "window_remainder",
]

Num = Any  # an int or a SymPy expression


def _all_int(*xs: Num) -> bool:
    for x in xs:  # a loop, not all(genexpr): the arithmetic of every forward pass asks this
        if not isinstance(x, int):
            return False
    return True


@overload
def floor_div(a: int, b: int) -> int: ...
@overload
def floor_div(a: Num, b: Num) -> Num: ...


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


@overload
def ceil_div(a: int, b: int) -> int: ...
@overload
def ceil_div(a: Num, b: Num) -> Num: ...


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


@overload
def conv_len(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, one: int = 1) -> int: ...
@overload
def conv_len(n: Num, k: Num, s: Num = 1, p: Num = 0, d: Num = 1, one: Num = 1) -> Num: ...


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


def keras_transpose_len(n: Num, k: Num, s: Num = 1, d: Num = 1, *, same: bool,
                        output_padding: Num | None = None, wide: bool = True) -> Num:
    """Output length of a Keras transposed convolution with 'same' or 'valid' padding.

    'same': n·s, or (n − 1)·s + k_eff mod 2 + output_padding when that is given; 'valid':
    (n − 1)·s + k_eff (+ output_padding), or n·s when the dilated kernel is narrower than the
    stride (``wide`` False), as Keras's ``deconv_output_length`` computes.

    >>> keras_transpose_len(4, 3, 2, same=True), keras_transpose_len(4, 3, 2, same=False)
    (8, 9)
    >>> keras_transpose_len(4, 1, 3, same=False, wide=False)
    12
    """
    keff = effective_kernel(k, d)
    if same:
        return n * s if output_padding is None else (n - 1) * s + keff % 2 + output_padding
    if output_padding is not None:
        return (n - 1) * s + keff + output_padding
    return (n - 1) * s + keff if wide else n * s


def window_remainder(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """What a strided window leaves over (0: it tiles its padded input exactly).

    >>> window_remainder(28, 5, 1), window_remainder(121, 4, 3), window_remainder(10, 3, 2)
    (0, 0, 1)
    """
    return int((n + 2 * p - effective_kernel(k, d)) % s)


def tiles(n: int, k: int, s: int = 1, padding: str | int = "valid", d: int = 1) -> bool:
    """True when a window's output length needs no rounding: 'same' when the stride divides
    the input, else when the window tiles its padded input exactly (:func:`window_remainder`).

    >>> tiles(28, 5), tiles(10, 3, 2), tiles(10, 3, 2, "same"), tiles(10, 3, 2, 1)
    (True, False, True, False)
    """
    if padding == "same":
        return n % s == 0
    p = 0 if padding == "valid" else int(padding)
    return window_remainder(n, k, s, p, d) == 0


def ceil_conv_len(n: Num, k: Num, s: Num = 1, p: Num = 0, d: Num = 1) -> Num:
    """The output length with the division rounded up (PyTorch's ``ceil_mode=True``; a common
    slip): ⌈(n + 2p − d·(k − 1) − 1)/s⌉ + 1.

    >>> ceil_conv_len(10, 3, 2), conv_len(10, 3, 2)
    (5, 4)
    """
    return ceil_div(n + 2 * p - d * (k - 1) - 1, s) + 1


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


def upsample_len(n: Num, s: Num) -> Num:
    """Length after nearest-neighbour upsampling by a whole factor: n·s.

    >>> upsample_len(7, 2)
    14
    """
    return n * s


def pad_len(n: Num, before: Num, after: Num) -> Num:
    """Length after zeros added before and after (ZeroPadding); a negative pad crops.

    >>> pad_len(28, 2, 2), pad_len(28, -3, -1)
    (32, 24)
    """
    return n + before + after
