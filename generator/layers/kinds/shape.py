"""Registrations of the layers that move values without weights: upsampling, zero padding,
cropping, reshape, permute, identity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import ConfigError
from ..base import Shape, fmt_shape
from ..reshape import (
    Cropping,
    Identity,
    Permute,
    PixelShuffle,
    Reshape,
    Resizing,
    UpSampling,
    ZeroPadding,
)
from .base import Args, Code, Kind, Reading, k, name_arg
from .read import (
    ints,
    keras_tuple,
    keras_zero_padding,
    pairs,
    per_axis,
    sizes,
    torch_zero_padding,
    whole,
)

__all__ = ["KINDS"]


def _pairs(pairs: tuple[tuple[int, int], ...]) -> str:
    return str(tuple(tuple(p) for p in pairs)) if len(pairs) > 1 else str(tuple(pairs[0]))


def _torch_zero_pad(layer: ZeroPadding, code: Code) -> str:
    flat = tuple(x for pair in reversed(layer.padding) for x in pair)  # last axis first
    return f"nn.ZeroPad{layer.rank}d({flat})"


def _torch_reshape(layer: Reshape, code: Code) -> str:
    if len(code.in_shape) != 1:
        raise ConfigError(f"{layer.name}: shown in PyTorch only from a flat input (nn.Unflatten).")
    out = layer.output_shape(code.in_shape)
    first = (out[-1], *out[:-1]) if len(out) > 1 else out  # channels first
    return f"nn.Unflatten(1, {first})"


def _torch_upsample(layer: UpSampling, code: Code) -> str:
    return f"nn.Upsample(scale_factor={k(layer.size)})"


def _keras_resizing(layer: Resizing, code: Code) -> str:
    height, width = layer.size
    return f'layers.Resizing({height}, {width}, interpolation="nearest", {name_arg(layer)})'


# -- reading ----------------------------------------------------------------------------------
def _keras_read_shape(a: Args, cls: str, e: Kind) -> Reading:
    key = "target_shape" if e.kind == "reshape" else "dims"
    if key not in a:
        a.fail(f"{key} is missing; write it, e.g. {cls}((4, 4, 2)).")
    value = a.get(key)
    return Reading(options={key: list(value) if isinstance(value, tuple) else [value]},
                   known={key})


def _torch_read_unflatten(a: Args, cls: str, e: Kind) -> Reading:
    if a.get("dim") not in (1, -1):
        a.fail("cnnquiz unflattens the feature axis (dim=1) only.")
    sizes = a.get("unflattened_size")
    sizes = sizes if isinstance(sizes, tuple) else (sizes,)
    # channels first (C, H, W) -> channels last (H, W, C)
    return Reading(options={"target_shape": [*sizes[1:], sizes[0]]})


def _upsample_entry(shape: Shape, options: Mapping[str, Any]) -> dict[str, Any]:
    """nn.Upsample: resizing to ``size`` or up-sampling by ``factor``, of the input's rank."""
    rank = len(shape) - 1
    if rank not in (1, 2, 3):
        raise ConfigError(f"needs a feature map with 1 to 3 spatial axes; its input has shape "
                          f"{fmt_shape(shape)}.")
    if "size" in options:
        size = options["size"]
        return {"type": f"resizing{rank}d",
                "size": list(size) if isinstance(size, tuple) else [size] * rank}
    f = options["factor"]
    return {"type": f"up_sampling{rank}d",
            "size": [int(x) for x in f] if isinstance(f, tuple) else [int(f)] * rank}


def _torch_read_upsample(a: Args, cls: str, e: Kind) -> Reading:
    """nn.Upsample(size=) (the output size, whatever the input's) or (scale_factor=)."""
    if a.get("size") is not None:
        if a.get("scale_factor") is not None:
            a.fail("give size or scale_factor, not both (PyTorch refuses both).")
        options = {"size": a.get("size")}
    else:
        factor = a.get("scale_factor", None)
        if factor is None or isinstance(factor, float) and not factor.is_integer():
            a.fail("give a whole scale_factor (e.g. scale_factor=2).")
        options = {"factor": factor}
    return Reading(kind="torch_upsample", options=options, later=_upsample_entry)


def _keras_read_cropping(a: Args, cls: str, e: Kind) -> Reading:
    v = a.get("cropping", 1)
    pairs = [v] * e.rank if ints(v) else list(v) if e.rank > 1 else [v]
    return Reading(options={"cropping": [list(p) if isinstance(p, tuple) else p for p in pairs]},
                   known={"cropping"})


def _keras_read_resizing(a: Args, cls: str, e: Kind) -> Reading:
    # keras/src/layers/preprocessing/image_preprocessing/resizing.py
    for key in ("height", "width"):
        if key not in a:
            a.fail(f"{key} is missing.")
    return Reading(options={"size": [a.get("height"), a.get("width")]}, known={
        "height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
        "fill_mode", "fill_value"})


def _skip(a: Args, cls: str, e: Kind) -> Reading:
    return Reading(skip=True)


KINDS: list[Kind] = [
    Kind(kind="reshape", cls=Reshape, family="reshape", options=("target_shape",),
         parse={"target_shape": sizes("target_shape", allow=-1)},
         required=("target_shape",), glyph="reshape", keras={"Reshape": ("target_shape",)},
         torch={"Unflatten": ("dim", "unflattened_size")},
         keras_read=_keras_read_shape, torch_read=_torch_read_unflatten,
         keras_code=lambda L, c: f"layers.Reshape({tuple(L.target_shape)}, {name_arg(L)})",
         torch_code=_torch_reshape, example=((48,), {"target_shape": [4, 4, 3]})),
    Kind(kind="permute", cls=Permute, family="permute", options=("dims",), required=("dims",),
         parse={"dims": sizes("dims")},
         glyph="permute", keras={"Permute": ("dims",)}, keras_read=_keras_read_shape,
         keras_code=lambda L, c: f"layers.Permute({tuple(L.dims)}, {name_arg(L)})",
         no_torch="torch has no permute module (x.permute(...) in forward)",
         example=((10, 3), {"dims": [2, 1]})),
    Kind(kind="pixel_shuffle", cls=PixelShuffle, family="pixel_shuffle",
         options=("upscale_factor",), required=("upscale_factor",),
         parse={"upscale_factor": whole("upscale_factor")}, glyph="PixelShuffle",
         torch={"PixelShuffle": ("upscale_factor",)},
         torch_read=lambda a, cls, e: Reading(options={"upscale_factor": a.get(
             "upscale_factor")}) if "upscale_factor" in a else a.fail("upscale_factor is missing."),
         torch_code=lambda L, c: f"nn.PixelShuffle({L.upscale_factor})",
         no_keras="Keras 3 has no pixel-shuffle layer (tf.nn.depth_to_space in a Lambda)",
         example=((3, 4, 8), {"upscale_factor": 2})),
    Kind(kind="identity", cls=Identity, family="identity", glyph="identity",
         keras={"Identity": ()}, torch={"Identity": ()}, keras_read=_skip, torch_read=_skip,
         keras_code=lambda L, c: f"layers.Identity({name_arg(L)})",
         torch_code=lambda L, c: "nn.Identity()", example=((6, 6, 3), {}),
         example_after=({"type": "flatten"},)),
]
for _r in (1, 2, 3):
    KINDS += [
        Kind(kind=f"up_sampling{_r}d", cls=UpSampling, fixed={"rank": _r}, family="up_sampling",
             options=("size",), parse={"size": per_axis("size")}, glyph=f"up_sampling{_r}d",
             keras={f"UpSampling{_r}D": ("size",)},
             torch={"Upsample": ("size", "scale_factor", "mode", "align_corners",
                                 "recompute_scale_factor"),
                    "UpsamplingNearest2d": ("size", "scale_factor"),
                    "UpsamplingBilinear2d": ("size", "scale_factor")} if _r == 2 else {},
             keras_read=lambda a, cls, e: Reading(options={"size": keras_tuple(
                 a, "size", e.rank, 2)}, known={"size", "interpolation"}),
             torch_read=_torch_read_upsample if _r == 2 else None,
             keras_code=lambda L, c: f"layers.UpSampling{L.rank}D({k(L.size)}, {name_arg(L)})",
             torch_code=_torch_upsample, example=((5,) * _r + (3,), {"size": 2})),
        Kind(kind=f"zero_padding{_r}d", cls=ZeroPadding, fixed={"rank": _r},
             family="zero_padding", options=("padding",), parse={"padding": pairs("padding")},
             glyph=f"zero_padding{_r}d",
             keras={f"ZeroPadding{_r}D": ("padding", "data_format")},
             torch={f"ZeroPad{_r}d": ("padding",)},
             keras_read=lambda a, cls, e: Reading(kind="zero_padding", known={"padding"},
                                                  options={"padding": keras_zero_padding(a, e.rank)}),
             torch_read=lambda a, cls, e: Reading(kind="zero_padding", options={
                 "padding": torch_zero_padding(a, e.rank)}),
             keras_code=lambda L, c: f"layers.ZeroPadding{L.rank}D({_pairs(L.padding)}, {name_arg(L)})",
             torch_code=_torch_zero_pad, example=((6,) * _r + (3,), {"padding": 1}),
             example_after=({"type": f"conv{_r}d", "filters": 2, "kernel": 3},)),
        Kind(kind=f"cropping{_r}d", cls=Cropping, fixed={"rank": _r}, family="cropping",
             options=("cropping",), parse={"cropping": pairs("cropping")},
             glyph=f"cropping{_r}d",
             keras={f"Cropping{_r}D": ("cropping", "data_format")},
             keras_read=_keras_read_cropping,
             keras_code=lambda L, c: f"layers.Cropping{L.rank}D({_pairs(L.cropping)}, {name_arg(L)})",
             no_torch="torch has no cropping module (slicing in forward)",
             example=((8,) * _r + (3,), {"cropping": 1})),
        Kind(kind=f"resizing{_r}d", cls=Resizing, fixed={"rank": _r}, family="resizing",
             options=("size",), required=("size",), parse={"size": per_axis("size")},
             glyph=f"resizing{_r}d",
             keras={"Resizing": ("height", "width", "interpolation", "crop_to_aspect_ratio",
                                 "pad_to_aspect_ratio", "fill_mode", "fill_value",
                                 "data_format")} if _r == 2 else {},
             keras_read=_keras_read_resizing if _r == 2 else None,
             keras_code=_keras_resizing if _r == 2 else None,
             no_keras="" if _r == 2 else "Keras resizes images (2-D) only",
             torch_code=lambda L, c: f"nn.Upsample(size={k(L.size)})",
             example=((5,) * _r + (3,), {"size": [7, 9, 4][:_r]})),
    ]
