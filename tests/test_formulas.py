"""Shape formulas against the counting oracle, and values against their own symbolic form."""

from __future__ import annotations

import itertools

import pytest
import sympy as sp

from generator.formulas import conv_len, same_len, transpose_len
from tests.oracle import count_windows, same_windows

GRID = list(itertools.product(range(1, 13), range(1, 5), range(1, 4), range(0, 3), range(1, 3)))


@pytest.mark.parametrize(("n", "k", "s", "p", "d"), GRID)
def test_conv_len_counts_windows(n: int, k: int, s: int, p: int, d: int) -> None:
    want = count_windows(n, k, s, p, d)
    got = conv_len(n, k, s, p, d)
    assert got == want or (want == 0 and got <= 0)


@pytest.mark.parametrize(("n", "s"), list(itertools.product(range(1, 40), range(1, 5))))
def test_same_len_counts_windows(n: int, s: int) -> None:
    assert same_len(n, s) == same_windows(n, s)


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "want"),
    [(16, 4, 2, 1, 32), (7, 3, 1, 0, 9), (5, 3, 2, 1, 9)],
    ids=["dcgan-upsample", "stride1-valid", "stride2-pad1"],
)
def test_transpose_len_textbook(n: int, k: int, s: int, p: int, want: int) -> None:
    assert transpose_len(n, k, s, p) == want


def test_symbolic_and_integer_forms_agree() -> None:
    n, k, s, p, d = sp.symbols("n k s p d", integer=True, positive=True)
    expr = conv_len(n, k, s, p, d)
    for vals in [(32, 5, 1, 0, 1), (121, 4, 3, 0, 1), (32, 3, 1, 1, 2), (29, 2, 2, 0, 1)]:
        assert expr.subs(dict(zip((n, k, s, p, d), vals, strict=True))) == conv_len(*vals)


@pytest.mark.parametrize(
    ("args", "want"),
    [((32, 5), 28), ((121, 4, 3), 40), ((32, 3, 1, 1, 2), 30), ((29, 2, 2), 14), ((5, 2, 2), 2)],
    ids=["A-32k5", "D7-stride3", "D13-dilation", "D8-floor-odd", "D8-5by2"],
)
def test_textbook_cases(args: tuple[int, ...], want: int) -> None:
    assert conv_len(*args) == want
