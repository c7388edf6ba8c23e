"""Print the shipped formula table (:mod:`generator.formula_table`) with SymPy, from the
examples, the common layer structures and the generator's draws; tests/test_fast_start.py
checks the shipped file against it. Rebuild after changing a layer's formulas::

    .venv/bin/python -m generator.formula_table_build
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .formula_table import TABLE, key_text, table_off
from .layers import PoolWeights, base
from .network import solve
from .spec import load_spec, read_spec_file
from .topics import CLASSICS, TOPICS, Redraw, draw, styles_for

__all__ = ["DRAWS", "build", "common_specs", "drawn_specs", "table_json"]

#: draws per topic, difficulty and style in the table's corpus: enough that generating and
#: rendering problems of every topic finds its formulas here (and never imports SymPy)
DRAWS = 8


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
    stride, dilation, bias and pooling-weights choice, dense layers with and without bias,
    normalisation."""
    specs: list[dict[str, Any]] = []
    for padding in ("valid", "same", 0, 1):
        for strides in (1, 2):
            for dilation in (1, 2):
                for bias in (True, False):
                    conv = {"type": "conv2d", "filters": 4, "kernel": 3, "padding": padding,
                            "strides": strides, "dilation": dilation, "bias": bias}
                    specs.append({"input": {"shape": [32, 32], "color": "rgb"},
                                  "layers": [conv, {"type": "batch_normalization"},
                                             {"type": "relu"}]})
            for op in ("max_pooling2d", "average_pooling2d"):
                for weights in PoolWeights:
                    pool = {"type": op, "pool_size": 2, "strides": strides, "padding": padding,
                            "trainable": weights.value}
                    specs.append({"input": {"shape": [32, 32], "color": "rgb"}, "layers": [pool]})
    for bias in (True, False):
        specs.append({"input": {"shape": [8, 8], "color": "gray"},
                      "layers": [{"type": "flatten"}, {"type": "dense", "units": 4, "bias": bias},
                                 {"type": "dropout", "rate": 0.5}, {"type": "softmax"}]})
    return specs


def drawn_specs(draws: int = DRAWS) -> Iterator[dict[str, Any]]:
    """The generator's draws: ``draws`` per topic, difficulty and style, each case from its own
    fixed seed (so the corpus changes only when a topic's drawer does)."""
    for topic in (*TOPICS, *CLASSICS):
        for difficulty in ("easy", "medium", "hard"):
            for style in styles_for(topic):
                rng = random.Random(f"{topic}/{difficulty}/{style}")
                for _ in range(draws):
                    try:
                        yield draw(topic, rng, difficulty, style)
                    except Redraw:
                        continue


def build() -> dict[str, list[list[Any]]]:
    """Print (with SymPy) the formulas of every structure in the examples, common_specs() and
    drawn_specs().

    The corpus is fixed (seeded draws, not the generator's own), so the table changes only
    when a layer's formulas, the examples or a topic's drawer do.
    """
    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
    with _without_table():
        for path in examples:
            solve(load_spec(read_spec_file(path)))
        for spec in common_specs():
            solve(load_spec(spec))
        for spec in drawn_specs():
            try:
                solve(load_spec(spec))
            except ConfigError:  # a draw the generator redraws: its structures count alike
                continue
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
