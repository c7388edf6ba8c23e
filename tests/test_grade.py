"""grade(): exact grading, credit, feedback formats, exam mode, escaping and the CLI.

Answers are given as text or as real parse results of grader.parse (the grader
dispatches on the parser's result types).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.problem import Problem
from generator.spec import read_spec_file
from grader import CreditPolicy, grade, parse_answer, prepare

ROOT = Path(__file__).resolve().parent.parent
SO = read_spec_file(ROOT / "examples/stackoverflow_gray.yaml")
CMYK = read_spec_file(ROOT / "examples/cmyk_shared.yaml")
SO_TOTAL = 50_828_751
SO_RGB = {**SO, "input": {"shape": [100, 100], "color": "rgb"}}


def number(v: int, text: str | None = None) -> Any:
    return parse_answer(text or str(v), expect="number")


def breakdown(pairs: list[tuple[str | None, int]]) -> Any:
    return parse_answer("\n".join(f"{lab}: {v}" if lab else str(v) for lab, v in pairs),
                        expect="breakdown")


def shape(dims: tuple[int, ...], has_batch: bool = False) -> Any:
    text = "(None, " + ", ".join(map(str, dims[1:])) + ")" if has_batch else "x".join(map(str, dims))
    return parse_answer(text, expect="shape")


def test_exact_total_is_correct() -> None:
    r = grade(SO, number(SO_TOTAL))
    assert (r.status, r.score, r.given, r.expected) == ("correct", 1.0, SO_TOTAL, SO_TOTAL)
    assert "Correct" in r.feedback and not r.diagnoses


@pytest.mark.parametrize("value, mid", [
    (SO_TOTAL - 451, "dense_no_bias"),
    (SO_TOTAL - 160, "conv_no_bias"),
], ids=["dense_no_bias", "conv_no_bias"])
def test_wrong_totals_are_diagnosed(value: int, mid: str) -> None:
    r = grade(SO, number(value))
    assert r.status == "incorrect" and r.score == 0.0
    assert r.diagnoses[0].misconceptions == (mid,)
    assert r.confident and not r.ambiguous and len(r.diagnoses) == 1
    assert "bias" in r.feedback and "50,828,751" in r.feedback


def test_rgb_taken_as_gray_is_one_of_two_identical_explanations() -> None:
    """On the RGB variant, 'RGB taken as gray' and 'conv1 kernel without C_in' give the same
    numbers in every layer: both are offered, neither confidently, and the follow-up asks for
    the formula."""
    r = grade(SO_RGB, number(SO_TOTAL))
    ids = [d.misconceptions for d in r.diagnoses]
    assert ("color_as_gray",) in ids and ("conv_no_cin",) in ids
    assert r.ambiguous and not r.confident
    assert "same numbers in every layer" in r.feedback


@pytest.mark.parametrize("spec, value, mid, layers", [
    (CMYK, 1_826_800, "cmyk_as_rgb", ("input",)),
    (CMYK, 1_830_600, "shared_weights_double_counted", ("conv5",)),
    (SO, 62_703_751, "valid_same_confusion", None),
    (SO, 46_428_751, "missing_plus_one", None),
])
def test_named_misconceptions(spec: dict[str, Any], value: int, mid: str,
                              layers: tuple[str, ...] | None) -> None:
    r = grade(spec, number(value))
    assert r.diagnoses[0].misconceptions == (mid,)
    if layers:
        assert r.diagnoses[0].layers == layers


def test_collision_is_reported_honestly() -> None:
    """CMYK net: trainable pooling (2·20) and the two dense biases (30 + 10) both weigh 40."""
    r = grade(CMYK, number(1_826_940))
    assert r.ambiguous and not r.confident
    ids = {d.misconceptions for d in r.diagnoses}
    assert {("dense_no_bias",), ("pool_weights_omitted",)} <= ids
    assert "not a sure diagnosis" in r.feedback
    assert "Answer per layer" in r.feedback and "max_pooling2d" in r.feedback


def test_unexplained_total_is_plainly_wrong() -> None:
    r = grade(SO, number(12_345))
    assert r.status == "incorrect" and not r.diagnoses and r.score == 0.0
    assert "Recompute layer by layer" in r.feedback


@pytest.mark.parametrize("answer, reason", [
    (number(50_800_000, "50.8M"), "approximate"),
    (number(1234, "1,234"), "ambiguous_separator"),
    (number(0, "1/2"), "not_integer"),
])
def test_unreadable_answers_are_not_graded(answer: Any, reason: str) -> None:
    r = grade(SO, answer)
    assert (r.status, r.reason, r.given, r.score) == ("unreadable", reason, None, 0.0)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
@pytest.mark.parametrize("answer", [number(SO_TOTAL - 451), number(12_345),
                                    number(1_826_940)])
def test_hide_answer_never_leaks_the_expected_value(fmt: str, answer: Any) -> None:
    spec = CMYK if answer.value == 1_826_940 else SO
    r = grade(spec, answer, hide_answer=True, feedback_format=fmt)
    assert r.expected is None and r.to_dict()["expected"] is None
    expected = prepare(spec).expected
    for text in (r.feedback, *(d.explanation for d in r.diagnoses)):
        assert f"{expected:,}" not in text and str(expected) not in text
    shown = grade(spec, answer, feedback_format=fmt)
    assert f"{expected:,}" in shown.feedback


def test_html_feedback_escapes_student_text() -> None:
    r = grade(SO, "5 <script>alert(1)</script>", feedback_format="html")
    assert "<script>" not in r.feedback and "&lt;script&gt;" in r.feedback


def test_to_dict_has_the_issue_keys() -> None:
    d = grade(SO, number(SO_TOTAL - 451)).to_dict()
    assert {"status", "score", "expected", "given", "ambiguous", "diagnoses", "feedback"} <= set(d)
    assert set(d["diagnoses"][0]) == {"misconceptions", "layers", "value", "explanation",
                                      "confident"}
    json.dumps(d)


def test_prepare_is_cached_per_problem_and_part() -> None:
    assert prepare(SO) is prepare(dict(SO))
    assert prepare(SO, "per_layer") is not prepare(SO)
    assert prepare(SO, "per_layer").diagnoser is prepare(SO).diagnoser
    problem = Problem(id="p1", seed=1, version="0", topic="", difficulty="", style="prose",
                      parts=("total",), spec=SO, answers={"total": SO_TOTAL})
    assert prepare(problem).expected == SO_TOTAL


# -- per layer and shapes ----------------------------------------------------------------------
SO_LAYERS = [("conv2d", 3000), ("conv2d_1", 150100), ("max_pooling2d", 0), ("flatten", 0),
             ("dense", 50625250), ("dense_1", 50200), ("dense_2", 201)]


def test_per_layer_exact() -> None:
    r = grade(SO, breakdown(SO_LAYERS), part="per_layer")
    assert r.status == "correct" and r.score == 1.0


def test_per_layer_single_slip_gets_partial_credit() -> None:
    rows = [(n, 150000 if n == "conv2d_1" else v) for n, v in SO_LAYERS]
    r = grade(SO, breakdown(rows), part="per_layer")
    assert r.status == "incorrect" and r.score == 0.5
    assert r.diagnoses[0].misconceptions == ("conv_no_bias",)
    assert r.diagnoses[0].layers == ("conv2d_1",)
    r2 = grade(SO, breakdown(rows), part="per_layer",
               policy=CreditPolicy(per_layer_single_slip=0.25))
    assert r2.score == 0.25


def test_per_layer_total_part_rejects_a_single_number() -> None:
    r = grade(SO, number(SO_TOTAL), part="per_layer")
    assert r.status == "unreadable" and r.reason == "expected_breakdown"


@pytest.mark.parametrize("dims, has_batch, status, note", [
    ((94, 94, 60), False, "correct", None),
    ((60, 94, 94), False, "unreadable", "channels last: height × width × channels"),
    ((1, 94, 94, 60), True, "correct", "batch dimension"),
    ((93, 93, 60), False, "incorrect", None),
])
def test_shapes(dims: tuple[int, ...], has_batch: bool, status: str, note: str | None) -> None:
    r = grade(SO, shape(dims, has_batch), part="shape:conv2d")
    assert r.status == status and r.expected == [94, 94, 60]
    if note:
        assert note in r.feedback
    if status == "incorrect":
        assert ("missing_plus_one",) in {d.misconceptions for d in r.diagnoses}


@pytest.mark.parametrize(("style", "status"), [("pytorch", "correct"), ("keras", "unreadable"),
                                              ("prose", "unreadable"), ("table", "unreadable")])
def test_channels_first_only_where_the_question_shows_pytorch_code(style: str, status: str) -> None:
    from generator.problem import generate

    p = generate(topic="basic", difficulty="easy", seed=1, parts=("shape",), style=style)
    part = next(k for k in p.answers if k.startswith("shape"))
    want = p.answers[part]
    r = grade(p, "x".join(map(str, [want[-1], *want[:-1]])), part=part)
    assert r.status == status
    assert ("PyTorch" in r.feedback) == (style == "pytorch")
    if status == "unreadable":
        assert r.reason == "expected_shape" and "H×W×C" in r.feedback
    assert grade(p, "x".join(map(str, want)), part=part).status == "correct"
    assert grade(p.to_dict(), "x".join(map(str, [want[-1], *want[:-1]])),
                 part=part).status == status  # a problem file says its style too


# -- the command ------------------------------------------------------------------------------
def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_cli_bad_problem_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run("grade", str(bad), "--answer", "5")
    assert code == 2 and "error" in err


# the rest reads text answers through grader.parse


@pytest.mark.parametrize("text", [
    "50828751", "50,828,751", "50 828 751", "50\u202f828\u202f751", "50_828_751",
    "50'828'751", "5.0828751e7", "5.0828751 × 10^7", "5.0828751*10**7",
    "50828751 params", "50,828,751 parameters",
])
def test_so_network_every_notation(text: str) -> None:
    assert grade(SO, text).status == "correct"


def test_so_approximate_is_not_graded() -> None:
    r = grade(SO, "50.8M")
    assert r.status == "unreadable"


def test_cli_json_contract() -> None:
    code, out, _ = run("grade", str(ROOT / "examples/stackoverflow_gray.yaml"), "--answer",
                       "50828300", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["status"] == "incorrect" and d["expected"] == SO_TOTAL and d["given"] == 50_828_300
    assert d["diagnoses"][0]["misconceptions"] == ["dense_no_bias"]


def test_cli_problem_file_stdin_and_hide(tmp_path: Path) -> None:
    p = tmp_path / "problem.json"
    p.write_text(json.dumps({"id": "so-1", "seed": 1, "version": "0.1.0", "spec": SO,
                             "parts": ["total"], "answers": {"total": SO_TOTAL}}),
                 encoding="utf-8")
    code, out, _ = run("grade", str(p), "--answer", "-", "--hide-answer", stdin="50828591\n")
    assert code == 0 and "50,828,751" not in out and "bias" in out
    code, out, _ = run("grade", str(p), "--answer", "9**9**9", "--format", "json")
    assert code == 0 and json.loads(out)["status"] == "unreadable"


HOSTILE = ["9**9**9", "(10**6)**(10**6)", "factorial(10**6)", "(" * 100_000 + "1" + ")" * 100_000,
           "^".join(["2"] * 1000), "__import__('os').system('echo hi')", "9" * 5000,
           "\x00\x1b[2J", "\u202e\u0663\u0664", ""]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("part", ["total", "per_layer", "shape:conv2d", "weights_biases",
                                  "trainable_split", "macs", "macs:conv2d"])
def test_hostile_answers_are_refused_quickly(text: str, part: str) -> None:
    import time

    prepare(SO, part)
    t = time.perf_counter()
    r = grade(SO, text, part=part, feedback_format="html")
    # a hang guard, not a speed test (bench/parse.py measures the speed)
    assert time.perf_counter() - t < 5
    assert r.status == "unreadable" and r.given is None and "<script" not in r.feedback
