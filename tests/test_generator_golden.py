"""Golden files: a few fixed problems in every format (text changes only on purpose).

Rewrite them with ``pytest tests/test_generator_golden.py --update-golden`` and review the diff.
Numbers are checked by asserts elsewhere; these pin the wording and layout.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generator.present import render_problem, render_set, render_solution_for
from generator.problem import PARTS, generate

VERSION = "0.1.0"  # fixed, so an upgrade alone does not change the files
FIXED = [
    ("basic", "easy", 42, "prose", PARTS),
    ("sharing", "medium", 7, "keras", ("total", "per_layer")),
    ("batchnorm", "hard", 3, "pytorch", ("total", "trainable_split", "shape")),
    ("trainable-pooling", "easy", 5, "table", ("total", "weights_biases", "macs")),
]
EXT = {"md": "md", "html": "html", "latex": "tex", "txt": "txt"}


@pytest.mark.parametrize("topic, difficulty, seed, style, parts", FIXED,
                         ids=[f"{t}-{d}-{s}-{st}" for t, d, s, st, _ in FIXED])
def test_golden_problem(golden: Callable[[str, str], None], topic: str, difficulty: str,
                        seed: int, style: str, parts: tuple[str, ...]) -> None:
    p = generate(topic=topic, difficulty=difficulty, seed=seed, style=style, parts=parts,
                 version=VERSION)
    golden(f"{p.id}.json", p.to_json())
    for fmt, ext in EXT.items():
        golden(f"{p.id}.problem.{ext}", render_problem(p, fmt))
        golden(f"{p.id}.solution.{ext}", render_solution_for(p, fmt))


def test_golden_set(golden: Callable[[str, str], None]) -> None:
    ps = [generate(topic=t, difficulty=d, seed=s, style=st, parts=pa, version=VERSION)
          for t, d, s, st, pa in FIXED[:2]]
    for fmt, ext in EXT.items():
        golden(f"set.handout.{ext}", render_set(ps, fmt))
        golden(f"set.key.{ext}", render_set(ps, fmt, key=True))
