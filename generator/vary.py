"""The ``vary:`` block of an instructor's spec: per-student choices that keep the structure.

A rule names a target and an option, ``TARGET.OPTION``, and gives its values:

- the target is ``input`` (options ``size``, ``color``, ``channels``) or a layer: its name, or a
  shell-style pattern over layer names (``conv*``), or ``type:conv2d`` for every layer of a type;
- the option is one a layer already has: ``filters``, ``units``, ``kernel``, ``strides``,
  ``padding``, ``pool_size`` (Keras spellings ``kernel_size``, ``stride``, ``pool`` are aliases);
- the values are a list of choices, ``{min, max, step}`` (whole numbers), or either of these
  under ``choices:``/``min:`` with ``same: true`` to draw one value for every matched layer
  (by default each matched layer draws its own).

Only values change: the layers, their order, their types and their sharing stay as written,
so every variant is the same question with other numbers.

>>> spec = {"input": {"shape": [28, 28], "color": "gray"},
...         "conventions": {"padding": "valid", "bias": "true"},
...         "layers": [{"type": "conv2d", "name": "c1", "filters": 8, "kernel": 3},
...                    {"type": "conv2d", "name": "c2", "filters": 8, "kernel": 3}],
...         "vary": {"input.size": [28, 32], "c*.filters": {"choices": [4, 6], "same": True}}}
>>> rules = parse_vary(spec)
>>> [(r.target, r.option, r.values, r.layers) for r in rules]
[('input', 'size', (28, 32), ()), ('c*', 'filters', (4, 6), (0, 1))]
>>> import random
>>> v = apply_vary(spec, rules, random.Random(1))
>>> v["layers"][0]["filters"] == v["layers"][1]["filters"], "vary" in v
(True, False)
"""

from __future__ import annotations

import copy
import fnmatch
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from .errors import ConfigError
from .network import COLORS
from .spec import load_spec

__all__ = ["LAYER_OPTIONS", "Rule", "apply_vary", "parse_vary"]

LAYER_OPTIONS = ("filters", "units", "kernel", "strides", "padding", "pool_size")
INPUT_OPTIONS = ("size", "color", "channels")
OPTION_ALIASES = {"kernel_size": "kernel", "stride": "strides", "pool": "pool_size"}
#: the largest number of values one rule may offer (a range is expanded)
MAX_VALUES = 10_000
WHERE = "vary"


@dataclass(frozen=True)
class Rule:
    """One ``TARGET.OPTION: values`` line; ``layers`` are the indices it matched."""

    key: str
    target: str
    option: str
    values: tuple[Any, ...]
    same: bool
    layers: tuple[int, ...]


def _whole(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _values(key: str, raw: Any) -> tuple[tuple[Any, ...], bool]:
    same = False
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"choices", "min", "max", "step", "same"}
        if unknown:
            raise ConfigError(f"{key}: unknown key '{sorted(unknown)[0]}'; use choices, or min, "
                              "max and step, and optionally same.", where=WHERE)
        same = raw.get("same", False)
        if not isinstance(same, bool):
            raise ConfigError(f"{key}: same must be true or false.", where=WHERE)
        if "choices" in raw:
            if {"min", "max", "step"} & set(raw):
                raise ConfigError(f"{key}: give choices or a range, not both.", where=WHERE)
            raw = raw["choices"]
        else:
            lo, hi, step = raw.get("min"), raw.get("max"), raw.get("step", 1)
            if not (_whole(lo) and _whole(hi) and _whole(step)):
                raise ConfigError(f"{key}: a range needs whole numbers min and max "
                                  "(and step), e.g. {min: 8, max: 32, step: 8}.", where=WHERE)
            if lo > hi or step < 1 or (hi - lo) // step + 1 > MAX_VALUES:
                raise ConfigError(f"{key}: the range {lo}..{hi} step {step} is empty or has more "
                                  f"than {MAX_VALUES:,} values.", where=WHERE)
            return tuple(range(lo, hi + 1, step)), same
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{key}: give a non-empty list of choices or a range {{min, max}}; "
                          f"received {raw!r}.", where=WHERE)
    if len(raw) > MAX_VALUES:
        raise ConfigError(f"{key}: more than {MAX_VALUES:,} choices.", where=WHERE)
    return tuple(raw), same


def _split_key(key: Any) -> tuple[str, str]:
    if not isinstance(key, str) or "." not in key:
        raise ConfigError(f"'{key}' is not TARGET.OPTION, e.g. conv1.filters or input.size.",
                          where=WHERE)
    target, _, option = key.rpartition(".")
    return target, OPTION_ALIASES.get(option, option)


def _matches(target: str, names: Sequence[str], kinds: Sequence[str]) -> tuple[int, ...]:
    if target.startswith("type:"):
        kind = target[len("type:"):]
        return tuple(i for i, k in enumerate(kinds) if k == kind)
    return tuple(i for i, n in enumerate(names) if fnmatch.fnmatchcase(n, target))


def _shares(layer: Any) -> bool:
    return isinstance(layer, Mapping) and any(k in layer for k in ("share", "shared_with",
                                                                    "shares"))


def parse_vary(spec: Mapping[str, Any]) -> list[Rule]:
    """The rules of ``spec['vary']`` (none when absent); ConfigError names the bad line."""
    block = spec.get("vary")
    if block is None:
        return []
    if not isinstance(block, Mapping):
        raise ConfigError("vary must be a mapping of TARGET.OPTION to values, e.g. "
                          "{conv1.filters: [8, 16]}.", where=WHERE)
    net = load_spec({k: v for k, v in spec.items() if k != "vary"})
    names = [n.name for n in net.nodes]
    kinds = [n.layer.kind for n in net.nodes]
    raw_layers = spec["layers"]
    rules = []
    for key, raw in block.items():
        target, option = _split_key(key)
        values, same = _values(str(key), raw)
        if target == "input":
            if option not in INPUT_OPTIONS:
                raise ConfigError(f"{key}: the input varies by {', '.join(INPUT_OPTIONS)}.",
                                  where=WHERE)
            if option == "color" and any(v not in COLORS for v in values):
                raise ConfigError(f"{key}: colours are {', '.join(COLORS)}.", where=WHERE)
            rules.append(Rule(str(key), target, option, values, same, ()))
            continue
        if option not in LAYER_OPTIONS:
            raise ConfigError(f"{key}: layers vary by {', '.join(LAYER_OPTIONS)}; the structure "
                              "(types, order, sharing) stays as written.", where=WHERE)
        exact = target in names
        matched = tuple(i for i in _matches(target, names, kinds)
                        if exact or not _shares(raw_layers[i]))
        if not matched:
            raise ConfigError(f"{key}: '{target}' matches no layer (a layer that shares another's "
                              f"weights follows it); layers: {', '.join(names)}.", where=WHERE)
        for i in matched:
            layer = raw_layers[i]
            has = {OPTION_ALIASES.get(str(k), str(k)) for k in layer}
            if _shares(layer):
                raise ConfigError(f"{key}: {names[i]} shares another layer's weights; vary the "
                                  "layer it shares instead.", where=WHERE)
            if option in ("filters", "units", "kernel", "pool_size") and option not in has:
                raise ConfigError(f"{key}: {names[i]} ({kinds[i]}) has no {option}.",
                                  where=WHERE)
        rules.append(Rule(str(key), target, option, values, same, matched))
    return rules


def _input_dict(spec: Mapping[str, Any]) -> dict[str, Any]:
    inp = load_spec({k: v for k, v in spec.items() if k != "vary"}).input
    out: dict[str, Any] = {"shape": list(inp.spatial) or [inp.channels]}
    if not inp.spatial:
        return out
    if inp.color:
        out["color"] = inp.color
    else:
        out["channels"] = inp.channels
    return out


def apply_vary(spec: Mapping[str, Any], rules: Sequence[Rule], rng: random.Random) -> dict[str, Any]:
    """One variant: a copy of ``spec`` without ``vary``, each rule's value drawn from ``rng``."""
    out = copy.deepcopy({k: v for k, v in spec.items() if k != "vary"})
    if not rules:
        return out
    if any(r.target == "input" for r in rules):
        inp = _input_dict(out)
        for r in rules:
            if r.target != "input":
                continue
            value = rng.choice(r.values)
            if r.option == "size":
                if not inp.get("color") and "channels" not in inp:
                    raise ConfigError(f"{r.key}: the input is a vector; it has no size to vary.",
                                      where=WHERE)
                inp["shape"] = [value] * len(inp["shape"])
            elif r.option == "color":
                inp.pop("channels", None)
                inp["color"] = value
            else:
                inp.pop("color", None)
                inp["channels"] = value
        out["input"] = inp
    for r in rules:
        if r.target == "input":
            continue
        shared = rng.choice(r.values) if r.same else None
        for i in r.layers:
            layer = out["layers"][i]
            for alias, canon in OPTION_ALIASES.items():
                if canon == r.option:
                    layer.pop(alias, None)
            layer[r.option] = shared if r.same else rng.choice(r.values)
    return out
