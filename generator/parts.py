"""Question parts, defined once: what each part counts and the form of its answer.

A part *kind* (:data:`KINDS`) says what it counts (:class:`Quantity`), whether it names a
layer, and the form of its answer (:class:`Form`): one integer, a labelled pair, a shape,
or one integer per layer. A :class:`Part` is a kind plus the layer it names, written
``shape:conv2`` or ``macs:conv1``. The answer key, the question text, the worked solution,
the renderers and exports, the grader, batch grading and the practice app all read parts
from here; none keeps its own list of part names or its own counting rule.

"Parameters" (the ``total`` and ``per_layer`` parts) count what the network's ``count``
convention says: trainable parameters, or all of them with ``count: total``; the key and
the grader both count through :meth:`Part.answer`.

>>> from generator.spec import load_spec
>>> from generator.network import solve
>>> sol = solve(load_spec({"input": {"shape": [8, 8], "channels": 3},
...                        "layers": [{"type": "conv2d", "filters": 2, "kernel": 3},
...                                   {"type": "batch_normalization"}]}))
>>> [(p, parse_part(p).form.value) for p in ("total", "macs", "macs:conv2d", "trainable_split")]
[('total', 'integer'), ('macs', 'per_layer'), ('macs:conv2d', 'integer'), ('trainable_split', 'pair')]
>>> parse_part("trainable_split").answer(sol), parse_part("weights_biases").answer(sol)
({'trainable': 60, 'non_trainable': 4}, {'weights': 56, 'biases': 4})
>>> parse_part("per_layer").answer(sol), parse_part("macs:conv2d").answer(sol)
({'conv2d': 56, 'batch_normalization': 4}, 1944)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from .errors import ConfigError
from .network import Count, LayerRow, Network, Solution

__all__ = ["KINDS", "NAMES", "Form", "Kind", "Part", "Quantity", "mac_counts", "parse_part",
           "pick_part", "split_of", "wide_columns"]


class Form(StrEnum):
    """The form of an answer."""

    INTEGER = "integer"      # one integer
    PAIR = "pair"            # two labelled integers
    SHAPE = "shape"          # one shape (channels last, no batch axis)
    PER_LAYER = "per_layer"  # one integer per layer


class Quantity(StrEnum):
    """What a part counts; PARAMETERS is the network's count convention (trainable or all)."""

    PARAMETERS = "parameters"
    TRAINABLE = "trainable"
    NON_TRAINABLE = "non_trainable"
    ALL = "all"
    WEIGHTS = "weights"
    BIASES = "biases"
    MACS = "macs"
    SHAPE = "shape"


@dataclass(frozen=True)
class Kind:
    """One kind of part: its name, what it counts, whether it names a layer, its form.

    ``form`` is the answer's form when no layer is named, ``layer_form`` when one is
    (None: the kind never names a layer). ``labels`` name the two numbers of a pair.
    """

    name: str
    counts: tuple[Quantity, ...]
    form: Form | None
    layer_form: Form | None = None
    labels: tuple[str, ...] = ()
    #: what one number of the answer is called ("{layer}" filled in), e.g. in an LMS blank
    noun: str = ""

    @property
    def names_layer(self) -> bool:
        return self.layer_form is not None


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("total", (Quantity.PARAMETERS,), Form.INTEGER, noun="parameters"),
    Kind("per_layer", (Quantity.PARAMETERS,), Form.PER_LAYER, noun="parameters per layer"),
    # a bare "shape" is resolved to a layer when a problem is generated (form None)
    Kind("shape", (Quantity.SHAPE,), None, Form.SHAPE, noun="output shape of {layer}"),
    Kind("weights_biases", (Quantity.WEIGHTS, Quantity.BIASES), Form.PAIR,
         labels=("weights", "biases"), noun="weights and biases"),
    Kind("trainable_split", (Quantity.TRAINABLE, Quantity.NON_TRAINABLE), Form.PAIR,
         labels=("trainable", "non_trainable"), noun="trainable and non-trainable parameters"),
    Kind("macs", (Quantity.MACS,), Form.PER_LAYER, Form.INTEGER, noun="MACs of {layer}"),
)}
#: every part name, in the order ``generate --parts`` lists them
NAMES: tuple[str, ...] = tuple(KINDS)
#: weight tensors that count as biases in ``weights_biases`` (batch norm's β is a shift)
BIAS_WEIGHTS = frozenset({"bias", "beta"})


@dataclass(frozen=True)
class Part:
    """A kind and the layer it names; ``str(part)`` is its name in files (``macs:conv1``)."""

    kind: Kind
    layer: str | None = None

    def __str__(self) -> str:
        return f"{self.kind.name}:{self.layer}" if self.layer else self.kind.name

    @property
    def name(self) -> str:
        return str(self)

    @property
    def form(self) -> Form:
        form = self.kind.layer_form if self.layer else self.kind.form
        if form is None:
            raise ConfigError(f"part '{self.kind.name}' must name a layer, e.g. "
                              f"{self.kind.name}:conv1.", where="part")
        return form

    @property
    def labels(self) -> tuple[str, ...]:
        return self.kind.labels

    @property
    def label(self) -> str:
        """What the answer is called: 'parameters', 'MACs of conv1'.

        >>> parse_part("macs:conv1").label, parse_part("macs").label
        ('MACs of conv1', 'MACs of each layer')
        """
        return self.kind.noun.format(layer=self.layer or "each layer")

    def counts(self, network: Network) -> tuple[Quantity, ...]:
        """What this part counts in ``network`` (PARAMETERS resolved by its convention)."""
        every = Quantity.ALL if network.count == Count.TOTAL else Quantity.TRAINABLE
        return tuple(every if q is Quantity.PARAMETERS else q for q in self.kind.counts)

    def layers(self, sol: Solution) -> tuple[str, ...]:
        """The layers a per-layer answer lists (every layer; for MACs those with a kernel)."""
        if self.kind.name == "macs":
            return tuple(mac_counts(sol))
        return tuple(r.name for r in sol.rows)

    def check(self, sol: Solution) -> None:
        """Raise ConfigError when the named layer does not fit this part."""
        names = [r.name for r in sol.rows]
        if self.layer is not None and self.layer not in names:
            raise ConfigError(f"part '{self}' names no layer; layers: {', '.join(names)}.",
                              where="part")
        self.form  # noqa: B018 - raises for a bare layer-only kind
        if self.kind.name == "macs" and self.layer and self.layer not in mac_counts(sol):
            raise ConfigError(f"part '{self}': {self.layer} has no kernel to multiply; "
                              f"layers with MACs: {', '.join(mac_counts(sol))}.", where="part")

    def answer(self, sol: Solution) -> Any:
        """The key: an int, a shape list, or a mapping (pair labels or layer names) of ints."""
        self.check(sol)
        q = self.counts(sol.network)[0]
        name = self.kind.name
        if name == "total":
            return _count(sol.rows, q)
        if name == "per_layer":
            return {r.name: _count((r,), q) for r in sol.rows}
        if name == "shape":
            return list(sol.row(str(self.layer)).out_shape)
        if name == "weights_biases":
            ws = [w for r in sol.rows for w in r.weights if w.trainable]
            biases = sum(w.size for w in ws if w.name in BIAS_WEIGHTS)
            return {"weights": sum(w.size for w in ws) - biases, "biases": biases}
        if name == "trainable_split":
            return {"trainable": sol.trainable, "non_trainable": sol.non_trainable}
        macs = mac_counts(sol)
        return macs[self.layer] if self.layer else macs


def _count(rows: Iterable[LayerRow], q: Quantity) -> int:
    return sum(r.params if q is Quantity.ALL else r.trainable for r in rows)


def mac_counts(sol: Solution) -> dict[str, int]:
    """MACs of every layer that multiplies by a kernel (a shared layer computes too)."""
    out = {}
    for r, n in zip(sol.rows, sol.network.nodes, strict=True):
        m = n.layer.macs(r.in_shape)
        if m:
            out[r.name] = m
    return out


@lru_cache(maxsize=1024)
def parse_part(text: str) -> Part:
    """``total``, ``per_layer``, ``shape:conv2``, ``macs``, ``macs:conv1``… (names unchecked).

    >>> str(parse_part(" macs:conv1 ")), parse_part("shape").layer
    ('macs:conv1', None)
    """
    if not isinstance(text, str):
        raise ConfigError(f"a part is a name such as total; received {type(text).__name__}.",
                          where="part")
    base, _, layer = text.strip().partition(":")
    kind = KINDS.get(base.strip())
    if kind is None:
        raise ConfigError(f"unknown part '{text[:60]}'; parts: {', '.join(NAMES)} "
                          "(shape and macs may name a layer, e.g. shape:conv2, macs:conv1).",
                          where="part")
    layer = layer.strip()
    if layer and not kind.names_layer:
        raise ConfigError(f"part '{kind.name}' names no layer; use plain '{kind.name}'.",
                          where="part")
    return Part(kind, layer or None)


def pick_part(text: str, asked: Sequence[str]) -> str:
    """A bare ``shape`` (or ``macs``) names the problem's one part of that kind, if it has one.

    >>> pick_part("shape", ["total", "shape:conv2"]), pick_part("macs", ["macs"])
    ('shape:conv2', 'macs')
    """
    part = parse_part(text)
    if part.layer or part.kind.form is not None and str(part) in asked:
        return str(part)
    same = [a for a in asked if a.partition(":")[0] == part.kind.name]
    return same[0] if len(same) == 1 else str(part)


def wide_columns(mapping: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """Wide-format columns grouped per part: ``COLUMN=PART`` is one column; a pair's two
    numbers may be two columns, ``W=weights_biases.weights`` and ``B=weights_biases.biases``
    (kept in the pair's order, at the first column's place).

    >>> wide_columns({"Q1": "total", "B": "weights_biases.biases", "W": "weights_biases.weights"})
    [('total', ['Q1']), ('weights_biases', ['W', 'B'])]
    """
    out: list[tuple[str, list[str]]] = []
    cells: dict[str, dict[str, str]] = {}
    for column, text in mapping.items():
        base, dot, label = text.partition(".")
        if not dot:  # a part name is checked when its rows are graded
            out.append((text, [column]))
            continue
        pair = parse_part(base)
        if pair.form is not Form.PAIR or label not in pair.labels:
            raise ConfigError(f"'{text}': only a pair's numbers may have columns of their own "
                              f"({', '.join(f'{k}.{lab}' for k in NAMES for lab in KINDS[k].labels)}).",
                              where="wide")
        if str(pair) not in cells:
            cells[str(pair)] = {}
            out.append((str(pair), []))
        cells[str(pair)][label] = column
    for name, cols in out:
        if name in cells:
            got = cells[name]
            missing = [lab for lab in parse_part(name).labels if lab not in got]
            if missing:
                raise ConfigError(f"'{name}' in two columns needs a column for "
                                  f"{' and '.join(f'{name}.{m}' for m in missing)}.", where="wide")
            cols.extend(got[lab] for lab in parse_part(name).labels)
    return out


def split_of(part: Part, cells: Sequence[str]) -> str:
    """Two cells of a pair (e.g. two CSV columns) as one labelled answer text.

    >>> split_of(parse_part("weights_biases"), ["119068", " 228"])
    'weights: 119068; biases: 228'
    """
    if part.form is not Form.PAIR or len(cells) != len(part.labels):
        raise ConfigError(f"part '{part}' takes {len(part.labels) or 1} cell(s).", where="part")
    return "; ".join(f"{lab}: {c.strip()}" for lab, c in zip(part.labels, cells, strict=True))
