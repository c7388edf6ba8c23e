"""Derivation lines: formula in symbols -> substitution -> value.

A layer names its quantities as :class:`Var` (name, value, neutral value). Variables
equal to their neutral value (stride 1, dilation 1, padding 0, groups 1) are fed to
the formulas as plain ints, so they drop out of the displayed formula; the others
become SymPy symbols. The *same* formula function then yields the value (ints) and
the printed formula (symbols), and :func:`substitute` puts the numbers back in.

>>> v = {"H": Var("H", 100), "k_h": Var("k_h", 7), "s_h": Var("s_h", 1, neutral=1)}
>>> sym = symbolic(v)
>>> show(sym["H"] - sym["k_h"] + sym["s_h"])
'H − k_h + 1'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import sympy as sp

    from .text_printer import TextPrinter

__all__ = ["Derivation", "Var", "product_text", "show", "substitute", "symbolic", "values"]


class Var(NamedTuple):
    """A named integer quantity of a layer; ``neutral`` is the value that changes nothing.

    A named tuple: layers build many per evaluation (the diagnosability check's hot path).
    """

    name: str
    value: int
    neutral: int | None = None

    @property
    def live(self) -> bool:
        return self.value != self.neutral


@dataclass(frozen=True, slots=True)
class Derivation:
    """One worked step: ``quantity = formula = substitution = value``."""

    quantity: str
    formula: str
    substitution: str
    value: int

    def line(self) -> str:
        """The step on one line.

        >>> Derivation("params", "(n_in + 1)·n_out", "(10 + 1)·5", 55).line()
        'params = (n_in + 1)·n_out = (10 + 1)·5 = 55'
        """
        parts = [self.quantity, self.formula]
        if self.substitution != self.formula:
            parts.append(self.substitution)
        if self.substitution != str(self.value):
            parts.append(f"{self.value:,}" if self.value >= 10_000 else str(self.value))
        return " = ".join(parts)


@lru_cache(maxsize=512)
def _symbol(name: str) -> sp.Symbol:
    import sympy as sp  # imported only where a symbolic formula is built (a slow import)

    return sp.Symbol(name, integer=True, positive=True)


def values(vs: Mapping[str, Var]) -> dict[str, int]:
    """The plain int value of every variable."""
    return {k: v.value for k, v in vs.items()}


def symbolic(vs: Mapping[str, Var]) -> dict[str, object]:
    """Symbols for live variables, plain ints for neutral ones."""
    return {k: (_symbol(v.name) if v.live else v.value) for k, v in vs.items()}


@lru_cache(maxsize=1)
def _printer() -> TextPrinter:
    """The printer of :func:`show`, made on first use."""
    from .text_printer import TextPrinter  # imports SymPy, a slow import

    return TextPrinter()


@lru_cache(maxsize=4096)
def show(expr: object) -> str:
    """Print a formula in textbook notation (·, −, ⌊⌋, ⌈⌉); cached, formulas repeat a lot.

    >>> import sympy as sp
    >>> show(sp.floor((_symbol("H") - _symbol("k")) / _symbol("s")) + 1)
    '⌊(H − k)/s⌋ + 1'
    """
    if isinstance(expr, int):
        return str(expr)
    text = _printer().doprint(expr)
    return text.replace("**", "^").replace("*", "·").replace(" - ", " − ").replace("(-", "(−")


def product_text(dims: Sequence[object]) -> str:
    """A product of dimensions, compound ones in parentheses.

    >>> product_text([_symbol("k_h"), _symbol("k_w"), _symbol("C_in") / _symbol("g")])
    'k_h·k_w·(C_in/g)'
    """
    parts = []
    for d in dims:
        t = show(d)
        if not re.fullmatch(r"[A-Za-z0-9_]+", t):
            t = f"({t})"
        parts.append(t)
    return "·".join(parts) if parts else "1"


def substitute(text: str, vals: Mapping[str, int]) -> str:
    """Replace every variable name in ``text`` by its value.

    >>> substitute("(k_h·k_w·C_in + 1)·C_out", {"k_h": 3, "k_w": 3, "C_in": 4, "C_out": 20})
    '(3·3·4 + 1)·20'
    """
    if not vals:
        return text
    return _names_pattern(tuple(vals)).sub(lambda m: str(vals[m.group(1)]), text)


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """A whole-word pattern of the names, longest first (a layer's names repeat a lot)."""
    longest = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, longest)) + r")(?![A-Za-z0-9_])")
