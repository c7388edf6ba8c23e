"""Stress test (R/exams ``stresstest_exercise`` style): 2,025 seeds over every topic and difficulty.

For each seed: the problem is valid (solves, all sizes ≥ 1, no window floors), unambiguous
(``lint`` finds nothing), diagnosable (the answer and every catalogued wrong value are pairwise
distinct), its answers agree with the solution, and it is deterministic (generated twice: the
same JSON and Markdown bytes). JSON and Markdown are rendered for every seed; every format
(md, html, latex, txt, problem + solution) for every 7th seed (about 300), to keep the run
short (≈ 1 min on 2 cores).
"""

from __future__ import annotations

import json

import pytest

from generator.lint import lint
from generator.misconceptions import catalogue_values
from generator.network import solve
from generator.present import render_problem, render_solution_for
from generator.problem import PARTS, floors, generate
from generator.spec import load_spec
from generator.topics import STYLES, TOPICS

SEEDS_PER_CASE = 45  # 15 topics × 3 difficulties × 45 = 2,025 seeds
CASES = [(t, d) for t in TOPICS for d in ("easy", "medium", "hard")]
STYLE_CYCLE = (*STYLES, "mixed")


def _check(topic: str, difficulty: str, seed: int) -> dict[str, int]:
    style = STYLE_CYCLE[seed % len(STYLE_CYCLE)]
    p = generate(topic=topic, difficulty=difficulty, seed=seed, parts=PARTS, style=style)
    again = generate(topic=topic, difficulty=difficulty, seed=seed, parts=PARTS, style=style)
    assert p.to_json() == again.to_json()
    md = render_problem(p, "md") + render_solution_for(p, "md")
    assert md == render_problem(again, "md") + render_solution_for(again, "md")

    data = json.loads(p.to_json())
    net = load_spec(data["spec"])  # exactly what `cnnquiz solve` reads
    sol = solve(net)
    assert all(d >= 1 for r in sol.rows for d in r.out_shape)
    assert floors(sol) == [], f"{p.id}: a window floors"
    assert lint(data["spec"]) == [], f"{p.id}: ambiguous"
    wrong = catalogue_values(net)
    values = [sol.answer, *wrong.values()]
    assert len(set(values)) == len(values), f"{p.id}: not diagnosable {wrong}"
    assert data["answers"]["total"] == sol.answer > 0
    # per layer counts what the total counts (the network's count convention)
    assert sum(data["answers"]["per_layer"].values()) == sol.answer
    if seed % 7 == 0:
        for fmt in ("html", "latex", "txt"):
            assert render_problem(p, fmt) and render_solution_for(p, fmt)
    return {"rendered_all": int(seed % 7 == 0)}


@pytest.mark.parametrize("topic, difficulty", CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_stress(topic: str, difficulty: str) -> None:
    base = (list(TOPICS).index(topic) * 3 + ("easy", "medium", "hard").index(difficulty)) * 1000
    for seed in range(base, base + SEEDS_PER_CASE):
        _check(topic, difficulty, seed)
