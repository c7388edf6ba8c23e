"""Batch grading speed: a synthetic class through ``grader.batch.grade_file``.

Run from the repository root: ``.venv/bin/python bench/batch.py [--n N] [--variants V]
[--workers W]``. Defaults: 1,000,000 submissions over 300 variants (every topic, three
difficulties), graded with diagnosis and feedback by 2 worker processes.

Each variant gets a realistic answer mix: 45 % correct (a few spellings: 1238, 1 238,
1238 params), 35 % a catalogued misconception's value (the commonest first), 10 % typos
(digits swapped or dropped, ± 1), 10 % unreadable text (empty, words, '1,238' ambiguous,
'=1+1'). The class (students s000000…, three answers each) is written to a temporary CSV;
the problem files to a temporary ``--problems`` directory. Prints rows/s, wall time and
peak memory (max RSS of this process and of the largest worker process, from getrusage).

``--distinct`` makes every answer a different number (the worst case for the result
caches): memory must stay bounded by the cache limit, the chunk size and the variants
(grader.batch.options.CACHE_LIMIT), not grow with the number of distinct answers.
``--engine dask`` grades on a local Dask cluster of ``--workers`` processes.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.misconceptions import catalogue_values  # noqa: E402
from generator.problem import DIFFICULTIES, generate  # noqa: E402
from generator.topics import TOPICS  # noqa: E402
from grader.batch import BatchOptions, grade_file  # noqa: E402

UNREADABLE = ["", "idk", "a lot", "=1+1", "see attached", "?", "1e400", "nan"]


def answer_pool(p, rng: random.Random) -> tuple[list[str], list[float]]:
    """Candidate answers for one variant with their weights."""
    total = int(p.answers["total"])
    wrong = sorted(catalogue_values(p.network()).values(), key=lambda v: abs(v - total))
    s = str(total)
    typos = {str(total + 1), str(total - 1), s[:-1] or "0", s + "0"}
    if len(s) > 2:
        typos.add(s[:1] + s[2] + s[1] + s[3:])
    pool: list[tuple[str, float]] = [(s, 0.35), (f"{total:,}".replace(",", " "), 0.05),
                                     (f"{s} params", 0.05)]
    pool += [(str(v), 0.35 * 0.6 ** i) for i, v in enumerate(wrong[:8])]
    pool += [(t, 0.10 / len(typos)) for t in sorted(typos)]
    pool += [(u, 0.08 / len(UNREADABLE)) for u in UNREADABLE]
    pool.append((f"{total:,}", 0.02))  # ambiguous with a single comma group
    answers, weights = zip(*pool, strict=True)
    return list(answers), list(weights)


def build(directory: Path, n: int, variants: int, seed: int, distinct: bool = False) -> Path:
    rng = random.Random(seed)
    problems_dir = directory / "problems"
    problems_dir.mkdir()
    topics = list(TOPICS)
    pools = []
    for i in range(variants):
        p = generate(topic=topics[i % len(topics)], difficulty=DIFFICULTIES[(i // len(topics)) % 3],
                     seed=1000 + i)
        (problems_dir / f"{p.id}.json").write_text(p.to_json(), encoding="utf-8")
        pools.append((p.id, *answer_pool(p, rng)))
    path = directory / "submissions.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "problem", "answer"])
        for i in range(n):
            pid, answers, weights = pools[rng.randrange(variants)]
            answer = str(10_000_000 + i) if distinct else rng.choices(answers, weights)[0]
            w.writerow([f"s{i // 3:06d}", pid, answer])
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--variants", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--distinct", action="store_true", help="every answer different")
    ap.add_argument("--engine", choices=["local", "dask"], default="local")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        submissions = build(d, args.n, args.variants, args.seed, args.distinct)
        t1 = time.perf_counter()
        print(f"synthetic class: {args.n:,} {'distinct ' if args.distinct else ''}submissions "
              f"over {args.variants} variants "
              f"({submissions.stat().st_size / 1e6:.1f} MB) built in {t1 - t0:.1f} s")
        opts = BatchOptions(workers=args.workers, chunk_size=args.chunk_size,
                            engine=args.engine)
        load_before = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        stats = grade_file(submissions, d / "results.csv", opts, problems_dir=d / "problems")
        wall = time.perf_counter() - start
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"graded {stats.rows:,} rows in {wall:.1f} s wall: {stats.rows / wall:,.0f} rows/s "
              f"({args.workers} workers)")
        print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in stats.by_status.items()))
        print(f"result cache hits: {stats.cache_hits:,} of {stats.rows:,}")
        print(f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after the run "
              f"({os.cpu_count()} cores; other users' work shows here)")
        print(f"peak memory (max RSS): parent {me.ru_maxrss / 1024:.0f} MB, "
              f"largest worker {kids.ru_maxrss / 1024:.0f} MB")
        parent_cpu = (me.ru_utime + me.ru_stime) - (before.ru_utime + before.ru_stime)
        workers_cpu = kids.ru_utime + kids.ru_stime
        print(f"CPU while grading: parent {parent_cpu:.1f} s, workers {workers_cpu:.1f} s; "
              f"{(parent_cpu + workers_cpu) * 1e6 / max(stats.rows, 1):.1f} CPU-s per million "
              f"answers, parent and workers (a figure that other users' load changes less "
              f"than the wall time)")
        print(f"results: {(d / 'results.csv').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
