"""Formula texts of common layer structures, printed once by SymPy and shipped as data.

A layer's worked steps need its formulas as text (``⌊(H − k_h)/s_h⌋ + 1``). SymPy prints
them (:meth:`generator.layers.base.Layer.formula_texts`), but importing SymPy alone takes
longer than a whole ``cnnquiz solve`` should. The texts depend only on a layer's structure
(its kind, flags, rank and which variables are live), so the structures of the examples
and of :func:`common_specs` are printed ahead of time into ``formula_texts.json``; any other
structure is still printed by SymPy on first use. The table is only ever a copy of what
SymPy prints: tests/test_fast_start.py rebuilds it and compares.

Rebuild after changing a layer's formulas (:mod:`generator.formula_table_build`)::

    .venv/bin/python -m generator.formula_table_build
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["TABLE", "FormulaTexts", "key_text", "lookup", "table_off"]

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
def table_off() -> Iterator[None]:
    """Within: :func:`lookup` finds nothing, so every formula is printed by SymPy."""
    _state["enabled"] = False
    try:
        yield
    finally:
        _state["enabled"] = True
