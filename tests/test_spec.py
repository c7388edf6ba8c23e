"""Spec loading: aliases, colours, defaults, conventions and the author-facing errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.errors import ConfigError
from generator.layers.conv import Conv
from generator.layers.pooling import Pool
from generator.lint import lint
from generator.network import solve
from generator.spec import load_spec, read_spec, read_spec_file

ROOT = Path(__file__).resolve().parent.parent


def spec(*layers: dict[str, Any], **input_: Any) -> dict[str, Any]:
    return {"input": input_ or {"shape": [28, 28], "color": "gray"}, "layers": list(layers)}


@pytest.mark.parametrize(
    ("input_", "shape"),
    [({"shape": [120, 120], "color": "cmyk"}, (120, 120, 4)),
     ({"shape": [32, 32], "color": "rgba"}, (32, 32, 4)),
     ({"shape": [32, 32], "color": "bgr"}, (32, 32, 3)),
     ({"shape": [28, 28], "channels": 1}, (28, 28, 1)),
     ({"shape": [28, 28, 3]}, (28, 28, 3)),
     ({"shape": [100], "channels": 2}, (100, 2)),
     ({"shape": [784]}, (784,))],
    ids=["cmyk", "rgba", "bgr", "channels", "hwc", "1d", "vector"],
)
def test_input_forms(input_: dict[str, Any], shape: tuple[int, ...]) -> None:
    net = load_spec({"input": input_, "layers": [{"type": "flatten"}]})
    assert net.input.shape == shape


def test_keras_aliases_and_default_names() -> None:
    net = load_spec(spec({"type": "conv2d", "filters": 4, "kernel_size": [3, 5], "strides": 1,
                          "use_bias": False, "dilation_rate": 1},
                         {"type": "conv2d", "filters": 4, "kernel": 3},
                         {"type": "max_pooling2d", "pool_size": 2}, {"type": "flatten"},
                         {"type": "dense", "units": 3}))
    assert [n.name for n in net.nodes] == ["conv2d", "conv2d_1", "max_pooling2d", "flatten", "dense"]
    first, pool = net.nodes[0].layer, net.nodes[2].layer
    assert isinstance(first, Conv) and isinstance(pool, Pool)
    assert first.kernel == (3, 5) and first.use_bias is False
    assert pool.strides == (2, 2)  # stride = pool size


def test_conventions_fill_unstated_options() -> None:
    s = spec({"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "max_pooling2d", "pool_size": 2})
    s["conventions"] = {"padding": "same", "bias": False, "pool_strides": "1",
                        "pooling_weights": "coefficient"}
    layers = [n.layer for n in load_spec(s).nodes]
    conv, pool = layers[0], layers[1]
    assert isinstance(conv, Conv) and isinstance(pool, Pool)
    assert conv.padding == "same" and conv.use_bias is False
    assert pool.strides == (1, 1)
    assert layers[1].params((28, 28, 4)) == 4


def test_sharing_counts_weights_once_and_checks_shapes() -> None:
    s = spec({"type": "conv2d", "name": "a", "filters": 1, "kernel": 3},
             {"type": "conv2d", "name": "b", "share": "a"})
    sol = solve(load_spec(s))
    assert [r.params for r in sol.rows] == [10, 0] and sol.total == 10
    assert "shares the weights of a: 0 new parameters" in sol.rows[1].notes
    bad = spec({"type": "conv2d", "name": "a", "filters": 4, "kernel": 3},
               {"type": "conv2d", "name": "b", "share": "a"})
    with pytest.raises(ConfigError, match=r"cannot share the weights of 'a'.*3×3×4×4.*3×3×1×4"):
        solve(load_spec(bad))


@pytest.mark.parametrize(
    ("layers", "message"),
    [([{"type": "conv"}], "unknown layer type 'conv'. Did you mean 'conv2d'?"),
     ([{"type": "conv2d", "filters": 4, "kernal": 3}], "unknown option 'kernal' for conv2d. Did you mean 'kernel'?"),
     ([{"type": "conv2d", "kernel": 3}], "conv2d needs 'filters'"),
     ([{"type": "conv2d", "filters": 4, "kernel": 3, "padding": "vaild"}], "Did you mean 'valid'?"),
     ([{"type": "conv2d", "filters": 0, "kernel": 3}], "filters must be a whole number ≥ 1; received 0"),
     ([{"type": "conv2d", "filters": 4, "kernel": [3, 3, 3]}], "kernel needs 2 value(s)"),
     ([{"type": "conv2d", "name": "x", "filters": 4, "kernel": 3}, {"type": "dense", "name": "x", "units": 2}],
      "two layers are named 'x'"),
     ([{"type": "conv2d", "share": "nothing"}], "share: 'nothing' names no earlier layer"),
     ([{"type": "conv2d", "name": "a", "filters": 4, "kernel": 3},
       {"type": "conv2d", "share": "a", "filters": 8}], "'filters' belongs to the shared weights"),
     ([{"type": "dropout", "rate": 1.5}], "rate must be a number in [0, 1)"),
     ([{"type": "max_pooling2d", "pool_size": 2, "trainable": "yes"}],
      "must be one of none, coefficient, coefficient_and_bias; received 'yes'"),
     ([], "non-empty list of layers")],
    ids=["type", "option", "required", "padding", "filters", "kernel-rank", "dup-name", "share-missing",
         "share-override", "rate", "pool-weights", "empty"],
)
def test_errors(layers: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(spec(*layers))
    assert message in str(err.value)


def test_size_error_names_layer_and_arithmetic() -> None:
    s = spec(*[{"type": "conv2d", "filters": 2, "kernel": 7} for _ in range(5)])
    # 28 -> 22 -> 16 -> 10 -> 4 -> 4 - 7 + 1 = -2
    with pytest.raises(ConfigError, match=r"^conv2d_4: output size would be -2: H_out = H − k_h \+ 1 = 4 − 7"):
        solve(load_spec(s))


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError, match="not valid YAML/JSON at line 4, column 1"):
        read_spec("input: {shape: [4, 4]}\nlayers:\n  - {type: conv2d, filters: [\n")


def test_lint_cmyk_padding_left_out() -> None:
    data = read_spec_file(ROOT / "examples/cmyk_shared.yaml")
    data["conventions"] = {"bias": "true"}
    for layer in data["layers"]:
        layer.pop("padding", None)
    # the figures are those of the network without its pooling layer
    data["layers"] = [x for x in data["layers"] if "pool" not in x["type"]]
    (amb,) = lint(data)
    assert amb.convention == "padding"
    assert {o.value: o.answer for o in amb.outcomes} == {"valid": 7_271_940, "same": 8_651_940}


def test_lint_reports_each_convention() -> None:
    data = spec({"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "max_pooling2d", "pool_size": 2},
                {"type": "batch_normalization"}, {"type": "flatten"}, {"type": "dense", "units": 3})
    found = {a.convention: {o.value: o.answer for o in a.outcomes} for a in lint(data)}
    assert set(found) == {"padding", "bias", "pool_strides", "pooling_weights", "count"}
    assert found["count"]["total"] - found["count"]["trainable"] == 8  # BN moving mean/var, 4 ch
    assert found["pooling_weights"]["coefficient_and_bias"] - found["pooling_weights"]["none"] == 8
    data["conventions"] = {"padding": "valid", "bias": "true", "pool_strides": "pool_size",
                           "pooling_weights": "none", "count": "trainable"}
    assert lint(data) == []


def test_lint_reports_invalid_alternatives() -> None:
    data = spec(*[{"type": "conv2d", "filters": 2, "kernel": 7} for _ in range(5)])
    data["conventions"] = {"padding": "same", "bias": "true"}
    assert lint(data) == []
    del data["conventions"]["padding"]
    data["conventions"]["count"] = "trainable"
    (amb,) = [a for a in lint(data) if a.convention == "padding"]
    valid = next(o for o in amb.outcomes if o.value == "valid")
    assert valid.answer is None and "output size would be -2" in (valid.error or "")
