"""Output-shape mistakes (carried forward): padding, the + 1, stride, rounding, depth."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..buggy import LayerCtx
from ..formulas import ceil_conv_len, conv_len
from ..layers import Conv, Shape, Windowed
from .base import CONV, SHRINKING, WINDOWED, Fn, Misconception, Step, entry

__all__ = ["ENTRIES"]


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
    return int(ceil_conv_len(n, layer.kernel[a], layer.strides[a], p, layer.dilation[a]))


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


def _no_explicit_padding(layer: Any, a: int, n: int, out: int) -> int:
    return int(conv_len(n, layer.kernel[a], layer.strides[a], 0, layer.dilation[a]))


def _restores(layer: Any, a: int, n: int, out: int) -> int:
    return n * int(layer.strides[a])


def _flip(layer: Any) -> Any:
    return replace(layer, padding={"valid": "same", "same": "valid"}[layer.padding])


def _as_conv(layer: Any) -> Any:
    return Conv(name=layer.name, rank=layer.rank, filters=layer.filters, kernel=layer.kernel,
                strides=layer.strides, padding=layer.padding, dilation=layer.dilation)


def _strided(c: LayerCtx) -> bool:
    return isinstance(c.layer, Windowed) and any(s != 1 for s in c.layer.strides)


#: catalogue order within the family (stable ids; the grader breaks ties by this order)
ENTRIES: tuple[Misconception, ...] = (
    entry("valid_same_confusion", Step.PADDING, WINDOWED, "'valid' and 'same' padding swapped",
       "{layer} uses the other padding rule: 'valid' gives ⌊(H − k)/s⌋ + 1, 'same' gives ⌈H/s⌉.",
       "⌊(H − k)/s⌋ + 1 ↔ ⌈H/s⌉", 3, changes_shape=True,
       when=lambda c: c.layer.padding in ("valid", "same"), rewrite=_flip,
       by_family=(("conv_transpose", "{layer} uses the other padding rule: a transposed "
                   "convolution gives (H − 1)·s + k with 'valid' and H·s with 'same'.",
                   "(H − 1)·s + k ↔ H·s"),)),
    entry("missing_plus_one", Step.OUTPUT_SIZE, SHRINKING, "the plus one of the output size left out",
       "In {layer}, the output size is ⌊(H + 2P − k)/s⌋ + 1: the window's first position counts.",
       "⌊(H + 2P − k)/s⌋ + 1 → ⌊(H + 2P − k)/s⌋", 3, changes_shape=True, when=_has_plus_one,
       reshape=_spatial_map(lambda ly, a, n, o: o - 1)),
    entry("stride_ignored", Step.STRIDE, CONV, "stride ignored",
       "{layer} has a stride: divide by s, ⌊(H + 2P − k)/s⌋ + 1.",
       "⌊(H + 2P − k)/s⌋ + 1 → H + 2P − k + 1", 2, changes_shape=True, when=_strided,
       rewrite=lambda ly: replace(ly, strides=(1,) * ly.rank),
       by_family=(("conv_transpose", "{layer} has a stride: a transposed convolution "
                   "multiplies by s, (H − 1)·s − 2P + k.", "(H − 1)·s − 2P + k → H − 1 − 2P + k"),)),
    entry("pool_default_stride", Step.STRIDE, frozenset({"pool"}), "pooling stride taken as one",
       "{layer} moves by its stride (by default the pool size), not by one.",
       "S = k → S = 1", 2, changes_shape=True, when=_strided,
       rewrite=lambda ly: replace(ly, strides=(1,) * ly.rank)),
    entry("rounding_error", Step.ROUNDING, SHRINKING, "output size rounded up",
       "In {layer}, the output size is rounded down (⌊·⌋): a window that does not fit is dropped.",
       "⌊·⌋ → ⌈·⌉", 3, changes_shape=True, when=_has_plus_one,
       reshape=_spatial_map(_floor_to_ceil)),
    entry("padding_one_side", Step.PADDING, SHRINKING, "padding added on one side only",
       "In {layer}, the P zeros are added on both sides: H + 2P.",
       "H + 2P − k → H + P − k", 2, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=_spatial_map(_one_side)),
    entry("explicit_padding_ignored", Step.PADDING, SHRINKING, "explicit padding ignored",
       "{layer} pads P zeros on each side: its output is ⌊(H + 2P − k)/s⌋ + 1, not ⌊(H − k)/s⌋ "
       "+ 1.",
       "⌊(H + 2P − k)/s⌋ + 1 → ⌊(H − k)/s⌋ + 1", 2, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=_spatial_map(_no_explicit_padding),
       source="issue 14 (a posted question and its accepted answer, PyTorch padding=1)"),
    entry("padding_applied_to_channels", Step.PADDING, SHRINKING, "padding also added to the depth",
       "In {layer}, padding enlarges only the spatial axes; the depth is unchanged.",
       "C → C + 2P", 1, changes_shape=True,
       when=lambda c: c.layer.explicit_padding and any(c.layer.padding),
       reshape=lambda ly, i, o: (*o[:-1], o[-1] + 2 * ly.padding[0])),
    entry("same_padding_even_kernel", Step.PADDING, SHRINKING, "'same' padding of an even kernel",
       "In {layer}, 'same' padding gives ⌈H/s⌉ even for an even kernel (the padding is "
       "asymmetric).",
       "⌈H/s⌉ → ⌊(H + 2⌊k/2⌋ − k)/s⌋ + 1", 1, changes_shape=True,
       when=lambda c: c.layer.padding == "same", reshape=_spatial_map(_even_same)),
    entry("conv_depth_from_input", Step.OUTPUT_DEPTH, frozenset({"conv"}),
       "conv output depth taken from the input",
       "The output depth of {layer} is its number of filters, not its input's depth.",
       "C_out = K → C_in", 2, changes_shape=True,
       reshape=lambda ly, i, o: (*o[:-1], i[-1])),
    entry("pool_changes_depth", Step.OUTPUT_DEPTH, frozenset({"pool"}), "pooling shrinks the depth",
       "{layer} pools each channel separately: the depth is unchanged.",
       "C → C/k", 2, changes_shape=True,
       when=lambda c: c.layer.kernel[0] > 1 and c.in_shape[-1] % c.layer.kernel[0] == 0,
       reshape=lambda ly, i, o: (*o[:-1], o[-1] // ly.kernel[0])),
    entry("dilation_ignored", Step.DILATION, CONV, "dilation ignored",
       "{layer} is dilated: its window spans d·(k − 1) + 1 positions.",
       "d·(k − 1) + 1 → k", 1, changes_shape=True,
       when=lambda c: any(d != 1 for d in c.layer.dilation),
       rewrite=lambda ly: replace(ly, dilation=(1,) * ly.rank)),
    entry("transposed_conv_as_conv", Step.OUTPUT_SIZE, frozenset({"conv_transpose"}),
       "transposed conv sized like a conv",
       "{layer} is transposed: it enlarges, (H − 1)·s − 2P + k (+ output padding).",
       "(H − 1)·s − 2P + k → ⌊(H + 2P − k)/s⌋ + 1", 2, changes_shape=True, shape_layer=_as_conv),
    entry("transposed_conv_restores_size", Step.OUTPUT_SIZE, frozenset({"conv_transpose"}),
       "transposed conv assumed to restore the earlier size",
       "{layer} does not simply undo a stride: its output is (H − 1)·s − 2P + k (+ output "
       "padding), which need not be H·s.",
       "(H − 1)·s − 2P + k → H·s", 2, changes_shape=True, reshape=_spatial_map(_restores),
       source="issue 14 (posted answers)"),
    entry("skip_downsampling_layer", Step.DOWNSAMPLING, SHRINKING,
       "a downsampling step left out of the chain",
       "{layer} reduces the spatial size; later layers see its smaller output.",
       "shape after the layer → shape before it", 2, changes_shape=True,
       when=lambda c: c.family == "pool" or _strided(c), reshape=_spatial_map(_no_reduction)),
)
