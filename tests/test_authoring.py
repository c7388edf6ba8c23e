"""Instructor authoring: ``generate --from`` with ``vary:``, ``render``, problem files in solve."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.authoring import author, check_source, collisions
from generator.errors import ConfigError
from generator.network import solve
from generator.problem import load_problem
from generator.spec import load_spec, read_spec_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MIDTERM = EXAMPLES / "midterm_network.yaml"
SEEDS = range(40)


def _kinds(spec: dict[str, Any]) -> list[tuple[str, str | None]]:
    net = load_spec(spec)
    return [(n.layer.kind, n.shares) for n in net.nodes]


@pytest.fixture(scope="module")
def source() -> Any:
    return check_source(read_spec_file(MIDTERM))


@pytest.fixture(scope="module")
def variants(source: Any) -> list[Any]:
    return [author(source, seed=s, name="midterm", parts=("total", "per_layer")) for s in SEEDS]


def test_variants_keep_the_structure(source: Any, variants: list[Any]) -> None:
    base = _kinds(source.spec)
    assert all(_kinds(p.spec) == base for p in variants)
    assert len({p.answers["total"] for p in variants}) > 10  # the numbers really vary


def test_variants_are_valid_unambiguous_and_diagnosable(source: Any, variants: list[Any]) -> None:
    from generator.lint import lint
    from generator.problem import floors

    for p in variants:
        sol = solve(load_spec(p.spec))
        assert p.answers["total"] == sol.answer
        assert lint(p.spec) == []
        assert floors(sol) == []
        assert collisions(sol.network, sol.answer) <= source.collisions


def test_fairness_any_two_totals_within_a_factor_of_two(variants: list[Any]) -> None:
    totals = [p.answers["total"] for p in variants]
    assert max(totals) <= 2 * min(totals)


def test_same_seed_same_bytes(source: Any) -> None:
    a = author(source, seed=7, name="m").to_json()
    assert a == author(check_source(read_spec_file(MIDTERM)), seed=7, name="m").to_json()


def test_variants_obey_the_vary_choices(variants: list[Any]) -> None:
    for p in variants:
        layers = {layer.get("name"): layer for layer in p.spec["layers"]}
        assert p.spec["input"]["shape"][0] in (60, 64, 68)
        assert layers["conv1"]["filters"] in (12, 16, 20)
        assert layers["conv2"]["filters"] == layers["conv3"]["filters"] == layers["conv4"]["filters"]
        assert layers["fc1"]["units"] in range(20, 41, 5)
        assert "vary" not in p.spec


def test_a_network_without_vary_is_used_as_written() -> None:
    spec = read_spec_file(EXAMPLES / "cmyk_shared.yaml")
    spec["conventions"] = {"padding": "valid", "bias": "true", "pool_strides": "pool_size",
                           "pooling_weights": "coefficient_and_bias", "count": "trainable"}
    p = author(spec, seed=1)
    assert p.spec == spec
    assert p.answers["total"] == 1_826_980  # the issue-2 CMYK network with trainable pooling


def test_an_ambiguous_network_is_refused_with_lints_findings() -> None:
    spec = read_spec_file(EXAMPLES / "cmyk_shared.yaml")  # bias and pooling weights unstated
    with pytest.raises(ConfigError, match=r"ambiguous: .*unstated on .* and gives"):
        check_source(spec)


BAD_VARY = [
    ({"conv9.filters": [8]}, "matches no layer"),
    ({"conv1.activation": ["relu"]}, "layers vary by"),
    ({"conv1.filters": 8}, "non-empty list of choices"),
    ({"conv1.filters": {"min": 9, "max": 1}}, "empty"),
    ({"conv1.filters": {"min": 1, "max": 10**9}}, "more than"),
    ({"conv5.filters": [8, 9]}, "shares another layer"),
    ({"fc1.kernel": [3]}, "has no kernel"),
    ({"input.depth": [3]}, "the input varies by"),
    ({"input.color": ["purple"]}, "colours are"),
    ({"filters": [3]}, "TARGET.OPTION"),
]


@pytest.mark.parametrize(("vary", "message"), BAD_VARY, ids=[m for _, m in BAD_VARY])
def test_bad_vary_rules_name_the_line(vary: dict[str, Any], message: str) -> None:
    spec = read_spec_file(MIDTERM)
    spec["vary"] = vary
    with pytest.raises(ConfigError, match=message):
        check_source(spec)


def test_impossible_vary_is_refused_not_looped() -> None:
    spec = read_spec_file(MIDTERM)
    spec["vary"] = {"input.size": [4]}  # five 3x3 valid convs do not fit in 4x4
    with pytest.raises(ConfigError, match="no valid, fair, diagnosable variant"):
        author(spec, seed=0)


def test_code_styles_are_checked_when_authoring() -> None:
    spec = read_spec_file(MIDTERM)
    spec["layers"][0]["padding"] = 1  # Keras has no integer padding
    with pytest.raises(ConfigError, match="Keras has no integer padding"):
        author(spec, seed=0, style="keras")
    assert author(spec, seed=0, style="pytorch").style == "pytorch"


# -- the commands -------------------------------------------------------------------------
def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_generate_from_spec_writes_problems_and_keys(tmp_path: Path) -> None:
    r = _run("generate", "--from", str(MIDTERM), "--count", "5", "--parts", "total,per_layer",
             "--format", "md", "--out", str(tmp_path / "set"))
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "set" / "problems").glob("*.json"))
    assert [f.name for f in files] == [f"midterm_network-00000{i}.json" for i in range(1, 6)]
    key = json.loads((tmp_path / "set" / "answer_key.json").read_text())
    for entry, f in zip(key["problems"], files, strict=True):
        p = load_problem(f)
        assert entry["answers"] == p.answers
        assert p.answers["total"] == solve(load_spec(p.spec)).answer


def test_generate_from_roster_gives_one_variant_per_student(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("student_id\nada\nalan\ngrace\n")
    (tmp_path / "k.txt").write_text("0123456789abcdef0123456789abcdef\n")
    r = _run("generate", "--from", str(MIDTERM), "--roster", str(tmp_path / "r.csv"),
             "--secret-file", str(tmp_path / "k.txt"), "--count", "1", "--format", "txt",
             "--out", str(tmp_path / "exam"))
    assert r.exit_code == 0, r.output
    key = json.loads((tmp_path / "exam" / "answer_key.json").read_text())
    totals = [v[0]["answers"]["total"] for v in key["students"].values()]
    assert sorted(key["students"]) == ["ada", "alan", "grace"]
    assert max(totals) <= 2 * min(totals)
    assert all("midterm_network-" in v[0]["id"] for v in key["students"].values())


def test_generate_from_keras_code(tmp_path: Path) -> None:
    r = _run("generate", "--from", str(EXAMPLES / "keras_lenet.py"), "--format", "txt",
             "--out", str(tmp_path / "k"))
    assert r.exit_code == 0, r.output
    (p,) = (load_problem(f) for f in (tmp_path / "k" / "problems").glob("*.json"))
    assert p.answers["total"] == solve(load_spec(p.spec)).answer
    assert "one problem" in r.output  # no vary block: the set is the network as written


def test_generate_from_refuses_topics_and_mixed(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["generate", "--from", str(MIDTERM), "--topics", "basic",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 2 and "leave out --topics" in r.output
    r = CliRunner().invoke(main, ["generate", "--from", str(MIDTERM), "--style", "mixed",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 2 and "one --style" in r.output


def test_render_recomputes_the_key_after_an_edit(tmp_path: Path) -> None:
    _run("generate", "--from", str(MIDTERM), "--count", "1", "--format", "txt",
         "--out", str(tmp_path / "set"))
    (path,) = (tmp_path / "set" / "problems").glob("*.json")
    data = json.loads(path.read_text())
    edited = copy.deepcopy(data)
    edited["spec"]["layers"][-1]["units"] = 7
    edited["answers"]["total"] = 1  # a hand-edited key is never trusted
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(edited))
    r = _run("render", str(src), "--format", "md", "--out", str(tmp_path / "new"))
    assert r.exit_code == 0, r.output
    new = load_problem(tmp_path / "new" / "problems" / path.name)
    assert new.answers["total"] == solve(load_spec(edited["spec"])).answer != 1
    assert new.answers["total"] != data["answers"]["total"]
    assert "recomputed" in r.output
    assert (tmp_path / "new" / "solutions.md").is_file()
    assert json.loads(src.read_text())["answers"]["total"] == 1  # the input is untouched


def test_render_refuses_an_edit_that_makes_it_ambiguous(tmp_path: Path) -> None:
    _run("generate", "--count", "1", "--format", "json", "--out", str(tmp_path / "set"))
    (path,) = (tmp_path / "set" / "problems").glob("*.json")
    data = json.loads(path.read_text())
    del data["spec"]["conventions"]
    src = tmp_path / "amb.json"
    src.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["render", str(src), "--out", str(tmp_path / "new")])
    assert r.exit_code == 2 and "ambiguous" in r.output


def test_solve_reads_generated_problem_files(tmp_path: Path) -> None:
    _run("generate", "--count", "1", "--format", "json", "--out", str(tmp_path / "set"))
    (path,) = (tmp_path / "set" / "problems").glob("*.json")
    r = _run("solve", str(path), "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["total"] == load_problem(path).solution().total


def test_the_key_of_every_variant_grades_correct(variants: list[Any]) -> None:
    from grader import grade

    for p in variants[:4]:
        assert grade(p, str(p.answers["total"])).status == "correct"
        breakdown = ", ".join(f"{name}: {v}" for name, v in p.answers["per_layer"].items())
        assert grade(p, breakdown, part="per_layer").status == "correct"
