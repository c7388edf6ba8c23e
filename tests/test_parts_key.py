"""Every part of every generated problem is gradable: the problem's own key grades correct.

On every topic × difficulty × style × part, 20 seeds each: the key written as a student
would (numbers, labelled pairs in several forms, per-layer lines, shapes) is graded
``correct`` by :func:`grader.grade` and by batch grading (a ``part`` column); a sample goes
through the real ``cnnquiz grade`` command in a subprocess. Problems are generated once
per (topic, difficulty, style) and all their parts graded in that test.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.parts import Form, parse_part, split_of
from generator.problem import DIFFICULTIES, PARTS, Problem, generate
from generator.topics import TOPICS, styles_for
from generator.wording import answer_text
from grader import grade
from grader.batch import BatchOptions, grade_file

SEEDS = range(20)
COMBOS = [(t, d, s) for t in TOPICS for d in DIFFICULTIES for s in styles_for(t)]


def key_answers(part: str, value: Any, seed: int) -> list[str]:
    """The key as students write it (several forms per part, chosen by the seed).

    Thousands commas only where they are unambiguous without a locale (two groups or more);
    the printed key (``answer_text``) is graded with ``locale="en"`` in the test.
    """
    p = parse_part(part)
    match p.form:
        case Form.INTEGER:
            return [str(value), f"{value:,}" if value >= 10**6 else f"{value:_}"]
        case Form.SHAPE:
            return ["x".join(map(str, value)), "(None, " + ", ".join(map(str, value)) + ")"]
        case Form.PER_LAYER:
            return ["\n".join(f"{k}: {v}" for k, v in value.items())]
        case Form.PAIR:
            a, b = (value[lab] for lab in p.labels)
            la, lb = p.labels
            forms = [f"{la.replace('_', '-')} {a}, {lb.replace('_', '-')} {b}", f"{a} + {b}",
                     f"{a}, {b}", f"{lb}: {b}; {la}: {a}", split_of(p, [str(a), str(b)]),
                     f"{a}\n{b}"]
            return [forms[seed % len(forms)], forms[(seed + 1) % len(forms)]]
    raise AssertionError(part)


def problems(topic: str, difficulty: str, style: str) -> list[Problem]:
    return [generate(topic=topic, difficulty=difficulty, seed=seed, style=style, parts=PARTS)
            for seed in SEEDS]


@pytest.mark.parametrize("topic, difficulty, style", COMBOS,
                         ids=[f"{t}-{d}-{s}" for t, d, s in COMBOS])
def test_own_key_grades_correct_for_every_part(topic: str, difficulty: str, style: str,
                                               tmp_path: Path) -> None:
    made = problems(topic, difficulty, style)
    bad: list[str] = []
    rows: list[tuple[str, str, str]] = []
    kinds = set()
    for p in made:
        assert {x.partition(":")[0] for x in p.parts} == set(PARTS), p.parts
        for part in p.parts:
            kinds.add(part.partition(":")[0])
            for text in key_answers(part, p.answers[part], p.seed):
                r = grade(p, text, part=part)
                if r.status != "correct" or r.score != 1.0:
                    bad.append(f"{p.id} {part} {text!r}: {r.status} {r.reason} {r.feedback[:120]}")
                rows.append((p.id, part, text))
            printed = answer_text(part, p.answers[part])
            r = grade(p, printed, part=part, locale="en")
            if p.answers[part] and r.status != "correct" and parse_part(part).form in (
                    Form.INTEGER, Form.PAIR):
                bad.append(f"{p.id} {part} printed key {printed!r}: {r.status} {r.reason}")
    assert kinds == set(PARTS)
    assert not bad, "\n".join(bad[:10])

    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "problem", "part", "answer"])
        w.writerows((f"s{i}", pid, part, text) for i, (pid, part, text) in enumerate(rows))
    out = tmp_path / "results.csv"
    stats = grade_file(src, out, BatchOptions(), problems={p.id: p for p in made})
    assert stats.rows == len(rows)
    with out.open(newline="", encoding="utf-8") as f:
        results = list(csv.DictReader(f))
    wrong = [(r["problem"], r["part"], r["status"], r["reason"]) for r in results
             if r["status"] != "correct"]
    assert not wrong, wrong[:10]


def test_cli_grades_the_key_of_every_part(tmp_path: Path) -> None:
    """A sample through the real command line (a subprocess), one problem per topic pair."""
    made = [generate(topic=t, difficulty="medium", seed=7, style="mixed", parts=PARTS)
            for t in ("batchnorm", "depthwise-separable")]
    checked = 0
    for p in made:
        path = tmp_path / f"{p.id}.json"
        path.write_text(p.to_json(), encoding="utf-8")
        for part in p.parts:
            text = key_answers(part, p.answers[part], 0)[0]
            got = subprocess.run(
                [sys.executable, "-m", "cnnquiz", "grade", str(path), "--answer", "-",
                 "--part", part, "--format", "json", "--hide-answer"],
                input=text, capture_output=True, text=True, timeout=120, check=False)
            assert got.returncode == 0, got.stderr
            d = json.loads(got.stdout)
            assert (d["status"], d["part"], d["expected"]) == ("correct", part, None), d
            checked += 1
    assert checked == 12
