"""Find what makes a question ambiguous: conventions a spec leaves unstated that change the answer.

For each convention (see :data:`generator.spec.CONVENTIONS`) that the spec does not fix, the
spec is solved once per alternative, the alternative applied to every layer that leaves it
unstated. The convention is reported when the alternatives give different answers.

>>> spec = {"input": {"shape": [8, 8], "color": "gray"},
...         "conventions": {"bias": "true"},
...         "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]}
>>> lint(spec)  # padding unstated, but a conv alone has the same count either way
[]
>>> spec["layers"] += [{"type": "flatten"}, {"type": "dense", "units": 1}]
>>> [(a.convention, a.sites, [(o.value, o.answer) for o in a.outcomes]) for a in lint(spec)]
[('padding', ('conv2d',), [('valid', 93), ('same', 149)])]
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .network import Network, solve
from .spec import CONVENTIONS, load_spec

__all__ = ["Ambiguity", "Outcome", "lint"]


@dataclass(frozen=True)
class Outcome:
    """The answer under one alternative of a convention (or why it is impossible)."""

    value: str
    answer: int | None
    error: str | None = None


@dataclass(frozen=True)
class Ambiguity:
    """A convention left unstated whose alternatives give different answers."""

    convention: str
    sites: tuple[str, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def differs(self) -> bool:
        return len({(o.answer, o.error is None) for o in self.outcomes}) > 1


def _with(spec: Mapping[str, Any], key: str, value: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(spec))
    out["conventions"] = {**(out.get("conventions") or {}), key: value}
    return out


def lint(spec: Mapping[str, Any], network: Network | None = None) -> list[Ambiguity]:
    """Every unstated convention of ``spec`` whose alternatives change the answer.

    A convention is reported when at least two alternatives differ in the answer or in
    whether the network is valid at all. ``network``: ``load_spec(spec)``, when the caller
    has it already.
    """
    base = load_spec(spec) if network is None else network
    given = (spec.get("conventions") or {}).keys()
    found: list[Ambiguity] = []
    for key, choices in CONVENTIONS.items():
        if key in given:
            continue
        outcomes: list[Outcome] = []
        sites: set[str] = set()
        for value in choices:
            try:
                net = load_spec(_with(spec, key, value))
                sites |= {layer for layer, _ in net.stated - base.stated}
                outcomes.append(Outcome(value, solve(net).answer))
            except ConfigError as e:
                outcomes.append(Outcome(value, None, str(e)))
        if key == "count":
            sites = _non_trainable_layers(base)
        amb = Ambiguity(key, tuple(sorted(sites)), tuple(outcomes))
        if sites and amb.differs:
            found.append(amb)
    return found


def _non_trainable_layers(net: Network) -> set[str]:
    """Layers holding non-trainable weights (batch-norm statistics, frozen layers)."""
    try:
        rows = solve(net).rows
    except ConfigError:
        return set()
    return {r.name for r in rows if r.non_trainable}
