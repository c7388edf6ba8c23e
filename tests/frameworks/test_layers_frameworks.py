"""Every layer kind and option, solved by us and built in PyTorch and Keras 3.

Each case names the frameworks that check it: ``BOTH``, ``TORCH`` or ``KERAS``. Where a case
leaves a framework out, the test asserts that the builder refuses it (``Unsupported``), so the
table cannot claim less coverage than the frameworks allow; the comment on the case says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.layers import KINDS
from generator.network import solve
from generator.spec import load_spec, read_spec_file

from .build_keras import keras_summary
from .build_torch import Unsupported, mismatches, torch_summary

pytestmark = pytest.mark.frameworks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUILDERS = {"torch": torch_summary, "keras": keras_summary}
BOTH, TORCH, KERAS = ("torch", "keras"), ("torch",), ("keras",)


def net(shape: list[int], *layers: dict[str, Any], color: str | None = None,
        channels: int | None = None) -> dict[str, Any]:
    """A spec: spatial ``shape`` plus ``color`` or ``channels`` (default 3), then the layers.

    An empty ``shape`` is a feature vector of ``channels`` values.
    """
    inp: dict[str, Any] = {"shape": shape}
    if not shape:
        inp["shape"] = [channels]
    elif color is not None:
        inp["color"] = color
    else:
        inp["channels"] = 3 if channels is None else channels
    return {"input": inp, "layers": list(layers)}


def conv(r: int = 2, **kw: Any) -> dict[str, Any]:
    return {"type": f"conv{r}d", "filters": 4, "kernel": 3, **kw}


def tconv(r: int = 2, **kw: Any) -> dict[str, Any]:
    return {"type": f"conv{r}d_transpose", "filters": 4, "kernel": 3, **kw}


def dw(r: int = 2, **kw: Any) -> dict[str, Any]:
    return {"type": f"depthwise_conv{r}d", "kernel": 3, **kw}


def sep(r: int = 2, **kw: Any) -> dict[str, Any]:
    return {"type": f"separable_conv{r}d", "filters": 5, "kernel": 3, **kw}


def pool(op: str = "max", r: int = 2, **kw: Any) -> dict[str, Any]:
    return {"type": f"{op}_pooling{r}d", "pool_size": 2, **kw}


DENSE = {"type": "dense", "units": 7}
BN = {"type": "batch_normalization"}

# (id, spec, frameworks that check it)
CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    # -- conv1d/2d/3d ------------------------------------------------------------------------
    ("conv2d-kernel-int", net([12, 12], conv()), BOTH),
    ("conv2d-kernel-tuple-strides-tuple", net([13, 11], conv(kernel=[3, 5], strides=[2, 1])), BOTH),
    ("conv2d-valid-stride3-remainder", net([14, 14], conv(kernel=4, strides=3)), BOTH),
    ("conv2d-same-stride1-even-kernel", net([9, 9], conv(kernel=4, padding="same")), BOTH),
    ("conv2d-same-stride2-odd-input", net([15, 15], conv(kernel=3, strides=2, padding="same")), BOTH),
    ("conv2d-same-kernel-below-stride", net([10, 11], conv(kernel=2, strides=3, padding="same")),
     BOTH),
    ("conv2d-explicit-int", net([10, 10], conv(kernel=5, padding=2)), BOTH),
    ("conv2d-explicit-tuple-stride2", net([10, 9], conv(kernel=3, padding=[1, 3], strides=2)), BOTH),
    ("conv2d-dilation", net([16, 16], conv(dilation=2)), BOTH),
    ("conv2d-dilation-tuple-same", net([12, 12], conv(dilation=[2, 3], padding="same")), BOTH),
    ("conv2d-dilation-explicit", net([12, 12], conv(dilation=2, padding=1)), BOTH),
    # Keras refuses strides > 1 with dilation_rate > 1 in Conv; PyTorch computes it
    ("conv2d-dilation-and-stride", net([17, 17], conv(dilation=2, strides=2)), TORCH),
    ("conv2d-groups-cmyk", net([8, 8], conv(filters=6, groups=2), color="cmyk"), BOTH),
    ("conv2d-groups-equal-channels", net([8, 8], conv(filters=8, groups=4), color="rgba"), BOTH),
    ("conv2d-no-bias", net([8, 8], conv(bias=False)), BOTH),
    ("conv2d-use_bias-alias", net([8, 8], {"type": "conv2d", "filters": 3, "kernel_size": 1,
                                           "use_bias": False}), BOTH),
    ("conv2d-frozen", net([8, 8], conv(frozen=True)), BOTH),
    ("conv2d-gray", net([28, 28], conv(filters=6, kernel=5), color="gray"), BOTH),
    ("conv2d-rgba", net([9, 9], conv(), color="rgba"), BOTH),
    ("conv2d-cmyk", net([9, 9], conv(), color="cmyk"), BOTH),
    ("conv2d-bgr", net([9, 9], conv(), color="bgr"), BOTH),
    ("conv1d", net([20], conv(1)), BOTH),
    ("conv1d-same-stride2", net([19], conv(1, kernel=4, strides=2, padding="same")), BOTH),
    ("conv1d-explicit-groups-dilation", net([20], conv(1, padding=2, groups=3, filters=6,
                                                       dilation=2)), BOTH),
    ("conv1d-no-bias", net([20], conv(1, bias=False)), BOTH),
    ("conv3d", net([7, 8, 9], conv(3)), BOTH),
    ("conv3d-kernel-tuple-same-stride2", net([7, 8, 9], conv(3, kernel=[1, 3, 2], strides=2,
                                                             padding="same")), BOTH),
    ("conv3d-explicit-tuple", net([6, 6, 6], conv(3, padding=[0, 1, 2])), BOTH),
    ("conv3d-groups-no-bias", net([6, 6, 6], conv(3, filters=6, groups=3, bias=False)), BOTH),
    ("conv3d-dilation", net([9, 9, 9], conv(3, dilation=[1, 2, 3])), BOTH),
    # -- transposed ------------------------------------------------------------------------
    # PyTorch checks 'valid' with padding=0 wherever its rule and Keras's coincide
    ("conv2d-transpose-valid", net([5, 5], tconv(strides=2)), BOTH),
    ("conv2d-transpose-valid-stride1", net([5, 6], tconv()), BOTH),
    ("conv2d-transpose-valid-dilation", net([5, 5], tconv(dilation=2)), BOTH),
    ("conv2d-transpose-valid-output-padding", net([5, 5], tconv(strides=3,
                                                               output_padding=[1, 2])), BOTH),
    ("conv2d-transpose-no-bias-frozen", net([5, 5], tconv(bias=False, frozen=True)), BOTH),
    # kernel below the stride: Keras's 'valid' gives n·s, a rule PyTorch does not have
    ("conv2d-transpose-valid-kernel-below-stride", net([5, 5], tconv(kernel=2, strides=3)), KERAS),
    # 'same' is Keras's semantics only
    ("conv2d-transpose-same", net([5, 7], tconv(strides=2, padding="same")), KERAS),
    ("conv2d-transpose-same-output-padding", net([5, 5], tconv(kernel=4, strides=3,
                                                               padding="same",
                                                               output_padding=1)), KERAS),
    # explicit padding is PyTorch's semantics only
    ("conv2d-transpose-explicit", net([8, 8], tconv(kernel=4, strides=2, padding=1)), TORCH),
    ("conv2d-transpose-explicit-output-padding-dilation",
     net([6, 6], tconv(padding=[1, 2], dilation=2, output_padding=1)), TORCH),
    ("conv1d-transpose", net([6], tconv(1, strides=2)), BOTH),
    ("conv1d-transpose-same", net([6], tconv(1, kernel=5, strides=2, padding="same")), KERAS),
    ("conv3d-transpose", net([3, 4, 5], tconv(3, strides=[1, 2, 3])), BOTH),
    ("conv3d-transpose-explicit", net([3, 4, 5], tconv(3, strides=2, padding=1)), TORCH),
    # -- depthwise / separable ---------------------------------------------------------------
    ("depthwise-conv2d", net([9, 9], dw()), BOTH),
    ("depthwise-conv2d-multiplier", net([9, 9], dw(depth_multiplier=3), color="cmyk"), BOTH),
    ("depthwise-conv2d-same-stride2", net([9, 10], dw(kernel=[3, 2], strides=2, padding="same")),
     BOTH),
    ("depthwise-conv2d-explicit", net([9, 9], dw(padding=[1, 2])), BOTH),
    ("depthwise-conv2d-dilation-stride", net([16, 16], dw(dilation=2, strides=2)), BOTH),
    ("depthwise-conv2d-no-bias-frozen", net([9, 9], dw(bias=False, frozen=True)), BOTH),
    ("depthwise-conv1d", net([11], dw(1, depth_multiplier=2, strides=2, padding="same"),
                             channels=4), BOTH),
    ("separable-conv2d", net([9, 9], sep()), BOTH),
    ("separable-conv2d-multiplier-same-stride2", net([9, 9], sep(depth_multiplier=2, strides=2,
                                                                 padding="same")), BOTH),
    ("separable-conv2d-explicit-dilation", net([12, 12], sep(padding=1, dilation=2)), BOTH),
    ("separable-conv2d-no-bias-frozen", net([9, 9], sep(bias=False, frozen=True),
                                            color="rgba"), BOTH),
    ("separable-conv1d", net([11], sep(1, depth_multiplier=3, strides=3)), BOTH),
    # -- pooling ------------------------------------------------------------------------------
    ("max-pooling2d-default-strides", net([9, 9], pool()), BOTH),
    ("max-pooling2d-overlapping", net([13, 13], pool(pool_size=3, strides=2)), BOTH),
    ("max-pooling2d-tuple-stride1", net([7, 8], pool(pool_size=[2, 3], strides=1)), BOTH),
    ("max-pooling2d-same", net([9, 10], pool(pool_size=3, strides=2, padding="same")), BOTH),
    ("max-pooling2d-explicit", net([9, 9], pool(pool_size=3, strides=2, padding=1)), BOTH),
    ("average-pooling2d-same-tuple", net([9, 10], pool("average", pool_size=[2, 3],
                                                       padding="same")), BOTH),
    ("average-pooling2d-explicit-tuple", net([9, 9], pool("average", pool_size=[2, 4],
                                                          padding=[1, 2])), BOTH),
    ("max-pooling1d", net([11], pool(r=1, pool_size=3)), BOTH),
    ("average-pooling1d-same", net([11], pool("average", r=1, pool_size=3, strides=2,
                                               padding="same")), BOTH),
    ("max-pooling3d", net([5, 6, 7], pool(r=3)), BOTH),
    ("average-pooling3d-strides", net([5, 6, 7], pool("average", r=3, pool_size=[1, 2, 3],
                                                       strides=[1, 2, 2])), BOTH),
    # PyTorch's avg_pool3d (only it) refuses an input smaller than the window despite padding
    ("average-pooling3d-explicit-input-below-pool-size",
     net([2, 3, 3], pool("average", r=3, pool_size=3, padding=[1, 1, 0])), KERAS),
    ("max-pooling3d-explicit-input-below-pool-size",
     net([2, 3, 3], pool(r=3, pool_size=3, padding=[1, 1, 0])), BOTH),
    # Keras's torch backend hands 'same' to avg_pool3d, which then refuses the small input
    ("average-pooling3d-same-input-below-pool-size",
     net([1, 2, 1], pool("average", r=3, pool_size=3, padding="same")), TORCH),
    ("max-pooling3d-same-input-below-pool-size",
     net([1, 2, 1], pool(r=3, pool_size=3, padding="same")), BOTH),
    # a sharing node sees its own, smaller input
    ("share-average-pooling3d-explicit-smaller-input",
     net([4, 7, 6], pool("average", r=3, name="a", pool_size=3, padding=1, strides=[2, 3, 2],
                         trainable="coefficient_and_bias"), {"name": "b", "share": "a"},
         color="rgba"), KERAS),
    ("max-pooling2d-coefficient", net([8, 8], pool(trainable="coefficient"), color="cmyk"), BOTH),
    ("max-pooling2d-coefficient-and-bias", net([8, 8], pool(trainable="coefficient_and_bias"),
                                               color="rgba"), BOTH),
    ("average-pooling1d-coefficient-and-bias", net([8], pool("average", r=1,
                                                             trainable="coefficient_and_bias")),
     BOTH),
    ("average-pooling3d-coefficient", net([4, 4, 4], pool("average", r=3,
                                                          trainable="coefficient")), BOTH),
    ("max-pooling2d-coefficient-same", net([7, 7], pool(pool_size=3, strides=2, padding="same",
                                                        trainable="coefficient")), BOTH),
    *[(f"global-{op}-pooling{r}d-keepdims-{k}".lower(),
       net([5] * r, {"type": f"global_{op}_pooling{r}d", "keepdims": k}), BOTH)
      for op in ("max", "average") for r in (1, 2, 3) for k in (False, True)],
    # -- flatten, dense, dropout, activations, normalisation ----------------------------------
    ("flatten-2d", net([5, 6], {"type": "flatten"}), BOTH),
    ("flatten-1d", net([7], {"type": "flatten"}, channels=4), BOTH),
    ("flatten-3d", net([2, 3, 4], {"type": "flatten"}), BOTH),
    ("dense-vector", net([], DENSE, channels=10), BOTH),
    ("dense-after-flatten", net([4, 4], {"type": "flatten"}, DENSE), BOTH),
    ("dense-rank3-input", net([6], DENSE, channels=5), BOTH),
    ("dense-rank4-input", net([4, 5], DENSE, color="cmyk"), BOTH),
    ("dense-no-bias", net([], {**DENSE, "bias": False}, channels=10), BOTH),
    ("dense-frozen", net([], {**DENSE, "frozen": True}, channels=10), BOTH),
    ("dropout", net([5, 5], conv(), {"type": "dropout", "rate": 0.3}), BOTH),
    ("dropout-vector", net([], {"type": "dropout", "p": 0.5}, channels=9), BOTH),
    ("activation-tanh", net([5, 5], {"type": "activation", "activation": "tanh"}), BOTH),
    ("relu", net([6], {"type": "relu"}), BOTH),
    ("softmax-channels", net([4, 4], {"type": "softmax"}), BOTH),
    ("softmax-vector", net([], {"type": "softmax"}, channels=10), BOTH),
    ("batch-normalization-2d", net([5, 5], BN, color="cmyk"), BOTH),
    ("batch-normalization-vector", net([], BN, channels=12), BOTH),
    ("batch-normalization-1d", net([6], BN), BOTH),
    ("batch-normalization-3d", net([3, 3, 3], BN), BOTH),
    ("batch-normalization-no-center", net([5, 5], {**BN, "center": False}), BOTH),
    ("batch-normalization-no-scale", net([5, 5], {**BN, "scale": False}), BOTH),
    ("batch-normalization-no-center-no-scale", net([5, 5], {**BN, "center": False,
                                                            "scale": False}), BOTH),
    ("batch-normalization-frozen", net([5, 5], {**BN, "frozen": True}), BOTH),
    ("conv-bn-relu", net([8, 8], conv(bias=False), BN, {"type": "relu"}), BOTH),
    # Keras 3 has no local response normalisation layer
    ("local-response-normalization", net([6, 6], {"type": "local_response_normalization",
                                                  "size": 3}, color="rgba"), TORCH),
    ("local-response-normalization-1d", net([9], {"type": "local_response_normalization"},
                                            channels=7), TORCH),
    # -- weight sharing -----------------------------------------------------------------------
    ("share-conv2d", net([12, 12], conv(name="a"), conv(name="b"),
                         {"name": "c", "share": "b"}), BOTH),
    ("share-conv2d-same-padding", net([9, 9], conv(name="a", padding="same", strides=2),
                                      {"name": "b", "share": "a"}, color="cmyk"), BOTH),
    ("share-conv2d-explicit-padding", net([9, 9], conv(name="a", filters=3, padding=1),
                                          {"name": "b", "share": "a"}), BOTH),
    # a shared Keras layer cannot change its strides/padding; PyTorch uses F.conv2d on the weights
    ("share-conv2d-other-strides", net([16, 16], conv(name="a", filters=3),
                                       {"name": "b", "share": "a", "strides": 2}), TORCH),
    ("share-conv2d-other-padding-same-stride2",
     net([16, 16], conv(name="a", filters=3), {"name": "b", "share": "a", "strides": 2,
                                               "padding": "same"}), TORCH),
    ("share-conv1d-other-dilation", net([30], conv(1, name="a", filters=3),
                                        {"name": "b", "share": "a", "dilation": 3}), TORCH),
    ("share-conv2d-grouped", net([9, 9], conv(name="a", filters=4, groups=4),
                                 {"name": "b", "share": "a"}, color="rgba"), BOTH),
    ("share-conv3d", net([8, 8, 8], conv(3, name="a", filters=3, bias=False),
                         {"name": "b", "share": "a"}), BOTH),
    ("share-conv2d-transpose", net([4, 4], tconv(name="a", filters=3, strides=2),
                                   {"name": "b", "share": "a"}), BOTH),
    ("share-conv2d-transpose-other-strides", net([4, 4], tconv(name="a", filters=3),
                                                 {"name": "b", "share": "a", "strides": 2}), TORCH),
    ("share-depthwise-conv2d", net([9, 9], dw(name="a"), {"name": "b", "share": "a"}), BOTH),
    ("share-depthwise-other-padding", net([9, 9], dw(name="a"),
                                          {"name": "b", "share": "a", "padding": 1}), TORCH),
    ("share-separable-conv2d", net([9, 9], sep(name="a", filters=3),
                                   {"name": "b", "share": "a"}), BOTH),
    ("share-separable-other-strides", net([9, 9], sep(name="a", filters=3),
                                          {"name": "b", "share": "a", "strides": 2}), TORCH),
    ("share-dense", net([], {**DENSE, "name": "a", "units": 5}, {"name": "b", "share": "a"},
                        channels=5), BOTH),
    ("share-batch-normalization", net([4, 4], {**BN, "name": "a"}, conv(filters=3),
                                      {"name": "b", "share": "a"}), BOTH),
    # a built Keras BatchNormalization keeps its input rank; PyTorch uses F.batch_norm
    ("share-batch-normalization-other-rank",
     net([4, 4], {**BN, "name": "a"}, {"type": "global_average_pooling2d"},
         {"name": "b", "share": "a"}), TORCH),
    ("share-dense-other-rank", net([4, 5], {**DENSE, "name": "a", "units": 3},
                                   {"type": "global_max_pooling2d"}, {"name": "b", "share": "a"},
                                   channels=3), BOTH),
    ("share-trainable-pooling", net([16, 16], pool(name="a", trainable="coefficient_and_bias"),
                                    {"name": "b", "share": "a"}), BOTH),
    ("share-trainable-pooling-other-strides",
     net([16, 16], pool(name="a", trainable="coefficient"), {"name": "b", "share": "a",
                                                             "strides": 1}), TORCH),
    ("share-frozen-conv", net([9, 9], conv(name="a", filters=3, frozen=True),
                              {"name": "b", "share": "a"}), BOTH),
    # -- shape layers, normalisations, PReLU, embedding -------------------------------------
    ("up-sampling1d", net([5], {"type": "up_sampling1d", "size": 3}), BOTH),
    ("up-sampling2d", net([4, 5], {"type": "up_sampling2d", "size": [2, 3]}), BOTH),
    ("up-sampling3d", net([2, 3, 2], {"type": "up_sampling3d"}), BOTH),
    ("zero-padding1d", net([7], {"type": "zero_padding1d", "padding": [1, 3]}), BOTH),
    ("zero-padding2d", net([6, 6], {"type": "zero_padding2d", "padding": [[1, 2], 3]}), BOTH),
    ("zero-padding3d", net([3, 3, 3], {"type": "zero_padding3d", "padding": 1}), BOTH),
    ("cropping1d", net([9], {"type": "cropping1d", "cropping": [2, 1]}), BOTH),
    ("cropping2d", net([9, 8], {"type": "cropping2d", "cropping": [[1, 2], [0, 3]]}), BOTH),
    ("cropping3d", net([5, 6, 7], {"type": "cropping3d", "cropping": 1}), BOTH),
    ("reshape", net([4, 6], {"type": "reshape", "target_shape": [8, -1]}, channels=2), BOTH),
    ("reshape-flat-to-map", net([], {"type": "reshape", "target_shape": [3, 4, 2]},
                                channels=24), BOTH),
    ("permute", net([4, 6], {"type": "permute", "dims": [3, 1, 2]}), BOTH),
    ("identity", net([4, 4], {"type": "identity"}), BOTH),
    ("layer-normalization", net([5, 5], {"type": "layer_normalization"}), BOTH),
    *[(f"adaptive-{op}-pooling{r}d", net([13, 9, 11][:r], {
        "type": f"adaptive_{op}_pooling{r}d", "output_size": [5, 4, 3][:r]}), BOTH)
      for op in ("average", "max") for r in (1, 2, 3)],
    # Keras's adaptive pooling has no None (keep the axis)
    ("adaptive-max-pooling2d-keep-axis", net([10, 6], {"type": "adaptive_max_pooling2d",
                                                      "output_size": [3, None]}), TORCH),
    ("resizing2d", net([7, 5], {"type": "resizing2d", "size": [10, 4]}), BOTH),
    # Keras's Resizing is for 2-D images only
    ("resizing1d", net([7], {"type": "resizing1d", "size": 12}), TORCH),
    ("resizing3d", net([3, 4, 5], {"type": "resizing3d", "size": [6, 2, 5]}), TORCH),
    # Keras has no pixel-shuffle layer
    ("pixel-shuffle", net([3, 4], {"type": "pixel_shuffle", "upscale_factor": 2}, channels=8),
     TORCH),
    # Keras has no layer that is a bare weight (a custom layer's add_weight)
    ("parameter-per-channel", net([5, 5], {"type": "parameter", "shape": [1, 3, 1, 1]}), TORCH),
    ("parameter-per-position", net([4], {"type": "parameter", "shape": [3, 4]}), TORCH),
    ("layer-normalization-all-axes", net([4, 5], {"type": "layer_normalization",
                                                  "axis": [1, 2, 3]}), BOTH),
    ("layer-normalization-spatial", net([4, 5], {"type": "layer_normalization",
                                                 "axis": [2, 3], "center": False}), BOTH),
    ("layer-normalization-no-center", net([6], {"type": "layer_normalization",
                                                "center": False}, channels=4), BOTH),
    # nn.LayerNorm has no β without γ
    ("layer-normalization-no-scale", net([6], {"type": "layer_normalization",
                                               "scale": False}, channels=4), KERAS),
    ("group-normalization", net([4, 4], {"type": "group_normalization", "groups": 2},
                                channels=6), BOTH),
    ("prelu-per-channel", net([5, 5], {"type": "prelu", "shared_axes": [1, 2]}), BOTH),
    ("prelu-one-slope", net([5], {"type": "prelu", "shared_axes": [1, 2]}), BOTH),
    # Keras's default: one slope per value; nn.PReLU has one, or one per channel
    ("prelu-per-value", net([3, 3], {"type": "prelu"}), KERAS),
    ("embedding", net([], {"type": "embedding", "input_dim": 50, "output_dim": 6},
                      {"type": "flatten"}, {**DENSE}, channels=10), BOTH),
    # -- merges (graphs) ----------------------------------------------------------------------
    *[(f"merge-{op}", net([5, 5], conv(name="a", filters=3, padding="same"),
                          conv(name="b", filters=3, kernel=1, inputs=["input"]),
                          {"type": op, "inputs": ["a", "b", "input"][:2 if op == "subtract"
                                                                      else 3]}), BOTH)
      for op in ("add", "subtract", "multiply", "average", "maximum", "minimum")],
    ("merge-add-broadcast", net([5, 5], conv(name="a", filters=3, kernel=5),
                                {"type": "add", "inputs": ["a", "input"]}), BOTH),
    ("merge-concatenate-channels", net([6, 6], conv(name="a", filters=4),
                                       conv(name="b", filters=2, inputs=["input"]),
                                       {"type": "concatenate", "inputs": ["a", "b"]}), BOTH),
    ("merge-concatenate-spatial", net([6, 4], conv(name="a", filters=3, padding="same"),
                                      {"type": "concatenate", "axis": 1,
                                       "inputs": ["a", "input"]}), BOTH),
    ("merge-concatenate-vectors", net([], {**DENSE, "name": "a"},
                                      {"type": "concatenate", "inputs": ["a", "input", "a"]},
                                      channels=4), BOTH),
]


def _example(name: str) -> dict[str, Any]:
    return read_spec_file(EXAMPLES / f"{name}.yaml")


# whole examples; AlexNet has LRN, which Keras 3 lacks; VGG-16 is checked on its own below
EXAMPLE_CASES = [("stackoverflow_gray", BOTH), ("cmyk_shared", BOTH), ("lenet5", BOTH),
                 ("alexnet", TORCH)]


def check(spec: dict[str, Any], frameworks: tuple[str, ...]) -> None:
    solution = solve(load_spec(spec))
    for name, build in BUILDERS.items():
        if name in frameworks:
            assert mismatches(solution, build(load_spec(spec))) == []
        else:
            with pytest.raises(Unsupported):
                build(load_spec(spec))


@pytest.mark.parametrize(("spec", "frameworks"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layer_matches_frameworks(spec: dict[str, Any], frameworks: tuple[str, ...]) -> None:
    check(spec, frameworks)


@pytest.mark.parametrize(("name", "frameworks"), EXAMPLE_CASES, ids=[c[0] for c in EXAMPLE_CASES])
def test_example_matches_frameworks(name: str, frameworks: tuple[str, ...]) -> None:
    check(_example(name), frameworks)


def test_vgg16_matches_torch() -> None:
    network = load_spec(_example("vgg16"))
    summary = torch_summary(network)
    assert mismatches(solve(network), summary) == []
    assert summary.trainable == 138_357_544  # PyTorch's own count


def test_every_kind_has_a_case() -> None:
    covered = {layer.get("type") for _, spec, _ in CASES for layer in spec["layers"]}
    assert set(KINDS) - covered == set()


def test_ids_are_unique_and_every_case_is_checked() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert all(frameworks for _, _, frameworks in CASES)
