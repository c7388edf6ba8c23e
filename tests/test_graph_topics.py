"""Graph topics (residual, concat) end to end: what they draw, their code, diagrams and lint.

The generic properties (valid, unambiguous, diagnosable, deterministic, every part graded
correct by its own key, the shown code run in PyTorch and Keras) come from the tests that
run over every topic (test_generator_stress, test_parts_key, test_generated_code_runs);
here: what the topics teach, the code read back by our own importers, the diagrams.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from generator.codegen import keras_code, torch_code
from generator.importers import read_code
from generator.lint import lint
from generator.network import solve
from generator.present import render_problem, render_solution_for, solution_ctx
from generator.problem import DIFFICULTIES, generate
from generator.spec import load_spec
from grader import grade

SEEDS = range(12)


def _types(p) -> list[str]:
    return [layer["type"] for layer in p.spec["layers"]]


def _shortcuts(p) -> list[bool]:
    """Per add: True when one input is a 1×1 projection (maybe behind its batch norm)."""
    layers = {layer["name"]: layer for layer in p.spec["layers"]}

    def projection(name: str) -> bool:
        layer = layers.get(name)
        if layer is None:  # the network input
            return False
        if layer["type"] == "batch_normalization":
            prev = p.spec["layers"][p.spec["layers"].index(layer) - 1]
            return projection(prev["name"])
        return layer["type"] == "conv2d" and layer["name"].startswith("proj")

    return [any(projection(s) for s in layer["inputs"]) for layer in p.spec["layers"]
            if layer["type"] == "add"]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_residual_blocks_have_identity_and_projection_shortcuts(difficulty: str) -> None:
    kinds, bottleneck = set(), 0
    for seed in SEEDS:
        p = generate(topic="residual", difficulty=difficulty, seed=seed)
        shortcuts = _shortcuts(p)
        assert shortcuts, p.id
        kinds |= set(shortcuts)
        if difficulty != "easy":  # both kinds of shortcut in every medium or hard problem
            assert set(shortcuts) == {True, False}, p.id
        # a projection exactly where the channels or the stride change
        sol = p.solution()
        for row in sol.rows:
            if row.kind == "add":
                a, b = row.in_shapes
                assert a == b
        widths = [layer.get("filters") for layer in p.spec["layers"] if layer["type"] == "conv2d"]
        bottleneck += any(w and 4 * widths[i - 1] == w for i, w in enumerate(widths) if i)
    assert kinds == {True, False}
    if difficulty != "easy":
        assert bottleneck, "no bottleneck block drawn"


def test_projection_changes_channels_or_stride_identity_keeps_them() -> None:
    for seed in SEEDS:
        p = generate(topic="residual", difficulty="medium", seed=seed, style="pytorch")
        sol = p.solution()
        for layer in p.spec["layers"]:
            if layer["name"].startswith("proj"):
                row = sol.row(layer["name"])
                assert layer["kernel"] == 1
                assert row.in_shape != row.out_shape  # channels or size change


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_concat_draws_inception_modules_and_unet_skips(difficulty: str) -> None:
    seen = set()
    for seed in range(20):
        p = generate(topic="concat", difficulty=difficulty, seed=seed)
        types = _types(p)
        assert "concatenate" in types
        sol = p.solution()
        cat = next(r for r in sol.rows if r.kind == "concatenate")
        assert cat.out_shape[-1] == sum(s[-1] for s in cat.in_shapes)
        assert cat.derivations[0].formula.startswith("C_1 + C_2")
        if "up_sampling2d" in types or "conv2d_transpose" in types:
            seen.add("unet")
            assert "max_pooling2d" in types and "dense" not in types
        else:
            seen.add("inception")
            assert len(cat.in_shapes) >= 2 + (difficulty != "easy")
    assert seen == {"unet", "inception"}


@pytest.mark.parametrize("topic", ["residual", "concat"])
@pytest.mark.parametrize("style", ["keras", "pytorch"])
def test_generated_code_round_trips_through_our_importers(topic: str, style: str) -> None:
    code_of: Callable = keras_code if style == "keras" else torch_code
    for difficulty in DIFFICULTIES:
        for seed in range(6):
            p = generate(topic=topic, difficulty=difficulty, seed=seed, style=style)
            net = p.network()
            code = code_of(net)
            assert code in render_problem(p, "md")
            # PyTorch code gives no input size to a reader: the user passes it
            shape = net.input.shape if style == "pytorch" else None
            back = solve(load_spec(read_code(code, input_shape=shape).spec))
            sol = p.solution()
            assert (back.trainable, back.total) == (sol.trainable, sol.total), f"{p.id}\n{code}"
            merges = [r.kind for r in sol.rows if r.kind in ("add", "concatenate")]
            assert sorted(r.kind for r in back.rows if r.kind in ("add", "concatenate")) == \
                sorted(merges)


def test_code_uses_the_functional_api_and_forward() -> None:
    p = generate(topic="residual", difficulty="medium", seed=1, style="keras")
    code = keras_code(p.network())
    assert "keras.Model(inputs, " in code and "layers.Add(name=" in code
    assert "Sequential" not in code
    p = generate(topic="residual", difficulty="medium", seed=1, style="pytorch")
    code = torch_code(p.network())
    assert re.search(r"add\d = \w+ \+ \w+", code) and "def forward(self, x):" in code
    p = generate(topic="concat", difficulty="medium", seed=2, style="pytorch")
    assert "torch.cat([" in torch_code(p.network()) and "dim=1)" in torch_code(p.network())


def test_merge_misconceptions_are_diagnosed_on_generated_problems() -> None:
    """The catalogue's graph entries, applied to generated problems, are graded back."""
    from generator.misconceptions import catalogue_values

    found: set[str] = set()
    wanted = {"projection_shortcut_left_out", "identity_shortcut_given_params",
              "merge_given_params", "concat_channels_from_one_branch"}
    for topic in ("residual", "concat"):
        for seed in range(6):
            p = generate(topic=topic, difficulty="medium", seed=seed)
            values = catalogue_values(p.network())
            for mid in wanted & set(values):
                r = grade(p, str(values[mid]))
                assert r.status == "incorrect"
                ids = [d.misconceptions for d in r.diagnoses]
                assert (mid,) in ids, (p.id, mid, ids)
                found.add(mid)
    assert found == wanted


def test_error_is_carried_forward_along_a_branch() -> None:
    """A channel mistake at a concatenation changes the layers after it, not those before."""
    from generator.misconceptions import apply

    p = generate(topic="concat", difficulty="easy", seed=3)
    net = p.network()
    good = solve(net)
    bad = apply(net, [("concat_channels_from_one_branch", None)])
    names = [r.name for r in good.rows]
    at = next(i for i, r in enumerate(good.rows) if r.kind == "concatenate")
    assert bad.params[:at] == tuple(r.trainable for r in good.rows[:at])
    assert bad.shapes[at][-1] < good.rows[at].out_shape[-1]
    assert any(b != r.trainable for b, r in zip(bad.params[at + 1:], good.rows[at + 1:],
                                                strict=True)), names


# -- lint on graph specs -----------------------------------------------------------------------
GRAPH = {"input": {"shape": [8, 8, 16]},
         "layers": [{"type": "conv2d", "name": "c1", "filters": 16, "kernel": 3},
                    {"type": "conv2d", "name": "c2", "filters": 16, "kernel": 3},
                    {"type": "add", "name": "add", "inputs": ["c2", "input"]},
                    {"type": "flatten", "name": "f"}, {"type": "dense", "name": "d", "units": 2}]}


def test_lint_finds_an_unstated_padding_in_a_graph() -> None:
    found = lint(GRAPH)
    pad = [a for a in found if a.convention == "padding"]
    assert pad and set(pad[0].sites) == {"c1", "c2"}
    # 'valid' makes the add impossible (6×6 and 8×8): an outcome with an error, not a crash
    outcomes = {o.value: o for o in pad[0].outcomes}
    assert outcomes["valid"].answer is None and "add" in (outcomes["valid"].error or "")
    assert outcomes["same"].answer == 2 * (9 * 16 + 1) * 16 + (8 * 8 * 16 + 1) * 2


def test_lint_is_quiet_on_a_stated_graph_and_on_generated_ones() -> None:
    stated = {**GRAPH, "conventions": {"padding": "same", "bias": "true"}}
    assert lint(stated) == []
    for topic in ("residual", "concat"):
        for seed in range(3):
            assert lint(generate(topic=topic, difficulty="hard", seed=seed).spec) == []


# -- diagrams ----------------------------------------------------------------------------------
def test_residual_diagram_has_a_skip_arc_and_merge_nodes() -> None:
    p = generate(topic="residual", difficulty="medium", seed=3)
    ctx = solution_ctx(p, fmt=None)
    svg = ctx["diagram_svg"]
    adds = sum(layer["type"] == "add" for layer in p.spec["layers"])
    assert svg.count("<circle") == adds
    assert " C" in svg  # a cubic curve: the identity shortcut's arc
    assert svg.count("<rect") == len(p.spec["layers"]) - adds + 1  # + the input
    assert "<title>Architecture with shapes" in svg
    assert ".. controls" in ctx["diagram_tikz"] and "\\node[merge]" in ctx["diagram_tikz"]


def test_graph_diagrams_render_in_every_format() -> None:
    for topic in ("residual", "concat"):
        p = generate(topic=topic, difficulty="hard", seed=4)
        for fmt in ("md", "html", "latex", "txt"):
            assert render_problem(p, fmt) and render_solution_for(p, fmt)
        assert "<circle" in render_problem(p, "html")


@pytest.mark.parametrize("topic, seed", [("residual", 3), ("concat", 5)])
def test_graph_diagram_golden(golden: Callable[[str, str], None], topic: str, seed: int) -> None:
    p = generate(topic=topic, difficulty="medium", seed=seed)
    ctx = solution_ctx(p, fmt=None)
    golden(f"diagram/{topic}-medium-{seed:06d}.svg", ctx["diagram_svg"] + "\n")
    golden(f"diagram/{topic}-medium-{seed:06d}.tikz", ctx["diagram_tikz"] + "\n")


def test_graph_latex_compiles(tmp_path) -> None:
    """The TikZ of branches, merges and skip arcs compiles (pdflatex; `make tex` installs it)."""
    import shutil
    import subprocess

    from generator.present import render_set

    assert shutil.which("pdflatex"), "pdflatex is missing: run `make tex` (Debian TeX Live)"
    ps = [generate(topic=t, difficulty="medium", seed=s, style=st)
          for t, s, st in (("residual", 3, "pytorch"), ("concat", 5, "keras"), ("concat", 3, "prose"))]
    (tmp_path / "key.tex").write_text(render_set(ps, "latex", key=True), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Missing character" not in (tmp_path / "key.log").read_text(errors="replace")


def test_a_mistake_on_one_branch_is_carried_past_the_merge() -> None:
    """Stride ignored on the main path only: the add no longer fits, and the student goes on
    with the main path's shape (not an impossible network)."""
    from generator.misconceptions import apply

    spec = {"input": {"shape": [8, 8, 8]}, "conventions": {"padding": "same", "bias": "true"},
            "layers": [{"type": "conv2d", "name": "c1", "filters": 16, "kernel": 3, "strides": 2},
                       {"type": "conv2d", "name": "c2", "filters": 16, "kernel": 3},
                       {"type": "conv2d", "name": "proj", "filters": 16, "kernel": 1,
                        "strides": 2, "inputs": ["input"]},
                       {"type": "add", "name": "add", "inputs": ["c2", "proj"]},
                       {"type": "flatten", "name": "f"}, {"type": "dense", "name": "d", "units": 2}]}
    net = load_spec(spec)
    assert solve(net).total == 4_146
    r = apply(net, [("stride_ignored", "c1")])
    assert r.shapes[3] == (8, 8, 16)  # the add carries the main path's 8×8×16 on
    assert r.total == 4_146 - (4 * 4 * 16 + 1) * 2 + (8 * 8 * 16 + 1) * 2
    assert "stride" in grade(spec, str(r.total)).feedback.lower()


def test_lint_command_on_a_graph_impossible_under_the_default(tmp_path) -> None:
    """`cnnquiz lint` reports the padding of a residual block whose add only fits with
    'same' (as written, under the default 'valid', it is impossible: answer null)."""
    import json

    from click.testing import CliRunner

    from cnnquiz.cli import main

    path = tmp_path / "block.json"
    path.write_text(json.dumps(GRAPH), encoding="utf-8")
    r = CliRunner().invoke(main, ["lint", str(path)])
    assert r.exit_code == 1, r.output
    assert "padding (unstated on c1, c2)" in r.output and "invalid: add:" in r.output
    assert "padding: same          6,690" in r.output
    r = CliRunner().invoke(main, ["lint", str(path), "--format", "json"])
    d = json.loads(r.output)
    assert r.exit_code == 1 and d["ambiguous"] and d["answer"] is None
    stated = tmp_path / "stated.json"
    stated.write_text(json.dumps({**GRAPH, "conventions": {"padding": "same", "bias": "true"}}),
                      encoding="utf-8")
    r = CliRunner().invoke(main, ["lint", str(stated)])
    assert r.exit_code == 0 and "unambiguous" in r.output and "6,690" in r.output
