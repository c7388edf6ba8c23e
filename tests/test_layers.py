"""Layer contract: shapes and counts against the oracle; derivations consistent with values."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from generator.errors import ConfigError
from generator.layers import (
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Flatten,
    GlobalPool,
    Layer,
    Pool,
    PoolWeights,
    SeparableConv,
)
from tests.oracle import conv_params, count_windows, dense_params, same_windows


def evaluate_text(text: str) -> int:
    """Evaluate one of OUR printed substitutions (trusted text, tests only)."""
    py = (text.replace("·", "*").replace("−", "-").replace("⌊", "floor(").replace("⌋", ")")
          .replace("⌈", "ceiling(").replace("⌉", ")").replace("^", "**"))
    return int(sp.sympify(py))


def assert_layer_contract(layer: Layer, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
                          params: int, trainable: int | None = None) -> None:
    assert layer.output_shape(in_shape) == out_shape
    assert layer.params(in_shape) == params
    assert layer.trainable_params(in_shape) == (params if trainable is None else trainable)
    for d in layer.derivations(in_shape):
        assert evaluate_text(d.substitution) == d.value, d.line()


CASES = [
    ("conv-so-1", Conv(filters=60, kernel=(7, 7)), (100, 100, 1), (94, 94, 60), 3000, None),
    ("conv-quiz", Conv(filters=100, kernel=(5, 5)), (300, 300, 3), (296, 296, 100), 7600, None),
    ("conv-same-s2", Conv(filters=8, kernel=(3, 3), strides=(2, 2), padding="same"),
     (15, 15, 4), (8, 8, 8), 296, None),
    ("conv-explicit-pad-dil", Conv(filters=4, kernel=(3, 3), padding=(1, 1), dilation=(2, 2)),
     (32, 32, 2), (30, 30, 4), 76, None),
    ("conv-groups-alexnet", Conv(filters=256, kernel=(5, 5), groups=2, padding="same"),
     (27, 27, 96), (27, 27, 256), 307_456, None),
    ("conv-no-bias", Conv(filters=64, kernel=(3, 3), use_bias=False, padding="same"),
     (8, 8, 64), (8, 8, 64), 36_864, None),
    ("conv1d", Conv(rank=1, filters=16, kernel=(5,), strides=(2,), dilation=(1,)),
     (100, 3), (48, 16), 256, None),
    ("conv3d", Conv(rank=3, filters=64, kernel=(3, 3, 3), strides=(1, 1, 1), dilation=(1, 1, 1)),
     (16, 16, 16, 3), (14, 14, 14, 64), 5248, None),
    ("conv-frozen", Conv(filters=4, kernel=(3, 3), frozen=True), (8, 8, 1), (6, 6, 4), 40, 0),
    ("transpose-valid", ConvTranspose(filters=8, kernel=(4, 4), strides=(2, 2)),
     (16, 16, 3), (34, 34, 8), 392, None),
    ("transpose-explicit", ConvTranspose(filters=8, kernel=(4, 4), strides=(2, 2), padding=(1, 1)),
     (16, 16, 3), (32, 32, 8), 392, None),
    ("transpose-same", ConvTranspose(filters=2, kernel=(3, 3), strides=(2, 2), padding="same"),
     (5, 5, 2), (10, 10, 2), 38, None),
    ("depthwise", DepthwiseConv(kernel=(3, 3)), (16, 16, 32), (14, 14, 32), 320, None),
    ("depthwise-dm2", DepthwiseConv(kernel=(3, 3), depth_multiplier=2), (16, 16, 8),
     (14, 14, 16), 160, None),
    ("separable", SeparableConv(filters=64, kernel=(3, 3)), (16, 16, 32), (14, 14, 64),
     2400, None),
    ("maxpool", Pool(kernel=(2, 2), strides=(2, 2)), (90, 90, 100), (45, 45, 100), 0, None),
    ("maxpool-odd-floor", Pool(kernel=(2, 2), strides=(2, 2)), (29, 29, 3), (14, 14, 3), 0, None),
    ("pool-lenet", Pool(op="average", kernel=(2, 2), strides=(2, 2),
                        trainable=PoolWeights.COEFFICIENT_AND_BIAS), (28, 28, 6), (14, 14, 6),
     12, None),
    ("pool-coefficient", Pool(kernel=(2, 2), strides=(2, 2), trainable=PoolWeights.COEFFICIENT),
     (28, 28, 6), (14, 14, 6), 6, None),
    ("global-avg", GlobalPool(), (7, 7, 512), (512,), 0, None),
    ("global-keepdims", GlobalPool(op="max", keepdims=True), (7, 7, 512), (1, 1, 512), 0, None),
    ("flatten", Flatten(), (45, 45, 100), (202_500,), 0, None),
    ("dense", Dense(units=250), (202_500,), (250,), 50_625_250, None),
    ("dense-ndim-keras", Dense(units=10), (20, 5), (20, 10), 60, None),
    ("bn", BatchNormalization(), (8, 8, 32), (8, 8, 32), 128, 64),
    ("bn-after-dense", BatchNormalization(), (512,), (512,), 2048, 1024),
]


@pytest.mark.parametrize(("layer", "in_shape", "out_shape", "params", "trainable"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layer_table(layer: Layer, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
                     params: int, trainable: int | None) -> None:
    assert_layer_contract(layer, in_shape, out_shape, params, trainable)


@pytest.mark.parametrize("seed", range(40))
def test_random_convs_match_oracle(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        k, s, d, g = rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 2), rng.choice([1, 2])
        c_in, filters = g * rng.randint(1, 4), g * rng.randint(1, 4)
        n = rng.randint(d * (k - 1) + 1, 20)
        padding = rng.choice(["valid", "same", rng.randint(0, 2)])
        pad = (padding, padding) if isinstance(padding, int) else padding
        bias = rng.random() < 0.7
        layer = Conv(filters=filters, kernel=(k, k), strides=(s, s), padding=pad,
                     dilation=(d, d), groups=g, use_bias=bias)
        if padding == "same":
            length = same_windows(n, s)
        else:
            length = count_windows(n, k, s, 0 if padding == "valid" else padding, d)
        assert_layer_contract(layer, (n, n, c_in), (length, length, filters),
                              conv_params((k, k), c_in, filters, g, bias))


@pytest.mark.parametrize("seed", range(10))
def test_random_dense_match_oracle(seed: int) -> None:
    rng = random.Random(seed)
    n, u, bias = rng.randint(1, 500), rng.randint(1, 50), rng.random() < 0.5
    assert_layer_contract(Dense(units=u, use_bias=bias), (n,), (u,), dense_params(n, u, bias))


@pytest.mark.parametrize(
    ("layer", "in_shape", "message"),
    [
        (Conv(name="c", filters=4, kernel=(7, 7)), (5, 5, 1), "output size would be -1"),
        (Conv(name="g", filters=6, kernel=(3, 3), groups=4), (8, 8, 8), "groups=4 must divide"),
        (Conv(name="r", filters=4, kernel=(3, 3)), (8, 8), "needs an input of rank 3"),
        (Pool(name="p", kernel=(2, 2), strides=(2, 2), padding=(2, 2)), (8, 8, 1),
         "at most half the pool size"),
    ],
    ids=["too-small", "groups", "rank", "pool-padding"],
)
def test_errors_name_layer_and_arithmetic(layer: Layer, in_shape: tuple[int, ...],
                                          message: str) -> None:
    with pytest.raises(ConfigError) as err:
        layer.output_shape(in_shape)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{layer.name}:")


def test_too_small_error_shows_the_arithmetic() -> None:
    with pytest.raises(ConfigError, match=r"H_out = H − k_h \+ 1 = 5 − 7 \+ 1 = -1"):
        Conv(name="c", filters=4, kernel=(7, 7)).output_shape((5, 5, 1))


def test_weight_names_and_shapes_follow_keras() -> None:
    w = SeparableConv(filters=64, kernel=(3, 3)).weights((16, 16, 32))
    assert [(x.name, x.shape) for x in w] == [
        ("depthwise_kernel", (3, 3, 32, 1)), ("pointwise_kernel", (1, 1, 32, 64)), ("bias", (64,))]
    t = ConvTranspose(filters=8, kernel=(4, 4), strides=(2, 2)).weights((16, 16, 3))
    assert [(x.name, x.shape) for x in t] == [("kernel", (4, 4, 8, 3)), ("bias", (8,))]


def test_neutral_values_drop_out_of_formulas() -> None:
    steps = {d.quantity: d for d in Conv(filters=60, kernel=(7, 7)).derivations((100, 100, 1))}
    assert steps["H_out"].formula == "H − k_h + 1"
    assert steps["params"].formula == "(k_h·k_w·C_in + 1)·C_out"
    assert steps["params"].substitution == "(7·7·1 + 1)·60"
    grouped = {d.quantity: d for d in
               Conv(filters=8, kernel=(3, 3), groups=2, strides=(2, 2)).derivations((9, 9, 4))}
    assert grouped["params"].formula == "(k_h·k_w·(C_in/g) + 1)·C_out"
    assert grouped["H_out"].formula == "⌊(H − k_h)/s_h⌋ + 1"
