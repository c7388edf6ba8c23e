"""Parameter-free layers, trainable pooling, batch normalization, sharing, trainability."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..buggy import LayerCtx
from ..layers import PoolWeights, Shape, Weight
from ..network import Count
from .base import CONV, Misconception, Step, entry, per_position

__all__ = ["ENTRIES"]


def _all_trainable(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(replace(w, trainable=True) for w in ws)


def _pool_like_conv(layer: Any, i: Shape, o: Shape, ws: tuple[Weight, ...]) -> tuple[Weight, ...]:
    k = tuple(getattr(layer, "kernel", (1,)))
    return (Weight("kernel", (*k, i[-1])), Weight("bias", (i[-1],)))


def _count_is_total(c: LayerCtx) -> bool:
    return c.network.count == Count.TOTAL


#: catalogue order within the family (stable ids; the grader breaks ties by this order)
ENTRIES: tuple[Misconception, ...] = (
    entry("pooling_has_params", Step.PARAMETER_FREE, frozenset({"pool", "global_pool"}),
       "pooling given weights like a conv",
       "{layer} is plain pooling: it has no weights.",
       "0 → (k_h·k_w + 1)·C", 2,
       when=lambda c: not c.layer.has_weights, reweigh=_pool_like_conv),
    # (global pooling: the same 2·C as pooling_has_params with its 1×1 window)
    entry("pooling_given_scale_bias", Step.PARAMETER_FREE, frozenset({"pool"}),
       "plain pooling given a coefficient and a bias per channel",
       "{layer} is plain pooling: it has no coefficient, bias or any other weight.",
       "0 → 2·C", 1, when=lambda c: not c.layer.has_weights,
       reweigh=lambda ly, i, o, ws: (Weight("coefficient", (i[-1],)), Weight("bias", (i[-1],))),
       source="issue 14 (practice sessions)"),
    entry("nonparam_layer_counted", Step.PARAMETER_FREE,
       frozenset({"flatten", "dropout", "activation", "local_response_normalization"}),
       "a parameter-free layer given weights",
       "{layer} has no weights (it only reshapes, drops or transforms values).",
       "0 → C", 2, reweigh=lambda ly, i, o, ws: (Weight("weight", (i[-1],)),)),
    entry("pool_weights_omitted", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "trainable pooling weights left out",
       "{layer} is a trainable (LeNet-style) pooling layer: count its coefficient and bias per "
       "channel.",
       "2·C → 0", 2, when=lambda c: c.layer.has_weights,
       rewrite=lambda ly: replace(ly, trainable=PoolWeights.NONE)),
    entry("pool_weights_per_position", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "pooling weights counted per output position",
       "In {layer}, the pooling coefficient and bias are shared by all positions of a channel: "
       "count them per channel.",
       "2·C → 2·C·H_out·W_out", 1, when=lambda c: c.layer.has_weights, reweigh=per_position),
    entry("pool_weights_conv_like", Step.POOL_WEIGHTS, frozenset({"pool"}),
       "trainable pooling counted like a conv",
       "In {layer}, the whole window shares one coefficient per channel (plus a bias), not one "
       "weight per window cell.",
       "2·C → (k_h·k_w + 1)·C", 1, when=lambda c: c.layer.has_weights, reweigh=_pool_like_conv),
    entry("bn_moving_stats_trainable", Step.TRAINABILITY, frozenset({"batch_normalization"}),
       "batch-norm moving statistics counted as trainable",
       "In {layer}, only γ and β are trainable; the moving mean and variance are not.",
       "2·C → 4·C", 3, reweigh=_all_trainable),
    entry("bn_moving_stats_left_out", Step.TRAINABILITY, frozenset({"batch_normalization"}),
       "only γ and β counted when all batch-norm parameters are asked for",
       "The question counts all parameters: {layer} also holds a moving mean and a moving "
       "variance per channel (non-trainable, but parameters).",
       "4·C → 2·C", 2, when=_count_is_total,
       reweigh=lambda ly, i, o, ws: tuple(w for w in ws if w.trainable),
       source="issue 14 (practice sessions)"),
    entry("bn_params_omitted", Step.NORMALIZATION, frozenset({"batch_normalization"}),
       "batch-norm parameters left out",
       "{layer} has a scale γ and a shift β per channel (plus non-trainable moving statistics).",
       "2·C → 0", 2, reweigh=lambda ly, i, o, ws: ()),
    entry("bn_per_activation", Step.NORMALIZATION, frozenset({"batch_normalization"}),
       "batch-norm parameters counted per activation",
       "In {layer}, γ and β are per channel, shared over all positions.",
       "2·C → 2·H·W·C", 0, reweigh=lambda ly, i, o, ws: tuple(replace(w, shape=i) for w in ws)),
    entry("frozen_counted_trainable", Step.TRAINABILITY, CONV | {"dense", "batch_normalization"},
       "frozen layer counted as trainable",
       "{layer} is frozen: its weights are not trainable.",
       "Σ unfrozen → Σ all", 2, when=lambda c: getattr(c.layer, "frozen", False),
       rewrite=lambda ly: replace(ly, frozen=False)),
    entry("shared_weights_double_counted", Step.SHARING, CONV | {"dense"},
       "shared weights counted at every use",
       "{layer} reuses the weights of an earlier layer: they are counted once, at their owner.",
       "Σ unique → Σ per use", 2, when=lambda c: c.node.shares is not None, unshare=True),
    entry("activations_as_params", Step.WEIGHT_SHARING, frozenset({"conv"}),
       "activations counted instead of parameters",
       "For {layer}, count weights, not output values (H_out·W_out·C_out is the activation count).",
       "(k_h·k_w·C_in + 1)·C_out → H_out·W_out·C_out", 2,
       reweigh=lambda ly, i, o, ws: (Weight("activations", o),)),
)
