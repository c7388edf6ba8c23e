"""Difficulty by concept: calculator-free caps, floors, overlapping and stride-1 pooling."""

from __future__ import annotations

from typing import Any

import pytest

from generator.concepts import Concepts
from generator.errors import ConfigError
from generator.lint import lint
from generator.network import solve
from generator.present import render_problem
from generator.problem import Problem, floors, generate
from generator.spec import load_spec

TOPICS = ("basic", "color", "sharing", "trainable-pooling", "no-bias", "batchnorm",
          "color+sharing+trainable-pooling")
SEEDS = range(4)


def _pools(p: Problem) -> list[dict[str, Any]]:
    return [layer for layer in p.spec["layers"]
            if "pooling" in layer["type"] and not layer["type"].startswith("global")]


@pytest.mark.parametrize("topic", TOPICS)
def test_calculator_free_cap(topic: str) -> None:
    for seed in SEEDS:
        p = generate(topic=topic, difficulty="medium", seed=seed,
                     concepts=Concepts(max_product=20_000))
        sol = solve(load_spec(p.spec))
        assert all(r.params <= 20_000 and all(w.size <= 20_000 for w in r.weights)
                   for r in sol.rows)


@pytest.mark.parametrize("topic", TOPICS)
def test_floors_are_tested_and_stated(topic: str) -> None:
    for seed in SEEDS:
        p = generate(topic=topic, difficulty="easy", seed=seed, concepts=Concepts(floors=True))
        assert floors(p.solution()), p.spec
        assert lint(p.spec) == []
        assert "rounded down (floor)" in render_problem(p, "txt")


@pytest.mark.parametrize("topic", ("basic", "color", "trainable-pooling", "no-bias"))
def test_overlapping_pooling(topic: str) -> None:
    for seed in SEEDS:
        p = generate(topic=topic, difficulty="medium", seed=seed,
                     concepts=Concepts(overlap_pooling=True))
        assert _pools(p) and all((q["pool_size"], q["strides"]) == (3, 2) for q in _pools(p))
        text = render_problem(p, "txt")
        assert "overlaps the next one" in text and "do not overlap" not in text


@pytest.mark.parametrize("topic", ("basic", "sharing", "trainable-pooling"))
def test_stride_one_pooling(topic: str) -> None:
    for seed in SEEDS:
        p = generate(topic=topic, difficulty="easy", seed=seed,
                     concepts=Concepts(pool_stride_one=True))
        assert _pools(p) and all(q["strides"] == 1 for q in _pools(p))


def test_without_concepts_nothing_is_rounded() -> None:
    for seed in range(20):
        assert floors(generate(topic="basic", difficulty="hard", seed=seed).solution()) == []


def test_exclusive_concepts_are_refused() -> None:
    with pytest.raises(ConfigError, match="exclude each other"):
        Concepts(overlap_pooling=True, pool_stride_one=True)
    with pytest.raises(ConfigError, match="at least 10"):
        Concepts(max_product=3)
