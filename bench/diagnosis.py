"""Simulated students: how often the grader names the right misconceptions, and how fast.

Run from the repository root: ``.venv/bin/python bench/diagnosis.py [--n N] [--seed S] [--draw both|uniform|prior]``.

For N generated, diagnosable problems (``generator.problem.generate`` over every topic and
difficulty), a simulated student holds 1, 2 or 3 misconceptions from the catalogue, each
applied consistently (to every layer it fits), drawn among those that change the answer
and that each still change some layer's parameter count next to the others (otherwise no
answer form could reveal it). The student's answer is given three ways:

- total only (one number), graded as part ``total``;
- per layer ("name: value" lines), graded as part ``per_layer``;
- as an expression (a sum of one term per parametric layer), graded as part ``total``.

Misconceptions are drawn uniformly over the catalogue (harsher than real students: rare
entries as often as common ones) and, separately, in proportion to the catalogue's priors
(the distribution the diagnosis assumes). Printed per form and number of misconceptions: top-1 accuracy (the first diagnosis names
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

from generator.misconceptions import MISCONCEPTIONS, apply, catalogue_values  # noqa: E402
from generator.problem import generate  # noqa: E402
from generator.topics import TOPICS  # noqa: E402
from grader import grade, prepare  # noqa: E402
from grader.grade import clear_cache  # noqa: E402

DIFFICULTIES = ("easy", "medium", "hard")


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


def student(eng, rng: random.Random, k: int, weighted: bool = False):
    """k consistent misconceptions that change the answer and each matter; or None."""
    values = catalogue_values(eng)
    ids = sorted(values)
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


def simulate(n: int, seed: int, weighted: bool, grade_times: list[float],
             prep_times: list[float]) -> dict[tuple[str, int], list[tuple[bool, bool, bool]]]:
    rng = random.Random(seed)
    stats: dict[tuple[str, int], list[tuple[bool, bool, bool]]] = defaultdict(list)
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
        t = time.perf_counter()
        prep = prepare(problem, "total")
        prepare(problem, "per_layer")
        prep_times.append(time.perf_counter() - t)
        eng = prep.diagnoser.engine
        names = eng.names
        for k in (1, 2, 3):
            got = student(eng, rng, k, weighted)
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
    return stats


def table(title: str, stats: dict[tuple[str, int], list[tuple[bool, bool, bool]]]) -> None:
    print(title)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=60, help="problems per draw mode (default 60)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draw", choices=["both", "uniform", "prior"], default="both",
                    help="misconceptions drawn uniformly (harsh) or by the catalogue's priors")
    args = ap.parse_args()
    grade_times: list[float] = []
    prep_times: list[float] = []
    t_start = time.perf_counter()
    modes = ["uniform", "prior"] if args.draw == "both" else [args.draw]
    for mode in modes:
        clear_cache()  # each mode pays its own preparation
        stats = simulate(args.n, args.seed, mode == "prior", grade_times, prep_times)
        answers = sum(len(v) for v in stats.values())
        table(f"\n== misconceptions drawn {'by prior' if mode == 'prior' else 'uniformly'}: "
              f"{args.n} problems, {answers} graded answers", stats)
    print(f"\n{time.perf_counter() - t_start:.1f} s in all")
    gt = sorted(grade_times)
    print(f"grading per answer (after preparation): median {statistics.median(gt) * 1000:.2f} ms, "
          f"p95 {gt[int(len(gt) * 0.95)] * 1000:.2f} ms, max {gt[-1] * 1000:.1f} ms "
          f"({len(gt)} answers)")
    print(f"preparation per problem (total + per_layer parts, cached afterwards): median "
          f"{statistics.median(prep_times) * 1000:.0f} ms, max {max(prep_times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
