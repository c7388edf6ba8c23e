"""Reading one value of a spec: whole numbers, per-axis tuples, booleans, choices, names.

Each reader takes the raw YAML/JSON value, what it is and where it stands, and returns the
checked value or raises a :class:`~generator.errors.ConfigError` that names both, with the
received value cut short (a hostile value may be huge) and the nearest valid name suggested.

>>> _int(3, "filters", "layers[0]")
3
>>> _padding("Same", 2, "layers[0]"), _tuple([3, 5], 2, "kernel", "layers[0]")
('same', (3, 5))
"""

from __future__ import annotations

import difflib
from typing import Any

from .errors import ConfigError

__all__ = ["MAX_SIZE", "MAX_SIZE_DIGITS", "_axis", "_bool", "_choice", "_inputs", "_int",
           "_padding", "_pairs", "_rate", "_short", "_sizes", "_suggest", "_tuple"]

#: digits of one size (filters, kernel, input dimension ...): keeps every count far below
#: CPython's 4,300-digit int-to-text limit, and the counts stay exact
MAX_SIZE_DIGITS = 100
MAX_SIZE = 10**MAX_SIZE_DIGITS



def _suggest(word: str, choices: Any) -> str:
    """' Did you mean ...?' for the nearest name, preferring 2-D layers among close ones.

    >>> _suggest("conv", ["conv1d", "conv2d", "conv3d"])
    " Did you mean 'conv2d'?"
    """
    if len(str(word)) > 60:  # no name is that long; difflib's cost grows with the length
        return ""
    close = difflib.get_close_matches(str(word), list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    best = difflib.SequenceMatcher(None, str(word), close[0]).ratio()
    ties = [c for c in close if difflib.SequenceMatcher(None, str(word), c).ratio() == best]
    pick = next((c for c in ties if "2d" in c), ties[0])
    return f" Did you mean '{pick}'?"


def _int(v: Any, what: str, where: str, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise ConfigError(f"{what} must be a whole number ≥ {minimum}; received {_short(v)}.",
                          where=where)
    if v >= MAX_SIZE:
        raise ConfigError(f"{what} has {len(str(v))} digits; sizes are capped at "
                          f"{MAX_SIZE_DIGITS} digits (counts of such sizes are still exact).",
                          where=where)
    return v


def _short(v: Any, limit: int = 60) -> str:
    """repr(v), cut to ``limit`` characters (a received value may be huge).

    >>> _short(list(range(100)), 20)
    '[0, 1, 2, 3, 4, 5, 6…'
    """
    text = repr(v)
    return text if len(text) <= limit else text[:limit] + "…"


def _tuple(v: Any, rank: int, what: str, where: str, minimum: int = 1) -> tuple[int, ...]:
    if isinstance(v, list | tuple):
        if len(v) != rank:
            raise ConfigError(f"{what} needs {rank} value(s), one per spatial axis; received {_short(v)}.",
                              where=where)
        return tuple(_int(x, what, where, minimum) for x in v)
    return (_int(v, what, where, minimum),) * rank


def _bool(v: Any, what: str, where: str) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false", "yes", "no", "on", "off"):
        return v.lower() in ("true", "yes", "on")
    raise ConfigError(f"{what} must be true or false; received {_short(v)}.", where=where)


def _padding(v: Any, rank: int, where: str) -> str | tuple[int, ...]:
    if isinstance(v, str):
        if v.lower() in ("valid", "same"):
            return v.lower()
        raise ConfigError(f"padding must be 'valid', 'same' or a number of zeros per side; "
                          f"received {_short(v)}.{_suggest(v.lower(), ('valid', 'same'))}", where=where)
    return _tuple(v, rank, "padding", where, minimum=0)


def _choice(v: Any, choices: tuple[str, ...], what: str, where: str) -> str:
    s = str(v).lower() if not isinstance(v, bool) else str(v).lower()
    if s not in choices:
        raise ConfigError(f"{what} must be one of {', '.join(choices)}; received {_short(v)}."
                          f"{_suggest(s, choices)}", where=where)
    return s


def _pairs(v: Any, rank: int, what: str, where: str) -> tuple[tuple[int, int], ...]:
    """Zeros (or cropped values) per spatial axis: 2, [1, 2] or [[1, 1], [0, 2]] (before, after)."""
    def pair(x: Any) -> tuple[int, int]:
        if isinstance(x, list | tuple):
            if len(x) != 2:
                raise ConfigError(f"{what} needs (before, after) pairs; received {v!r}.",
                                  where=where)
            return (_int(x[0], what, where, 0), _int(x[1], what, where, 0))
        n = _int(x, what, where, 0)
        return (n, n)
    if isinstance(v, list | tuple):
        if rank == 1 and len(v) == 2 and all(isinstance(x, int) for x in v):
            return (pair(v),)
        if len(v) != rank:
            raise ConfigError(f"{what} needs {rank} value(s), one per spatial axis; received "
                              f"{v!r}.", where=where)
        return tuple(pair(x) for x in v)
    return (pair(v),) * rank


def _sizes(v: Any, what: str, where: str, *, allow: int | None = None) -> tuple[int, ...]:
    items = v if isinstance(v, list | tuple) else [v]
    return tuple(x if x == allow and not isinstance(x, bool) else _int(x, what, where)
                 for x in items)


def _axis(v: Any, kind: str, where: str) -> int:
    if kind != "concatenate":
        raise ConfigError(f"{kind} has no axis; only concatenate joins along an axis.", where=where)
    if isinstance(v, bool) or not isinstance(v, int) or v == 0:
        raise ConfigError(f"axis must be a whole number other than 0 (the batch axis), counted "
                          f"as Keras does (-1: channels); received {v!r}.", where=where)
    return v


def _axes(v: Any, where: str) -> tuple[int, ...]:
    """Normalised axes (layer normalization), counted as Keras does: 1 is the first axis after
    the batch, -1 the channels."""
    items = v if isinstance(v, list | tuple) else [v]
    if not items or any(isinstance(x, bool) or not isinstance(x, int) or x == 0 for x in items):
        raise ConfigError(f"axis must be a whole number other than 0 (the batch axis), or a list "
                          f"of them, counted as Keras does (-1: channels); received {v!r}.",
                          where=where)
    return tuple(items)


def _output_size(v: Any, rank: int, where: str) -> tuple[int | None, ...]:
    """Adaptive pooling's output size: one whole number (or None: keep the input size) per
    spatial axis; a single number serves every axis."""
    items = list(v) if isinstance(v, list | tuple) else [v] * rank
    if len(items) != rank:
        raise ConfigError(f"output_size needs {rank} value(s), one per spatial axis; received "
                          f"{v!r}.", where=where)
    return tuple(None if x is None else _int(x, "output_size", where) for x in items)


def _inputs(v: Any, where: str) -> tuple[str, ...]:
    items = v if isinstance(v, list | tuple) else [v]
    if not items or not all(isinstance(x, str) and x for x in items):
        raise ConfigError(f"inputs must name earlier layers (or the input), e.g. inputs: "
                          f"[conv2, shortcut]; received {v!r}.", where=where)
    return tuple(items)


def _rate(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 1:
        raise ConfigError(f"rate must be a number in [0, 1); received {_short(v)}.", where=where)
    return float(v)
