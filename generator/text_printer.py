"""SymPy's str printer with ⌊⌋ and ⌈⌉ for floor and ceiling, the notation of the worked steps.

Importing this module imports SymPy (a slow import): :mod:`.derive` imports it on the first
formula it prints.

>>> import sympy as sp
>>> TextPrinter().doprint(sp.floor(sp.Symbol("H") / 2) + sp.ceiling(sp.Symbol("W") / 3))
'⌈W/3⌉ + ⌊H/2⌋'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sympy as sp

    class StrPrinter:
        """The part of ``sympy.printing.str.StrPrinter`` used here (SymPy ships no types)."""

        def _print(self, expr: sp.Basic) -> str: ...

        def doprint(self, expr: sp.Basic) -> str: ...
else:
    from sympy.printing.str import StrPrinter

__all__ = ["TextPrinter"]


class TextPrinter(StrPrinter):
    """``floor(x)`` as ``⌊x⌋``, ``ceiling(x)`` as ``⌈x⌉``; SymPy's printer finds these methods by
    the class name of the expression (``Printer._print``: ``"_print_" + cls.__name__``)."""

    def _print_floor(self, expr: sp.floor) -> str:
        return "⌊" + self._print(expr.args[0]) + "⌋"

    def _print_ceiling(self, expr: sp.ceiling) -> str:
        return "⌈" + self._print(expr.args[0]) + "⌉"
