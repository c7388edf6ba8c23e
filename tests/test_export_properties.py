"""Properties of the LMS exports on every topic x difficulty (styles and seeds rotating):

- every distractor an export lists for a wrong value is diagnosed by the real grader
  (``grader.grade``) as a misconception the export names;
- every export file passes the offline checks: Moodle XML, GIFT and QTI validators (run by
  the exporters themselves), the file types Moodle and Canvas accept, and the IMS QTI 1.2
  ASI DTD for every QTI document.

Kept fast by sampling: one variant per topic x difficulty, the part kinds and styles rotating
over the cases, at most :data:`PER_CASE` distractors graded per variant (spread over the list).
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from generator.export import EXPORTERS
from generator.export import content as c
from generator.export.validate import check_file_type, check_qti_dtd, qti_documents
from generator.problem import DIFFICULTIES, generate
from generator.topics import CLASSICS, TOPICS, styles_for
from grader.grade import grade

DTD = Path(__file__).parent / "data" / "ims_qtiasiv1p2.dtd"
#: every topic, the classic posted questions and one combined topic, at every difficulty
CASES = list(itertools.product([*TOPICS, *CLASSICS, "color+sharing+trainable-pooling"],
                               DIFFICULTIES))
KINDS = ("total", "per_layer", "shape")
PER_CASE = 8
SEED = 20261201


def variant(n: int, topic: str, difficulty: str, parts: tuple[str, ...] = KINDS):
    # the classics in their first style: a classic-pool-weight variant drawn in keras style
    # can fail to render (codegen: "mixed max/average trainable pooling"), a generator bug
    # outside the exports, reported
    styles = styles_for(topic)[:1] if topic in CLASSICS else styles_for(topic)
    return generate(topic=topic, difficulty=difficulty, seed=SEED + n, parts=parts,
                    style=styles[n % len(styles)])


def answers_for(p, kind: str) -> list[tuple[str, str, frozenset[str]]]:
    """(grader part, answer, names the export gives it) for each listed distractor of one
    kind of number: a total; a breakdown with one layer's count wrong; a layer's whole shape
    as one mistake gives it (each dimension a blank; equal shapes merge their names)."""
    out = []
    shapes: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for t in c.targets(p):
        if not t.part.startswith(kind):
            continue
        for d in c.distractors(p, t.key):
            names = frozenset(d.misconceptions)
            if kind == "total":
                out.append(("total", str(d.value), names))
            elif kind == "per_layer":
                layer = t.key.split(":", 1)[1]
                rows = {**p.answers["per_layer"], layer: d.value}
                out.append(("per_layer", "\n".join(f"{k}: {v}" for k, v in rows.items()), names))
            else:
                _, layer, dim = t.key.split(":")
                for m in names:
                    shapes[layer][m][int(dim)] = d.value
    for layer, by_m in shapes.items():
        whole: dict[tuple[int, ...], set[str]] = defaultdict(set)
        for m, dims in by_m.items():
            shape = list(p.answers[f"shape:{layer}"])
            for k, v in dims.items():
                shape[k] = v
            whole[tuple(shape)].add(m)
        out += [(f"shape:{layer}", "x".join(map(str, s)), frozenset(ms)) for s, ms in whole.items()]
    return out


@pytest.mark.parametrize(("topic", "difficulty"), CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_export_distractors_are_diagnosed_as_named(topic: str, difficulty: str) -> None:
    n = CASES.index((topic, difficulty))
    p = variant(n, topic, difficulty)
    kind = KINDS[n % len(KINDS)]
    cases = answers_for(p, kind)
    if not cases:  # this variant's kind lists none: fall back to its total
        kind, cases = "total", answers_for(p, "total")
    assert cases, f"{p.id}: no distractor at all"
    step = max(1, len(cases) // PER_CASE)
    for part, answer, names in cases[::step][:PER_CASE]:
        r = grade(p, answer, part=part)
        found = {m for d in r.diagnoses for m in d.misconceptions}
        assert r.status == "incorrect", (p.id, part, answer)
        assert names & found, f"{p.id} {part} {answer!r}: export names {sorted(names)}, " \
                              f"grader diagnoses {sorted(found)}"


@pytest.fixture(scope="module")
def every_case() -> list:
    return [variant(n, t, d, parts=KINDS if n % 2 else ("total",))
            for n, (t, d) in enumerate(CASES)]


@pytest.mark.parametrize("fmt", ["moodle", "gift", "qti"])
def test_every_export_passes_the_offline_checks(fmt: str, every_case: list,
                                                tmp_path: Path) -> None:
    (path,) = EXPORTERS[fmt](every_case, tmp_path)  # each exporter validates before writing
    check_file_type(path.name, fmt)
    if fmt == "qti":
        docs = qti_documents(io.BytesIO(path.read_bytes()))
        assert docs
        for doc in docs.values():
            check_qti_dtd(doc, DTD)


def test_batchnorm_counting_all_parameters_keeps_its_per_layer_distractors() -> None:
    """The key and the grader count per layer under the network's convention (parts.py),
    so batch-norm layers of a ``count: total`` problem get their distractors too."""
    p = next(q for s in range(40) if (q := generate(topic="batchnorm", difficulty="easy", seed=s,
                                                    parts=("per_layer",))).network().count.value
             == "total")
    bn = [t for t in c.targets(p) if t.key.split(":", 1)[1].startswith("bn")]
    assert bn and all(c.distractors(p, t.key) for t in bn)
    for part, answer, names in answers_for(p, "per_layer")[:PER_CASE]:
        found = {m for d in grade(p, answer, part=part).diagnoses for m in d.misconceptions}
        assert names & found, (answer, sorted(names), sorted(found))
