"""Which catalogued answers no grader could tell apart (for ``bench/diagnosis.py``).

A simulated student's answer is *indistinguishable* in an answer form when another set of
catalogued causes, needing no more mistakes than the true one, gives exactly the same answer
in that form: the same value in every layer (per-layer answers), or the same non-zero terms
in the same order (a sum: its terms carry no layer names). Causes are searched by brute
force over the diagnoser's sites (each misconception held consistently, or as a one-layer
slip), alone and in pairs, so twins of three sites are not searched. For a two-mistake
answer that misses only twins of one misconception made as slips in three or more layers
(a twin of two misconceptions needs no slip to be as simple, so it has two sites); for three
mistakes it misses more.

How simple an explanation is: its number of mistakes, then its number of slips (a
misconception applied in one of several layers it fits, and done right in the others, is
the less simple story; the simulated student holds each mistake consistently). On an
indistinguishable answer the issue asks the grader to prefer the simpler explanation, and to
hedge when an equally simple one gives the same numbers. :func:`handled` scores that: with
one simplest explanation the grader must name it; with several it must offer one of them,
nothing outside them, and record only causes they all share.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

from generator.misconceptions import apply

#: per (form, condition), per catalogued answer: (indistinguishable, top-1, handled)
TWINS: dict[tuple[str, str], list[tuple[bool, bool, bool]]] = defaultdict(list)
#: per (form, condition): draws left out because one of their mistakes is invisible there
INVISIBLE: dict[tuple[str, str], int] = defaultdict(int)


def form_view(params: tuple[int, ...], form: str) -> tuple[int, ...]:
    """What an answer form shows of a trace's per-layer counts."""
    return tuple(params) if form == "per_layer" else tuple(v for v in params if v)


def twins(d: Any, eng: Any, truth: tuple[str, ...], shown: tuple[int, ...], form: str
          ) -> list[tuple[frozenset[str], int]]:
    """Other sets of misconception ids (with their slips), of at most len(truth) mistakes and
    as simple as they can be, that give ``shown``.

    ``d`` is the grader's diagnoser (its sites); ``eng`` an engine of the same network of the
    bench's own, so the search does not warm the caches the timed grading uses.
    """
    base = form_view(d.base.params, form)
    sites = []
    for s in d.all_sites:
        t = eng.forward(d.active((s,)))
        if t is not None and form_view(t.params, form) != base:
            sites.append(s)
    want = frozenset(truth)
    found: dict[frozenset[str], int] = {}
    for size in (1, 2):
        if size > len(truth):
            break
        for group in combinations(sites, size):
            ids = frozenset(s.mid for s in group)
            slips = sum(not s.consistent for s in group)
            if len(ids) < size or ids == want or found.get(ids, slips + 1) <= slips:
                continue
            t = eng.forward(d.active(group))
            if t is not None and form_view(t.params, form) == shown:
                found[ids] = slips
    return sorted(found.items(), key=lambda kv: sorted(kv[0]))


def simpler_or_equal(truth: tuple[str, ...], others: list[tuple[frozenset[str], int]]
                     ) -> list[tuple[frozenset[str], int]]:
    """The twins at least as simple as the (consistent) truth: what makes it indistinguishable."""
    return [(ids, slips) for ids, slips in others if (len(ids), slips) <= (len(truth), 0)]


def handled(res: Any, truth: tuple[str, ...], others: list[tuple[frozenset[str], int]]) -> bool:
    """Did the grader answer an indistinguishable case as the issue asks (see above)?"""
    sets = [(frozenset(truth), 0), *others]
    least = min((len(s), slips) for s, slips in sets)
    simplest = [s for s, slips in sets if (len(s), slips) == least]
    offered = set().union(*(set(d.misconceptions) for d in res.diagnoses)) if res.diagnoses \
        else set()
    recorded = set(res.recorded)
    if len(simplest) == 1:
        return offered == simplest[0] and not res.ambiguous
    allowed = set().union(*simplest)
    shared = set.intersection(*(set(s) for s in simplest))
    return (any(s <= offered for s in simplest) and offered <= allowed
            and recorded <= shared)


def visible(eng: Any, pick: tuple[str, ...], r: Any, form: str) -> bool:
    """Does every mistake of the draw change what this answer form shows?"""
    for drop in range(len(pick)):
        try:
            s = apply(eng, [(m, None) for m in pick[:drop] + pick[drop + 1:]])
        except ValueError:
            continue
        if (s.total == r.total if form == "total"
                else form_view(s.params, form) == form_view(r.params, form)):
            return False
    return True


def twin_table() -> None:
    """Per-layer and expression answers, split by whether any grader could tell the cause."""
    print("\nindistinguishable: another set of catalogued causes, needing no more mistakes (and no "
          "more one-layer slips),\ngives the same value in every layer (per layer) or the same "
          "non-zero terms (expression); searched over\nsingle sites and pairs (bench/twins.py). "
          "Handled correctly there: the one simplest explanation named,\nor, with several, one "
          "of them offered, nothing else, and nothing recorded that they do not all share.\n"
          "raw top-1 counts every answer (as the table above); top-1 here counts the "
          "distinguishable ones only.")
    print(f"{'form':<11}{'condition':<15}{'n':>5}{'raw top-1':>11}{'distinct n':>12}"
          f"{'top-1':>8}{'indist n':>10}{'handled':>9}{'invisible':>11}")
    for form in ("per_layer", "expression"):
        for k in (1, 2, 3):
            rows = TWINS.get((form, f"catalogued {k}"), [])
            if not rows:
                continue
            dist = [r for r in rows if not r[0]]
            ind = [r for r in rows if r[0]]

            def pct(xs: list[bool]) -> str:
                return f"{sum(xs) / len(xs):.1%}" if xs else "-"

            print(f"{form:<11}{'catalogued ' + str(k):<15}{len(rows):>5}"
                  f"{pct([r[1] for r in rows]):>11}{len(dist):>12}{pct([r[1] for r in dist]):>8}"
                  f"{len(ind):>10}{pct([r[2] for r in ind]):>9}"
                  f"{INVISIBLE.get((form, f'catalogued {k}'), 0):>11}")
    print("(invisible: draws left out of that form because one of their mistakes changes nothing "
          "it shows; total: " + ", ".join(f"{k} mistakes {INVISIBLE.get(('total', f'catalogued {k}'), 0)}"
                                        for k in (1, 2, 3)) + ")")
