"""The importers' constant folder (generator/importers/consts.py): what folds, what does not."""

from __future__ import annotations

import ast

import pytest

from generator.errors import ConfigError
from generator.importers.consts import UNKNOWN, constants, fold, try_fold, with_parameters

MODULE = """
img_rows, img_cols = 28, 28
input_shape = (img_rows, img_cols, 1)
IMG_SIZE = 224
num_classes = 10
base = 64
widths = [base, base * 2, base * 4]
H, W, C = input_shape
seed = compute()
growth = 32
growth *= 2
"""

ENV = constants(ast.parse(MODULE).body, {})


@pytest.mark.parametrize(("expr", "value"), [
    ("input_shape", (28, 28, 1)),
    ("IMG_SIZE // 2", 112),
    ("IMG_SIZE % 7", 0),
    ("2 ** 5", 32),
    ("widths[-1]", 256),
    ("widths[:2]", (64, 128)),
    ("input_shape[:2] + (3,)", (28, 28, 3)),
    ("(3,) * 2", (3, 3)),
    ("int(IMG_SIZE * 0.5)", 112),
    ("int(base * (IMG_SIZE / 224.0)) * 2", 128),
    ("max(16, base // 8)", 16),
    ("min(widths)", 64),
    ("len(widths)", 3),
    ("sum(widths)", 448),
    ("H * W * C", 784),
    ("growth", 64),
    ("128 if num_classes > 2 else 1", 128),
    ("(*input_shape[:2], 3)", (28, 28, 3)),
    ("-num_classes", -10),
])
def test_folds(expr: str, value: object) -> None:
    assert fold(ast.parse(expr, mode="eval").body, ENV, "x") == value


@pytest.mark.parametrize(("expr", "reason"), [
    ("seed", "not a constant"),
    ("open('f').read()", "not a constant"),
    ("widths[7]", "index out of range"),
    ("10 ** 40", "small enough"),
    ("IMG_SIZE // 0", "division by zero"),
    ("[i for i in range(3)]", "not a constant"),
])
def test_refuses_with_reason(expr: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        fold(ast.parse(expr, mode="eval").body, ENV, "filters")
    assert reason in str(info.value)
    assert "filters=" in str(info.value)


def test_rebinding_to_a_non_constant_forgets_the_old_value() -> None:
    env = constants(ast.parse("n = 4\nn = f()\na, b = g()").body, {})
    assert env == {"n": UNKNOWN, "a": UNKNOWN, "b": UNKNOWN}
    assert try_fold(ast.parse("n + 1", mode="eval").body, env) is UNKNOWN


def test_swap_reads_the_right_side_first() -> None:
    assert constants(ast.parse("a, b = 1, 2\na, b = b, a").body, {}) == {"a": 2, "b": 1}


def test_parameters_from_a_call_then_defaults() -> None:
    fn = ast.parse("def block(self, x, filters, stride=1, *, expand=4): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    call = ast.parse("self.block(x, base * 2, expand=k)", mode="eval").body
    assert isinstance(call, ast.Call)
    env = with_parameters(fn, {"base": 32}, call, skip_self=True, caller_env={"base": 32, "k": 6})
    assert (env["filters"], env["stride"], env["expand"], env["x"]) == (64, 1, 6, UNKNOWN)
