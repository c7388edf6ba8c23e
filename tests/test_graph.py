"""Networks as graphs: named inputs, merges, several inputs/outputs, sharing across branches."""

from __future__ import annotations

from typing import Any

import pytest

from generator.buggy import Engine
from generator.errors import ConfigError
from generator.misconceptions import MISCONCEPTIONS
from generator.network import solve
from generator.problem import forward
from generator.render import render_solution
from generator.spec import load_spec

# a basic residual block with a projection shortcut, then an inception-style concatenation
BLOCK: dict[str, Any] = {
    "input": {"shape": [8, 8, 16]},
    "layers": [
        {"type": "conv2d", "name": "c1", "filters": 32, "kernel": 3, "padding": "same",
         "strides": 2},
        {"type": "conv2d", "name": "c2", "filters": 32, "kernel": 3, "padding": "same"},
        {"type": "conv2d", "name": "proj", "filters": 32, "kernel": 1, "strides": 2,
         "inputs": "input"},
        {"type": "add", "name": "add", "inputs": ["c2", "proj"]},
        {"type": "conv2d", "name": "b1", "filters": 8, "kernel": 1},
        {"type": "conv2d", "name": "b3", "filters": 4, "kernel": 3, "padding": "same",
         "inputs": ["add"]},
        {"type": "concatenate", "name": "cat", "inputs": ["b1", "b3", "add"]},
    ],
}


def test_block_counts_and_shapes() -> None:
    sol = solve(load_spec(BLOCK))
    rows = {r.name: r for r in sol.rows}
    assert rows["c1"].params == (9 * 16 + 1) * 32
    assert rows["proj"].params == (16 + 1) * 32 and rows["proj"].out_shape == (4, 4, 32)
    assert rows["add"].params == 0 and rows["add"].inputs == ("c2", "proj")
    assert rows["cat"].out_shape == (4, 4, 8 + 4 + 32)
    assert rows["cat"].derivations[0].line() == "C_out = C_1 + C_2 + C_3 = 8 + 4 + 32 = 44"
    assert sol.total == sum(r.params for r in sol.rows)
    assert not sol.network.is_chain


def test_a_chain_is_still_a_chain() -> None:
    net = load_spec({"input": {"shape": [8, 8, 1]},
                     "layers": [{"type": "conv2d", "filters": 2, "kernel": 3},
                                {"type": "flatten"}, {"type": "dense", "units": 2}]})
    assert net.is_chain
    assert "Connected to" not in render_solution(solve(net))


def test_solution_table_has_connected_to_and_explains_merges() -> None:
    text = render_solution(solve(load_spec(BLOCK)))
    assert "Connected to" in text
    assert "add (add)" in text and "c2, proj" in text
    assert "add: the shapes must match (4×4×32 and 4×4×32)" in text
    md = render_solution(solve(load_spec(BLOCK)), "markdown")
    assert "| Connected to |" in md and "| b1, b3, add |" in md


def test_several_inputs_and_outputs() -> None:
    spec = {"inputs": [{"name": "image", "shape": [8, 8, 3]}, {"name": "meta", "shape": [5]}],
            "outputs": ["head", "aux"],
            "layers": [{"type": "conv2d", "name": "c", "filters": 4, "kernel": 3,
                        "inputs": "image"},
                       {"type": "global_average_pooling2d", "name": "gap"},
                       {"type": "dense", "name": "m", "units": 4, "inputs": "meta"},
                       {"type": "concatenate", "name": "cat", "inputs": ["gap", "m"]},
                       {"type": "dense", "name": "head", "units": 2},
                       {"type": "dense", "name": "aux", "units": 1, "inputs": "gap"}]}
    sol = solve(load_spec(spec))
    assert sol.row("cat").out_shape == (8,)
    assert sol.total == (27 + 1) * 4 + 6 * 4 + 9 * 2 + 5
    assert sol.to_dict()["outputs"] == ["head", "aux"]


def test_shared_layer_across_branches() -> None:
    spec = {"input": {"shape": [6, 6, 4]},
            "layers": [{"type": "conv2d", "name": "a", "filters": 4, "kernel": 3,
                        "padding": "same"},
                       {"type": "conv2d", "name": "b", "share": "a", "inputs": "input"},
                       {"type": "add", "name": "s", "inputs": ["a", "b"]}]}
    sol = solve(load_spec(spec))
    assert [r.params for r in sol.rows] == [(36 + 1) * 4, 0, 0]


@pytest.mark.parametrize(("layers", "message"), [
    ([{"type": "add", "inputs": ["input"]}], "add merges two or more tensors; received 1"),
    ([{"type": "conv2d", "name": "c", "filters": 2, "kernel": 3},
      {"type": "add", "inputs": ["c", "input"]}],
     "add needs inputs of matching shapes (axes may differ only where one of them is 1); "
     "received 6×6×2 and 8×8×1: axis 1 is 6 in one and 8 in the other."),
    ([{"type": "conv2d", "name": "c", "filters": 2, "kernel": 3},
      {"type": "concatenate", "inputs": ["c", "input"]}],
     "concatenate joins along axis -1 and needs every other axis to match"),
    ([{"type": "flatten", "name": "f"}, {"type": "add", "inputs": ["f", "input"]}],
     "add needs inputs of one rank"),
    ([{"type": "conv2d", "name": "c", "filters": 2, "kernel": 3, "inputs": ["later"]},
      {"type": "flatten", "name": "later"}], "input 'later' is a later layer"),
    ([{"type": "conv2d", "filters": 2, "kernel": 3, "inputs": ["nowhere"]}],
     "input 'nowhere' is neither a layer listed before it nor a network input"),
    ([{"type": "conv2d", "name": "c", "filters": 1, "kernel": 1},
      {"type": "dense", "units": 2, "inputs": ["c", "input"]}],
     "dense takes one input; received 2 (c, input). Merge them first"),
    ([{"type": "add", "axis": 1, "inputs": ["input", "input"]}], "add has no axis"),
    ([{"type": "concatenate", "axis": 0, "inputs": ["input", "input"]}],
     "axis must be a whole number other than 0"),
    ([{"type": "subtract", "inputs": ["input", "input", "input"]}],
     "subtract takes exactly two inputs; received 3"),
])
def test_graph_errors_are_clear(layers: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        solve(load_spec({"input": {"shape": [8, 8, 1]}, "layers": layers}))
    assert message in str(info.value)


def test_concatenate_along_a_spatial_axis() -> None:
    spec = {"input": {"shape": [4, 6, 3]},
            "layers": [{"type": "concatenate", "name": "cat", "axis": 1,
                        "inputs": ["input", "input"]}]}
    row = solve(load_spec(spec)).rows[0]
    assert row.out_shape == (8, 6, 3)
    assert row.derivations[0].line() == "d1_out = d1_1 + d1_2 = 4 + 4 = 8"


def test_fast_forward_and_buggy_engine_follow_the_graph() -> None:
    net = load_spec(BLOCK)
    sol = solve(net)
    assert [r.out_shape for r in forward(net).rows] == [r.out_shape for r in sol.rows]
    eng = Engine(net, MISCONCEPTIONS)
    assert eng.base.total == sol.answer
    assert eng.base.shapes == tuple(r.out_shape for r in sol.rows)
    assert eng.base.in_shape(3) == ((4, 4, 32), (4, 4, 32))  # a merge: both inputs
    # a bias left out of the projection changes only that layer's count
    i = [r.name for r in sol.rows].index("proj")
    trace = eng.forward({i: ("conv_no_bias",)})
    assert trace is not None and trace.total == sol.answer - 32
