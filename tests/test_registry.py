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
from generator.importers.keras_layers import CLASSES, INPUTS, MERGES, SKIPPED, keras_layer
from generator.importers.torch_layers import MODULES
from generator.layers import REGISTRY, Code, Kind, of
from generator.network import INPUT_NAME, solve
from generator.spec import family, load_spec

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


@pytest.mark.parametrize("kind", KINDS)
def test_importer_names_are_read(kind: str) -> None:
    e = entry(kind)
    for name in e.keras:
        assert name in CLASSES or name in MERGES or name in SKIPPED or name in INPUTS, name
    for name in e.torch:
        assert name in MODULES or name == "Parameter", name  # nn.Parameter: torch_parameter


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
