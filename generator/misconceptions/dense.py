"""Dense, Flatten and input mistakes: biases, the flattened length, the input channels."""

from __future__ import annotations

import math
from dataclasses import replace

from ..network import Network
from .base import Misconception, Step, channels, entry, resize, spatial

__all__ = ["ENTRIES"]


def _gray(n: Network) -> bool:
    return bool(n.input.spatial) and n.input.channels == 1


#: catalogue order within the family (stable ids; the grader breaks ties by this order)
ENTRIES: tuple[Misconception, ...] = (
    entry("dense_no_bias", Step.BIAS, frozenset({"dense"}), "dense bias left out",
       "In {layer}, each unit also has one bias: (n_in + 1)·n_out.",
       "(n_in + 1)·n_out → n_in·n_out", 3,
       when=lambda c: c.layer.use_bias, rewrite=lambda ly: replace(ly, use_bias=False)),
    entry("dense_single_bias", Step.BIAS, frozenset({"dense"}), "one bias for the whole dense layer",
       "In {layer}, every unit has its own bias, so the biases number n_out, not one.",
       "(n_in + 1)·n_out → n_in·n_out + 1", 2, reweigh=resize("bias", lambda ly, i, o, w: 1)),
    entry("dense_bias_per_input", Step.BIAS, frozenset({"dense"}), "dense bias per input",
       "In {layer}, the biases belong to the outputs (one per unit), not to the inputs.",
       "(n_in + 1)·n_out → n_in·(n_out + 1)", 2,
       reweigh=resize("bias", lambda ly, i, o, w: i[-1])),
    entry("flatten_forgets_channels", Step.FLATTEN, frozenset({"flatten"}),
       "flattened length without the channels",
       "At {layer}, the flattened length is the product of all axes, channels included (H·W·C).",
       "n = H·W·C → n = H·W", 3, changes_shape=True,
       reshape=lambda ly, i, o: (spatial(i),)),
    entry("dense_on_ndim_assumed_flat", Step.DENSE_INPUT, frozenset({"dense"}),
       "dense on a multi-axis input counted as if flattened",
       "{layer} gets a multi-axis input without Flatten: it acts on the last axis only, so n_in "
       "is that axis's size.",
       "(C + 1)·n_out → (H·W·C + 1)·n_out", 2, changes_shape=True,
       when=lambda c: len(c.in_shape) > 1,
       weight_input=lambda s: (math.prod(s),), reshape=lambda ly, i, o: (o[-1],)),
    entry("flatten_omitted", Step.FLATTEN, frozenset({"flatten"}),
       "Flatten left out, so the dense layer acts on the channel axis",
       "{layer} flattens H·W·C into one vector: the next dense layer sees all H·W·C values, "
       "not only the C channels.",
       "(H·W·C + 1)·n_out → (C + 1)·n_out", 2, changes_shape=True,
       when=lambda c: len(c.in_shape) > 1, reshape=lambda ly, i, o: i,
       source="issue 14 (posted answers)"),
    entry("output_layer_omitted", Step.OUTPUT_LAYER, frozenset({"dense"}), "output layer left out",
       "The output layer {layer} has parameters too: count it.",
       "… + (n_in + 1)·n_out → …", 2,
       when=lambda c: c.is_last_param and any(n.layer.has_weights for n in c.network.nodes[:c.index]),
       reweigh=lambda ly, i, o, ws: ()),
    entry("color_as_gray", Step.INPUT_CHANNELS, frozenset({"input"}),
       "multi-channel input taken as one channel",
       "The input image has several colour channels: the first layer's C_in is that count, not 1.",
       "C_img → 1", 2, changes_shape=True,
       when=lambda n: bool(n.input.spatial) and n.input.channels > 1, input=channels(lambda c: 1)),
    entry("cmyk_as_rgb", Step.INPUT_CHANNELS, frozenset({"input"}),
       "four-channel input taken as three",
       "A CMYK (or RGBA) image has four channels, not three like RGB.",
       "C_img = 4 → 3", 2, changes_shape=True,
       when=lambda n: bool(n.input.spatial) and n.input.channels == 4, input=channels(lambda c: 3)),
    entry("gray_as_color", Step.INPUT_CHANNELS, frozenset({"input"}),
       "grayscale input taken as three channels",
       "A grayscale image has one channel, not three.",
       "C_img = 1 → 3", 2, changes_shape=True, when=_gray, input=channels(lambda c: 3)),
)
