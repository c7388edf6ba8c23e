"""The one cache of compiled problems: a spec's network and solution, under one key.

Every reader of a solved problem goes through here: :meth:`generator.problem.Problem.solution`
(rendering, exports, the practice app) and the grader's ``prepare``, which keeps what it
derives (each part's answer key, the diagnoser) on the same entry, in ``derived``. So a spec
is solved once however it is asked, and one key names it everywhere: :func:`spec_key`, the
SHA-256 of the spec's canonical JSON (a bare Network, which has no spec, by its value hash).
The least recently used entry is dropped past ``CACHE_SIZE``.

>>> key = spec_key({"input": {"shape": [8, 8, 1]}, "layers": [{"type": "flatten"}]})
>>> len(key), key == spec_key({"layers": [{"type": "flatten"}], "input": {"shape": [8, 8, 1]}})
(64, True)
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .network import Network, Solution

__all__ = ["CACHE_SIZE", "Compiled", "clear_cache", "compiled", "network_key", "remember",
           "spec_key"]

CACHE_SIZE = 256


@dataclass
class Compiled:
    """A compiled problem: its network and solution, and what other layers derived from it."""

    key: str
    network: Network
    solution: Solution
    derived: dict[Hashable, Any] = field(default_factory=dict, repr=False)


_ENTRIES: OrderedDict[str, Compiled] = OrderedDict()


def spec_key(spec: Mapping[str, Any]) -> str:
    """The key of a spec: SHA-256 of its canonical JSON (sorted keys)."""
    canonical = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def network_key(network: Network) -> str:
    """The key of a Network given without its spec."""
    return f"net:{hash(network)}"


def compiled(key: str, solve: Callable[[], Solution]) -> Compiled:
    """The entry under ``key``, solving (``solve()``) only when it is not cached."""
    hit = _ENTRIES.get(key)
    if hit is not None:
        _ENTRIES.move_to_end(key)
        return hit
    return remember(key, solve())


def remember(key: str, solution: Solution) -> Compiled:
    """Keep a solution just computed (a cached entry, and what was derived from it, stays)."""
    hit = _ENTRIES.get(key)
    if hit is None:
        hit = _ENTRIES[key] = Compiled(key, solution.network, solution)
        if len(_ENTRIES) > CACHE_SIZE:
            _ENTRIES.popitem(last=False)
    return hit


def clear_cache(*, derived_only: bool = False) -> None:
    """Forget every entry (or only what was derived from each: solutions stay)."""
    if derived_only:
        for entry in _ENTRIES.values():
            entry.derived.clear()
    else:
        _ENTRIES.clear()
