"""Spec format (YAML/JSON) -> :class:`~generator.network.Network`.

A spec is a mapping with ``input``, ``layers`` and optionally ``conventions``::

    input: {shape: [28, 28], color: gray}
    conventions: {padding: valid, bias: true, count: trainable}
    layers:
      - {type: conv2d, filters: 8, kernel: 3}
      - {type: max_pooling2d, pool_size: 2, trainable: none}

Keras spellings (``kernel_size``, ``strides``, ``use_bias``, ``dilation_rate``) are
aliases. Every convention that changes an answer (padding, bias, pooling strides and
weights, what is counted) is either *stated* (given on the layer or under
``conventions``) or defaulted like Keras; :attr:`Network.stated` records which, for lint.

>>> net = load_spec({"input": {"shape": [28, 28], "color": "gray"},
...                  "layers": [{"type": "conv2d", "filters": 8, "kernel_size": 3},
...                             {"type": "conv2d", "filters": 8, "kernel": 3}]})
>>> [n.name for n in net.nodes]
['conv2d', 'conv2d_1']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from functools import partial
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .layers import REGISTRY, Layer, PoolWeights, make
from .layers.kinds.base import Parse
from .network import COLORS, INPUT_NAME, Count, InputSpec, Network, Node, sources
from .spec_values import (
    _bool,
    _choice,
    _inputs,
    _int,
    _padding,
    _rate,
    _short,
    _suggest,
    _tuple,
)
from .untrusted import load_json, load_yaml, read_text

__all__ = ["CONVENTIONS", "load_spec", "option_parsers", "read_spec", "read_spec_file"]

ALIASES = {
    "kernel_size": "kernel",
    "stride": "strides",
    "use_bias": "bias",
    "dilation_rate": "dilation",
    "units": "units",
    "pool": "pool_size",
    "shared_with": "share",
    "shares": "share",
    "p": "rate",
    "input": "inputs",
}

#: spec-wide conventions and the values they accept
CONVENTIONS: dict[str, tuple[str, ...]] = {
    "padding": ("valid", "same"),
    "bias": ("true", "false"),
    "pool_strides": ("pool_size", "1"),
    "pooling_weights": tuple(p.value for p in PoolWeights),
    "count": tuple(c.value for c in Count),
}

#: layers in one spec: generous for real networks (ResNet-152 has 517 in Keras, DenseNet-201
#: 709), small enough that solve and lint of the largest allowed spec take about a second
MAX_LAYERS = 2_000
def family(kind: str) -> str:
    """The option family of a layer kind (from its registration; an unregistered kind, such as
    an importer's own, is its own family).

    >>> family("conv2d_transpose"), family("max_pooling3d"), family("relu")
    ('conv_transpose', 'pool', 'activation')
    """
    entry = REGISTRY.get(kind)
    return kind if entry is None else entry.family


# -- input ----------------------------------------------------------------------------------
def _input(data: Any) -> InputSpec:
    where = "input"
    if not isinstance(data, Mapping):
        raise ConfigError("input must be a mapping such as {shape: [28, 28], color: gray}.",
                          where=where)
    unknown = set(data) - {"shape", "color", "channels"}
    if unknown:
        bad = sorted(unknown)[0]
        raise ConfigError(f"unknown input option '{bad}'.{_suggest(bad, ('shape', 'color', 'channels'))}",
                          where=where)
    shape = data.get("shape")
    if not isinstance(shape, list | tuple) or not shape:
        raise ConfigError("input needs a shape, e.g. shape: [28, 28] with color: gray.", where=where)
    dims = tuple(_int(d, "input shape", where) for d in shape)
    color, channels = data.get("color"), data.get("channels")
    if color is not None:
        color = _choice(color, tuple(COLORS), "color", where)
        n = COLORS[color]
        if channels is not None and _int(channels, "channels", where) != n:
            raise ConfigError(f"color {color} has {n} channels, but channels: {channels} was given.",
                              where=where)
        return InputSpec(dims, n, color)
    if channels is not None:
        return InputSpec(dims, _int(channels, "channels", where))
    if len(dims) == 1:
        return InputSpec((), dims[0])
    return InputSpec(dims[:-1], dims[-1])


# -- layers ---------------------------------------------------------------------------------
def _normalise(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        canon = ALIASES.get(str(key), str(key))
        if canon in out:
            raise ConfigError(f"option '{canon}' is given twice (once as '{key}').", where=where)
        out[canon] = value
    return out


def _int_option(name: str) -> Parse:
    def read(v: Any, /, *, rank: int, where: str) -> int:
        return _int(v, name, where)
    return read


def _tuple_option(name: str, minimum: int = 1) -> Parse:
    def read(v: Any, /, *, rank: int, where: str) -> tuple[int, ...]:
        return _tuple(v, rank, name, where, minimum=minimum)
    return read


def _bool_option(name: str) -> Parse:
    def read(v: Any, /, *, rank: int, where: str) -> bool:
        return _bool(v, name, where)
    return read


def _pool_weights(v: Any, /, *, rank: int, where: str) -> PoolWeights:
    return PoolWeights(_choice(v, CONVENTIONS["pooling_weights"], "trainable (pooling weights)",
                               where))


#: the readers of the options many kinds share (a kind's own ``parse`` facet overrides them)
SHARED_OPTIONS: dict[str, Parse] = {
    **{name: _int_option(name) for name in ("filters", "units", "groups", "depth_multiplier")},
    **{name: _tuple_option(name) for name in ("kernel", "pool_size", "strides", "dilation")},
    "output_padding": _tuple_option("output_padding", minimum=0),
    **{name: _bool_option(name) for name in ("bias", "frozen", "keepdims", "center", "scale")},
    "rate": lambda v, /, *, rank, where: _rate(v, where),
    "activation": lambda v, /, *, rank, where: str(v),
    "padding": lambda v, /, *, rank, where: _padding(v, rank, where),
    "trainable": _pool_weights,
}


def option_parsers(kind: str, where: str) -> dict[str, Callable[[Any], Any]]:
    """The spec option readers of one kind: the options many kinds share, and the kind's own
    (its registration's ``parse`` facet; tests/test_registry.py checks every option has one)."""
    entry = REGISTRY[kind]
    rank = entry.rank or 1
    return {key: partial(read, rank=rank, where=where)
            for key, read in (SHARED_OPTIONS | dict(entry.parse)).items()}


def _layer_options(kind: str, opts: dict[str, Any], conv: Mapping[str, str], where: str,
                   stated: set[tuple[str, str]], *, name: str, shared: bool = False
                   ) -> dict[str, Any]:
    """Constructor arguments for one layer, defaults and conventions applied."""
    entry = REGISTRY[kind]
    fam = entry.family
    rank = entry.fixed.get("rank", 1)
    args: dict[str, Any] = {}
    for key in () if shared else entry.required:
        if key not in opts:
            raise ConfigError(f"{kind} needs '{key}'.", where=where)
    own, opt_rank = entry.parse, entry.rank or 1
    for key, value in opts.items():
        args[key] = (own.get(key) or SHARED_OPTIONS[key])(value, rank=opt_rank, where=where)
    # conventions: what the layer leaves unstated comes from `conventions`, else Keras's default
    if "padding" in entry.options and fam != "zero_padding":
        if "padding" in args:
            stated.add((name, "padding"))
        elif "padding" in conv:
            args["padding"] = conv["padding"]
            stated.add((name, "padding"))
    if "bias" in entry.options:
        if "bias" in args:
            stated.add((name, "bias"))
        elif "bias" in conv:
            args["bias"] = conv["bias"] == "true"
            stated.add((name, "bias"))
    if fam == "pool" and not shared:
        if "strides" in args:
            stated.add((name, "strides"))
        else:
            if conv.get("pool_strides") == "1":
                args["strides"] = (1,) * rank
            else:
                args["strides"] = args["pool_size"]
            if "pool_strides" in conv:
                stated.add((name, "strides"))
        if "trainable" in args:
            stated.add((name, "trainable"))
        elif "pooling_weights" in conv:
            args["trainable"] = PoolWeights(conv["pooling_weights"])
            stated.add((name, "trainable"))
    # dataclass field names
    renames = {"pool_size": "kernel", "bias": "use_bias"}
    return {renames.get(k, k): v for k, v in args.items()}


def _layer(raw: Any, index: int, conv: Mapping[str, str], earlier: dict[str, Layer],
           counters: dict[str, int], stated: set[tuple[str, str]]) -> Node:
    where = f"layers[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"each layer must be a mapping such as {{type: conv2d, filters: 8, "
                          f"kernel: 3}}; received {_short(raw)}.", where=where)
    opts = _normalise(raw, where)
    share = opts.pop("share", None)
    inputs = _inputs(opts.pop("inputs"), where) if "inputs" in opts else ()
    name = opts.pop("name", None)
    kind = opts.pop("type", None)
    owner: Layer | None = None
    if share is not None:
        owner = earlier.get(str(share))
        if owner is None:
            raise ConfigError(f"share: {_short(str(share))} names no earlier layer.{_suggest(share, earlier)}",
                              where=where)
        kind = kind or owner.kind
        if kind != owner.kind:
            raise ConfigError(f"a {kind} layer cannot share the weights of '{share}', a {owner.kind}.",
                              where=where)
    if kind is None:
        raise ConfigError("layer needs a type, e.g. type: conv2d.", where=where)
    kind = str(kind).lower()
    if kind not in REGISTRY:
        raise ConfigError(f"unknown layer type {_short(kind)}.{_suggest(kind, REGISTRY)}",
                          where=where)
    options = REGISTRY[kind].options
    for key in opts:
        if key not in options:
            raise ConfigError(f"unknown option '{key}' for {kind}.{_suggest(key, options)} "
                              f"Options: {', '.join(options) or 'none'}.", where=where)
    if name is None:
        n = counters.get(kind, 0)
        name = kind if n == 0 else f"{kind}_{n}"
        counters[kind] = n + 1
    name = str(name)
    if name in earlier:
        raise ConfigError(f"two layers are named '{name}'; names must be unique.", where=where)
    label = f"{where} ({name})"
    if owner is not None:
        inherited = {f.name: getattr(owner, f.name) for f in fields(owner)
                     if f.init and f.name not in ("name", "rank", "op")}
        args = _layer_options(kind, {k: v for k, v in opts.items()
                                     if k in ("strides", "padding", "dilation")},
                              {}, label, stated, name=name, shared=True) if opts else {}
        for key in opts:
            if key not in ("strides", "padding", "dilation"):
                raise ConfigError(f"'{key}' belongs to the shared weights of '{share}'; a layer that "
                                  "shares weights may only set strides, padding or dilation.",
                                  where=label)
        layer = replace(owner, name=name, **{**inherited, **args})
        for key in ("padding", "bias", "strides", "trainable"):
            if (str(share), key) in stated:
                stated.add((name, key))
    else:
        layer = make(kind, name=name, **_layer_options(kind, opts, conv, label, stated, name=name))
    earlier[name] = layer
    return Node(layer, str(share) if share is not None else None, inputs)


def load_spec(data: Any) -> Network:
    """Build a network from a parsed spec mapping; ConfigError on anything off."""
    if not isinstance(data, Mapping):
        raise ConfigError("a spec must be a mapping with 'input' and 'layers'.")
    unknown = set(data) - {"input", "inputs", "outputs", "layers", "conventions", "question",
                           "name", "title", "vary"}
    if unknown:
        bad = sorted(unknown)[0]
        raise ConfigError(f"unknown top-level key '{bad}'.{_suggest(bad, ('input', 'layers', 'conventions'))}")
    conv_raw = data.get("conventions") or {}
    if not isinstance(conv_raw, Mapping):
        raise ConfigError("conventions must be a mapping, e.g. {padding: valid, bias: true}.")
    conv: dict[str, str] = {}
    for key, value in conv_raw.items():
        if key not in CONVENTIONS:
            raise ConfigError(f"unknown convention '{key}'.{_suggest(key, CONVENTIONS)}",
                              where="conventions")
        conv[key] = _choice(value, CONVENTIONS[key], key, "conventions")
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ConfigError("a spec needs a non-empty list of layers.")
    if len(layers) > MAX_LAYERS:
        raise ConfigError(f"the spec has {len(layers):,} layers; at most {MAX_LAYERS:,} are "
                          "accepted (ResNet-152 and DenseNet-201 have fewer than 800).")
    stated: set[tuple[str, str]] = set()
    earlier: dict[str, Layer] = {}
    counters: dict[str, int] = {}
    nodes = tuple(_layer(raw, i, conv, earlier, counters, stated) for i, raw in enumerate(layers))
    count = Count(conv.get("count", "trainable"))
    named = _named_inputs(data)
    outputs = _inputs(data["outputs"], "outputs") if "outputs" in data else ()
    first_name, first = named[0]
    net = Network(first, nodes, count, frozenset(stated), tuple(named[1:]), outputs, first_name)
    for n in nodes:
        if n.name in net.input_specs:
            raise ConfigError(f"a layer is named '{n.name}' like a network input; rename it.",
                              where=n.name)
    sources(net)  # inputs exist and come earlier; one input per non-merge layer
    return net


def _named_inputs(data: Mapping[str, Any]) -> list[tuple[str, InputSpec]]:
    """``input: {...}`` (named 'input') or ``inputs: [{name: a, shape: [...]}, ...]``."""
    if "inputs" not in data:
        return [(INPUT_NAME, _input(data.get("input")))]
    if "input" in data:
        raise ConfigError("give either input (one input) or inputs (a list of named inputs).")
    raw = data["inputs"]
    if not isinstance(raw, list) or not raw:
        raise ConfigError("inputs must be a list such as [{name: image, shape: [32, 32, 3]}].",
                          where="inputs")
    out: list[tuple[str, InputSpec]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ConfigError("each input needs a name and a shape, e.g. {name: image, shape: "
                              "[32, 32, 3]}.", where=f"inputs[{i}]")
        name = item["name"]
        if any(name == n for n, _ in out):
            raise ConfigError(f"two inputs are named '{name}'.", where=f"inputs[{i}]")
        out.append((name, _input({k: v for k, v in item.items() if k != "name"})))
    return out


def read_spec(text: str, *, source: str = "spec") -> dict[str, Any]:
    """Parse YAML or JSON text (JSON is YAML), bounded (see :mod:`generator.untrusted`)."""
    data = load_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError("a spec must be a mapping with 'input' and 'layers'.", where=source)
    return data


def read_spec_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON spec file (UTF-8 or UTF-16; size, depth, digits and values capped)."""
    p = Path(path)
    text = read_text(p, "spec")
    data = load_json(text, str(p)) if p.suffix == ".json" else read_spec(text, source=str(p))
    if not isinstance(data, dict):
        raise ConfigError("a spec must be a mapping with 'input' and 'layers'.", where=str(p))
    return data
