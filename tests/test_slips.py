"""Arithmetic slips named in the feedback: catalogue data with stable ids, never recorded."""

from __future__ import annotations

import pytest

from generator.misconceptions.slips import SLIPS
from grader import grade
from grader.slips import which_slip

SPEC = {"input": {"shape": [16, 16], "channels": 3},
        "layers": [{"type": "conv2d", "name": "conv1", "filters": 5, "kernel": 3},
                   {"type": "conv2d", "name": "conv2", "filters": 9, "kernel": 3},
                   {"type": "flatten"}, {"type": "dense", "name": "out", "units": 7}]}
KEY = grade(SPEC, "0").expected  # 9633: conv1 140, conv2 414, out 9079


def test_ids_are_stable() -> None:
    assert set(SLIPS) == {"slip_digit_changed", "slip_digits_swapped", "slip_digit_dropped",
                          "slip_layer_misadded"}
    assert all(s.id == k and "{" not in s.hint for k, s in SLIPS.items())


@pytest.mark.parametrize(("value", "slip"), [
    (9623, "slip_digit_changed"), (6933, "slip_digits_swapped"), (963, "slip_digit_dropped"),
    (96333, "slip_digit_dropped"), (KEY - 140 + 410, "slip_layer_misadded"),
])
def test_a_slip_is_named_not_recorded(value: int, slip: str) -> None:
    assert KEY == 9633
    assert which_slip(grade(SPEC, "0", part="per_layer").expected.values(), value)[0] == slip
    r = grade(SPEC, str(value))
    assert r.status == "incorrect" and r.recorded == ()
    title = SLIPS[slip].title
    assert title[0].upper() + title[1:] in r.feedback
    assert SLIPS[slip].hint in r.feedback
    hidden = grade(SPEC, str(value), hide_answer=True).feedback
    assert "9,633" not in hidden and "9633" not in hidden


def test_a_catalogued_mistake_is_not_called_a_slip() -> None:
    r = grade(SPEC, str(KEY - 14))  # both conv biases left out
    assert r.recorded == ("conv_no_bias",) and "arithmetic slip" not in r.feedback


def test_a_guess_is_not_called_a_slip() -> None:
    r = grade(SPEC, "3000")
    assert "arithmetic slip" not in r.feedback and "No common mistake" in r.feedback
