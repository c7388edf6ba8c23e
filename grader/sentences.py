"""The feedback sentences: one builder for text, HTML, Markdown and JSON.

Every sentence about a misconception is assembled here from the catalogue's data (title,
hint, step, formula) and the network's own numbers; the templates only format the strings
and the JSON carries the same strings. Grammar is handled once: lists of layers ("conv1
and conv2") and hints written for one layer (:mod:`generator.misconceptions.phrasing`,
shared with the exports' distractor feedback), plural agreement ("1 unit", "2 units").

>>> plural(1, "unit"), plural(2, "filter")
('1 unit', '2 filters')
>>> from generator.misconceptions import MISCONCEPTIONS, MAC_MISCONCEPTIONS
>>> stated(MISCONCEPTIONS["conv_no_bias"], ["conv1", "conv2"])  # doctest: +NORMALIZE_WHITESPACE
'Conv bias left out (conv1 and conv2; step: bias). In conv1 and conv2, each filter also has
 one bias: add C_out to the kernel weights. Formula: (k_h·k_w·C_in + 1)·C_out → k_h·k_w·C_in·C_out.'
>>> stated(MAC_MISCONCEPTIONS["macs_kernel_area_dropped"], ["conv1"])[:60]
'Kernel area left out of the MACs (conv1; step: kernel size).'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from generator.buggy import INPUT, BuggyResult, Engine
from generator.layers import fmt_shape
from generator.layers.kinds.words import plural
from generator.misconceptions import MISCONCEPTIONS, Misconception
from generator.misconceptions.phrasing import fill, names
from generator.render import num
from generator.spec import family

from .sites import Explanation, Site

__all__ = ["NOT_GIVEN", "advice", "cause", "entry_at", "fill", "left_out", "mistake", "names",
           "pair", "plural",
           "shape_advice", "stated", "sure", "twins"]


#: what a per-layer finding says of a layer the answer gives no value for (not "you wrote 0")
NOT_GIVEN = "no value given"


def left_out(layers: Sequence[str], *, named: bool = True) -> str:
    """The one sentence for layers with parameters that an answer (a partial list, or a sum
    without their terms) gives no value for.

    >>> left_out(["dense"]), left_out(["conv2", "dense"], named=False)[:40]
    ('no value given for dense; it has parameters too, so it counts towards the total', \
'no value given; they have parameters too')
    """
    one = len(layers) == 1
    who = f" for {names(list(layers))}" if named else ""
    return (f"{NOT_GIVEN}{who}; {'it has' if one else 'they have'} parameters too, so "
            f"{'it counts' if one else 'they count'} towards the total")


class _Traced(Protocol):
    """What a sentence reads of the diagnoser: the layer names and the correct trace."""

    @property
    def engine(self) -> Engine: ...
    @property
    def base(self) -> BuggyResult: ...


def capital(text: str) -> str:
    """The first letter upper case (titles are stored lower case)."""
    return text[:1].upper() + text[1:]


class Entry(Protocol):
    """What a sentence needs of a catalogue entry (misconception, MAC or pair mistake)."""

    @property
    def title(self) -> str: ...
    @property
    def hint(self) -> str: ...
    @property
    def formula(self) -> str: ...
    @property
    def step(self) -> Any: ...


def advice(m: Entry, layers: Sequence[str]) -> str:
    """What to do about an entry in these layers: its hint, filled in (the middle of
    :func:`stated`; per-layer findings and the first hint of the hint ladder use it too)."""
    return fill(m.hint, layers)


def stated(m: Entry, layers: Sequence[str]) -> str:
    """A catalogue entry stated as the diagnosis: 'Title (where; step: s). Hint. Formula: f.'

    Every confident sentence about one mistake (totals, shapes, MACs, pairs, the hint
    ladder's first rung) is this one.
    """
    where = f"{names(layers)}; " if layers else ""
    return (f"{capital(m.title)} ({where}step: {m.step}). {advice(m, layers)} "
            f"Formula: {m.formula}.")


def pair(m: Any, first: str, second: str) -> str:
    """A pair mistake's hint with the pair's two labels filled in."""
    return str(m.hint).format(first=first, second=second)


def layer_name(d: _Traced, i: int) -> str:
    return "the input" if i == INPUT else d.engine.names[i]


def site_layers(d: _Traced, s: Site) -> list[str]:
    return [layer_name(d, i) for i in s.layers]


def entry_at(d: _Traced, s: Site) -> Misconception:
    """A site's catalogue entry, worded for its layers' kind (a transposed convolution's own
    output-size rule)."""
    return MISCONCEPTIONS[s.mid].worded(d.engine.families[i] for i in s.layers if i != INPUT)


def cause(d: _Traced, sites: Sequence[Site]) -> str:
    """The misconceptions of one explanation as one phrase: 'A in conv1 and B in dense'."""
    return names([f"{MISCONCEPTIONS[s.mid].title} in {names(site_layers(d, s))}" for s in sites])


def difference(d: _Traced, trace: BuggyResult, *, show: bool) -> str:
    """What the explanation does, in the student's numbers: the first layer that changes."""
    base = d.base
    for i in range(len(base.params)):
        if trace.shapes[i] != base.shapes[i]:
            right = f" instead of {fmt_shape(base.shapes[i])}" if show else ""
            return f"{layer_name(d, i)} then outputs {fmt_shape(trace.shapes[i])}{right}"
        if trace.params[i] != base.params[i]:
            right = f" instead of {num(base.params[i])}" if show else ""
            return f"{layer_name(d, i)} then counts {num(trace.params[i])}{right}"
    return ""


def mistake(d: _Traced, e: Explanation, value: int, *, show: bool) -> str:
    """One possible explanation of a total, as one sentence (for a "perhaps" line)."""
    steps = names([f"{entry_at(d, s).step}: {entry_at(d, s).formula}" for s in e.sites])
    what = cause(d, e.sites)
    return (f"{capital(what)} (step {steps}): {difference(d, e.trace, show=show)}, "
            f"giving {num(value)}.")


def sure(d: _Traced, e: Explanation, value: int, *, show: bool) -> str:
    """The confident diagnosis of a total: each mistake, its hint and formula, the result."""
    parts = [stated(entry_at(d, s), site_layers(d, s)) for s in e.sites]
    return " ".join(parts) + (f" With this, {difference(d, e.trace, show=show)}, and the total "
                              f"is {num(value)}.")


def twins(d: _Traced, others: Sequence[Explanation]) -> str:
    """'It gives the same numbers in every layer as A, or as B.' ('' when none)."""
    if not others:
        return ""
    return (" It gives the same numbers in every layer as "
            + ", or as ".join(cause(d, o.sites) for o in others) + ".")


#: per layer family: how its output shape is computed (shape advice names the right rule)
_SHAPE_RULES = {
    "conv": "spatial sizes ⌊(H + 2P − k)/s⌋ + 1 per axis, depth = its number of filters",
    "depthwise": "spatial sizes ⌊(H + 2P − k)/s⌋ + 1 per axis, depth = C_in × depth multiplier",
    "separable": "spatial sizes ⌊(H + 2P − k)/s⌋ + 1 per axis, depth = its number of filters",
    "conv_transpose": "spatial sizes (H − 1)·s − 2P + k (+ output padding) per axis, depth = "
                      "its number of filters",
    "pool": "spatial sizes ⌊(H − k)/s⌋ + 1 per axis ('same': ⌈H/s⌉), depth unchanged",
    "global_pool": "one value per channel: the output is C",
    "flatten": "one axis of H·W·C values",
    "dense": "the last axis becomes its number of units",
}


def shape_advice(kind: str, name: str) -> str:
    """Advice to recompute one layer's output shape, with that layer kind's own rule."""
    rule = _SHAPE_RULES.get(family(kind), "the same shape as its input")
    return f"Recompute the output of {name} from its input: {rule}."
