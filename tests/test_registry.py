"""Every registered layer kind has every facet, and the facets agree.

Parametrized over :data:`generator.layers.REGISTRY`: a new kind is checked the moment it is
registered. "Agree" means: the spec example loads to the registered class; the Keras and
PyTorch class names are ones the importers read; the printed per-layer code is read back by our
own importer to the same kind; and a one-layer network's generated Keras and PyTorch code,
imported again, has the same output shape and parameter count as the spec.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.codegen import keras_code, torch_code
from generator.errors import ConfigError
from generator.importers import import_source
from generator.importers.keras_layers import keras_layer
from generator.layers import REGISTRY, Code, Kind, of
from generator.layers.registry import KERAS_NAMES, TORCH_NAMES
from generator.network import INPUT_NAME, solve
from generator.spec import family, load_spec, option_parsers

KINDS = sorted(REGISTRY)


def entry(kind: str) -> Kind:
    return REGISTRY[kind]


def one_layer(e: Kind) -> Any:
    """The kind's example as a network: the layer alone, or a merge of two branches."""
    shape, options = e.example
    layer = {"type": e.kind, "name": "layer1", **options}
    layers = [layer]
    if e.family == "merge":
        layers = [{"type": "identity", "name": "a"},
                  {"type": "identity", "name": "b", "inputs": [INPUT_NAME]},
                  {**layer, "inputs": ["a", "b"]}]
    return load_spec({"input": {"shape": list(shape)}, "layers": layers})


@pytest.mark.parametrize("kind", KINDS)
def test_every_facet_is_there(kind: str) -> None:
    e = entry(kind)
    assert e.kind == kind and e.glyph and e.family
    assert family(kind) == e.family
    assert set(e.required) <= set(e.options), "a required option the spec does not accept"
    assert e.keras or e.no_keras, "Keras class names, or why Keras has none"
    assert e.torch or e.torch_code or e.no_torch, "PyTorch class names, or why PyTorch has none"
    assert (e.keras_code is None) == bool(e.no_keras), "a Keras snippet xor the reason for none"
    assert (e.torch_code is None) == bool(e.no_torch), "a PyTorch snippet xor the reason for none"
    assert bool(e.symbol) == (e.family == "merge"), "a merge has a diagram symbol, nothing else"
    missing = set(e.options) - set(option_parsers(kind, "test"))
    assert not missing, f"spec options without a reader (Kind.parse): {sorted(missing)}"
    assert set(e.parse) <= set(e.options), "a reader for an option the kind does not take"


@pytest.mark.parametrize("kind", KINDS)
def test_every_framework_name_has_a_reader(kind: str) -> None:
    """Each Keras and PyTorch name of the kind is read by a registered reader (its own, or the
    one kind that settles the name's kind from the input, as nn.Upsample); the importers have
    no table of their own."""
    e = entry(kind)
    for name in e.keras:
        assert name in KERAS_NAMES, f"Keras {name}: no kind's keras_read reads it"
        if e.keras_read is not None:
            assert KERAS_NAMES[name].kind is e
    for name in e.torch:
        if name == "Parameter":  # a module attribute, read by torch_parameter
            continue
        assert name in TORCH_NAMES, f"torch.nn {name}: no kind's torch_read reads it"
        if e.torch_read is not None:
            assert TORCH_NAMES[name].kind is e
    assert e.keras_read is None or e.keras, "a Keras reader without a Keras name"
    assert e.torch_read is None or e.torch, "a PyTorch reader without a PyTorch name"


@pytest.mark.parametrize("kind", KINDS)
def test_spec_example_builds_the_registered_class(kind: str) -> None:
    e = entry(kind)
    net = one_layer(e)
    layer = net.nodes[-1].layer
    assert type(layer) is e.cls
    assert of(layer).cls is e.cls
    assert solve(net).rows[-1].out_shape
    assert of(layer).glyph  # tables and diagrams have a label
    assert isinstance(of(layer).words(layer, __import__("random").Random(0), True), str)


def _keras_call(source: str) -> ast.Call:
    call = ast.parse(source.strip(), mode="eval").body
    assert isinstance(call, ast.Call)
    return call


@pytest.mark.parametrize("kind", [k for k in KINDS if REGISTRY[k].keras_code is not None])
def test_keras_snippet_reads_back_as_the_kind(kind: str) -> None:
    e = entry(kind)
    net = one_layer(e)
    layer = net.nodes[-1].layer
    source = e.keras_source(layer, Code(in_shape=net.input.shape))
    call = _keras_call(source)
    cls = ast.unparse(call.func).rsplit(".", 1)[-1]
    assert cls in e.keras, f"{source}: {cls} is not one of the registered Keras names"
    ref, _ = keras_layer(call, cls, {})
    if ref is None:  # read and left out (Identity): changes neither shape nor count
        assert layer.params(net.input.shape) == 0
        return
    assert family(ref.kind) == e.family or ref.kind == e.kind


def chain(e: Kind) -> Any:
    """The one-layer example with the layers its code round trip needs after it."""
    shape, options = e.example
    layers = [{"type": e.kind, "name": "layer1", **options}, *e.example_after]
    return load_spec({"input": {"shape": list(shape)}, "layers": layers})


def _same(net: Any, spec: dict[str, Any]) -> None:
    ours, back = solve(net), solve(load_spec(spec))
    assert back.rows[-1].out_shape == ours.rows[-1].out_shape
    assert (back.total, back.trainable) == (ours.total, ours.trainable)


@pytest.mark.parametrize("kind", [k for k in KINDS
                                  if REGISTRY[k].keras_code is not None
                                  and REGISTRY[k].family != "merge"])
def test_generated_keras_code_imports_to_the_same_network(kind: str) -> None:
    net = chain(entry(kind))
    _same(net, import_source(keras_code(net)))


@pytest.mark.parametrize("kind", [k for k in KINDS if REGISTRY[k].torch_code is not None])
def test_generated_torch_code_imports_to_the_same_network(kind: str) -> None:
    net = chain(entry(kind))
    try:
        code = torch_code(net)
    except ConfigError as err:  # only a stated refusal, never another failure
        pytest.fail(f"the example of {kind} has no PyTorch code: {err}")
    _same(net, import_source(code, input_shape=net.input.shape))
