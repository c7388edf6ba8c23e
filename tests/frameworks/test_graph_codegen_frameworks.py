"""Generated code for graph networks, built in PyTorch 2.13 and Keras 3 (torch backend).

The code a residual or concat problem shows (and a combined graph topic's) is executed as
printed -- our own output, never student text -- and the model's parameters are counted:
trainable and non-trainable equal the answer key's. Also graph specs beyond the topics:
a layer shared across branches, two inputs, two outputs, subtract and multiply merges.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from generator.codegen import keras_code, torch_code
from generator.network import solve
from generator.problem import DIFFICULTIES, generate
from generator.spec import load_spec

pytestmark = pytest.mark.frameworks

TOPICS = ("residual", "concat", "residual+batchnorm+color", "concat+color+no-bias")
CASES = [(t, d) for t in TOPICS for d in DIFFICULTIES]


def keras_counts(code: str) -> tuple[int, int]:
    ns: dict[str, Any] = {}
    exec(compile(code, "<keras>", "exec"), ns)  # noqa: S102 - our own generated code
    model = ns["model"]
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return trainable, frozen


def torch_counts(code: str) -> tuple[int, int]:
    ns: dict[str, Any] = {}
    exec(compile(code, "<torch>", "exec"), ns)  # noqa: S102 - our own generated code
    model = ns["model"]
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    stats = sum(b.numel() for n, b in model.named_buffers()
                if n.endswith(("running_mean", "running_var")))
    return trainable, stats


@pytest.mark.parametrize("topic, difficulty", CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_graph_topic_code_builds_with_the_key_counts(topic: str, difficulty: str) -> None:
    for seed in range(4):
        for style, code_of, counts in (("keras", keras_code, keras_counts),
                                       ("pytorch", torch_code, torch_counts)):
            p = generate(topic=topic, difficulty=difficulty, seed=seed, style=style,
                         parts=("trainable_split",))
            code = code_of(p.network())
            split = p.answers["trainable_split"]
            assert counts(code) == (split["trainable"], split["non_trainable"]), \
                f"{p.id} ({style}):\n{code}"


SPECS = {
    "shared-across-branches": {
        "input": {"shape": [8, 8, 4]}, "conventions": {"padding": "same", "bias": "true"},
        "layers": [{"type": "conv2d", "name": "c", "filters": 4, "kernel": 3},
                   {"type": "conv2d", "name": "c_again", "share": "c", "inputs": ["c"]},
                   {"type": "subtract", "name": "diff", "inputs": ["c", "c_again"]},
                   {"type": "multiply", "name": "gate", "inputs": ["diff", "input"]},
                   {"type": "global_average_pooling2d", "name": "gap"},
                   {"type": "dense", "name": "out", "units": 3}]},
    "two-inputs-two-outputs": {
        "inputs": [{"name": "image", "shape": [8, 8, 3]}, {"name": "meta", "shape": [5]}],
        "outputs": ["head", "aux"], "conventions": {"padding": "valid", "bias": "true"},
        "layers": [{"type": "conv2d", "name": "c", "filters": 4, "kernel": 3, "inputs": "image"},
                   {"type": "global_average_pooling2d", "name": "gap"},
                   {"type": "dense", "name": "m", "units": 4, "inputs": "meta"},
                   {"type": "concatenate", "name": "cat", "inputs": ["gap", "m"]},
                   {"type": "dense", "name": "head", "units": 2},
                   {"type": "dense", "name": "aux", "units": 1, "inputs": "gap"}]},
    "average-maximum-minimum-spatial-concat": {
        "input": {"shape": [6, 5, 2]}, "conventions": {"padding": "same", "bias": "true"},
        "layers": [{"type": "conv2d", "name": "a", "filters": 3, "kernel": 3},
                   {"type": "conv2d", "name": "b", "filters": 3, "kernel": 1, "inputs": "input"},
                   {"type": "conv2d", "name": "c", "filters": 3, "kernel": 3, "inputs": "input"},
                   {"type": "average", "name": "mean", "inputs": ["a", "b", "c"]},
                   {"type": "maximum", "name": "hi", "inputs": ["a", "b", "c"]},
                   {"type": "minimum", "name": "lo", "inputs": ["mean", "hi"]},
                   {"type": "concatenate", "name": "rows", "axis": 1, "inputs": ["lo", "a"]},
                   {"type": "concatenate", "name": "cols", "axis": -2, "inputs": ["rows", "rows"]},
                   {"type": "conv2d", "name": "out", "filters": 2, "kernel": 1}]},
}


@pytest.mark.parametrize("name", list(SPECS))
def test_graph_spec_code_builds(name: str) -> None:
    sol = solve(load_spec(SPECS[name]))
    key = (sol.trainable, sol.non_trainable)
    assert keras_counts(keras_code(sol.network)) == key
    assert torch_counts(torch_code(sol.network)) == key


def test_torch_merges_compute_the_keras_values() -> None:
    """Our PyTorch forward for average, maximum, minimum and a concatenation along a spatial
    axis gives Keras's output (same weights copied in): the right op on the right axis."""
    import numpy as np
    import torch
    sol = solve(load_spec(SPECS["average-maximum-minimum-spatial-concat"]))
    ns: dict[str, Any] = {}
    exec(compile(keras_code(sol.network), "<keras>", "exec"), ns)  # noqa: S102 - our own code
    kmodel = ns["model"]
    ts: dict[str, Any] = {}
    exec(compile(torch_code(sol.network), "<torch>", "exec"), ts)  # noqa: S102 - our own code
    tmodel = ts["model"].eval()
    with torch.no_grad():
        for name in ("a", "b", "c", "out"):
            kernel, bias = kmodel.get_layer(name).get_weights()
            conv = getattr(tmodel, name)
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))))
            conv.bias.copy_(torch.from_numpy(bias))
        x = np.random.default_rng(0).standard_normal((2, 6, 5, 2)).astype("float32")
        theirs = np.asarray(kmodel(x))
        ours = tmodel(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    assert ours.shape == theirs.shape == (2, *sol.rows[-1].out_shape)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
