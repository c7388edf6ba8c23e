"""Formula texts of common layer structures, printed once by SymPy and shipped as data.

A layer's worked steps need its formulas as text (``⌊(H − k_h)/s_h⌋ + 1``). SymPy prints
them (:meth:`generator.layers.base.Layer.formula_texts`), but importing SymPy alone takes
longer than a whole ``cnnquiz solve`` should. The texts depend only on a layer's structure
(its kind, flags, rank and which variables are live), so the structures of the examples
and of :func:`common_specs` are printed ahead of time into ``formula_texts.json``; any other
structure is still printed by SymPy on first use. The table is only ever a copy of what
SymPy prints: tests/test_fast_start.py rebuilds it and compares.

Rebuild after changing a layer's formulas::

    .venv/bin/python -m generator.formula_table
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["TABLE", "FormulaTexts", "build", "common_specs", "key_text", "lookup", "table_json"]

TABLE = Path(__file__).with_name("formula_texts.json")

#: (quantity, formula text, out_dims row or None, trainable group) per worked step
FormulaTexts = tuple[tuple[str, str, int | None, bool | None], ...]

_state = {"enabled": True}


def key_text(key: tuple[Any, ...]) -> str:
    """The table key of a formula-cache key ``(layer class, structure, rank, liveness)``.

    >>> from generator.layers.core import Flatten
    >>> key_text((Flatten, (), 3, ()))
    "('generator.layers.core.Flatten', (), 3, ())"
    """
    cls, *rest = key
    return repr((f"{cls.__module__}.{cls.__qualname__}", *rest))


@lru_cache(maxsize=1)
def _table() -> dict[str, FormulaTexts]:
    try:
        raw = json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: tuple((q, t, i, g) for q, t, i, g in rows) for k, rows in raw.items()}


def lookup(key: tuple[Any, ...]) -> FormulaTexts | None:
    """The shipped texts for this structure, or None (then SymPy prints them)."""
    return _table().get(key_text(key)) if _state["enabled"] else None


@contextmanager
def _without_table() -> Iterator[None]:
    from .layers import base

    saved = dict(base._FORMULA_TEXTS)
    base._FORMULA_TEXTS.clear()
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = True
        base._FORMULA_TEXTS.clear()
        base._FORMULA_TEXTS.update(saved)


def common_specs() -> list[dict[str, Any]]:
    """Specs of the common layer structures: 2-D convolutions and pooling with each padding,
    stride, dilation and bias choice, dense layers with and without bias, normalisation."""
    specs: list[dict[str, Any]] = []
    for padding in ("valid", "same", 1):
        for strides in (1, 2):
            for dilation in (1, 2):
                for bias in (True, False):
                    conv = {"type": "conv2d", "filters": 4, "kernel": 3, "padding": padding,
                            "strides": strides, "dilation": dilation, "bias": bias}
                    specs.append({"input": {"shape": [32, 32], "color": "rgb"},
                                  "layers": [conv, {"type": "batch_normalization"},
                                             {"type": "relu"}]})
            for op in ("max_pooling2d", "average_pooling2d"):
                pool = {"type": op, "pool_size": 2, "strides": strides, "padding": padding}
                specs.append({"input": {"shape": [32, 32], "color": "rgb"}, "layers": [pool]})
    for bias in (True, False):
        specs.append({"input": {"shape": [8, 8], "color": "gray"},
                      "layers": [{"type": "flatten"}, {"type": "dense", "units": 4, "bias": bias},
                                 {"type": "dropout", "rate": 0.5}, {"type": "softmax"}]})
    return specs


def build() -> dict[str, list[list[Any]]]:
    """Print (with SymPy) the formulas of every structure in the examples and common_specs().

    The corpus is fixed (not the generator's random draws), so the table changes only when
    a layer's formulas or the examples do.
    """
    from .layers import base
    from .network import solve
    from .spec import load_spec, read_spec_file

    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
    with _without_table():
        for path in examples:
            solve(load_spec(read_spec_file(path)))
        for spec in common_specs():
            solve(load_spec(spec))
        found = {key_text(k): [list(row) for row in v] for k, v in base._FORMULA_TEXTS.items()}
    return dict(sorted(found.items()))


def table_json(table: dict[str, list[list[Any]]]) -> str:
    """The table file's text: one structure per line, sorted."""
    lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
             for k, v in sorted(table.items())]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    TABLE.write_text(table_json(build()), encoding="utf-8")
    _table.cache_clear()
    print(f"wrote {len(_table())} structures to {TABLE}")


if __name__ == "__main__":
    main()
