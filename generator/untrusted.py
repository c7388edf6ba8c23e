"""Bounded reading of untrusted files: specs, problem files, answer keys.

Everything a user hands us is read through here, so a hostile file costs its sender, not the
instructor: a size cap before reading, the encoding detected or refused by name (never replaced),
digit runs capped *before* any int conversion (CPython refuses ints over 4,300 digits with a
ValueError deep inside a parser), JSON depth capped (the C decoder recurses), and the parsed
tree walked once under a node budget, so a YAML alias bomb (a few lines that expand to billions
of nodes when anything traverses them) is refused instead of hanging whatever reads it next.

>>> check_tree({"layers": [{"filters": 8}]}, where="spec")
>>> bomb = ["x"] * 10
>>> for _ in range(12):
...     bomb = [bomb] * 10
>>> check_tree({"title": bomb}, where="spec")
Traceback (most recent call last):
...
generator.errors.ConfigError: spec: more than 100,000 values (YAML aliases count each time they are used); a spec or problem file of a real network is far smaller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_DIGITS", "MAX_NODES", "check_tree", "decode",
           "load_json", "load_yaml", "read_json_file", "read_text"]

#: bytes read from one spec, problem file or answer key (a 2,000-layer spec is about 100 kB)
MAX_BYTES = 5_000_000
#: values in one parsed file, each use of a YAML alias counted again (DenseNet-201: ~5,000)
MAX_NODES = 100_000
#: nesting of mappings and lists (a spec needs 5, a problem file about 8)
MAX_DEPTH = 64
#: digits of one integer: below CPython's 4,300-digit conversion limit, with room for sums
MAX_DIGITS = 4_000

_LONG_DIGITS = re.compile(rf"[0-9]{{{MAX_DIGITS + 1},}}")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode(raw: bytes, where: str) -> str:
    """UTF-8 (BOM or not), or UTF-16/32 with a BOM or UTF-16 by its zero bytes; else refused.

    >>> decode("Josè".encode("utf-16"), "f")
    'Josè'
    >>> decode("Josè".encode("latin-1"), "f")
    Traceback (most recent call last):
    ...
    generator.errors.ConfigError: f: is not UTF-8 text (byte 0xe8 at line 1, column 4; it may be latin-1 or Windows-1252): save it as UTF-8.
    """
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
            (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    encoding = next((enc for bom, enc in boms if raw.startswith(bom)), None)
    if encoding is None and len(raw) >= 2 and raw.count(0) * 3 >= len(raw):
        encoding = "utf-16-le" if raw[1] == 0 else "utf-16-be"
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError as e:
        name = encoding or "UTF-8"
        line = raw[:e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        hint = "; it may be latin-1 or Windows-1252" if name == "UTF-8" else ""
        raise ConfigError(f"is not {name} text (byte 0x{raw[e.start]:02x} at line {line}, "
                          f"column {column}{hint}): save it as UTF-8.", where=where) from None
    return text.lstrip("\ufeff")


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of a file, size-capped and decoded by :func:`decode`."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"cannot read the {what} {p}: {e.strerror}.") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"the {what} is larger than {MAX_BYTES:,} bytes; a {what} of a real "
                          "network is far smaller.", where=str(p))
    return decode(raw, str(p))


def _check_digits(text: str, where: str) -> None:
    m = _LONG_DIGITS.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise ConfigError(f"a number at line {line} has more than {MAX_DIGITS:,} digits.",
                          where=where)


def check_tree(data: Any, where: str, max_nodes: int = MAX_NODES) -> None:
    """Walk a parsed tree once, iteratively, under a node budget and a depth cap."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise ConfigError(f"more than {max_nodes:,} values (YAML aliases count each time they "
                              "are used); a spec or problem file of a real network is far smaller.",
                              where=where)
        if isinstance(node, Mapping | list | tuple):
            if depth >= MAX_DEPTH:
                raise ConfigError(f"nested more than {MAX_DEPTH} levels deep.", where=where)
            items = list(node.keys()) + list(node.values()) if isinstance(node, Mapping) else node
            stack.extend((x, depth + 1) for x in items)
        elif isinstance(node, int) and node.bit_length() > MAX_DIGITS * 3.33:
            raise ConfigError(f"a number has more than {MAX_DIGITS:,} digits.", where=where)


def load_json(text: str, where: str) -> Any:
    """JSON text -> data, digits, depth and size bounded; ConfigError with the line."""
    _check_digits(text, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}.",
                          where=where) from None
    except RecursionError:
        raise ConfigError(f"nested more than {MAX_DEPTH} levels deep.", where=where) from None
    except ValueError as e:  # a number CPython will not convert
        raise ConfigError(f"not readable JSON: {e}.", where=where) from None
    check_tree(data, where)
    return data


def _count_yaml_values(text: str, where: str, max_nodes: int = MAX_NODES) -> None:
    """Count the values of a YAML text from its parse events, each alias as the size of what it
    names, and stop at the budget: building the tree of a 100,000-layer file costs seconds, its
    events a fraction of that, and only up to the budget."""
    sizes: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []
    seen = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            seen += sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            seen += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            seen += 1
            open_.append((event.anchor, seen))
        elif isinstance(event, yaml.CollectionEndEvent) and open_:
            anchor, start = open_.pop()
            if anchor:
                sizes[anchor] = seen - start + 1
        if seen > max_nodes:
            raise ConfigError(f"more than {max_nodes:,} values (YAML aliases count each time they "
                              "are used); a spec or problem file of a real network is far smaller.",
                              where=where)


def load_yaml(text: str, where: str) -> Any:
    """YAML (or JSON) text -> data with a safe loader; aliases count toward the node budget."""
    _check_digits(text, where)
    try:
        _count_yaml_values(text, where)
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader (C when available)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise ConfigError(f"not valid YAML/JSON at {line}: {e.problem}.", where=where) from None
    except yaml.YAMLError as e:
        raise ConfigError(f"not valid YAML/JSON: {e}.", where=where) from None
    except ConfigError:
        raise
    except (ValueError, RecursionError) as e:  # an int CPython will not convert; deep nesting
        raise ConfigError(f"not readable YAML: {e}.", where=where) from None
    check_tree(data, where)
    return data


def read_json_file(path: str | Path, what: str = "file") -> Any:
    """A JSON file read and parsed under every bound here."""
    return load_json(read_text(path, what), str(path))
