"""The problem generator: problems, parts and answers, redraws, seeds, texts, the command."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.problem as problem_mod
from cnnquiz.cli import main
from generator.diagram import svg
from generator.errors import ConfigError
from generator.layers import Conv, ConvTranspose, Dense, DepthwiseConv, Layer, SeparableConv
from generator.lint import lint
from generator.network import solve
from generator.present import (
    conventions,
    render_problem,
    render_set,
    render_solution_for,
)
from generator.problem import (
    PARTS,
    Problem,
    floors,
    generate,
    generate_set,
    load_problem,
)
from generator.seeding import read_secret, student_seed, variant_tag
from generator.spec import load_spec
from generator.topics import STYLES, TOPICS

ALL_PARTS = ("total", "per_layer", "shape", "weights_biases", "trainable_split", "macs")


# -- Problem ------------------------------------------------------------------------------------
def test_problem_is_a_pure_function_of_its_arguments() -> None:
    a = generate(topic="groups", difficulty="medium", seed=5, parts=ALL_PARTS, style="mixed")
    b = generate(topic="groups", difficulty="medium", seed=5, parts=ALL_PARTS, style="mixed")
    assert a == b and a.to_json() == b.to_json()
    assert a.to_json() != generate(topic="groups", difficulty="medium", seed=6).to_json()


def test_problem_file_round_trip(tmp_path: Path) -> None:
    p = generate(topic="sharing", difficulty="hard", seed=3, parts=ALL_PARTS)
    path = tmp_path / "p.json"
    path.write_text(p.to_json(), encoding="utf-8")
    q = load_problem(path)
    assert q == p and q.to_json() == p.to_json()
    data = json.loads(p.to_json())
    assert {"id", "seed", "version", "spec", "answers"} <= set(data)
    # the spec is exactly what `cnnquiz solve` reads: it rebuilds the same answer
    assert solve(load_spec(data["spec"])).answer == data["answers"]["total"]


def test_problem_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_problem(bad)
    with pytest.raises(ConfigError, match="missing"):
        Problem.from_dict({"id": "x"})


def test_id_and_version() -> None:
    p = generate(topic="basic", difficulty="easy", seed=42)
    assert p.id == "basic-easy-000042" and p.version == "0.1.0"
    assert generate(topic="basic", difficulty="easy", seed=42, version="9.9").version == "9.9"
    assert generate(topic="basic", difficulty="easy", seed=2**40).id == f"basic-easy-{2**40:x}"


@pytest.mark.parametrize("kwargs, message", [
    ({"topic": "convolution"}, "unknown topic"),
    ({"difficulty": "extreme"}, "unknown difficulty"),
    ({"style": "keras-prose"}, "unknown style"),
    ({"parts": ("totals",)}, "unknown part"),
    ({"parts": ("shape:conv99",)}, "names no layer"),
    ({"parts": ("macs:flatten1",)}, "no kernel"),
], ids=["topic", "difficulty", "style", "part", "layer", "macs-layer"])
def test_impossible_requests(kwargs: dict, message: str) -> None:
    args = {"topic": "basic", "difficulty": "easy", "seed": 1, **kwargs}
    with pytest.raises(ConfigError, match=message):
        generate(**args)


def test_generate_set_turns_topics_and_seeds() -> None:
    ps = generate_set(topics=["basic", "conv1d"], count=4, seed=10, difficulty="medium")
    assert [p.id for p in ps] == ["basic-medium-000010", "conv1d-medium-000011",
                                  "basic-medium-000012", "conv1d-medium-000013"]
    with pytest.raises(ConfigError):
        generate_set(count=0)


# -- answers --------------------------------------------------------------------------------
def test_answers_of_every_part_agree_with_the_solution() -> None:
    p = generate(topic="batchnorm", difficulty="medium", seed=4, parts=ALL_PARTS)
    sol = p.solution()
    a = p.answers
    assert a["total"] == sol.answer
    assert sum(a["per_layer"].values()) == sol.answer
    assert a["weights_biases"]["weights"] + a["weights_biases"]["biases"] == sol.trainable
    assert a["trainable_split"] == {"trainable": sol.trainable, "non_trainable": sol.non_trainable}
    assert sol.non_trainable > 0  # moving mean and variance
    shape_part = next(x for x in p.parts if x.startswith("shape:"))
    assert a[shape_part] == list(sol.row(shape_part.split(":")[1]).out_shape)
    assert set(a["macs"]) == {r.name for r in sol.rows
                              if r.kind.startswith(("conv", "dense"))}


def test_named_parts() -> None:
    p = generate(topic="basic", difficulty="easy", seed=42, parts=("shape:conv2", "macs:conv1"))
    sol = p.solution()
    conv1 = sol.row("conv1")
    h, w, c = conv1.out_shape
    k = sol.network.node("conv1").layer.kernel
    assert p.answers["macs:conv1"] == h * w * c * k[0] * k[1] * conv1.in_shape[-1]
    assert p.answers["shape:conv2"] == list(sol.row("conv2").out_shape)


def test_count_total_asks_for_every_parameter() -> None:
    seeds = [s for s in range(40)
             if generate(topic="batchnorm", difficulty="easy", seed=s).spec["conventions"]["count"]
             == "total"]
    assert seeds, "the batchnorm topic draws the 'total' convention sometimes"
    p = generate(topic="batchnorm", difficulty="easy", seed=seeds[0])
    assert p.answers["total"] == p.solution().total > p.solution().trainable
    assert "trainable and non-trainable" in render_problem(p, "txt")


# -- multiply-accumulate operations, hand-computed ---------------------------------------------
@pytest.mark.parametrize("layer, in_shape, expected", [
    # 30×30 output, 16 filters, 3×3 kernel over 3 channels
    (Conv(rank=2, filters=16, kernel=(3, 3)), (32, 32, 3), 30 * 30 * 16 * 3 * 3 * 3),
    # grouped: each filter sees 8/2 = 4 channels; 'same' keeps 10×10
    (Conv(rank=2, filters=6, kernel=(3, 3), padding="same", groups=2), (10, 10, 8), 10 * 10 * 6 * 9 * 4),
    # stride 2: 7×7 output
    (Conv(rank=2, filters=4, kernel=(3, 3), strides=(2, 2)), (15, 15, 2), 7 * 7 * 4 * 9 * 2),
    (Conv(rank=1, filters=5, kernel=(3,)), (10, 2), 8 * 5 * 3 * 2),
    (Conv(rank=3, filters=2, kernel=(3, 3, 3)), (4, 5, 6, 3), 2 * 3 * 4 * 2 * 27 * 3),
    # transposed: every input value meets the whole kernel for every output channel
    (ConvTranspose(rank=2, filters=3, kernel=(4, 4), strides=(2, 2), padding=(1, 1)), (5, 5, 2),
     5 * 5 * 2 * 16 * 3),
    (DepthwiseConv(rank=2, kernel=(3, 3), depth_multiplier=2), (6, 6, 4), 4 * 4 * 8 * 9),
    (SeparableConv(rank=2, filters=5, kernel=(3, 3)), (6, 6, 4), 4 * 4 * 4 * 9 + 4 * 4 * 4 * 5),
    (Dense(units=10), (250,), 2500),
], ids=["conv", "grouped", "strided", "conv1d", "conv3d", "transpose", "depthwise", "separable",
        "dense"])
def test_macs(layer: Layer, in_shape: tuple[int, ...], expected: int) -> None:
    assert layer.macs(in_shape) == expected


# -- the redraw loop ------------------------------------------------------------------------
def test_redraws_until_the_catalogue_is_distinct(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = problem_mod.catalogue_values

    def colliding_three_times(net):  # a stand-in: the first three draws are undiagnosable
        calls["n"] += 1
        if calls["n"] <= 3:
            answer = solve(net).answer
            return iter([("conv_no_bias", answer - 1), ("dense_no_bias", answer - 1)])
        return iter(real(net).items())

    monkeypatch.setattr(problem_mod, "catalogue_items", colliding_three_times)
    p = generate(topic="basic", difficulty="easy", seed=42)
    assert calls["n"] >= 4
    values = [p.answers["total"], *real(p.network()).values()]
    assert len(set(values)) == len(values)


def test_gives_up_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(problem_mod, "catalogue_items",
                        lambda net: iter([("a", solve(net).answer), ("b", 0)]))
    monkeypatch.setattr(problem_mod, "MAX_DRAWS", 5)
    with pytest.raises(ConfigError, match="no valid, diagnosable"):
        generate(topic="basic", difficulty="easy", seed=1)


@pytest.mark.parametrize("topic", list(TOPICS))
def test_every_topic_is_valid_unambiguous_and_diagnosable(topic: str) -> None:
    for difficulty in ("easy", "medium", "hard"):
        p = generate(topic=topic, difficulty=difficulty, seed=11, parts=ALL_PARTS)
        sol = p.solution()
        assert lint(p.spec) == []
        assert floors(sol) == []
        assert all(d >= 1 for r in sol.rows for d in r.out_shape)
        values = [sol.answer, *problem_mod.catalogue_values(sol.network).values()]
        assert len(set(values)) == len(values)


def test_floors_finds_a_rounding_window() -> None:
    sol = solve(load_spec({"input": {"shape": [7, 7], "channels": 2},
                           "layers": [{"type": "max_pooling2d", "name": "p", "pool_size": 2}]}))
    assert floors(sol) == ["p"]


def test_topics_show_what_they_teach() -> None:
    def spec_of(topic: str, seed: int = 2) -> dict:
        return generate(topic=topic, difficulty="medium", seed=seed).spec

    types = lambda s: {layer["type"] for layer in s["layers"]}  # noqa: E731
    assert any("share" in layer for layer in spec_of("sharing")["layers"])
    assert spec_of("trainable-pooling")["conventions"]["pooling_weights"] != "none"
    assert any("groups" in layer for layer in spec_of("groups")["layers"])
    assert types(spec_of("transpose")) & {"conv2d_transpose"}
    assert types(spec_of("conv1d")) & {"conv1d"}
    assert types(spec_of("conv3d")) & {"conv3d"}
    assert types(spec_of("batchnorm")) & {"batch_normalization"}
    assert types(spec_of("global-pooling")) & {"global_average_pooling2d", "global_max_pooling2d"}
    assert types(spec_of("dropout-flatten")) >= {"dropout", "flatten"}
    assert types(spec_of("depthwise-separable")) & {"depthwise_conv2d", "separable_conv2d"}
    assert spec_of("color")["input"].get("color") in ("rgb", "rgba", "cmyk")


# -- seeds ------------------------------------------------------------------------------------
def test_student_seeds_depend_on_every_field_and_the_secret() -> None:
    base = {"exam": "mid", "student": "s1", "question": "q1", "version": "0.1.0"}
    s = student_seed(b"secret-0123456789", **base)
    assert s == student_seed(b"secret-0123456789", **base)
    for key in base:
        assert s != student_seed(b"secret-0123456789", **{**base, key: base[key] + "x"})
    assert s != student_seed(b"secret-0123456789x", **base)
    assert s != student_seed(b"secret-0123456789", **base, reroll=1)
    tag = variant_tag(b"secret-0123456789", **base)
    assert len(tag) == 12 and str(s) not in tag


def test_short_secrets_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "secret"
    f.write_text("short")
    with pytest.raises(ConfigError, match="at least 16"):
        read_secret(f)


# -- texts ------------------------------------------------------------------------------------
def test_phrasings_vary_across_seeds() -> None:
    firsts = {render_problem(generate(topic="basic", difficulty="easy", seed=s), "txt")
              .splitlines()[3].split(" ")[0] for s in range(30)}
    assert len(firsts) >= 2


def test_color_text_names_the_model_not_the_channels() -> None:
    for seed in range(12):
        p = generate(topic="color", difficulty="easy", seed=seed, style="prose")
        text = render_problem(p, "md")
        model = p.spec["input"]["color"].upper()
        assert model in text
        channels = {"RGB": 3, "RGBA": 4, "CMYK": 4}[model]
        h = p.spec["input"]["shape"][0]
        assert f"{h}×{h}×{channels}" not in text


def test_conventions_are_stated_in_the_text() -> None:
    p = generate(topic="trainable-pooling", difficulty="easy", seed=3)
    text = " ".join(conventions(p, p.network()))
    assert "trainable coefficient" in text and "stride equals the window" in text
    p = generate(topic="sharing", difficulty="easy", seed=3)
    shared = next(layer for layer in p.spec["layers"] if "share" in layer)
    assert f"{shared['name']} reuses the weights of {shared['share']}" in render_problem(p, "txt")


def test_worked_solution_shows_formula_substitution_value() -> None:
    p = generate(topic="basic", difficulty="easy", seed=42, parts=("total", "macs"))
    text = render_solution_for(p, "txt")
    assert "(k_h·k_w·C_in + 1)·C_out = " in text
    assert "MACs = " in text
    assert f"= {p.answers['total']:,}" in text


def test_html_is_escaped_and_self_contained() -> None:
    p = generate(topic="basic", difficulty="easy", seed=42, style="keras")
    page = render_problem(p, "html")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<svg" in page and "<title>" in page and 'role="img"' in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "&#34;" in page or "&quot;" in page  # the Keras strings are escaped in <pre>
    assert "<" not in svg([("a<b", "x")], ["1"], "alt").split("<title>")[1].split("</title>")[0]


def test_latex_exam_and_key() -> None:
    ps = generate_set(topics=["padding", "groups"], count=2, seed=3)
    exam, key = render_set(ps, "latex"), render_set(ps, "latex", key=True)
    for doc in (exam, key):
        assert doc.startswith("\\documentclass") and doc.rstrip().endswith("\\end{document}")
        assert "\\begin{tikzpicture}" in doc
    assert "Worked solution" in key and "Worked solution" not in exam
    assert str(f"{ps[0].answers['total']:,}") in key


def test_all_styles_render() -> None:
    for style in STYLES:
        p = generate(topic="basic", difficulty="medium", seed=8, style=style)
        assert p.style == style
        for fmt in ("md", "html", "latex", "txt"):
            assert render_problem(p, fmt) and render_solution_for(p, fmt)


# -- the command ------------------------------------------------------------------------------
def _run(*args: str) -> object:
    return CliRunner().invoke(main, ["generate", *args], catch_exceptions=False)


def test_command_default_set(tmp_path: Path) -> None:
    out = tmp_path / "set"
    r = _run("--out", str(out))
    assert r.exit_code == 0, r.output
    names = {p.name for p in out.iterdir()}
    assert {"problems.md", "solutions.md", "answer_key.csv", "answer_key.json", "problems",
            "diagrams"} <= names
    problems = sorted((out / "problems").glob("*.json"))
    assert len(problems) == 6
    key = json.loads((out / "answer_key.json").read_text())
    for entry in key["problems"]:
        p = load_problem(out / entry["file"])
        assert entry["answers"] == p.answers
        assert p.answers["total"] == solve(load_spec(p.spec)).answer
    assert "diagrams/" in (out / "problems.md").read_text()


def test_command_is_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert _run("--count", "4", "--format", "html", "--style", "mixed", "--parts",
                    "total,per_layer,macs", "--out", str(tmp_path / name)).exit_code == 0
    for f in (tmp_path / "a").rglob("*"):
        if f.is_file():
            assert f.read_bytes() == (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes()


def test_command_roster(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("Name,Student ID\nAda,s-001\nAlan,s-002\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret_text = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    secret.write_text(secret_text, encoding="utf-8")
    out = tmp_path / "exam"
    r = _run("--roster", str(roster), "--secret-file", str(secret), "--exam", "midterm",
             "--count", "2", "--topics", "basic,color", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert {p.name for p in (out / "handouts").iterdir()} == {"s-001.md", "s-002.md"}
    with (out / "answer_key.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert {row["student_id"] for row in rows} == {"s-001", "s-002"}
    key = json.loads((out / "answer_key.json").read_text())
    assert set(key["students"]) == {"s-001", "s-002"}
    a, b = key["students"]["s-001"][0], key["students"]["s-002"][0]
    assert a["id"] != b["id"] and "s-001" not in a["id"]
    for f in out.rglob("*"):
        if f.is_file():
            assert secret_text not in f.read_text(encoding="utf-8")
    handout = (out / "handouts" / "s-001.md").read_text()
    seed = load_problem(out / a["file"]).seed
    assert str(seed) not in handout
    # the same secret gives the same variants again
    r = _run("--roster", str(roster), "--secret-file", str(secret), "--exam", "midterm",
             "--count", "2", "--topics", "basic,color", "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / "answer_key.json").read_bytes() == \
        (out / "answer_key.json").read_bytes()
    # re-seeding one student changes that student's variants only
    r = _run("--roster", str(roster), "--secret-file", str(secret), "--exam", "midterm",
             "--count", "2", "--topics", "basic,color", "--reroll", "s-002",
             "--out", str(tmp_path / "reroll"))
    assert r.exit_code == 0, r.output
    rerolled = json.loads((tmp_path / "reroll" / "answer_key.json").read_text())["students"]
    assert rerolled["s-001"] == key["students"]["s-001"]
    assert rerolled["s-002"][0]["id"] != key["students"]["s-002"][0]["id"]


@pytest.mark.parametrize("args, message", [
    (["--topics", "conv4d"], "unknown topic"),
    (["--parts", "everything"], "unknown part"),
    (["--style", "keras-prose"], "keras-prose"),
    (["--roster", "ROSTER"], "go together"),
    (["--roster", "NOID", "--secret-file", "SECRET"], "no student id column"),
    (["--out", "FILE"], "is a file"),
], ids=["topic", "part", "style", "roster-without-secret", "roster-without-id", "out-is-file"])
def test_command_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "roster.csv").write_text("id\ns1\n")
    (tmp_path / "noid.csv").write_text("name,grade\nAda,1\n")
    (tmp_path / "secret").write_text("x" * 32)
    (tmp_path / "file").write_text("not a directory")
    subst = {"ROSTER": tmp_path / "roster.csv", "NOID": tmp_path / "noid.csv",
             "SECRET": tmp_path / "secret", "FILE": tmp_path / "file"}
    args = [str(subst.get(a, a)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    r = CliRunner().invoke(main, ["generate", *args])
    assert r.exit_code == 2
    assert message in r.output


def test_parts_table_is_documented() -> None:
    assert set(ALL_PARTS) == set(PARTS)


def test_command_offers_lms_exporters_when_present(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys
    import types

    import cnnquiz.cmd_generate as cmd

    seen: list[int] = []

    def fake(problems: list[Problem], out: Path) -> list[Path]:
        seen.append(len(problems))
        path = out / "fake.xml"
        path.write_text("<quiz/>")
        return [path]

    module = types.ModuleType("generator.export")
    module.EXPORTERS = {"fakelms": fake}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "generator.export", module)
    try:
        fresh = importlib.reload(cmd)
        assert "fakelms" in fresh.FORMATS and "md" in fresh.FORMATS
        r = CliRunner().invoke(fresh.generate_command,
                               ["--count", "2", "--format", "fakelms", "--out", str(tmp_path)])
        assert r.exit_code == 0, r.output
        assert seen == [2] and (tmp_path / "fake.xml").exists()
        assert (tmp_path / "answer_key.csv").exists()
    finally:
        monkeypatch.undo()
        importlib.reload(cmd)


def test_command_never_overwrites_an_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    roster = out / "answer_key.csv"  # a roster where the key would be written
    roster.write_text("id\ns1\n")
    secret = tmp_path / "secret"
    secret.write_text("k" * 32)
    r = CliRunner().invoke(main, ["generate", "--roster", str(roster), "--secret-file",
                                  str(secret), "--count", "1", "--out", str(out)])
    assert r.exit_code == 2 and "is one of the inputs" in r.output
    assert roster.read_text() == "id\ns1\n"


def test_latex_documents_compile(tmp_path: Path) -> None:
    # `make test` installs TeX Live (make tex); a missing pdflatex fails here, never skips
    assert shutil.which("pdflatex"), "pdflatex is missing: run `make tex` (Debian TeX Live)"
    ps = generate_set(topics=["sharing", "batchnorm", "transpose"], count=3, seed=4,
                      parts=("total", "shape", "macs"), style="mixed")
    for name, key in (("exam", False), ("key", True)):
        (tmp_path / f"{name}.tex").write_text(render_set(ps, "latex", key=key), encoding="utf-8")
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                              f"{name}.tex"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
        log = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert "Missing character" not in log
