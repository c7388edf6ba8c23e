"""Registrations of the layers without a window: dense, flatten, dropout, activations,
batch and local response normalisation."""

from __future__ import annotations

import random
from typing import Any

from ...errors import ConfigError
from ..core import (
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    Flatten,
    LocalResponseNormalization,
)
from .base import Args, Code, Kind, Reading, name_arg
from .read import whole
from .words import bias_note, plural

__all__ = ["KINDS", "TORCH_ACTIVATIONS"]

#: torch.nn activation modules (torch/nn/modules/activation.py); their arguments change no count
TORCH_ACTIVATIONS = (
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Tanh",
    "Sigmoid", "Hardtanh", "Hardswish", "Hardsigmoid", "Softplus", "Softsign", "Softmax",
    "LogSoftmax", "Softmin", "Tanhshrink", "LogSigmoid", "Threshold")
_ACT_ARGS = ("_0", "_1", "_2")
#: Keras activation names -> the torch.nn module printed for them
_TORCH_ACT = {"relu": "ReLU()", "softmax": "Softmax(dim=1)", "tanh": "Tanh()",
              "sigmoid": "Sigmoid()", "elu": "ELU()", "selu": "SELU()", "gelu": "GELU()",
              "silu": "SiLU()", "swish": "SiLU()", "softplus": "Softplus()",
              "softsign": "Softsign()", "relu6": "ReLU6()", "leaky_relu": "LeakyReLU()",
              "mish": "Mish()", "hard_sigmoid": "Hardsigmoid()", "linear": "Identity()"}


def _keras_dense(layer: Dense, code: Code) -> str:
    bias = "" if layer.use_bias else ", use_bias=False"
    act = ', activation="relu"' if code.relu else ""
    return f"layers.Dense({layer.units}{bias}{act}, {name_arg(layer)})"


def _torch_dense(layer: Dense, code: Code) -> str:
    if len(code.in_shape) != 1:
        raise ConfigError(f"{layer.name}: PyTorch's Linear on a multi-axis input is not shown.")
    nobias = "" if layer.use_bias else ", bias=False"
    if code.first_dense or code.lazy:
        return f"nn.LazyLinear({layer.units}{nobias})"
    return f"nn.Linear({code.in_shape[-1]}, {layer.units}{nobias})"


def _torch_bn(layer: BatchNormalization, code: Code) -> str:
    if not (layer.center and layer.scale):
        raise ConfigError(f"{layer.name}: PyTorch BatchNorm has γ and β together.")
    return f"nn.BatchNorm{max(len(code.in_shape) - 1, 1)}d({code.in_shape[-1]})"


def _keras_bn(layer: BatchNormalization, code: Code) -> str:
    opts = "".join(f", {o}=False" for o in ("center", "scale") if not getattr(layer, o))
    return f"layers.BatchNormalization({name_arg(layer)}{opts})"


def _torch_activation(layer: Activation, code: Code) -> str:
    if layer.activation not in _TORCH_ACT:
        raise ConfigError(f"{layer.name}: no PyTorch module printed for {layer.activation}.")
    return f"nn.{_TORCH_ACT[layer.activation]}"


# -- reading ----------------------------------------------------------------------------------
def _keras_read_dense(a: Args, cls: str, e: Kind) -> Reading:
    if "units" not in a:
        a.fail("the number of units is missing; write it, e.g. Dense(10).")
    if a.get("lora_rank") is not None:
        a.fail("lora_rank adds LoRA weights cnnquiz does not count; remove it.")
    return Reading(options={"units": a.get("units"), "bias": a.get("use_bias", True)},
                   known={"units", "use_bias", "lora_rank"})


def _torch_read_dense(a: Args, cls: str, e: Kind) -> Reading:
    expect = {"in_features": a.get("in_features")} if "in_features" in a else {}
    return Reading(options={"units": a.get("out_features"), "bias": a.get("bias", True)},
                   expect=expect)


def _torch_read_flatten(a: Args, cls: str, e: Kind) -> Reading:
    if a.get("start_dim", 1) != 1 or a.get("end_dim", -1) != -1:
        a.fail("cnnquiz flattens everything but the batch axis (start_dim=1, end_dim=-1).")
    return Reading()


def _keras_read_activation(a: Args, cls: str, e: Kind) -> Reading:
    """``Activation("tanh")``, ``Activation(tf.nn.relu)``; LeakyReLU, ELU, ThresholdedReLU
    read as activations of their own name."""
    if cls != "Activation":
        return Reading(options={"activation": {"LeakyReLU": "leaky_relu", "ELU": "elu",
                                               "ThresholdedReLU": "thresholded_relu"}[cls]})
    return Reading(options={"activation": a.word("activation", "linear")}, known={"activation"})


def _torch_read_activation(a: Args, cls: str, e: Kind) -> Reading:
    # no argument of an activation module changes a count (negative_slope, dim, inplace)
    return Reading(options={"activation": cls.lower()} if e.kind == "activation" else {},
                   known=None)


def _keras_read_bn(a: Args, cls: str, e: Kind) -> Reading:
    axis = a.get("axis", -1)
    channel_axis = (1, -3) if a.channels_first else (-1,)
    return Reading(options={"center": a.get("center", True), "scale": a.get("scale", True)},
                   known={"center", "scale"},
                   expect={} if axis in channel_axis else {"axis": axis})


def _torch_read_bn(a: Args, cls: str, e: Kind) -> Reading:
    affine = a.get("affine", True) and a.get("bias", True) is not False
    return Reading(options={"center": bool(affine), "scale": bool(a.get("affine", True))},
                   known={"bias"}, expect={"num_features": a.get("num_features")})


def _words_dense(layer: Dense, rng: random.Random, default_bias: bool) -> str:
    b = bias_note(layer, default_bias)
    return rng.choice((f"fully connected (dense) layer with {plural(layer.units, 'unit')}{b}",
                       f"dense layer, {plural(layer.units, 'neuron')}{b}",
                       f"fully connected layer with {plural(layer.units, 'output')}{b}"))


def _words_flatten(layer: Flatten, rng: random.Random, default_bias: bool) -> str:
    return rng.choice(("flatten", "flattening layer", "flatten to a vector"))


VECTOR: tuple[tuple[int, ...], dict[str, Any]] = ((20,), {})
KINDS: list[Kind] = [
    Kind(kind="flatten", cls=Flatten, family="flatten", glyph="Flatten",
         keras={"Flatten": ("data_format",)}, torch={"Flatten": ("start_dim", "end_dim")},
         keras_read=lambda a, cls, e: Reading(), torch_read=_torch_read_flatten,
         keras_code=lambda L, c: f"layers.Flatten({name_arg(L)})",
         torch_code=lambda L, c: "nn.Flatten()", wording=_words_flatten,
         example=((4, 4, 3), {})),
    Kind(kind="dense", cls=Dense, family="dense", options=("units", "bias", "frozen"),
         required=("units",), glyph="Dense",
         keras={"Dense": ("units", "activation", "use_bias")},
         torch={"Linear": ("in_features", "out_features", "bias", "device", "dtype"),
                "LazyLinear": ("out_features", "bias", "device", "dtype")},
         keras_read=_keras_read_dense, torch_read=_torch_read_dense,
         keras_code=_keras_dense, torch_code=_torch_dense, wording=_words_dense,
         example=(VECTOR[0], {"units": 7})),
    Kind(kind="dropout", cls=Dropout, family="dropout", options=("rate",), glyph="Dropout",
         keras={n: ("rate",) for n in ("Dropout", "AlphaDropout", "GaussianDropout",
                                       "SpatialDropout1D", "SpatialDropout2D",
                                       "SpatialDropout3D")},
         torch={n: ("p", "inplace") for n in ("Dropout", "AlphaDropout", "Dropout1d",
                                              "Dropout2d", "Dropout3d")},
         keras_read=lambda a, cls, e: Reading(options={"rate": a.optional("rate", 0.5)},
                                              known={"rate"}),
         torch_read=lambda a, cls, e: Reading(options={"rate": a.optional("p", 0.5)}),
         keras_code=lambda L, c: f"layers.Dropout({L.rate}, {name_arg(L)})",
         torch_code=lambda L, c: f"nn.Dropout({L.rate})",
         wording=lambda L, rng, b: f"dropout with rate {L.rate}", example=VECTOR),
    Kind(kind="activation", cls=Activation, family="activation", options=("activation",),
         glyph="activation",
         keras={"Activation": ("activation",), "LeakyReLU": (), "ELU": (),
                "ThresholdedReLU": ()},
         torch={n: _ACT_ARGS for n in TORCH_ACTIVATIONS if n not in ("ReLU", "Softmax")},
         keras_read=_keras_read_activation, torch_read=_torch_read_activation,
         keras_code=lambda L, c: f'layers.Activation("{L.activation}", {name_arg(L)})',
         torch_code=_torch_activation, example=(VECTOR[0], {"activation": "tanh"})),
    Kind(kind="relu", cls=Activation, fixed={"activation": "relu"}, family="activation",
         glyph="activation", keras={"ReLU": ()}, torch={"ReLU": _ACT_ARGS},
         keras_read=lambda a, cls, e: Reading(), torch_read=_torch_read_activation,
         keras_code=lambda L, c: f"layers.ReLU({name_arg(L)})", torch_code=_torch_activation,
         example=VECTOR),
    Kind(kind="softmax", cls=Activation, fixed={"activation": "softmax"}, family="activation",
         glyph="activation", keras={"Softmax": ()}, torch={"Softmax": _ACT_ARGS},
         keras_read=lambda a, cls, e: Reading(), torch_read=_torch_read_activation,
         keras_code=lambda L, c: f"layers.Softmax({name_arg(L)})", torch_code=_torch_activation,
         example=VECTOR),
    Kind(kind="batch_normalization", cls=BatchNormalization, family="batch_normalization",
         options=("center", "scale", "frozen"), glyph="BatchNorm",
         keras={"BatchNormalization": ("axis",)},
         torch={f"BatchNorm{r}d": ("num_features", "eps", "momentum", "affine",
                                   "track_running_stats", "device", "dtype") for r in (1, 2, 3)},
         keras_read=_keras_read_bn, torch_read=_torch_read_bn,
         keras_code=_keras_bn, torch_code=_torch_bn,
         wording=lambda L, rng, b: "batch normalization over the channels",
         example=((6, 6, 4), {})),
    Kind(kind="local_response_normalization", cls=LocalResponseNormalization,
         family="local_response_normalization", options=("size",),
         parse={"size": whole("size")},
         glyph="local_response_normalization",
         torch={"LocalResponseNorm": ("size", "alpha", "beta", "k")},
         no_keras="Keras 3 has no local response normalization layer",
         torch_read=lambda a, cls, e: Reading(options={"size": a.get("size")}),
         torch_code=lambda L, c: f"nn.LocalResponseNorm({L.size})",
         example=((6, 6, 8), {"size": 5})),
]
