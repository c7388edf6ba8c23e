"""The total-only search: which (misconception, site) sets give a wrong total.

Everything up to pairs, and triples with at least one shape-changing site, is indexed by
total at preparation; parameter-only triples are found at grading time by meet in the
middle (one site + an indexed pair of deltas). Only combinations heavy enough to be
offered are indexed (:data:`~grader.sites.MIN_WEIGHT`), and the work is budgeted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from generator.buggy import BuggyResult, Engine
from generator.misconceptions import ORDER

from .sites import (
    BUDGET,
    CAP,
    CONFIDENT_TOTAL,
    FLOOR,
    LAMBDA,
    MAX_HEDGES,
    MIN_WEIGHT,
    OTHER,
    RATIO,
    Budget,
    Explanation,
    Site,
    weight,
)
from .slips import slip_mass

__all__ = ["TotalSearch"]


class TotalSearch:
    """The total-only half of :class:`grader.diagnose.Diagnoser` (a mixin)."""

    if TYPE_CHECKING:
        engine: Engine
        base: BuggyResult
        sites: list[Site]
        index: dict[int, list[tuple[int, ...]]]
        budget: Budget
        too_large: bool

        def _trace(self, sites: tuple[Site, ...]) -> BuggyResult | None: ...

        @staticmethod
        def active(sites: tuple[Site, ...]) -> dict[int, tuple[str, ...]]: ...

    def _delta(self, trace: BuggyResult, act: Mapping[int, tuple[str, ...]],
               extra: tuple[Site, ...]) -> int | None:
        """Change of the total when param-only sites ``extra`` join a shape trace."""
        add: dict[int, set[str]] = defaultdict(set)
        for s in extra:
            for i in s.layers:
                add[i].add(s.mid)
        d = 0
        for i, ids in add.items():
            both = tuple(sorted(set(act.get(i, ())) | ids, key=ORDER.__getitem__))
            r = self.engine.layer(i, trace.in_shape(i), both)
            if r is None:
                return None
            d += r[1] - trace.params[i]
        return d

    def _delta1(self, trace: BuggyResult, act: Mapping[int, tuple[str, ...]], site: Site,
                unions: dict[tuple[tuple[str, ...], str], tuple[str, ...]]) -> int | None:
        """:meth:`_delta` of one site (the same layer evaluations, in the same order);
        ``unions`` memoises the sorted id tuples."""
        mid = site.mid
        layer = self.engine.layer
        d = 0
        for i in dict.fromkeys(site.layers):
            have = act.get(i, ())
            both = unions.get((have, mid))
            if both is None:
                both = unions[(have, mid)] = tuple(sorted({*have, mid}, key=ORDER.__getitem__))
            r = layer(i, trace.in_shape(i), both)
            if r is None:
                return None
            d += r[1] - trace.params[i]
        return d

    def _build_index(self) -> None:
        """Index by total every combination heavy enough to be offered (≥ MIN_WEIGHT).

        Up to three shape sites; next to at most one of them, up to two parameter-only
        sites (one next to two). Parameter-only triples are met in the middle at grading
        (a single plus an indexed pair). Sites are visited heaviest first, so every loop
        stops at the first one too light, and every step is charged to the budget.
        """
        S = self.sites
        budget = self.budget
        prior = [s.prior for s in S]
        mid_of = [s.mid for s in S]
        layer_sets = [frozenset(s.layers) for s in S]
        unions: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}
        order = sorted(range(len(S)), key=lambda k: (-S[k].prior, k))
        sh = [k for k in order if S[k].shape]
        po = [k for k in order if not S[k].shape]
        top_po = S[po[0]].prior if po else 0.0
        idx: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        self.po_delta: dict[int, int] = {}
        self.pair_index: dict[int, list[tuple[int, int]]] = defaultdict(list)

        def shape_combos(start: int, combo: tuple[int, ...], wc: float, mids: frozenset[str]
                         ) -> Iterator[tuple[tuple[int, ...], float]]:
            yield combo, wc
            if len(combo) == 3:
                return
            for j in range(start, len(sh)):
                k = sh[j]
                w = wc * LAMBDA * prior[k]
                if w < MIN_WEIGHT:
                    break
                if mid_of[k] in mids:
                    continue
                budget.spend()
                yield from shape_combos(j + 1, (*combo, k), w, mids | {mid_of[k]})

        # wc: weight of the shape combination, such that adding a site of prior p gives
        # wc·λ·p (the empty combination has 1/λ, so a lone site weighs its prior)
        for combo, wc in list(shape_combos(0, (), 1 / LAMBDA, frozenset())):
            size = len(combo)
            sites = tuple(S[k] for k in combo)
            trace = self._trace(sites) if combo else self.base
            if trace is None:
                continue
            total = trace.total
            if combo:
                idx[total].append(tuple(sorted(combo)))
            if size == 3:
                continue
            mids = {mid_of[k] for k in combo}
            act = self.active(sites)
            singles: dict[int, int] = {}
            wcl = wc * LAMBDA
            for a in po:
                if wcl * prior[a] < MIN_WEIGHT:
                    break
                if mid_of[a] in mids:
                    continue
                budget.spend()
                d = self._delta1(trace, act, S[a], unions)
                if d is None:
                    continue
                singles[a] = d
                idx[total + d].append(tuple(sorted((*combo, a))))
            if size == 0:
                self.po_delta = singles
            if size == 2:
                continue
            keys = list(singles)  # heaviest first
            w2 = wc * LAMBDA * LAMBDA
            for x, a in enumerate(keys):
                w2a = w2 * prior[a]
                if len(keys) > x + 1 and w2a * prior[keys[x + 1]] < MIN_WEIGHT:
                    break
                for b in keys[x + 1:]:
                    wab = w2a * prior[b]
                    if wab < MIN_WEIGHT:
                        break
                    if mid_of[a] == mid_of[b]:
                        continue
                    budget.spend()
                    if layer_sets[a] & layer_sets[b]:
                        d = self._delta(trace, act, (S[a], S[b]))
                        if d is None:
                            continue
                    else:
                        d = singles[a] + singles[b]
                    idx[total + d].append(tuple(sorted((*combo, a, b))))
                    if size == 0 and wab * LAMBDA * top_po >= MIN_WEIGHT:
                        self.pair_index[d].append((a, b))
        idx.pop(self.base.total, None)
        self.index = dict(idx)

    # -- total-only search ---------------------------------------------------------------
    def total(self, value: int, limit: int = 8, *, typed: bool = True) -> list[Explanation]:
        """Explanations of a wrong total, best first, with posteriors (may be empty)."""
        return self.explain(value, limit, typed=typed)[0]

    def explain(self, value: int, limit: int = 8, *, typed: bool = True
                ) -> tuple[list[Explanation], float]:
        """:meth:`total`, and the posterior that the value is an arithmetic slip instead."""
        S = self.sites
        if self.too_large:
            return [], 0.0
        budget = Budget(BUDGET, self.engine)
        ranked = self.combos(value, budget)
        found: list[Explanation] = []
        seen: dict[tuple[str, ...], float] = {}
        for combo in ranked:
            sites = tuple(S[k] for k in combo)
            budget.spend()
            trace = self._trace(sites)
            if trace is None or trace.total != value:
                continue
            if len(sites) > 1 and self._redundant(sites, trace):
                continue
            found.append(Explanation(sites, weight(sites), trace))
        # the same misconception set at different layers is one cause for confidence
        # a typed total one keystroke from the key may be a slip (not a total implied by
        # another answer, such as a labelled pair)
        slips = slip_mass(self.base.params, value) if typed else 0.0
        norm = sum(e.weight for e in found) + OTHER + slips
        by_ids: dict[tuple[str, ...], float] = defaultdict(float)
        for e in found:
            by_ids[e.ids] += e.weight
        out = []
        for e in found:
            if e.ids in seen:
                continue
            seen[e.ids] = 1
            out.append(Explanation(e.sites, e.weight, e.trace, by_ids[e.ids] / norm))
        out.sort(key=lambda e: (-e.posterior, len(e.sites), min(min(s.layers) for s in e.sites)))
        return out[:limit], slips / norm

    def combos(self, value: int, budget: Budget) -> list[tuple[int, ...]]:
        """Indices into :attr:`sites` of the combinations that may total ``value``: the
        indexed ones and the parameter-only triples met in the middle, heaviest first (at
        most CAP; not yet traced)."""
        S = self.sites
        combos: set[tuple[int, ...]] = set(self.index.get(value, ()))
        want = value - self.base.total
        for a, da in self.po_delta.items():
            pairs = self.pair_index.get(want - da, ())
            budget.spend(1 + len(pairs))
            for b, c in pairs:
                if a in (b, c) or len({S[a].mid, S[b].mid, S[c].mid}) < 3:
                    continue
                combos.add(tuple(sorted((a, b, c))))
            if len(combos) > CAP:
                break
        return sorted(combos, key=lambda c: -weight(tuple(S[k] for k in c)))[:CAP]

    def _redundant(self, sites: tuple[Site, ...], trace: BuggyResult) -> bool:
        """A site that changes nothing next to the others is not part of the explanation."""
        for k in range(len(sites)):
            sub = sites[:k] + sites[k + 1:]
            t = self._trace(sub)
            if t is not None and t.params == trace.params and t.shapes == trace.shapes:
                return True
        return False

    @staticmethod
    def confident(found: list[Explanation], *, threshold: float | None = None,
                  ratio: float | None = None) -> bool:
        """P(top) ≥ CONFIDENT_TOTAL, at least RATIO× the runner-up, and no rival as simple.

        A rival that needs no more misconceptions than the top one and gives the same
        number is a reason to hedge, however small its prior.
        """
        if not found:
            return False
        top = found[0].posterior
        second = found[1].posterior if len(found) > 1 else 0.0
        n = len(found[0].ids)
        if any(len(e.ids) <= n for e in found[1:]):
            return False
        return top >= (CONFIDENT_TOTAL if threshold is None else threshold) and \
            top >= (RATIO if ratio is None else ratio) * second

    @staticmethod
    def offered(found: list[Explanation]) -> list[Explanation]:
        """The causes worth a "perhaps" line: at most MAX_HEDGES, none below FLOOR except
        rivals as simple as an offered first one (they give the same number as simply)."""
        if not found or found[0].posterior < FLOOR:
            return []
        n = len(found[0].ids)
        return [e for e in found if e.posterior >= FLOOR or len(e.ids) <= n][:MAX_HEDGES]

    def first_difference(self, a: BuggyResult, b: BuggyResult) -> int | None:
        """The first layer where two traces differ (shape or parameters)."""
        for i in range(len(a.params)):
            if a.params[i] != b.params[i] or a.shapes[i] != b.shapes[i]:
                return i
        return None
