"""The Keras 3 and PyTorch source a problem shows; both run as printed (tests execute them).

Keras code is a ``keras.Sequential`` model, or a functional model when a layer is reused.
PyTorch code is an ``nn.Module`` whose ``forward`` calls a reused module twice; the first
``Linear`` is ``nn.LazyLinear`` so the code does not give away the flattened length. Two
things the frameworks lack come as a small helper printed with the code: LeNet-style
trainable pooling, for both. Everything shown is channels last for Keras and channels first
for PyTorch; counts are the same.

>>> from generator.spec import load_spec
>>> net = load_spec({"input": {"shape": [8, 8], "channels": 3},
...                  "conventions": {"padding": "valid", "bias": "true"},
...                  "layers": [{"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3},
...                             {"type": "flatten", "name": "flatten1"},
...                             {"type": "dense", "name": "dense1", "units": 2}]})
>>> print(keras_code(net))  # doctest: +NORMALIZE_WHITESPACE
import keras
from keras import layers
<BLANKLINE>
model = keras.Sequential([
    keras.Input(shape=(8, 8, 3)),
    layers.Conv2D(4, 3, padding="valid", activation="relu", name="conv1"),
    layers.Flatten(name="flatten1"),
    layers.Dense(2, name="dense1"),
])
"""

from __future__ import annotations

from typing import Any

from .errors import ConfigError
from .layers import (
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Merge,
    Pool,
    PoolWeights,
    SeparableConv,
    UpSampling,
)
from .network import Network

__all__ = ["keras_code", "relu_after", "torch_code"]


def _k(t: tuple[int, ...]) -> str:
    """An int when every axis agrees, else a tuple literal."""
    return str(t[0]) if len(set(t)) == 1 else str(tuple(t))


def relu_after(net: Network) -> dict[str, bool]:
    """Which layers the listing follows by a ReLU: convolutions and dense layers but the
    last dense one (the output); activations change no count."""
    dense = [n.name for n in net.nodes if isinstance(n.layer, Dense)]
    last = dense[-1] if dense else None
    return {n.name: isinstance(n.layer, Conv | Dense | SeparableConv | DepthwiseConv
                               | ConvTranspose) and n.name != last for n in net.nodes}


# -- Keras ------------------------------------------------------------------------------------
KERAS_POOL_HELPER = '''

class TrainablePooling{r}D(layers.Layer):
    """{Op} pooling, then one trainable coefficient (and bias) per channel, as in LeNet-5."""

    def __init__(self, pool_size, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.{Op}Pooling{r}D(pool_size)
        self.use_bias = use_bias

    def build(self, input_shape):
        channels = input_shape[-1]
        self.coefficient = self.add_weight(shape=(channels,), initializer="ones")
        if self.use_bias:
            self.bias = self.add_weight(shape=(channels,), initializer="zeros")

    def call(self, x):
        y = self.pool(x) * self.coefficient
        return y + self.bias if self.use_bias else y
'''


def _keras_layer(layer: Layer, relu: bool) -> str:
    r, name = getattr(layer, "rank", 2), f'name="{layer.name}"'
    act = ', activation="relu"' if relu else ""
    if isinstance(layer, Conv | ConvTranspose | DepthwiseConv | SeparableConv):
        if not isinstance(layer.padding, str):
            raise ConfigError(f"{layer.name}: Keras has no integer padding; show it as prose.")
        cls = {Conv: f"Conv{r}D", ConvTranspose: f"Conv{r}DTranspose",
               DepthwiseConv: f"DepthwiseConv{r}D", SeparableConv: f"SeparableConv{r}D"}[type(layer)]
        args = [] if isinstance(layer, DepthwiseConv) else [str(layer.filters)]
        args.append(_k(layer.kernel))
        if any(s != 1 for s in layer.strides):
            args.append(f"strides={_k(layer.strides)}")
        args.append(f'padding="{layer.padding}"')
        if any(d != 1 for d in layer.dilation):
            args.append(f"dilation_rate={_k(layer.dilation)}")
        if isinstance(layer, Conv) and layer.groups != 1:
            args.append(f"groups={layer.groups}")
        if isinstance(layer, DepthwiseConv | SeparableConv) and layer.depth_multiplier != 1:
            args.append(f"depth_multiplier={layer.depth_multiplier}")
        if not layer.use_bias:
            args.append("use_bias=False")
        return f"layers.{cls}({', '.join(args)}{act}, {name})"
    if isinstance(layer, Pool):
        op = "Max" if layer.op == "max" else "Average"
        if layer.trainable != PoolWeights.NONE:
            bias = "" if layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS else ", use_bias=False"
            return f"TrainablePooling{r}D({_k(layer.kernel)}{bias}, {name})"
        strides = "" if layer.strides == layer.kernel else f", strides={_k(layer.strides)}"
        if not isinstance(layer.padding, str):
            raise ConfigError(f"{layer.name}: Keras has no integer padding; show it as prose.")
        pad = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
        return f"layers.{op}Pooling{r}D({_k(layer.kernel)}{strides}{pad}, {name})"
    if isinstance(layer, GlobalPool):
        op = "Max" if layer.op == "max" else "Average"
        return f"layers.Global{op}Pooling{layer.rank}D({name})"
    if isinstance(layer, Flatten):
        return f"layers.Flatten({name})"
    if isinstance(layer, Dense):
        bias = "" if layer.use_bias else ", use_bias=False"
        return f"layers.Dense({layer.units}{bias}{act}, {name})"
    if isinstance(layer, Dropout):
        return f"layers.Dropout({layer.rate}, {name})"
    if isinstance(layer, BatchNormalization):
        return f"layers.BatchNormalization({name})"
    if isinstance(layer, UpSampling):
        return f"layers.UpSampling{r}D({_k(layer.size)}, {name})"
    if isinstance(layer, Merge):  # applied to a list of tensors (keras/src/layers/merging)
        axis = "" if layer.axis == -1 else f"axis={layer.axis}, "
        return f"layers.{KERAS_MERGES[layer.op]}({axis}{name})"
    raise ConfigError(f"{layer.name}: no Keras code for {layer.kind}.")


#: merge op -> Keras 3 layer class (keras/src/layers/merging/*.py)
KERAS_MERGES = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply",
                "average": "Average", "maximum": "Maximum", "minimum": "Minimum",
                "concatenate": "Concatenate"}


def _keras_helpers(net: Network) -> str:
    pools = {(n.layer.rank, n.layer.op) for n in net.nodes
             if isinstance(n.layer, Pool) and n.layer.trainable != PoolWeights.NONE}
    if len({r for r, _ in pools}) < len(pools):
        raise ConfigError("mixed max/average trainable pooling of one rank; show it as prose.")
    return "".join(KERAS_POOL_HELPER.format(r=r, Op="Max" if op == "max" else "Average")
                   for r, op in sorted(pools))


def keras_code(net: Network) -> str:
    """Keras 3 source that builds ``net`` as ``model`` (a graph: the functional API)."""
    if not net.is_chain:
        from .graph_code import keras_graph_code  # built on this module's layer snippets

        return keras_graph_code(net)
    shape = ", ".join(str(d) for d in net.input.shape)
    relu = relu_after(net)
    helpers = _keras_helpers(net)
    head = "import keras\nfrom keras import layers\n" + helpers + ("\n\n" if helpers else "\n")
    if not any(n.shares for n in net.nodes):
        body = ["model = keras.Sequential([", f"    keras.Input(shape=({shape}{',' if len(net.input.shape) == 1 else ''})),"]
        body += [f"    {_keras_layer(n.layer, relu[n.name])}," for n in net.nodes]
        body.append("])")
        return head + "\n".join(body) + "\n"
    body = [f"{n.name} = {_keras_layer(n.layer, relu[n.name])}" for n in net.nodes if not n.shares]
    body += ["", f"inputs = keras.Input(shape=({shape}{',' if len(net.input.shape) == 1 else ''}))",
             "x = inputs"]
    for n in net.nodes:
        if n.shares:
            body.append(f"x = {n.shares}(x)  # {n.name}: {n.shares} applied again (same weights)")
        else:
            body.append(f"x = {n.name}(x)")
    body.append("model = keras.Model(inputs, x)")
    return head + "\n".join(body) + "\n"


# -- PyTorch ----------------------------------------------------------------------------------
TORCH_POOL_HELPER = '''

class TrainablePool(nn.Module):
    """Pooling, then one trainable coefficient (and bias) per channel, as in LeNet-5."""

    def __init__(self, pool, channels, bias=True):
        super().__init__()
        self.pool = pool
        self.coefficient = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = self.pool(x) * self.coefficient.view(shape)
        return y if self.bias is None else y + self.bias.view(shape)
'''


def _torch_padding(layer: Any) -> list[str]:
    if layer.padding == "valid":
        return []
    if layer.padding == "same":
        if any(s != 1 for s in layer.strides):
            raise ConfigError(f"{layer.name}: PyTorch has no 'same' padding for stride > 1.")
        return ['padding="same"']
    return [f"padding={_k(layer.padding)}"]


def _torch_module(layer: Layer, in_shape: tuple[int, ...], first_dense: bool) -> str:
    c, r = in_shape[-1], getattr(layer, "rank", 2)
    if isinstance(layer, Conv | DepthwiseConv | SeparableConv | ConvTranspose):
        extra = []
        if any(s != 1 for s in layer.strides):
            extra.append(f"stride={_k(layer.strides)}")
        if isinstance(layer, ConvTranspose):
            if layer.padding == "same":
                raise ConfigError(f"{layer.name}: PyTorch has no 'same' transposed convolution.")
            if layer.output_padding is not None:
                extra.append(f"output_padding={_k(layer.output_padding)}")
        extra += _torch_padding(layer) if layer.padding != "valid" else []
        if any(d != 1 for d in layer.dilation):
            extra.append(f"dilation={_k(layer.dilation)}")
        kernel = f"kernel_size={_k(layer.kernel)}"
        nobias = [] if layer.use_bias else ["bias=False"]
        if isinstance(layer, Conv):
            groups = [f"groups={layer.groups}"] if layer.groups != 1 else []
            return f"nn.Conv{r}d({', '.join([str(c), str(layer.filters), kernel, *extra, *groups, *nobias])})"
        if isinstance(layer, ConvTranspose):
            return f"nn.ConvTranspose{r}d({', '.join([str(c), str(layer.filters), kernel, *extra, *nobias])})"
        m = c * layer.depth_multiplier
        if isinstance(layer, DepthwiseConv):
            return f"nn.Conv{r}d({', '.join([str(c), str(m), kernel, *extra, f'groups={c}', *nobias])})"
        depthwise = f"nn.Conv{r}d({', '.join([str(c), str(m), kernel, *extra, f'groups={c}', 'bias=False'])})"
        pointwise = f"nn.Conv{r}d({', '.join([str(m), str(layer.filters), 'kernel_size=1', *nobias])})"
        return f"nn.Sequential(  # depthwise, then pointwise\n            {depthwise},\n            {pointwise},\n        )"
    if isinstance(layer, Pool):
        if isinstance(layer.padding, str) and layer.padding != "valid":
            raise ConfigError(f"{layer.name}: PyTorch pooling has no '{layer.padding}' padding.")
        op = "MaxPool" if layer.op == "max" else "AvgPool"
        strides = "" if layer.strides == layer.kernel else f", stride={_k(layer.strides)}"
        if not isinstance(layer.padding, str):
            strides += f", padding={_k(layer.padding)}"
        pool = f"nn.{op}{r}d({_k(layer.kernel)}{strides})"
        if layer.trainable == PoolWeights.NONE:
            return pool
        bias = "" if layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS else ", bias=False"
        return f"TrainablePool({pool}, {c}{bias})"
    if isinstance(layer, GlobalPool):
        op = "AdaptiveMaxPool" if layer.op == "max" else "AdaptiveAvgPool"
        if layer.keepdims:
            return f"nn.{op}{layer.rank}d(1)"
        return f"nn.Sequential(nn.{op}{layer.rank}d(1), nn.Flatten())"
    if isinstance(layer, Flatten):
        return "nn.Flatten()"
    if isinstance(layer, Dense):
        if len(in_shape) != 1:
            raise ConfigError(f"{layer.name}: PyTorch's Linear on a multi-axis input is not shown.")
        nobias = "" if layer.use_bias else ", bias=False"  # type: ignore[assignment]
        if first_dense:
            return f"nn.LazyLinear({layer.units}{nobias})"
        return f"nn.Linear({c}, {layer.units}{nobias})"
    if isinstance(layer, Dropout):
        return f"nn.Dropout({layer.rate})"
    if isinstance(layer, BatchNormalization):
        if not (layer.center and layer.scale):
            raise ConfigError(f"{layer.name}: PyTorch BatchNorm has γ and β together.")
        return f"nn.BatchNorm{max(len(in_shape) - 1, 1)}d({c})"
    if isinstance(layer, UpSampling):
        if len(set(layer.size)) != 1:
            raise ConfigError(f"{layer.name}: upsampling by {layer.size} is not shown in PyTorch.")
        return f"nn.Upsample(scale_factor={layer.size[0]})"  # mode 'nearest', as Keras's
    raise ConfigError(f"{layer.name}: no PyTorch code for {layer.kind}.")


def torch_code(net: Network) -> str:
    """PyTorch source that builds ``net`` as ``model`` and runs one input through it."""
    if not net.is_chain:
        from .graph_code import torch_graph_code  # built on this module's layer snippets

        return torch_graph_code(net)
    relus = relu_after(net)
    needs_helper = any(isinstance(n.layer, Pool) and n.layer.trainable != PoolWeights.NONE
                       for n in net.nodes)
    lines = ["import torch", "from torch import nn", ""]
    if needs_helper:
        lines += TORCH_POOL_HELPER.strip("\n").split("\n") + [""]
    lines += ["", "class Net(nn.Module):", "    def __init__(self):", "        super().__init__()"]
    forward = ["", "    def forward(self, x):"]
    seen_dense = False
    shape = net.input.shape
    for node in net.nodes:
        layer, in_shape = node.layer, shape
        shape = layer.output_shape(in_shape)
        relu = relus[node.name]
        if node.shares:
            call = f"self.{node.shares}(x)"
            comment = f"  # {node.name}: {node.shares} applied again (same weights)"
        else:
            module = _torch_module(layer, in_shape, isinstance(layer, Dense) and not seen_dense)
            seen_dense = seen_dense or isinstance(layer, Dense)
            lines.append(f"        self.{node.name} = {module}")
            call, comment = f"self.{node.name}(x)", ""
        forward.append(f"        x = {'torch.relu(' + call + ')' if relu else call}{comment}")
    forward.append("        return x")
    shape = net.input.shape
    dims = ", ".join(str(d) for d in (shape[-1], *shape[:-1]))
    lines += forward + ["", "", "model = Net()",
                        f"model(torch.zeros(2, {dims}))  # a batch of two inputs, channels first "
                        "(this also sizes the lazy layer)"]
    return "\n".join(lines) + "\n"
