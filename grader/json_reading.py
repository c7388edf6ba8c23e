"""Reading a JSON breakdown: ``{"conv1": 1792, "dense": "64*10+10"}`` or a ``[...]`` array
(a layer of the answer parser; the public API is :mod:`grader.parse`).

JSON numbers are kept as their text and read by our own grammar (never float); an object's
duplicate keys and their order are kept; nesting is capped at 3 before ``json`` sees the text.

>>> from grader.reading import resolve_locale
>>> a = read_json('{"conv1": 1792, "dense": "64*10+10"}', '{"conv1": 1792, "dense": "64*10+10"}',
...               resolve_locale(None), None, False)
>>> [(e.label, e.value.reading) for e in a.entries]
[('conv1', '1,792'), ('dense', '64*10 + 10 = 650')]
"""

from __future__ import annotations

import json

from .breakdown_reading import MAX_ENTRIES, read_label, too_many_entries
from .cleanup import normalize_text
from .parsed import BreakdownAnswer, BreakdownEntry, Expect
from .reading import Locale, ParseError, Reason
from .shape_reading import read_shape
from .value_reading import Value, read_value

__all__ = ["read_json"]


class _Raw(str):
    """A JSON number kept as its text, so our own grammar reads it (never float)."""


class _Pairs(list[tuple[str, object]]):
    """A JSON object as its (key, value) pairs, duplicates and order kept."""


def _depth_ok(s: str, limit: int = 3) -> bool:
    depth, in_string, escaped = 0, False, False
    for ch in s:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def read_json(raw: str, s: str, loc: Locale, want: Expect | None,
              allow_negative: bool) -> BreakdownAnswer | None:
    """A JSON object or array as a breakdown; None if it is not JSON and has no quotes."""
    if not _depth_ok(s):
        raise ParseError(Reason.TOO_DEEP, "the JSON is nested more than 3 deep; use "
                         '{"conv1": 1792, "dense": 2510}.')
    try:
        data = json.loads(s, parse_int=_Raw, parse_float=_Raw, parse_constant=_Raw,
                          object_pairs_hook=_Pairs)
    except (ValueError, RecursionError) as err:
        if '"' not in s:
            return None
        where = (f" (line {err.lineno}, column {err.colno})"
                 if isinstance(err, json.JSONDecodeError) else "")
        raise ParseError(Reason.SYNTAX, f"it looks like JSON but is not valid JSON{where}; "
                         'check quotes and commas, e.g. {"conv1": 1792, "dense": 2510}.') from None
    pairs: list[tuple[object, object]]
    if isinstance(data, _Pairs):
        pairs = list(data)
    elif isinstance(data, list):
        pairs = [_item(item) for item in data]
    else:
        return None
    if len(pairs) > MAX_ENTRIES:
        raise too_many_entries(len(pairs))
    entries = []
    for n, (key, val) in enumerate(pairs, 1):
        try:
            label = None if key is None else read_label(normalize_text(str(key)).strip())
            entries.append(BreakdownEntry(label, _value(val, loc, want, allow_negative)))
        except ParseError as err:
            raise ParseError(err.reason, f"in JSON entry {n}, {err.detail}", err.reading) from None
    if not entries:
        raise ParseError(Reason.EMPTY, "the JSON has no entries; write "
                         '{"conv1": 1792, "dense": 2510}.')
    return BreakdownAnswer(tuple(entries), raw)


def _item(item: object) -> tuple[object, object]:
    """An array item: ``["conv1", 1792]`` and ``{"conv1": 1792}`` are labelled entries."""
    if isinstance(item, list) and len(item) == 2 and type(item[0]) is str:
        return item[0], item[1]
    if isinstance(item, _Pairs) and len(item) == 1:
        return item[0]
    return None, item


def _value(val: object, loc: Locale, want: Expect | None, allow_negative: bool) -> Value:
    if isinstance(val, str):  # _Raw numbers too: both go through the same grammar
        text = str(val) if isinstance(val, _Raw) else normalize_text(val)
        return read_value(text, text, loc, want, allow_negative)
    if isinstance(val, list) and not isinstance(val, _Pairs) and all(
            v is None or isinstance(v, str) for v in val):
        text = "(" + ", ".join("None" if v is None else str(v) for v in val) + ")"
        return read_shape(text, text, True)
    kind = {bool: "true/false", type(None): "null"}.get(type(val), "a nested object")
    raise ParseError(Reason.NOT_A_NUMBER, f"a value is {kind}; give a number, an expression "
                     'in quotes or a shape list, e.g. {"conv1": 1792}.')
