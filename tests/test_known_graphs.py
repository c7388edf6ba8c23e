"""Known parameter counts of published architectures, read from source files written in the
style people publish them (tests/known/*.py; never executed here). The same files are built in
PyTorch by tests/frameworks/test_known_graphs_frameworks.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.importers import import_source
from generator.network import Solution, solve
from generator.spec import load_spec

KNOWN = Path(__file__).parent / "known"

#: (file, model to choose or None, input H×W×C, PyTorch's sum(p.numel()), output shape)
CASES = [
    ("resnet_torch.py", "resnet18", (224, 224, 3), 11_689_512, (1000,)),
    ("resnet_torch.py", "resnet50", (224, 224, 3), 25_557_032, (1000,)),
    ("mobilenet_v2_torch.py", None, (224, 224, 3), 3_504_872, (1000,)),
    ("densenet_torch.py", "densenet121", (224, 224, 3), 7_978_856, (1000,)),
    # inception (3a): 64 + 128 + 32 + 32 = 256 channels
    ("inception_torch.py", None, (28, 28, 192), 164_432, (28, 28, 256)),
]


def solved(file: str, model: str | None, shape: tuple[int, ...]) -> Solution:
    source = (KNOWN / file).read_text(encoding="utf-8")
    return solve(load_spec(import_source(source, input_shape=shape, model=model)))


@pytest.mark.parametrize(("file", "model", "shape", "count", "out"), CASES,
                         ids=[c[1] or c[0].removesuffix("_torch.py") for c in CASES])
def test_published_counts(file: str, model: str | None, shape: tuple[int, ...], count: int,
                          out: tuple[int, ...]) -> None:
    sol = solved(file, model, shape)
    assert sol.trainable == count
    assert sol.rows[-1].out_shape == out


def test_resnet_is_a_graph_with_projection_shortcuts() -> None:
    sol = solved("resnet_torch.py", "resnet18", (224, 224, 3))
    adds = [r for r in sol.rows if r.kind == "add"]
    assert len(adds) == 8 and all(r.params == 0 for r in adds)
    # layer2.0 changes the stride and the channels: a 1×1 projection (conv + BN) on the shortcut
    projection = sol.row("layer2.0.downsample.0")
    assert projection.params == 64 * 128 and projection.out_shape == (28, 28, 128)
    assert "layer2.0.downsample.1" in adds[2].inputs


def test_inception_concatenation_explains_its_channels() -> None:
    sol = solved("inception_torch.py", None, (28, 28, 192))
    cat = next(r for r in sol.rows if r.kind == "concatenate")
    assert cat.derivations[0].line() == "C_out = C_1 + C_2 + C_3 + C_4 = 64 + 128 + 32 + 32 = 256"
