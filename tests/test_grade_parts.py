"""Grading every part: pairs as people write them, MAC mistakes, and exam mode on every
format × part (the key never printed or returned with ``--hide-answer``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.layers import fmt_shape
from generator.macs import mac_factors
from generator.misconceptions import MAC_MISCONCEPTIONS, mac_values
from generator.parts import KINDS, NAMES, Form, parse_part, split_of
from generator.problem import PARTS, generate
from generator.render import num
from generator.spec import read_spec_file
from generator.wording import conventions, question_text
from grader import grade

ROOT = Path(__file__).resolve().parent.parent
BN = generate(topic="batchnorm", difficulty="medium", seed=3, parts=PARTS)
WB = BN.answers["weights_biases"]
TS = BN.answers["trainable_split"]


def test_one_registry_of_parts() -> None:
    assert PARTS == NAMES == tuple(KINDS)
    assert set(NAMES) == {"total", "per_layer", "shape", "weights_biases", "trainable_split",
                          "macs"}
    assert parse_part("macs:conv1").form is Form.INTEGER and parse_part("macs").form is Form.PER_LAYER
    with pytest.raises(Exception, match="unknown part"):
        parse_part("weights")
    with pytest.raises(Exception, match="names no layer"):
        parse_part("total:conv1")


@pytest.mark.parametrize("text", [
    f"weights {WB['weights']}, biases {WB['biases']}",
    f"{WB['weights']} + {WB['biases']}",
    f"{WB['weights']}, {WB['biases']}",
    f"weights: {WB['weights']}; biases: {WB['biases']}",
    f"biases: {WB['biases']}; weights: {WB['weights']}",
    f"{WB['biases']} biases and {WB['weights']} weights",
    f'{{"weights": {WB["weights"]}, "biases": {WB["biases"]}}}',
    f"({WB['weights']}, {WB['biases']})",
    f"{WB['weights']}\n{WB['biases']}",
    split_of(parse_part("weights_biases"), [str(WB["weights"]), str(WB["biases"])]),
])
def test_weights_biases_forms(text: str) -> None:
    r = grade(BN, text, part="weights_biases")
    assert (r.status, r.score) == ("correct", 1.0), r.feedback


def test_swapped_pair_is_diagnosed() -> None:
    r = grade(BN, f"{WB['biases']}, {WB['weights']}", part="weights_biases")
    assert r.status == "incorrect" and r.score == 0.0
    assert r.diagnoses[0].misconceptions == ("pair_swapped",) and r.confident
    assert "other order" in r.feedback


def test_moving_statistics_counted_trainable() -> None:
    every = TS["trainable"] + TS["non_trainable"]
    r = grade(BN, f"trainable {every}, non-trainable 0", part="trainable_split")
    assert r.diagnoses[0].misconceptions == ("bn_moving_stats_trainable",)


@pytest.mark.parametrize("text, reason", [
    ("1792", "expected_pair"), ("1 + 2 + 3", "expected_pair"), ("apples 1, pears 2", "expected_pair"),
    ("weights 1, weights 2", "expected_pair"), ("", "empty"),
])
def test_not_a_pair_is_unreadable(text: str, reason: str) -> None:
    r = grade(BN, text, part="weights_biases")
    assert r.status == "unreadable" and r.given is None
    assert r.reason in (reason, "expected_pair"), r.reason


def _mac_layer() -> tuple[str, dict[str, int]]:
    sol = BN.solution()
    name = next(iter(BN.answers["macs"]))
    node = next(n for n in sol.network.nodes if n.name == name)
    factors = mac_factors(node.layer, sol.row(name).in_shape)
    assert factors is not None, name
    return name, mac_values(factors)


@pytest.mark.parametrize("mid", list(MAC_MISCONCEPTIONS))
def test_mac_misconceptions_are_diagnosed(mid: str) -> None:
    name, values = _mac_layer()
    assert mid in values, f"{mid} does not apply to {name}"
    r = grade(BN, str(values[mid]), part=f"macs:{name}")
    assert r.status == "incorrect"
    assert (mid,) in [d.misconceptions for d in r.diagnoses]
    per = "\n".join(f"{k}: {values[mid] if k == name else v}" for k, v in BN.answers["macs"].items())
    r = grade(BN, per, part="macs")
    assert r.status == "incorrect" and r.score == 0.5
    assert r.findings[0]["verdict"] == "misconception" and r.findings[0]["misconceptions"] == [mid]


def test_mac_values_match_the_layers_own_count() -> None:
    name, _ = _mac_layer()
    r = grade(BN, str(BN.answers["macs"][name]), part=f"macs:{name}")
    assert r.status == "correct"
    assert grade(BN, "12345", part=f"macs:{name}").diagnoses == ()


def test_batchnorm_count_total_per_layer_key_grades_correct_and_texts_agree() -> None:
    """count: total: the per-layer key counts all parameters, as the grader does, and the
    texts say so; no text says 'trainable only' while asking for non-trainable ones."""
    found = 0
    for seed in range(40):
        p = generate(topic="batchnorm", difficulty="hard", seed=seed, parts=PARTS)
        net = p.network()
        words = " ".join(conventions(p, net) + [question_text(x, p, net) for x in p.parts])
        assert "'Parameters' means trainable parameters only." not in words  # split is asked
        if p.spec.get("conventions", {}).get("count") != "total":
            continue
        found += 1
        key = "\n".join(f"{k}: {v}" for k, v in p.answers["per_layer"].items())
        assert sum(p.answers["per_layer"].values()) == p.answers["total"]
        assert grade(p, key, part="per_layer").status == "correct"
        assert "trainable and non-trainable together" in question_text("per_layer", p, net)
    assert found, "no count: total batch-norm problem in 40 seeds"


# -- exam mode: every format × part ---------------------------------------------------------
def _wrong(part: str, value: Any) -> tuple[str, list[str]]:
    """A wrong answer to ``part`` and the key texts that must not appear in its feedback."""
    form = parse_part(part).form

    def texts(v: int) -> list[str]:
        return [num(v), str(v)] if v >= 10 else []

    if form is Form.INTEGER:
        return str(value + 7), texts(value)
    if form is Form.SHAPE:
        bad = [value[0] + 1, *value[1:]]
        return "x".join(map(str, bad)), [fmt_shape(value), "x".join(map(str, value)),
                                         ", ".join(map(str, value))]
    if form is Form.PAIR:
        a, b = (value[k] for k in parse_part(part).labels)
        return f"{a + 3}, {b + 5}", texts(a) + texts(b) + texts(a + b)
    first = next(iter(value))  # per layer: the first layer wrong, the rest right
    lines = [f"{k}: {v + 11 if k == first else v}" for k, v in value.items()]
    return "\n".join(lines), texts(value[first]) + texts(sum(value.values()))


def _leaks(text: str, keys: list[str]) -> list[str]:
    """Key texts found in ``text`` as whole numbers (not inside a longer number)."""
    return [k for k in keys
            if re.search(rf"(?<!\d)(?<!\d[.,]){re.escape(k)}(?!\d)(?![.,]\d)", text)]


PROBLEMS = [BN, generate(topic="depthwise-separable", difficulty="hard", seed=5, parts=PARTS),
            generate(topic="trainable-pooling", difficulty="easy", seed=2, parts=PARTS)]
CASES = [(p, part) for p in PROBLEMS for part in p.parts]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
@pytest.mark.parametrize("problem, part", CASES, ids=[f"{p.id}-{x}" for p, x in CASES])
def test_exam_mode_never_shows_the_key(problem: Any, part: str, fmt: str) -> None:
    answer, keys = _wrong(part, problem.answers[part])
    r = grade(problem, answer, part=part, hide_answer=True, feedback_format=fmt)
    assert r.status == "incorrect", r.feedback
    d = r.to_dict()
    assert d["expected"] is None and all("expected" not in f for f in d["findings"])
    shown = json.dumps(d, ensure_ascii=False) + r.feedback + r.render(fmt)
    assert not _leaks(shown, keys), (_leaks(shown, keys), r.feedback)
    # the same answer outside exam mode does show it (the check can fail)
    open_r = grade(problem, answer, part=part, feedback_format=fmt)
    assert open_r.to_dict()["expected"] == problem.answers[part]
    assert _leaks(open_r.feedback, keys)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_cli_exam_mode_every_part(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(BN.to_json(), encoding="utf-8")
    for part in BN.parts:
        answer, keys = _wrong(part, BN.answers[part])
        got = CliRunner().invoke(main, ["grade", str(path), "--answer", "-", "--part", part,
                                        "--format", fmt, "--hide-answer"], input=answer)
        assert got.exit_code == 0, got.output
        assert not _leaks(got.stdout, keys), (part, _leaks(got.stdout, keys))
        if fmt == "json":
            d = json.loads(got.stdout)
            assert d["expected"] is None and d["status"] == "incorrect" and d["part"] == part


def test_cli_bare_shape_names_the_problems_shape_part(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(BN.to_json(), encoding="utf-8")
    shape = next(x for x in BN.parts if x.startswith("shape:"))
    got = CliRunner().invoke(main, ["grade", str(path), "--answer",
                                    "x".join(map(str, BN.answers[shape])), "--part", "shape",
                                    "--format", "json"])
    assert json.loads(got.stdout)["status"] == "correct"
    assert json.loads(got.stdout)["part"] == shape


def test_cli_unknown_part_lists_every_part() -> None:
    spec = ROOT / "examples/stackoverflow_gray.yaml"
    assert read_spec_file(spec)
    got = CliRunner().invoke(main, ["grade", str(spec), "--answer", "5", "--part", "weights"])
    assert got.exit_code == 2
    assert all(n in got.stderr for n in NAMES)


# -- batch: a part column, and a pair in two wide cells ---------------------------------------
def test_batch_part_column_and_pair_in_two_wide_cells(tmp_path: Path) -> None:
    import csv

    from grader.batch import BatchOptions, grade_file

    ts = BN.answers["trainable_split"]
    long = tmp_path / "long.csv"
    long.write_text("student_id,problem,part,answer\n"
                    f"s1,{BN.id},weights_biases,\"weights {WB['weights']}, biases {WB['biases']}\"\n"
                    f"s2,{BN.id},weights_biases,\"{WB['biases']}, {WB['weights']}\"\n"
                    f"s3,{BN.id},macs,{sum(BN.answers['macs'].values())}\n", encoding="utf-8")
    out = tmp_path / "long-out.csv"
    grade_file(long, out, BatchOptions(), problems={BN.id: BN})
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["status"], r["misconceptions"]) for r in rows] == [
        ("correct", ""), ("incorrect", "pair_swapped"), ("unreadable", "")]
    wide = tmp_path / "wide.csv"
    wide.write_text("student_id,problem,W,B,T,N\n"
                    f"s1,{BN.id},{WB['weights']},{WB['biases']},{ts['trainable']},{ts['non_trainable']}\n"
                    f"s2,{BN.id},{WB['biases']},{WB['weights']},{ts['trainable']},\n",
                    encoding="utf-8")
    opts = BatchOptions(wide={"W": "weights_biases.weights", "B": "weights_biases.biases",
                              "N": "trainable_split.non_trainable", "T": "trainable_split.trainable"})
    out = tmp_path / "wide-out.csv"
    stats = grade_file(wide, out, opts, problems={BN.id: BN})
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert stats.rows == 4  # one result per pair per student
    assert [(r["student_id"], r["part"], r["status"]) for r in rows] == [
        ("s1", "weights_biases", "correct"), ("s1", "trainable_split", "correct"),
        ("s2", "weights_biases", "incorrect"), ("s2", "trainable_split", "unreadable")]


@pytest.mark.parametrize("mapping, message", [
    ({"W": "weights_biases.weights"}, "needs a column for weights_biases.biases"),
    ({"W": "total.weights"}, "only a pair's numbers"),
])
def test_wide_pair_columns_are_checked(mapping: dict[str, str], message: str) -> None:
    from generator.parts import wide_columns

    with pytest.raises(Exception, match=message):
        wide_columns(mapping)


def test_batch_row_with_an_unknown_part_says_why(tmp_path: Path) -> None:
    import csv

    from grader.batch import BatchOptions, grade_file

    src = tmp_path / "in.csv"
    src.write_text(f"student_id,problem,part,answer\ns1,{BN.id},weights,5\n"
                   f"s2,{BN.id},macs:pool1,5\n", encoding="utf-8")
    grade_file(src, tmp_path / "out.csv", BatchOptions(), problems={BN.id: BN})
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["error", "error"]
    assert rows[0]["reason"].startswith("unknown part 'weights'; parts: total")
    assert "has no kernel" in rows[1]["reason"] and "internal" not in rows[1]["reason"]


def test_macs_per_layer_over_every_layer() -> None:
    """A student may list every layer, with 0 for those without a kernel."""
    key = BN.answers["macs"]
    every = [(n, key.get(n, 0)) for n in BN.answers["per_layer"]]
    assert grade(BN, "\n".join(f"{n}: {v}" for n, v in every), part="macs").status == "correct"
    assert grade(BN, " + ".join(str(v) for _, v in every), part="macs").status == "correct"
    pooled = [(n, 7 if n == "pool1" else v) for n, v in every]
    r = grade(BN, "\n".join(f"{n}: {v}" for n, v in pooled), part="macs")
    assert r.status == "incorrect" and "pool1 has no kernel" in r.feedback


def test_one_number_of_a_pair_diagnosed_as_a_catalogued_mistake() -> None:
    """Dense biases left out: the weights are right and the biases short by the units."""
    from generator.network import solve
    from generator.spec import load_spec

    spec = {"input": {"shape": [8, 8], "channels": 3},
            "layers": [{"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "flatten"},
                       {"type": "dense", "units": 10}]}
    net = load_spec(spec)
    assert net.count.value == "trainable"
    key = parse_part("weights_biases").answer(solve(net))
    r = grade(spec, f"weights {key['weights']}, biases {key['biases'] - 10}", part="weights_biases")
    assert r.status == "incorrect" and r.diagnoses[0].misconceptions == ("dense_no_bias",)
    r = grade(spec, f"weights {key['weights']}, biases {key['biases'] - 10}", part="weights_biases",
              hide_answer=True)
    assert not _leaks(r.feedback, [str(key["biases"]), num(key["weights"] + key["biases"])])
