"""Calibration of the diagnosis: right, hedged, silent and falsely attributed, per condition.

Run from the repository root: ``.venv/bin/python bench/diagnosis.py [--n N] [--seed S]``.

For N generated, diagnosable problems (``generator.problem.generate`` over every topic and
difficulty), simulated students answer under these conditions:

- ``catalogued k``: k misconceptions from the catalogue (drawn in proportion to the priors,
  or uniformly with ``--draw uniform``), each applied consistently and each still visible
  next to the others; answered three ways: total only, per layer ("name: value" lines) and
  as an expression (one term per parametric layer).
- uncatalogued answers (total only), where no catalogue entry is the cause:
  ``slip`` (one digit of one layer's count changed), ``transposed`` (two adjacent digits of
  the total swapped), ``dropped`` (one digit of the total left out), ``guess`` (a random
  number within a factor 10 of the key), ``round guess`` (one or two significant digits),
  ``wrong layer`` (one layer's count replaced by another layer's), ``misread hp`` (a
  layer's filters, units or kernel misread, then everything computed right) and
  ``leave-one-out`` (a catalogued mistake made by the student but removed from the
  catalogue the grader searches; ``loo, no twin`` counts as false only the recorded causes
  that the whole catalogue does not offer as giving the same numbers as the true one).

Printed per condition: top-1 right (the first diagnosis names exactly the true set),
hedged (causes offered only as "perhaps"), silent (no cause offered), recorded (a cause
stated as the diagnosis and recorded) and **false attribution**: a recorded cause that was
not the cause (for uncatalogued answers, any recorded cause). Then the grading CPU time per
answer (median, after preparation) and the preparation CPU time (median, p95).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.twins import (  # noqa: E402
    INVISIBLE,
    TWINS,
    form_view,
    handled,
    simpler_or_equal,
    twin_table,
    twins,
    visible,
)
from generator.compiled import Compiled  # noqa: E402
from generator.misconceptions import MISCONCEPTIONS, apply, catalogue_values, engine  # noqa: E402
from generator.network import solve  # noqa: E402
from generator.problem import generate  # noqa: E402
from generator.spec import load_spec  # noqa: E402
from generator.topics import TOPICS  # noqa: E402
from grader import grade, prepare  # noqa: E402
from grader.diagnose import Diagnoser  # noqa: E402
from grader.grade import Prepared, clear_cache  # noqa: E402
from grader.prepared import DIAGNOSER  # noqa: E402

DIFFICULTIES = ("easy", "medium", "hard")
UNCATALOGUED = ("slip", "transposed", "dropped", "guess", "round guess", "wrong layer",
                "misread hp", "leave-one-out")

#: per condition: whether the feedback named an arithmetic slip (grader/slips.py)
SLIP_NAMED: dict[str, list[bool]] = defaultdict(list)
#: one graded answer: (top-1 right, hedged, silent, recorded, false attribution)
Row = tuple[bool, bool, bool, bool, bool]


def draw(rng: random.Random, ids: list[str], k: int, weighted: bool) -> tuple[str, ...]:
    """k distinct ids, uniformly or in proportion to the catalogue's priors."""
    if not weighted:
        return tuple(rng.sample(ids, k))
    pool = list(ids)
    out: list[str] = []
    for _ in range(k):
        pick = rng.choices(pool, weights=[MISCONCEPTIONS[m].prior for m in pool])[0]
        out.append(pick)
        pool.remove(pick)
    return tuple(out)


def student(eng: Any, rng: random.Random, k: int, weighted: bool) -> Any:
    """k consistent misconceptions that change the answer and each matter; or None."""
    ids = sorted(catalogue_values(eng))
    if len(ids) < k:
        return None
    for _ in range(20):
        pick = draw(rng, ids, k, weighted)
        try:
            r = apply(eng, [(m, None) for m in pick])
        except ValueError:
            continue
        if r.total == eng.base.total:
            continue
        ok = True
        for drop in range(k):
            rest = pick[:drop] + pick[drop + 1:]
            try:
                s = apply(eng, [(m, None) for m in rest])
            except ValueError:
                continue
            if s.params == r.params:  # no answer form could see this one
                ok = False
        if ok:
            return pick, r
    return None


def judge(res: Any, truth: set[str] | None, *, per_layer: bool = False) -> Row:
    """Score one graded answer; ``truth`` None: no catalogued cause exists."""
    sets = [set(d.misconceptions) for d in res.diagnoses]
    recorded = set(res.recorded)
    if per_layer:
        union = set().union(*sets) if sets else set()
        top = truth is not None and union == truth and not res.ambiguous
    else:
        top = truth is not None and bool(sets) and sets[0] == truth
    false = bool(recorded) and (truth is None or not recorded <= truth)
    return top, bool(res.hedged) and not recorded, not sets, bool(recorded), false


# -- uncatalogued answers ------------------------------------------------------------------
def _digit_change(rng: random.Random, n: int) -> int:
    s = str(n)
    i = rng.randrange(len(s))
    choices = [d for d in "0123456789" if d != s[i] and not (i == 0 and d == "0" and len(s) > 1)]
    return int(s[:i] + rng.choice(choices) + s[i + 1:])


def _transposed(rng: random.Random, n: int) -> int | None:
    s = str(n)
    spots = [i for i in range(len(s) - 1) if s[i] != s[i + 1] and not (i == 0 and s[1] == "0")]
    if not spots:
        return None
    i = rng.choice(spots)
    return int(s[:i] + s[i + 1] + s[i] + s[i + 2:])


def _dropped(rng: random.Random, n: int) -> int | None:
    s = str(n)
    if len(s) < 3:
        return None
    i = rng.randrange(1, len(s))
    return int(s[:i] + s[i + 1:])


def _misread(rng: random.Random, spec: dict[str, Any]) -> int | None:
    """A layer's filters, units or kernel misread; everything else computed right."""
    spots = [(j, k) for j, ly in enumerate(spec["layers"]) for k in ("filters", "units", "kernel")
             if isinstance(ly.get(k), int) and ly[k] > 1]
    if not spots:
        return None
    j, key = rng.choice(spots)
    old = spec["layers"][j][key]
    new = rng.choice([old + 1, old - 1, old * 2, old + 10, max(1, old // 2)] if key != "kernel"
                     else [old + 2, old - 1, old + 1])
    if new == old or new < 1:
        return None
    layers = [dict(ly) for ly in spec["layers"]]
    layers[j][key] = new
    try:
        return int(solve(load_spec({**spec, "layers": layers})).answer)
    except Exception:  # noqa: BLE001 - the misread network is impossible
        return None


def uncatalogued(cond: str, rng: random.Random, problem: Any, eng: Any) -> int | None:
    base = eng.base
    params = [i for i, p in enumerate(base.params) if p]
    if cond == "slip":
        i = rng.choice(params)
        return base.total - base.params[i] + _digit_change(rng, base.params[i])
    if cond == "transposed":
        return _transposed(rng, base.total)
    if cond == "dropped":
        return _dropped(rng, base.total)
    if cond == "guess":
        return int(base.total * 10 ** rng.uniform(-1, 1))
    if cond == "round guess":
        v = int(base.total * 10 ** rng.uniform(-1, 1))
        digits = rng.choice((1, 2))
        scale = 10 ** max(0, len(str(v)) - digits)
        return max(1, round(v / scale)) * scale
    if cond == "wrong layer":
        if len(params) < 2:
            return None
        i, j = rng.sample(params, 2)
        return base.total - base.params[i] + base.params[j]
    if cond == "misread hp":
        return _misread(rng, problem.spec)
    raise ValueError(cond)


def _leave_one_out(rng: random.Random, problem: Any, prep: Prepared) -> tuple[str, Any] | None:
    values = catalogue_values(prep.diagnoser.engine)
    if not values:
        return None
    mid = rng.choice(sorted(values))
    d = Diagnoser(prep.network, exclude=frozenset({mid}))
    compiled = Compiled(prep.key + f":-{mid}", prep.network, prep.solution, {DIAGNOSER: d})
    other = replace(prep, key=prep.key + f":-{mid}", compiled=compiled)
    return str(values[mid]), other


# -- the run -------------------------------------------------------------------------------
def simulate(n: int, seed: int, weighted: bool, grade_times: list[float],
             prep_times: list[float]) -> dict[tuple[str, str], list[Row]]:
    rng = random.Random(seed)
    stats: dict[tuple[str, str], list[Row]] = defaultdict(list)
    topics = list(TOPICS)
    done = 0
    pseed = seed * 100_000
    while done < n:
        pseed += 1
        topic = topics[done % len(topics)]
        diff = DIFFICULTIES[(done // len(topics)) % 3]
        try:
            problem = generate(topic=topic, difficulty=diff, seed=pseed)
        except Exception:  # noqa: BLE001 - a topic that cannot draw this seed
            done += 1
            continue
        t = time.process_time()
        prep = prepare(problem, "total")
        prepare(problem, "per_layer")
        _ = prep.diagnoser  # compiled on first use: count it here, not in the first grade
        prep_times.append(time.process_time() - t)
        eng = prep.diagnoser.engine
        names = eng.names
        own = engine(prep.network)  # the twin search's own (bench/twins.py)

        def timed(text: str, part: Any, problem: Any = problem) -> Any:
            t = time.process_time()
            res = grade(problem, text, part=part)
            grade_times.append(time.process_time() - t)
            return res

        for k in (1, 2, 3):
            got = student(eng, rng, k, weighted)
            if got is None:
                continue
            truth, r = got
            forms = {
                "total": (str(r.total), "total"),
                "per_layer": ("\n".join(f"{a}: {v}" for a, v in zip(names, r.params, strict=True)),
                              "per_layer"),
                "expression": (" + ".join(str(v) for v in r.params if v) or "0", "total"),
            }
            for form, (text, part) in forms.items():
                cond = f"catalogued {k}"
                if not visible(eng, truth, r, form):  # not a k-mistake answer in this form
                    INVISIBLE[(form, cond)] += 1
                    continue
                res = timed(text, part)
                SLIP_NAMED[f"catalogued ({form})"].append("arithmetic slip" in res.feedback)
                row = judge(res, set(truth), per_layer=form != "total")
                stats[(form, cond)].append(row)
                if form != "total":
                    others = simpler_or_equal(truth, twins(prep.diagnoser, own, truth,
                                                           form_view(r.params, form), form))
                    TWINS[(form, cond)].append((bool(others), row[0],
                                                bool(others) and handled(res, truth, others)))
        for cond in UNCATALOGUED:
            if cond == "leave-one-out":
                loo = _leave_one_out(rng, problem, prep)
                if loo is not None:
                    row = judge(timed(*loo), None)
                    stats[("total", cond)].append(row)
                    # a twin: with the whole catalogue the recorded cause is offered next to
                    # the true one as giving the same numbers (no answer form tells them apart)
                    full = grade(problem, loo[0], part=prep)
                    twin = row[4] and len(full.diagnoses) > 1 and not full.recorded
                    stats[("total", "loo, no twin")].append(row[:4] + (row[4] and not twin,))
                continue
            v = uncatalogued(cond, rng, problem, eng)
            if v is None or v == eng.base.total or v <= 0:
                continue
            res = timed(str(v), "total")
            stats[("total", cond)].append(judge(res, None))
            SLIP_NAMED[cond].append("arithmetic slip" in res.feedback)
        done += 1
    return stats


def table(title: str, stats: dict[tuple[str, str], list[Row]]) -> None:
    print(title)
    print(f"{'form':<11}{'condition':<15}{'n':>5}{'top-1':>8}{'hedged':>8}{'silent':>8}"
          f"{'recorded':>10}{'false attr':>12}")
    order = [("total", f"catalogued {k}") for k in (1, 2, 3)] + \
        [(f, f"catalogued {k}") for f in ("per_layer", "expression") for k in (1, 2, 3)] + \
        [("total", c) for c in UNCATALOGUED] + [("total", "loo, no twin")]
    for form, cond in order:
        rows = stats.get((form, cond), [])
        if not rows:
            continue
        n = len(rows)
        cols = [sum(r[c] for r in rows) / n for c in range(5)]
        top = f"{cols[0]:>8.1%}" if cond.startswith("catalogued") else f"{'-':>8}"
        print(f"{form:<11}{cond:<15}{n:>5}{top}{cols[1]:>8.1%}{cols[2]:>8.1%}{cols[3]:>10.1%}"
              f"{cols[4]:>12.1%}")
    unc = [r for (f, c), rows in stats.items() if not c.startswith(("catalogued", "loo,"))
           for r in rows]
    cat = [r for (f, c), rows in stats.items() if c.startswith("catalogued") for r in rows]
    if unc and cat:
        print(f"false attribution, all uncatalogued: {sum(r[4] for r in unc) / len(unc):.1%} "
              f"({len(unc)}); confident-but-wrong, all catalogued: "
              f"{sum(r[4] for r in cat) / len(cat):.1%} ({len(cat)})")


def slip_table() -> None:
    """How often the feedback names an arithmetic slip, per condition (wanted: often for
    slips, transposed and dropped digits; rarely for catalogued mistakes)."""
    print("arithmetic slip named: " + ", ".join(
        f"{c} {sum(v) / len(v):.1%}" for c, v in sorted(SLIP_NAMED.items()) if v))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=60, help="problems per draw mode (default 60)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draw", choices=["both", "uniform", "prior"], default="prior",
                    help="catalogued misconceptions drawn by the catalogue's priors (default) "
                         "or uniformly (harsh: rare entries as often as common ones)")
    args = ap.parse_args()
    grade_times: list[float] = []
    prep_times: list[float] = []
    t_start = time.perf_counter()
    modes = ["uniform", "prior"] if args.draw == "both" else [args.draw]
    for mode in modes:
        clear_cache()  # each mode pays its own preparation
        SLIP_NAMED.clear()
        TWINS.clear()
        INVISIBLE.clear()
        stats = simulate(args.n, args.seed, mode == "prior", grade_times, prep_times)
        answers = sum(len(v) for v in stats.values())
        table(f"\n== catalogued misconceptions drawn {'by prior' if mode == 'prior' else 'uniformly'}"
              f": {args.n} problems, {answers} graded answers", stats)
        twin_table()
    slip_table()
    print(f"\n{time.perf_counter() - t_start:.1f} s wall in all")
    gt = sorted(grade_times)
    pt = sorted(prep_times)
    print(f"grading CPU per answer (after preparation): median {statistics.median(gt) * 1000:.2f} "
          f"ms, p95 {gt[int(len(gt) * 0.95)] * 1000:.2f} ms, max {gt[-1] * 1000:.1f} ms "
          f"({len(gt)} answers)")
    for depth in (12, 24, 48, 200):
        layers = [{"type": "conv2d", "filters": 8, "kernel": 3, "padding": "same"}
                  for _ in range(depth)]
        spec = {"input": {"shape": [8, 8], "channels": 3},
                "layers": [*layers, {"type": "flatten"}, {"type": "dense", "units": 10}]}
        t = time.process_time()
        res = grade(spec, "12345")  # cold: preparation included
        dt = time.process_time() - t
        print(f"one answer to a {depth + 2}-layer network, preparation included: "
              f"{dt * 1000:.0f} ms CPU ({res.reason or 'diagnosed'})")
    print(f"preparation CPU per problem (total + per_layer parts): median "
          f"{statistics.median(pt) * 1000:.0f} ms, p95 {pt[int(len(pt) * 0.95)] * 1000:.0f} ms, "
          f"max {pt[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
