"""Problems compiled for grading: the network, its solution, the part and its key (cached).

The key of a part is :meth:`generator.parts.Part.answer` of the solution, the same
function that wrote the problem's answer key, so the two always agree. The diagnoser is
built on the first wrong answer only: a correct answer needs none.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.network import Network, Solution, solve
from generator.parts import Part, parse_part, pick_part
from generator.problem import Problem
from generator.spec import load_spec

from .diagnose import Diagnoser

__all__ = ["CACHE_SIZE", "Prepared", "clear_cache", "prepare"]

CACHE_SIZE = 256


@dataclass
class _Compiled:
    network: Network
    solution: Solution
    _diagnoser: Diagnoser | None = field(default=None, repr=False)

    @property
    def diagnoser(self) -> Diagnoser:
        if self._diagnoser is None:
            self._diagnoser = Diagnoser(self.network)
        return self._diagnoser


@dataclass
class Prepared:
    """A problem part compiled for grading (cached): solution, part, key, diagnoser."""

    key: str
    part: str
    spec: Part
    network: Network
    solution: Solution
    expected: Any
    compiled: _Compiled = field(repr=False)

    @property
    def diagnoser(self) -> Diagnoser:
        return self.compiled.diagnoser

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.network.nodes)


def _spec_and_key(problem: Any) -> tuple[Any, str, tuple[str, ...]]:
    """(spec or Network, cache key, the parts the problem asks)."""
    if isinstance(problem, Network):
        return problem, f"net:{hash(problem)}", ()
    spec = getattr(problem, "spec", None)
    pid = getattr(problem, "id", None)
    asked = tuple(getattr(problem, "parts", ()) or ())
    if spec is None and isinstance(problem, Mapping):
        if "spec" in problem and isinstance(problem["spec"], Mapping):
            spec, pid = problem["spec"], problem.get("id")
            parts = problem.get("parts")
            asked = tuple(p for p in parts if isinstance(p, str)) if isinstance(parts, list) else ()
        else:
            spec = problem
    if spec is None:
        raise TypeError("a problem must be a Problem, a problem-file mapping, a spec or a Network")
    canonical = getattr(problem, "spec_key", None)  # a Problem's canonical spec JSON (cached)
    if not isinstance(canonical, str):
        canonical = json.dumps(spec, sort_keys=True, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    # the id names the problem for people; the spec hash keeps a reused id from a stale hit
    key = f"{pid}:{digest[:16]}" if pid is not None else f"spec:{digest}"
    return spec, key, asked


_NETS: OrderedDict[str, _Compiled] = OrderedDict()
_CACHE: OrderedDict[tuple[str, str], Prepared] = OrderedDict()


def _compiled(key: str, spec: Any, problem: Any) -> _Compiled:
    hit = _NETS.get(key)
    if hit is None:
        if isinstance(problem, Problem):  # solved when generated or first asked
            sol = problem.solution()
            hit = _Compiled(sol.network, sol)
        else:
            net = spec if isinstance(spec, Network) else load_spec(spec)
            hit = _Compiled(net, solve(net))
        _NETS[key] = hit
        if len(_NETS) > CACHE_SIZE:
            _NETS.popitem(last=False)
    return hit


def clear_cache() -> None:
    """Forget every prepared problem (benchmarks; a changed spec gets a new key anyway)."""
    _NETS.clear()
    _CACHE.clear()


def prepare(problem: Any, part: str = "total") -> Prepared:
    """Compile a problem part once (cached per problem id or spec hash, and part).

    A bare ``shape`` or ``macs`` names the problem's own part of that kind when it has one.
    """
    spec, key, asked = _spec_and_key(problem)
    name = pick_part(part, asked)
    hit = _CACHE.get((key, name))
    if hit is not None:
        return hit
    the_part = parse_part(name)
    c = _compiled(key, spec, problem)
    prep = Prepared(key, name, the_part, c.network, c.solution, the_part.answer(c.solution), c)
    _CACHE[(key, name)] = prep
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return prep
