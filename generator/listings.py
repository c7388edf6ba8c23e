"""The code a problem shows, by style, topic and difficulty, with the conventions it needs.

- ``keras``: Keras 3 (:func:`generator.codegen.keras_code`), or for the classic posted
  question ``classic-keras`` the Keras 1.2 API (:func:`keras1_code`), where only the first
  layer gives the input shape and every later input depth must be inferred;
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

from .code_parts import last_dense, tuple_literal
from .codegen import _chain_only, keras_code, torch_code
from .errors import ConfigError
from .layers import Conv, Dense, Dropout, Flatten, Layer, Pool, PoolWeights
from .network import Network

__all__ = ["KERAS1_NOTE", "KERAS1_TOPICS", "LAZY_NOTE", "keras1_code", "listing"]


# -- Keras 1 (the classic posted questions) ---------------------------------------------------
KERAS1_HEAD = """from keras import backend as K
from keras.models import Sequential
from keras.layers import {names}

K.set_image_dim_ordering('tf')  # channels last: input_shape is (height, width, channels)

model = Sequential()
"""


def _keras1_layer(layer: Layer, first: str, relu: bool) -> tuple[str, str]:
    """(class name, the ``model.add(...)`` argument) in the Keras 1.2 API."""
    act = ", activation='relu'" if relu else ""
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
    _chain_only(net)
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
