"""Every exported distractor is graded as the misconception whose feedback it carries.

Over many seeds (every topic and difficulty in turn, each kind of number: total, one
layer's count, one layer's shape), the real grader must name at least one of the
misconceptions the export names for the value, and grade it incorrect. The listed variants
are regressions: a per-layer value a catalogued mistake gives at one layer was explained by
a shape mistake upstream whose carried-forward shapes the later, correct layers contradict
(batch-norm moving statistics taken for a conv depth mistake), or an equally likely simpler
cause was not offered next to a two-mistake one.
"""

from __future__ import annotations

import pytest

from generator.problem import DIFFICULTIES, generate
from generator.topics import TOPICS
from grader.grade import grade
from tests.test_export_properties import KINDS, answers_for

TOPIC_LIST = sorted(TOPICS)
#: (topic, difficulty, seed) variants that once failed
REGRESSIONS = [("batchnorm", "hard", 529), ("batchnorm", "hard", 3), ("batchnorm", "hard", 5),
               ("transpose", "easy", 0), ("transpose", "medium", 2)]
SEEDS = 60


def _check(p) -> int:
    n = 0
    for kind in KINDS:
        for part, answer, names in answers_for(p, kind):
            r = grade(p, answer, part=part)
            found = {m for d in r.diagnoses for m in d.misconceptions}
            assert r.status == "incorrect", (p.id, part, answer)
            assert names & found, (f"{p.id} {part} {answer!r}: export names {sorted(names)}, "
                                   f"grader diagnoses {sorted(found)}")
            n += 1
    return n


@pytest.mark.parametrize(("topic", "difficulty", "seed"), REGRESSIONS)
def test_regressions(topic: str, difficulty: str, seed: int) -> None:
    assert _check(generate(topic=topic, difficulty=difficulty, seed=seed, parts=KINDS)) > 0


@pytest.mark.parametrize("block", range(4))
def test_many_seeds(block: int) -> None:
    checked = 0
    for seed in range(block, SEEDS, 4):
        topic = TOPIC_LIST[seed % len(TOPIC_LIST)]
        difficulty = DIFFICULTIES[(seed // len(TOPIC_LIST)) % len(DIFFICULTIES)]
        checked += _check(generate(topic=topic, difficulty=difficulty, seed=1000 + seed,
                                   parts=KINDS))
    assert checked > 100
