"""Code importers: Keras or PyTorch model source -> spec dict, read with :mod:`ast`, never run.

:func:`import_source` detects the framework (imports first, then the model constructors it
finds) and returns a spec dict that :func:`generator.spec.load_spec` accepts; every shape is
propagated and every size the code states (torch ``in_channels``/``in_features``) is checked
on the way. :func:`load_any` reads a ``.py`` file that way and YAML/JSON specs as usual.

Counting: a Keras spec asks for ``count: total`` (Keras's "Total params"), a PyTorch spec for
``count: trainable`` (``sum(p.numel() for p in model.parameters())``; batch-norm running
statistics are buffers there and non-trainable weights here, as in Keras).

>>> spec = import_source('''
... import torch.nn as nn
... model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
...                       nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
... ''', input_shape=(32, 32, 3))
>>> from generator.network import solve
>>> from generator.spec import load_spec
>>> solve(load_spec(spec)).total  # (3·3·3 + 1)·8 + (8 + 1)·2
242
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..spec import read_spec_file
from .common import NoInputSize, OpenInputSize, check_size, parse
from .detect import (
    channel_advice,
    channel_readings,
    framework,
    missing_functional,
    no_model_message,
)
from .keras_ast import import_keras
from .open_size import fill_open
from .repair import Repaired, repair
from .repair_names import case_typos
from .torch_ast import import_torch
from .torch_size import UNIQUE, infer_input
from .zoo import pretrained, pretrained_message

__all__ = ["Imported", "import_keras", "import_source", "import_torch", "load_any", "read_code",
           "read_code_file"]


@dataclass(frozen=True)
class Imported:
    """What reading pasted code gives: the spec, its framework and what was repaired on the way.

    ``repairs`` are ``(line, what)`` pairs in the pasted text's own line numbers.
    """

    spec: dict[str, Any]
    framework: str  # "keras" or "torch"
    repairs: tuple[tuple[int, str], ...] = field(default=())
    notes: tuple[tuple[int, str], ...] = field(default=())  # how the code was read
    #: when the code can be read two ways that change the answer (channel order of old Keras
    #: code): (reading, answer) pairs, the one the spec uses first
    readings: tuple[tuple[str, int], ...] = field(default=())
    #: what the two readings are and how to state each (empty when there is one reading)
    readings_advice: str = ""
    #: when the code leaves the input size open and one was assumed to show shapes (the
    #: count does not depend on it): that size, channels last; else None
    assumed_input: tuple[int, ...] | None = None


def read_code(source: str, *, input_shape: tuple[int, ...] | None = None,
              filename: str = "<source>", model: str | None = None) -> Imported:
    """Read the Keras or PyTorch model in ``source`` (never imported or run).

    ``input_shape`` (H, W, C), channels last, supplies or replaces the code's input size;
    ``model`` names the model (or gives its line) when the file defines several.

    >>> read_code("x = 1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    generator.errors.ConfigError: <source>: no model found in this file. Looked for a Keras Sequential([...]) ... Seen: no imports; no classes; no functions; no layer calls. ...
    """
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if not input_shape or any(isinstance(d, bool) or not isinstance(d, int) or d < 1
                                  for d in input_shape):
            raise ConfigError(f"input shape must be positive whole numbers H×W×C; received "
                              f"{input_shape!r}.", where="--input-shape")
    check_size(source, filename)  # before the repair: a paste too large is refused at once
    fixed = repair(source)
    assumed: tuple[int, ...] | None = None
    tree: ast.Module | None = None
    try:
        tree = parse(fixed.text, filename)
        name, notes = framework(tree)
        if name == "torch" and (added := missing_functional(fixed.text, tree)) is not None:
            fixed = Repaired(added[0], (*fixed.repairs, added[1]))
            tree = parse(fixed.text, filename)
        text, typos = case_typos(fixed.text, tree)
        if typos:  # img_SIZE for IMG_SIZE
            fixed = Repaired(text, (*fixed.repairs, *typos))
            tree = parse(fixed.text, filename)
        reader = import_torch if name == "torch" else import_keras
        try:
            spec = reader(fixed.text, input_shape=input_shape, filename=filename, model=model,
                          notes=notes)
        except OpenInputSize as e:  # Keras: (None, None, 3), counted where it cannot matter
            text = fixed.text
            spec, note = fill_open(e, lambda shape: import_keras(
                text, input_shape=shape, filename=filename, model=model))
            notes.append(note)
            assumed = _input_shape(spec)
        except NoInputSize as e:  # PyTorch's count does not depend on it: a size that fits
            text = fixed.text
            spec, note = infer_input(e, lambda shape: import_torch(
                text, input_shape=shape, filename=filename, model=model))
            notes.append(note)
            if UNIQUE not in note[1]:  # else solved from the layer sizes, not assumed
                assumed = _input_shape(spec)
        except ConfigError as e:
            if e.detail.startswith("no model found"):
                raise ConfigError(no_model_message(tree), where=e.where) from None
            raise
    except RecursionError:  # a safety net; parse() already refuses deep nesting
        raise ConfigError("the code is nested too deeply to read; paste only the model "
                          "definition, written more simply.", where=filename) from None
    except ConfigError as e:
        if tree is not None and "--model" not in e.detail and (
                zoo := pretrained(tree)) is not None:  # the real cause:
            # a network of a library, which the paste uses but does not define
            raise ConfigError(pretrained_message(zoo), where=f"line {zoo[0]}") from None
        if not fixed.repairs:
            raise
        shown = "; ".join(f"line {n}: {what}" for n, what in fixed.repairs[:3])
        more = f" and {len(fixed.repairs) - 3} more" if len(fixed.repairs) > 3 else ""
        raise ConfigError(f"{e.detail} (The paste was read with repairs: {shown}{more}.)",
                          where=e.where) from None
    readings: tuple[tuple[str, int], ...] = ()
    advice = ""
    if name == "keras" and input_shape is None and not any(
            "channels first" in what for _, what in notes):
        readings = channel_readings(spec, lambda shape: import_keras(
            fixed.text, input_shape=shape, filename=filename, model=model))
        if readings:
            first_input = spec["input"] if "input" in spec else spec["inputs"][0]
            notes.append((1, f"the input shape {tuple(first_input['shape'])} may be "
                             f"channels-first (Keras 1 with Theano ordering); read channels-last "
                             f"as written: {readings[0][1]:,}; channels first would give "
                             f"{readings[1][1]:,}. `cnnquiz lint` reports both."))
            advice = channel_advice(tuple(first_input["shape"]), readings)
    return Imported(spec, name, fixed.repairs, tuple(sorted(set(notes))), readings, advice,
                    assumed)


def _input_shape(spec: dict[str, Any]) -> tuple[int, ...]:
    return tuple((spec["input"] if "input" in spec else spec["inputs"][0])["shape"])


def import_source(source: str, *, input_shape: tuple[int, ...] | None = None,
                  filename: str = "<source>", model: str | None = None) -> dict[str, Any]:
    """The spec dict of the Keras or PyTorch model in ``source`` (see :func:`read_code`)."""
    return read_code(source, input_shape=input_shape, filename=filename, model=model).spec


def load_any(path: str | Path, *, input_shape: tuple[int, ...] | None = None,
             model: str | None = None) -> dict[str, Any]:
    """A spec dict from a ``.py`` model file (via :func:`import_source`) or a YAML/JSON spec.

    For a spec file, ``input_shape`` replaces its input.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "net.py")
    ...     _ = p.write_text("from keras import layers, Sequential\\n"
    ...                      "m = Sequential([layers.Dense(4, input_dim=3)])\\n")
    ...     load_any(p)["layers"]
    [{'type': 'dense', 'units': 4, 'bias': True}]
    """
    p = Path(path)
    if p.suffix != ".py":
        data = read_spec_file(p)
        return data if input_shape is None else {**data, "input": {"shape": list(input_shape)}}
    return read_code_file(p, input_shape=input_shape, model=model).spec


def read_code_file(path: str | Path, *, input_shape: tuple[int, ...] | None = None,
                   model: str | None = None) -> Imported:
    """:func:`read_code` on the text of a ``.py`` file."""
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {p}: {e}.") from None
    return read_code(source, input_shape=input_shape, filename=str(p), model=model)
