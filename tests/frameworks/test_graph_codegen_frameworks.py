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
}


@pytest.mark.parametrize("name", list(SPECS))
def test_graph_spec_code_builds(name: str) -> None:
    sol = solve(load_spec(SPECS[name]))
    key = (sol.trainable, sol.non_trainable)
    assert keras_counts(keras_code(sol.network)) == key
    assert torch_counts(torch_code(sol.network)) == key
