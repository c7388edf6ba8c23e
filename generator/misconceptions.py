"""The misconception catalogue as data: stable ids, the step each changes, the formula change.

Each :class:`Misconception` changes one formula step and reuses the layers' own code:

- ``rewrite``: a hyper-parameter change (``dataclasses.replace``), e.g. strides -> 1;
- ``shape_layer``: a layer used for the output shape only (transposed conv as a conv);
- ``reshape(layer, in_shape, out_shape)``: a small change of the output shape (no ``+ 1``);
- ``weight_layer(layer, in_shape)`` / ``weight_input(in_shape)``: what the weight
  computation sees (C_in -> 1, a depthwise conv taken as a standard one);
- ``reweigh(layer, in_shape, out_shape, weights)``: a change of the weight tensors
  (bias dropped, counted per output position, moving statistics made trainable);
- ``input(shape)``: the network input as the student reads it (RGB taken as gray);
- ``unshare``: shared weights counted again at every use.

Ids never contain digits or drawn numbers; other tools (generator, exporters) rely on them.

>>> from generator.spec import load_spec
>>> quiz = load_spec({"input": {"shape": [300, 300], "color": "rgb"},
...                   "layers": [{"type": "conv2d", "filters": 100, "kernel": 5}]})
>>> apply(quiz, [("conv_no_bias", None)]).total, apply(quiz, [("conv_no_cin", "conv2d")]).total
(7500, 2600)
>>> catalogue_values(quiz)["color_as_gray"]
2600
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .buggy import INPUT, BuggyResult, Engine, LayerCtx
from .errors import ConfigError
from .formulas import ceil_div, conv_len
from .layers import Conv, PoolWeights, Shape, Weight, Windowed
from .macs import MacFactors
from .network import Count, Network

__all__ = ["MISCONCEPTIONS", "BuggyResult", "Misconception", "Step", "apply",
           "catalogue_values", "engine"]


class Step(StrEnum):
    """The formula step a misconception changes."""

    INPUT_CHANNELS = "input channels"
    KERNEL = "kernel size"
    INPUT_DEPTH = "input depth C_in"
    BIAS = "bias"
    GROUPS = "groups"
    WEIGHT_SHARING = "weight sharing across positions"
    OUTPUT_SIZE = "output size"
    OUTPUT_DEPTH = "output depth"
    PADDING = "padding"
    STRIDE = "stride"
    DILATION = "dilation"
    ROUNDING = "rounding"
    DOWNSAMPLING = "downsampling"
    FLATTEN = "flattened length"
    DENSE_INPUT = "dense input"
    POOL_WEIGHTS = "pooling weights"
    PARAMETER_FREE = "parameter-free layers"
    NORMALIZATION = "normalization parameters"
    SHARING = "shared weights"
    TRAINABILITY = "trainable vs non-trainable"
    OUTPUT_LAYER = "output layer"
    SHORTCUT = "shortcut connection"


#: frequency (reference ★) -> prior weight; 0 stars = inferred, no public source
PRIORS = {3: 0.30, 2: 0.12, 1: 0.04, 0: 0.015}

CONV = frozenset({"conv", "conv_transpose", "depthwise", "separable"})
WINDOWED = frozenset({"conv", "conv_transpose", "depthwise", "separable", "pool"})
SHRINKING = frozenset({"conv", "depthwise", "separable", "pool"})
Fn = Callable[..., Any]


@dataclass(frozen=True)
class Misconception:
    """One catalogued mistake: which step, where it applies, and the formula change as data.

    ``hint`` is student-facing, names the step and holds no drawn numbers; ``{layer}``
    is filled in by the grader.
    """

    id: str
    step: Step
    applies_to: frozenset[str]
    title: str
    hint: str
    formula: str
    stars: int = 2
    changes_shape: bool = False
    when: Fn | None = None
    rewrite: Fn | None = None
    shape_layer: Fn | None = None
    reshape: Fn | None = None
    weight_layer: Fn | None = None
    weight_input: Fn | None = None
    reweigh: Fn | None = None
    input: Fn | None = None
    unshare: bool = False
    #: where the mistake was seen (reference source keys S1…, or the issue that reported it)
    source: str = ""

    @property
    def prior(self) -> float:
        return PRIORS[self.stars]


# -- small pure helpers (the formula changes) ----------------------------------------------
def _spatial(shape: Shape) -> int:
    return math.prod(shape[:-1])


def _resize(name: str, size: Fn) -> Fn:
    def go(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
        return tuple(replace(w, shape=(size(layer, i, o, w),)) if w.name == name else w for w in ws)
    return go


def _per_position(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(replace(w, shape=(*o[:-1], *w.shape)) for w in ws)


def _all_trainable(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(replace(w, trainable=True) for w in ws)


def _channels(fn: Fn) -> Fn:
    return lambda shape: (*shape[:-1], fn(shape[-1]))


def _spatial_map(fn: Fn) -> Fn:
    """reshape hook mapping each spatial output size with fn(layer, axis, n_in, n_out)."""
    def go(layer: Any, i: Shape, o: Shape) -> Shape:
        r = len(o) - 1
        return (*(fn(layer, a, i[a], o[a]) for a in range(r)), o[-1])
    return go


def _has_plus_one(c: LayerCtx) -> bool:
    return isinstance(c.layer, Windowed) and c.family in SHRINKING and c.layer.padding != "same"


def _floor_to_ceil(layer: Windowed, a: int, n: int, out: int) -> int:
    p = layer.padding[a] if isinstance(layer.padding, tuple) else 0  # explicit padding
    k, s, d = layer.kernel[a], layer.strides[a], layer.dilation[a]
    return ceil_div(n + 2 * p - d * (k - 1) - 1, s) + 1


def _one_side(layer: Windowed, a: int, n: int, out: int) -> int:
    assert isinstance(layer.padding, tuple)  # only explicit padding can be one-sided
    p = layer.padding[a]
    return conv_len(n - p, layer.kernel[a], layer.strides[a], p, layer.dilation[a])


def _even_same(layer: Windowed, a: int, n: int, out: int) -> int:
    k, s = layer.kernel[a], layer.strides[a]
    if k % 2:
        return out
    return conv_len(n, k, s, k // 2)


def _no_reduction(layer: Any, a: int, n: int, out: int) -> int:
    return n


def _flip(layer: Any) -> Any:
    return replace(layer, padding={"valid": "same", "same": "valid"}[layer.padding])


def _as_conv(layer: Any) -> Any:
    return Conv(name=layer.name, rank=layer.rank, filters=layer.filters, kernel=layer.kernel,
                strides=layer.strides, padding=layer.padding, dilation=layer.dilation)


def _depthwise_standard(layer: Any, i: Shape) -> Any:
    return Conv(name=layer.name, rank=layer.rank, filters=i[-1] * layer.depth_multiplier,
                kernel=layer.kernel, use_bias=layer.use_bias)


def _kernel_incomplete(layer: Any, i: Shape) -> Any:
    return replace(layer, kernel=(*layer.kernel[:-1], 1))


def _pool_like_conv(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    k = tuple(getattr(layer, "kernel", (1,)))
    return (Weight("kernel", (*k, i[-1])), Weight("bias", (i[-1],)))


def _strided(c: LayerCtx) -> bool:
    return isinstance(c.layer, Windowed) and any(s != 1 for s in c.layer.strides)


def _gray(n: Network) -> bool:
    return bool(n.input.spatial) and n.input.channels == 1


def _consumers(c: LayerCtx, name: str) -> list[Any]:
    """The nodes that take ``name`` as an input (graph networks; none in a chain)."""
    from .network import sources
    srcs = sources(c.network)
    return [n for n, s in zip(c.network.nodes, srcs, strict=True) if name in s and len(s) > 1
            or name in s and n.layer.kind == "batch_normalization"]


def _is_projection(c: LayerCtx) -> bool:
    """A 1×1 conv whose output (maybe after a batch norm) is added to another branch."""
    if c.network.is_chain or any(k != 1 for k in getattr(c.layer, "kernel", (0,))):
        return False
    for n in _consumers(c, c.node.name):
        if n.layer.kind == "add":
            return True
        if n.layer.kind == "batch_normalization" and any(
                m.layer.kind == "add" for m in _consumers(c, n.name)):
            return True
    return False


def _identity_shortcut(c: LayerCtx) -> bool:
    """An add one of whose inputs is the input of the branch it closes (no projection)."""
    from .network import sources
    srcs = sources(c.network)[c.index]
    kinds = {n.name: n.layer.kind for n in c.network.nodes}
    return any(s not in kinds or kinds[s] not in ("conv2d", "batch_normalization")
               for s in srcs) or len(set(srcs)) < len(srcs)

def _no_explicit_padding(layer: Any, a: int, n: int, out: int) -> int:
    return int(conv_len(n, layer.kernel[a], layer.strides[a], 0, layer.dilation[a]))


def _restores(layer: Any, a: int, n: int, out: int) -> int:
    return n * int(layer.strides[a])


def _kernel_squared(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(replace(w, shape=(w.shape[0], *w.shape)) if w.name == "kernel" else w for w in ws)


def _count_is_total(c: LayerCtx) -> bool:
    return c.network.count == Count.TOTAL


def _m(*args: Any, **kw: Any) -> Misconception:
    return Misconception(*args, **kw)


_CATALOGUE: tuple[Misconception, ...] = (
    # -- A: conv parameters ---------------------------------------------------------------
    _m("conv_no_bias", Step.BIAS, CONV, "conv bias left out",
       "In {layer}, each filter also has one bias: add C_out to the kernel weights.",
       "(k_h·k_w·C_in + 1)·C_out → k_h·k_w·C_in·C_out", 3,
       when=lambda c: c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=False)),
    _m("conv_single_bias", Step.BIAS, frozenset({"conv", "conv_transpose"}),
       "one bias for the whole conv layer",
       "In {layer}, every filter has its own bias, so the biases number C_out, not one.",
       "+ C_out → + 1", 2, reweigh=_resize("bias", lambda ly, i, o, w: 1)),
    _m("conv_no_cin", Step.INPUT_DEPTH, frozenset({"conv", "conv_transpose", "separable"}),
       "kernel not multiplied by the input channels",
       "In {layer}, each filter spans all C_in input channels: its kernel has k_h·k_w·C_in weights.",
       "(k_h·k_w·C_in + 1)·C_out → (k_h·k_w + 1)·C_out", 3,
       when=lambda c: getattr(c.layer, "groups", 1) == 1, weight_input=_channels(lambda c: 1)),
    _m("conv_cin_wrong_tensor", Step.INPUT_DEPTH, frozenset({"conv"}),
       "input depth taken from the layer's own filters",
       "In {layer}, C_in is the depth of the layer's input, not its own number of filters.",
       "k_h·k_w·C_in·C_out → k_h·k_w·C_out·C_out", 2,
       when=lambda c: c.layer.groups == 1,
       reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=(*w.shape[:-2], o[-1], w.shape[-1]))
                                         if w.name == "kernel" else w for w in ws)),
    _m("conv_spatial_in_params", Step.WEIGHT_SHARING, frozenset({"conv"}),
       "conv weights counted once per output position",
       "In {layer}, the same filter weights slide over every position; they are counted once, "
       "not per output position.",
       "(k_h·k_w·C_in + 1)·C_out → (k_h·k_w·C_in + 1)·C_out·H_out·W_out", 2,
       reweigh=_per_position),
    _m("kernel_dims_incomplete", Step.KERNEL, CONV, "a kernel dimension dropped",
       "In {layer}, the kernel has one size per spatial axis: multiply all of them (k_h·k_w, or "
       "k_d·k_h·k_w for a volume).",
       "k_h·k_w·C_in → k_h·C_in", 1, when=lambda c: c.layer.rank > 1,
       weight_layer=_kernel_incomplete),
    _m("one_axis_kernel_squared", Step.KERNEL, CONV, "a one-axis kernel counted as k×k",
       "{layer} is a 1-D convolution: its kernel has k weights per input channel, not k×k.",
       "k·C_in·C_out → k·k·C_in·C_out", 2,
       when=lambda c: c.layer.rank == 1 and c.layer.kernel[0] > 1, reweigh=_kernel_squared,
       source="issue 14 (posted answers)"),
    _m("kernel_size_as_filters", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "kernel size taken as the number of filters",
       "In {layer}, the kernel size (the k of k×k) is not the number of filters: C_out is the "
       "filters argument.",
       "C_out → k", 1, changes_shape=True,
       when=lambda c: c.layer.kernel[0] > 1 and c.layer.filters != c.layer.kernel[0],
       rewrite=lambda ly: replace(ly, filters=ly.kernel[0]), source="issue 14 (posted answers)"),
    _m("filters_from_other_layer", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "another layer's filter count used",
       "{layer} has its own number of filters; the previous layer's count is its C_in, not its "
       "C_out.",
       "C_out → C_in", 1, changes_shape=True,
       when=lambda c: c.layer.groups == 1 and c.in_shape[-1] != c.layer.filters
       and any(hasattr(n.layer, "filters") for n in c.network.nodes[:c.index]),
       weight_layer=lambda ly, i: replace(ly, filters=i[-1]),
       reshape=lambda ly, i, o: (*o[:-1], i[-1]), source="issue 14 (posted homework)"),
    _m("groups_ignored", Step.GROUPS, frozenset({"conv"}), "grouped convolution ignored",
       "In {layer}, the filters are split into groups: each filter sees only C_in/g channels.",
       "(k_h·k_w·C_in/g + 1)·C_out → (k_h·k_w·C_in + 1)·C_out", 2,
       rewrite=lambda ly: replace(ly, groups=1)),
    _m("groups_divides_both", Step.GROUPS, frozenset({"conv"}), "groups divide both channel counts",
       "In {layer}, groups split the input channels per filter; the number of filters stays C_out.",
       "k_h·k_w·(C_in/g)·C_out → k_h·k_w·(C_in/g)·(C_out/g)", 0,
       reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=(*w.shape[:-1], w.shape[-1] // ly.groups))
                                         if w.name == "kernel" else w for w in ws)),
    _m("bias_when_disabled", Step.BIAS, frozenset({"conv", "conv_transpose", "dense",
                                                   "depthwise", "separable"}),
       "bias counted although the layer has none",
       "{layer} is built without a bias (use_bias=False): count the kernel only.",
       "k_h·k_w·C_in·C_out → k_h·k_w·C_in·C_out + C_out", 2,
       when=lambda c: not c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=True)),
    _m("depthwise_as_standard", Step.INPUT_DEPTH, frozenset({"depthwise"}),
       "depthwise conv counted like a standard conv",
       "{layer} is depthwise: each input channel has its own k_h×k_w filter(s); no filter spans "
       "all channels.",
       "k_h·k_w·C_in·dm + C_in·dm → k_h·k_w·C_in·(C_in·dm) + C_in·dm", 2,
       weight_layer=_depthwise_standard),
    _m("separable_bias_variants", Step.BIAS, frozenset({"separable"}),
       "extra bias on the depthwise step of a separable conv",
       "In {layer}, only the pointwise step has biases (one per filter); the depthwise step has "
       "none.",
       "… + C_out → … + C_in·dm + C_out", 2,
       when=lambda c: c.layer.use_bias,
       reweigh=lambda ly, i, o, ws: (*ws, Weight("depthwise_bias", (i[-1] * ly.depth_multiplier,)))),
    # -- B: dense, flatten, input ---------------------------------------------------------
    _m("dense_no_bias", Step.BIAS, frozenset({"dense"}), "dense bias left out",
       "In {layer}, each unit also has one bias: (n_in + 1)·n_out.",
       "(n_in + 1)·n_out → n_in·n_out", 3,
       when=lambda c: c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=False)),
    _m("dense_single_bias", Step.BIAS, frozenset({"dense"}), "one bias for the whole dense layer",
       "In {layer}, every unit has its own bias, so the biases number n_out, not one.",
       "(n_in + 1)·n_out → n_in·n_out + 1", 2, reweigh=_resize("bias", lambda ly, i, o, w: 1)),
    _m("dense_bias_per_input", Step.BIAS, frozenset({"dense"}), "dense bias per input",
       "In {layer}, the biases belong to the outputs (one per unit), not to the inputs.",
       "(n_in + 1)·n_out → n_in·(n_out + 1)", 2,
       reweigh=_resize("bias", lambda ly, i, o, w: i[-1])),
    _m("flatten_forgets_channels", Step.FLATTEN, frozenset({"flatten"}),
       "flattened length without the channels",
       "At {layer}, the flattened length is the product of all axes, channels included (H·W·C).",
       "n = H·W·C → n = H·W", 3, changes_shape=True,
       reshape=lambda ly, i, o: (_spatial(i),)),
    _m("dense_on_ndim_assumed_flat", Step.DENSE_INPUT, frozenset({"dense"}),
       "dense on a multi-axis input counted as if flattened",
       "{layer} gets a multi-axis input without Flatten: it acts on the last axis only, so n_in "
       "is that axis's size.",
       "(C + 1)·n_out → (H·W·C + 1)·n_out", 2, changes_shape=True,
       when=lambda c: len(c.in_shape) > 1,
       weight_input=lambda s: (math.prod(s),), reshape=lambda ly, i, o: (o[-1],)),
    _m("flatten_omitted", Step.FLATTEN, frozenset({"flatten"}),
       "Flatten left out, so the dense layer acts on the channel axis",
       "{layer} flattens H·W·C into one vector: the next dense layer sees all H·W·C values, "
       "not only the C channels.",
       "(H·W·C + 1)·n_out → (C + 1)·n_out", 2, changes_shape=True,
       when=lambda c: len(c.in_shape) > 1, reshape=lambda ly, i, o: i,
       source="issue 14 (posted answers)"),
    _m("output_layer_omitted", Step.OUTPUT_LAYER, frozenset({"dense"}), "output layer left out",
       "The output layer {layer} has parameters too: count it.",
       "… + (n_in + 1)·n_out → …", 2,
       when=lambda c: c.is_last_param and any(n.layer.has_weights for n in c.network.nodes[:c.index]),
       reweigh=lambda ly, i, o, ws: ()),
    _m("color_as_gray", Step.INPUT_CHANNELS, frozenset({"input"}),
       "multi-channel input taken as one channel",
       "The input image has several colour channels: the first layer's C_in is that count, not 1.",
       "C_img → 1", 2, changes_shape=True,
       when=lambda n: bool(n.input.spatial) and n.input.channels > 1, input=_channels(lambda c: 1)),
    _m("cmyk_as_rgb", Step.INPUT_CHANNELS, frozenset({"input"}),
       "four-channel input taken as three",
       "A CMYK (or RGBA) image has four channels, not three like RGB.",
       "C_img = 4 → 3", 2, changes_shape=True,
       when=lambda n: bool(n.input.spatial) and n.input.channels == 4, input=_channels(lambda c: 3)),
    _m("gray_as_color", Step.INPUT_CHANNELS, frozenset({"input"}),
       "grayscale input taken as three channels",
       "A grayscale image has one channel, not three.",
       "C_img = 1 → 3", 2, changes_shape=True, when=_gray, input=_channels(lambda c: 3)),
    # -- C: non-parametric, normalisation, sharing, trainability ----------------------------
    _m("pooling_has_params", Step.PARAMETER_FREE, frozenset({"pool", "global_pool"}),
       "pooling given weights like a conv",
       "{layer} is plain pooling: it has no weights.",
       "0 → (k_h·k_w + 1)·C", 2,
       when=lambda c: not c.layer.has_weights, reweigh=_pool_like_conv),
    # (global pooling: the same 2·C as pooling_has_params with its 1×1 window)
    _m("pooling_given_scale_bias", Step.PARAMETER_FREE, frozenset({"pool"}),
       "plain pooling given a coefficient and a bias per channel",
       "{layer} is plain pooling: it has no coefficient, bias or any other weight.",
       "0 → 2·C", 1, when=lambda c: not c.layer.has_weights,
       reweigh=lambda ly, i, o, ws: (Weight("coefficient", (i[-1],)), Weight("bias", (i[-1],))),
       source="issue 14 (practice sessions)"),
    _m("nonparam_layer_counted", Step.PARAMETER_FREE,
       frozenset({"flatten", "dropout", "activation", "local_response_normalization"}),
       "a parameter-free layer given weights",
       "{layer} has no weights (it only reshapes, drops or transforms values).",
       "0 → C", 2, reweigh=lambda ly, i, o, ws: (Weight("weight", (i[-1],)),)),
    _m("pool_weights_omitted", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "trainable pooling weights left out",
       "{layer} is a trainable (LeNet-style) pooling layer: count its coefficient and bias per "
       "channel.",
       "2·C → 0", 2, when=lambda c: c.layer.has_weights,
       rewrite=lambda ly: replace(ly, trainable=PoolWeights.NONE)),
    _m("pool_weights_per_position", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "pooling weights counted per output position",
       "In {layer}, the pooling coefficient and bias are shared by all positions of a channel: "
       "count them per channel.",
       "2·C → 2·C·H_out·W_out", 1, when=lambda c: c.layer.has_weights, reweigh=_per_position),
    _m("pool_weights_conv_like", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "trainable pooling counted like a conv",
       "In {layer}, the whole window shares one coefficient per channel (plus a bias), not one "
       "weight per window cell.",
       "2·C → (k_h·k_w + 1)·C", 1, when=lambda c: c.layer.has_weights, reweigh=_pool_like_conv),
    _m("bn_moving_stats_trainable", Step.TRAINABILITY, frozenset({"batch_normalization"}),
       "batch-norm moving statistics counted as trainable",
       "In {layer}, only γ and β are trainable; the moving mean and variance are not.",
       "2·C → 4·C", 3, reweigh=_all_trainable),
    _m("bn_moving_stats_left_out", Step.TRAINABILITY, frozenset({"batch_normalization"}),
       "only γ and β counted when all batch-norm parameters are asked for",
       "The question counts all parameters: {layer} also holds a moving mean and a moving "
       "variance per channel (non-trainable, but parameters).",
       "4·C → 2·C", 2, when=_count_is_total,
       reweigh=lambda ly, i, o, ws: tuple(w for w in ws if w.trainable),
       source="issue 14 (practice sessions)"),
    _m("bn_params_omitted", Step.NORMALIZATION, frozenset({"batch_normalization"}),
       "batch-norm parameters left out",
       "{layer} has a scale γ and a shift β per channel (plus non-trainable moving statistics).",
       "2·C → 0", 2, reweigh=lambda ly, i, o, ws: ()),
    _m("bn_per_activation", Step.NORMALIZATION, frozenset({"batch_normalization"}),
       "batch-norm parameters counted per activation",
       "In {layer}, γ and β are per channel, shared over all positions.",
       "2·C → 2·H·W·C", 0, reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=i) for w in ws)),
    _m("frozen_counted_trainable", Step.TRAINABILITY, CONV | {"dense", "batch_normalization"},
       "frozen layer counted as trainable",
       "{layer} is frozen: its weights are not trainable.",
       "Σ unfrozen → Σ all", 2, when=lambda c: getattr(c.layer, "frozen", False),
       rewrite=lambda ly: replace(ly, frozen=False)),
    _m("shared_weights_double_counted", Step.SHARING, CONV | {"dense"},
       "shared weights counted at every use",
       "{layer} reuses the weights of an earlier layer: they are counted once, at their owner.",
       "Σ unique → Σ per use", 2, when=lambda c: c.node.shares is not None, unshare=True),
    _m("activations_as_params", Step.WEIGHT_SHARING, frozenset({"conv"}),
       "activations counted instead of parameters",
       "For {layer}, count weights, not output values (H_out·W_out·C_out is the activation count).",
       "(k_h·k_w·C_in + 1)·C_out → H_out·W_out·C_out", 2,
       reweigh=lambda ly, i, o, ws: (Weight("activations", o),)),
    # -- D: output shapes (carried forward) --------------------------------------------------
    _m("valid_same_confusion", Step.PADDING, WINDOWED, "'valid' and 'same' padding swapped",
       "{layer} uses the other padding rule: 'valid' gives ⌊(H − k)/s⌋ + 1, 'same' gives ⌈H/s⌉.",
       "⌊(H − k)/s⌋ + 1 ↔ ⌈H/s⌉", 3, changes_shape=True,
       when=lambda c: c.layer.padding in ("valid", "same"), rewrite=_flip),
    _m("missing_plus_one", Step.OUTPUT_SIZE, SHRINKING, "the plus one of the output size left out",
       "In {layer}, the output size is ⌊(H + 2P − k)/s⌋ + 1: the window's first position counts.",
       "⌊(H + 2P − k)/s⌋ + 1 → ⌊(H + 2P − k)/s⌋", 3, changes_shape=True, when=_has_plus_one,
       reshape=_spatial_map(lambda ly, a, n, o: o - 1)),
    _m("stride_ignored", Step.STRIDE, CONV, "stride ignored",
       "{layer} has a stride: divide by s, ⌊(H + 2P − k)/s⌋ + 1.",
       "⌊(H + 2P − k)/s⌋ + 1 → H + 2P − k + 1", 2, changes_shape=True, when=_strided,
       rewrite=lambda ly: replace(ly, strides=(1,) * ly.rank)),
    _m("pool_default_stride", Step.STRIDE, frozenset({"pool"}), "pooling stride taken as one",
       "{layer} moves by its stride (by default the pool size), not by one.",
       "S = k → S = 1", 2, changes_shape=True, when=_strided,
       rewrite=lambda ly: replace(ly, strides=(1,) * ly.rank)),
    _m("rounding_error", Step.ROUNDING, SHRINKING, "output size rounded up",
       "In {layer}, the output size is rounded down (⌊·⌋): a window that does not fit is dropped.",
       "⌊·⌋ → ⌈·⌉", 3, changes_shape=True, when=_has_plus_one,
       reshape=_spatial_map(_floor_to_ceil)),
    _m("padding_one_side", Step.PADDING, SHRINKING, "padding added on one side only",
       "In {layer}, the P zeros are added on both sides: H + 2P.",
       "H + 2P − k → H + P − k", 2, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=_spatial_map(_one_side)),
    _m("explicit_padding_ignored", Step.PADDING, SHRINKING, "explicit padding ignored",
       "{layer} pads P zeros on each side: its output is ⌊(H + 2P − k)/s⌋ + 1, not ⌊(H − k)/s⌋ "
       "+ 1.",
       "⌊(H + 2P − k)/s⌋ + 1 → ⌊(H − k)/s⌋ + 1", 2, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=_spatial_map(_no_explicit_padding),
       source="issue 14 (a posted question and its accepted answer, PyTorch padding=1)"),
    _m("padding_applied_to_channels", Step.PADDING, SHRINKING, "padding also added to the depth",
       "In {layer}, padding enlarges only the spatial axes; the depth is unchanged.",
       "C → C + 2P", 1, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=lambda ly, i, o: (*o[:-1], o[-1] + 2 * ly.padding[0])),
    _m("same_padding_even_kernel", Step.PADDING, SHRINKING, "'same' padding of an even kernel",
       "In {layer}, 'same' padding gives ⌈H/s⌉ even for an even kernel (the padding is "
       "asymmetric).",
       "⌈H/s⌉ → ⌊(H + 2⌊k/2⌋ − k)/s⌋ + 1", 1, changes_shape=True,
       when=lambda c: c.layer.padding == "same", reshape=_spatial_map(_even_same)),
    _m("conv_depth_from_input", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "conv output depth taken from the input",
       "The output depth of {layer} is its number of filters, not its input's depth.",
       "C_out = K → C_in", 2, changes_shape=True,
       reshape=lambda ly, i, o: (*o[:-1], i[-1])),
    _m("pool_changes_depth", Step.OUTPUT_DEPTH, frozenset({"pool"}), "pooling shrinks the depth",
       "{layer} pools each channel separately: the depth is unchanged.",
       "C → C/k", 2, changes_shape=True,
       when=lambda c: c.layer.kernel[0] > 1 and c.in_shape[-1] % c.layer.kernel[0] == 0,
       reshape=lambda ly, i, o: (*o[:-1], o[-1] // ly.kernel[0])),
    _m("dilation_ignored", Step.DILATION, CONV, "dilation ignored",
       "{layer} is dilated: its window spans d·(k − 1) + 1 positions.",
       "d·(k − 1) + 1 → k", 1, changes_shape=True,
       when=lambda c: any(d != 1 for d in c.layer.dilation),
       rewrite=lambda ly: replace(ly, dilation=(1,) * ly.rank)),
    _m("transposed_conv_as_conv", Step.OUTPUT_SIZE, frozenset({"conv_transpose"}),
       "transposed conv sized like a conv",
       "{layer} is transposed: it enlarges, (H − 1)·s − 2P + k (+ output padding).",
       "(H − 1)·s − 2P + k → ⌊(H + 2P − k)/s⌋ + 1", 2, changes_shape=True, shape_layer=_as_conv),
    _m("transposed_conv_restores_size", Step.OUTPUT_SIZE, frozenset({"conv_transpose"}),
       "transposed conv assumed to restore the earlier size",
       "{layer} does not simply undo a stride: its output is (H − 1)·s − 2P + k (+ output "
       "padding), which need not be H·s.",
       "(H − 1)·s − 2P + k → H·s", 2, changes_shape=True, reshape=_spatial_map(_restores),
       source="issue 14 (posted answers)"),
    _m("skip_downsampling_layer", Step.DOWNSAMPLING, SHRINKING,
       "a downsampling step left out of the chain",
       "{layer} reduces the spatial size; later layers see its smaller output.",
       "shape after the layer → shape before it", 2, changes_shape=True,
       when=lambda c: c.family == "pool" or _strided(c), reshape=_spatial_map(_no_reduction)),
    # -- G: graphs (residual adds, concatenations; `graph`, issue 12) --------------------------
    _m("projection_shortcut_left_out", Step.SHORTCUT, frozenset({"conv"}),
       "projection shortcut left out",
       "{layer} is the 1×1 projection on the shortcut (the channels or the stride change): "
       "count its weights too.",
       "(C_in + 1)·C_out (1×1 projection) → 0", 2,
       when=lambda c: _is_projection(c), reweigh=lambda ly, i, o, ws: ()),
    _m("identity_shortcut_given_params", Step.PARAMETER_FREE, frozenset({"merge"}),
       "identity shortcut given parameters",
       "The shortcut into {layer} is the identity (the shapes already match): it has no "
       "weights, and the addition has none either.",
       "0 → C·C + C (a 1×1 conv on the shortcut)", 1,
       when=lambda c: c.layer.op == "add" and _identity_shortcut(c),
       reweigh=lambda ly, i, o, ws: (*ws, Weight("kernel", (o[-1], o[-1])),
                                     Weight("bias", (o[-1],)))),
    _m("merge_given_params", Step.PARAMETER_FREE, frozenset({"merge"}),
       "merge layer given parameters",
       "{layer} only combines its inputs (add, concatenate, …): it has no weights.",
       "0 → C (one weight per channel)", 1,
       reweigh=lambda ly, i, o, ws: (*ws, Weight("weight", (o[-1],)))),
)

#: id -> misconception, in catalogue order
MISCONCEPTIONS: dict[str, Misconception] = {m.id: m for m in _CATALOGUE}
ORDER = {m: i for i, m in enumerate(MISCONCEPTIONS)}


def engine(network: Network) -> Engine:
    """A compiled engine for ``network`` over the whole catalogue."""
    return Engine(network, MISCONCEPTIONS)


def _layer_index(eng: Engine, name: str | None) -> int | None:
    if name is None:
        return None
    if name == "input":
        return INPUT
    try:
        return eng.names.index(name)
    except ValueError:
        raise ConfigError(f"no layer named '{name}'; layers: {', '.join(eng.names)}.") from None


def active_map(eng: Engine, sites: Iterable[tuple[str, str | int | None]]) -> dict[int, tuple[str, ...]]:
    """Per layer index, the ids active there (None = every layer the misconception fits)."""
    active: dict[int, set[str]] = {}
    for mid, where in sites:
        if mid not in MISCONCEPTIONS:
            raise KeyError(f"unknown misconception {mid!r}")
        idx = where if isinstance(where, int) else _layer_index(eng, where)
        for i in (eng.fits(mid) if idx is None else (idx,)):
            active.setdefault(i, set()).add(mid)
    return {i: tuple(sorted(ids, key=ORDER.__getitem__)) for i, ids in active.items()}


def apply(network: Network | Engine, sites: Iterable[tuple[str, str | None]]) -> BuggyResult:
    """Solve ``network`` as a student holding these misconceptions, error carried forward.

    A site is (misconception id, layer name), or (id, None) for every layer it fits.

    >>> from generator.spec import load_spec
    >>> net = load_spec({"input": {"shape": [32, 32], "channels": 16},
    ...                  "layers": [{"type": "max_pooling2d", "pool_size": 2},
    ...                             {"type": "flatten"}, {"type": "dense", "units": 1}]})
    >>> apply(net, []).total, apply(net, [("missing_plus_one", None)]).total
    (4097, 3601)
    """
    eng = network if isinstance(network, Engine) else engine(network)
    result = eng.forward(active_map(eng, sites))
    if result is None:
        raise ValueError("these misconceptions make the network impossible (a size ≤ 0)")
    return result


def catalogue_values(network: Network | Engine) -> dict[str, int]:
    """Each misconception applied to every layer it fits -> the answer it produces.

    Only misconceptions that apply and change the answer are included.

    >>> from generator.spec import load_spec
    >>> net = load_spec({"input": {"shape": [4]},
    ...                  "layers": [{"type": "dense", "units": 2}]})
    >>> catalogue_values(net)
    {'dense_no_bias': 8, 'dense_single_bias': 9, 'dense_bias_per_input': 12}
    """
    eng = network if isinstance(network, Engine) else engine(network)
    out: dict[str, int] = {}
    for mid in MISCONCEPTIONS:
        fits = eng.fits(mid)
        if not fits:
            continue
        r = eng.forward({i: (mid,) for i in fits})
        if r is not None and r.total != eng.base.total:
            out[mid] = r.total
    return out


# -- MACs: mistakes in counting multiply-accumulates (the ``macs`` parts) -------------------
# A MAC mistake changes one factor of positions × kernel area × C_in × C_out
# (generator.macs.mac_factors); ``value`` gives the count it leads to, or None where the
# mistake changes nothing. Graded by grader.macs.
@dataclass(frozen=True)
class MacMisconception:
    """One catalogued MAC-counting mistake (``hint`` holds no numbers; ``{layer}`` filled in)."""

    id: str
    step: Step
    title: str
    hint: str
    formula: str
    value: Callable[[MacFactors], int | None]
    stars: int = 1

    @property
    def prior(self) -> float:
        return PRIORS[self.stars]


def _changed(new: int, f: MacFactors) -> int | None:
    return new if new != f.macs and new > 0 else None


MAC_MISCONCEPTIONS: dict[str, MacMisconception] = {m.id: m for m in (
    MacMisconception(
        "macs_bias_counted", Step.BIAS, "bias additions counted as MACs",
        "In {layer}, adding the bias is not a multiply-accumulate: MACs count kernel "
        "multiplications only.",
        "positions·k·C_in·C_out → positions·k·C_in·C_out + outputs",
        lambda f: _changed(f.macs + f.outputs, f) if f.bias else None, 2),
    MacMisconception(
        "macs_output_size_as_input", Step.OUTPUT_SIZE, "output size taken as input size",
        "In {layer}, the kernel is applied once per output position (per input position for "
        "a transposed convolution): use the output's H×W, not the input's.",
        "H_out·W_out·k·C_in·C_out → H_in·W_in·k·C_in·C_out",
        lambda f: _changed(f.macs // f.positions * f.other_positions, f), 2),
    MacMisconception(
        "macs_kernel_area_dropped", Step.KERNEL, "kernel area left out of the MACs",
        "In {layer}, every output value multiplies a whole k_h·k_w window (per input "
        "channel): multiply by the kernel area.",
        "positions·k_h·k_w·C_in·C_out → positions·C_in·C_out",
        lambda f: _changed(f.macs // f.kernel, f)),
    MacMisconception(
        "macs_channel_factor_dropped", Step.INPUT_DEPTH, "input-channel factor left out of the MACs",
        "In {layer}, each output value sums over all C_in input channels (C_in/g with groups): "
        "multiply by them.",
        "positions·k·C_in·C_out → positions·k·C_out",
        lambda f: _changed(f.macs // f.c_in, f)),
)}


def mac_values(f: MacFactors) -> dict[str, int]:
    """Each MAC misconception applied to one layer's factors -> the count it gives.

    >>> from generator.macs import mac_factors
    >>> from generator.layers import Conv
    >>> mac_values(mac_factors(Conv(rank=2, filters=8, kernel=(3, 3)), (10, 10, 4)))
    {'macs_bias_counted': 18944, 'macs_output_size_as_input': 28800, 'macs_kernel_area_dropped': 2048, 'macs_channel_factor_dropped': 4608}
    """
    out = {}
    for m in MAC_MISCONCEPTIONS.values():
        v = m.value(f)
        if v is not None:
            out[m.id] = v
    return out


# -- pairs: mistakes in answering two labelled numbers (weights_biases, trainable_split) ----
@dataclass(frozen=True)
class PairMisconception:
    """A mistake in giving a pair; ``{first}`` and ``{second}`` are the pair's labels."""

    id: str
    title: str
    hint: str


PAIR_MISCONCEPTIONS: dict[str, PairMisconception] = {m.id: m for m in (
    PairMisconception("pair_swapped", "the two numbers swapped",
                      "The question asks for the {first} first, then the {second}; your two "
                      "numbers are right but in the other order (or under each other's label)."),
)}
