"""The known-architecture sources of tests/test_known_graphs.py, built in PyTorch: its own
count (sum(p.numel() for p in model.parameters())) and output shape equal ours."""

from __future__ import annotations

import pytest
import torch

from tests.test_known_graphs import CASES, KNOWN, solved

pytestmark = pytest.mark.frameworks


@pytest.mark.parametrize(("file", "model", "shape", "count", "out"), CASES,
                         ids=[c[1] or c[0].removesuffix("_torch.py") for c in CASES])
def test_pytorch_builds_what_we_read(file: str, model: str | None, shape: tuple[int, ...],
                                     count: int, out: tuple[int, ...]) -> None:
    namespace: dict[str, object] = {"__name__": "known"}
    code = (KNOWN / file).read_text(encoding="utf-8")
    exec(compile(code, str(KNOWN / file), "exec"), namespace)  # noqa: S102 - our own test file
    instances = [v for v in namespace.values() if isinstance(v, torch.nn.Module)]
    classes = [v for v in namespace.values() if isinstance(v, type)
               and issubclass(v, torch.nn.Module) and v.__module__ == "known"]
    if model is not None:
        net = namespace[model]()  # type: ignore[operator]
    else:  # the instance the file makes, else its last class (as the importer picks)
        net = instances[-1] if instances else classes[-1]()
    net.eval()  # type: ignore[union-attr]
    with torch.no_grad():
        y = net(torch.zeros(1, shape[-1], *shape[:-1]))  # type: ignore[operator]
    theirs = tuple(y.movedim(1, -1).shape[1:]) if y.dim() > 2 else tuple(y.shape[1:])
    params = sum(p.numel() for p in net.parameters())  # type: ignore[union-attr]
    sol = solved(file, model, shape)
    assert (params, theirs) == (sol.trainable, sol.rows[-1].out_shape) == (count, out)
