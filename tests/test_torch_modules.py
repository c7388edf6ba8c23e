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
])
def test_refusals_name_the_line_and_the_fix(modules: tuple[str, ...], shape: tuple[int, ...],
                                            words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        import_source(net(*modules), input_shape=shape)
    assert "line " in str(err.value)
    for w in words:
        assert w in str(err.value)
