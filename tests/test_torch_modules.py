"""PyTorch modules read from pasted code: nn.LayerNorm, nn.Upsample(size=...), general adaptive
pooling, lazy modules. Each case states the count PyTorch 2.13 reports; the framework test
(tests/frameworks/test_torch_modules_frameworks.py) builds the same source in PyTorch.
"""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import import_source
from generator.network import solve
from generator.spec import load_spec

HEAD = "import torch\nfrom torch import nn\n\n\n"


def net(*modules: str) -> str:
    """A module class whose forward runs ``modules`` in order (an nn.Sequential body)."""
    body = ",\n            ".join(modules)
    return (HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            f"        self.body = nn.Sequential(\n            {body},\n        )\n\n"
            "    def forward(self, x):\n        return self.body(x)\n")


def with_parameter(init: str, forward: str) -> str:
    """A conv, then a module attribute nn.Parameter used in forward."""
    return (HEAD + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.conv = nn.Conv2d(3, 8, 3)\n"
            f"        {init}\n\n    def forward(self, x):\n        x = self.conv(x)\n"
            f"        {forward}\n        return x\n")


# (id, source, input shape channels last, PyTorch's sum(p.numel() for p in parameters()))
TORCH_MODULES: list[tuple[str, str, tuple[int, ...], int]] = [
    ("layernorm-vector", net("nn.Linear(10, 16)", "nn.LayerNorm(16)"), (10,), 176 + 32),
    ("layernorm-no-bias", net("nn.Linear(10, 16)", "nn.LayerNorm(16, bias=False)"), (10,),
     176 + 16),
    ("layernorm-no-affine", net("nn.Linear(10, 16)",
                                "nn.LayerNorm(16, elementwise_affine=False)"), (10,), 176),
    ("layernorm-feature-map", net("nn.Conv2d(3, 8, 3)", "nn.LayerNorm([8, 6, 6])"), (8, 8, 3),
     224 + 2 * 288),
    ("layernorm-spatial", net("nn.Conv2d(3, 8, 3)", "nn.LayerNorm((6, 6))"), (8, 8, 3),
     224 + 2 * 36),
    ("adaptive-avg-uneven", net("nn.Conv2d(3, 4, 3)", "nn.AdaptiveAvgPool2d((5, 3))",
                                "nn.Flatten()", "nn.Linear(60, 2)"), (13, 9, 3), 112 + 122),
    ("adaptive-max-keep-axis", net("nn.Conv2d(3, 4, 3)", "nn.AdaptiveMaxPool2d((None, 2))",
                                   "nn.Flatten()", "nn.Linear(88, 2)"), (13, 9, 3), 112 + 178),
    ("adaptive-avg1d", net("nn.Conv1d(2, 4, 3)", "nn.AdaptiveAvgPool1d(5)", "nn.Flatten()",
                           "nn.Linear(20, 3)"), (20, 2), 28 + 63),
    ("adaptive-max3d", net("nn.Conv3d(1, 2, 3)", "nn.AdaptiveMaxPool3d((2, None, 3))",
                           "nn.Flatten()", "nn.Linear(72, 2)"), (7, 8, 9, 1), 56 + 146),
    ("upsample-size", net("nn.Conv2d(3, 4, 3)", "nn.Upsample(size=(15, 10))", "nn.Flatten()",
                          "nn.Linear(600, 2)"), (9, 9, 3), 112 + 1202),
    ("upsample-size-int-1d", net("nn.Conv1d(2, 4, 3)", "nn.Upsample(size=25)", "nn.Flatten()",
                                 "nn.Linear(100, 2)"), (12, 2), 28 + 202),
    ("upsample-scale-factor", net("nn.Conv2d(3, 4, 3)", "nn.Upsample(scale_factor=2)",
                                  "nn.Flatten()", "nn.Linear(784, 2)"), (9, 9, 3), 112 + 1570),
    # lazy modules infer their input channels / features from the first forward pass
    ("lazy-conv2d", net("nn.LazyConv2d(8, 3)", "nn.ReLU()", "nn.LazyConv2d(4, 3, padding=1)",
                        "nn.Flatten()", "nn.LazyLinear(10)"), (8, 8, 3),
     224 + 292 + (144 + 1) * 10),
    ("lazy-conv1d-3d", net("nn.LazyConv1d(6, 5, stride=2)", "nn.Flatten()", "nn.LazyLinear(3)"),
     (21, 4), 126 + (54 + 1) * 3),
    ("parameter-scale", with_parameter("self.scale = nn.Parameter(torch.ones(1, 8, 1, 1))",
                                       "x = x * self.scale"), (8, 8, 3), 224 + 8),
    ("parameter-position", with_parameter("self.pos = nn.Parameter(torch.randn(8, 6, 6))",
                                          "x = self.pos + x"), (8, 8, 3), 224 + 288),
    ("parameter-tuple-shape-no-grad", with_parameter(
        "self.bias2 = nn.Parameter(torch.zeros((8, 1, 1)), requires_grad=False)",
        "x = x + self.bias2"), (8, 8, 3), 224 + 8),
    ("parameter-used-twice", with_parameter("self.g = nn.Parameter(torch.full((1, 1, 6), 0.5))",
                                            "x = x * self.g + x * self.g"), (8, 8, 3), 224 + 6),
    ("layernorm-sequence-length", net("nn.Conv1d(4, 8, 3)", "nn.LayerNorm(18)"), (20, 4),
     104 + 36),
]


@pytest.mark.parametrize(("source", "shape", "count"), [c[1:] for c in TORCH_MODULES],
                         ids=[c[0] for c in TORCH_MODULES])
def test_count_as_pytorch_reports(source: str, shape: tuple[int, ...], count: int) -> None:
    sol = solve(load_spec(import_source(source, input_shape=shape)))
    assert sol.trainable == count


@pytest.mark.parametrize(("modules", "shape", "words"), [
    (("nn.Conv2d(3, 8, 3)", "nn.LayerNorm(8)"), (8, 8, 3),
     ["normalized_shape (8,)", "trailing sizes", "(8, 6, 6) channels first"]),
    (with_parameter("self.p = nn.Parameter(torch.zeros(1, 4, 1, 1))", "x = x * self.p"),
     (8, 8, 3), ["shape (1, 4, 1, 1)", "does not broadcast", "(batch, 8, 6, 6)"]),
    (with_parameter("self.p = nn.Parameter(torch.zeros(3))\n        self.q = 1", "x = x * 2"),
     (8, 8, 3), ["self.p", "never called in forward", "would still count"]),
    (with_parameter("self.p = nn.Parameter(torch.tensor([1.0, 2.0]))", "x = x * self.p"),
     (8, 8, 3), ["constant shape", "torch.zeros(1, 8, 1, 1)"]),
])
def test_refusals_name_the_line_and_the_fix(modules: tuple[str, ...] | str,
                                            shape: tuple[int, ...], words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        import_source(modules if isinstance(modules, str) else net(*modules), input_shape=shape)
    assert "line " in str(err.value)
    for w in words:
        assert w in str(err.value)
