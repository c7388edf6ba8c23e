"""Registrations of the convolutions: standard (grouped), transposed, depthwise, separable."""

from __future__ import annotations

import random
from typing import Any

from ...errors import ConfigError
from ..conv import Conv, ConvTranspose, DepthwiseConv, SeparableConv
from .base import Args, Code, Kind, Reading, k
from .read import keras_padding, keras_tuple, tup
from .read import torch_padding as read_torch_padding
from .words import bias_note, dims, pad, plural, stride

__all__ = ["KINDS"]

WINDOW = ("kernel", "strides", "padding", "dilation")
# Keras positional arguments (keras/src/layers/convolutional/conv2d.py and siblings)
K_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups")
K_TCONV = ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format",
           "dilation_rate")
K_DEPTHWISE = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format",
               "dilation_rate")
K_SEPARABLE = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "depth_multiplier")
# torch.nn positional arguments (torch/nn/modules/conv.py)
T_CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
          "bias", "padding_mode", "device", "dtype")
T_TCONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
           "groups", "bias", "dilation", "padding_mode", "device", "dtype")


# -- Keras ------------------------------------------------------------------------------------
def _keras(cls: str) -> Any:
    def snippet(layer: Any, code: Code) -> str:
        if not isinstance(layer.padding, str):
            raise ConfigError(f"{layer.name}: Keras has no integer padding; show it as prose.")
        args = [] if isinstance(layer, DepthwiseConv) else [str(layer.filters)]
        args.append(k(layer.kernel))
        if any(s != 1 for s in layer.strides):
            args.append(f"strides={k(layer.strides)}")
        args.append(f'padding="{layer.padding}"')
        if any(d != 1 for d in layer.dilation):
            args.append(f"dilation_rate={k(layer.dilation)}")
        if isinstance(layer, Conv) and layer.groups != 1:
            args.append(f"groups={layer.groups}")
        if isinstance(layer, DepthwiseConv | SeparableConv) and layer.depth_multiplier != 1:
            args.append(f"depth_multiplier={layer.depth_multiplier}")
        if not layer.use_bias:
            args.append("use_bias=False")
        act = ', activation="relu"' if code.relu else ""
        return f"layers.{cls}({', '.join(args)}{act}, name=\"{layer.name}\")"
    return snippet


# -- PyTorch ----------------------------------------------------------------------------------
def torch_padding(layer: Any) -> list[str]:
    if layer.padding == "valid":
        return []
    if layer.padding == "same":
        if any(s != 1 for s in layer.strides):
            raise ConfigError(f"{layer.name}: PyTorch has no 'same' padding for stride > 1.")
        return ['padding="same"']
    return [f"padding={k(layer.padding)}"]


def _torch_extra(layer: Any) -> list[str]:
    extra = []
    if any(s != 1 for s in layer.strides):
        extra.append(f"stride={k(layer.strides)}")
    if isinstance(layer, ConvTranspose):
        if layer.padding == "same":
            raise ConfigError(f"{layer.name}: PyTorch has no 'same' transposed convolution.")
        if layer.output_padding is not None:
            extra.append(f"output_padding={k(layer.output_padding)}")
    extra += torch_padding(layer) if layer.padding != "valid" else []
    if any(d != 1 for d in layer.dilation):
        extra.append(f"dilation={k(layer.dilation)}")
    return extra


def _torch_conv(layer: Conv, code: Code) -> str:
    c, kernel = code.in_shape[-1], f"kernel_size={k(layer.kernel)}"
    nobias = [] if layer.use_bias else ["bias=False"]
    groups = [f"groups={layer.groups}"] if layer.groups != 1 else []
    if code.lazy and not groups:  # the hard listing: the input channels are not shown
        return (f"nn.LazyConv{layer.rank}d("
                f"{', '.join([str(layer.filters), kernel, *_torch_extra(layer), *nobias])})")
    return (f"nn.Conv{layer.rank}d("
            f"{', '.join([str(c), str(layer.filters), kernel, *_torch_extra(layer), *groups, *nobias])})")


def _torch_tconv(layer: ConvTranspose, code: Code) -> str:
    c, kernel = code.in_shape[-1], f"kernel_size={k(layer.kernel)}"
    nobias = [] if layer.use_bias else ["bias=False"]
    return (f"nn.ConvTranspose{layer.rank}d("
            f"{', '.join([str(c), str(layer.filters), kernel, *_torch_extra(layer), *nobias])})")


def _torch_depthwise(layer: DepthwiseConv, code: Code) -> str:
    c, kernel = code.in_shape[-1], f"kernel_size={k(layer.kernel)}"
    m = c * layer.depth_multiplier
    nobias = [] if layer.use_bias else ["bias=False"]
    return (f"nn.Conv{layer.rank}d("
            f"{', '.join([str(c), str(m), kernel, *_torch_extra(layer), f'groups={c}', *nobias])})")


def _torch_separable(layer: SeparableConv, code: Code) -> str:
    c, kernel, r = code.in_shape[-1], f"kernel_size={k(layer.kernel)}", layer.rank
    m = c * layer.depth_multiplier
    nobias = [] if layer.use_bias else ["bias=False"]
    extra = _torch_extra(layer)
    depthwise = f"nn.Conv{r}d({', '.join([str(c), str(m), kernel, *extra, f'groups={c}', 'bias=False'])})"
    pointwise = f"nn.Conv{r}d({', '.join([str(m), str(layer.filters), 'kernel_size=1', *nobias])})"
    return (f"nn.Sequential(  # depthwise, then pointwise\n            {depthwise},\n"
            f"            {pointwise},\n        )")


# -- reading ----------------------------------------------------------------------------------
#: Keras 1's separate kernel sizes (Convolution2D(32, 3, 3)): positional names the importer
#: gives the call (:mod:`generator.importers.keras_layers`)
KERAS1_KERNEL = ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3")


def read_keras(a: Args, cls: str, e: Kind) -> Reading:
    rank, fam = e.rank, e.family
    parts = [p for p in KERAS1_KERNEL if p in a]
    kernel = tuple(a.get(p) for p in parts) if parts else None
    options: dict[str, Any] = {}
    if kernel is None:
        if "kernel_size" not in a:
            a.fail(f"the kernel size is missing; write it, e.g. {cls}(32, 3).")
        kernel = keras_tuple(a, "kernel_size", rank, None)
    if fam != "depthwise":
        if "filters" not in a:
            a.fail(f"the number of filters is missing; write it, e.g. {cls}(32, 3).")
        options["filters"] = a.get("filters")
    dilation = keras_tuple(a, "dilation_rate", rank, 1)
    options |= {"kernel": kernel, "strides": keras_tuple(a, "strides", rank, 1),
                "padding": keras_padding(a, kernel, dilation), "bias": a.get("use_bias", True)}
    if any(d != 1 for d in dilation):
        options["dilation"] = dilation
    for key in ("groups", "depth_multiplier", "output_padding"):
        if a.get(key) is not None:
            options[key] = keras_tuple(a, key, rank, 0) if key == "output_padding" else a.get(key)
    return Reading(options=options, known={
        "filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias", "groups",
        "depth_multiplier", "output_padding", "stack_size", *parts})


def read_torch(a: Args, cls: str, e: Kind) -> Reading:
    rank, transposed = e.rank, e.family == "conv_transpose"
    for key in ("out_channels", "kernel_size"):
        if key not in a:
            a.fail(f"{key} is missing; write it, e.g. nn.{cls}(3, 16, 3).")
    strides, dilation = tup(a.get("stride", 1), rank), tup(a.get("dilation", 1), rank)
    options = {"filters": a.get("out_channels"), "kernel": tup(a.get("kernel_size"), rank),
               "strides": strides, "padding": read_torch_padding(a, rank, strides, explicit=transposed),
               "bias": a.get("bias", True)}
    if any(d != 1 for d in dilation):
        options["dilation"] = dilation
    groups = a.get("groups", 1)
    if transposed:
        if groups != 1:
            a.fail("grouped transposed convolutions are not sized by cnnquiz.")
        options["output_padding"] = tup(a.get("output_padding", 0), rank)
    elif groups != 1:
        options["groups"] = groups
    expect = {"in_channels": a.get("in_channels")} if "in_channels" in a else {}
    return Reading(options=options, expect=expect)


# -- words ------------------------------------------------------------------------------------
def _words_conv(layer: Conv, rng: random.Random, default_bias: bool) -> str:
    extra = ""
    if any(d != 1 for d in layer.dilation):
        extra += f", dilation {dims(layer.dilation[:1]) if len(set(layer.dilation)) == 1 else dims(layer.dilation)}"
    if layer.groups != 1:
        extra += f", {layer.groups} groups (grouped convolution, as in AlexNet)"
    extra += bias_note(layer, default_bias)
    kk = dims(layer.kernel)
    return rng.choice((
        f"convolutional layer with {plural(layer.filters, 'filter')} of {kk}, "
        f"{stride(layer)}, {pad(layer)}{extra}",
        f"convolution, {plural(layer.filters, 'kernel')} of size {kk} ({stride(layer)}, "
        f"{pad(layer)}){extra}",
        f"{plural(layer.filters, 'convolution filter')} of size {kk} applied with "
        f"{stride(layer)} and {pad(layer)}{extra}",
    ))


def _words_tconv(layer: ConvTranspose, rng: random.Random, default_bias: bool) -> str:
    if layer.padding == "same":
        how = "'same' padding (as in Keras: the output is the input size times the stride)"
    elif layer.padding == "valid":
        how = "no padding ('valid')"
    else:
        how = f"padding {layer.padding[0]} (as PyTorch's ConvTranspose defines it)"
    return (f"transposed convolution with {plural(layer.filters, 'filter')} of {dims(layer.kernel)}, "
            f"{stride(layer)}, {how}{bias_note(layer, default_bias)}")


def _words_depthwise(layer: DepthwiseConv, rng: random.Random, default_bias: bool) -> str:
    dm = f", depth multiplier {layer.depth_multiplier}" if layer.depth_multiplier != 1 else \
        ", depth multiplier 1"
    return (f"depthwise convolution (one {dims(layer.kernel)} filter per input channel{dm}), "
            f"{stride(layer)}, {pad(layer)}{bias_note(layer, default_bias)}")


def _words_separable(layer: SeparableConv, rng: random.Random, default_bias: bool) -> str:
    dm = f", depth multiplier {layer.depth_multiplier}" if layer.depth_multiplier != 1 else ""
    return (f"depthwise-separable convolution with {plural(layer.filters, 'output filter')}: a "
            f"{dims(layer.kernel)} depthwise step{dm} without bias, then a 1×1 pointwise step"
            f"{' with one bias per filter' if layer.use_bias else ' without bias'}; "
            f"{stride(layer)}, {pad(layer)}")


def _example(r: int, **options: Any) -> tuple[tuple[int, ...], dict[str, Any]]:
    return ((9,) * r + (3,), {"kernel": 3, "strides": 2, **options})


KINDS: list[Kind] = []
for _r in (1, 2, 3):
    KINDS += [
        Kind(kind=f"conv{_r}d", cls=Conv, fixed={"rank": _r}, family="conv",
             options=("filters", *WINDOW, "groups", "bias", "frozen"),
             required=("filters", "kernel"), glyph=f"Conv{_r}D",
             keras={n: K_CONV for n in (f"Conv{_r}D", f"Convolution{_r}D",
                                        f"AtrousConvolution{_r}D")},
             torch={f"Conv{_r}d": T_CONV, f"LazyConv{_r}d": T_CONV[1:]},
             keras_read=read_keras, torch_read=read_torch,
             keras_code=_keras(f"Conv{_r}D"), torch_code=_torch_conv, wording=_words_conv,
             example=_example(_r, filters=4)),
        Kind(kind=f"conv{_r}d_transpose", cls=ConvTranspose, fixed={"rank": _r},
             family="conv_transpose",
             options=("filters", *WINDOW, "output_padding", "bias", "frozen"),
             required=("filters", "kernel"), glyph=f"Conv{_r}DTranspose",
             keras={n: K_TCONV for n in (f"Conv{_r}DTranspose", f"Convolution{_r}DTranspose",
                                         f"Deconvolution{_r}D")},
             torch={f"ConvTranspose{_r}d": T_TCONV},
             keras_read=read_keras, torch_read=read_torch,
             keras_code=_keras(f"Conv{_r}DTranspose"), torch_code=_torch_tconv,
             wording=_words_tconv, example=_example(_r, filters=4)),
    ]
for _r in (1, 2):
    KINDS += [
        Kind(kind=f"depthwise_conv{_r}d", cls=DepthwiseConv, fixed={"rank": _r},
             family="depthwise",
             options=("kernel", "strides", "padding", "dilation", "depth_multiplier", "bias",
                      "frozen"),
             required=("kernel",), glyph=f"DepthwiseConv{_r}D",
             keras={f"DepthwiseConv{_r}D": K_DEPTHWISE},
             keras_read=read_keras,
             keras_code=_keras(f"DepthwiseConv{_r}D"), torch_code=_torch_depthwise,
             wording=_words_depthwise,
             example=_example(_r, depth_multiplier=2)),
        Kind(kind=f"separable_conv{_r}d", cls=SeparableConv, fixed={"rank": _r},
             family="separable",
             options=("filters", *WINDOW, "depth_multiplier", "bias", "frozen"),
             required=("filters", "kernel"), glyph=f"SeparableConv{_r}D",
             keras={n: K_SEPARABLE for n in (f"SeparableConv{_r}D",
                                             f"SeparableConvolution{_r}D")},
             keras_read=read_keras,
             keras_code=_keras(f"SeparableConv{_r}D"), torch_code=_torch_separable,
             wording=_words_separable,
             example=_example(_r, filters=5)),
    ]
