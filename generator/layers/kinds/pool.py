"""Registrations of pooling: windowed max/average (LeNet-style weights optional) and global."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from ...errors import ConfigError
from ..base import Shape, fmt_shape
from ..pooling import AdaptivePool, GlobalPool, Pool, PoolWeights
from .base import Args, Code, Kind, Reading, k
from .read import keras_padding, keras_tuple, output_size, torch_padding, tup
from .words import pad, stride, window

__all__ = ["KINDS"]

# keras/src/layers/pooling/max_pooling2d.py; torch/nn/modules/pooling.py
K_POOL = ("pool_size", "strides", "padding", "data_format")
T_MAXPOOL = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
T_AVGPOOL = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
             "divisor_override")
OP = {"max": "Max", "average": "Average"}


def _keras_pool(layer: Pool, code: Code) -> str:
    name = f'name="{layer.name}"'
    if layer.trainable != PoolWeights.NONE:
        bias = "" if layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS else ", use_bias=False"
        return f"TrainablePooling{layer.rank}D({k(layer.kernel)}{bias}, {name})"
    strides = "" if layer.strides == layer.kernel else f", strides={k(layer.strides)}"
    if not isinstance(layer.padding, str):
        raise ConfigError(f"{layer.name}: Keras has no integer padding; show it as prose.")
    pad = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
    return f"layers.{OP[layer.op]}Pooling{layer.rank}D({k(layer.kernel)}{strides}{pad}, {name})"


def _torch_pool(layer: Pool, code: Code) -> str:
    if isinstance(layer.padding, str) and layer.padding != "valid":
        raise ConfigError(f"{layer.name}: PyTorch pooling has no '{layer.padding}' padding.")
    op = "MaxPool" if layer.op == "max" else "AvgPool"
    strides = "" if layer.strides == layer.kernel else f", stride={k(layer.strides)}"
    if not isinstance(layer.padding, str):  # inception's pool branch: MaxPool2d(3, stride=1, padding=1)
        strides += f", padding={k(layer.padding)}"
    pool = f"nn.{op}{layer.rank}d({k(layer.kernel)}{strides})"
    if layer.trainable == PoolWeights.NONE:
        return pool
    bias = "" if layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS else ", bias=False"
    return f"TrainablePool({pool}, {code.in_shape[-1]}{bias})"


def _keras_global(layer: GlobalPool, code: Code) -> str:
    return f'layers.Global{OP[layer.op]}Pooling{layer.rank}D(name="{layer.name}")'


def _torch_global(layer: GlobalPool, code: Code) -> str:
    op = "AdaptiveMaxPool" if layer.op == "max" else "AdaptiveAvgPool"
    if layer.keepdims:
        return f"nn.{op}{layer.rank}d(1)"
    return f"nn.Sequential(nn.{op}{layer.rank}d(1), nn.Flatten())"


def _keras_adaptive(layer: AdaptivePool, code: Code) -> str:
    sizes = tuple(n for n in layer.output_size if n is not None)
    if len(sizes) != len(layer.output_size):
        raise ConfigError(f"{layer.name}: Keras's adaptive pooling has no 'None' (keep) size.")
    size = k(sizes)
    return (f"layers.Adaptive{OP[layer.op]}Pooling{layer.rank}D({size}, "
            f'name="{layer.name}")')


def _torch_adaptive(layer: AdaptivePool, code: Code) -> str:
    op = "AdaptiveMaxPool" if layer.op == "max" else "AdaptiveAvgPool"
    size = layer.output_size
    return f"nn.{op}{layer.rank}d({size[0] if len(set(size)) == 1 else size})"


# -- reading ----------------------------------------------------------------------------------
def _keras_read_pool(a: Args, cls: str, e: Kind) -> Reading:
    size = keras_tuple(a, "pool_size", e.rank, 2)
    return Reading(options={"pool_size": size, "strides": keras_tuple(a, "strides", e.rank, size),
                            "padding": keras_padding(a, None, None), "trainable": "none"},
                   known={"pool_size", "strides", "padding"})


def _keras_read_global(a: Args, cls: str, e: Kind) -> Reading:
    return Reading(options={"keepdims": a.get("keepdims", False)}, known={"keepdims"})


def _keras_read_adaptive(a: Args, cls: str, e: Kind) -> Reading:
    # keras/src/layers/pooling/adaptive_average_pooling2d.py
    size = a.get("output_size")
    if size is None:
        a.fail("output_size is missing.")
    return Reading(options={"output_size": list(size) if isinstance(size, tuple) else
                            [size] * e.rank}, known={"output_size"})


def _torch_read_pool(a: Args, cls: str, e: Kind) -> Reading:
    rank = e.rank
    if a.get("ceil_mode", False):
        a.fail("ceil_mode=True rounds the output size up; cnnquiz (like Keras) rounds down. "
               "Remove ceil_mode or describe the layer in a YAML spec.")
    if any(d != 1 for d in tup(a.get("dilation", 1), rank)):
        a.fail("dilated pooling is not sized by cnnquiz.")
    size = tup(a.get("kernel_size"), rank)
    stride = a.get("stride")
    strides = size if stride is None or stride == () else tup(stride, rank)
    return Reading(options={"pool_size": size, "strides": strides,
                            "padding": torch_padding(a, rank, strides), "trainable": "none"})


def adaptive_entry(op: str, out: tuple[int | None, ...], shape: Shape) -> dict[str, Any]:
    """PyTorch's adaptive pooling as global pooling (output 1), as an exact fixed window (the
    output divides the input), else as adaptive pooling (torch/nn/modules/pooling.py)."""
    rank, spatial = len(out), shape[:-1]
    if len(spatial) != rank:
        raise ConfigError(f"needs a {rank}-D feature map; its input has shape {fmt_shape(shape)}.")
    if all(o == 1 for o in out):
        return {"type": f"global_{op}_pooling{rank}d", "keepdims": True}
    if any(o is None or n % o for n, o in zip(spatial, out, strict=True)):
        # windows that overlap unevenly, or an axis kept (None): adaptive pooling as such
        return {"type": f"adaptive_{op}_pooling{rank}d", "output_size": list(out)}
    window = tuple(n // (o or 1) for n, o in zip(spatial, out, strict=True))  # o: no None here
    return {"type": f"{op}_pooling{rank}d", "pool_size": window, "strides": window,
            "padding": "valid", "trainable": "none"}


def _torch_read_adaptive(a: Args, cls: str, e: Kind) -> Reading:
    def later(shape: Shape, options: Mapping[str, Any]) -> dict[str, Any]:
        return adaptive_entry(options["op"], options["output"], shape)
    op = str(e.fixed["op"])
    return Reading(kind="adaptive_pooling", later=later,
                   options={"op": op, "output": tup(a.get("output_size"), e.rank)})


def _words_pool(layer: Pool, rng: random.Random, default_bias: bool) -> str:
    op = "max" if layer.op == "max" else "average"
    text = rng.choice((f"{op} pooling with {window(layer)} and {stride(layer)}",
                       f"{op} pooling over {window(layer)}, {stride(layer)}"))
    if layer.padding != "valid":  # inception's size-keeping pool branch
        text += f", {pad(layer).replace('zero padding', 'padding')}"  # max pads with −∞
    if layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS:
        text += " (subsampling with one trainable coefficient and one trainable bias per channel)"
    elif layer.trainable == PoolWeights.COEFFICIENT:
        text += " (subsampling with one trainable coefficient per channel, no bias)"
    return text


def _words_global(layer: GlobalPool, rng: random.Random, default_bias: bool) -> str:
    return f"global {layer.op} pooling (one value per channel)"


def _names(op: str, r: int, prefix: str = "") -> tuple[str, ...]:
    keras = ("MaxPooling", "MaxPool") if op == "max" else ("AveragePooling", "AvgPool")
    return tuple(f"{prefix}{n}{r}D" for n in keras)


KINDS: list[Kind] = []
for _r in (1, 2, 3):
    for _op in ("max", "average"):
        _t = "Max" if _op == "max" else "Avg"
        KINDS += [
            Kind(kind=f"{_op}_pooling{_r}d", cls=Pool, fixed={"rank": _r, "op": _op},
                 family="pool", options=("pool_size", "strides", "padding", "trainable"),
                 required=("pool_size",), glyph=f"{OP[_op]}Pool{_r}D",
                 keras={n: K_POOL for n in _names(_op, _r)},
                 torch={f"{_t}Pool{_r}d": (T_MAXPOOL if _op == "max" else
                                           T_AVGPOOL if _r > 1 else T_AVGPOOL[:5])},
                 keras_read=_keras_read_pool, torch_read=_torch_read_pool,
                 keras_code=_keras_pool, torch_code=_torch_pool, wording=_words_pool,
                 example=((8,) * _r + (3,), {"pool_size": 2})),
            Kind(kind=f"global_{_op}_pooling{_r}d", cls=GlobalPool, fixed={"rank": _r, "op": _op},
                 family="global_pool", options=("keepdims",),
                 glyph=f"Global{OP[_op]}Pool{_r}D",
                 keras={n: ("data_format",) for n in _names(_op, _r, "Global")},
                 keras_read=_keras_read_global,
                 keras_code=_keras_global, torch_code=_torch_global, wording=_words_global,
                 example=((8,) * _r + (3,), {})),
        ]
        _a = "Average" if _op == "average" else "Max"
        KINDS.append(Kind(
            kind=f"adaptive_{_op}_pooling{_r}d", cls=AdaptivePool, fixed={"rank": _r, "op": _op},
            family="adaptive_pool", options=("output_size",), required=("output_size",),
            parse={"output_size": output_size},
            glyph=f"Adaptive{OP[_op]}Pool{_r}D",
            keras={f"Adaptive{_a}Pooling{_r}D": ("output_size", "data_format")},
            torch={f"Adaptive{_t}Pool{_r}d": ("output_size",) if _op == "average" else (
                "output_size", "return_indices")},
            keras_read=_keras_read_adaptive, torch_read=_torch_read_adaptive,
            keras_code=_keras_adaptive, torch_code=_torch_adaptive,
            example=((9,) * _r + (3,), {"output_size": [4] * _r})))
