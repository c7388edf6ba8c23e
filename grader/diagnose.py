"""Diagnosis: which misconceptions, in which layers, explain a wrong answer.

Generic over the catalogue (:data:`generator.misconceptions.MISCONCEPTIONS`); no bug is
named here. A :class:`Diagnoser` compiles a network once (its sites and their traces) and
offers two searches, each in its own module:

- :meth:`Diagnoser.total` (:mod:`grader.total_search`) explains a wrong *total* by up to
  three (misconception, site) pairs, each consistent or a one-layer slip, error carried
  forward;
- :meth:`Diagnoser.local` (:mod:`grader.local_search`) judges a per-layer answer layer by
  layer against the student's own earlier shapes (follow-through); the whole answer then
  has its say (:mod:`grader.whole_answer`): of the indexed combinations that give every
  value, the simplest (fewer mistakes, then fewer one-layer slips) is named, or a hedge
  among equally simple ones.

The vocabulary (sites, priors, thresholds, the work budget) is in :mod:`grader.sites`.
Beyond :data:`MAX_LAYERS` layers, or past the work budget, a network is *too large to
diagnose*: answers are still graded exactly, and the feedback says so.

>>> from generator.spec import load_spec
>>> net = load_spec({"input": {"shape": [10, 10], "channels": 3},
...                  "layers": [{"type": "conv2d", "filters": 4, "kernel": 3},
...                             {"type": "flatten"}, {"type": "dense", "units": 5}]})
>>> d = Diagnoser(net)
>>> [e.ids for e in d.total(d.engine.base.total - 4)][:1]
[('conv_no_bias',)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generator.buggy import BuggyResult, Engine
from generator.collect import collector_paused
from generator.misconceptions import MISCONCEPTIONS, ORDER, engine
from generator.network import Network

from .local_search import LocalSearch
from .sites import (
    BUDGET,
    CAP,
    CONFIDENT,
    FLOOR,
    LAMBDA,
    MAX_HEDGES,
    OTHER,
    RATIO,
    SLIP,
    Budget,
    Explanation,
    Finding,
    Site,
    TooLarge,
)
from .total_search import TotalSearch

__all__ = ["CAP", "CONFIDENT", "FLOOR", "LAMBDA", "MAX_HEDGES", "MAX_LAYERS", "OTHER", "RATIO",
           "Diagnoser", "Explanation", "Finding", "Site"]

#: networks with more layers are graded exactly but not diagnosed (#10.5: bounded cost)
MAX_LAYERS = 48


@dataclass
class Diagnoser(TotalSearch, LocalSearch):
    """A network compiled once: sites, indexed outcomes and memoised layer evaluations."""

    network: Network
    #: misconception ids left out of the search (bench: leave-one-out calibration)
    exclude: frozenset[str] = frozenset()
    engine: Engine = field(init=False)
    sites: list[Site] = field(init=False)
    index: dict[int, list[tuple[int, ...]]] = field(init=False)

    def __post_init__(self) -> None:
        # compiling keeps some ten thousand objects alive and makes no cyclic garbage; the
        # collector's full passes over every other cached diagnoser were most of the slowest
        # preparations in bench/diagnosis.py (p95 136 ms CPU, 52 ms with them held off)
        with collector_paused():
            self._build()

    def _build(self) -> None:
        self._traces: dict[frozenset[Site], BuggyResult | None] = {}
        self.formulas: dict[tuple[int, tuple[int, ...]], tuple[str, str, int] | None] = {}
        self.engine = engine(self.network)
        self.base = self.engine.base
        self.plausible = {i: {p} for i, p in enumerate(self.base.params)}
        self.all_sites: list[Site] = []
        self.budget = Budget(BUDGET, self.engine)
        self.too_large = len(self.engine.nodes) > MAX_LAYERS
        if not self.too_large:
            try:
                self._compile()
            except TooLarge:
                self.too_large = True
        if self.too_large:  # graded exactly, not diagnosed
            self.all_sites, self.sites, self.fits, self.index = [], [], {}, {}
            self.po_delta, self.pair_index = {}, {}
            self.plausible = {i: {p} for i, p in enumerate(self.base.params)}

    def _compile(self) -> None:
        eng = self.engine
        self.all_sites = []
        for mid, m in MISCONCEPTIONS.items():
            if mid in self.exclude:
                continue
            self.budget.spend()
            fits = eng.fits(mid)
            if not fits:
                continue
            self.all_sites.append(Site(mid, fits, True, m.prior, m.changes_shape))
            if len(fits) > 1:
                slip = m.prior / len(fits) * SLIP
                self.all_sites += [Site(mid, (i,), False, slip, m.changes_shape) for i in fits]
        self.fits = {s.mid: s.layers for s in self.all_sites if s.consistent}
        # per layer: its correct value and every one-site value (to line answers up with layers)
        for s in self.all_sites:
            self.budget.spend()
            t = self._trace((s,))
            if t is not None:
                for i, p in enumerate(t.params):
                    self.plausible[i].add(p)
        # sites that change the total on their own take part in the total search
        self.sites = [s for s in self.all_sites
                      if (t := self._trace((s,))) is not None and t.total != self.base.total]
        self._build_index()

    # -- traces ---------------------------------------------------------------------------
    @staticmethod
    def active(sites: tuple[Site, ...]) -> dict[int, tuple[str, ...]]:
        act: dict[int, set[str]] = defaultdict(set)
        for s in sites:
            for i in s.layers:
                act[i].add(s.mid)
        return {i: tuple(sorted(v, key=ORDER.__getitem__)) for i, v in act.items()}

    def _trace(self, sites: tuple[Site, ...]) -> BuggyResult | None:
        key = frozenset(sites)
        try:
            return self._traces[key]
        except KeyError:
            if len(self._traces) > 200_000:
                self._traces.clear()
            hit = self._traces[key] = self.engine.forward(self.active(sites))
            return hit
