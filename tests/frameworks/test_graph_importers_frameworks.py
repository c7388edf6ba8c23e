"""The Keras graph sources of tests/test_graph_importers.py, built in Keras 3: our count from
reading the code equals ``model.count_params()`` and the output shapes agree."""

from __future__ import annotations

import pytest
import torch

from generator.importers import import_source
from generator.network import solve
from generator.spec import load_spec
from tests.test_graph_importers import KERAS_GRAPHS, TORCH_GRAPHS

pytestmark = pytest.mark.frameworks


@pytest.mark.parametrize(("source", "count"), [c[1:] for c in KERAS_GRAPHS],
                         ids=[c[0] for c in KERAS_GRAPHS])
def test_keras_builds_what_we_read(source: str, count: int) -> None:
    namespace: dict[str, object] = {}
    exec(compile(source, "<test source>", "exec"), namespace)  # noqa: S102 - our own test source
    model = namespace["model"]
    sol = solve(load_spec(import_source(source)))
    assert sol.total == model.count_params() == count  # type: ignore[attr-defined]
    outputs = sol.network.output_names
    ours = [sol.row(name).out_shape for name in outputs]
    theirs = [tuple(int(d) for d in t.shape[1:]) for t in model.outputs]  # type: ignore[attr-defined]
    assert ours == theirs


@pytest.mark.parametrize(("source", "shape", "count"), [c[1:] for c in TORCH_GRAPHS],
                         ids=[c[0] for c in TORCH_GRAPHS])
def test_pytorch_builds_what_we_read(source: str, shape: tuple[int, ...], count: int) -> None:
    namespace: dict[str, object] = {"__name__": "graph_case"}
    exec(compile(source, "<test source>", "exec"), namespace)  # noqa: S102 - our own test source
    cls = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, torch.nn.Module)
           and v.__module__ == "graph_case"][-1]
    net = cls().eval()
    with torch.no_grad():
        y = net(torch.zeros(1, shape[-1], *shape[:-1]))
    theirs = tuple(y.movedim(1, -1).shape[1:]) if y.dim() > 2 else tuple(y.shape[1:])
    sol = solve(load_spec(import_source(source, input_shape=shape)))
    assert sum(p.numel() for p in net.parameters()) == sol.trainable == count
    assert theirs == sol.rows[-1].out_shape
