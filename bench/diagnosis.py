"""Simulated students: how often the grader names the right misconceptions, and how fast.

Run from the repository root: ``.venv/bin/python bench/diagnosis.py [--n N] [--seed S]``.

For N generated, diagnosable problems (``generator.problem.generate`` over every topic and
difficulty), a simulated student holds 1, 2 or 3 misconceptions from the catalogue, each
applied consistently (to every layer it fits), drawn among those that change the answer
and that each still matter next to the others. The student's answer is given three ways:

- total only (one number), graded as part ``total``;
- per layer ("name: value" lines), graded as part ``per_layer``;
- as an expression (a sum of one term per parametric layer), graded as part ``total``.

Printed per form and number of misconceptions: top-1 accuracy (the first diagnosis names
exactly the true set; for per-layer and expression answers, the union of the diagnosed
layers' ids), truth among the reported explanations, and the confident-but-wrong rate.
Then the grading time per answer (median, after preparation) and the preparation time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.misconceptions import apply, catalogue_values, engine  # noqa: E402
from generator.problem import generate  # noqa: E402
from generator.topics import TOPICS  # noqa: E402
from grader import grade, prepare  # noqa: E402

DIFFICULTIES = ("easy", "medium", "hard")


def student(eng, rng: random.Random, k: int):
    """k consistent misconceptions that change the answer and each matter; or None."""
    values = catalogue_values(eng)
    ids = sorted(values)
    if len(ids) < k:
        return None
    for _ in range(20):
        pick = tuple(rng.sample(ids, k))
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
            if s.params == r.params and s.shapes == r.shapes:
                ok = False
        if ok:
            return pick, r
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=150, help="problems (default 150)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stats: dict[tuple[str, int], list[tuple[bool, bool, bool]]] = defaultdict(list)
    grade_times: list[float] = []
    prep_times: list[float] = []
    topics = list(TOPICS)
    done = 0
    seed = args.seed * 100_000
    t_start = time.perf_counter()
    while done < args.n:
        seed += 1
        topic = topics[done % len(topics)]
        diff = DIFFICULTIES[(done // len(topics)) % 3]
        try:
            problem = generate(topic=topic, difficulty=diff, seed=seed)
        except Exception:  # noqa: BLE001 - a topic that cannot draw this seed
            done += 1
            continue
        t = time.perf_counter()
        prep = prepare(problem, "total")
        prepare(problem, "per_layer")
        prep_times.append(time.perf_counter() - t)
        eng = prep.diagnoser.engine
        names = eng.names
        for k in (1, 2, 3):
            got = student(eng, rng, k)
            if got is None:
                continue
            truth, r = got
            truth_set = set(truth)
            answers = {
                "total": (str(r.total), "total"),
                "per_layer": ("\n".join(f"{n}: {v}" for n, v in zip(names, r.params, strict=True)),
                              "per_layer"),
                "expression": (" + ".join(str(v) for v in r.params if v) or "0", "total"),
            }
            for form, (text, part) in answers.items():
                t = time.perf_counter()
                res = grade(problem, text, part=part)
                grade_times.append(time.perf_counter() - t)
                if form == "total":
                    sets = [set(d.misconceptions) for d in res.diagnoses]
                    top = bool(sets) and sets[0] == truth_set
                    among = truth_set in sets
                else:
                    union = set().union(*[set(d.misconceptions) for d in res.diagnoses]) \
                        if res.diagnoses else set()
                    top = union == truth_set and not res.ambiguous
                    among = truth_set <= union
                stats[(form, k)].append((top, among, res.confident and not top))
        done += 1
    print(f"{args.n} problems ({len(prep_times)} prepared), "
          f"{sum(len(v) for v in stats.values())} graded answers, "
          f"{time.perf_counter() - t_start:.1f} s")
    print(f"{'form':<12}{'k':>3}{'n':>6}{'top-1':>9}{'among':>9}{'conf-wrong':>12}")
    for form in ("total", "per_layer", "expression"):
        for k in (1, 2, 3):
            rows = stats.get((form, k), [])
            if not rows:
                continue
            n = len(rows)
            top = sum(r[0] for r in rows) / n
            among = sum(r[1] for r in rows) / n
            cw = sum(r[2] for r in rows) / n
            print(f"{form:<12}{k:>3}{n:>6}{top:>9.1%}{among:>9.1%}{cw:>12.1%}")
    gt = sorted(grade_times)
    print(f"grading per answer (after preparation): median {statistics.median(gt) * 1000:.2f} ms, "
          f"p95 {gt[int(len(gt) * 0.95)] * 1000:.2f} ms, max {gt[-1] * 1000:.1f} ms")
    print(f"preparation per problem (total + per_layer parts): median "
          f"{statistics.median(prep_times) * 1000:.0f} ms, max {max(prep_times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
