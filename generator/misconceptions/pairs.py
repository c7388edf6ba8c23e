"""Pair mistakes: two labelled numbers (weights_biases, trainable_split) given wrongly."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAIR_MISCONCEPTIONS", "PairMisconception"]


@dataclass(frozen=True)
class PairMisconception:
    """A mistake in giving a pair; ``{first}`` and ``{second}`` are the pair's labels."""

    id: str
    title: str
    hint: str


PAIR_MISCONCEPTIONS: dict[str, PairMisconception] = {m.id: m for m in (
    PairMisconception("pair_swapped", "the two numbers swapped",
                      "The question asks for the {first} first, then the {second}; your two "
                      "numbers are right but in the other order (or under each other's label)."),
)}
