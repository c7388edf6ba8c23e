"""Spreadsheet-safe CSV cells (B4, E13): neutralise formulas in free text, never in numbers.

A cell that starts with ``= + - @``, a tab, CR or NUL is run as a formula by Excel, LibreOffice
and Google Sheets even when quoted (CWE-1236); prefixing ``'`` makes it text. Only free-text
cells (names, raw answers, feedback) go through :func:`text_cell`; grades go through
:func:`number_cell` and stay plain numbers, negatives included, or the LMS import breaks.

>>> text_cell("=HYPERLINK(\\"http://x\\")"), text_cell("-1792"), text_cell("fine")
('\\'=HYPERLINK("http://x")', "'-1792", 'fine')
>>> number_cell(-1.5), number_cell(2.0), number_cell(None)
('-1.5', '2', '')
"""

from __future__ import annotations

__all__ = ["FORMULA_START", "number_cell", "text_cell"]

#: OWASP ASVS 5.0 §1.2.10: first characters a spreadsheet treats as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def text_cell(value: object, limit: int = 32_000) -> str:
    """A free-text cell: NUL removed, length capped (Excel holds 32,767), formulas neutralised."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text[:1] in FORMULA_START:
        text = "'" + text
    return text.replace("\0", "\ufffd")


def number_cell(value: float | int | None) -> str:
    """A grade: a plain number (no prefix, no thousands separator), '' when there is none."""
    if value is None:
        return ""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")
