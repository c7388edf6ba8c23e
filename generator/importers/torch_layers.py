"""One PyTorch module or functional call -> a :class:`~.chain.Ref`, with PyTorch's defaults.

PyTorch is channels-first, cnnquiz channels-last: shapes are converted, counts are equal.
What a module states about its input (``in_channels``, ``in_features``, ``num_features``) is
kept in ``Ref.expect`` and checked against the propagated shape (:mod:`.chain`).

Batch normalisation: PyTorch keeps running mean/variance as buffers, not parameters; cnnquiz
counts them as non-trainable weights, like Keras. The trainable count equals PyTorch's
``sum(p.numel() for p in model.parameters())``, so torch specs ask for trainable parameters.

>>> import ast
>>> call = ast.parse("nn.Conv2d(3, 16, 5, padding=2)").body[0].value
>>> ref = torch_layer(call, "Conv2d", {})
>>> ref.kind, ref.options["padding"], ref.expect
('conv2d', (2, 2), {'in_channels': 3})
"""

from __future__ import annotations

import ast
from collections.abc import MutableMapping
from typing import Any

from .callargs import CallArgs
from .chain import Ref
from .common import fail, fold, snippet, suggest

__all__ = ["FUNCTIONAL", "MODULES", "PASSTHROUGH", "torch_layer", "torch_parameter"]

CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
        "bias", "padding_mode", "device", "dtype")
TCONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
         "groups", "bias", "dilation", "padding_mode", "device", "dtype")
MAXPOOL = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
AVGPOOL = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
           "divisor_override")
ACTIVATIONS = ("ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
               "Tanh", "Sigmoid", "Hardtanh", "Hardswish", "Hardsigmoid", "Softplus", "Softsign",
               "Softmax", "LogSoftmax", "Softmin", "Tanhshrink", "LogSigmoid", "Threshold")
IGNORED = {"padding_mode", "device", "dtype", "return_indices", "count_include_pad",
           "divisor_override", "eps", "momentum", "track_running_stats", "inplace", "end_dim"}
REFUSED = {"ModuleList": "an nn.ModuleList is iterated in a loop; write its layers out",
           "ModuleDict": "an nn.ModuleDict is indexed at run time; write its layers out"}

#: class -> (family, rank, positional names)
MODULES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "Linear": ("dense", 0, ("in_features", "out_features", "bias", "device", "dtype")),
    "LazyLinear": ("dense", 0, ("out_features", "bias", "device", "dtype")),
    "Flatten": ("flatten", 0, ("start_dim", "end_dim")),
    "LocalResponseNorm": ("local_response_normalization", 0, ("size", "alpha", "beta", "k")),
    "Identity": ("skip", 0, ()),
    "PReLU": ("prelu", 0, ("num_parameters", "init", "device", "dtype")),
    "LayerNorm": ("layer_norm", 0, ("normalized_shape", "eps", "elementwise_affine", "bias",
                                    "device", "dtype")),
    "GroupNorm": ("group_normalization", 0, ("num_groups", "num_channels", "eps", "affine",
                                             "device", "dtype")),
    "Embedding": ("embedding", 0, ("num_embeddings", "embedding_dim", "padding_idx",
                                   "max_norm", "norm_type", "scale_grad_by_freq", "sparse",
                                   "_weight", "_freeze", "device", "dtype")),
    "Upsample": ("up_sampling", 0, ("size", "scale_factor", "mode", "align_corners",
                                    "recompute_scale_factor")),
    "UpsamplingNearest2d": ("up_sampling", 0, ("size", "scale_factor")),
    "UpsamplingBilinear2d": ("up_sampling", 0, ("size", "scale_factor")),
    "Unflatten": ("unflatten", 0, ("dim", "unflattened_size")),
    "Dropout": ("dropout", 0, ("p", "inplace")), "AlphaDropout": ("dropout", 0, ("p", "inplace")),
}
for _r in (1, 2, 3):
    MODULES[f"Conv{_r}d"] = ("conv", _r, CONV)
    MODULES[f"LazyConv{_r}d"] = ("conv", _r, CONV[1:])
    MODULES[f"ConvTranspose{_r}d"] = ("conv_transpose", _r, TCONV)
    MODULES[f"MaxPool{_r}d"] = ("max_pooling", _r, MAXPOOL)
    MODULES[f"AvgPool{_r}d"] = ("average_pooling", _r, AVGPOOL if _r > 1 else AVGPOOL[:5])
    MODULES[f"AdaptiveAvgPool{_r}d"] = ("adaptive_average", _r, ("output_size",))
    MODULES[f"AdaptiveMaxPool{_r}d"] = ("adaptive_max", _r, ("output_size", "return_indices"))
    MODULES[f"ZeroPad{_r}d"] = ("zero_padding", _r, ("padding",))
    MODULES[f"BatchNorm{_r}d"] = ("batch_normalization", 0, (
        "num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"))
    MODULES[f"Dropout{_r}d"] = ("dropout", 0, ("p", "inplace"))
for _a in ACTIVATIONS:
    MODULES[_a] = ("activation", 0, ("_0", "_1", "_2"))

#: torch.nn.functional windowed ops that become layers (first argument: the tensor)
FUNCTIONAL = {f"{op}_pool{r}d": cls for r in (1, 2, 3) for op, cls in (
    ("max", f"MaxPool{r}d"), ("avg", f"AvgPool{r}d"), ("adaptive_avg", f"AdaptiveAvgPool{r}d"),
    ("adaptive_max", f"AdaptiveMaxPool{r}d"))}
#: functions and tensor methods that keep the shape (activations, dropout): ignored
PASSTHROUGH = {"relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
               "tanh", "sigmoid", "hardtanh", "hardswish", "hardsigmoid", "softplus", "softsign",
               "softmax", "log_softmax", "softmin", "logsigmoid", "dropout", "dropout1d",
               "dropout2d", "dropout3d", "alpha_dropout", "contiguous", "clone", "float",
               "relu_", "tanh_", "sigmoid_"}


def _tuple(v: Any, rank: int) -> tuple[Any, ...]:
    return tuple(v) if isinstance(v, tuple) else (v,) * rank


def _padding(a: CallArgs, rank: int, strides: tuple[int, ...], explicit: bool = False) -> Any:
    v = a.get("padding", 0)
    if isinstance(v, str):
        if v == "same" and any(s != 1 for s in strides):
            fail(a.call, f"{a.label}: PyTorch refuses padding='same' with stride "
                         f"{strides}; use an explicit padding.")
        if v in ("same", "valid"):
            return v
        fail(a.call, f"{a.label}: padding={v!r}: expected a number, a tuple, 'same' or 'valid'.")
    pad = _tuple(v, rank)
    return "valid" if not explicit and all(p == 0 for p in pad) else pad


def _zero_pad(a: CallArgs, rank: int) -> tuple[int, ...]:
    v = a.get("padding")
    if isinstance(v, int):
        return (v,) * rank
    if isinstance(v, tuple) and len(v) == 2 * rank:  # (left, right, top, bottom, ...) last axis first
        pairs = [v[i:i + 2] for i in range(0, len(v), 2)]
        if all(p[0] == p[1] for p in pairs):
            return tuple(p[0] for p in reversed(pairs))
    fail(a.call, f"{a.label}: padding {v!r} is not the same on both sides of each axis, so it "
                 "cannot be folded into the next layer; use equal sizes.")


def torch_layer(call: ast.Call, cls: str, env: MutableMapping[str, Any], *,
                functional: bool = False, name: str | None = None) -> Ref:
    """A torch.nn module call (or F.max_pool2d-style call without its tensor) -> Ref."""
    label = snippet(call)
    if cls in REFUSED:
        fail(call, f"{label}: {REFUSED[cls]}.")
    if cls not in MODULES:
        fail(call, f"unknown layer class {cls}.{suggest(cls, MODULES)} cnnquiz reads the "
                   "torch.nn modules of CNNs: Conv1d/2d/3d, ConvTranspose, MaxPool, AvgPool, "
                   "AdaptiveAvgPool, Linear, Flatten, BatchNorm, Dropout, activations.")
    fam, rank, positional = MODULES[cls]
    a = CallArgs(call, ("input", *positional) if functional else positional, env, label)
    options: dict[str, Any] = {}
    expect: dict[str, int] = {}
    kind = fam
    if fam in ("conv", "conv_transpose"):
        kind = f"conv{rank}d" + ("_transpose" if fam == "conv_transpose" else "")
        for key in ("out_channels", "kernel_size"):
            if key not in a:
                fail(call, f"{label}: {key} is missing; write it, e.g. nn.{cls}(3, 16, 3).")
        strides, dilation = _tuple(a.get("stride", 1), rank), _tuple(a.get("dilation", 1), rank)
        options = {"filters": a.get("out_channels"), "kernel": _tuple(a.get("kernel_size"), rank),
                   "strides": strides,
                   "padding": _padding(a, rank, strides, explicit=fam == "conv_transpose"),
                   "bias": a.get("bias", True)}
        if any(d != 1 for d in dilation):
            options["dilation"] = dilation
        groups = a.get("groups", 1)
        if fam == "conv_transpose":
            if groups != 1:
                fail(call, f"{label}: grouped transposed convolutions are not sized by cnnquiz.")
            options["output_padding"] = _tuple(a.get("output_padding", 0), rank)
        elif groups != 1:
            options["groups"] = groups
        if "in_channels" in a:
            expect["in_channels"] = a.get("in_channels")
    elif fam in ("max_pooling", "average_pooling"):
        kind = f"{fam}{rank}d"
        if a.get("ceil_mode", False):
            fail(call, f"{label}: ceil_mode=True rounds the output size up; cnnquiz (like Keras) "
                       "rounds down. Remove ceil_mode or describe the layer in a YAML spec.")
        if any(d != 1 for d in _tuple(a.get("dilation", 1), rank)):
            fail(call, f"{label}: dilated pooling is not sized by cnnquiz.")
        size = _tuple(a.get("kernel_size"), rank)
        stride = a.get("stride")
        strides = size if stride is None or stride == () else _tuple(stride, rank)
        options = {"pool_size": size, "strides": strides, "padding": _padding(a, rank, strides),
                   "trainable": "none"}
    elif fam.startswith("adaptive"):
        out = a.get("output_size")
        kind, options = "adaptive_pooling", {"op": fam.split("_")[1], "output": _tuple(out, rank)}
    elif fam == "zero_padding":
        options = {"padding": _zero_pad(a, rank)}
    elif fam == "dense":
        options = {"units": a.get("out_features"), "bias": a.get("bias", True)}
        if "in_features" in a:
            expect["in_features"] = a.get("in_features")
    elif fam == "batch_normalization":
        affine = a.get("affine", True) and a.get("bias", True) is not False
        options = {"center": bool(affine), "scale": bool(a.get("affine", True))}
        expect["num_features"] = a.get("num_features")
    elif fam == "dropout":
        options = {"rate": a.optional("p", 0.5)}
    elif fam == "activation":
        kind, options = {"ReLU": ("relu", {}), "Softmax": ("softmax", {})}.get(
            cls, ("activation", {"activation": cls.lower()}))
    elif fam == "prelu":  # one slope, or one per channel: shared along the spatial axes
        kind, options = "torch_prelu", {"num_parameters": a.get("num_parameters", 1)}
    elif fam == "layer_norm":  # torch/nn/modules/normalization.py: γ (and β unless bias=False)
        if "normalized_shape" not in a:
            fail(call, f"{label}: normalized_shape is missing.")
        affine = bool(a.get("elementwise_affine", True))
        kind, options = "torch_layer_norm", {
            "normalized_shape": _tuple(a.get("normalized_shape"), 1), "scale": affine,
            "center": affine and bool(a.get("bias", True))}
    elif fam == "group_normalization":
        affine = bool(a.get("affine", True))
        options = {"groups": a.get("num_groups"), "center": affine, "scale": affine}
        expect["num_features"] = a.get("num_channels")
    elif fam == "embedding":
        options = {"input_dim": a.get("num_embeddings"), "output_dim": a.get("embedding_dim")}
    elif fam == "up_sampling":
        if a.get("size") is not None:  # the output size, whatever the input's
            if a.get("scale_factor") is not None:
                fail(call, f"{label}: give size or scale_factor, not both (PyTorch refuses both).")
            kind, options = "torch_upsample", {"size": a.get("size")}
            return Ref(call.lineno, label, kind, options, name=name, expect=expect)
        factor = a.get("scale_factor", None)
        if factor is None or isinstance(factor, float) and not factor.is_integer():
            fail(call, f"{label}: give a whole scale_factor (e.g. scale_factor=2).")
        kind, options = "torch_upsample", {"factor": factor}
    elif fam == "unflatten":
        if a.get("dim") not in (1, -1):
            fail(call, f"{label}: cnnquiz unflattens the feature axis (dim=1) only.")
        sizes = a.get("unflattened_size")
        sizes = sizes if isinstance(sizes, tuple) else (sizes,)
        # channels first (C, H, W) -> channels last (H, W, C)
        kind, options = "reshape", {"target_shape": [*sizes[1:], sizes[0]]}
    elif fam == "local_response_normalization":
        options = {"size": a.get("size")}
    elif fam == "flatten" and (a.get("start_dim", 1) != 1 or a.get("end_dim", -1) != -1):
        fail(call, f"{label}: cnnquiz flattens everything but the batch axis "
                   "(start_dim=1, end_dim=-1).")
    known = set(positional) - {"_0", "_1", "_2"} | {"input"} | (
        {"bias"} if fam == "batch_normalization" else set())
    if fam != "activation":
        a.check_known(known, IGNORED)
    else:
        a.note_undefined()
    return Ref(call.lineno, label, kind, options, name=name, expect=expect)


#: tensor factories whose arguments are the shape (torch.full: the shape, then the value)
FACTORIES = ("zeros", "ones", "randn", "rand", "empty", "full")


def torch_parameter(call: ast.Call, env: MutableMapping[str, Any]) -> Ref:
    """``nn.Parameter(torch.zeros(1, 8, 1, 1))``: a learned tensor of a constant shape, counted
    as ``model.parameters()`` counts it (requires_grad=False included)."""
    label = snippet(call)
    a = CallArgs(call, ("data", "requires_grad"), env, label)
    data = a.nodes.get("data")
    fn = data.func.attr if isinstance(data, ast.Call) and isinstance(
        data.func, ast.Attribute) else None
    if not isinstance(data, ast.Call) or fn not in FACTORIES:
        fail(call, f"{label}: cnnquiz counts a parameter built with a constant shape, e.g. "
                   "nn.Parameter(torch.zeros(1, 8, 1, 1)) (zeros, ones, randn, rand, empty, full).")
    args = data.args[:1] if fn == "full" else data.args
    sizes = [kw.value for kw in data.keywords if kw.arg == "size"] or list(args)
    values = [fold(x, env, f"{label}: shape") for x in sizes]
    shape = tuple(values[0]) if len(values) == 1 and isinstance(values[0], tuple | list) else (
        tuple(values))
    if not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1
                            for d in shape):
        fail(call, f"{label}: the shape {shape} must be whole numbers ≥ 1.")
    return Ref(call.lineno, label, "parameter", {"shape": list(shape)})
