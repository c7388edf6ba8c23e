"""The whole answer's say on a per-layer answer: the simplest catalogued explanations of
every value the student wrote.

The per-layer search (:mod:`grader.local_search`) judges layer by layer; it may hedge at a
layer between a mistake held consistently and one that needs a one-layer slip, or name one
explanation where another, as simple, gives every value too. Here the site combinations
indexed by total (:meth:`grader.total_search.TotalSearch.combos`) are traced whole, and
those that give the answer exactly (the same value in every layer when the values are
labelled; the same non-zero terms in the same order otherwise) are ranked as the issue asks
(#14): fewer mistakes, then fewer one-layer slips. One simplest explanation is named; with
several, each is offered at the layers where they differ and only what they share is sure.

>>> from generator.spec import load_spec
>>> from grader.diagnose import Diagnoser
>>> net = load_spec({"input": {"shape": [10, 10], "channels": 3},
...                  "layers": [{"type": "conv2d", "filters": 4, "kernel": 3},
...                             {"type": "flatten"}, {"type": "dense", "units": 5}]})
>>> d = Diagnoser(net)
>>> values = [108, 0, d.base.params[2]]  # the conv bias left out
>>> [(c.ids, c.slips) for c in simplest(d, values, None)]
[(('conv_no_bias',), 0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from generator.buggy import BuggyResult
from generator.misconceptions import ORDER

from .diagnose import Diagnoser, Finding, Site
from .sites import BUDGET, Budget, TooLarge

__all__ = ["Candidate", "arbitrate", "simplest"]

#: at most this many equally simple explanations are offered
MAX_OFFERED = 3


@dataclass(frozen=True)
class Candidate:
    """Sites that, traced whole, give every value of the answer."""

    sites: tuple[Site, ...]
    trace: BuggyResult

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({s.mid for s in self.sites}, key=ORDER.__getitem__))

    @property
    def slips(self) -> int:
        return sum(not s.consistent for s in self.sites)

    @property
    def score(self) -> tuple[int, int]:
        """How simple: mistakes, then one-layer slips (fewer is simpler)."""
        return len(self.ids), self.slips


def _gives(trace: BuggyResult, values: Sequence[int], fixed: Mapping[int, int] | None) -> bool:
    if fixed is not None:  # labelled: the same value in every layer
        return all(p == fixed.get(i, 0) for i, p in enumerate(trace.params))
    return [p for p in trace.params if p] == [v for v in values if v]


def candidates(d: Diagnoser, values: Sequence[int], fixed: Mapping[int, int] | None
               ) -> list[Candidate]:
    """Every indexed combination that gives the answer (one per set of ids: its simplest)."""
    if d.too_large:
        return []
    total = sum(fixed.values()) if fixed is not None else sum(values)
    budget = Budget(BUDGET, d.engine)
    best: dict[tuple[str, ...], Candidate] = {}
    try:
        for combo in d.combos(total, budget):
            sites = tuple(d.sites[k] for k in combo)
            budget.spend()
            trace = d._trace(sites)
            if trace is None or trace.total != total or not _gives(trace, values, fixed):
                continue
            if len(sites) > 1 and d._redundant(sites, trace):
                continue
            c = Candidate(sites, trace)
            if c.ids not in best or c.score < best[c.ids].score:
                best[c.ids] = c
    except TooLarge:  # past the work budget: the per-layer search's own result stands
        return []
    return sorted(best.values(), key=lambda c: c.score)


def simplest(d: Diagnoser, values: Sequence[int], fixed: Mapping[int, int] | None,
             found: list[Candidate] | None = None) -> list[Candidate]:
    """The simplest explanations of the answer (several: equally simple), or none."""
    found = candidates(d, values, fixed) if found is None else found
    if not found:
        return []
    least = found[0].score
    return [c for c in found if c.score == least][:MAX_OFFERED]


#: one layer as a candidate explains it: verdict, expected, sites, the student's input shape
Judged = tuple[str, int, tuple[Site, ...], tuple[int, ...]]


def _layers(d: Diagnoser, c: Candidate) -> list[Judged]:
    """Per layer, as the per-layer search would judge it on the student's own shapes:
    (verdict, expected, the sites that make it differ, the student's input shape). A shape
    mistake is named at the first layer it changes, then carried forward."""
    eng = d.engine
    seen: list[Site] = []
    out: list[Judged] = []
    for i, got in enumerate(c.trace.params):
        t_seen = d._trace(tuple(seen)) or d.base
        r = eng.layer(i, t_seen.in_shape(i), d.active(tuple(seen)).get(i, ()))
        expected = r[1] if r is not None else d.base.params[i]
        if got == expected:
            verdict = "correct" if expected == d.base.params[i] else "carried_forward"
            out.append((verdict, expected, (), t_seen.in_shape(i)))
            continue
        fresh = [s for s in c.sites if s not in seen]
        relevant = []
        for s in fresh:
            without = d._trace(tuple(x for x in c.sites if x != s))
            if without is None or without.params[i] != got:
                relevant.append(s)
        option = tuple(relevant or fresh)
        seen += [s for s in option if s.shape]
        # a parameter mistake is made here (as the per-layer search names it): no "in conv1"
        option = tuple(s if s.shape else replace(s, layers=(i,)) for s in option)
        out.append(("misconception", expected, option, t_seen.in_shape(i)))
    return out


def arbitrate(d: Diagnoser, findings: list[Finding], values: Sequence[int],
              fixed: Mapping[int, int] | None) -> tuple[list[Finding], dict[int, int]] | None:
    """The findings (and the values lined up with layers) the whole answer favours; None to
    keep the per-layer search's own.

    Kept: an unhedged, fully explained per-layer result that is the one simplest explanation,
    or one that no indexed explanation as simple can check (it may hold lighter sites).
    """
    found = candidates(d, values, fixed)
    best = simplest(d, values, fixed, found)
    if not best:
        return None
    own = [f for f in findings if f.verdict in ("misconception", "ambiguous", "unknown")]
    local = tuple(sorted({m for f in own for m in f.ids}, key=ORDER.__getitem__))
    settled = all(f.verdict == "misconception" for f in own)
    if settled:
        if len(best) == 1 and best[0].ids == local:
            return None
        checked = [c for c in found if c.ids == local]
        if not checked and len(local) <= best[0].score[0]:
            return None
    per = [_layers(d, c) for c in best]
    shared = set.intersection(*(set(c.ids) for c in best))
    lead = best[0].trace
    out = []
    for i in range(len(lead.params)):
        verdict, expected, _, student_in = per[0][i]
        options = tuple(dict.fromkeys(p[i][2] for p in per if p[i][0] == "misconception"))
        if options:
            agreed = all(p[i][0] == "misconception" for p in per) and len(options) == 1
            if not agreed and any(p[i][0] != "misconception" for p in per):
                options += ((),)  # or carried forward, as another explanation reads it
            verdict = "misconception" if agreed else "ambiguous"
            sure = agreed and {s.mid for s in options[0]} <= shared
            posterior = 1.0 if sure else 0.0
        else:
            posterior = 1.0
        out.append(Finding(i, verdict, expected, d.base.params[i], lead.params[i], options,
                           d.base.in_shape(i), student_in, posterior))
    mapping = (dict(fixed) if fixed is not None
               else {i: p for i, p in enumerate(lead.params) if p})
    return out, mapping
