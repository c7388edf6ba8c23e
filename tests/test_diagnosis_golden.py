"""Golden diagnosis outputs over a table of answers: what every speed-up must leave unchanged.

One generated problem per topic (easy and hard in turn), each answered with the key, one-off
typos, a guess, eight of the catalogue's own values and two-mistake combinations (total part), and a
per-layer list under one mistake. Each graded answer is recorded as one JSON line (status,
score, diagnoses with layers, values and confidence, hedges, feedback), followed by the
total search's ranked explanations with posteriors. A change of ranking, hedging or wording
on purpose is reviewed with ``pytest tests/test_diagnosis_golden.py --update-golden``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from generator.misconceptions import apply, catalogue_values
from generator.problem import generate
from generator.topics import TOPICS
from grader import grade, prepare

CASES = [(t, ("easy", "hard")[i % 2]) for i, t in enumerate(TOPICS)]


def _answers(p: Any, rng: random.Random) -> list[str]:
    net = p.network()
    total = int(p.answers["total"])
    values = catalogue_values(net)
    out = [str(total), str(total + 1), str(total * 10), "3000"]
    out += [str(v) for v in list(values.values())[:: max(1, len(values) // 8)]]
    ids = sorted(values)
    for _ in range(2):
        if len(ids) >= 2:
            try:
                out.append(str(apply(net, [(m, None) for m in rng.sample(ids, 2)]).total))
            except ValueError:  # the two together make a size ≤ 0
                pass
    return out


def _row(result: Any) -> str:
    d = result.to_dict()
    keep = ("status", "score", "given", "diagnoses", "confidence", "recorded", "hedged",
            "feedback", "reason")
    return json.dumps({k: d.get(k) for k in keep}, sort_keys=True, ensure_ascii=False)


def _table(topic: str, difficulty: str) -> str:
    p = generate(topic=topic, difficulty=difficulty, seed=4242)
    rng = random.Random(topic + difficulty)
    lines = []
    prep = prepare(p, "total")
    for answer in _answers(p, rng):
        lines.append(f"total {answer}: {_row(grade(p, answer, part='total'))}")
        if answer.lstrip("-").isdigit():
            found = prep.diagnoser.total(int(answer))
            lines.append("  search: " + json.dumps(
                [[list(e.ids), [list(s.layers) for s in e.sites], round(e.posterior, 9)]
                 for e in found]))
    ids = sorted(catalogue_values(p.network()))
    if ids:
        bug = apply(p.network(), [(ids[len(ids) // 2], None)])
        text = "\n".join(f"{n}: {v}" for n, v in zip(bug.names, bug.params, strict=True))
        lines.append(f"per_layer {ids[len(ids) // 2]}: "
                     f"{_row(grade(p, text, part='per_layer'))}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("topic", "difficulty"), CASES)
def test_diagnosis_outputs_are_golden(topic: str, difficulty: str,
                                      golden: Callable[[str, str], None]) -> None:
    golden(f"diagnosis/{topic}-{difficulty}.txt", _table(topic, difficulty))
