"""The instructor's own network as a problem: ``cnnquiz generate --from SPEC_OR_CODE``.

The source (a spec mapping, possibly with a ``vary:`` block, see :mod:`generator.vary`) is
checked once, then each variant is drawn with its own ``random.Random(seed)`` and redrawn
(R/exams style) until it is

- **valid**: it solves, and it rounds no size unless the instructor's own network does;
- **unambiguous**: ``lint`` finds no unstated convention (an ambiguous source is refused with
  lint's findings, never guessed);
- **diagnosable**: no two of the answer and the catalogued mistakes' values coincide unless
  the structure makes them coincide (on one convolution over RGB, "input channels left out"
  and "image taken as grayscale" are always the same number): a pair counts as structural
  when it coincides on the written network and on every probe variant drawn from the rules
  (seeds 0..15); any other coincidence is an accident of the drawn sizes and is redrawn;
- **fair**: its total lies within a factor of √2 of the written network's, so any two
  students' totals are within a factor of 2.

Without ``vary:`` every variant is the network as written (one problem; a network that is
not diagnosable is still used, with a warning, since the instructor chose it).

>>> spec = {"input": {"shape": [12, 12], "color": "rgb"},
...         "conventions": {"padding": "valid", "bias": "true", "pool_strides": "pool_size",
...                         "pooling_weights": "none", "count": "trainable"},
...         "layers": [{"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3},
...                    {"type": "flatten"}, {"type": "dense", "units": 2}],
...         "vary": {"conv1.filters": [4, 5, 6]}}
>>> p = author(spec, seed=3, name="mynet")
>>> p.id, p.topic, p.parts, p.answers["total"] == p.solution().answer
('mynet-000003', 'custom', ('total',), True)
>>> author(spec, seed=3, name="mynet").to_json() == p.to_json()
True
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .builder import STYLES
from .codegen import keras_code, torch_code
from .errors import ConfigError
from .lint import lint
from .network import Network, Solution, solve
from .problem import (
    Problem,
    answers_for,
    catalogue_values,
    floors,
    forward,
    generator_version,
    remember_solution,
    resolve_parts,
)
from .spec import load_spec
from .vary import Rule, apply_vary, parse_vary

__all__ = ["Source", "author", "check_source", "collisions", "rekey"]

TOPIC = "custom"
DIFFICULTY = "custom"
MAX_DRAWS = 500
#: variants drawn to tell structural coincidences from accidents of the sizes
PROBES = 16


@dataclass(frozen=True)
class Source:
    """A checked instructor network: the spec without ``vary``, its rules and its base figures."""

    spec: dict[str, Any]
    rules: tuple[Rule, ...]
    answer: int
    rounds: bool
    collisions: frozenset[frozenset[str]]
    warnings: tuple[str, ...]


def _lint_message(spec: Mapping[str, Any]) -> str | None:
    found = lint(spec)
    if not found:
        return None
    parts = []
    for a in found:
        outcomes = ", ".join(f"{o.answer:,} ({o.value})" if o.answer is not None
                             else f"invalid ({o.value})" for o in a.outcomes)
        parts.append(f"{a.convention} is unstated on {', '.join(a.sites)} and gives {outcomes}")
    return ("the network is ambiguous: " + "; ".join(parts) + ". State each under "
            "`conventions:` or on the layers (run `cnnquiz lint` for the full report).")


def check_source(spec: Mapping[str, Any]) -> Source:
    """Lint, solve and read the ``vary:`` rules of an instructor's spec; ConfigError if unusable."""
    if not isinstance(spec, Mapping):
        raise ConfigError("a spec must be a mapping with 'input' and 'layers'.")
    rules = tuple(parse_vary(spec))
    base = {k: v for k, v in spec.items() if k != "vary"}
    net = load_spec(base)
    sol = solve(net)
    message = _lint_message(base)
    if message:
        raise ConfigError(message)
    found = collisions(net, sol.answer)
    for seed in range(PROBES if rules else 0):
        try:
            probe = load_spec(apply_vary(base, rules, random.Random(seed)))
            found &= collisions(probe, forward(probe).answer)
        except ConfigError:
            continue
    warnings = []
    if found:
        names = sorted(" = ".join(sorted(pair)) for pair in found)
        warnings.append("on this network some values always coincide, so the feedback cannot "
                        f"tell them apart: {'; '.join(names)}.")
    return Source(json.loads(json.dumps(base)), rules, sol.answer, bool(floors(sol)), found,
                  tuple(warnings))


def collisions(net: Network, answer: int) -> frozenset[frozenset[str]]:
    """Pairs among the answer and the catalogued mistakes that give the same total."""
    values = {"answer": answer, **catalogue_values(net)}
    names = sorted(values)
    return frozenset(frozenset((a, b)) for i, a in enumerate(names) for b in names[i + 1:]
                     if values[a] == values[b])


def _fair(total: int, base: int) -> bool:
    """Within a factor of √2 of the base, in exact integers: base²/2 <= total² <= 2·base²."""
    return 2 * total * total >= base * base and total * total <= 2 * base * base


def _draw(src: Source, rng: random.Random) -> tuple[dict[str, Any], Solution]:
    last = "no draw"
    for _ in range(MAX_DRAWS):
        spec = apply_vary(src.spec, src.rules, rng)
        try:
            net = load_spec(spec)
            quick = forward(net)
        except ConfigError as e:
            last = f"invalid ({e})"
            continue
        if floors(quick) and not src.rounds:
            last = "a size that needs rounding"
            continue
        if not _fair(quick.answer, src.answer):
            last = f"a total of {quick.answer:,}, not within a factor of √2 of {src.answer:,}"
            continue
        if not collisions(net, quick.answer) <= src.collisions:
            last = "two common mistakes giving the same total"
            continue
        if _lint_message(spec):
            last = "an ambiguous variant"
            continue
        try:
            return spec, solve(net)
        except ConfigError as e:
            last = f"invalid ({e})"
    raise ConfigError(f"no valid, fair, diagnosable variant in {MAX_DRAWS} draws (the last had "
                      f"{last}); widen or narrow the vary: choices.")


def _check_style(style: str, sol: Solution) -> None:
    """A code style must be able to show this network (Keras has no integer padding, ...)."""
    if style not in STYLES:
        raise ConfigError(f"unknown style '{style}'; styles: {', '.join(STYLES)}.")
    if style == "keras":
        keras_code(sol.network)
    elif style == "pytorch":
        torch_code(sol.network)


def author(spec: Mapping[str, Any] | Source, *, seed: int, name: str = "custom",
           parts: Sequence[str] = ("total",), style: str = "prose",
           version: str | None = None, id: str | None = None) -> Problem:  # noqa: A002
    """One problem from an instructor's network; the same arguments give the same bytes."""
    src = spec if isinstance(spec, Source) else check_source(spec)
    rng = random.Random(seed)
    if src.rules:
        variant, sol = _draw(src, rng)
    else:
        variant = json.loads(json.dumps(src.spec))
        sol = solve(load_spec(variant))
    _check_style(style, sol)
    resolved = resolve_parts(parts, sol, rng)
    problem = Problem(
        id=id or (f"{name}-{seed:06d}" if seed < 10**6 else f"{name}-{seed:x}"), seed=seed,
        version=version or generator_version(), topic=TOPIC, difficulty=DIFFICULTY,
        style=style, parts=resolved, spec=variant, answers=answers_for(resolved, sol),
        phrasing=rng.randrange(2**31),
    )
    remember_solution(problem, sol)
    return problem


def rekey(problem: Problem) -> Problem:
    """The problem with its answers solved again from its (possibly edited) spec.

    An edit that leaves a convention unstated, or names a part the network no longer has, is
    refused with a ConfigError; the id, seed, parts, style and phrasing stay.
    """
    spec = problem.spec
    sol = solve(load_spec(spec))
    message = _lint_message(spec)
    if message:
        raise ConfigError(message, where=problem.id)
    _check_style(problem.style, sol)
    parts = resolve_parts(problem.parts, sol, random.Random(problem.seed))
    new = replace(problem, parts=parts, answers=answers_for(parts, sol))
    remember_solution(new, sol)
    return new
