"""Reading a per-layer breakdown: ``conv1: 1792`` lines, ``;``-separated entries, a CSV
header (a layer of the answer parser; the public API is :mod:`grader.parse`).

Each entry's value is read by :mod:`grader.value_reading`; a lone ``Total: 1792`` (or
``answer = …``) is just its value.

>>> from grader.reading import resolve_locale
>>> [e.label for e in read_breakdown("x", ["conv1: 1792", "dense: 10"], resolve_locale(None),
...                                  None, False, lines_are_rows=True).entries]
['conv1', 'dense']
"""

from __future__ import annotations

import re

from .parsed import BreakdownAnswer, BreakdownEntry, Expect
from .reading import Locale, ParseError, Reason, echo
from .value_reading import Value, read_value

__all__ = ["MAX_ENTRIES", "TOTAL_LABELS", "is_one_line_breakdown", "read_breakdown",
           "read_entries", "read_label", "too_many_entries"]

MAX_ENTRIES = 200

_LABEL = r"[A-Za-z_][A-Za-z0-9_ .-]{0,40}"
_LABEL_RE = re.compile(_LABEL)
_LABELLED = re.compile(rf"(?P<label>{_LABEL}?)\s*[:=\t;,]\s*(?P<value>.*)", re.DOTALL)
_ONE_LINE_LABEL = re.compile(rf"{_LABEL}?\s*[:=\t]")
_NEXT_LABEL = re.compile(rf",\s*(?={_LABEL}?\s*[:=])")
#: the labels that mean "the whole answer": ``Total: 1792`` is 1792
TOTAL_LABELS = {"total", "answer", "result", "sum", "params", "parameters", "trainable params",
                "trainable parameters", "total params", "total parameters", "count", "n"}
_HEADER = {"params", "parameters", "param", "param #", "# params", "count", "value", "values",
           "weights", "n", "number", "total", "trainable params", "trainable parameters"}


def too_many_entries(n: int) -> ParseError:
    return ParseError(Reason.TOO_MANY_TERMS, f"it has {n} entries and the limit is "
                      f"{MAX_ENTRIES}; give one value per layer.")


def read_label(label: str) -> str:
    """A layer label, spaces collapsed; anything else is a BAD_LABEL error."""
    label = " ".join(label.split())
    if not _LABEL_RE.fullmatch(label):
        raise ParseError(Reason.BAD_LABEL, f"the label {echo(label)} is not a layer name; use "
                         "letters, digits, spaces, '_', '.' or '-' (up to 41 characters), "
                         "e.g. conv1.")
    return label


def is_one_line_breakdown(s: str) -> bool:
    """One line that holds entries: ``;``-separated, or starting ``label:``/``label =``."""
    return ";" in s or _ONE_LINE_LABEL.match(s) is not None


def read_entries(raw: str, s: str, loc: Locale, want: Expect | None,
                 allow_negative: bool) -> BreakdownAnswer | Value:
    """One line of entries; a lone ``Total: 1792`` is its value."""
    pieces = [p.strip() for part in s.split(";") for p in _NEXT_LABEL.split(part)]
    pieces = [p for p in pieces if p]
    found = read_breakdown(raw, pieces, loc, want, allow_negative, lines_are_rows=False)
    label = found.entries[0].label
    m = _LABELLED.match(pieces[0])
    if len(pieces) == 1 and m and label and label.lower() in TOTAL_LABELS:
        return read_value(raw, m["value"], loc, want, allow_negative)
    return found


def read_breakdown(raw: str, rows: list[str], loc: Locale, want: Expect | None,
                   allow_negative: bool, *, lines_are_rows: bool) -> BreakdownAnswer:
    """Rows of ``label: value`` (or bare values); errors name the line or entry."""
    if len(rows) > MAX_ENTRIES:
        raise too_many_entries(len(rows))
    entries: list[BreakdownEntry] = []
    for n, row in enumerate(rows, 1):
        label: str | None = None
        value = row
        m = _LABELLED.match(row)
        if m and (lines_are_rows or row[m.end("label"):m.start("value")].strip()[:1] != ","):
            label, value = m["label"].strip(), m["value"]
            if '"' in row:
                label, value = label.strip('"'), value.strip().strip('"')
        elif '"' in row:
            value = row.strip().strip('"')
        if n == 1 and label and value.strip().lower() in _HEADER:
            continue  # a CSV header such as "layer,params"
        try:
            if label is not None:
                label = read_label(label.strip('"'))
                if not value.strip():
                    raise ParseError(Reason.EMPTY, f"there is no value after {echo(label)}; "
                                     "write label: value, e.g. conv1: 1792.")
            entries.append(BreakdownEntry(label, read_value(value, value, loc, want,
                                                            allow_negative)))
        except ParseError as err:
            where = f"line {n}" if lines_are_rows else f"entry {n}"
            hint = (" Write one entry per line as label: value, e.g. conv1: 1792."
                    if err.reason in (Reason.UNKNOWN_WORD, Reason.SYNTAX) else "")
            raise ParseError(err.reason, f"in {where} ({echo(row)}), {err.detail}{hint}",
                             err.reading) from None
    if not entries:
        raise ParseError(Reason.EMPTY, "it has a header but no values; write one line per "
                         "layer, e.g. conv1: 1792.")
    return BreakdownAnswer(tuple(entries), raw)
