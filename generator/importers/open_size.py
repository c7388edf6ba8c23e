"""Keras input shapes with open axes (``keras.Input(shape=(None, None, 3))``): counted where
the count cannot depend on the open size.

A Keras layer's weights depend on the channels it receives, never on the height and width,
except through a ``Flatten``/``Reshape`` that turns them into features (and Keras itself
refuses to build a ``Dense`` on a ``Flatten`` of an open size). So a model with open spatial
axes and no such layer has one count; cnnquiz still needs a size to propagate shapes: the
common sizes are tried and the first at which every layer fits is used, said in a note, and
twice that size must count the same (a guard), else the code is refused.

>>> from generator.importers import read_code
>>> code = read_code('''
... import keras
... from keras import layers
... inputs = keras.Input(shape=(None, None, 3))
... x = layers.Conv2D(8, 3)(inputs)
... outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(x))
... model = keras.Model(inputs, outputs)
... ''')
>>> code.spec["input"]["shape"], code.assumed_input, code.notes[0][1][:64]
([32, 32, 3], (32, 32, 3), 'the input shape (None, None, 3) leaves H×W open; the count does ')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from ..layers import fmt_shape
from .common import OpenInputSize
from .torch_size import SIZES, count_at, spec_answer

__all__ = ["fill_open"]

#: layers that turn the spatial axes into features, so that the weights after depend on them
SIZED_BY_SPACE = ("flatten", "reshape")


def _no_shape(e: OpenInputSize, reread: Callable[[tuple[int, ...]], dict[str, Any]]) -> None:
    """Refuse a model that gives no input shape at all, saying whether only the channels
    matter (the count at 32×32 and 64×64 agrees, and no Flatten feeds a layer)."""
    for rank in (3, 2):  # images (Conv2D first), sequences (Conv1D first)
        answers = []
        for size in (32, 64):
            try:
                spec = reread((*(size,) * (rank - 1), 3))
                kinds = [layer.get("type", "") for layer in spec.get("layers", [])]
                if any(k in SIZED_BY_SPACE for k in kinds) or not next(
                        (k for k in kinds if k.startswith(("conv", "depthwise", "separable",
                                                           "dense"))), "").startswith(
                        ("conv", "depthwise", "separable")):
                    raise e  # a Dense first: its input is features, not an image
                answers.append(spec_answer(spec))
            except OpenInputSize:
                raise
            except ConfigError:
                break
        if len(answers) == 2 and answers[0] == answers[1]:
            example = "x".join(["32"] * (rank - 1) + ["3"])
            raise ConfigError(f"{e.detail.split(';')[0]}, and its count depends on the input "
                              "channels C only (no layer's weights depend on the size): pass "
                              f"any size with the right C, e.g. --input-shape {example} for RGB "
                              "images, or add input_shape=(H, W, C) to the first layer.",
                              where=e.where)
    raise e


def fill_open(e: OpenInputSize, reread: Callable[[tuple[int, ...]], dict[str, Any]]
              ) -> tuple[dict[str, Any], tuple[int, str]]:
    """The spec read with the open axes filled and the note saying so; refused (naming the
    fix) where the count depends on the open size or no common size fits."""
    line = int((e.where or "").removeprefix("line ")) if (e.where or "").startswith("line ") else 0
    if not e.shape:
        _no_shape(e, reread)
    shown = "(" + ", ".join("None" if d is None else str(d) for d in e.shape) + ")"
    fix = (f"give the size: input_shape=(H, W, {e.shape[-1]}) in the code or --input-shape "
           f"HxWx{e.shape[-1]}")
    for size in SIZES:
        shape = tuple(size if d is None else d for d in e.shape)
        try:
            spec = reread(shape)
            answer = spec_answer(spec)
        except ConfigError:
            continue
        break
    else:
        raise ConfigError(f"the input shape {shown} leaves its size open and no common size "
                          f"fits every layer; {fix}.", where=e.where) from None
    if any(layer.get("type") in SIZED_BY_SPACE for layer in spec.get("layers", [])):
        raise ConfigError(f"the input shape {shown} leaves its size open, and the count "
                          "depends on it: a Flatten/Reshape turns the size into features for "
                          f"the layers after it (Keras cannot build it either); {fix}.",
                          where=e.where)
    double = tuple(2 * size if d is None else d for d in e.shape)
    other = count_at(double, reread, answer)
    if other != answer:
        raise ConfigError(f"the input shape {shown} leaves its size open, and the count "
                          f"depends on it: {fmt_shape(shape)} gives {answer:,}, "
                          f"{fmt_shape(double)} gives {other:,}; {fix}.", where=e.where)
    axes = "H×W" if len(e.shape) == 3 else "its size"
    return spec, (line, f"the input shape {shown} leaves {axes} open; the count does not "
                        f"depend on it (no layer's weights depend on {axes}), so the shapes shown are "
                        f"for an assumed {fmt_shape(shape)}, the first common size at which "
                        "every layer fits (pass --input-shape to choose another)")
