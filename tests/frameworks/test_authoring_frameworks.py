"""Every key of every ``generate --from`` variant agrees with a PyTorch and a Keras build."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.authoring import author, check_source
from generator.concepts import Concepts
from generator.problem import generate
from generator.spec import load_spec, read_spec_file

from .build_keras import keras_summary
from .build_torch import mismatches, torch_summary

pytestmark = pytest.mark.frameworks

MIDTERM = Path(__file__).resolve().parents[2] / "examples" / "midterm_network.yaml"


@pytest.mark.parametrize("seed", range(12))
def test_from_variants_match_both_frameworks(seed: int) -> None:
    p = author(check_source(read_spec_file(MIDTERM)), seed=seed, parts=("total", "per_layer"))
    sol = p.solution()
    for build in (torch_summary, keras_summary):
        assert mismatches(sol, build(load_spec(p.spec))) == []
    assert p.answers["total"] == sol.answer
    assert p.answers["per_layer"] == {r.name: r.trainable for r in sol.rows}


CONCEPTS = [Concepts(floors=True), Concepts(overlap_pooling=True), Concepts(pool_stride_one=True),
            Concepts(overlap_pooling=True, floors=True)]


@pytest.mark.parametrize("concepts", CONCEPTS, ids=["floors", "overlap", "stride1", "both"])
@pytest.mark.parametrize("topic", ["basic", "color", "sharing", "trainable-pooling", "no-bias"])
def test_concept_variants_match_both_frameworks(concepts: Concepts, topic: str) -> None:
    for seed in range(3):
        p = generate(topic=topic, difficulty="medium", seed=seed, concepts=concepts)
        sol = p.solution()
        for build in (torch_summary, keras_summary):
            assert mismatches(sol, build(load_spec(p.spec))) == []
        assert p.answers["total"] == sol.answer
