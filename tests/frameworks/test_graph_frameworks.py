"""Random graphs (branches, merges, shared layers, several inputs and outputs), solved by us and
built in PyTorch and Keras 3.

The draws come from this test's own seeded ``random.Random``: a 1-D or 2-D input (sometimes a
second one), then layer applications on *any* earlier tensor (so branches appear), merges of
tensors whose shapes fit (add, subtract, multiply, average, maximum, minimum of equal shapes;
concatenate along the channels or a spatial axis), 1×1 projections that make a shortcut fit,
and a conv applied again to another branch with shared weights. ``CHUNKS × PER_CHUNK`` = 320
graphs are checked by both frameworks, layer by layer; a merge our solver refuses must be refused
by Keras too (checked on a sample). Inputs of different ranks Keras would broadcast (batch axis
aligned with a spatial one); we refuse them with a message instead (tests/test_graph.py).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import keras
import numpy as np
import pytest

from generator.errors import ConfigError
from generator.network import solve
from generator.spec import load_spec

from .build_keras import keras_summary
from .build_torch import mismatches, torch_summary

pytestmark = pytest.mark.frameworks

SEED = 20_261_201
CHUNKS, PER_CHUNK = 16, 20
ELEMENTWISE = ("add", "subtract", "multiply", "average", "maximum", "minimum")

Spec = dict[str, Any]
Shape = tuple[int, ...]


def _unary(rng: random.Random, rank: int, shape: Shape) -> Spec:
    r = rng.random()
    if r < 0.45:
        layer: Spec = {"type": f"conv{rank}d", "filters": rng.randint(1, 8),
                       "kernel": rng.choice([1, 3]), "padding": rng.choice(["same", "valid"])}
        if rng.random() < 0.2:
            layer["strides"] = 2
        return layer
    if r < 0.55 and all(n >= 2 for n in shape[:-1]):
        return {"type": f"max_pooling{rank}d", "pool_size": 2}
    if r < 0.7:
        return {"type": "batch_normalization"}
    if r < 0.8:
        return {"type": "dense", "units": rng.randint(1, 8)}
    return {"type": "activation", "activation": rng.choice(["relu", "tanh"])}


def draw_graph(rng: random.Random, used: Counter[str]) -> Spec:
    rank = rng.choice([1, 2])
    size = [rng.randint(4, 10) for _ in range(rank)]
    c = rng.randint(1, 4)
    inputs = [{"name": "input", "shape": [*size, c]}]
    if rng.random() < 0.2:
        inputs.append({"name": "side", "shape": [*size, rng.randint(1, 4)]})
    tensors: dict[str, Shape] = {i["name"]: tuple(i["shape"]) for i in inputs}
    convs: dict[str, Shape] = {}  # conv name -> its input shape
    layers: list[Spec] = []
    for i in range(rng.randint(3, 9)):
        name = f"n{i}"
        r = rng.random()
        groups: dict[Shape, list[str]] = {}
        for t, s in tensors.items():
            groups.setdefault(s, []).append(t)
        same = [g for g in groups.values() if len(g) >= 2]
        cat: dict[Shape, list[str]] = {}
        for t, s in tensors.items():
            cat.setdefault(s[:-1], []).append(t)
        catable = [g for g in cat.values() if len(g) >= 2]
        if r < 0.25 and same:
            group = rng.choice(same)
            op = rng.choice(ELEMENTWISE)
            k = 2 if op == "subtract" else rng.randint(2, min(3, len(group)))
            layer: Spec = {"type": op, "inputs": rng.sample(group, k)}
        elif r < 0.4 and catable:
            group = rng.choice(catable)
            layer = {"type": "concatenate", "inputs": rng.sample(group, rng.randint(2, min(3, len(group))))}
        elif r < 0.5 and convs:
            owner = rng.choice(sorted(convs))
            fits = [t for t, s in tensors.items() if s == convs[owner] and t != owner]
            if not fits:
                continue
            layer = {"share": owner, "inputs": [rng.choice(fits)]}
        elif r < 0.6 and len(tensors) >= 2:
            # a projection shortcut: 1×1 conv to another tensor's channels, then add
            a, b = rng.sample(sorted(tensors), 2)
            if tensors[a][:-1] != tensors[b][:-1] or len(tensors[a]) != rank + 1:
                continue
            proj = {"type": f"conv{rank}d", "name": f"{name}p", "filters": tensors[b][-1],
                    "kernel": 1, "inputs": [a]}
            layers.append(proj)
            tensors[f"{name}p"] = tensors[b]
            convs[f"{name}p"] = tensors[a]
            layer = {"type": "add", "inputs": [f"{name}p", b]}
        else:
            src = rng.choice(sorted(tensors)) if rng.random() < 0.5 else (
                layers[-1]["name"] if layers else "input")
            layer = {**_unary(rng, rank, tensors[src]), "inputs": [src]}
        layer["name"] = name
        spec = {"inputs": inputs, "layers": [*layers, layer]}
        try:
            sol = solve(load_spec(spec))
        except ConfigError:
            continue
        layers.append(layer)
        out = sol.rows[-1].out_shape
        if max(out) > 64:
            layers.pop()
            continue
        tensors[name] = out
        kind = layer.get("type", "share")
        used[kind] += 1
        if kind.startswith("conv") and "share" not in layer:
            convs[name] = sol.rows[-1].in_shape
    spec = {"inputs": inputs, "layers": layers}
    names = [la["name"] for la in layers]
    if names and rng.random() < 0.3:
        spec["outputs"] = rng.sample(names, min(2, len(names)))
    return spec


def _is_graph(spec: Spec) -> bool:
    return any(len(la.get("inputs", [])) > 1 or "share" in la for la in spec["layers"]) or len(
        spec["inputs"]) > 1


def check_chunk(chunk: int) -> tuple[Counter[str], list[str]]:
    rng = random.Random(SEED + chunk)
    used: Counter[str] = Counter()
    failures: list[str] = []
    checked = 0
    while checked < PER_CHUNK:
        spec = draw_graph(rng, used)
        if not spec["layers"] or not _is_graph(spec):
            continue
        solution = solve(load_spec(spec))
        for build in (torch_summary, keras_summary):
            failures += [f"{spec}\n  {m}" for m in mismatches(solution, build(load_spec(spec)))]
        checked += 1
    return used, failures


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=[f"chunk{i:02d}" for i in range(CHUNKS)])
def test_random_graphs_match_frameworks(chunk: int) -> None:
    used, failures = check_chunk(chunk)
    assert not failures, "\n".join(failures[:5])
    assert used["concatenate"] + sum(used[op] for op in ELEMENTWISE) >= PER_CHUNK // 2


def test_graph_draws_cover_every_merge_and_sharing() -> None:
    used: Counter[str] = Counter()
    rng = random.Random(SEED)
    for _ in range(200):
        draw_graph(rng, used)
    for kind in (*ELEMENTWISE, "concatenate", "share"):
        assert used[kind] >= 3, (kind, used)


@pytest.mark.parametrize(("shapes", "op"), [
    ([(4, 4, 3), (4, 4, 2)], "add"),
    ([(4, 4, 3), (2, 2, 3)], "concatenate"),
    ([(4, 4, 3), (4, 4, 3), (4, 4, 3)], "subtract"),
])
def test_merges_we_refuse_keras_refuses(shapes: list[Shape], op: str) -> None:
    spec = {"inputs": [{"name": f"i{j}", "shape": list(s)} for j, s in enumerate(shapes)],
            "layers": [{"type": op, "name": "m", "inputs": [f"i{j}" for j in range(len(shapes))]}]}
    with pytest.raises(ConfigError):
        solve(load_spec(spec))
    layer = keras.layers.Concatenate() if op == "concatenate" else getattr(
        keras.layers, op.capitalize())()
    with pytest.raises(ValueError):
        layer([np.zeros((1, *s), dtype="float32") for s in shapes])
