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

from ..layers.registry import TORCH_NAMES
from .callargs import CallArgs
from .chain import Ref
from .common import fail, fold, snippet, suggest

__all__ = ["FUNCTIONAL", "MODULES", "PASSTHROUGH", "torch_layer", "torch_parameter"]

IGNORED = {"padding_mode", "device", "dtype", "return_indices", "count_include_pad",
           "divisor_override", "eps", "momentum", "track_running_stats", "inplace", "end_dim"}
REFUSED = {"ModuleList": "an nn.ModuleList is iterated in a loop; write its layers out",
           "ModuleDict": "an nn.ModuleDict is indexed at run time; write its layers out"}

#: torch.nn class name -> its reading, from the layer registry (nn.Parameter is read by
#: :func:`torch_parameter`: a module attribute, not a module)
MODULES = {n: named for n, named in TORCH_NAMES.items()}

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


def torch_layer(call: ast.Call, cls: str, env: MutableMapping[str, Any], *,
                functional: bool = False, name: str | None = None) -> Ref:
    """A torch.nn module call (or F.max_pool2d-style call without its tensor) -> Ref.

    The class name is looked up in the layer registry; the kind's reader turns the arguments
    into spec options (:data:`generator.layers.registry.TORCH_NAMES`).
    """
    label = snippet(call)
    if cls in REFUSED:
        fail(call, f"{label}: {REFUSED[cls]}.")
    named = MODULES.get(cls)
    if named is None:
        fail(call, f"unknown layer class {cls}.{suggest(cls, MODULES)} cnnquiz reads the "
                   "torch.nn modules of CNNs: Conv1d/2d/3d, ConvTranspose, MaxPool, AvgPool, "
                   "AdaptiveAvgPool, Linear, Flatten, BatchNorm, Dropout, activations.")
    positional = ("input", *named.positional) if functional else named.positional
    a = CallArgs(call, positional, env, label)
    reading = named.read(a, cls, named.kind)
    if reading.known is None:  # no argument changes a count (an activation)
        a.note_undefined()
    else:
        a.check_known(set(positional) | reading.known, IGNORED)
    kind = "skip" if reading.skip else reading.kind or named.kind.kind
    return Ref(call.lineno, label, kind, reading.options, name=name, expect=reading.expect,
               later=reading.later)


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
