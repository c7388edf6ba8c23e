"""Keras functional and PyTorch ``nn.Module`` source for graph networks (merges, branches).

Built on the per-layer snippets of :mod:`generator.code_parts`; this module only wires them:
every tensor is a variable named after its layer (the network input is ``inputs`` in Keras
and ``x`` in PyTorch). Keras: ``layers.Add(name=...)([a, b])`` and ``keras.Model(inputs,
outputs)``; a layer whose weights are reused is made once and called twice. PyTorch: the
modules in ``__init__``, and a ``forward`` with ``out + identity`` and ``torch.cat([...],
dim=1)`` (channels first: the Keras channel axis is PyTorch's dim 1).

>>> from generator.spec import load_spec
>>> net = load_spec({"input": {"shape": [8, 8], "channels": 4},
...                  "conventions": {"padding": "same", "bias": "true"},
...                  "layers": [{"type": "conv2d", "name": "c1", "filters": 4, "kernel": 3},
...                             {"type": "add", "name": "add1", "inputs": ["c1", "input"]}]})
>>> print(torch_graph_code(net).split("def forward")[1])  # doctest: +NORMALIZE_WHITESPACE
(self, x):
        c1 = torch.relu(self.c1(x))
        add1 = c1 + x
        return add1
<BLANKLINE>
<BLANKLINE>
model = Net()
model(torch.zeros(2, 4, 8, 8))  # a batch of two inputs, channels first (this also sizes the lazy layer)
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
from .layers import Dense, Merge, Pool, PoolWeights, Shape
from .network import Network, Node, propagate, sources

__all__ = ["keras_graph_code", "torch_graph_code"]


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"


# -- Keras --------------------------------------------------------------------------------------
def keras_graph_code(net: Network) -> str:
    """Keras 3 functional-API source that builds ``net`` as ``model``."""
    relu = relu_after(net)
    helpers = keras_helpers(net)
    var = {name: ("inputs" if name == net.input_name else name) for name in net.input_specs}
    out = ["import keras", "from keras import layers", *helpers.split("\n"), ""]
    out += [f"{var[name]} = keras.Input(shape={tuple_literal(spec.shape)}, name=\"{name}\")"
            for name, spec in net.input_specs.items()]
    reused = {n.shares for n in net.nodes if n.shares}
    for node, srcs in zip(net.nodes, sources(net), strict=True):
        args = _list([var[s] for s in srcs])
        if node.shares:
            out.append(f"{node.name} = {node.shares}_layer({args})  # {node.shares} applied "
                       "again (same weights)")
        elif node.name in reused:
            out.append(f"{node.name}_layer = {keras_snippet(node.layer, relu[node.name])}")
            out.append(f"{node.name} = {node.name}_layer({args})")
        else:
            out.append(f"{node.name} = {keras_snippet(node.layer, relu[node.name])}({args})")
        var[node.name] = node.name
    ins = _list([var[n] for n in net.input_specs])
    outs = _list([var[n] for n in net.output_names])
    out.append(f"model = keras.Model({ins}, {outs})")
    return "\n".join(out).replace("\n\n\n\n", "\n\n\n") + "\n"


# -- PyTorch ------------------------------------------------------------------------------------
def _torch_merge(layer: Merge, args: list[str], rank: int) -> str:
    """A merge in ``forward``; Keras's channel axis (-1 or the last) is PyTorch's dim 1."""
    if layer.op == "concatenate":
        if layer.axis not in (-1, rank):
            raise ConfigError(f"{layer.name}: a concatenation along axis {layer.axis} is not "
                              "shown in PyTorch; show it as prose.")
        return f"torch.cat([{', '.join(args)}], dim=1)"
    symbol = {"add": " + ", "subtract": " - ", "multiply": " * "}.get(layer.op)
    if symbol is None:
        raise ConfigError(f"{layer.name}: {layer.op} is not shown in PyTorch; show it as prose.")
    return symbol.join(args)


def torch_graph_code(net: Network) -> str:
    """PyTorch source: ``Net`` with ``__init__`` and ``forward``, built and run as ``model``."""
    relu = relu_after(net)
    shapes: dict[str, Shape] = {k: v.shape for k, v in net.input_specs.items()}

    def step(i: int, node: Node, ins: tuple[Shape, ...]) -> tuple[tuple[Shape, ...], Shape]:
        layer = node.layer
        return ins, layer.merge_shape(ins) if isinstance(layer, Merge) else layer.output_shape(ins[0])

    rows = propagate(net, step, lambda r: r[1])
    assert rows is not None
    var = {name: ("x" if name == net.input_name else name) for name in net.input_specs}
    init, forward = [], []
    seen_dense = False
    for node, srcs, (ins, shape) in zip(net.nodes, sources(net), rows, strict=True):
        layer = node.layer
        args = [var[s] for s in srcs]
        if isinstance(layer, Merge):
            expr = _torch_merge(layer, args, len(ins[0]))
        else:
            owner = node.shares or node.name
            if not node.shares:
                module = torch_snippet(layer, ins[0], isinstance(layer, Dense) and not seen_dense)
                seen_dense = seen_dense or isinstance(layer, Dense)
                init.append(f"        self.{node.name} = {module}")
            expr = f"self.{owner}({args[0]})"
            if relu[node.name]:
                expr = f"torch.relu({expr})"
        note = f"  # {node.name}: {node.shares} applied again (same weights)" if node.shares else ""
        forward.append(f"        {node.name} = {expr}{note}")
        var[node.name] = node.name
        shapes[node.name] = shape
    helper = any(isinstance(n.layer, Pool) and n.layer.trainable != PoolWeights.NONE
                 for n in net.nodes)
    params = ", ".join(var[n] for n in net.input_specs)
    returns = ", ".join(var[n] for n in net.output_names)
    batch = ", ".join(torch_sample(s.shape) for s in net.input_specs.values())
    lines = ["import torch", "from torch import nn", ""]
    if helper:
        lines += TORCH_POOL_HELPER.strip("\n").split("\n") + [""]
    lines += ["", "class Net(nn.Module):", "    def __init__(self):", "        super().__init__()",
              *init, "", f"    def forward(self, {params}):", *forward, f"        return {returns}",
              "", "", "model = Net()",
              f"model({batch}){SAMPLE_NOTE}"]
    return "\n".join(lines) + "\n"
