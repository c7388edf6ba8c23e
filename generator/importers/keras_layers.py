"""One Keras layer call (Keras 1, 2 or 3 spellings) -> a :class:`~.chain.Ref`, with Keras defaults.

>>> import ast
>>> call = ast.parse("Convolution2D(32, 5, 5, border_mode='same', subsample=(2, 2))").body[0].value
>>> ref, shape = keras_layer(call, "Convolution2D", {})
>>> ref.kind, ref.options["kernel"], ref.options["padding"], ref.options["strides"]
('conv2d', (5, 5), 'same', (2, 2))
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, NoReturn

from ..layers import REGISTRY
from .callargs import CallArgs
from .chain import Ref
from .common import UNKNOWN, channel_test, dotted, fail, snippet, suggest, try_fold
from .consts import NOTES, unknown_reason
from .envkeys import add_note

__all__ = ["CHANNELS_FIRST", "CLASSES", "NOTES", "INPUTS", "MERGES", "Declared", "Unread", "channel_order",
           "keras_layer", "to_channels_last"]

#: key in the constants environment saying the file is channels-first (not a Python name)
CHANNELS_FIRST = "<channels first>"
_FIRST, _LAST = ("channels_first", "th"), ("channels_last", "tf")

def _read_as(kind: str, fam: str, name: str) -> str:
    """The reading branch of :func:`keras_layer` for a registered Keras class name."""
    if name in ("LeakyReLU", "ELU", "ThresholdedReLU"):
        return {"LeakyReLU": "leaky_relu", "ELU": "elu", "ThresholdedReLU": "thresholded_relu"}[name]
    if fam in ("conv", "conv_transpose", "depthwise", "separable", "dropout"):
        return fam
    return kind.removesuffix(f"{kind[-2]}d") if kind[-1] == "d" and kind[-2].isdigit() else kind


#: Keras 1 keyword -> Keras 2/3 keyword
KERAS1 = {"nb_filter": "filters", "output_dim": "units", "border_mode": "padding",
          "subsample": "strides", "subsample_length": "strides", "filter_length": "kernel_size",
          "pool_length": "pool_size", "stride": "strides", "bias": "use_bias", "p": "rate",
          "atrous_rate": "dilation_rate", "dim_ordering": "data_format"}
IGNORED = {"name", "input_shape", "batch_input_shape", "input_dim", "input_length", "batch_size",
           "dtype", "trainable", "activation", "weights", "init", "data_format", "momentum",
           "epsilon", "mode", "noise_shape", "seed", "renorm", "renorm_clipping",
           "renorm_momentum", "synchronized", "activity_regularizer", "W_regularizer",
           "b_regularizer", "W_constraint", "b_constraint", "lora_alpha", "quantization_config",
           "max_value", "negative_slope", "threshold", "alpha", "axis", "output_shape",
           "sparse", "ragged", "autocast"}
#: layers that change neither shapes nor counts: read and left out
SKIPPED = {"Identity", "Rescaling", "GaussianNoise", "ActivityRegularization", "Masking",
           # data augmentation: no weights, shape unchanged (count_params() 0 in Keras 3)
           "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
           "RandomBrightness"}
MERGES = {"Add", "Concatenate", "Multiply", "Average", "Subtract", "Maximum", "Minimum", "Dot",
          "Merge", "add", "concatenate", "multiply", "average", "subtract", "maximum", "minimum",
          "dot", "merge"}
INPUTS = {"Input", "InputLayer"}
REFUSED = {
    "Lambda": "a Lambda layer runs arbitrary code, so its output shape cannot be read without "
              "running it; replace it by standard layers",
}

#: class name -> (family, rank, positional argument names), from the layer registry's Keras
#: names; LeakyReLU, ELU and ThresholdedReLU read as activations of their own name
CLASSES: dict[str, tuple[str, int, tuple[str, ...]]] = {}
for _entry in REGISTRY.values():
    for _name, _positional in _entry.keras.items():
        if _name not in MERGES and _name not in SKIPPED:
            CLASSES[_name] = (_read_as(_entry.kind, _entry.family, _name),
                              _entry.fixed.get("rank", 0), _positional)
KNOWN = sorted({*CLASSES, *INPUTS, *SKIPPED})


def channel_order(tree: ast.Module, aliases: dict[str, str]) -> tuple[int, str] | None:
    """(line, construct) when the file is channels-first (Keras 1 ``dim_ordering='th'``,
    ``data_format='channels_first'``, ``K.set_image_dim_ordering('th')``), else None.

    A file that states both orders is refused: the input shape would be read two ways.
    """
    first: tuple[int, str] | None = None
    last: tuple[int, str] | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (dotted(node.func, aliases) or "").rsplit(".", 1)[-1]
        values = [k.value for k in node.keywords if k.arg in ("data_format", "dim_ordering")]
        if name in ("set_image_data_format", "set_image_dim_ordering"):
            values += node.args[:1]
        for v in values:
            if isinstance(v, ast.Constant) and v.value in _FIRST + _LAST:
                seen = (node.lineno, snippet(node, 50))
                if v.value in _FIRST:
                    first = first or seen
                else:
                    last = last or seen
    if first and last:
        fail(first[0], f"{first[1]} is channels-first, but line {last[0]} ({last[1]}) is "
                       "channels-last; the input shape cannot be read both ways. Use one order.")
    return first


def channel_branch_notes(tree: ast.Module, channels_first: bool) -> list[tuple[int, str]]:
    """A note for each ``if K.image_data_format() == ...`` branch: which one was read."""
    notes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (first := channel_test(node.test)) is not None:
            taken = ("the if branch" if first == channels_first else "the else branch"
                     if node.orelse else "the if branch skipped")
            order = "channels-first (as the file sets)" if channels_first else "channels-last"
            notes.append((node.lineno, f"`if {snippet(node.test, 60)}`: {taken} read, for "
                                       f"{order} input"))
    return notes


def to_channels_last(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """A channels-first input shape (C, H, W) as cnnquiz's (H, W, C); (n,) stays.

    >>> to_channels_last((3, 224, 224))
    (224, 224, 3)
    """
    return shape if len(shape) < 2 else (*shape[1:], shape[0])


def _ints(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _keras1_kernel(call: ast.Call, cls: str, rank: int, env: dict[str, Any]) -> list[str] | None:
    """Positional names when a call uses Keras 1's separate kernel sizes (nb_row, nb_col)."""
    if rank < 2 or len(call.args) < 3:
        return None
    if rank == 2 and len(call.args) >= 4 and cls.startswith("Convolution") and all(
            _ints(try_fold(x, env)) for x in call.args[1:4]):
        return ["filters", "stack_size", "nb_row", "nb_col"]  # Keras 0
    second, third = try_fold(call.args[1], env), try_fold(call.args[2], env)
    if not (_ints(second) and _ints(third)):
        return None
    if cls.startswith("Conv") and not cls.startswith("Convolution"):
        fail(call, f"{snippet(call)} is ambiguous: Keras 1/2 read it as a {second}×{third} kernel, "
                   f"Keras 3 as kernel {second} with strides {third}. Write "
                   f"{cls}({snippet(call.args[0])}, ({second}, {third})) or "
                   f"{cls}({snippet(call.args[0])}, {second}, strides={third}).")
    kernel = ["nb_row", "nb_col"] if rank == 2 else [f"kernel_dim{i}" for i in (1, 2, 3)]
    return ["filters", *kernel, "output_shape"] if "Deconvolution" in cls else ["filters", *kernel]


def _tuple(a: CallArgs, key: str, rank: int, default: Any) -> Any:
    v = a.get(key, default)
    if v is None:
        v = default
    return tuple(v) if isinstance(v, tuple | list) else (v,) * rank


def _padding(a: CallArgs, rank: int, kernel: Any, dilation: Any) -> Any:
    v = a.get("padding", "valid")
    mode = v.lower() if isinstance(v, str) else v
    if mode in ("valid", "same"):
        return mode
    if mode == "full" and kernel is not None:  # Keras 1 (Theano): k − 1 zeros on each side
        return tuple(d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
    fail(a.call, f"{a.label}: padding={v!r} is not read; cnnquiz knows 'valid', 'same' and "
                 "Keras 1's 'full'.")


def _zero_padding(a: CallArgs, rank: int) -> tuple[int, ...]:
    v = a.get("padding", 1)
    if _ints(v):
        return (v,) * rank
    if rank == 1 and isinstance(v, tuple) and len(v) == 2 and all(_ints(p) for p in v):
        v = (v,)  # ZeroPadding1D((left, right)): one pair (keras/src/layers/reshaping/zero_padding1d.py)
    if not isinstance(v, tuple) or len(v) != rank:
        fail(a.call, f"{a.label}: padding needs one entry per spatial axis ({rank}).")
    out = []
    for p in v:
        if _ints(p):
            out.append(p)
        elif isinstance(p, tuple) and len(p) == 2 and p[0] == p[1] and _ints(p[0]):
            out.append(p[0])
        else:
            fail(a.call, f"{a.label}: asymmetric padding {p!r} cannot be folded into the next "
                         "layer (cnnquiz pads both sides alike); use equal sizes.")
    return tuple(out)


@dataclass(frozen=True)
class Unread:
    """An input shape the code computes when it runs (``x_train.shape[1:]``, a parameter)."""

    line: int
    text: str
    why: str = " (it is computed when the code runs)"

    def fail(self) -> NoReturn:
        fail(self.line, f"the input shape {self.text} cannot be read{self.why}. Pass "
                        "--input-shape HxWxC (channels last), or write the numbers.")


#: the input shape a layer call states: constants, not constant (:class:`Unread`), or none
Declared = tuple[Any, ...] | Unread | None


def declared_shape(a: CallArgs) -> Declared:
    """The input shape a layer states (input_shape, batch_input_shape, input_dim, ...);
    :class:`Unread` when it is not a constant (``--input-shape`` may still supply it)."""
    for key, drop in (("input_shape", 0), ("shape", 0), ("batch_input_shape", 1),
                      ("batch_shape", 1)):
        if key in a:
            v = try_fold(a.nodes[key], a.env)
            if v is UNKNOWN:
                return Unread(a.call.lineno, f"{key}={snippet(a.nodes[key])}",
                              unknown_reason(a.nodes[key], a.env) or Unread.why)
            v = v if isinstance(v, tuple) else (v,)
            return v[drop:]
    if "input_dim" in a:
        dims = [try_fold(a.nodes[k], a.env) for k in ("input_length", "input_dim") if k in a]
        if UNKNOWN in dims:
            return Unread(a.call.lineno, f"input_dim={snippet(a.nodes['input_dim'])}",
                          unknown_reason(a.nodes["input_dim"], a.env) or Unread.why)
        return tuple(dims)
    return None


def _merge(call: ast.Call, cls: str, env: dict[str, Any], label: str) -> Ref:
    """A merge layer (``Add()``, ``Concatenate(axis=-1)``, ``layers.add``): its op and axis."""
    op = cls.lower()
    if op in ("dot", "merge"):
        fail(call, f"{label}: {cls} is not read (cnnquiz merges with add, subtract, multiply, "
                   "average, maximum, minimum and concatenate).")
    a = CallArgs(call, ["axis"] if op == "concatenate" else [], env, label)
    a.check_known({"axis"} if op == "concatenate" else set(), IGNORED)
    return Ref(call.lineno, label, op, {"axis": a.get("axis", -1)} if op == "concatenate" else {},
               name=getattr(a.nodes.get("name"), "value", None))


def keras_layer(call: ast.Call, cls: str, env: dict[str, Any]) -> tuple[Ref | None, Declared]:
    """A Keras layer call -> (its ref or None if it changes nothing, the input shape it states)."""
    label = snippet(call)
    if cls in REFUSED:
        fail(call, f"{label}: {REFUSED[cls]}.")
    if cls in MERGES:
        return _merge(call, cls, env, label), None
    if cls in INPUTS or cls in SKIPPED:
        names = ["shape"] if cls in INPUTS else [f"_{i}" for i in range(len(call.args))]
        return None, declared_shape(CallArgs(call, names, env, label))
    if cls not in CLASSES:
        fail(call, f"unknown layer class {cls}.{suggest(cls, KNOWN)} cnnquiz reads the Keras "
                   "layers of CNNs: Conv1D/2D/3D, pooling, Dense, Flatten, BatchNormalization, "
                   "Dropout, activations, ZeroPadding.")
    fam, rank, registered = CLASSES[cls]
    positional = _keras1_kernel(call, cls, rank, env) or list(registered)
    if cls == "Dense" and len(call.args) >= 2 and _ints(try_fold(call.args[1], env)):
        positional = ["input_dim", "units", "init", "activation"]  # Keras 0: Dense(in, out)
    a = CallArgs(call, positional, env, label)
    a.rename(KERAS1)
    parts = [k for k in ("nb_row", "nb_col", "kernel_dim1", "kernel_dim2", "kernel_dim3") if k in a]
    kernel = tuple(a.get(k) for k in parts) if parts else None
    options: dict[str, Any] = {}
    kind = fam if rank == 0 or fam == "zero_padding" else f"{fam}{rank}d"
    if fam in ("conv", "conv_transpose", "depthwise", "separable"):
        kind = {"conv": f"conv{rank}d", "conv_transpose": f"conv{rank}d_transpose",
                "depthwise": f"depthwise_conv{rank}d", "separable": f"separable_conv{rank}d"}[fam]
        if kernel is None:
            if "kernel_size" not in a:
                fail(call, f"{label}: the kernel size is missing; write it, e.g. {cls}(32, 3).")
            kernel = _tuple(a, "kernel_size", rank, None)
        if fam != "depthwise":
            if "filters" not in a:
                fail(call, f"{label}: the number of filters is missing; write it, e.g. "
                           f"{cls}(32, 3).")
            options["filters"] = a.get("filters")
        dilation = _tuple(a, "dilation_rate", rank, 1)
        options |= {"kernel": kernel, "strides": _tuple(a, "strides", rank, 1),
                    "padding": _padding(a, rank, kernel, dilation), "bias": a.get("use_bias", True)}
        if any(d != 1 for d in dilation):
            options["dilation"] = dilation
        for key in ("groups", "depth_multiplier", "output_padding"):
            if a.get(key) is not None:
                options[key] = _tuple(a, key, rank, 0) if key == "output_padding" else a.get(key)
        known = {"filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias",
                 "groups", "depth_multiplier", "output_padding", "stack_size", *parts}
    elif fam.endswith("_pooling") and not fam.startswith(("global", "adaptive")):
        size = _tuple(a, "pool_size", rank, 2)
        options = {"pool_size": size, "strides": _tuple(a, "strides", rank, size),
                   "padding": _padding(a, rank, None, None), "trainable": "none"}
        known = {"pool_size", "strides", "padding"}
    elif fam.startswith("adaptive_"):  # keras/src/layers/pooling/adaptive_average_pooling2d.py
        size = a.get("output_size")
        if size is None:
            fail(call, f"{label}: output_size is missing.")
        options = {"output_size": list(size) if isinstance(size, tuple) else [size] * rank}
        known = {"output_size"}
    elif fam.startswith("global"):
        options, known = {"keepdims": a.get("keepdims", False)}, {"keepdims"}
    elif fam == "zero_padding":
        options, known = {"padding": _zero_padding(a, rank)}, {"padding"}
    elif fam == "dense":
        if "units" not in a:
            fail(call, f"{label}: the number of units is missing; write it, e.g. Dense(10).")
        if a.get("lora_rank") is not None:
            fail(call, f"{label}: lora_rank adds LoRA weights cnnquiz does not count; remove it.")
        options = {"units": a.get("units"), "bias": a.get("use_bias", True)}
        known = {"units", "use_bias", "lora_rank"}
    elif fam == "dropout":
        options, known = {"rate": a.optional("rate", 0.5)}, {"rate"}
    elif fam == "activation":
        node = a.nodes.get("activation")
        name = (a.get("activation") if isinstance(node, ast.Constant)
                else snippet(node).rsplit(".", 1)[-1] if node is not None else "linear")
        options, known = {"activation": str(name)}, {"activation"}
    elif fam in ("relu", "softmax"):
        known = set()
    elif fam in ("leaky_relu", "elu", "thresholded_relu"):
        kind, options, known = "activation", {"activation": fam}, set()
    elif fam == "batch_normalization":
        options = {"center": a.get("center", True), "scale": a.get("scale", True)}
        known = {"center", "scale"}
    elif fam == "resizing":  # keras/src/layers/preprocessing/image_preprocessing/resizing.py
        for key in ("height", "width"):
            if key not in a:
                fail(call, f"{label}: {key} is missing.")
        options = {"size": [a.get("height"), a.get("width")]}
        known = {"height", "width", "interpolation", "crop_to_aspect_ratio",
                 "pad_to_aspect_ratio", "fill_mode", "fill_value"}
    elif fam == "up_sampling":
        options, known = {"size": _tuple(a, "size", rank, 2)}, {"size", "interpolation"}
        if a.get("interpolation", "nearest") != "nearest":
            pass  # bilinear upsampling has the same shape and no weights
    elif fam == "cropping":
        v = a.get("cropping", 1)
        pairs = [v] * rank if _ints(v) else list(v) if rank > 1 else [v]
        options = {"cropping": [list(p) if isinstance(p, tuple) else p for p in pairs]}
        known = {"cropping"}
    elif fam in ("reshape", "permute"):
        key = "target_shape" if fam == "reshape" else "dims"
        if key not in a:
            fail(call, f"{label}: {key} is missing; write it, e.g. {cls}((4, 4, 2)).")
        value = a.get(key)
        options, known = {key: list(value) if isinstance(value, tuple) else [value]}, {key}
    elif fam in ("layer_normalization", "group_normalization"):
        options = {"center": a.get("center", True), "scale": a.get("scale", True)}
        known = {"center", "scale", "groups", "rms_scaling"}
        if fam == "group_normalization":
            options["groups"] = a.get("groups", 32)
        axis = a.get("axis", -1)
        if fam == "layer_normalization" and axis != -1:
            options["axis"] = list(axis) if isinstance(axis, tuple | list) else [axis]
        elif axis not in (-1,):
            fail(call, f"{label}: axis={a.get('axis')} normalises another axis than the "
                       "channels; cnnquiz counts the last (channel) axis. Use axis=-1.")
    elif fam == "prelu":
        shared = a.get("shared_axes")
        options = {"shared_axes": [] if shared is None else list(
            shared if isinstance(shared, tuple) else (shared,))}
        known = {"shared_axes"}
    elif fam == "embedding":
        out_key = "units" if "units" in a else "output_dim"  # Keras 1's output_dim is renamed
        for key in ("input_dim", out_key):
            if key not in a:
                fail(call, f"{label}: {key} is missing; write it, e.g. Embedding(1000, 64).")
        options = {"input_dim": a.get("input_dim"), "output_dim": a.get(out_key)}
        known = {"input_dim", "output_dim", "units", "mask_zero", "input_length"}
    else:  # flatten
        known = set()
    if a.get("trainable", True) is False and fam in ("conv", "conv_transpose", "depthwise",
                                                    "separable", "dense", "batch_normalization"):
        options["frozen"] = True
    a.check_known(known, IGNORED)
    name = a.nodes.get("name")
    text = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
    if isinstance(name, ast.Name) and name.id not in env:  # name=Conv1, quotes left out
        text = name.id
        add_note(env, call.lineno, f"name={name.id} has no quotes; read as the name '{name.id}'")
    ref = Ref(call.lineno, label, kind, options, name=text or None)
    if "stack_size" in a:  # Keras 0 states the input channels
        ref.expect["in_channels"] = a.get("stack_size")
    if positional[:1] == ["input_dim"] and fam == "dense":
        ref.expect["in_features"] = a.get("input_dim")
    channel_axis = (1, -3) if env.get(CHANNELS_FIRST) else (-1,)
    if fam == "batch_normalization" and a.get("axis", -1) not in channel_axis:
        ref.expect["axis"] = a.get("axis")
    if fam == "embedding":  # input_dim is the vocabulary; input_length the sequence length
        length = a.get("input_length") if "input_length" in a else None
        return ref, ((length,) if length is not None else None) if not any(
            k in a for k in ("input_shape", "batch_input_shape")) else declared_shape(a)
    return ref, declared_shape(a)
