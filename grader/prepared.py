"""Problems compiled for grading: the network, its solution, the part and its key.

Kept on the one compiled-problem cache (:mod:`generator.compiled`): a part's Prepared and the
diagnoser are derived from the problem's entry, under the same key.

The key of a part is :meth:`generator.parts.Part.answer` of the solution, the same
function that wrote the problem's answer key, so the two always agree. The diagnoser is
built on the first wrong answer only: a correct answer needs none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.collect import collector_paused
from generator.compiled import Compiled, compiled, network_key, spec_key
from generator.compiled import clear_cache as clear_compiled
from generator.network import Network, Solution, solve
from generator.parts import Part, parse_part, pick_part
from generator.spec import load_spec

from .diagnose import Diagnoser

__all__ = ["DIAGNOSER", "Prepared", "clear_cache", "prepare"]

#: where a compiled problem's entry keeps its diagnoser (built on the first wrong answer)
DIAGNOSER = "grader.diagnoser"


@dataclass
class Prepared:
    """A problem part compiled for grading (cached): solution, part, key, diagnoser."""

    key: str
    part: str
    spec: Part
    network: Network
    solution: Solution
    expected: Any
    compiled: Compiled = field(repr=False)

    @property
    def diagnoser(self) -> Diagnoser:
        derived = self.compiled.derived
        found = derived.get(DIAGNOSER)
        if found is None:
            found = derived[DIAGNOSER] = Diagnoser(self.network)
        assert isinstance(found, Diagnoser)
        return found

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.network.nodes)


def _spec_and_key(problem: Any) -> tuple[Any, str, tuple[str, ...]]:
    """(spec or Network, cache key, the parts the problem asks)."""
    if isinstance(problem, Network):
        return problem, network_key(problem), ()
    spec = getattr(problem, "spec", None)
    asked = tuple(getattr(problem, "parts", ()) or ())
    if spec is None and isinstance(problem, Mapping):
        if "spec" in problem and isinstance(problem["spec"], Mapping):
            spec = problem["spec"]
            parts = problem.get("parts")
            asked = tuple(p for p in parts if isinstance(p, str)) if isinstance(parts, list) else ()
        else:
            spec = problem
    if spec is None:
        raise TypeError("a problem must be a Problem, a problem-file mapping, a spec or a Network")
    key = getattr(problem, "spec_key", None)  # a Problem's key (cached on it)
    if not isinstance(key, str):
        key = spec_key(spec)
    return spec, key, asked


def clear_cache() -> None:
    """Forget every prepared part and diagnoser (benchmarks); solved networks stay."""
    clear_compiled(derived_only=True)


def prepare(problem: Any, part: str = "total") -> Prepared:
    """Compile a problem part once (cached under the spec's key, and the part).

    A bare ``shape`` or ``macs`` names the problem's own part of that kind when it has one.
    """
    spec, key, asked = _spec_and_key(problem)
    name = pick_part(part, asked)
    with collector_paused():  # as the diagnoser's compilation (grader.diagnose)
        entry = compiled(key, lambda: solve(spec if isinstance(spec, Network)
                                            else load_spec(spec)))
        hit = entry.derived.get(("grader.part", name))
        if isinstance(hit, Prepared):
            return hit
        the_part = parse_part(name)
        prep = Prepared(key, name, the_part, entry.network, entry.solution,
                        the_part.answer(entry.solution), entry)
        entry.derived[("grader.part", name)] = prep
    return prep
