"""Build one of our networks as a real Keras 3 functional model (torch backend) and read it.

Shapes come from a forward pass on a batch of one (and must agree with Keras's symbolic
shapes); counts and weight names/shapes come from each layer's ``trainable_weights`` and
``non_trainable_weights``. A sharing node calls the owner's layer object a second time, so Keras
itself decides what is counted once. Never imports ``generator.formulas``.

What Keras lacks: explicit integer padding (a ``ZeroPadding{n}D`` before the layer, which adds no
parameters), trainable LeNet-style pooling (:class:`TrainablePooling` below), local response
normalisation, ``strides > 1`` together with ``dilation_rate > 1`` in ``Conv``/``ConvTranspose``,
explicit padding in a transposed conv (PyTorch's semantics), a shared layer called with other
strides/padding or on an input of another rank (BatchNormalization), and (on the torch backend)
``AveragePooling3D`` 'same' on an input smaller than the pool size; those raise
:class:`Unsupported` with the reason.
"""

from __future__ import annotations

import math
import os
from typing import Any

import keras
import numpy as np

from generator.layers import (
    Activation,
    AdaptivePool,
    BatchNormalization,
    Conv,
    ConvTranspose,
    Cropping,
    Dense,
    DepthwiseConv,
    Dropout,
    Embedding,
    Flatten,
    GlobalPool,
    GroupNormalization,
    Identity,
    Layer,
    LayerNormalization,
    LocalResponseNormalization,
    Merge,
    Permute,
    Pool,
    PoolWeights,
    PReLU,
    Reshape,
    Resizing,
    SeparableConv,
    UpSampling,
    Windowed,
    ZeroPadding,
)
from generator.network import Network, sources

from .build_torch import Row, Summary, Unsupported

__all__ = ["TrainablePooling", "keras_model", "keras_summary"]

if keras.backend.backend() != "torch" or os.environ.get("KERAS_BACKEND") != "torch":
    raise RuntimeError("these tests need Keras on the torch backend (KERAS_BACKEND=torch)")

L = keras.layers


class TrainablePooling(keras.layers.Layer):
    """LeNet-5 subsampling: a pooling layer times a per-channel coefficient (+ per-channel bias)."""

    def __init__(self, pool: keras.layers.Layer, use_bias: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool, self.use_bias = pool, use_bias

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        channels = (input_shape[-1],)
        self.coefficient = self.add_weight(shape=channels, initializer="ones", name="coefficient")
        if self.use_bias:
            self.bias = self.add_weight(shape=channels, initializer="zeros", name="bias")

    def call(self, x: Any) -> Any:
        y = self.pool(x) * self.coefficient
        return y + self.bias if self.use_bias else y

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> Any:
        return self.pool.compute_output_shape(input_shape)


def _nd(name: str, rank: int) -> Any:
    return getattr(L, name.format(rank))


def _window_args(layer: Windowed) -> dict[str, Any]:
    padding = "valid" if layer.explicit_padding else layer.padding
    return {"kernel_size": layer.kernel, "strides": layer.strides, "padding": padding,
            "dilation_rate": layer.dilation}


def _no_strided_dilation(layer: Windowed) -> None:
    if any(s > 1 for s in layer.strides) and any(d > 1 for d in layer.dilation):
        raise Unsupported(f"{layer.name}: Keras's Conv/ConvTranspose refuse strides > 1 with "
                          "dilation_rate > 1")


def _main_layer(layer: Layer) -> keras.layers.Layer:
    """The Keras layer holding the node's weights (padding layers come separately)."""
    name = layer.name
    if isinstance(layer, Conv):
        _no_strided_dilation(layer)
        return _nd("Conv{}D", layer.rank)(layer.filters, groups=layer.groups,
                                          use_bias=layer.use_bias, name=name,
                                          **_window_args(layer))
    if isinstance(layer, ConvTranspose):
        _no_strided_dilation(layer)
        if layer.explicit_padding:
            raise Unsupported(f"{name}: explicit padding of a transposed conv is PyTorch's "
                              "semantics; Keras has only 'valid'/'same'")
        return _nd("Conv{}DTranspose", layer.rank)(layer.filters, output_padding=layer.output_padding,
                                                   use_bias=layer.use_bias, name=name,
                                                   **_window_args(layer))
    if isinstance(layer, DepthwiseConv):
        return _nd("DepthwiseConv{}D", layer.rank)(depth_multiplier=layer.depth_multiplier,
                                                   use_bias=layer.use_bias, name=name,
                                                   **_window_args(layer))
    if isinstance(layer, SeparableConv):
        return _nd("SeparableConv{}D", layer.rank)(layer.filters,
                                                   depth_multiplier=layer.depth_multiplier,
                                                   use_bias=layer.use_bias, name=name,
                                                   **_window_args(layer))
    if isinstance(layer, Pool):
        cls = _nd("MaxPooling{}D" if layer.op == "max" else "AveragePooling{}D", layer.rank)
        args = _window_args(layer)
        del args["kernel_size"], args["dilation_rate"]
        if layer.trainable == PoolWeights.NONE:
            return cls(pool_size=layer.kernel, name=name, **args)
        pool = cls(pool_size=layer.kernel, name=f"{name}_pool", **args)
        return TrainablePooling(pool, layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS,
                                name=name)
    if isinstance(layer, AdaptivePool):
        if None in layer.output_size:
            raise Unsupported(f"{layer.name}: Keras's adaptive pooling keeps no axis (None)")
        op = "Max" if layer.op == "max" else "Average"
        return _nd(f"Adaptive{op}Pooling{{}}D", layer.rank)(layer.output_size, name=name)
    if isinstance(layer, GlobalPool):
        op = "Max" if layer.op == "max" else "Average"
        return _nd(f"Global{op}Pooling{{}}D", layer.rank)(keepdims=layer.keepdims, name=name)
    if isinstance(layer, Flatten):
        return L.Flatten(name=name)
    if isinstance(layer, Dense):
        return L.Dense(layer.units, use_bias=layer.use_bias, name=name)
    if isinstance(layer, Dropout):
        return L.Dropout(layer.rate, name=name)
    if isinstance(layer, Activation):
        return L.Activation(layer.activation, name=name)
    if isinstance(layer, BatchNormalization):
        return L.BatchNormalization(center=layer.center, scale=layer.scale, name=name)
    if isinstance(layer, LocalResponseNormalization):
        raise Unsupported(f"{name}: Keras 3 has no local response normalisation layer")
    if isinstance(layer, Resizing):
        if layer.rank != 2:
            raise Unsupported(f"{layer.name}: Keras resizes 2-D images only")
        return L.Resizing(*layer.size, interpolation="nearest", name=name)
    if isinstance(layer, UpSampling):
        return _nd("UpSampling{}D", layer.rank)(layer.size[0] if layer.rank == 1 else layer.size,
                                                name=name)
    if isinstance(layer, ZeroPadding):  # Cropping too
        pairs: Any = layer.padding[0] if layer.rank == 1 else tuple(layer.padding)
        cls = "Cropping{}D" if isinstance(layer, Cropping) else "ZeroPadding{}D"
        return _nd(cls, layer.rank)(pairs, name=name)
    if isinstance(layer, Reshape):
        return L.Reshape(layer.target_shape, name=name)
    if isinstance(layer, Permute):
        return L.Permute(layer.dims, name=name)
    if isinstance(layer, Identity):
        return L.Identity(name=name)
    if isinstance(layer, GroupNormalization):
        return L.GroupNormalization(layer.groups, center=layer.center, scale=layer.scale,
                                    name=name)
    if isinstance(layer, LayerNormalization):
        return L.LayerNormalization(axis=list(layer.axis), center=layer.center,
                                    scale=layer.scale, name=name)
    if isinstance(layer, PReLU):
        return L.PReLU(shared_axes=list(layer.shared_axes) or None, name=name)
    if isinstance(layer, Embedding):
        return L.Embedding(layer.input_dim, layer.output_dim, name=name)
    if isinstance(layer, Merge):
        if layer.op == "concatenate":
            return L.Concatenate(axis=layer.axis, name=name)
        return getattr(L, layer.op.capitalize())(name=name)
    raise Unsupported(f"{name}: no Keras translation for {type(layer).__name__}")


def _zero_padding(layer: Layer) -> keras.layers.Layer | None:
    """Keras has no explicit integer padding: zeros added before the layer (no parameters)."""
    if not isinstance(layer, Windowed) or not layer.explicit_padding:
        return None
    pad: Any = layer.padding[0] if layer.rank == 1 else tuple(layer.padding)
    return _nd("ZeroPadding{}D", layer.rank)(pad, name=f"{layer.name}_zero_padding")


def _geometry(layer: Layer) -> tuple[object, ...]:
    return tuple(getattr(layer, f, None) for f in ("strides", "padding", "dilation"))


def keras_model(network: Network) -> tuple[keras.Model, list[keras.layers.Layer], list[bool]]:
    """The functional model (one output per node), each node's main layer, and 'shares' flags."""
    inputs = {k: keras.Input(shape=v.shape, name=k) for k, v in network.input_specs.items()}
    values = dict(inputs)
    outs, mains, sharing = [], [], []
    owners: dict[str, tuple[Layer, keras.layers.Layer]] = {}
    for node, src in zip(network.nodes, sources(network), strict=True):
        layer = node.layer
        x = values[src[0]]
        if isinstance(layer, Merge):
            main = _main_layer(layer)
            values[node.name] = main([values[s] for s in src])
            outs.append(values[node.name])
            mains.append(main)
            sharing.append(False)
            continue
        if node.shares is None:
            main = _main_layer(layer)
            if getattr(layer, "frozen", False):
                main.trainable = False
        else:
            owner, main = owners[node.shares]
            if _geometry(layer) != _geometry(owner):
                # Keras cannot call one layer object with other strides/padding; PyTorch checks
                # this node through F.conv* on the shared weights.
                raise Unsupported(f"{layer.name}: a shared Keras layer cannot change its "
                                  "strides/padding/dilation")
            spec = main.input_spec
            if getattr(spec, "ndim", None) not in (None, len(x.shape)):
                # e.g. BatchNormalization: once built, its input_spec fixes the input rank
                raise Unsupported(f"{layer.name}: the shared Keras layer was built for inputs of "
                                  f"rank {spec.ndim}, received rank {len(x.shape)}")
        pad = _zero_padding(layer)  # a sharing node gets its own (weightless) padding layer
        if (isinstance(layer, Pool) and layer.op == "average" and layer.rank == 3
                and layer.padding == "same"
                and any(int(n) < k for n, k in zip(x.shape[1:], layer.kernel, strict=False))):
            # on the torch backend 'same' becomes torch's avg_pool3d padding argument, and
            # avg_pool3d refuses an input smaller than the window (it may refuse fewer cases)
            raise Unsupported(f"{layer.name}: Keras's torch backend cannot run AveragePooling3D "
                              "'same' on an input smaller than the pool size")
        owners[layer.name] = (layer, main)
        x = main(pad(x) if pad is not None else x)
        values[node.name] = x
        outs.append(x)
        mains.append(main)
        sharing.append(node.shares is not None)
    ins = list(inputs.values())
    return keras.Model(ins[0] if len(ins) == 1 else ins, outs), mains, sharing


def _size(weights: list[Any]) -> int:
    return sum(math.prod(w.shape) for w in weights)


def _unique(weights: list[Any]) -> list[Any]:
    return list({id(w): w for w in weights}.values())


def keras_summary(network: Network) -> Summary:
    """Build the network in Keras, run a forward pass and report shapes, counts and weights."""
    model, mains, sharing = keras_model(network)
    symbolic = [tuple(o.shape[1:]) for o in model.outputs]
    rng = np.random.default_rng(0)
    first = network.nodes[0].layer
    feed = [rng.integers(0, first.input_dim, (1, *v.shape)) if isinstance(first, Embedding)
            else rng.standard_normal((1, *v.shape), dtype="float32")
            for v in network.input_specs.values()]
    ys = model(feed[0] if len(feed) == 1 else feed)
    ys = ys if isinstance(ys, list | tuple) else [ys]
    rows = []
    for node, main, shared, y, sym in zip(network.nodes, mains, sharing, ys, symbolic, strict=True):
        shape = tuple(int(d) for d in y.shape[1:])
        if shape != sym:
            raise AssertionError(f"Keras {node.name}: forward shape {shape}, symbolic {sym}")
        if shared:
            rows.append(Row(node.name, shape, 0, 0, ()))
            continue
        trainable = {id(w) for w in main.trainable_weights}
        weights = tuple((w.name, tuple(w.shape), id(w) in trainable) for w in main.weights)
        rows.append(Row(node.name, shape, _size(main.trainable_weights),
                        _size(main.non_trainable_weights), weights))
    return Summary("keras", tuple(rows), _size(_unique(model.trainable_weights)),
                   _size(_unique(model.non_trainable_weights)))
