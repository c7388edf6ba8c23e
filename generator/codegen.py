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

from .code_parts import (
    SAMPLE_NOTE,
    TORCH_POOL_HELPER,
    keras_helpers,
    keras_snippet,
    relu_after,
    torch_sample,
    torch_snippet,
    tuple_literal,
)
from .errors import ConfigError
from .graph_code import keras_graph_code, torch_graph_code
from .layers import Dense, Pool, PoolWeights
from .network import Network

__all__ = ["LAZY_COMMENT", "keras_code", "torch_code"]


def _chain_only(net: Network) -> None:
    """Listings without a graph form yet (Keras 1) refuse graphs with a clear message."""
    if not net.is_chain:
        raise ConfigError("this network is a graph (branches or merges); this listing style "
                          "shows chains only: show it as Keras 3, PyTorch, prose or a table.")


# -- Keras ------------------------------------------------------------------------------------
def keras_code(net: Network) -> str:
    """Keras 3 source that builds ``net`` as ``model``."""
    if not net.is_chain:
        return keras_graph_code(net)
    shape = tuple_literal(net.input.shape)
    relu = relu_after(net)
    helpers = keras_helpers(net)
    head = "import keras\nfrom keras import layers\n" + helpers + ("\n\n" if helpers else "\n")
    if not any(n.shares for n in net.nodes):
        body = ["model = keras.Sequential([", f"    keras.Input(shape={shape}),"]
        body += [f"    {keras_snippet(n.layer, relu[n.name])}," for n in net.nodes]
        body.append("])")
        return head + "\n".join(body) + "\n"
    body = [f"{n.name} = {keras_snippet(n.layer, relu[n.name])}" for n in net.nodes if not n.shares]
    body += ["", f"inputs = keras.Input(shape={shape})",
             "x = inputs"]
    for n in net.nodes:
        if n.shares:
            body.append(f"x = {n.shares}(x)  # {n.name}: {n.shares} applied again (same weights)")
        else:
            body.append(f"x = {n.name}(x)")
    body.append("model = keras.Model(inputs, x)")
    return head + "\n".join(body) + "\n"


# -- PyTorch ----------------------------------------------------------------------------------
def torch_code(net: Network, lazy: bool = False) -> str:
    """PyTorch source that builds ``net`` as ``model`` and runs one input through it.

    ``lazy`` (the hard listing): every convolution is ``nn.LazyConv2d(out_channels, …)`` and
    every ``Linear`` ``nn.LazyLinear(out_features)``, so no input-channel or feature count is
    printed, and the listing ends without the input batch (its channels would give the input
    depth away): :data:`generator.listings.LAZY_NOTE` says how the lazy layers are sized. Grouped, depthwise and
    transposed convolutions keep their input channels (PyTorch needs them for the groups).
    """
    if not net.is_chain:  # the listing keeps its input channels (no lazy graph listing yet)
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
            module = torch_snippet(layer, in_shape, isinstance(layer, Dense) and not seen_dense,
                                   lazy)
            seen_dense = seen_dense or isinstance(layer, Dense)
            lines.append(f"        self.{node.name} = {module}")
            call, comment = f"self.{node.name}(x)", ""
        forward.append(f"        x = {'torch.relu(' + call + ')' if relu else call}{comment}")
    forward.append("        return x")
    if lazy:
        lines += forward + ["", "", "model = Net()", LAZY_COMMENT]
    else:
        lines += forward + ["", "", "model = Net()",
                            f"model({torch_sample(net.input.shape)}){SAMPLE_NOTE}"]
    return "\n".join(lines) + "\n"


#: the last line of a lazy listing (the hard listing prints no input batch)
LAZY_COMMENT = "# the first batch passed through model, shaped (N, C, H, W), sizes its lazy layers"
