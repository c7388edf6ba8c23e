"""The code a problem shows, by style, topic and difficulty, with the conventions it needs.

- ``keras``: Keras 3 (:func:`generator.codegen.keras_code`), or for the classic posted
  question ``classic-keras`` the Keras 1.2 API (:func:`keras1_code`), where only the first
  layer gives the input shape and every later input depth must be inferred (a graph: the
  Keras 1.2 functional API, ``merge([a, b], mode='sum')`` and ``Model(input=, output=)``);
- ``pytorch``: :func:`generator.codegen.torch_code`; for a hard problem the lazy listing
  (``nn.LazyConv2d(out_channels, k)``, ``nn.LazyLinear(out)``, no input batch printed), so
  the code does not give the input channels away.

>>> from generator.problem import generate
>>> p = generate(topic="classic-keras", difficulty="easy", seed=1, style="keras")
>>> code, notes = listing(p.style, p.network(), p.topic, p.difficulty)
>>> "Convolution2D(" in code and notes == [KERAS1_NOTE]
True
"""

from __future__ import annotations

from .code_parts import last_dense, relu_after, tuple_literal
from .codegen import keras_code, torch_code
from .errors import ConfigError
from .layers import (
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    Dropout,
    Flatten,
    GlobalPool,
    Layer,
    Merge,
    Pool,
    PoolWeights,
    UpSampling,
)
from .network import Network, solve, sources

__all__ = ["KERAS1_NOTE", "KERAS1_TOPICS", "LAZY_NOTE", "keras1_code", "listing"]


# -- Keras 1 (the classic posted questions) ---------------------------------------------------
KERAS1_HEAD = """from keras import backend as K
from keras.models import Sequential
from keras.layers import {names}

K.set_image_dim_ordering('tf')  # channels last: input_shape is (height, width, channels)

model = Sequential()
"""


def _keras1_layer(layer: Layer, first: str, relu: bool,
                  out: tuple[int, ...] | None = None) -> tuple[str, str]:
    """(class name, the ``model.add(...)`` argument) in the Keras 1.2 API; ``out``: the
    output shape, which Keras 1's Deconvolution2D states."""
    act = ", activation='relu'" if relu else ""
    if isinstance(layer, ConvTranspose) and out is not None and layer.rank == 2 and isinstance(
            layer.padding, str) and layer.output_padding is None and all(
            d == 1 for d in layer.dilation):
        args = [str(layer.filters), *map(str, layer.kernel), f"output_shape={(None, *out)}",
                f"border_mode='{layer.padding}'"]
        if any(s != 1 for s in layer.strides):
            args.append(f"subsample={tuple(layer.strides)}")
        if not layer.use_bias:
            args.append("bias=False")
        return "Deconvolution2D", f"Deconvolution2D({', '.join(args)}{act}{first})"
    if isinstance(layer, Conv) and layer.rank == 2 and layer.groups == 1 \
            and all(d == 1 for d in layer.dilation) and isinstance(layer.padding, str):
        args = [str(layer.filters), *map(str, layer.kernel), f"border_mode='{layer.padding}'"]
        if any(s != 1 for s in layer.strides):
            args.append(f"subsample={tuple(layer.strides)}")
        if not layer.use_bias:
            args.append("bias=False")
        return "Convolution2D", f"Convolution2D({', '.join(args)}{act}{first})"
    if isinstance(layer, Pool) and layer.rank == 2 and layer.trainable == PoolWeights.NONE \
            and isinstance(layer.padding, str):
        cls = "MaxPooling2D" if layer.op == "max" else "AveragePooling2D"
        strides = "" if layer.strides == layer.kernel else f", strides={tuple(layer.strides)}"
        pad = "" if layer.padding == "valid" else f", border_mode='{layer.padding}'"
        return cls, f"{cls}(pool_size={tuple(layer.kernel)}{strides}{pad}{first})"
    if isinstance(layer, Flatten):
        return "Flatten", f"Flatten({first.lstrip(', ')})"
    if isinstance(layer, Dense):
        bias = "" if layer.use_bias else ", bias=False"
        return "Dense", f"Dense({layer.units}{bias}{act}{first})"
    if isinstance(layer, Dropout):
        return "Dropout", f"Dropout({layer.rate}{first})"
    if isinstance(layer, BatchNormalization) and layer.center and layer.scale:
        return "BatchNormalization", f"BatchNormalization({first.lstrip(', ')})"
    if isinstance(layer, GlobalPool) and layer.rank == 2 and not layer.keepdims:
        cls = "GlobalMaxPooling2D" if layer.op == "max" else "GlobalAveragePooling2D"
        return cls, f"{cls}({first.lstrip(', ')})"
    if isinstance(layer, UpSampling) and layer.rank == 2:
        return "UpSampling2D", f"UpSampling2D(size={tuple(layer.size)}{first})"
    raise ConfigError(f"{layer.name}: no Keras 1 code for {layer.kind}; show it in Keras 3.")


def keras1_code(net: Network) -> str:
    """Keras 1.2 source (``Convolution2D(nb_filter, nb_row, nb_col, border_mode=...)``,
    ``Dense(output_dim)``) that builds ``net`` as ``model``: the input shape is given to the
    first layer only, so every later layer's input channels must be inferred.

    >>> from generator.spec import load_spec
    >>> net = load_spec({"input": {"shape": [8, 8], "channels": 1},
    ...                  "conventions": {"padding": "valid", "bias": "true"},
    ...                  "layers": [{"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3},
    ...                             {"type": "max_pooling2d", "name": "pool1", "pool_size": 2},
    ...                             {"type": "flatten", "name": "flatten1"},
    ...                             {"type": "dense", "name": "dense1", "units": 2}]})
    >>> print(keras1_code(net).split("model = Sequential()")[1].strip())
    model.add(Convolution2D(4, 3, 3, border_mode='valid', activation='relu', name='conv1', input_shape=(8, 8, 1)))
    model.add(MaxPooling2D(pool_size=(2, 2), name='pool1'))
    model.add(Flatten(name='flatten1'))
    model.add(Dense(2, name='dense1'))
    """
    if not net.is_chain:
        return _keras1_graph(net)
    if any(n.shares for n in net.nodes) or len(net.input.shape) != 3:
        raise ConfigError("Keras 1 code is shown for a chain of 2-D layers without reuse.")
    last = last_dense(net)
    names: list[str] = []
    lines = []
    for i, n in enumerate(net.nodes):
        first = f", input_shape={tuple_literal(net.input.shape)}" if i == 0 else ""
        cls, call = _keras1_layer(n.layer, f", name='{n.name}'{first}",
                                  isinstance(n.layer, Conv | Dense) and n.name != last)
        if i == 0 and first.strip(", ") not in call:
            raise ConfigError("the first Keras 1 layer must take the input shape.")
        names += [cls] if cls not in names else []
        lines.append(f"model.add({call})")
    return KERAS1_HEAD.format(names=", ".join(names)) + "\n".join(lines) + "\n"


#: our merges -> Keras 1.2's merge modes (keras/engine/topology.py, ``Merge``); Keras 1 has
#: no subtract or minimum mode
KERAS1_MODES = {"add": "sum", "multiply": "mul", "concatenate": "concat", "average": "ave",
                "maximum": "max"}


def _keras1_graph(net: Network) -> str:
    """A graph in the Keras 1.2 functional API: ``Input(shape=...)``, layers applied to tensors,
    ``merge([a, b], mode='sum')``, ``Model(input=..., output=...)``."""
    if any(n.shares for n in net.nodes):
        raise ConfigError("Keras 1 code is shown for graphs without shared layers; show it in "
                          "Keras 3.")
    relu = relu_after(net)
    var = {name: ("inputs" if name == net.input_name else name) for name in net.input_specs}
    names, lines = ["Input", "merge"], []
    for name, spec in net.input_specs.items():
        lines.append(f"{var[name]} = Input(shape={tuple_literal(spec.shape)}, name='{name}')")
    rows = solve(net, worked=False).rows
    for node, srcs, row in zip(net.nodes, sources(net), rows, strict=True):
        layer, args = node.layer, [var[s] for s in srcs]
        if isinstance(layer, Merge):
            if layer.op not in KERAS1_MODES:
                raise ConfigError(f"{layer.name}: Keras 1 has no {layer.op} merge mode; show it "
                                  "in Keras 3.")
            axis = f", concat_axis={layer.axis}" if layer.op == "concatenate" and (
                layer.axis != -1) else ""
            lines.append(f"{node.name} = merge([{', '.join(args)}], "
                         f"mode='{KERAS1_MODES[layer.op]}'{axis}, name='{node.name}')")
        else:
            cls, call = _keras1_layer(layer, f", name='{node.name}'", relu[node.name],
                                      row.out_shape)
            names += [cls] if cls not in names else []
            lines.append(f"{node.name} = {call}({args[0]})")
        var[node.name] = node.name
    ins, outs = ([var[n] for n in names_] for names_ in (net.input_specs, net.output_names))
    lines.append(f"model = Model(input={ins[0] if len(ins) == 1 else '[' + ', '.join(ins) + ']'}, "
                 f"output={outs[0] if len(outs) == 1 else '[' + ', '.join(outs) + ']'})")
    head = (f"from keras import backend as K\nfrom keras.layers import {', '.join(names)}\n"
            "from keras.models import Model\n\nK.set_image_dim_ordering('tf')  # channels last: "
            "input shapes are (height, width, channels)\n\n")
    return head + "\n".join(lines) + "\n"


LAZY_NOTE = ("The Lazy layers (nn.LazyConv2d(out_channels, kernel_size), nn.LazyLinear("
             "out_features)) take their input channels or features from the first batch "
             "passed through the model: infer them from the input and the layers before.")
KERAS1_NOTE = ("The code is in the Keras 1 API: Convolution2D(nb_filter, nb_row, nb_col) has "
               "nb_filter kernels of nb_row×nb_col, border_mode is the padding, subsample the "
               "stride, Dense(output_dim) has output_dim units; only the first layer gives the "
               "input shape (height, width, channels), so each later layer's input channels "
               "must be inferred.")
#: topics whose Keras listing is in the Keras 1 API (the classic posted questions)
KERAS1_TOPICS = ("classic-keras",)


def listing(style: str, net: Network, topic: str = "",
            difficulty: str = "") -> tuple[str, list[str]]:
    """(code, conventions it needs stated) of a problem of this style, topic and difficulty:
    Keras 1 for :data:`KERAS1_TOPICS`, the lazy PyTorch listing for hard problems; no code for
    prose and tables."""
    if style == "keras":
        return (keras1_code(net), [KERAS1_NOTE]) if topic in KERAS1_TOPICS else (keras_code(net), [])
    if style == "pytorch":
        lazy = difficulty == "hard" and net.is_chain  # graphs: forward() code, channels shown
        return torch_code(net, lazy=lazy), [LAZY_NOTE] if lazy else []
    return "", []
