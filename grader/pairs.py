"""Grading two labelled numbers (``weights_biases``, ``trainable_split``).

Accepted: ``weights 119068, biases 228``, ``weights: 119068; biases: 228``,
``119068 + 228``, ``119068, 228``, one per line, JSON ``{"weights": …, "biases": …}``, and
the pair's two CSV cells (:func:`generator.parts.split_of`). Unlabelled numbers are read in
the order the question asks (weights first; trainable first). The text is split into two
pieces by structure only; each piece is read by :mod:`grader.parse` (nothing is evaluated).

>>> read_pair("weights 119068, biases 228", ("weights", "biases")).values
(119068, 228)
>>> read_pair("228 biases and 119068 weights", ("weights", "biases")).values
(119068, 228)
>>> read_pair("1000 + 24", ("trainable", "non_trainable")).values
(1000, 24)
>>> read_pair("1792", ("weights", "biases")).reason
'expected_pair'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.misconceptions import MISCONCEPTIONS, PAIR_MISCONCEPTIONS, Step
from generator.network import Count
from generator.render import num

from . import sentences
from .answers import as_int
from .diagnose import Diagnoser
from .outcome import Diagnosis, Run
from .parse import BreakdownAnswer, ExpressionAnswer, NumberAnswer, parse_answer
from .totals import summand_values

__all__ = ["NotAPair", "PairAnswer", "grade_pair", "read_pair"]

MAX_PAIR_TEXT = 2_000
#: label words (lower case, letters only) for each pair label
SYNONYMS = {
    "weights": {"weights", "weight", "w", "kernel", "kernels", "kernelweights"},
    "biases": {"biases", "bias", "b", "biasterms"},
    "trainable": {"trainable", "train", "t", "trainableparams", "trainableparameters"},
    "non_trainable": {"nontrainable", "untrainable", "frozen", "nt", "nontrainableparams",
                      "nontrainableparameters", "buffers"},
}
_SPLIT = re.compile(r"\s*(?:;|\n|,\s+|\s+and\s+|\s+&\s+|\s*\+\s*)\s*", re.IGNORECASE)
_LEAD = re.compile(r"^(?P<label>[A-Za-z][A-Za-z _-]{0,40}?)\s*[:=]?\s*(?P<value>[0-9(\[].*)$",
                   re.DOTALL)
_TRAIL = re.compile(r"^(?P<value>.*?[0-9)])\s*(?P<label>[A-Za-z][A-Za-z _-]{0,40})$", re.DOTALL)


@dataclass(frozen=True)
class PairAnswer:
    """Two whole numbers in the pair's order, and whether the student labelled them."""

    values: tuple[int, int]
    labelled: bool
    text: str


def _label(word: str | None, labels: tuple[str, ...]) -> int | None | str:
    """Index of a label word in ``labels``; None for no label; 'bad' for an unknown word."""
    if word is None:
        return None
    w = re.sub(r"[^a-z]", "", word.lower())
    for i, lab in enumerate(labels):
        if w in SYNONYMS.get(lab, {lab}):
            return i
    return "bad"


def _assign(found: list[tuple[int | None | str, int]], labels: tuple[str, ...], text: str
            ) -> PairAnswer | NotAPair:
    if any(lab == "bad" for lab, _ in found):
        return _expected(labels, f"a label is not one of {' or '.join(labels)}")
    named = [lab for lab, _ in found if lab is not None]
    if len(set(named)) != len(named):
        return _expected(labels, "the same label is given twice")
    slots: list[int | None] = [None, None]
    rest = []
    for lab, v in found:
        if isinstance(lab, int):
            slots[lab] = v
        else:
            rest.append(v)
    for v in rest:
        slots[slots.index(None)] = v
    first, second = slots
    assert first is not None and second is not None
    return PairAnswer((first, second), bool(named), text)


@dataclass(frozen=True)
class NotAPair:
    """An answer that is not two whole numbers; ``reason`` is ``expected_pair``."""

    message: str
    reason: str = "expected_pair"


def _expected(labels: tuple[str, ...], why: str) -> NotAPair:
    a, b = (lab.replace("_", "-") for lab in labels)
    return NotAPair(f"this part asks for two numbers, the {a} and the {b} ({why}); write e.g. "
                    f"'{a} 1000, {b} 24' or '1000 + 24'.")


def _whole(piece: str, locale: str | None) -> int | None:
    r = parse_answer(piece, locale=locale, expect="number")
    match r:
        case NumberAnswer(approximate=False, value=v) | ExpressionAnswer(value=v):
            return as_int(v)
    return None


def _pieces(text: str, labels: tuple[str, ...], locale: str | None) -> PairAnswer | NotAPair:
    body = text.strip()
    if len(body) >= 2 and body[0] + body[-1] in ("()", "[]", "{}"):
        body = body[1:-1]
    pieces = [p for p in _SPLIT.split(body) if p.strip()]
    if len(pieces) != 2:
        return _expected(labels, f"we read {sentences.plural(len(pieces), 'piece')}")
    found: list[tuple[int | None | str, int]] = []
    for p in pieces:
        m = _LEAD.match(p) or _TRAIL.match(p)
        word, value = (m["label"], m["value"]) if m else (None, p)
        v = _whole(value, locale)
        if v is None:
            return _expected(labels, f"'{p[:40]}' is not a whole number")
        found.append((_label(word, labels), v))
    return _assign(found, labels, text)


def read_pair(text: str, labels: tuple[str, ...], locale: str | None = None
              ) -> PairAnswer | NotAPair:
    """Two whole numbers for ``labels`` from an answer text, or why not."""
    if len(text) > MAX_PAIR_TEXT:
        return _expected(labels, "the answer is too long")
    r = parse_answer(text, locale=locale, expect="breakdown")
    match r:
        case BreakdownAnswer(entries=(a, b)):
            va, vb = (as_int(getattr(e.value, "value", None)) for e in (a, b))
            if va is not None and vb is not None:
                return _assign([(_label(a.label, labels), va), (_label(b.label, labels), vb)],
                               labels, text)
        case ExpressionAnswer(expr=expr):
            values, _ = summand_values(expr)
            if len(values) == 2 and all(v >= 0 for v in values):
                return PairAnswer((values[0], values[1]), False, text)
        case NumberAnswer():
            return _expected(labels, "we read one number")
    return _pieces(text, labels, locale)


def _one_number_diagnosed(run: Run, labels: tuple[str, ...], g: tuple[int, int],
                          expected: tuple[int, ...]) -> bool:
    """One of the two numbers wrong by a catalogued mistake (found through the total it
    implies): bias mistakes explain the biases only, others the weights or trainable count."""
    wrong = [i for i in (0, 1) if g[i] != expected[i]]
    if len(wrong) != 1 or run.prep.network.count != Count.TRAINABLE:
        return False
    i = wrong[0]
    if labels == ("trainable", "non_trainable"):
        if i != 0:
            return False
        implied = g[0]  # the trainable count is the total the network asks for
    else:
        implied = sum(expected) - expected[i] + g[i]
    found = run.prep.diagnoser.total(implied, typed=False)
    if not found or not Diagnoser.confident(found):
        return False
    e = found[0]
    bias_only = all(MISCONCEPTIONS[m].step == Step.BIAS for m in e.ids)
    if labels == ("weights", "biases") and bias_only != (i == 1):
        return False
    names = run.prep.names
    for s in e.sites:
        m = MISCONCEPTIONS[s.mid]
        layers = [names[j] if j >= 0 else "the input" for j in s.layers]
        text = sentences.stated(m, layers)
        run.line(text, layer=sentences.names(layers), step=str(m.step), title=m.title,
                 formula=m.formula)
        run.diagnoses.append(Diagnosis((s.mid,), tuple(layers), run.given or 0, text, True))
    run.confident = True
    return True


def grade_pair(run: Run, a: PairAnswer) -> None:
    labels = run.prep.spec.labels
    first, second = (lab.replace("_", "-") for lab in labels)
    expected = tuple(run.prep.expected[lab] for lab in labels)
    g = a.values
    run.given = sum(g)
    shown = f"{first} {num(g[0])}, {second} {num(g[1])}"
    if g == expected:
        run.correct(shown)
        return
    run.headline = f"Not quite: you answered {shown}."
    if g == expected[::-1]:
        m = PAIR_MISCONCEPTIONS["pair_swapped"]
        text = sentences.pair(m, first, second)
        run.line(text, title=m.title)
        run.diagnoses.append(Diagnosis((m.id,), (), run.given, text, True))
        run.confident = True
        return
    every = sum(expected)
    bn = MISCONCEPTIONS.get("bn_moving_stats_trainable")
    if bn and labels == ("trainable", "non_trainable") and g == (every, 0) and expected[1]:
        d = run.prep.diagnoser
        layers = [run.prep.names[j] for j in d.engine.fits(bn.id) if j >= 0]
        text = sentences.stated(bn, layers)
        run.line(text, layer=sentences.names(layers), title=bn.title, step=str(bn.step),
                 formula=bn.formula)
        run.diagnoses.append(Diagnosis((bn.id,), tuple(layers), run.given, text, True))
        run.confident = True
        return
    if _one_number_diagnosed(run, labels, g, expected):
        return
    right = [lab for lab, x, y in zip((first, second), g, expected, strict=True) if x == y]
    if right:
        wrong = second if right[0] == first else first
        run.line(f"Your {right[0]} count is right; your {wrong} count is not.")
    elif sum(g) == every:
        run.line(f"Your two numbers add up to the right total, but the split between {first} "
                 f"and {second} is wrong.")
    run.advice = (f"Go through the layers and sort each weight tensor into {first} or "
                  f"{second}; then add each group up.")
