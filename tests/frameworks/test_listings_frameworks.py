"""The two listings that hide what the student must infer, checked against the real thing.

- The hard PyTorch listing (``nn.LazyConv2d(out_channels, k)``, ``nn.LazyLinear(out)``, no
  input batch printed): built in PyTorch 2.13 as printed, sized by one forward pass of the
  stated input, its parameter count equals the key; and our importer reads the listing
  (given the input) back to the same count (listings without the trainable-pooling helper,
  whose ``nn.Parameter`` the importer does not read yet).
- The Keras 1 listing of ``classic-keras`` (``Convolution2D(nb_filter, nb_row, nb_col,
  border_mode=...)``, ``Dense(output_dim)``): no Keras 1 runs here, so it is read by our
  importer (the old Keras APIs, tests/test_old_apis.py) to the key's count with one reading
  only, and the same network rebuilt in Keras 3 from the importer's spec agrees.
"""

from __future__ import annotations

import math

import pytest
import torch

from generator.codegen import LAZY_COMMENT, keras_code
from generator.importers import read_code
from generator.listings import KERAS1_NOTE, LAZY_NOTE, listing
from generator.network import solve
from generator.present import render_problem
from generator.problem import generate
from generator.spec import load_spec
from generator.topics import TOPICS

pytestmark = pytest.mark.frameworks

# PyTorch needs the channels of grouped, depthwise and transposed convolutions; graph topics
# (residual, concat) are shown as a module with forward() and their channels (listings.py)
LAZY_TOPICS = [t for t in TOPICS
               if t not in ("groups", "depthwise-separable", "transpose", "residual", "concat")]
SEEDS = range(4)


def _torch_total(code: str, shape: tuple[int, ...]) -> int:
    ns: dict[str, object] = {}
    exec(compile(code, "<listing>", "exec"), ns)  # noqa: S102 - our own generated code
    model = ns["model"]
    with pytest.raises(ValueError):  # not sized yet: the listing gives no input channels
        sum(p.numel() for p in model.parameters())  # type: ignore[attr-defined]
    model(torch.zeros(2, shape[-1], *shape[:-1]))  # type: ignore[operator]
    return sum(p.numel() for p in model.parameters() if p.requires_grad)  # type: ignore[attr-defined]


@pytest.mark.parametrize("topic", LAZY_TOPICS)
def test_hard_pytorch_listing_gives_no_input_channels_and_counts_right(topic: str) -> None:
    for seed in SEEDS:
        p = generate(topic=topic, difficulty="hard", seed=seed, style="pytorch")
        net = p.network()
        code, notes = listing("pytorch", net, p.topic, p.difficulty)
        assert notes == [LAZY_NOTE] and LAZY_COMMENT in code
        shown = render_problem(p, "md")
        assert code in shown and LAZY_NOTE in shown
        assert "nn.Conv2d(" not in code and "nn.Linear(" not in code
        assert "model(torch.zeros" not in code  # the input batch would show its channels
        if p.spec["conventions"]["count"] != "trainable":
            continue  # batch-norm statistics: compared by test_generated_code_runs
        assert _torch_total(code, net.input.shape) == p.answers["total"], f"{p.id}:\n{code}"
        if "class TrainablePool" in code:
            continue  # the helper's nn.Parameter is not read by the importer yet (issue 12)
        back = read_code(code, input_shape=net.input.shape)
        assert solve(load_spec(back.spec)).answer == p.answers["total"], p.id


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_keras1_listing_round_trips_through_our_importer(difficulty: str) -> None:
    import keras

    for seed in range(8):
        p = generate(topic="classic-keras", difficulty=difficulty, seed=seed, style="keras")
        code, notes = listing("keras", p.network(), p.topic, p.difficulty)
        assert notes == [KERAS1_NOTE]
        shown = render_problem(p, "md")
        assert code in shown and KERAS1_NOTE in shown and "Keras 1 code" in shown
        assert "Convolution2D(" in code and "border_mode=" in code
        assert code.count("input_shape=") == 1  # every later input depth is inferred
        back = read_code(code)
        assert back.readings == (), "the listing states its channel order: one reading"
        assert solve(load_spec(back.spec)).answer == p.answers["total"], f"{p.id}:\n{code}"
        ns: dict[str, object] = {}
        exec(compile(keras_code(load_spec(back.spec)), "<keras3>", "exec"), ns)  # noqa: S102
        model = ns["model"]
        assert isinstance(model, keras.Model)
        assert sum(math.prod(w.shape) for w in model.trainable_weights) == p.answers["total"]
