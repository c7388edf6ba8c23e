"""Variants per second for generate + solve + render (Markdown and JSON), one process.

Each variant: draw a diagnosable problem (redraws included), solve it with worked steps,
render the problem and its worked solution as Markdown, and write its JSON problem file
(to memory). Topics and difficulties in turn, every part asked, styles mixed.

    python bench/generate.py [N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# the checkout this script is in, not whichever one the venv's editable install points at
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.present import render_problem, render_solution_for  # noqa: E402
from generator.problem import PARTS, generate  # noqa: E402
from generator.topics import TOPICS  # noqa: E402

CASES = [(t, d) for t in TOPICS for d in ("easy", "medium", "hard")]


def one(i: int) -> int:
    topic, difficulty = CASES[i % len(CASES)]
    p = generate(topic=topic, difficulty=difficulty, seed=10_000 + i, parts=PARTS, style="mixed")
    p.solution()
    text = render_problem(p, "md") + render_solution_for(p, "md") + p.to_json()
    return len(text)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    one(0)  # imports and template compilation are not per-variant costs
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(1, n + 1):
        one(i)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{n} variants (15 topics x 3 difficulties, all parts, mixed styles): "
          f"generate + solve + render Markdown and JSON")
    print(f"{n / wall:.0f} variants/s wall, {n / cpu:.0f} variants/s per core (CPU time); "
          f"{1000 * cpu / n:.2f} ms CPU per variant")


if __name__ == "__main__":
    main()
