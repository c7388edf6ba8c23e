"""Print the shipped formula table (:mod:`generator.formula_table`) with SymPy, from the
examples and the common layer structures; tests/test_fast_start.py checks the shipped file
against it. Rebuild after changing a layer's formulas::

    .venv/bin/python -m generator.formula_table_build
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .formula_table import TABLE, key_text, table_off
from .layers import base
from .network import solve
from .spec import load_spec, read_spec_file

__all__ = ["build", "common_specs", "table_json"]


@contextmanager
def _without_table() -> Iterator[None]:
    """Within: the layers' formula cache starts empty and the shipped table is not read."""
    saved = dict(base._FORMULA_TEXTS)
    base._FORMULA_TEXTS.clear()
    try:
        with table_off():
            yield
    finally:
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
    table = build()
    TABLE.write_text(table_json(table), encoding="utf-8")
    print(f"wrote {len(table)} structures to {TABLE}")


if __name__ == "__main__":
    main()
