"""Worked steps as Typst math: the one converter from the printed formulas to ``$…$``.

The formulas of a worked step are printed once by SymPy (:func:`generator.derive.show`, and
shipped as text in :mod:`generator.formula_table`) in a small closed notation: names with
one subscript (``k_h``, ``C_in``), integers (``17,320``), ``· − + / = ( )``, ``⌊⌋ ⌈⌉``,
``^`` and SymPy's unary ``-``. :func:`typst_math` reads exactly that notation, token by token, and writes Typst math:
``·`` as ``dot``, ``/`` as a fraction, ``⌊x⌋`` as ``floor(x)``, multi-letter names and
subscripts quoted (Typst reads a bare ``in`` as a variable). Anything outside the notation
raises ``ValueError``: no text is ever passed through to Typst as markup.

>>> typst_math("H_out = ⌊(H + 2·P_h − k_h)/s_h⌋ + 1 = ⌊(32 + 2·1 − 5)/2⌋ + 1 = 15")
'$H_"out" = floor((H + 2 dot P_h - k_h)/s_h) + 1 = floor((32 + 2 dot 1 - 5)/2) + 1 = 15$'
>>> typst_math("params = (k_h·k_w·C_in + 1)·C_out = (3·3·48 + 1)·40 = 17,320")
'$"params" = (k_h dot k_w dot C_"in" + 1) dot C_"out" = (3 dot 3 dot 48 + 1) dot 40 = "17,320"$'
>>> typst_math("x; rm -rf")
Traceback (most recent call last):
...
ValueError: not a formula of the worked steps: ';' at 1 in 'x; rm -rf'
"""

from __future__ import annotations

import re

__all__ = ["step_math", "typst_math"]

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d{1,3}(?:,\d{3})+|\d+)
  | (?P<name>[A-Za-z]+(?:-[A-Za-z]+)*(?:_[A-Za-z0-9]+)?)
  | (?P<op>[·−+/=()⌊⌋⌈⌉^×-])
""", re.X)

_OPS = {"·": " dot ", "×": " times ", "−": " - ", "+": " + ", "=": " = ", "/": "/", "(": "(",
        ")": ")", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")", "^": "^", "-": "-"}


def _name(text: str) -> str:
    """A variable: one letter stays a math letter, longer names and subscripts are text."""
    base, _, sub = text.partition("_")
    out = base if len(base) == 1 else f'"{base}"'
    if sub:
        out += f"_{sub}" if len(sub) == 1 else f'_"{sub}"'
    return out


def _body(text: str) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"not a formula of the worked steps: {text[pos]!r} at {pos} in "
                             f"{text!r}")
        pos = m.end()
        if m.group("space"):
            continue
        if (n := m.group("number")) is not None:
            out.append(f'"{n}"' if "," in n else n)
        elif (name := m.group("name")) is not None:
            out.append(_name(name))
        else:
            out.append(_OPS[m.group("op")])
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def typst_math(text: str) -> str:
    """One formula or chain of equalities as inline Typst math (``$…$``)."""
    return f"${_body(text)}$"


def step_math(line: str) -> str:
    """A worked step ``quantity = formula = … = value`` as Typst math; a quantity of several
    words (``non-trainable params``) is one text.

    >>> step_math("non-trainable params = 2·C = 2·16 = 32")
    '$"non-trainable params" = 2 dot C = 2 dot 16 = 32$'
    """
    quantity, sep, rest = line.partition(" = ")
    if sep and re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*(?: [A-Za-z]+(?:-[A-Za-z]+)*)+", quantity):
        return f'$"{quantity}" = {_body(rest)}$'
    return typst_math(line)
