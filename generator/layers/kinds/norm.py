"""Registrations of layer norm, group norm, PReLU and embedding."""

from __future__ import annotations

from ...errors import ConfigError
from ..norm import (
    Embedding,
    GroupNormalization,
    LayerNormalization,
    Parameter,
    PReLU,
    channels_first,
)
from .base import Code, Kind, name_arg

__all__ = ["KINDS"]


def _flags(layer: LayerNormalization) -> str:
    return "".join(f", {o}=False" for o in ("center", "scale") if not getattr(layer, o))


def torch_normalized_shape(layer: LayerNormalization, shape: tuple[int, ...]
                           ) -> tuple[int, ...] | None:
    """``nn.LayerNorm``'s normalized_shape for the layer's axes: the trailing axes of the
    channels-first tensor (C, H, W); None when the axes are not trailing there."""
    first, ours = channels_first(len(shape)), layer.axes(shape)
    trailing = first[len(first) - len(ours):]
    return tuple(shape[i] for i in trailing) if tuple(sorted(trailing)) == ours else None


def _torch_ln(layer: LayerNormalization, code: Code) -> str:
    normalized = torch_normalized_shape(layer, code.in_shape)
    if normalized is None:
        raise ConfigError(f"{layer.name}: nn.LayerNorm normalises the trailing axes of a "
                          f"channels-first tensor; axis {layer.axis} are not trailing there.")
    if layer.scale is False and layer.center:
        raise ConfigError(f"{layer.name}: nn.LayerNorm has no β without γ.")
    flags = ("" if layer.scale else ", elementwise_affine=False") + (
        ", bias=False" if layer.scale and not layer.center else "")
    size = normalized[0] if len(normalized) == 1 else list(normalized)
    return f"nn.LayerNorm({size}{flags})"


def _keras_ln(layer: LayerNormalization, code: Code) -> str:
    axis = "" if layer.axis == (-1,) else f"axis={list(layer.axis)}, "
    return f"layers.LayerNormalization({axis}{name_arg(layer)}{_flags(layer)})"


def _torch_gn(layer: GroupNormalization, code: Code) -> str:
    if layer.center != layer.scale:
        raise ConfigError(f"{layer.name}: nn.GroupNorm has γ and β together.")
    affine = "" if layer.scale else ", affine=False"
    return f"nn.GroupNorm({layer.groups}, {code.in_shape[-1]}{affine})"


def _keras_prelu(layer: PReLU, code: Code) -> str:
    shared = f"shared_axes={list(layer.shared_axes)}, " if layer.shared_axes else ""
    return f"layers.PReLU({shared}{name_arg(layer)})"


def _torch_prelu(layer: PReLU, code: Code) -> str:
    n = len(code.in_shape)
    if set(layer.shared_axes) == set(range(1, n + 1)):
        return "nn.PReLU()"
    if n > 1 and set(layer.shared_axes) == set(range(1, n)):
        return f"nn.PReLU({code.in_shape[-1]})"
    raise ConfigError(f"{layer.name}: nn.PReLU has one slope or one per channel.")


KINDS: list[Kind] = [
    Kind(kind="layer_normalization", cls=LayerNormalization, family="layer_normalization",
         options=("center", "scale", "frozen", "axis"), glyph="layer_normalization",
         keras={"LayerNormalization": ("axis",)}, torch={"LayerNorm": (
             "normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype")},
         keras_code=_keras_ln, torch_code=_torch_ln,
         example=((4, 4, 6), {"axis": [1, 2, 3], "center": False})),
    Kind(kind="group_normalization", cls=GroupNormalization, family="group_normalization",
         options=("groups", "center", "scale", "frozen"), glyph="group_normalization",
         keras={"GroupNormalization": ("groups", "axis")},
         torch={"GroupNorm": ("num_groups", "num_channels", "eps", "affine", "device", "dtype")},
         keras_code=lambda L, c: f"layers.GroupNormalization({L.groups}, {name_arg(L)}{_flags(L)})",
         torch_code=_torch_gn, example=((6, 6, 8), {"groups": 4})),
    Kind(kind="prelu", cls=PReLU, family="prelu", options=("shared_axes",), glyph="prelu",
         keras={"PReLU": ("alpha_initializer",)},
         torch={"PReLU": ("num_parameters", "init", "device", "dtype")},
         keras_code=_keras_prelu, torch_code=_torch_prelu,
         example=((6, 6, 4), {"shared_axes": [1, 2]})),
    Kind(kind="embedding", cls=Embedding, family="embedding", options=("input_dim", "output_dim"),
         required=("input_dim", "output_dim"), glyph="embedding",
         keras={"Embedding": ("input_dim", "output_dim")},
         torch={"Embedding": ("num_embeddings", "embedding_dim", "padding_idx", "max_norm",
                              "norm_type", "scale_grad_by_freq", "sparse", "_weight", "_freeze",
                              "device", "dtype")},
         keras_code=lambda L, c: f"layers.Embedding({L.input_dim}, {L.output_dim}, {name_arg(L)})",
         torch_code=lambda L, c: f"nn.Embedding({L.input_dim}, {L.output_dim})",
         example=((12,), {"input_dim": 100, "output_dim": 8})),
    Kind(kind="parameter", cls=Parameter, family="parameter", options=("shape",),
         required=("shape",), glyph="Parameter", torch={"Parameter": ("data", "requires_grad")},
         no_keras="Keras has no layer of a bare weight (a custom layer's add_weight)",
         no_torch="a module attribute used in forward() (x * self.scale), not a module",
         example=((6, 6, 8), {"shape": [1, 8, 1, 1]})),
]
