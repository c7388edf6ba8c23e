"""The PyTorch sources of tests/test_torch_modules.py built in PyTorch 2.13: our count from
reading the code equals ``sum(p.numel() for p in model.parameters())`` and the output shapes
agree."""

from __future__ import annotations

import pytest
import torch

from generator.importers import import_source
from generator.network import solve
from generator.spec import load_spec
from tests.test_torch_modules import TORCH_MODULES

pytestmark = pytest.mark.frameworks


@pytest.mark.parametrize(("source", "shape", "count"), [c[1:] for c in TORCH_MODULES],
                         ids=[c[0] for c in TORCH_MODULES])
def test_pytorch_builds_what_we_read(source: str, shape: tuple[int, ...], count: int) -> None:
    namespace: dict[str, object] = {"__name__": "module_case"}
    exec(compile(source, "<test source>", "exec"), namespace)  # noqa: S102 - our own test source
    net = namespace["Net"]().eval()  # type: ignore[operator]
    with torch.no_grad():
        y = net(torch.zeros(2, shape[-1], *shape[:-1]))  # also sizes the lazy modules
    theirs = tuple(y.movedim(1, -1).shape[1:]) if y.dim() > 2 else tuple(y.shape[1:])
    sol = solve(load_spec(import_source(source, input_shape=shape)))
    assert sum(p.numel() for p in net.parameters()) == sol.trainable == count
    assert theirs == sol.rows[-1].out_shape
