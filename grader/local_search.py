"""The per-layer search: each layer of a per-layer answer judged on the student's own shapes.

Layer i is judged against the correct rule applied to the student's own layer i − 1
(follow-through): correct, carried forward, a local set of at most two sites, or
unexplained. A second pass weighs each layer's options by the whole answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import TYPE_CHECKING

from generator.buggy import BuggyResult, Engine
from generator.misconceptions import MISCONCEPTIONS, ORDER

from .sites import BUDGET, LAMBDA, OTHER_LOCAL, SLIP, Budget, Finding, Q, Site, weight

#: the factor against an option for each other given layer it would read differently (the
#: student would have to have undone their own carried-forward error there, exactly)
ALONG = 1000.0

__all__ = ["LocalSearch"]


class LocalSearch:
    """The per-layer half of :class:`grader.diagnose.Diagnoser` (a mixin)."""

    if TYPE_CHECKING:
        engine: Engine
        base: BuggyResult
        fits: dict[str, tuple[int, ...]]
        too_large: bool

        def _trace(self, sites: tuple[Site, ...]) -> BuggyResult | None: ...

        @staticmethod
        def active(sites: tuple[Site, ...]) -> dict[int, tuple[str, ...]]: ...

    # -- per-layer (local) search --------------------------------------------------------
    def local(self, values: Mapping[int, int]) -> list[Finding]:
        """Judge each given layer value against the correct rule on the student's own shapes.

        Shape mistakes found so far are carried forward; a parameter mistake in one layer is
        not assumed in the next (each layer is judged on its own).
        """
        eng = self.engine
        if self.too_large:
            return [Finding(i, "correct" if v == self.base.params[i] else "unknown",
                            self.base.params[i], self.base.params[i], v,
                            in_shape=self.base.in_shape(i), student_in=self.base.in_shape(i))
                    for i, v in sorted(values.items()) if 0 <= i < len(eng.nodes)]
        budget = Budget(BUDGET, eng)
        chosen: list[Site] = []  # every site of the best option so far
        findings: list[Finding] = []
        explained: list[int] = []  # judged layers whose value is reproduced by `chosen`
        judged: list[int] = []
        raw: dict[int, list[tuple[float, tuple[Site, ...]]]] = {}
        picked: dict[int, tuple[Site, ...]] = {}  # per layer, the option carried on
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
            budget.spend()
            options = self._local_options(i, v, chosen, explained, values)
            if not options:
                findings.append(Finding(i, "unknown", expected, correct, v,
                                        in_shape=self.base.in_shape(i),
                                        student_in=trace.in_shape(i)))
            else:
                best = self._lookahead(i, options, chosen, values)
                raw[i] = options[:8]
                picked[i] = best[1]
                chosen += list(best[1])
                explained.append(i)
                findings.append(Finding(i, "misconception", expected, correct, v, (best[1],),
                                        in_shape=self.base.in_shape(i),
                                        student_in=trace.in_shape(i)))
            judged.append(i)
        borne = self._borne_out(raw, picked, explained, values)
        first = {i: opts[0][1] for i, opts in raw.items()}
        out = self._rerank(findings, raw, judged, borne, first)
        # once more, each layer's mistakes now those the whole answer favours (one mistake
        # behind two wrong layers may have come second at one of them in the first pass)
        again = {f.layer: f.options[0] for f in out if f.layer in raw and f.options}
        return out if again == first else self._rerank(findings, raw, judged, borne, again)

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

    def _borne_out(self, raw: dict[int, list[tuple[float, tuple[Site, ...]]]],
                   picked: dict[int, tuple[Site, ...]], explained: list[int],
                   values: Mapping[int, int]) -> dict[tuple[int, tuple[Site, ...]], tuple[int, int]]:
        """Per (layer, option): (other layers it breaks, other wrong layers it explains).

        The option replaces the one carried on at its layer, next to every other layer's
        option. It *breaks* an explained layer it then reads differently from what the
        student wrote (a shape mistake whose carried-forward shapes a later correct layer
        contradicts is not what happened); it *explains* a layer the student got wrong that
        reads right only with it (its error carried forward). Parameter-only options change
        no other layer: (0, 0).
        """
        out: dict[tuple[int, tuple[Site, ...]], tuple[int, int]] = {}
        base = self.base.params
        for i, opts in raw.items():
            others = tuple(dict.fromkeys(st for j, c in picked.items() if j != i for st in c))
            without = self._trace(others)
            for _, c in opts:
                if not any(st.shape for st in c) or without is None:
                    continue
                t = self._trace(tuple(dict.fromkeys((*others, *c))))
                if t is None:
                    continue
                rest = [k for k in explained if k != i]
                broken = sum(1 for k in rest if t.params[k] != values[k])
                carried = sum(1 for k in rest if values[k] != base[k]
                              and t.params[k] == values[k] != without.params[k])
                out[(i, c)] = (broken, carried)
        return out

    def _rerank(self, findings: list[Finding],
                raw: dict[int, list[tuple[float, tuple[Site, ...]]]],
                judged: list[int], borne: dict[tuple[int, tuple[Site, ...]], tuple[int, int]],
                first: dict[int, tuple[Site, ...]]) -> list[Finding]:
        """Second pass: weigh each layer's options by the whole answer.

        A student holding a misconception applies it where it fits with probability q: one
        already needed at other layers costs only q here; otherwise it costs its prior, and a
        parameter misconception loses (1 − q) for each other judged layer it would have
        changed but did not (at most down to (1 − q)·e^−½/n over its n layers: a slip).
        ``first`` holds each layer's leading option: what "needed at other layers" reads.
        """
        cover: dict[str, set[int]] = defaultdict(set)
        for i, c in first.items():
            for st in c:
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
                # each other judged layer it fits but left alone costs (1 − q); never below
                # a one-layer slip's share of one such layer (π/n·e^−½ as in the total search),
                # or a slip among many batch norms loses to a shape mistake that later layers
                # contradict
                k = len((judged_set & set(fits)) - {here})
                if k:
                    w *= max((1 - Q) ** k, (1 - Q) * SLIP / len(fits))
            return w

        out = []
        for f in findings:
            options = raw.get(f.layer)
            if not options:
                out.append(f)
                continue
            free = {c: LAMBDA ** (len(c) - 1) * math.prod(site_w(st, f.layer) for st in c)
                    for _, c in options}  # before later layers' say
            ranked = sorted(((free[c] * ALONG ** -borne.get((f.layer, c), (0, 0))[0], c)
                             for _, c in options), key=lambda o: -o[0])
            best = ranked[0]
            # a rival within 3× is a reason to hedge; so is a simpler one (fewer mistakes)
            # within 100×, even where later layers contradict it (a student may have worked
            # each layer out from the listing rather than from their own earlier shapes)
            rivals = [o for o in ranked[1:] if {st.mid for st in o[1]} != {st.mid for st in best[1]}
                      and (o[0] * 3 > best[0] if len(o[1]) >= len(best[1])
                           else free[o[1]] * 100 > best[0])]
            keep = (best[1], *(o[1] for o in rivals[:2]))
            same = sum(o[0] for o in ranked if {st.mid for st in o[1]} == {st.mid for st in best[1]})
            # "something else" must also explain the wrong layers the best option carries to
            other = OTHER_LOCAL ** (1 + borne.get((f.layer, best[1]), (0, 0))[1])
            post = same / (sum(o[0] for o in ranked) + other)
            out.append(Finding(f.layer, "ambiguous" if rivals else "misconception", f.expected,
                               f.correct, f.got, keep, f.in_shape, f.student_in, post, best[0]))
        return out

    def _local_options(self, i: int, v: int, chosen: list[Site], explained: list[int],
                       values: Mapping[int, int]) -> list[tuple[float, tuple[Site, ...]]]:
        """Site sets (≤ 2, then 2 upstream shape sites) that make layer i read v while every
        layer explained so far still reads as the student wrote it."""
        have = {st.mid for st in chosen}
        # a shape mistake made here only, of one that fits other layers too, is a slip (as
        # upstream): it must not tie with the same mistake made consistently
        here = [Site(mid, (i,), False, MISCONCEPTIONS[mid].prior * (
                    SLIP / len(fits) if MISCONCEPTIONS[mid].changes_shape and len(fits) > 1
                    else 1.0), MISCONCEPTIONS[mid].changes_shape)
                for mid, fits in self.fits.items() if i in fits]
        upstream = [Site(mid, (j,), len(fits) == 1, MISCONCEPTIONS[mid].prior
                         * (SLIP / len(fits) if len(fits) > 1 else 1.0), True)
                    for mid, fits in self.fits.items() if MISCONCEPTIONS[mid].changes_shape
                    and mid not in have for j in fits if j < i]
        # a shape mistake made consistently: every layer it fits, seen first here
        upstream += [Site(mid, fits, True, MISCONCEPTIONS[mid].prior, True)
                     for mid, fits in self.fits.items() if MISCONCEPTIONS[mid].changes_shape
                     and mid not in have and len(fits) > 1 and min(fits) <= i]
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
            w = weight(cand) * 3.0 ** sum(1 for st in cand if st.mid in seen)
            out.append((w, cand))

        def try_shape(u: tuple[Site, ...]) -> None:
            """u (shape sites) alone and with one parameter site at layer i."""
            if u:
                t = self._trace(base_sites + u)
                if t is None and len(u) == 1 and u[0].layers == (i,):
                    # a shape mistake at this layer that makes a later layer impossible:
                    # judged here on its own (its effect downstream is not in the answer)
                    r = eng.layer(i, base_in, merged(base_act, (u[0].mid,)))
                    if r is not None and r[1] == v:
                        record(u)
                    return
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
        out.sort(key=lambda o: -o[0])
        if out and len(out[0][1]) == 2 and any(st.shape for st in out[0][1]):
            # the best is a shape mistake plus a parameter one here: the same value may come
            # from that shape mistake plus another one (a colour image read as gray instead
            # of the channels left out of this conv's kernel)
            for x in [st for st in out[0][1] if st.shape]:
                for y in shapes:
                    if y.mid == x.mid:
                        continue
                    t = self._trace(base_sites + (x, y))
                    if t is not None and t.params[i] == v and all(
                            t.params[k] == values[k] for k in explained):
                        record((x, y))
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
