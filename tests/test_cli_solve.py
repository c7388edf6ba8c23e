"""`cnnquiz solve` and `cnnquiz lint` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_solve_text_shows_table_steps_and_total() -> None:
    code, out, _ = run("solve", str(ROOT / "examples/stackoverflow_gray.yaml"))
    assert code == 0
    assert "Trainable params: 50,828,751" in out
    assert "params = (k_h·k_w·C_in + 1)·C_out = (7·7·1 + 1)·60 = 3000" in out
    assert "H_out = ⌊(H − k_h)/s_h⌋ + 1 = ⌊(90 − 2)/2⌋ + 1 = 45" in out


def test_solve_json_contract() -> None:
    code, out, _ = run("solve", str(ROOT / "examples/cmyk_shared.yaml"), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["total"], data["trainable"], data["non_trainable"]) == (1_826_980, 1_826_980, 0)
    conv5 = next(x for x in data["layers"] if x["name"] == "conv5")
    assert conv5["shares"] == "conv3" and conv5["params"] == 0
    assert conv5["output_shape"] == [110, 110, 20]
    for layer in data["layers"]:
        assert {"name", "type", "output_shape", "params", "trainable", "non_trainable", "formula",
                "substitution", "shares"} <= set(layer)


def test_solve_markdown() -> None:
    code, out, _ = run("solve", str(ROOT / "examples/stackoverflow_gray.yaml"), "--format", "markdown")
    assert code == 0 and "| **Total** |" in out and "**50,828,751**" in out


def test_lint_exit_codes(tmp_path: Path) -> None:
    code, out, _ = run("lint", str(ROOT / "examples/stackoverflow_gray.yaml"))
    assert code == 0 and "unambiguous" in out
    spec = tmp_path / "s.yaml"
    # the CMYK network, padding left out (and without its pooling layer: the
    # issue's figures 7,271,940 / 8,651,940 are those of the network without it)
    spec.write_text("input: {shape: [120, 120], color: cmyk}\nconventions: {bias: true}\nlayers:\n"
                    + "".join(f"  - {{type: conv2d, name: conv{i}, filters: 20, kernel: 3}}\n"
                              for i in range(1, 5))
                    + "  - {type: conv2d, name: conv5, share: conv3}\n"
                    + "  - {type: flatten}\n  - {type: dense, units: 30}\n  - {type: dense, units: 10}\n")
    code, out, _ = run("lint", str(spec))
    assert code == 1
    assert "padding: valid" in out and "padding: same" in out
    code, out, _ = run("lint", str(spec), "--format", "json")
    data = json.loads(out)
    assert data["ambiguous"] is True
    (amb,) = data["ambiguities"]
    assert {a["value"]: a["answer"] for a in amb["alternatives"]} == {"valid": 7_271_940,
                                                                     "same": 8_651_940}


@pytest.mark.parametrize(
    ("text", "message"),
    [("input: {shape: [8, 8], channels: 1}\nlayers:\n  - {type: conv2}", "unknown layer type 'conv2'"),
     ("input: {shape: [8, 8], channels: 1}\nlayers:\n  - {type: conv2d, filters: 2, kernal: 3}",
      "Did you mean 'kernel'?"),
     ("input: {shape: [8, 8], channels: 1}\nlayers: [\n", "not valid YAML/JSON at line"),
     ("input: {shape: [4, 4], channels: 1}\nlayers:\n  - {type: conv2d, filters: 2, kernel: 5}",
      "output size would be 0"),
     ("input: {shape: [8, 8], channels: 3}\nlayers:\n  - {type: conv2d, filters: 4, kernel: 3, groups: 2}",
      "groups=2 must divide")],
    ids=["type", "option", "yaml", "size", "groups"],
)
def test_bad_specs_exit_2_without_traceback(tmp_path: Path, text: str, message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    for command in ("solve", "lint"):
        code, out, err = run(command, str(spec))
        if command == "lint" and "output size" in message:
            # impossible as written, valid with 'same': lint reports the unstated padding
            # with both outcomes (exit 1), as for a graph whose add only fits with 'same'
            assert code == 1 and message in out and "padding: same" in out, out + err
            continue
        assert code == 2
        assert message in err and "Traceback" not in err + out
