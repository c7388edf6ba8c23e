"""Random valid architectures, solved by us and built in PyTorch and Keras 3.

The draws come from this test's own seeded ``random.Random`` (not cnnquiz's generator): a random
1-D/2-D/3-D input with 1, 3 or 4 channels (gray, RGB, RGBA, CMYK), then a chain of layers with
random strides, padding, dilation, groups, depth multipliers, output padding, trainable pooling and
weight sharing. A layer our solver refuses (ConfigError) or that would leave the size limits
(spatial ≤ 32, channels ≤ 16) is redrawn. Every network is compared, layer by layer, with each
framework that can express it; each chunk keeps drawing until ``PER_CHUNK`` networks were checked
by *both* frameworks, so ``CHUNKS × PER_CHUNK`` = 500 architectures are checked twice.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from generator.errors import ConfigError
from generator.network import LayerRow, solve
from generator.spec import load_spec

from .build_keras import keras_summary
from .build_torch import Unsupported, mismatches, torch_summary

pytestmark = pytest.mark.frameworks

SEED = 20_240_602
CHUNKS, PER_CHUNK = 20, 25
SPATIAL_MAX, CHANNELS_MAX, FEATURES_MAX = 32, 16, 4096
COLORS = ("gray", "rgb", "rgba", "cmyk")
BUILDERS = {"torch": torch_summary, "keras": keras_summary}

Spec = dict[str, Any]


def _per_axis(rng: random.Random, rank: int, lo: int, hi: int) -> int | list[int]:
    if rank == 1 or rng.random() < 0.7:
        return rng.randint(lo, hi)
    return [rng.randint(lo, hi) for _ in range(rank)]


def _axes(value: int | list[int], rank: int) -> list[int]:
    return value if isinstance(value, list) else [value] * rank


def _padding(rng: random.Random, rank: int, kernel: int | list[int], *, pool: bool = False
             ) -> str | int | list[int]:
    r = rng.random()
    if r < 0.4:
        return "valid"
    if r < 0.7:
        return "same"
    # explicit zeros per side; pooling keeps PyTorch's rule padding ≤ pool_size / 2
    hi = [k // 2 for k in _axes(kernel, rank)] if pool else [2] * rank
    if len(set(hi)) == 1 and rng.random() < 0.5:
        return rng.randint(0, hi[0])
    return [rng.randint(0, h) for h in hi]


def _window(rng: random.Random, rank: int, *, dilate: bool = True) -> dict[str, Any]:
    kernel = _per_axis(rng, rank, 1, 5)
    layer: dict[str, Any] = {"kernel": kernel, "padding": _padding(rng, rank, kernel)}
    if rng.random() < 0.5:
        layer["strides"] = _per_axis(rng, rank, 1, 3)
    if dilate and rng.random() < 0.3:
        layer["dilation"] = _per_axis(rng, rank, 1, 3)
    if rng.random() < 0.25:
        layer["bias"] = False
    if rng.random() < 0.1:
        layer["frozen"] = True
    return layer


def _conv(rng: random.Random, rank: int, c: int) -> Spec:
    groups = rng.choice([g for g in range(1, c + 1) if c % g == 0]) if rng.random() < 0.3 else 1
    filters = groups * rng.randint(1, CHANNELS_MAX // groups)
    layer = {"type": f"conv{rank}d", "filters": filters, **_window(rng, rank)}
    return layer | ({"groups": groups} if groups > 1 else {})


def _transpose(rng: random.Random, rank: int) -> Spec:
    layer = {"type": f"conv{rank}d_transpose", "filters": rng.randint(1, CHANNELS_MAX),
             **_window(rng, rank)}
    if rng.random() < 0.3:  # too large for the strides: our solver refuses, the layer is redrawn
        layer["output_padding"] = _per_axis(rng, rank, 0, 2)
    return layer


def _depthwise(rng: random.Random, rank: int, c: int) -> Spec:
    layer = {"type": f"depthwise_conv{rank}d", **_window(rng, rank)}
    if rng.random() < 0.5:
        layer["depth_multiplier"] = rng.randint(1, CHANNELS_MAX // c)
    return layer


def _separable(rng: random.Random, rank: int, c: int) -> Spec:
    layer = {"type": f"separable_conv{rank}d", "filters": rng.randint(1, CHANNELS_MAX),
             **_window(rng, rank)}
    if rng.random() < 0.5:
        layer["depth_multiplier"] = rng.randint(1, CHANNELS_MAX // c)
    return layer


def _pool(rng: random.Random, rank: int) -> Spec:
    size = _per_axis(rng, rank, 1, 3)
    layer: Spec = {"type": f"{rng.choice(['max', 'average'])}_pooling{rank}d", "pool_size": size,
                   "padding": _padding(rng, rank, size, pool=True)}
    if rng.random() < 0.4:
        layer["strides"] = _per_axis(rng, rank, 1, 3)
    if rng.random() < 0.4:
        layer["trainable"] = rng.choice(["coefficient", "coefficient_and_bias"])
    return layer


def _plain(rng: random.Random, kind: str) -> Spec:
    if kind == "dense":
        return {"type": "dense", "units": rng.randint(1, CHANNELS_MAX),
                "bias": rng.random() < 0.8, "frozen": rng.random() < 0.1}
    if kind == "batch_normalization":
        return {"type": kind, "center": rng.random() < 0.8, "scale": rng.random() < 0.8,
                "frozen": rng.random() < 0.1}
    if kind == "dropout":
        return {"type": kind, "rate": round(rng.random() * 0.9, 2)}
    return rng.choice([{"type": "relu"}, {"type": "softmax"},
                       {"type": "activation", "activation": rng.choice(["tanh", "sigmoid"])}])


def _shared(rng: random.Random, owner: LayerRow) -> Spec:
    """Reuse an owner's weights, sometimes with other strides/padding (PyTorch only then)."""
    layer: Spec = {"share": owner.name}
    windowed = owner.kind.startswith(("conv", "depthwise", "separable")) or "_pooling" in owner.kind
    if windowed and rng.random() < 0.3:
        rank = len(owner.in_shape) - 1
        if rng.random() < 0.5:
            layer["strides"] = _per_axis(rng, rank, 1, 2)
        else:
            layer["padding"] = rng.choice(["valid", "same", 1])
    return layer


def _draw_layer(rng: random.Random, shape: tuple[int, ...], owners: list[LayerRow]) -> Spec:
    rank, c = len(shape) - 1, shape[-1]
    fits = [r for r in owners if len(r.in_shape) == len(shape) and r.in_shape[-1] == c]
    if fits and rng.random() < 0.25:
        return _shared(rng, rng.choice(fits))
    if rank == 0:
        return _plain(rng, rng.choice(["dense", "dense", "batch_normalization", "dropout",
                                       "activation"]))
    kinds = ["conv"] * 5 + ["transpose"] * 2 + ["pool"] * 3 + ["batch_normalization"] * 2 + [
        "dropout", "activation", "global", "flatten", "dense"]
    if rank <= 2:
        kinds += ["depthwise"] * 2 + ["separable"] * 2
    kind = rng.choice(kinds)
    if kind == "conv":
        return _conv(rng, rank, c)
    if kind == "transpose":
        return _transpose(rng, rank)
    if kind == "depthwise":
        return _depthwise(rng, rank, c)
    if kind == "separable":
        return _separable(rng, rank, c)
    if kind == "pool":
        return _pool(rng, rank)
    if kind == "global":
        return {"type": f"global_{rng.choice(['max', 'average'])}_pooling{rank}d",
                "keepdims": rng.random() < 0.3}
    if kind == "flatten":
        return {"type": "flatten"}
    return _plain(rng, kind)


def _fits(shape: tuple[int, ...]) -> bool:
    if len(shape) == 1:
        return shape[0] <= FEATURES_MAX
    return max(shape[:-1]) <= SPATIAL_MAX and shape[-1] <= CHANNELS_MAX


def draw_spec(rng: random.Random, rejected: Counter[str]) -> Spec:
    """One random valid network; ``rejected`` counts the layer draws that were redrawn."""
    rank = rng.choice([1, 2, 2, 3])
    spatial = [rng.randint(3, {1: 32, 2: 20, 3: 8}[rank]) for _ in range(rank)]
    if rng.random() < 0.6:
        inp: Spec = {"shape": spatial, "color": rng.choice(COLORS)}
        channels = {"gray": 1, "rgb": 3, "rgba": 4, "cmyk": 4}[inp["color"]]
    else:
        channels = rng.choice([1, 3, 4])
        inp = {"shape": spatial, "channels": channels}
    layers: list[Spec] = []
    shape, owners = (*spatial, channels), []
    for _ in range(rng.randint(2, 9)):
        for _try in range(10):
            candidate = _draw_layer(rng, shape, owners)
            try:
                rows = solve(load_spec({"input": inp, "layers": [*layers, candidate]})).rows
            except ConfigError:
                rejected["ConfigError"] += 1
                continue
            if not _fits(rows[-1].out_shape):
                rejected["size limits"] += 1
                continue
            layers.append(candidate)
            shape, owners = rows[-1].out_shape, [r for r in rows if r.weights]
            break
    if not layers:
        layers = [{"type": "dropout", "rate": 0.5}]
    return {"input": inp, "layers": layers}


def check_chunk(chunk: int) -> tuple[Counter[str], list[str]]:
    """Draw and compare until PER_CHUNK networks were checked by both frameworks."""
    rng = random.Random(SEED + chunk)
    stats: Counter[str] = Counter()
    failures: list[str] = []
    while stats["both"] < PER_CHUNK:
        stats["drawn"] += 1
        assert stats["drawn"] < 10 * PER_CHUNK, f"chunk {chunk}: too few expressible draws {stats}"
        spec = draw_spec(rng, stats)
        solution = solve(load_spec(spec))
        checked = []
        for name, build in BUILDERS.items():
            try:
                summary = build(load_spec(spec))
            except Unsupported:
                continue
            checked.append(name)
            failures += [f"{spec}\n  {m}" for m in mismatches(solution, summary)]
        stats["+".join(checked) or "neither (rejected)"] += 1
        if len(checked) == 2:
            stats["both"] += 1
    return stats, failures


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=[f"chunk{i:02d}" for i in range(CHUNKS)])
def test_random_architectures_match_frameworks(chunk: int) -> None:
    stats, failures = check_chunk(chunk)
    assert stats["both"] == PER_CHUNK
    assert failures == [], "\n".join(failures[:5])


def test_draws_are_deterministic_and_cover_the_options() -> None:
    rejected: Counter[str] = Counter()
    specs = [draw_spec(random.Random(SEED + i), rejected) for i in range(150)]
    assert specs[:20] == [draw_spec(random.Random(SEED + i), Counter()) for i in range(20)]
    layers = [layer for s in specs for layer in s["layers"]]
    seen = {layer.get("type") for layer in layers}
    assert {"conv1d", "conv2d", "conv3d", "conv2d_transpose", "depthwise_conv2d",
            "separable_conv1d", "flatten", "dense", "batch_normalization"} <= seen
    assert {s["input"].get("color") for s in specs} >= set(COLORS)
    assert {len(s["input"]["shape"]) for s in specs} == {1, 2, 3}
    assert any("share" in layer for layer in layers)
    assert any("share" in layer and len(layer) > 1 for layer in layers)  # re-strided sharing
    assert any(layer.get("groups", 1) > 1 for layer in layers)
    assert any(layer.get("dilation", 1) != 1 for layer in layers)
    assert any(layer.get("strides", 1) != 1 for layer in layers)
    assert any(isinstance(layer.get("padding"), int | list) for layer in layers)
    assert any(layer.get("trainable") == "coefficient_and_bias" for layer in layers)
    assert any("output_padding" in layer for layer in layers)
