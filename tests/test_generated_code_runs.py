"""The Keras and PyTorch code a problem shows runs, and its counts equal the answer key.

225 variants (15 topics × 3 difficulties × 5 seeds) in each framework: 450 programs, each
our generated text executed as printed (``exec`` of our own output, never student text).
Keras 3 runs on the torch backend; KERAS_BACKEND is set before keras is imported.
"""

from __future__ import annotations

import math
import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"

from generator.codegen import LAZY_COMMENT  # noqa: E402
from generator.listings import listing  # noqa: E402
from generator.present import render_problem  # noqa: E402
from generator.problem import generate  # noqa: E402
from generator.topics import TOPICS  # noqa: E402

pytestmark = pytest.mark.frameworks

SEEDS = range(5)
CASES = [(t, d) for t in TOPICS for d in ("easy", "medium", "hard")]


def _keras_counts(code: str, name: str) -> tuple[int, int]:
    ns: dict[str, object] = {}
    exec(compile(code, name, "exec"), ns)  # noqa: S102 - our own generated code
    model = ns["model"]
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)  # type: ignore[attr-defined]
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)  # type: ignore[attr-defined]
    assert model.count_params() == trainable + frozen  # type: ignore[attr-defined]
    return trainable, frozen


def _torch_counts(code: str, name: str, shape: tuple[int, ...] = ()) -> tuple[int, int]:
    """Counts of the listing's ``model``; a hard (lazy) listing, which prints no input batch,
    is sized here by one batch of ``shape`` (channels last, as the problem states it)."""
    ns: dict[str, object] = {}
    exec(compile(code, name, "exec"), ns)  # noqa: S102 - our own generated code
    model = ns["model"]
    if LAZY_COMMENT in code:
        import torch

        model(torch.zeros(2, shape[-1], *shape[:-1]))  # type: ignore[operator]
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)  # type: ignore[attr-defined]
    # BatchNorm's running statistics are buffers in PyTorch (Keras: non-trainable weights)
    stats = sum(b.numel() for n, b in model.named_buffers()  # type: ignore[attr-defined]
                if n.endswith(("running_mean", "running_var")))
    return trainable, stats


@pytest.mark.parametrize("topic, difficulty", CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_shown_code_runs_and_matches_the_key(topic: str, difficulty: str) -> None:
    for seed in SEEDS:
        for style in ("keras", "pytorch"):
            p = generate(topic=topic, difficulty=difficulty, seed=seed, style=style,
                         parts=("total", "trainable_split"))
            code, _ = listing(style, p.network(), p.topic, p.difficulty)
            assert code in render_problem(p, "md")  # the code we run is the code shown
            name = f"<{p.id}.{style}>"
            trainable, non_trainable = (_keras_counts(code, name) if style == "keras" else
                                        _torch_counts(code, name, p.network().input.shape))
            split = p.answers["trainable_split"]
            assert (trainable, non_trainable) == (split["trainable"], split["non_trainable"]), (
                f"{p.id} ({style}):\n{code}")
            total = trainable + non_trainable if p.spec["conventions"]["count"] == "total" \
                else trainable
            assert total == p.answers["total"]
