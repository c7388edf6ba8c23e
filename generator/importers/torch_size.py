"""An input size for PyTorch code that gives none, when the count cannot depend on it.

A PyTorch module's parameters are fixed when it is built (``nn.Conv2d(3, 16, 5)`` has
(3·5·5 + 1)·16 of them whatever it is applied to), so ``sum(p.numel())`` does not depend on
the input, except for lazy modules (``nn.LazyLinear``). cnnquiz still needs a size to
propagate shapes and to check each stated ``in_features``; when the code gives none, the
common square sizes are tried (32, 28, 224, ...) and the first at which every layer fits
is used, said in a note. As a guard, a second size that fits (twice the first) must give
the same count, else the code is refused with both.

>>> from generator.importers import read_code
>>> code = read_code('''
... import torch.nn as nn
... net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.MaxPool2d(2), nn.Flatten(),
...                     nn.Linear(6 * 12 * 12, 10))
... ''')
>>> code.spec["input"]["shape"], code.notes[0][1][:55]
([28, 28, 1], 'no input size given; read with input 28×28×1, the first')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from ..layers import fmt_shape
from ..network import solve
from ..spec import load_spec
from .common import NoInputSize

__all__ = ["SIZES", "UNIQUE", "infer_input", "spec_answer"]

SCAN = 17  # square sizes looked at on each side of the one used
UNIQUE = "the only square size at which every layer fits"  # the size is solved, not assumed

#: square sizes tried, the common ones first (CIFAR, MNIST, ImageNet, ...)
SIZES = (32, 28, 224, 64, 96, 128, 227, 299, 256, 48, 16, 100, 112, 150, 84, 40, 36, 24, 20,
         12, 8)


def spec_answer(spec: dict[str, Any]) -> int:
    """The answer (the count the spec asks for) of a spec read at one input size."""
    return solve(load_spec(spec)).answer


def count_at(shape: tuple[int, ...], reread: Callable[[tuple[int, ...]], dict[str, Any]],
             fallback: int) -> int:
    """The count with the code read again at ``shape``, or ``fallback`` where it does not fit
    there: the guard that an assumed input size does not change the count."""
    try:
        return spec_answer(reread(shape))
    except ConfigError:
        return fallback


def _fitting(shape: tuple[int, ...], reread: Callable[[tuple[int, ...]], dict[str, Any]],
             merges: bool) -> str:
    """Which square sizes next to ``shape`` fit too, said: in a chain, output sizes grow with
    the input size, so when the sizes just below and above do not fit, no other square size
    does (``merges``: a graph, where that does not hold)."""
    def fits(size: int) -> bool:
        try:
            reread((*(size,) * (len(shape) - 1), shape[-1]))
        except ConfigError:
            return False
        return True

    size = shape[0]
    if merges:  # an add or a concatenation needs equal sizes: which sizes fit is not monotone
        return ("the first common size at which every layer fits (other sizes may fit too; "
                "the shapes shown assume it)")
    low = next((s + 1 for s in range(size - 1, max(size - SCAN, 0), -1) if not fits(s)), None)
    high = next((s - 1 for s in range(size + 1, size + SCAN) if not fits(s)), None)
    if low == high == size:
        return f"{UNIQUE} (solved from the layer sizes)"
    if low is not None and high is not None:
        return (f"the first common size at which every layer fits (square sizes {low} to "
                f"{high} fit; the shapes shown assume {size})")
    return ("the first common size at which every layer fits (other sizes fit too; the "
            "shapes shown assume it)")


def infer_input(e: NoInputSize, reread: Callable[[tuple[int, ...]], dict[str, Any]]
                ) -> tuple[dict[str, Any], tuple[int, str]]:
    """The spec read with an inferred input shape and the note saying so; ``e`` re-raised
    when no size fits, the first layer states no size, or a lazy module is used.

    ``reread`` imports the code again with a given (channels-last) input shape.
    """
    line = int((e.where or "line 0").removeprefix("line ") or 0) if (
        e.where or "").startswith("line ") else 0
    if e.lazy:
        raise e
    candidates: list[tuple[int, ...]]
    if "in_features" in e.expect:
        candidates = [(e.expect["in_features"],)]
    elif "in_channels" in e.expect and e.kind[:4] == "conv" and e.kind[4:5].isdigit():
        rank, channels = int(e.kind[4]), e.expect["in_channels"]
        candidates = [(*(s,) * rank, channels) for s in SIZES]
    else:
        raise e
    fits: list[tuple[tuple[int, ...], dict[str, Any], int]] = []
    for shape in candidates:
        try:
            spec = reread(shape)
            fits.append((shape, spec, spec_answer(spec)))
        except ConfigError:
            continue
        break
    if not fits:
        raise e
    shape, spec, answer = fits[0]
    if len(shape) > 1:  # the guard: twice the size, if it fits, counts the same
        double = (*(2 * d for d in shape[:-1]), shape[-1])
        other = count_at(double, reread, answer)
        if other != answer:
            raise ConfigError(f"the code gives no input size, and the count depends on it: "
                              f"{fmt_shape(shape)} gives {answer:,}, {fmt_shape(double)} gives "
                              f"{other:,}. Pass --input-shape HxWxC (channels last).",
                              where=e.where)
    how = "as its first layer expects" if len(shape) == 1 else _fitting(
        shape, reread, any("inputs" in layer for layer in spec.get("layers", [])))
    return spec, (line, f"no input size given; read with input {fmt_shape(shape)}, {how} "
                        "(PyTorch's count does not depend on it; pass --input-shape to choose "
                        "another)")
