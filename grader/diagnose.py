"""Diagnosis: which misconceptions, in which layers, explain a wrong answer.

Generic over the catalogue (:data:`generator.misconceptions.MISCONCEPTIONS`); no bug is
named here. Two searches:

- :meth:`Diagnoser.total` explains a wrong *total* by up to three (misconception, site)
  pairs, each consistent (every layer it fits) or a one-layer slip, error carried forward.
  Everything up to pairs, and triples with at least one shape-changing site, is indexed by
  total at preparation; parameter-only triples are found at grading time by meet in the
  middle (one site + an indexed pair of deltas).
- :meth:`Diagnoser.local` judges a per-layer answer layer by layer against the student's own
  earlier shapes (follow-through).

Ranking: log P(S) = Σ log π(site) + (|S| − 1)·log λ; a slip has π/n_fits·e^−½.

>>> from generator.spec import load_spec
>>> net = load_spec({"input": {"shape": [10, 10], "channels": 3},
...                  "layers": [{"type": "conv2d", "filters": 4, "kernel": 3},
...                             {"type": "flatten"}, {"type": "dense", "units": 5}]})
>>> d = Diagnoser(net)
>>> [e.ids for e in d.total(d.engine.base.total - 4)][:1]
[('conv_no_bias',)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from generator.buggy import BuggyResult, Engine
from generator.misconceptions import MISCONCEPTIONS, ORDER, Misconception, engine
from generator.network import Network

from .slips import slip_mass

__all__ = ["CONFIDENT", "FLOOR", "LAMBDA", "MAX_HEDGES", "RATIO", "Diagnoser", "Explanation", "Finding", "Site"]

#: cost of each extra misconception in an explanation (reference §5: λ ≈ 0.3)
LAMBDA = 0.3
#: a one-layer slip of a misconception that fits n layers: π/n · e^−½
SLIP = math.exp(-0.5)
#: prior mass of "something else" (an arithmetic slip no catalogue entry explains)
OTHER = 0.002
#: how often a student holding a misconception applies it where it fits (per-layer answers)
Q = 0.9
#: the same for one layer of a per-layer answer (a slip no entry explains)
OTHER_LOCAL = 0.02
#: candidates kept per answer before ranking
CAP = 400
#: a diagnosis is recorded (progress, topics, report) only at this posterior or above
CONFIDENT = 0.75
#: ... and at least this many times the runner-up
RATIO = 3.0
#: below this posterior a cause is not offered at all ("no common mistake explains it")
FLOOR = 0.1
#: at most this many "perhaps" lines
MAX_HEDGES = 3


@dataclass(frozen=True, slots=True)
class Site:
    """A misconception at one layer (a slip) or at every layer it fits (consistent)."""

    mid: str
    layers: tuple[int, ...]
    consistent: bool
    prior: float
    shape: bool

    @property
    def m(self) -> Misconception:
        return MISCONCEPTIONS[self.mid]


@dataclass(frozen=True)
class Explanation:
    """A set of sites that reproduces an answer, with its prior weight and trace."""

    sites: tuple[Site, ...]
    weight: float
    trace: BuggyResult
    posterior: float = 0.0

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({s.mid for s in self.sites}, key=ORDER.__getitem__))


@dataclass(frozen=True)
class Finding:
    """The verdict on one layer of a per-layer answer (judged on the student's own shapes)."""

    layer: int
    verdict: str  # correct | carried_forward | misconception | ambiguous | unknown
    expected: int  # the correct rule on the student's own input shape
    correct: int  # the correct value on the correct input shape
    got: int
    options: tuple[tuple[Site, ...], ...] = ()
    in_shape: tuple[int, ...] = ()
    student_in: tuple[int, ...] = ()
    #: P(best option) among this layer's options and "something else"
    posterior: float = 1.0

    @property
    def ids(self) -> tuple[str, ...]:
        if not self.options:
            return ()
        return tuple(sorted({s.mid for s in self.options[0]}, key=ORDER.__getitem__))


def _weight(sites: tuple[Site, ...]) -> float:
    w = LAMBDA ** (len(sites) - 1)
    for s in sites:
        w *= s.prior
    return w


@dataclass
class Diagnoser:
    """A network compiled once: sites, indexed outcomes and memoised layer evaluations."""

    network: Network
    #: misconception ids left out of the search (bench: leave-one-out calibration)
    exclude: frozenset[str] = frozenset()
    engine: Engine = field(init=False)
    sites: list[Site] = field(init=False)
    index: dict[int, list[tuple[int, ...]]] = field(init=False)

    def __post_init__(self) -> None:
        self._traces: dict[frozenset[Site], BuggyResult | None] = {}
        self.formulas: dict[tuple[int, tuple[int, ...]], tuple[str, str, int] | None] = {}
        self.engine = eng = engine(self.network)
        self.base = eng.base
        self.all_sites: list[Site] = []
        for mid, m in MISCONCEPTIONS.items():
            if mid in self.exclude:
                continue
            fits = eng.fits(mid)
            if not fits:
                continue
            self.all_sites.append(Site(mid, fits, True, m.prior, m.changes_shape))
            if len(fits) > 1:
                slip = m.prior / len(fits) * SLIP
                self.all_sites += [Site(mid, (i,), False, slip, m.changes_shape) for i in fits]
        self.fits = {s.mid: s.layers for s in self.all_sites if s.consistent}
        # per layer: its correct value and every one-site value (to line answers up with layers)
        self.plausible = {i: {p} for i, p in enumerate(self.base.params)}
        for s in self.all_sites:
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
        hit = self._traces.get(key, False)
        if hit is False:
            if len(self._traces) > 200_000:
                self._traces.clear()
            hit = self._traces[key] = self.engine.forward(self.active(sites))
        return hit  # type: ignore[return-value]

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

    def _build_index(self) -> None:
        idx: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        sh = [k for k, s in enumerate(self.sites) if s.shape]
        po = [k for k, s in enumerate(self.sites) if not s.shape]
        S = self.sites

        def ok(combo: tuple[int, ...]) -> bool:
            mids = [S[k].mid for k in combo]
            return len(set(mids)) == len(mids)

        base_total = self.base.total
        self.po_delta: dict[int, int] = {}
        self.pair_index: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for size in range(0, 4):
            for combo in combinations(sh, size):
                if not ok(combo):
                    continue
                sites = tuple(S[k] for k in combo)
                trace = self._trace(sites) if combo else self.base
                if trace is None:
                    continue
                if combo:
                    idx[trace.total].append(combo)
                if size == 3:
                    continue
                act = self.active(sites)
                singles: dict[int, int] = {}
                for a in po:
                    if not ok((*combo, a)):
                        continue
                    d = self._delta(trace, act, (S[a],))
                    if d is None:
                        continue
                    singles[a] = d
                    idx[trace.total + d].append((*combo, a))
                if size == 0:
                    self.po_delta = singles
                if size == 2:
                    continue
                keys = sorted(singles)
                for x, a in enumerate(keys):
                    for b in keys[x + 1:]:
                        if S[a].mid == S[b].mid:
                            continue
                        if set(S[a].layers) & set(S[b].layers):
                            d = self._delta(trace, act, (S[a], S[b]))
                            if d is None:
                                continue
                        else:
                            d = singles[a] + singles[b]
                        if ok((*combo, a, b)):
                            idx[trace.total + d].append((*combo, a, b))
                        if size == 0:
                            self.pair_index[d].append((a, b))
        idx.pop(base_total, None)
        self.index = dict(idx)

    # -- total-only search ---------------------------------------------------------------
    def total(self, value: int, limit: int = 8) -> list[Explanation]:
        """Explanations of a wrong total, best first, with posteriors (may be empty)."""
        S = self.sites
        combos: set[tuple[int, ...]] = set(self.index.get(value, ()))
        want = value - self.base.total
        for a, da in self.po_delta.items():
            for b, c in self.pair_index.get(want - da, ()):
                if a in (b, c) or len({S[a].mid, S[b].mid, S[c].mid}) < 3:
                    continue
                combos.add(tuple(sorted((a, b, c))))
            if len(combos) > CAP:
                break
        ranked = sorted(combos, key=lambda c: -_weight(tuple(S[k] for k in c)))[:CAP]
        found: list[Explanation] = []
        seen: dict[tuple, float] = {}
        for combo in ranked:
            sites = tuple(S[k] for k in combo)
            trace = self._trace(sites)
            if trace is None or trace.total != value:
                continue
            if len(sites) > 1 and self._redundant(sites, trace):
                continue
            found.append(Explanation(sites, _weight(sites), trace))
        # the same misconception set at different layers is one cause for confidence
        norm = sum(e.weight for e in found) + OTHER + slip_mass(self.base.params, value)
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
        return out[:limit]

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
        """P(top) ≥ CONFIDENT, at least RATIO× the runner-up, and no rival as simple.

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
        return top >= (CONFIDENT if threshold is None else threshold) and \
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

    # -- per-layer (local) search --------------------------------------------------------
    def local(self, values: Mapping[int, int]) -> list[Finding]:
        """Judge each given layer value against the correct rule on the student's own shapes.

        Shape mistakes found so far are carried forward; a parameter mistake in one layer is
        not assumed in the next (each layer is judged on its own).
        """
        eng = self.engine
        chosen: list[Site] = []  # every site of the best option so far
        findings: list[Finding] = []
        explained: list[int] = []  # judged layers whose value is reproduced by `chosen`
        judged: list[int] = []
        raw: dict[int, list[tuple[float, tuple[Site, ...]]]] = {}
        for i in range(len(eng.nodes)):
            if i not in values:
                continue
            v = values[i]
            carried = tuple(st for st in chosen if st.shape)
            trace = self._trace(carried) or self.base
            r = eng.layer(i, trace.in_shape(i), self.active(carried).get(i, ()))
            expected = r[1] if r is not None else self.base.params[i]
            correct = self.base.params[i]
            if v == expected:
                verdict = "correct" if expected == correct else "carried_forward"
                findings.append(Finding(i, verdict, expected, correct, v,
                                        in_shape=self.base.in_shape(i),
                                        student_in=trace.in_shape(i)))
                judged.append(i)
                explained.append(i)
                continue
            options = self._local_options(i, v, chosen, explained, values)
            if not options:
                findings.append(Finding(i, "unknown", expected, correct, v,
                                        in_shape=self.base.in_shape(i),
                                        student_in=trace.in_shape(i)))
            else:
                best = self._lookahead(i, options, chosen, values)
                chosen += list(best[1])
                explained.append(i)
                raw[i] = options[:8]
                findings.append(Finding(i, "misconception", expected, correct, v, (best[1],),
                                        in_shape=self.base.in_shape(i),
                                        student_in=trace.in_shape(i)))
            judged.append(i)
        return self._rerank(findings, raw, judged)

    def _lookahead(self, i: int, options: list[tuple[float, tuple[Site, ...]]],
                   chosen: list[Site], values: Mapping[int, int]
                   ) -> tuple[float, tuple[Site, ...]]:
        """Among the likelier options, prefer shape choices that later layers bear out."""
        top = options[0][0]
        near = [o for o in options[:6] if o[0] * 10 >= top]
        if len(near) < 2 or not any(st.shape for o in near for st in o[1]):
            return options[0]
        later = [k for k in values if k > i]

        def agree(o: tuple[float, tuple[Site, ...]]) -> int:
            t = self._trace(tuple(chosen) + o[1])
            return -1 if t is None else sum(t.params[k] == values[k] for k in later)

        return max(near, key=lambda o: (agree(o), o[0]))

    def _rerank(self, findings: list[Finding], raw: dict[int, list[tuple[float, tuple[Site, ...]]]],
                judged: list[int]) -> list[Finding]:
        """Second pass: weigh each layer's options by the whole answer.

        A student holding a misconception applies it where it fits with probability q: one
        already needed at other layers costs only q here; otherwise it costs its prior, and a
        parameter misconception loses (1 − q) for each other judged layer it would have
        changed but did not.
        """
        cover: dict[str, set[int]] = defaultdict(set)
        for i, opts in raw.items():
            for st in opts[0][1]:
                cover[st.mid].add(i)
        judged_set = set(judged)

        def site_w(st: Site, here: int) -> float:
            m = MISCONCEPTIONS[st.mid]
            if cover[st.mid] - {here}:
                return Q  # needed elsewhere anyway: applied once more
            w = m.prior
            fits = self.fits.get(st.mid, ())
            if st.shape and not st.consistent and len(fits) > 1:
                w *= SLIP / len(fits)
            if not m.changes_shape:
                w *= (1 - Q) ** len((judged_set & set(fits)) - {here})
            return w

        out = []
        for f in findings:
            opts = raw.get(f.layer)
            if not opts:
                out.append(f)
                continue
            ranked = sorted(((LAMBDA ** (len(c) - 1) * math.prod(site_w(st, f.layer) for st in c), c)
                             for _, c in opts), key=lambda o: -o[0])
            best = ranked[0]
            rivals = [o for o in ranked[1:] if o[0] * 3 > best[0]
                      and {st.mid for st in o[1]} != {st.mid for st in best[1]}]
            keep = (best[1], *(o[1] for o in rivals[:2]))
            same = sum(o[0] for o in ranked if {st.mid for st in o[1]} == {st.mid for st in best[1]})
            post = same / (sum(o[0] for o in ranked) + OTHER_LOCAL)
            out.append(Finding(f.layer, "ambiguous" if rivals else "misconception", f.expected,
                               f.correct, f.got, keep, f.in_shape, f.student_in, post))
        return out

    def _local_options(self, i: int, v: int, chosen: list[Site], explained: list[int],
                       values: Mapping[int, int]) -> list[tuple[float, tuple[Site, ...]]]:
        """Site sets (≤ 2, then 2 upstream shape sites) that make layer i read v while every
        layer explained so far still reads as the student wrote it."""
        have = {st.mid for st in chosen}
        here = [Site(mid, (i,), False, MISCONCEPTIONS[mid].prior, MISCONCEPTIONS[mid].changes_shape)
                for mid, fits in self.fits.items() if i in fits]
        upstream = [Site(mid, (j,), len(fits) == 1, MISCONCEPTIONS[mid].prior
                         * (SLIP / len(fits) if len(fits) > 1 else 1.0), True)
                    for mid, fits in self.fits.items() if MISCONCEPTIONS[mid].changes_shape
                    and mid not in have for j in fits if j < i]
        # a shape mistake made consistently: every layer it fits, seen first here
        upstream += [Site(mid, fits, True, MISCONCEPTIONS[mid].prior, True)
                     for mid, fits in self.fits.items() if MISCONCEPTIONS[mid].changes_shape
                     and mid not in have and len(fits) > 1 and min(fits) < i]
        base_sites = tuple(chosen)
        seen = {st.mid for st in chosen}
        eng = self.engine
        here_p = [st for st in here if not st.shape]
        shapes = [st for st in here if st.shape] + upstream
        base = self._trace(base_sites)
        if base is None:
            return []
        base_act = self.active(base_sites).get(i, ())
        base_in = base.in_shape(i)
        out: list[tuple[float, tuple[Site, ...]]] = []

        def merged(act: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(sorted(set(act) | set(extra), key=ORDER.__getitem__))

        alone: set[Site] = set()

        def record(cand: tuple[Site, ...]) -> None:
            if len(cand) == 1:
                alone.add(cand[0])
            elif any(st in alone for st in cand):
                return  # a site that changes nothing here is not part of the explanation
            w = _weight(cand) * 3.0 ** sum(1 for st in cand if st.mid in seen)
            out.append((w, cand))

        def try_shape(u: tuple[Site, ...]) -> None:
            """u (shape sites) alone and with one parameter site at layer i."""
            if u:
                t = self._trace(base_sites + u)
                if t is None or any(t.params[k] != values[k] for k in explained):
                    return
                act = self.active(base_sites + u).get(i, ())
                in_i = t.in_shape(i)
                if in_i == base_in and act == base_act:
                    return  # u does not reach layer i
                if t.params[i] == v:
                    record(u)
            else:
                act, in_i = base_act, base_in
            mids = {st.mid for st in u}
            for h in here_p:
                if h.mid in mids:
                    continue
                r = eng.layer(i, in_i, merged(act, (h.mid,)))
                if r is not None and r[1] == v:
                    record((*u, h))
            if not u:
                for x, y in combinations(here_p, 2):
                    if x.mid != y.mid:
                        r = eng.layer(i, in_i, merged(act, (x.mid, y.mid)))
                        if r is not None and r[1] == v:
                            record((x, y))

        try_shape(())
        for u in shapes:
            try_shape((u,))
        if not out:
            cons = [u for u in upstream if u.consistent]
            pairs = [(x, y) for x in cons for y in shapes
                     if x.mid != y.mid and (not y.consistent or x.mid < y.mid)][:400]
            for x, y in pairs:
                t = self._trace(base_sites + (x, y))
                if t is not None and t.params[i] == v and all(
                        t.params[k] == values[k] for k in explained):
                    record((x, y))
        out.sort(key=lambda o: -o[0])
        return out
