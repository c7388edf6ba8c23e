"""Spreadsheet-safe CSV cells (B4, E13): neutralise formulas in free text, never in numbers.

A cell that starts with ``= + - @``, a tab, CR or NUL is run as a formula by Excel, LibreOffice
and Google Sheets even when quoted (CWE-1236); prefixing ``'`` makes it text. Only free-text
cells (names, raw answers, feedback) go through :func:`text_cell`; grades go through
:func:`number_cell` and stay plain numbers, negatives included, or the LMS import breaks.

The prefix is reversible: a text that itself starts with ``'`` gets one too, so
:func:`plain_cell` gives back the original and ``=x`` and ``'=x`` stay two different ids.
This is the one CSV escaper of the project (answer keys, results, gradebooks, reports).

>>> text_cell("=HYPERLINK(\\"http://x\\")"), text_cell("-1792"), text_cell("fine")
('\\'=HYPERLINK("http://x")', "'-1792", 'fine')
>>> text_cell("=x"), text_cell("'=x"), plain_cell(text_cell("'=x")), text_cell("a\\0b")
("'=x", "''=x", "'=x", 'a\\ufffdb')
>>> number_cell(-1.5), number_cell(2.0), number_cell(None)
('-1.5', '2', '')
"""

from __future__ import annotations

__all__ = ["FORMULA_START", "number_cell", "plain_cell", "score_value", "text_cell"]

#: OWASP ASVS 5.0 §1.2.10: first characters a spreadsheet treats as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_PREFIXED = (*FORMULA_START, "'")


def text_cell(value: object, limit: int = 32_000) -> str:
    """A free-text cell: NUL removed, length capped (Excel holds 32,767), formulas neutralised."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text[:1] in _PREFIXED:
        text = "'" + text
    return text.replace("\0", "\ufffd")


def plain_cell(cell: str) -> str:
    """The text of a cell written by :func:`text_cell` (its ``'`` prefix removed)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _PREFIXED + ("\ufffd",) else cell


def number_cell(value: float | int | None) -> str:
    """A grade: a plain number (no prefix, no thousands separator), '' when there is none."""
    if value is None:
        return ""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def score_value(cell: str) -> float | None:
    """A row's score read back from a results file: a number from 0 to 1, else None.

    A hand-edited or hostile results file may hold ``nan``, ``1e308`` or ``-5``; such a row
    needs review like an unreadable one, it never adds to (or breaks) a student's total.

    >>> [score_value(c) for c in ("1", "0.5", "", "nan", "1e308", "-5", "inf", "x", "1e999")]
    [1.0, 0.5, None, None, None, None, None, None, None]
    """
    try:
        value = float(cell)
    except (TypeError, ValueError):
        return None
    return value if 0.0 <= value <= 1.0 else None  # NaN fails both comparisons
