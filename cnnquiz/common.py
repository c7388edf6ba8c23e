"""Helpers shared by the sub-commands: loading a spec file, reporting author errors."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from generator.errors import ConfigError
from generator.spec import read_spec_file
from generator.spec_values import MAX_SIZE_DIGITS

from .terminal import echo

__all__ = ["input_shape_option", "load_spec_data", "reports_config_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def parse_input_shape(text: str | None) -> tuple[int, ...] | None:
    """'224x224x3' (H×W×C) -> (224, 224, 3).

    >>> parse_input_shape("224x224x3")
    (224, 224, 3)
    """
    if text is None:
        return None
    parts = re.split(r"\s*[x×,]\s*", text.strip().lower())
    # ASCII digits only ('²'.isdigit() is True), at most MAX_SIZE_DIGITS, checked before int()
    if not all(re.fullmatch(rf"0*[1-9][0-9]{{0,{MAX_SIZE_DIGITS - 1}}}", p) for p in parts):
        raise click.BadParameter(f"expected sizes like 224x224x3 (H×W×C), each a whole number "
                                 f"of at most {MAX_SIZE_DIGITS} digits; received {text[:60]!r}.",
                                 param_hint="'--input-shape'")
    return tuple(int(p) for p in parts)


input_shape_option = click.option(
    "--input-shape", "input_shape", metavar="HxWxC",
    help="Input size for code that gives none (PyTorch), channels last, e.g. 224x224x3.")


def load_spec_data(path: str, input_shape: str | None = None) -> dict[str, Any]:
    """A spec mapping from a YAML/JSON spec or a Python file (read with ast, never run)."""
    shape = parse_input_shape(input_shape)
    if Path(path).suffix == ".py":
        from generator.importers import load_any

        return load_any(path, input_shape=shape)
    data = read_spec_file(path)
    if isinstance(data.get("spec"), dict):
        from generator.problem import FORMAT  # the generator is imported only for problem files

        if data.get("format") == FORMAT:
            data = data["spec"]  # a problem file written by `cnnquiz generate`
    if shape is not None:
        data = {**data, "input": {"shape": list(shape)}}
    return data


def reports_config_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn ConfigError into a clear message and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ConfigError as e:
            echo(f"cnnquiz: error: {e}", err=True)
            sys.exit(2)

    return wrapper
