"""Arithmetic slips: wrong answers no misconception explains but a keystroke does.

Not misconceptions (nothing is recorded against the student), but named in the feedback
when a slip is the likeliest explanation: the digits of the whole total (one changed, two
adjacent swapped, one dropped or added), or one layer's count so miscopied before adding
up. Ids are stable; :mod:`grader.slips` decides which one a value is, and how likely.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SLIPS", "ArithmeticSlip"]


@dataclass(frozen=True)
class ArithmeticSlip:
    """One kind of slip; ``hint`` holds no numbers (``{value}``, ``{key}``, ``{layer}``,
    ``{was}``, ``{got}`` are filled in by the grader, and only where the key may be shown)."""

    id: str
    title: str
    hint: str
    #: the sentence with the numbers, shown only where the expected answer is shown
    detail: str


SLIPS: dict[str, ArithmeticSlip] = {s.id: s for s in (
    ArithmeticSlip("slip_digit_changed", "an arithmetic slip: one digit changed",
                   "Your method looks right; recheck the digits of your result.",
                   "{value} differs from {key} in one digit only."),
    ArithmeticSlip("slip_digits_swapped", "an arithmetic slip: two digits swapped",
                   "Your method looks right; recheck the order of the digits you wrote.",
                   "{value} is {key} with two neighbouring digits swapped."),
    ArithmeticSlip("slip_digit_dropped", "an arithmetic slip: a digit dropped or doubled",
                   "Your method looks right; recheck how many digits your result has.",
                   "{value} is {key} with one digit left out or written twice."),
    ArithmeticSlip("slip_layer_misadded", "an arithmetic slip in one layer's count",
                   "Your method looks right; recheck each layer's count as you add them up.",
                   "Your total matches the layers' counts with {layer} written as {got} "
                   "instead of {was}."),
)}
