"""A generated problem: a pure function of (topic, difficulty, seed, parts, style, version).

:func:`generate` draws an architecture for the topic with one ``random.Random(seed)`` and
redraws (R/exams style) until the variant is

- **valid**: it solves, every size is positive and every window tiles its input exactly
  (no answer depends on flooring);
- **unambiguous**: ``lint(spec) == []`` (every convention that changes an answer is stated);
- **diagnosable**: the correct total and every value of the misconception catalogue
  (:func:`generator.misconceptions.catalogue_values`) are pairwise distinct.

The :class:`Problem` records the resolved spec (the format ``cnnquiz solve`` reads), the parts,
the answers, the generator version and the seed, so it can be re-graded without regenerating.

>>> p = generate(topic="basic", difficulty="easy", seed=42)
>>> p.id, p.parts, p.answers["total"] == p.solution().answer
('basic-easy-000042', ('total',), True)
>>> p.to_json() == generate(topic="basic", difficulty="easy", seed=42).to_json()
True
>>> Problem.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .collect import collector_paused
from .compiled import compiled, remember, spec_key
from .concepts import Concepts
from .errors import ConfigError
from .formulas import tiles
from .layers import ConvTranspose, Windowed
from .lint import lint
from .network import Network, Solution, solve
from .parts import NAMES, mac_counts, parse_part
from .spec import load_spec, read_spec_file
from .topics import STYLES, TOPICS, Redraw, draw, is_topic, styles_for, topic_error
from .untrusted import read_json_file

__all__ = [
    "DIFFICULTIES",
    "FORMAT",
    "PARTS",
    "Problem",
    "catalogue_items",
    "catalogue_values",
    "diagnosable",
    "generate",
    "generate_set",
    "load_problem",
    "read_problem",
    "mac_counts",
    "resolve_parts",
]

#: the problem-file format tag
FORMAT = "cnnquiz-problem/1"
DIFFICULTIES = ("easy", "medium", "hard")
#: part names (defined in :mod:`generator.parts`); "shape" and "macs" may name a layer
PARTS = NAMES
MAX_DRAWS = 500
FALLBACK_VERSION = "0.1.0"


@lru_cache(maxsize=1)
def generator_version() -> str:
    """The installed cnnquiz version (a constant when not installed)."""
    try:
        return metadata.version("cnnquiz")
    except metadata.PackageNotFoundError:
        return FALLBACK_VERSION


def catalogue_values(network: Network) -> dict[str, int]:
    """The misconception catalogue's values for a network (see :mod:`generator.misconceptions`)."""
    from .misconceptions import catalogue_values as values

    return values(network)


def catalogue_items(network: Network) -> Iterator[tuple[str, int]]:
    """:func:`catalogue_values` one (id, value) at a time, the likeliest collisions first
    (the redraw check stops at the first)."""
    from .misconceptions import PROBE_ORDER, iter_values

    return iter_values(network, PROBE_ORDER)


def diagnosable(network: Network, answer: int) -> bool:
    """True when the answer and every catalogued wrong value are pairwise distinct.

    >>> net = load_spec({"input": {"shape": [4]}, "layers": [{"type": "dense", "units": 2}]})
    >>> diagnosable(net, solve(net).answer)
    True
    """
    seen = {answer}
    for _, value in catalogue_items(network):  # stops at the first collision (a redraw)
        if value in seen:
            return False
        seen.add(value)
    return True


@dataclass(frozen=True)
class Problem:
    """One generated problem; ``spec`` is exactly what ``cnnquiz solve`` reads."""

    id: str
    seed: int
    version: str
    topic: str
    difficulty: str
    style: str
    parts: tuple[str, ...]
    spec: dict[str, Any]
    answers: dict[str, Any]
    #: seeds the choice of phrasings (prose sentence patterns, intro); drawn from the seed
    phrasing: int = 0
    #: multiple-choice options per part (see :mod:`generator.choices`); empty: open questions
    choices: dict[str, list[dict[str, Any]]] = field(default_factory=dict, hash=False)

    def network(self) -> Network:
        return _solved(self).network

    def solution(self) -> Solution:
        return _solved(self)

    @cached_property
    def spec_key(self) -> str:
        """The key of the compiled-problem cache (:func:`generator.compiled.spec_key`)."""
        return spec_key(self.spec)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "id": self.id,
            "seed": self.seed,
            "version": self.version,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "style": self.style,
            "parts": list(self.parts),
            "spec": self.spec,
            "answers": self.answers,
            "phrasing": self.phrasing,
            **({"choices": self.choices} if self.choices else {}),
        }

    def to_json(self) -> str:
        """Sorted keys, two-space indent, newline at the end: byte-stable for a seed and version."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Problem:
        missing = [k for k in ("id", "seed", "version", "spec", "answers") if k not in d]
        if missing:
            raise ConfigError(f"not a cnnquiz problem: missing {', '.join(missing)}.")
        return cls(
            id=str(d["id"]), seed=int(d["seed"]), version=str(d["version"]),
            topic=str(d.get("topic", "")), difficulty=str(d.get("difficulty", "")),
            style=str(d.get("style", "prose")), parts=tuple(d.get("parts", ("total",))),
            spec=json.loads(json.dumps(d["spec"])), answers=json.loads(json.dumps(d["answers"])),
            phrasing=int(d.get("phrasing", 0)),
            choices=json.loads(json.dumps(d.get("choices") or {})),
        )


_PROBLEM_KEYS = frozenset({"id", "seed", "version", "spec", "answers"})


def read_problem(path: str | Path) -> Problem | dict[str, Any]:
    """What a problem or spec file holds: the one reader of problem files.

    A problem file written by ``cnnquiz generate`` (JSON with id, seed, version, spec and
    answers) is its :class:`Problem`; another JSON mapping with a ``spec`` mapping is that
    mapping (its ``parts`` say what it asks); any other file is a spec (YAML or JSON).
    """
    p = Path(path)
    if p.suffix == ".json":
        data = read_json_file(p, "problem file")
        if isinstance(data, dict) and "spec" in data:
            if not isinstance(data["spec"], dict):
                raise ConfigError("the problem file's 'spec' must be a mapping.", where=str(path))
            return Problem.from_dict(data) if _PROBLEM_KEYS <= data.keys() else data
    return read_spec_file(p)


def load_problem(path: str | Path) -> Problem:
    """A problem file written by ``cnnquiz generate``; ConfigError says why a file is not one."""
    found = read_problem(path)
    return found if isinstance(found, Problem) else Problem.from_dict(found)  # names what is missing


def remember_solution(p: Problem, sol: Solution) -> None:
    """Keep the solution of a problem just built, so rendering it does not solve again."""
    remember(p.spec_key, sol)


def _solved(p: Problem) -> Solution:
    return compiled(p.spec_key, lambda: solve(load_spec(p.spec))).solution


# -- validity -------------------------------------------------------------------------------
def forward(net: Network) -> Solution:
    """Shapes and weights without the worked steps: what the redraw loop needs, fast.

    :func:`generator.network.solve` of an accepted draw adds the steps and checks shares.
    """
    return solve(net, worked=False)


def floors(sol: Solution) -> list[str]:
    """Layers whose output size involves a rounding (a window not tiling its input exactly)."""
    out = []
    for row, node in zip(sol.rows, sol.network.nodes, strict=True):
        layer = node.layer
        if not isinstance(layer, Windowed) or isinstance(layer, ConvTranspose):
            continue
        for i, n in enumerate(row.in_shape[:-1]):
            pad = layer.padding if isinstance(layer.padding, str) else layer.padding[i]
            if not tiles(n, layer.kernel[i], layer.strides[i], pad, layer.dilation[i]):
                out.append(layer.name)
                break
    return out


# -- parts ----------------------------------------------------------------------------------
def resolve_parts(parts: Iterable[str], sol: Solution, rng: random.Random) -> tuple[str, ...]:
    """Bare "shape" names a layer (the last before the head); unknown parts raise ConfigError."""
    names = [r.name for r in sol.rows]
    out: list[str] = []
    for text in parts:
        part = parse_part(text)
        layer = part.layer
        if part.kind.form is None and not layer:
            head = [i for i, r in enumerate(sol.rows)
                    if r.kind == "flatten" or r.kind.startswith("global_")]
            idx = head[0] - 1 if head and head[0] > 0 else len(sol.rows) - 1
            candidates = [names[idx]] + [r.name for r in sol.rows[:idx]
                                         if r.kind.startswith(("conv", "max_", "average_"))]
            layer = candidates[0] if rng.random() < 0.7 else rng.choice(candidates)
            part = parse_part(f"{part.kind.name}:{layer}")
        part.check(sol)
        if str(part) not in out:
            out.append(str(part))
    return tuple(out) or ("total",)


def answers_for(parts: Sequence[str], sol: Solution) -> dict[str, Any]:
    """The answer of every part, as JSON-ready ints, lists and dicts (see generator.parts)."""
    return {part: parse_part(part).answer(sol) for part in parts}


# -- generation -----------------------------------------------------------------------------
def _check(topic: str, difficulty: str, style: str) -> None:
    if not is_topic(topic):
        raise ConfigError(topic_error(topic))
    if difficulty not in DIFFICULTIES:
        raise ConfigError(f"unknown difficulty '{difficulty}'; use easy, medium or hard.")
    if style != "mixed" and style not in STYLES:
        raise ConfigError(f"unknown style '{style}'; styles: {', '.join(STYLES)}, mixed.")
    if style != "mixed" and style not in styles_for(topic):
        raise ConfigError(f"topic '{topic}' cannot be shown as {style}; "
                          f"use {', '.join(styles_for(topic))}.")


def default_id(topic: str, difficulty: str, seed: int) -> str:
    """'basic-easy-000042'; large seeds (per-student) in hex.

    >>> default_id("basic", "easy", 42)
    'basic-easy-000042'
    """
    return f"{topic}-{difficulty}-{seed:06d}" if seed < 10**6 else f"{topic}-{difficulty}-{seed:x}"


def generate(*, topic: str, difficulty: str, seed: int, parts: Sequence[str] = ("total",),
             style: str = "prose", version: str | None = None,
             id: str | None = None, concepts: Concepts | None = None) -> Problem:  # noqa: A002
    """Draw one valid, unambiguous, diagnosable problem; the same arguments give the same bytes."""
    _check(topic, difficulty, style)
    with collector_paused():
        return _generate(topic, difficulty, seed, parts, style, version, id, concepts)


def _generate(topic: str, difficulty: str, seed: int, parts: Sequence[str], style: str,
              version: str | None, id: str | None,  # noqa: A002
              concepts: Concepts | None) -> Problem:
    rng = random.Random(seed)
    shown = rng.choice(styles_for(topic)) if style == "mixed" else style
    for _ in range(MAX_DRAWS):
        try:
            spec = draw(topic, rng, difficulty, shown)
            if concepts is not None:
                spec = concepts.transform(spec)
            net = load_spec(spec)
            quick = forward(net)
            rounds = bool(floors(quick))
            if not (concepts.accept(quick, rounds) if concepts is not None else not rounds):
                continue
            if not diagnosable(net, quick.answer):
                continue
            sol = solve(net)  # with the worked steps; also checks shared weights fit
        except (Redraw, ConfigError):
            continue
        found = lint(spec, net)
        if found:  # a generator bug, not bad luck: every convention must be stated
            raise AssertionError(f"{topic} draw left {found[0].convention} unstated: {spec}")
        break
    else:
        raise ConfigError(f"no valid, diagnosable {difficulty} '{topic}' problem in {MAX_DRAWS} "
                          f"draws for seed {seed}; try another seed.")
    resolved = resolve_parts(parts, sol, rng)
    phrasing = rng.randrange(2**31)
    problem = Problem(
        id=id or default_id(topic, difficulty, seed), seed=seed,
        version=version or generator_version(), topic=topic, difficulty=difficulty,
        style=shown, parts=resolved, spec=json.loads(json.dumps(spec)),
        answers=answers_for(resolved, sol), phrasing=phrasing,
    )
    remember_solution(problem, sol)
    return problem


def generate_set(*, topics: Sequence[str] | None = None, difficulty: str = "easy",
                 count: int = 6, seed: int = 0, parts: Sequence[str] = ("total",),
                 style: str = "prose", version: str | None = None) -> list[Problem]:
    """A problem set: topics in turn, seeds ``seed, seed + 1, …``.

    >>> [p.id for p in generate_set(topics=["basic", "color"], count=3, seed=7)]
    ['basic-easy-000007', 'color-easy-000008', 'basic-easy-000009']
    """
    topics = list(topics or TOPICS)
    if count < 1:
        raise ConfigError(f"count must be at least 1; received {count}.")
    return [generate(topic=topics[i % len(topics)], difficulty=difficulty, seed=seed + i,
                     parts=parts, style=style, version=version) for i in range(count)]

