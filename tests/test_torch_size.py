"""PyTorch code without an input size (issue 13): its count does not depend on it, so a size
at which every layer fits is used and said; where none fits, or a lazy module makes the count
depend on it, the code is refused with --input-shape as the fix."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import read_code
from generator.network import solve
from generator.spec import load_spec
from tests.test_importers import TORCH_LENET_TUTORIAL

T = "import torch.nn as nn\n"


@pytest.mark.parametrize(("layers", "shape", "answer"), [
    # LeNet-5 on CIFAR: 16·5·5 features fit at 32×32 only
    ("nn.Conv2d(3, 6, 5), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.MaxPool2d(2), nn.Flatten(), "
     "nn.Linear(16 * 5 * 5, 10)", [32, 32, 3], 456 + 2416 + 4010),
    # MNIST: 26·26 features fit at 28×28
    ("nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 10)", [28, 28, 1], 40 + 27050),
    # global pooling fits any size; twice the size counts the same
    ("nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2)",
     [32, 32, 3], 224 + 18),
    ("nn.Linear(20, 5), nn.ReLU(), nn.Linear(5, 1)", [20], 105 + 6),
    ("nn.Conv1d(2, 4, 3), nn.Flatten(), nn.Linear(4 * 98, 1)", [100, 2], 28 + 393),
], ids=["lenet", "mnist", "global-pool", "mlp", "conv1d"])
def test_a_size_that_fits_is_used_and_said(layers: str, shape: list[int], answer: int) -> None:
    code = read_code(f"{T}net = nn.Sequential({layers})\n")
    assert code.spec["input"]["shape"] == shape
    assert solve(load_spec(code.spec)).answer == answer
    note = " / ".join(w for _, w in code.notes)
    assert "no input size given; read with input " + "×".join(map(str, shape)) in note
    assert "--input-shape" in note


def test_the_pytorch_tutorial_lenet_is_read_as_pasted() -> None:
    code = read_code(TORCH_LENET_TUTORIAL)  # 16·5·5 features: a 32×32 grey image
    assert code.spec["input"]["shape"] == [32, 32, 1]
    assert solve(load_spec(code.spec)).answer == 61_706


def test_an_input_shape_given_is_used_as_given() -> None:
    code = read_code(f"{T}net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1))\n",
                     input_shape=(64, 64, 3))
    assert code.spec["input"]["shape"] == [64, 64, 3]
    assert not any("no input size" in w for _, w in code.notes)


@pytest.mark.parametrize("layers", [
    "nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 7 * 5, 2)",  # fits a 9×7 input only
    "nn.Flatten(), nn.LazyLinear(2)",  # the count depends on the input
    "nn.LazyConv2d(8, 3), nn.Flatten(), nn.Linear(8 * 30 * 30, 2)",
], ids=["no-square-fits", "lazy-linear", "lazy-conv"])
def test_no_size_is_guessed_where_none_fits_or_the_count_depends_on_it(layers: str) -> None:
    with pytest.raises(ConfigError, match="--input-shape"):
        read_code(f"{T}net = nn.Sequential({layers})\n")
