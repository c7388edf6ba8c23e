"""From a graph of layer applications (:class:`Use`) to a spec dict with named ``inputs``.

Both importers describe what they follow as uses: a network input, a layer object applied to
one tensor, or a merge of several (Keras ``Add()([a, b])``, ``concatenate``; PyTorch
``out + identity``, ``torch.cat([a, b], dim=1)``). A graph that is a plain chain goes through
:func:`~.chain.build_spec` as before (its spec has no ``inputs``); anything else becomes a spec
whose layers name their inputs, shapes checked on the way with the solver's own layers. Only
what the outputs depend on is kept, as Keras's functional ``Model`` does (PyTorch's unused
modules are refused by its importer before this). A second use of the same layer object shares
its weights. Graph size is capped (:data:`MAX_NODES`), with a refusal naming the line.

>>> inp = Use(None, [], shape=(8, 8, 4), name="input")
>>> conv = Ref(2, "Conv2D(4, 3, padding='same')", "conv2d",
...            {"filters": 4, "kernel": 3, "padding": "same"})
>>> c1 = Use(conv, [inp])
>>> add = Use(Ref(3, "Add()", "add", {}), [c1, inp])
>>> spec = build_graph([inp], [add], count="total")
>>> [(e["name"], e["inputs"]) for e in spec["layers"]]
[('conv2d', ['input']), ('add', ['conv2d', 'input'])]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..layers import MERGE_OPS, Merge, fmt_shape
from ..spec import load_spec
from .chain import Ref, _check, _make, _pad, _plain, build_spec, resolve
from .common import fail

__all__ = ["MAX_NODES", "Use", "build_graph"]

MAX_NODES = 2_000  # DenseNet-201 has about 700 layer uses; nothing real comes near

Shape = tuple[int, ...]


@dataclass(eq=False)
class Use:
    """One tensor: ``ref`` applied to ``srcs`` (a merge takes several), or an input (no ref)."""

    ref: Ref | None
    srcs: list[Use]
    shape: tuple[Any, ...] | None = None  # inputs only
    name: str | None = None  # inputs only
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _order(outputs: list[Use]) -> list[Use]:
    """The uses the outputs depend on, each after its sources (iterative depth-first)."""
    order: list[Use] = []
    done: set[int] = set()
    stack: list[tuple[Use, bool]] = [(u, False) for u in reversed(outputs)]
    while stack:
        use, expanded = stack.pop()
        if id(use) in done:
            continue
        if expanded:
            done.add(id(use))
            order.append(use)
            if len(order) > MAX_NODES:
                where = use.ref.line if use.ref is not None else use.line
                fail(where, f"the model has more than {MAX_NODES:,} layer applications; cnnquiz "
                            "stops here. Describe a smaller part of it.")
            continue
        stack.append((use, True))
        stack.extend((s, False) for s in reversed(use.srcs) if id(s) not in done)
    return order


def _is_chain(inputs: list[Use], outputs: list[Use], order: list[Use]) -> bool:
    """One input, one output, and every use on one path between them (no merge)."""
    if len(inputs) != 1 or len(outputs) != 1 or not _single_path(outputs[0], inputs[0]):
        return False
    return len(_chain_refs(outputs[0], inputs[0])) == len(order) - 1 and all(
        r.kind not in MERGE_OPS for r in _chain_refs(outputs[0], inputs[0]))


def _single_path(out: Use, inp: Use) -> bool:
    """True when every use on the way back has exactly one source and one consumer."""
    seen: set[int] = set()
    u = out
    while u is not inp:
        if id(u) in seen or len(u.srcs) != 1:
            return False
        seen.add(id(u))
        u = u.srcs[0]
    return True


def _chain_refs(out: Use, inp: Use) -> list[Ref]:
    refs: list[Ref] = []
    u = out
    while u is not inp:
        assert u.ref is not None
        refs.append(u.ref)
        u = u.srcs[0]
    return refs[::-1]


def build_graph(inputs: list[Use], outputs: list[Use], *, count: str = "total",
                auto_flatten: bool = False, title: str | None = None) -> dict[str, Any]:
    """A spec dict for the graph from ``inputs`` to ``outputs``; every shape checked."""
    order = _order(outputs)
    for i in inputs:
        if i.shape is None or any(not isinstance(d, int) or isinstance(d, bool) or d < 1
                                  for d in i.shape):
            fail(i.line, f"the input {i.name!r} has no constant shape ({i.shape}); give "
                         "shape=(H, W, C) or pass --input-shape.")
    used_inputs = [u for u in order if u.ref is None]
    for u in used_inputs:
        if not any(u is i for i in inputs):
            fail(u.line, f"the outputs depend on the input {u.name!r}, which is not among the "
                         "model's inputs.")
    if _is_chain(inputs, outputs, order):
        return build_spec(_chain_refs(outputs[0], inputs[0]), tuple(inputs[0].shape or ()),
                          count=count, auto_flatten=auto_flatten, title=title)
    return _graph_spec(inputs, outputs, order, count, title)


def _graph_spec(inputs: list[Use], outputs: list[Use], order: list[Use], count: str,
                title: str | None) -> dict[str, Any]:
    names: dict[int, str] = {}
    shapes: dict[int, Shape] = {}
    taken: set[str] = set()
    for i in inputs:
        name = i.name or "input"
        if name in taken:
            fail(i.line, f"two inputs are named {name!r}; give each Input its own name.")
        names[id(i)], shapes[id(i)] = name, tuple(i.shape or ())
        taken.add(name)
    entries: list[dict[str, Any]] = []
    owners: dict[int, tuple[str, Any]] = {}  # id(ref) -> (entry name, weights)
    uses_of: dict[int, int] = {}
    consumers: dict[int, int] = {}
    for u in order:
        for s in u.srcs:
            consumers[id(s)] = consumers.get(id(s), 0) + 1

    def fresh(base: str) -> str:
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    for u in order:
        if u.ref is None:
            continue
        ref = u.ref
        if ref.kind == "zero_padding":
            if len(u.srcs) != 1 or consumers.get(id(u), 0) != 1:
                ref.fail("its zeros are used by several layers; cnnquiz folds zero padding only "
                         "into the one convolution or pooling layer after it.")
            shapes[id(u)] = shapes[id(u.srcs[0])]
            names[id(u)] = names[id(u.srcs[0])]
            u.extra["pad"] = (tuple(ref.options["padding"]), ref, u.srcs[0])
            continue
        src_uses = list(u.srcs)
        options = dict(ref.options)
        if len(src_uses) == 1 and "pad" in src_uses[0].extra:
            pad, pad_ref, real = src_uses[0].extra["pad"]
            options = _pad(ref, pad, pad_ref)
            src_uses = [real]
        ins = [shapes[id(s)] for s in src_uses]
        srcs = [names[id(s)] for s in src_uses]
        if ref.kind in MERGE_OPS:
            try:
                out = Merge(op=ref.kind, axis=options.get("axis", -1), name=ref.call).merge_shape(ins)
            except ConfigError as e:
                ref.fail(e.detail.removeprefix(f"{ref.call}: "))
            entry = {"type": ref.kind, **options, "inputs": srcs}
            entry["name"] = fresh(ref.name or ref.kind)
        else:
            if len(ins) != 1:
                ref.fail(f"takes one tensor; received {len(ins)}.")
            shape = ins[0]
            _check(ref, shape, False, None)  # what the code states about its input
            entry = resolve(ref, shape, options)
            layer = _make(entry, shape, ref)
            weights = layer.weights(shape)
            owner = owners.get(id(ref))
            if owner is None:
                entry["name"] = fresh(ref.name or entry["type"])
                owners[id(ref)] = (entry["name"], weights)
            else:
                k = uses_of[id(ref)] = uses_of.get(id(ref), 1) + 1
                entry["name"] = fresh(f"{owner[0]}_use{k}")
                if weights:
                    if [(w.name, w.shape) for w in weights] != [(w.name, w.shape)
                                                              for w in owner[1]]:
                        ref.fail(f"used again (weight sharing) on an input of shape "
                                 f"{fmt_shape(shape)}, where it would need different weight "
                                 "shapes than at its first use.")
                    entry = {"type": entry["type"], "name": entry["name"], "share": owner[0]} | (
                        {"padding": entry["padding"]} if "padding" in entry else {})
            entry["inputs"] = srcs
            out = layer.output_shape(shape)
        entries.append(entry)
        names[id(u)], shapes[id(u)] = entry["name"], out
    spec: dict[str, Any] = {
        "inputs": [{"name": names[id(i)], "shape": list(i.shape or ())} for i in inputs],
        "conventions": {"count": count}, "layers": _plain(entries),
        "outputs": [names[id(o)] for o in outputs]}
    if title:
        spec["name"] = title
    if not entries:
        raise ConfigError("the model has no layers that cnnquiz can size (only inputs and layers "
                          "that change nothing); paste the code that adds its layers.")
    load_spec(spec)
    return spec
