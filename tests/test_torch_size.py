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


SEQ = f"{T}import torch\nnet = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(2))\n"
CLS = f"""{T}import torch
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 2)
    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))
"""


@pytest.mark.parametrize(("source", "shape", "said"), [
    (SEQ + "out = net(torch.randn(1, 3, 8, 8))\n", [8, 8, 3], "torch.randn(1, 3, 8, 8) on line 4"),
    (SEQ + "x = torch.zeros((2, 3, 9, 9))\nprint(net(x).shape)\n", [9, 9, 3], "line 4"),
    (CLS + "model = Net().to('cpu')\nx = torch.rand(1, 3, 8, 8)\nmodel(x)\n", [8, 8, 3],
     "torch.rand(1, 3, 8, 8) on line 11"),
    (CLS + "if __name__ == '__main__':\n    y = Net()(torch.ones(5, 3, 8, 8))\n", [8, 8, 3],
     "torch.ones"),
    (CLS + "from torchsummary import summary\nsummary(Net(), (3, 8, 8))\n", [8, 8, 3],
     "summary(Net(), (3, 8, 8))"),
    (CLS + "from torchinfo import summary\nm = Net()\nsummary(m, input_size=(16, 3, 8, 8))\n",
     [8, 8, 3], "input_size=(16, 3, 8, 8)"),
], ids=["sequential-call", "tensor-variable", "to-device", "class-called", "torchsummary",
        "torchinfo"])
def test_the_input_size_of_a_sample_run_is_used_and_said(source: str, shape: list[int],
                                                         said: str) -> None:
    code = read_code(source)  # a lazy layer is sized by the sample, as PyTorch does
    assert code.spec["input"]["shape"] == shape
    assert any("taken from" in w and said in w for _, w in code.notes)
    assert not any("no input size" in w for _, w in code.notes)


def test_a_sample_of_another_tensor_is_not_the_input() -> None:
    source = SEQ.replace("LazyLinear(2)", "Linear(4 * 6 * 6, 2)") + (
        "other = nn.Linear(3, 3)\ny = other(torch.randn(1, 3, 50, 50))\n")
    code = read_code(source)
    assert code.spec["input"]["shape"] == [8, 8, 3]  # the size that fits, as before
    assert not any("taken from" in w for _, w in code.notes)


def _graph_codes(topic: str, n: int) -> list[tuple[str, int]]:
    """PyTorch code of the first ``n`` hard graphs of ``topic`` that PyTorch can write."""
    import random

    from generator.builder import Redraw
    from generator.graph_code import torch_graph_code
    from generator.graph_topics import GRAPH_TOPICS

    out: list[tuple[str, int]] = []
    for seed in range(100):
        try:
            net = load_spec(GRAPH_TOPICS[topic](random.Random(seed), "hard", "mixed"))
            out.append((torch_graph_code(net), solve(net).answer))
        except (Redraw, ConfigError):  # e.g. 'same' padding at stride 2: no PyTorch code
            continue
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("topic", ["residual", "concat"])
def test_our_own_graph_code_reads_back_without_an_input_shape(topic: str) -> None:
    codes = _graph_codes(topic, 6)  # each ends with model(torch.zeros(2, C, H, W))
    assert len(codes) == 6
    for source, answer in codes:
        code = read_code(source)
        assert solve(load_spec(code.spec)).answer == answer
        assert any("taken from torch.zeros(2, " in w for _, w in code.notes)
