"""Registrations of layer norm, group norm, PReLU and embedding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import ConfigError
from ..base import Shape, fmt_shape
from ..norm import (
    Embedding,
    GroupNormalization,
    LayerNormalization,
    Parameter,
    PReLU,
    channels_first,
)
from .base import Args, Code, Kind, Reading, name_arg
from .read import axes, sizes, tup, whole

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


# -- reading ----------------------------------------------------------------------------------
def _keras_read_norm(a: Args, cls: str, e: Kind) -> Reading:
    options = {"center": a.get("center", True), "scale": a.get("scale", True)}
    if e.kind == "group_normalization":
        options["groups"] = a.get("groups", 32)
    axis = a.get("axis", -1)
    if e.kind == "layer_normalization" and axis != -1:
        options["axis"] = list(axis) if isinstance(axis, tuple | list) else [axis]
    elif axis not in (-1,):
        a.fail(f"axis={axis} normalises another axis than the channels; cnnquiz counts the last "
               "(channel) axis. Use axis=-1.")
    return Reading(options=options, known={"center", "scale", "groups", "rms_scaling"})


def _layer_norm_entry(shape: Shape, options: Mapping[str, Any]) -> dict[str, Any]:
    """nn.LayerNorm(normalized_shape): the trailing axes of the channels-first input, as Keras
    axes of the channels-last one."""
    want = tuple(options["normalized_shape"])
    n, first = len(shape), channels_first(len(shape))
    torch_shape = tuple(shape[i] for i in first)
    if len(want) > n or torch_shape[n - len(want):] != want:
        raise ConfigError(f"normalized_shape {want} must be the trailing sizes of its input, "
                          f"which is {torch_shape} channels first (shape {fmt_shape(shape)} "
                          "channels last).")
    axes = sorted(i + 1 for i in first[n - len(want):])
    entry: dict[str, Any] = {"type": "layer_normalization", "center": options["center"],
                             "scale": options["scale"]}
    if axes != [n]:
        entry["axis"] = axes
    return entry


def _torch_read_ln(a: Args, cls: str, e: Kind) -> Reading:
    # torch/nn/modules/normalization.py: γ (and β unless bias=False)
    if "normalized_shape" not in a:
        a.fail("normalized_shape is missing.")
    affine = bool(a.get("elementwise_affine", True))
    return Reading(kind="torch_layer_norm", later=_layer_norm_entry, options={
        "normalized_shape": tup(a.get("normalized_shape"), 1), "scale": affine,
        "center": affine and bool(a.get("bias", True))})


def _torch_read_gn(a: Args, cls: str, e: Kind) -> Reading:
    affine = bool(a.get("affine", True))
    return Reading(options={"groups": a.get("num_groups"), "center": affine, "scale": affine},
                   expect={"num_features": a.get("num_channels")})


def _keras_read_prelu(a: Args, cls: str, e: Kind) -> Reading:
    shared = a.get("shared_axes")
    return Reading(options={"shared_axes": [] if shared is None else list(
        shared if isinstance(shared, tuple) else (shared,))}, known={"shared_axes"})


def _prelu_entry(shape: Shape, options: Mapping[str, Any]) -> dict[str, Any]:
    """nn.PReLU(n): one slope (shared along every axis) or one per channel."""
    n = options["num_parameters"]
    if n == 1:
        return {"type": "prelu", "shared_axes": list(range(1, len(shape) + 1))}
    if n != shape[-1]:
        raise ConfigError(f"num_parameters={n}, but its input has {shape[-1]} channels; "
                          "nn.PReLU has one slope or one per channel.")
    return {"type": "prelu", "shared_axes": list(range(1, len(shape))) if len(shape) > 1 else []}


def _keras_read_embedding(a: Args, cls: str, e: Kind) -> Reading:
    out_key = "units" if "units" in a else "output_dim"  # Keras 1's output_dim is renamed
    for key in ("input_dim", out_key):
        if key not in a:
            a.fail(f"{key} is missing; write it, e.g. Embedding(1000, 64).")
    length = a.get("input_length") if "input_length" in a else None
    # input_dim is the vocabulary, input_length the sequence length (the input shape)
    return Reading(options={"input_dim": a.get("input_dim"), "output_dim": a.get(out_key)},
                   known={"input_dim", "output_dim", "units", "mask_zero", "input_length"},
                   declared=(length,) if length is not None else ())


KINDS: list[Kind] = [
    Kind(kind="layer_normalization", cls=LayerNormalization, family="layer_normalization",
         options=("center", "scale", "frozen", "axis"), glyph="layer_normalization",
         parse={"axis": axes},
         keras={"LayerNormalization": ("axis",)}, torch={"LayerNorm": (
             "normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype")},
         keras_read=_keras_read_norm, torch_read=_torch_read_ln,
         keras_code=_keras_ln, torch_code=_torch_ln,
         example=((4, 4, 6), {"axis": [1, 2, 3], "center": False})),
    Kind(kind="group_normalization", cls=GroupNormalization, family="group_normalization",
         options=("groups", "center", "scale", "frozen"), glyph="group_normalization",
         keras={"GroupNormalization": ("groups", "axis")},
         torch={"GroupNorm": ("num_groups", "num_channels", "eps", "affine", "device", "dtype")},
         keras_read=_keras_read_norm, torch_read=_torch_read_gn,
         keras_code=lambda L, c: f"layers.GroupNormalization({L.groups}, {name_arg(L)}{_flags(L)})",
         torch_code=_torch_gn, example=((6, 6, 8), {"groups": 4})),
    Kind(kind="prelu", cls=PReLU, family="prelu", options=("shared_axes",), glyph="prelu",
         parse={"shared_axes": sizes("shared_axes")},
         keras={"PReLU": ("alpha_initializer",)},
         torch={"PReLU": ("num_parameters", "init", "device", "dtype")},
         keras_read=_keras_read_prelu,
         torch_read=lambda a, cls, e: Reading(kind="torch_prelu", later=_prelu_entry, options={
             "num_parameters": a.get("num_parameters", 1)}),
         keras_code=_keras_prelu, torch_code=_torch_prelu,
         example=((6, 6, 4), {"shared_axes": [1, 2]})),
    Kind(kind="embedding", cls=Embedding, family="embedding", options=("input_dim", "output_dim"),
         required=("input_dim", "output_dim"), glyph="embedding",
         parse={"input_dim": whole("input_dim"), "output_dim": whole("output_dim")},
         keras={"Embedding": ("input_dim", "output_dim")},
         torch={"Embedding": ("num_embeddings", "embedding_dim", "padding_idx", "max_norm",
                              "norm_type", "scale_grad_by_freq", "sparse", "_weight", "_freeze",
                              "device", "dtype")},
         keras_read=_keras_read_embedding,
         torch_read=lambda a, cls, e: Reading(options={"input_dim": a.get("num_embeddings"),
                                                       "output_dim": a.get("embedding_dim")}),
         keras_code=lambda L, c: f"layers.Embedding({L.input_dim}, {L.output_dim}, {name_arg(L)})",
         torch_code=lambda L, c: f"nn.Embedding({L.input_dim}, {L.output_dim})",
         example=((12,), {"input_dim": 100, "output_dim": 8})),
    Kind(kind="parameter", cls=Parameter, family="parameter", options=("shape",),
         required=("shape",), glyph="Parameter", parse={"shape": sizes("shape")}, torch={"Parameter": ("data", "requires_grad")},
         no_keras="Keras has no layer of a bare weight (a custom layer's add_weight)",
         no_torch="a module attribute used in forward() (x * self.scale), not a module",
         example=((6, 6, 8), {"shape": [1, 8, 1, 1]})),
]
