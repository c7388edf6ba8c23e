"""How a catalogue hint is filled in for its layers: the one definition, shared by the
grader's feedback (:mod:`grader.sentences`) and the exports' distractor feedback.

>>> names(["conv1"]), names(["conv1", "conv2"]), names(["a", "b", "c"])
('conv1', 'conv1 and conv2', 'a, b and c')
>>> fill("{layer} is plain pooling: it has no weights.", ["pool1", "pool2"])
'Each of pool1 and pool2 is plain pooling: it has no weights.'
>>> fill("In {layer}, each filter also has one bias.", ["conv1", "conv2"])
'In conv1 and conv2, each filter also has one bias.'
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["fill", "names"]


def names(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def fill(hint: str, layers: Sequence[str]) -> str:
    """A hint written for one layer, filled in for one or several (verbs stay singular)."""
    if len(layers) > 1 and hint.startswith("{layer}"):
        return "Each of " + hint.replace("{layer}", names(layers), 1)
    return hint.replace("{layer}", names(layers))
