"""Published and hand-checked parameter counts, straight from the example specs.

These need no framework; tests/frameworks/ builds the same examples in PyTorch and Keras.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from generator.network import solve
from generator.spec import load_spec, read_spec_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> dict[str, Any]:
    return read_spec_file(EXAMPLES / f"{name}.yaml")


def trainable(spec: dict[str, Any]) -> int:
    return solve(load_spec(spec)).trainable


def test_stackoverflow_gray() -> None:
    spec = example("stackoverflow_gray")
    assert trainable(spec) == 50_828_751
    assert solve(load_spec(spec)).non_trainable == 0


def test_stackoverflow_gray_with_trainable_pooling() -> None:
    spec = example("stackoverflow_gray")
    spec["conventions"]["pooling_weights"] = "coefficient_and_bias"
    assert trainable(spec) == 50_828_751 + 2 * 100  # a coefficient and a bias per channel


def cmyk_without(*, trainable_pooling: bool = True, pooling: bool = True,
                 padding: str = "valid") -> dict[str, Any]:
    spec = copy.deepcopy(example("cmyk_shared"))
    layers = spec["layers"]
    pool = next(layer for layer in layers if layer["type"] == "max_pooling2d")
    if not trainable_pooling:
        del pool["trainable"]
    if not pooling:
        layers.remove(pool)
    for layer in layers:
        if "padding" in layer:
            layer["padding"] = padding
    return spec


def test_cmyk_shared_as_written() -> None:
    assert trainable(cmyk_without()) == 1_826_980  # conv5 shares conv3: counted once


def test_cmyk_shared_without_trainable_pooling() -> None:
    assert trainable(cmyk_without(trainable_pooling=False)) == 1_826_940


def test_cmyk_shared_without_the_pooling_layer() -> None:
    # Issue 2 quotes 7,271,940 (valid) vs 8,651,940 (same) for this spec "with no trainable
    # pooling", but those are the totals of the network without its max-pooling layer at all:
    # with a plain 2×2 max-pool the total is 1,826,940 (test above).
    assert trainable(cmyk_without(pooling=False)) == 7_271_940
    assert trainable(cmyk_without(pooling=False, padding="same")) == 8_651_940


def test_vgg16() -> None:
    solution = solve(load_spec(example("vgg16")))
    assert solution.trainable == solution.total == 138_357_544
    assert solution.rows[-1].out_shape == (1000,)


def test_alexnet() -> None:
    assert trainable(example("alexnet")) == 60_965_224  # Caffe's bvlc_alexnet


def test_lenet5() -> None:
    assert trainable(example("lenet5")) == 61_750
