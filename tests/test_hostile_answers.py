"""Hostile and misleading answers (issue 10.12): what NFKC or a times-sign reading would turn
into a wrong number is unreadable, with a reason, never graded as that number."""

from __future__ import annotations

import pytest

from grader.parse import Invalid, parse_answer
from grader.reading import Reason


@pytest.mark.parametrize(("text", "reason", "shown"), [
    ("1⅔", Reason.BAD_CHARACTER, "mixed number '1⅔'"),     # NFKC: 12⁄3 -> 4
    ("5⅓", Reason.BAD_CHARACTER, "mixed number '5⅓'"),     # NFKC: 51⁄3 -> 17
    ("2 ¾", Reason.BAD_CHARACTER, "mixed number '2 ¾'"),
    ("0x700", Reason.SYNTAX, "'0x700' looks like a hexadecimal"),  # 0·700 -> 0
    ("0X1F", Reason.SYNTAX, "hexadecimal"),
    ("0b101", Reason.SYNTAX, "binary"),
    ("0o17", Reason.SYNTAX, "octal"),
])
def test_misleading_numerals_are_unreadable(text: str, reason: Reason, shown: str) -> None:
    r = parse_answer(text)
    assert isinstance(r, Invalid), r
    assert r.reason == reason and shown in r.message


@pytest.mark.parametrize(("text", "value"), [("3x3", 9), ("10x10x3", 300), ("3 x 3", 9),
                                             ("(3*3*3+1)*64", 1792), ("1792", 1792)])
def test_products_with_x_are_still_read(text: str, value: int) -> None:
    r = parse_answer(text)
    assert not isinstance(r, Invalid) and r.value == value
