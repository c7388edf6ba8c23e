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

from ..layers import Kind
from ..layers.registry import KERAS_NAMES
from .callargs import CHANNELS_FIRST, CallArgs
from .chain import Ref
from .common import UNKNOWN, channel_test, dotted, fail, snippet, suggest, try_fold
from .consts import NOTES, unknown_reason
from .envkeys import add_note

__all__ = ["CHANNELS_FIRST", "CLASSES", "NOTES", "INPUTS", "MERGES", "Declared", "Unread", "channel_order",
           "keras_layer", "to_channels_last"]

_FIRST, _LAST = ("channels_first", "th"), ("channels_last", "tf")

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
SKIPPED = {"Rescaling", "GaussianNoise", "ActivityRegularization", "Masking",
           # data augmentation: no weights, shape unchanged (count_params() 0 in Keras 3)
           "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
           "RandomBrightness"}
INPUTS = {"Input", "InputLayer"}
REFUSED = {
    "Lambda": "a Lambda layer runs arbitrary code, so its output shape cannot be read without "
              "running it; replace it by standard layers",
    **{n: "is not read (cnnquiz merges with add, subtract, multiply, average, maximum, minimum "
          "and concatenate)" for n in ("Dot", "Merge", "dot")},
}
#: the merge layers' names (a merge of tensors given as a list; Keras 1's merge(mode=...))
MERGES = {n for n, named in KERAS_NAMES.items() if named.kind.family == "merge"} | {
    "Dot", "Merge", "dot"}
#: class names the registry reads (merges and the identity included)
CLASSES = {n: named for n, named in KERAS_NAMES.items() if named.kind.family != "merge"}
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


def keras_layer(call: ast.Call, cls: str, env: dict[str, Any]) -> tuple[Ref | None, Declared]:
    """A Keras layer call -> (its ref or None if it changes nothing, the input shape it states).

    The class name is looked up in the layer registry; the kind's reader turns the arguments
    into spec options (:data:`generator.layers.registry.KERAS_NAMES`).
    """
    label = snippet(call)
    if cls in REFUSED:
        fail(call, f"{label}: {cls} {REFUSED[cls]}." if cls in MERGES else
                   f"{label}: {REFUSED[cls]}.")
    if cls in INPUTS or cls in SKIPPED:
        names = ["shape"] if cls in INPUTS else [f"_{i}" for i in range(len(call.args))]
        return None, declared_shape(CallArgs(call, names, env, label))
    named = KERAS_NAMES.get(cls)
    if named is None:
        fail(call, f"unknown layer class {cls}.{suggest(cls, KNOWN)} cnnquiz reads the Keras "
                   "layers of CNNs: Conv1D/2D/3D, pooling, Dense, Flatten, BatchNormalization, "
                   "Dropout, activations, ZeroPadding.")
    e = named.kind
    positional, expect = _legacy(call, cls, e, env)
    a = CallArgs(call, positional or named.positional, env, label)
    a.rename(KERAS1)
    reading = named.read(a, cls, e)
    if reading.skip:  # read and left out: changes neither shapes nor counts
        return None, declared_shape(a)
    options = dict(reading.options)
    if a.get("trainable", True) is False and "frozen" in e.options:
        options["frozen"] = True
    a.check_known(reading.known or set(), IGNORED)
    ref = Ref(call.lineno, label, reading.kind or e.kind, options, name=_name(a, call, env),
              expect={**reading.expect, **{k: a.get(v) for k, v in expect.items()}})
    if "stack_size" in a:  # Keras 0 states the input channels
        ref.expect["in_channels"] = a.get("stack_size")
    if reading.declared is not None and not any(
            k in a for k in ("input_shape", "batch_input_shape")):
        return ref, reading.declared or None  # an Embedding's input_length
    return ref, declared_shape(a)


def _legacy(call: ast.Call, cls: str, e: Kind, env: dict[str, Any]
            ) -> tuple[list[str] | None, dict[str, str]]:
    """Keras 0/1 positional spellings: (positional names, or None for the registered ones;
    what the call then states about its input: expect key -> argument)."""
    if e.kind == "dense" and len(call.args) >= 2 and _ints(try_fold(call.args[1], env)):
        return ["input_dim", "units", "init", "activation"], {"in_features": "input_dim"}  # Dense(in, out)
    if e.family in ("conv", "conv_transpose", "depthwise", "separable") or e.rank >= 2:
        return _keras1_kernel(call, cls, e.rank, env), {}
    return None, {}


def _name(a: CallArgs, call: ast.Call, env: dict[str, Any]) -> str | None:
    """The layer's ``name=`` (a bare name without quotes is read as that text, with a note)."""
    name = a.nodes.get("name")
    text = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
    if isinstance(name, ast.Name) and name.id not in env:  # name=Conv1, quotes left out
        text = name.id
        add_note(env, call.lineno, f"name={name.id} has no quotes; read as the name '{name.id}'")
    return text or None
