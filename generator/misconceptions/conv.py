"""Conv parameter mistakes: bias, input depth C_in, kernel, groups, filters, depthwise."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..layers import Conv, Shape, Weight
from .base import CONV, Misconception, Step, channels, entry, per_position, resize

__all__ = ["ENTRIES"]


def _depthwise_standard(layer: Any, i: Shape) -> Any:
    return Conv(name=layer.name, rank=layer.rank, filters=i[-1] * layer.depth_multiplier,
                kernel=layer.kernel, use_bias=layer.use_bias)


def _kernel_incomplete(layer: Any, i: Shape) -> Any:
    return replace(layer, kernel=(*layer.kernel[:-1], 1))


def _kernel_squared(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(replace(w, shape=(w.shape[0], *w.shape)) if w.name == "kernel" else w for w in ws)


#: catalogue order within the family (stable ids; the grader breaks ties by this order)
ENTRIES: tuple[Misconception, ...] = (
    entry("conv_no_bias", Step.BIAS, CONV, "conv bias left out",
       "In {layer}, each filter also has one bias: add C_out to the kernel weights.",
       "(k_h·k_w·C_in + 1)·C_out → k_h·k_w·C_in·C_out", 3,
       when=lambda c: c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=False)),
    entry("conv_single_bias", Step.BIAS, frozenset({"conv", "conv_transpose"}),
       "one bias for the whole conv layer",
       "In {layer}, every filter has its own bias, so the biases number C_out, not one.",
       "+ C_out → + 1", 2, reweigh=resize("bias", lambda ly, i, o, w: 1)),
    entry("conv_no_cin", Step.INPUT_DEPTH, frozenset({"conv", "conv_transpose", "separable"}),
       "kernel not multiplied by the input channels",
       "In {layer}, each filter spans all C_in input channels: its kernel has k_h·k_w·C_in weights.",
       "(k_h·k_w·C_in + 1)·C_out → (k_h·k_w + 1)·C_out", 3,
       when=lambda c: getattr(c.layer, "groups", 1) == 1, weight_input=channels(lambda c: 1)),
    entry("conv_cin_wrong_tensor", Step.INPUT_DEPTH, frozenset({"conv"}),
       "input depth taken from the layer's own filters",
       "In {layer}, C_in is the depth of the layer's input, not its own number of filters.",
       "k_h·k_w·C_in·C_out → k_h·k_w·C_out·C_out", 2,
       when=lambda c: c.layer.groups == 1,
       reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=(*w.shape[:-2], o[-1], w.shape[-1]))
                                         if w.name == "kernel" else w for w in ws)),
    entry("conv_spatial_in_params", Step.WEIGHT_SHARING, frozenset({"conv"}),
       "conv weights counted once per output position",
       "In {layer}, the same filter weights slide over every position; they are counted once, "
       "not per output position.",
       "(k_h·k_w·C_in + 1)·C_out → (k_h·k_w·C_in + 1)·C_out·H_out·W_out", 2,
       reweigh=per_position),
    entry("kernel_dims_incomplete", Step.KERNEL, CONV, "a kernel dimension dropped",
       "In {layer}, the kernel has one size per spatial axis: multiply all of them (k_h·k_w, or "
       "k_d·k_h·k_w for a volume).",
       "k_h·k_w·C_in → k_h·C_in", 1, when=lambda c: c.layer.rank > 1,
       weight_layer=_kernel_incomplete),
    entry("one_axis_kernel_squared", Step.KERNEL, CONV, "a one-axis kernel counted as k×k",
       "{layer} is a 1-D convolution: its kernel has k weights per input channel, not k×k.",
       "k·C_in·C_out → k·k·C_in·C_out", 2,
       when=lambda c: c.layer.rank == 1 and c.layer.kernel[0] > 1, reweigh=_kernel_squared,
       source="issue 14 (posted answers)"),
    entry("kernel_size_as_filters", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "kernel size taken as the number of filters",
       "In {layer}, the kernel size (the k of k×k) is not the number of filters: C_out is the "
       "filters argument.",
       "C_out → k", 1, changes_shape=True,
       when=lambda c: c.layer.kernel[0] > 1 and c.layer.filters != c.layer.kernel[0],
       rewrite=lambda ly: replace(ly, filters=ly.kernel[0]), source="issue 14 (posted answers)"),
    entry("filters_from_other_layer", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "another layer's filter count used",
       "{layer} has its own number of filters; the previous layer's count is its C_in, not its "
       "C_out.",
       "C_out → C_in", 1, changes_shape=True,
       when=lambda c: c.layer.groups == 1 and c.in_shape[-1] != c.layer.filters
       and any(hasattr(n.layer, "filters") for n in c.network.nodes[:c.index]),
       weight_layer=lambda ly, i: replace(ly, filters=i[-1]),
       reshape=lambda ly, i, o: (*o[:-1], i[-1]), source="issue 14 (posted homework)"),
    entry("groups_ignored", Step.GROUPS, frozenset({"conv"}), "grouped convolution ignored",
       "In {layer}, the filters are split into groups: each filter sees only C_in/g channels.",
       "(k_h·k_w·C_in/g + 1)·C_out → (k_h·k_w·C_in + 1)·C_out", 2,
       rewrite=lambda ly: replace(ly, groups=1)),
    entry("groups_divides_both", Step.GROUPS, frozenset({"conv"}), "groups divide both channel counts",
       "In {layer}, groups split the input channels per filter; the number of filters stays C_out.",
       "k_h·k_w·(C_in/g)·C_out → k_h·k_w·(C_in/g)·(C_out/g)", 0,
       reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=(*w.shape[:-1], w.shape[-1] // ly.groups))
                                         if w.name == "kernel" else w for w in ws)),
    entry("bias_when_disabled", Step.BIAS, frozenset({"conv", "conv_transpose", "dense",
                                                   "depthwise", "separable"}),
       "bias counted although the layer has none",
       "{layer} is built without a bias (use_bias=False): count the kernel only.",
       "k_h·k_w·C_in·C_out → k_h·k_w·C_in·C_out + C_out", 2,
       when=lambda c: not c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=True)),
    entry("depthwise_as_standard", Step.INPUT_DEPTH, frozenset({"depthwise"}),
       "depthwise conv counted like a standard conv",
       "{layer} is depthwise: each input channel has its own k_h×k_w filter(s); no filter spans "
       "all channels.",
       "k_h·k_w·C_in·dm + C_in·dm → k_h·k_w·C_in·(C_in·dm) + C_in·dm", 2,
       weight_layer=_depthwise_standard),
    entry("separable_bias_variants", Step.BIAS, frozenset({"separable"}),
       "extra bias on the depthwise step of a separable conv",
       "In {layer}, only the pointwise step has biases (one per filter); the depthwise step has "
       "none.",
       "… + C_out → … + C_in·dm + C_out", 2,
       when=lambda c: c.layer.use_bias,
       reweigh=lambda ly, i, o, ws: (*ws, Weight("depthwise_bias", (i[-1] * ly.depth_multiplier,)))),
)
