"""The misconception catalogue: ids, worked examples from the reference, question tests."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from generator.errors import ConfigError
from generator.misconceptions import MISCONCEPTIONS, Step, apply, catalogue_values, engine
from generator.network import solve
from generator.spec import load_spec
from grader import grade
from grader.diagnose import Diagnoser

REQUIRED = [
    "conv_no_bias", "dense_no_bias", "conv_no_cin", "color_as_gray", "cmyk_as_rgb",
    "shared_weights_double_counted", "pool_weights_omitted", "pool_weights_per_position",
    "valid_same_confusion", "missing_plus_one", "stride_ignored", "skip_downsampling_layer",
    "output_layer_omitted", "dense_on_ndim_assumed_flat", "flatten_forgets_channels",
    "bn_moving_stats_trainable", "groups_ignored", "depthwise_as_standard",
    "kernel_dims_incomplete",
]


def net(shape: list[int], layers: list[dict[str, Any]], **inp: Any) -> dict[str, Any]:
    return {"input": {"shape": shape, **inp}, "layers": layers}


def conv(filters: int, k: int, **kw: Any) -> dict[str, Any]:
    return {"type": "conv2d", "filters": filters, "kernel": k, **kw}


HEAD = [{"type": "flatten"}, {"type": "dense", "units": 1}]
QUIZ = net([300, 300], [conv(100, 5)], color="rgb")
ALEX1 = net([227, 227], [conv(96, 11, strides=4)], color="rgb")
ALEX2 = net([27, 27, 96], [conv(256, 5, padding=2, groups=2)])
LENET_S2 = net([28, 28, 6], [{"type": "average_pooling2d", "pool_size": 2,
                              "trainable": "coefficient_and_bias"}])
BN = net([100], [{"type": "dense", "units": 512}, {"type": "batch_normalization"}])

RES = net([8, 8, 16], [conv(16, 3, name="c1", padding="same"),
                       conv(16, 3, name="c2", padding="same"),
                       {"type": "add", "name": "add", "inputs": ["c2", "input"]}, *HEAD])
CAT = {"input": {"shape": [8, 8, 16]}, "conventions": {"padding": "same"},
       "layers": [conv(5, 1, name="b1"), conv(7, 3, name="b3", inputs=["input"]),
                  {"type": "concatenate", "name": "cat", "inputs": ["b1", "b3"]},
                  conv(2, 1, name="head")]}
PROJ = net([8, 8, 8], [conv(16, 3, name="c1", padding="same"),
                       conv(16, 1, name="proj", inputs=["input"]),
                       {"type": "add", "name": "add", "inputs": ["c1", "proj"]}, *HEAD])

# (spec, misconception, site or None, correct total, buggy total); reference §1 examples
CASES = [
    ("quiz-no-bias", QUIZ, "conv_no_bias", None, 7_600, 7_500),
    ("quiz-no-cin", QUIZ, "conv_no_cin", None, 7_600, 2_600),
    ("quiz-gray", QUIZ, "color_as_gray", None, 7_600, 2_600),
    ("quiz-single-bias", QUIZ, "conv_single_bias", None, 7_600, 7_501),
    ("no-cin-32-64", net([16, 16, 32], [conv(64, 5)]), "conv_no_cin", None, 51_264, 1_664),
    ("no-cin-1x1", net([64, 64, 16], [conv(1, 1)]), "conv_no_cin", None, 17, 2),
    # the reference prints the kernel only (589,824); the bias is kept here
    ("cin-wrong-vgg", net([56, 56, 128], [conv(256, 3, padding="same")]),
     "conv_cin_wrong_tensor", None, 295_168, 590_080),
    ("spatial-alexnet", ALEX1, "conv_spatial_in_params", None, 34_944, 105_705_600),
    ("activations-alexnet", ALEX1, "activations_as_params", None, 34_944, 290_400),
    ("kernel-3d", net([8, 8, 8, 3], [{"type": "conv3d", "filters": 64, "kernel": 3}]),
     "kernel_dims_incomplete", None, 5_248, 1_792),
    ("groups-alexnet", ALEX2, "groups_ignored", None, 307_456, 614_656),
    ("groups-both", ALEX2, "groups_divides_both", None, 307_456, 153_856),
    ("bias-disabled", net([8, 8, 64], [conv(64, 3, bias=False)]), "bias_when_disabled", None,
     36_864, 36_928),
    ("depthwise", net([8, 8, 32], [{"type": "depthwise_conv2d", "kernel": 3}]),
     "depthwise_as_standard", None, 320, 9_248),
    ("separable", net([8, 8, 32], [{"type": "separable_conv2d", "filters": 64, "kernel": 3}]),
     "separable_bias_variants", None, 2_400, 2_432),
    ("dense-no-bias", net([128, 128], [*HEAD[:1], {"type": "dense", "units": 256}], color="gray"),
     "dense_no_bias", None, 4_194_560, 4_194_304),
    ("dense-single-bias", net([300, 300], [*HEAD[:1], {"type": "dense", "units": 100}],
                              color="rgb"), "dense_single_bias", None, 27_000_100, 27_000_001),
    ("dense-bias-per-input", net([128], [{"type": "dense", "units": 256}]),
     "dense_bias_per_input", None, 33_024, 32_896),
    ("flatten-channels", net([300, 300], [*HEAD[:1], {"type": "dense", "units": 100}],
                             color="rgb"), "flatten_forgets_channels", None, 27_000_100, 9_000_100),
    ("dense-ndim", net([20, 5], [{"type": "dense", "units": 10}]), "dense_on_ndim_assumed_flat",
     None, 60, 1_010),
    ("gray-as-color", net([128, 128], [*HEAD[:1], {"type": "dense", "units": 256}], color="gray"),
     "gray_as_color", None, 4_194_560, 12_583_168),
    ("pool-params", net([94, 94, 60], [{"type": "max_pooling2d", "pool_size": 2}]),
     "pooling_has_params", None, 0, 300),
    ("dropout-counted", net([1568], [{"type": "dropout"}, {"type": "dense", "units": 100}]),
     "nonparam_layer_counted", None, 156_900, 158_468),
    ("lenet-s2-omitted", LENET_S2, "pool_weights_omitted", None, 12, 0),
    ("lenet-s2-per-position", LENET_S2, "pool_weights_per_position", None, 12, 2_352),
    ("lenet-s2-conv-like", LENET_S2, "pool_weights_conv_like", None, 12, 30),
    ("bn-moving-stats", BN, "bn_moving_stats_trainable", None, 52_736, 53_760),
    ("bn-omitted", BN, "bn_params_omitted", None, 52_736, 51_712),
    ("bn-per-activation", net([8, 8, 32], [{"type": "batch_normalization"}]), "bn_per_activation",
     None, 64, 4_096),
    ("frozen", net([10], [{"type": "dense", "units": 20, "frozen": True},
                          {"type": "dense", "units": 5}]), "frozen_counted_trainable", None,
     105, 325),
    ("valid-same", net([32, 32, 1], [conv(1, 5, padding="valid"), *HEAD]),
     "valid_same_confusion", None, 811, 1_051),
    ("missing-plus-one", net([32, 32, 16], [{"type": "max_pooling2d", "pool_size": 2}, *HEAD]),
     "missing_plus_one", None, 4_097, 3_601),
    ("stride-ignored", net([121, 121, 1], [conv(1, 4, strides=3), *HEAD]), "stride_ignored",
     None, 1_618, 13_942),
    ("rounding", net([5, 5, 1], [{"type": "max_pooling2d", "pool_size": 2}, *HEAD]),
     "rounding_error", None, 5, 10),
    ("padding-one-side", net([15, 15, 8], [conv(1, 1, padding=2), *HEAD]), "padding_one_side",
     None, 371, 299),
    ("padding-channels", net([15, 15, 8], [conv(1, 1, padding=2), *HEAD]),
     "padding_applied_to_channels", None, 371, 1_815),
    ("same-even-kernel", net([32, 32, 1], [conv(1, 4, padding="same"), *HEAD]),
     "same_padding_even_kernel", None, 1_042, 1_107),
    ("depth-from-input", net([63, 63, 16], [conv(32, 7, strides=2), *HEAD]),
     "conv_depth_from_input", None, 52_033, 38_577),
    ("pool-depth", net([32, 32, 16], [{"type": "max_pooling2d", "pool_size": 2}, *HEAD]),
     "pool_changes_depth", None, 4_097, 2_049),
    ("pool-default-stride", net([28, 28, 1], [{"type": "max_pooling2d", "pool_size": 2}, *HEAD]),
     "pool_default_stride", None, 197, 730),
    ("dilation", net([32, 32, 1], [conv(1, 3, padding=1, dilation=2), *HEAD]),
     "dilation_ignored", None, 911, 1_035),
    ("transposed", net([16, 16, 1], [{"type": "conv2d_transpose", "filters": 1, "kernel": 4,
                                      "strides": 2, "padding": 1}, *HEAD]),
     "transposed_conv_as_conv", None, 1_042, 82),
    ("skip-pool", net([28, 28, 1], [{"type": "max_pooling2d", "pool_size": 2}, *HEAD]),
     "skip_downsampling_layer", None, 197, 785),
    # issue 14: mistakes seen in real posts and practice sessions
    ("padding-ignored-torch", net([28, 28, 1], [conv(8, 3, padding=1), {"type": "flatten"},
                                                {"type": "dense", "units": 10}]),
     "explicit_padding_ignored", None, 62_810, 54_170),
    ("conv1d-k-squared", net([100, 16], [{"type": "conv1d", "filters": 32, "kernel": 5}]),
     "one_axis_kernel_squared", None, 2_592, 12_832),
    ("kernel-as-filters", net([32, 32], [conv(16, 5), *HEAD], color="rgb"),
     "kernel_size_as_filters", None, 13_761, 4_301),
    ("filters-other-layer", net([8, 8], [conv(16, 3), conv(32, 3)], color="rgb"),
     "filters_from_other_layer", "conv2d_1", 5_088, 2_768),
    ("flatten-omitted", net([4, 4, 8], [{"type": "flatten"}, {"type": "dense", "units": 10}]),
     "flatten_omitted", None, 1_290, 90),
    ("pool-scale-bias", net([8, 8], [conv(6, 3), {"type": "max_pooling2d", "pool_size": 2}],
                            color="rgb"), "pooling_given_scale_bias", None, 168, 180),
    ("bn-all-asked", {**BN, "conventions": {"count": "total"}}, "bn_moving_stats_left_out", None,
     53_760, 52_736),
    ("transpose-restores", net([16, 16, 8], [{"type": "conv2d_transpose", "filters": 4,
                                              "kernel": 3, "strides": 2}, *HEAD]),
     "transposed_conv_restores_size", None, 4_649, 4_389),
    # graphs: identity shortcut (2·(144 + 1)·16 + 1,025), a 1×1 projection, a concatenation
    ("identity-shortcut", RES, "identity_shortcut_given_params", None, 5_665, 5_937),
    ("projection-left-out", PROJ, "projection_shortcut_left_out", None, 2_337, 2_193),
    ("merge-params", PROJ, "merge_given_params", None, 2_337, 2_353),
    # (16 + 1)·5 + (9·16 + 1)·7 + (12 + 1)·2; one branch's 5 channels: (5 + 1)·2
    ("concat-one-branch", CAT, "concat_channels_from_one_branch", None, 1_126, 1_112),
]


def test_required_ids_exist_and_catalogue_is_large() -> None:
    assert set(REQUIRED) <= set(MISCONCEPTIONS)
    assert len(MISCONCEPTIONS) >= 30


@pytest.mark.parametrize("mid", list(MISCONCEPTIONS))
def test_entry_is_data_without_drawn_numbers(mid: str) -> None:
    m = MISCONCEPTIONS[mid]
    assert m.id == mid and re.fullmatch(r"[a-z]+(_[a-z]+)*", mid)
    assert isinstance(m.step, Step) and m.applies_to
    assert not re.search(r"\d", m.title)
    # only a formula's own constants (the + 1, 2P), never a drawn number
    assert set(re.findall(r"\d+", m.hint)) <= {"1", "2"}, m.hint
    assert m.formula and "→" in m.formula or "↔" in m.formula


def test_every_entry_has_a_worked_example() -> None:
    covered = {c[2] for c in CASES} | {"cmyk_as_rgb", "shared_weights_double_counted",
                                       "output_layer_omitted", "conv_spatial_in_params"}
    assert set(MISCONCEPTIONS) <= covered


@pytest.mark.parametrize("name, spec, mid, site, correct, buggy", CASES, ids=[c[0] for c in CASES])
def test_worked_example(name: str, spec: dict[str, Any], mid: str, site: str | None,
                        correct: int, buggy: int) -> None:
    network = load_spec(spec)
    assert solve(network).answer == correct
    assert apply(network, [(mid, site)]).total == buggy
    assert catalogue_values(network)[mid] == buggy


@pytest.mark.parametrize("name, spec, mid, site, correct, buggy", CASES, ids=[c[0] for c in CASES])
def test_question_test_value_is_diagnosed_back(name: str, spec: dict[str, Any], mid: str,
                                               site: str | None, correct: int, buggy: int) -> None:
    """Feeding the misconception's value back to grade names it (top, or among honest rivals)."""
    result = grade(spec, str(buggy))
    assert result.status == "incorrect"
    ids = [d.misconceptions for d in result.diagnoses]
    assert (mid,) in ids
    if result.confident:
        assert ids[0] == (mid,)


@pytest.mark.parametrize("path, mid, buggy", [
    ("examples/cmyk_shared.yaml", "cmyk_as_rgb", 1_826_800),
    ("examples/cmyk_shared.yaml", "shared_weights_double_counted", 1_830_600),
    ("examples/lenet5.yaml", "output_layer_omitted", 60_900),
])
def test_example_networks(path: str, mid: str, buggy: int) -> None:
    from generator.spec import read_spec_file

    spec = read_spec_file(path)
    assert apply(load_spec(spec), [(mid, None)]).total == buggy
    r = grade(spec, str(buggy))
    assert r.diagnoses[0].misconceptions == (mid,) and r.confident


def test_slip_versus_consistent_and_unknown_site() -> None:
    network = load_spec(net([10, 10, 3], [conv(4, 3, name="c1"), conv(4, 3, name="c2")]))
    assert apply(network, [("conv_no_bias", "c1")]).total == apply(network, []).total - 4
    assert apply(network, [("conv_no_bias", None)]).total == apply(network, []).total - 8
    with pytest.raises(ConfigError, match="no layer named 'c3'"):
        apply(network, [("conv_no_bias", "c3")])
    with pytest.raises(KeyError):
        apply(network, [("no_such_id", None)])


def test_parameter_only_entries_never_change_shapes() -> None:
    network = load_spec({"input": {"shape": [12, 12], "color": "rgb"}, "layers": [
        conv(8, 3, padding=1), {"type": "batch_normalization"},
        {"type": "depthwise_conv2d", "kernel": 3}, {"type": "separable_conv2d", "filters": 6,
                                                    "kernel": 3},
        {"type": "average_pooling2d", "pool_size": 2, "trainable": "coefficient_and_bias"},
        {"type": "flatten"}, {"type": "dropout"}, {"type": "dense", "units": 7},
        {"type": "dense", "units": 3}]})
    eng = engine(network)
    for mid, m in MISCONCEPTIONS.items():
        if m.changes_shape:
            continue
        for i in eng.fits(mid):
            r = eng.forward({i: (mid,)})
            assert r is not None and r.shapes == eng.base.shapes, mid


def random_spec(rng: random.Random) -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        layers.append(conv(rng.choice([4, 6, 8, 12, 20]), rng.choice([1, 3, 5]),
                           strides=rng.choice([1, 1, 2]), padding=rng.choice(["valid", "same"]),
                           bias=rng.random() < 0.9))
        if rng.random() < 0.5:
            layers.append({"type": "max_pooling2d", "pool_size": 2})
        if rng.random() < 0.2:
            layers.append({"type": "batch_normalization"})
    layers.append({"type": "flatten"})
    for _ in range(rng.randint(1, 2)):
        layers.append({"type": "dense", "units": rng.choice([5, 10, 16, 30, 64])})
    return {"input": {"shape": [rng.choice([20, 24, 28, 31, 32])] * 2,
                      "color": rng.choice(["gray", "rgb", "cmyk"])},
            "conventions": {"count": "trainable"}, "layers": layers}


def test_random_networks_each_value_is_diagnosed_back() -> None:
    """Stress: on diagnosable random networks every catalogue value is explained by its id."""
    rng = random.Random(20261123)
    checked = 0
    while checked < 25:
        try:
            network = load_spec(random_spec(rng))
            d = Diagnoser(network)
        except (ConfigError, ValueError):
            continue
        values = catalogue_values(d.engine)
        if len(set(values.values()) | {d.base.total}) != len(values) + 1:
            continue  # not diagnosable: the generator would redraw
        for mid, value in values.items():
            found = d.total(value)
            assert any(e.ids == (mid,) for e in found), (mid, network)
            if Diagnoser.confident(found):
                assert found[0].ids == (mid,), (mid, found[0].ids)
        checked += 1
