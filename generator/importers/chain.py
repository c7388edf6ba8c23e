"""From an ordered list of layer uses (:class:`Ref`) to a spec dict, shapes checked on the way.

Both importers turn the code into refs; this module walks them with the solver's own layer
classes, so every shape is propagated exactly as ``cnnquiz solve`` will do it. On the way it

- folds zero padding (Keras ``ZeroPadding2D``, torch ``nn.ZeroPad2d``) into the next
  convolution or pooling layer's explicit padding;
- settles what only the input shape settles (a reading's ``later``: torch's adaptive
  pooling, PReLU slopes, LayerNorm axes, upsampling rank), once its input size is known;
- checks what the code states about its input (torch ``in_channels``, ``in_features``,
  ``num_features``; a ``view(-1, N)``) and reports a mismatch with both numbers;
- turns a second use of the same layer object into ``share: <first use>``.

>>> refs = [Ref(1, "Conv2D(8, 3)", "conv2d", {"filters": 8, "kernel": 3}),
...         Ref(2, "Flatten()", "flatten", {}), Ref(3, "Dense(10)", "dense", {"units": 10})]
>>> [layer["type"] for layer in build_spec(refs, (28, 28, 1))["layers"]]
['conv2d', 'flatten', 'dense']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..errors import ConfigError
from ..layers import Layer, fmt_shape
from ..layers.kinds.base import Later
from ..spec import family, load_spec
from .common import fail

__all__ = ["Ref", "build_spec"]

Shape = tuple[int, ...]
WINDOWED = ("conv", "conv_transpose", "depthwise", "separable", "pool")


@dataclass(eq=False)
class Ref:
    """One layer object of the code; using the same object twice shares its weights.

    ``kind`` is a spec type or one of the importer's own: ``zero_padding`` (options
    ``padding``: zeros per side and axis), or a framework's name whose spec entry ``later``
    settles from the input shape (``adaptive_pooling``, ``torch_prelu``, ...).
    ``expect`` holds what the code says about the input: ``in_channels``, ``in_features``,
    ``num_features``, ``features`` (a view/reshape size) or ``axis`` (Keras BN).
    """

    line: int
    call: str
    kind: str
    options: dict[str, Any]
    name: str | None = None
    expect: dict[str, int] = field(default_factory=dict)
    later: Later | None = None

    def fail(self, message: str) -> NoReturn:
        fail(self.line, f"{self.call}: {message}")


@dataclass
class _Use:
    layer: Layer
    index: int
    weights: tuple[Any, ...]


def _make(spec_layer: dict[str, Any], shape: Shape, ref: Ref) -> Layer:
    """The solver's layer object for one spec entry, errors moved to the code's line."""
    try:
        net = load_spec({"input": {"shape": list(shape)}, "layers": [spec_layer]})
        layer = net.nodes[0].layer
        layer.output_shape(net.input.shape)
    except ConfigError as e:
        where = "" if fmt_shape(shape) in e.detail else f" (its input has shape {fmt_shape(shape)})"
        ref.fail(f"{e.detail}{where}")
    return layer


def _flat(shape: Shape) -> str:
    return f"{'·'.join(map(str, shape))} = {math.prod(shape)}" if len(shape) > 1 else str(shape[0])


def _check(ref: Ref, shape: Shape, auto_flatten: bool, flattened_from: Shape | None
           ) -> bool:
    """Compare what the code states about its input with the propagated shape.

    Returns True when a flatten must be inserted before the layer (torch without forward).
    """
    exp = ref.expect
    if "in_channels" in exp and len(shape) > 1 and shape[-1] != exp["in_channels"]:
        ref.fail(f"in_channels={exp['in_channels']}, but its input has {shape[-1]} channels "
                 f"(shape {fmt_shape(shape)}, channels last). Set in_channels={shape[-1]} or "
                 "fix the layer before it.")
    if "num_features" in exp and shape[-1] != exp["num_features"]:
        ref.fail(f"num_features={exp['num_features']}, but its input has {shape[-1]} channels "
                 f"(shape {fmt_shape(shape)}). Set num_features={shape[-1]}.")
    if "axis" in exp and exp["axis"] not in (-1, len(shape)):
        ref.fail(f"axis={exp['axis']} normalises a non-channel axis of the input "
                 f"(batch, {fmt_shape(shape)}); cnnquiz counts batch normalisation over the "
                 "last (channel) axis. Use axis=-1.")
    if "features" in exp and math.prod(shape) != exp["features"]:
        ref.fail(f"reshapes to {exp['features']} features per sample, but the tensor has "
                 f"{_flat(shape)} (shape {fmt_shape(shape)}). Use {math.prod(shape)} or -1.")
    if "in_features" not in exp:
        return False
    want = exp["in_features"]
    if len(shape) > 1:
        if auto_flatten and math.prod(shape) == want:
            return True
        ref.fail(f"receives a {fmt_shape(shape)} tensor, not a flat vector: nn.Linear would act "
                 "on its last axis only. Flatten first (torch.flatten(x, 1) or nn.Flatten()); "
                 f"it then gets {_flat(shape)} features.")
    if shape[0] != want:
        where = (f"the flattened {fmt_shape(flattened_from)} feature map gives "
                 f"{_flat(flattened_from)} features" if flattened_from
                 else f"its input has {shape[0]} features")
        ref.fail(f"in_features={want}, but {where}. Set in_features={shape[0]} (or change the "
                 "layers before it so the sizes agree).")
    return False


def _pad(ref: Ref, pad: tuple[int, ...], pad_ref: Ref) -> dict[str, Any]:
    """The next layer's options with the pending zero padding folded in."""
    if family(ref.kind) not in WINDOWED or ref.later is not None:
        pad_ref.fail(f"its zeros cannot be folded into the next layer, {ref.call} (line "
                     f"{ref.line}): that is not a convolution or pooling layer, and cnnquiz has no "
                     "padding layer of its own. Pad right before a convolution or pooling.")
    current = ref.options.get("padding", "valid")
    if current == "same":
        pad_ref.fail(f"its zeros cannot be folded into the next layer, {ref.call} (line "
                     f"{ref.line}), which has padding='same'; cnnquiz folds zero padding only "
                     "into a 'valid' layer.")
    if isinstance(current, int):
        current = (current,) * len(pad)
    base = (0,) * len(pad) if current == "valid" else tuple(current)
    return {**ref.options, "padding": tuple(a + b for a, b in zip(base, pad, strict=True))}


def resolve(ref: Ref, shape: Shape, options: dict[str, Any]) -> dict[str, Any]:
    """The spec entry of a ref, with what only the input shape settles (the reading's
    ``later``, from the kind's registration)."""
    if ref.later is None:
        return {"type": ref.kind, **options}
    try:
        return ref.later(shape, options)
    except ConfigError as e:
        ref.fail(e.detail)


def build_spec(refs: list[Ref], input_shape: Shape, *, count: str = "total",
               auto_flatten: bool = False, title: str | None = None) -> dict[str, Any]:
    """A spec dict for a chain of layer uses; every shape and stated size checked."""
    shape = tuple(input_shape)
    entries: list[dict[str, Any]] = []
    uses: dict[int, _Use] = {}
    pending: tuple[tuple[int, ...], Ref] | None = None
    flattened_from: Shape | None = None
    for ref in refs:
        if ref.kind == "zero_padding":
            pad = tuple(ref.options["padding"])
            if pending is not None:
                pad = tuple(a + b for a, b in zip(pad, pending[0], strict=True))
            pending = (pad, ref)
            continue
        if _check(ref, shape, auto_flatten, flattened_from):
            entries.append({"type": "flatten"})
            flattened_from, shape = shape, (math.prod(shape),)
        options = dict(ref.options)
        if pending is not None:
            options = _pad(ref, pending[0], pending[1])
            pending = None
        entry = resolve(ref, shape, options)
        first = uses.get(id(ref))
        if ref.name is not None:
            entry["name"] = ref.name
        layer = _make(entry, shape, ref)
        if first is not None and not first.weights:  # a weightless layer used again: a copy
            entry["reuse"] = first.index
        elif first is not None:
            weights = layer.weights(shape)
            if [(w.name, w.shape) for w in weights] != [(w.name, w.shape) for w in first.weights]:
                ref.fail(f"used again (weight sharing) on an input of shape {fmt_shape(shape)}, "
                         "where it would need different weight shapes than at its first use. "
                         "A shared layer must see the same number of channels each time.")
            owner = entries[first.index]
            entry = {"type": entry["type"], "share": first.index} | (
                {"padding": entry["padding"]}
                if entry.get("padding") != owner.get("padding") else {})
        else:
            uses[id(ref)] = _Use(layer, len(entries), layer.weights(shape))
        entries.append(entry)
        flattened_from = shape if entry["type"] == "flatten" and len(shape) > 1 else (
            flattened_from if entry["type"] in ("dropout", "activation") else None)
        shape = layer.output_shape(shape)
    if pending is not None:
        pending[1].fail("its zeros cannot be folded: it is the last layer, with no convolution "
                        "or pooling layer after it.")
    if not entries:
        raise ConfigError("the model has no layers that cnnquiz can size (only inputs and layers "
                          "that change nothing); paste the code that adds its layers.")
    spec: dict[str, Any] = {"input": {"shape": list(input_shape)},
                            "conventions": {"count": count}, "layers": _plain(_named(entries))}
    if title:
        spec["name"] = title
    load_spec(spec)  # the contract: whatever is returned loads
    return spec


def _plain(value: Any) -> Any:
    """Tuples to lists, so the spec dumps to JSON and YAML alike."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _named(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resolve ``share`` / ``reuse`` (entry indices) to names, naming every layer if needed.

    A reused layer with weights shares them (``share: conv``); a reused weightless one (a
    pooling module called three times) is a plain copy. Either is named ``conv_use2``, ...
    """
    if not any("share" in e or "reuse" in e for e in entries):
        return entries
    taken = {e["name"] for e in entries if "name" in e}
    counters: dict[str, int] = {}
    for e in entries:
        if "name" in e or "share" in e or "reuse" in e:
            continue
        while True:  # Keras's default names, skipping any the code uses itself
            n = counters.get(e["type"], 0)
            counters[e["type"]] = n + 1
            name = e["type"] if n == 0 else f"{e['type']}_{n}"
            if name not in taken:
                break
        e["name"] = name
        taken.add(name)
    calls: dict[str, int] = {}
    for e in entries:
        key = "share" if "share" in e else "reuse" if "reuse" in e else None
        if key is not None:
            owner = entries[e.pop(key)]["name"]
            calls[owner] = calls.get(owner, 1) + 1
            name = f"{owner}_use{calls[owner]}"
            while name in taken:
                name += "_"
            taken.add(name)
            e["name"] = name
            if key == "share":
                e["share"] = owner
    return entries
