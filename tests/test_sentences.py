"""One feedback sentence builder: every part states a mistake with grader.sentences.stated,
the JSON explanation is the printed text, and counts agree in number."""

from __future__ import annotations

import pytest

from generator.layers import Conv, Dense
from generator.macs import mac_factors
from generator.misconceptions import MAC_MISCONCEPTIONS, MISCONCEPTIONS, apply, mac_values
from generator.problem import PARTS, generate
from generator.spec import load_spec
from grader import grade, sentences

BN = generate(topic="batchnorm", difficulty="medium", seed=3, parts=PARTS)
SPEC = {"input": {"shape": [16, 16], "channels": 3},
        "layers": [{"type": "conv2d", "name": "conv1", "filters": 5, "kernel": 3},
                   {"type": "conv2d", "name": "conv2", "filters": 9, "kernel": 3},
                   {"type": "flatten"}, {"type": "dense", "name": "out", "units": 7}]}


def _mac(mid: str) -> tuple[str, int]:
    sol = BN.solution()
    name = next(iter(BN.answers["macs"]))
    node = next(n for n in sol.network.nodes if n.name == name)
    factors = mac_factors(node.layer, sol.row(name).in_shape)
    assert factors is not None, name
    return name, mac_values(factors)[mid]


def _said(r, text: str) -> None:
    """The sentence is printed as it is, and the JSON explanation is that same text."""
    assert text in r.feedback
    assert text in [d["explanation"] for d in r.to_dict()["diagnoses"]]


@pytest.mark.parametrize("mid", list(MAC_MISCONCEPTIONS))
def test_mac_sentences_come_from_the_builder(mid: str) -> None:
    layer, value = _mac(mid)
    r = grade(BN, str(value), part=f"macs:{layer}")
    _said(r, sentences.stated(MAC_MISCONCEPTIONS[mid], [layer]))


def test_pair_sentences_come_from_the_builder() -> None:
    ts = BN.answers["trainable_split"]
    r = grade(BN, f"trainable {ts['trainable'] + ts['non_trainable']}, non-trainable 0",
              part="trainable_split")
    bn = [n for n in BN.answers["per_layer"] if n.startswith("bn")]
    _said(r, sentences.stated(MISCONCEPTIONS["bn_moving_stats_trainable"], bn))
    key = BN.answers["weights_biases"]
    r = grade(BN, f"{key['biases']}, {key['weights']}", part="weights_biases")
    assert r.to_dict()["diagnoses"][0]["explanation"] in r.feedback


def test_one_number_of_a_pair_is_stated_with_its_layers() -> None:
    key = grade(SPEC, "0", part="weights_biases").expected
    r = grade(SPEC, f"weights {key['weights']}, biases {key['biases'] - 7}", part="weights_biases")
    assert r.diagnoses[0].misconceptions == ("dense_no_bias",)
    _said(r, sentences.stated(MISCONCEPTIONS["dense_no_bias"], ["out"]))
    assert "{layer}" not in r.feedback


def test_total_sentence_is_the_builders() -> None:
    r = grade(SPEC, str(grade(SPEC, "0").expected - 14))  # both conv biases left out
    assert r.recorded == ("conv_no_bias",)
    assert sentences.stated(MISCONCEPTIONS["conv_no_bias"], ["conv1", "conv2"]) in r.feedback


@pytest.mark.parametrize(("n", "noun", "text"), [(1, "unit", "1 unit"), (2, "unit", "2 units"),
                                                 (1, "layer", "1 layer"),
                                                 (1200, "filter", "1,200 filters")])
def test_plural_agreement(n: int, noun: str, text: str) -> None:
    assert sentences.plural(n, noun) == text


def test_layer_descriptions_agree_in_number() -> None:
    assert Dense(units=1).describe() == "1 unit"
    assert Conv(rank=2, filters=1, kernel=(3, 3)).describe().startswith("1 filter ")
    assert Conv(rank=2, filters=2, kernel=(3, 3)).describe().startswith("2 filters ")



TRANSPOSED = {"input": {"shape": [8, 8], "channels": 4},
              "layers": [{"type": "conv2d_transpose", "name": "up", "filters": 2, "kernel": 3,
                          "strides": 2}, {"type": "flatten"}, {"type": "dense", "name": "out",
                                                               "units": 3}]}


@pytest.mark.parametrize("part", ["total", "per_layer"])
def test_a_transposed_conv_is_told_its_own_output_size_rule(part: str) -> None:
    r = apply(load_spec(TRANSPOSED), [("stride_ignored", None)])
    text = str(r.total) if part == "total" else f"up: {r.params[0]}\nflatten: 0\nout: {r.params[2]}"
    fb = grade(TRANSPOSED, text, part=part).feedback
    assert "a transposed convolution multiplies by s, (H − 1)·s − 2P + k" in fb
    assert "⌊(H + 2P − k)/s⌋" not in fb  # the forward conv's rule


def test_first_hint_after_a_diagnosis_is_the_feedback_sentence_at_a_layer_it_fits() -> None:
    from cnnquiz.hints import ladder
    from cnnquiz.practice_core import build

    p = build("basic", "easy", 42)
    first = ladder(p, focus="dense1", mistake="dense_no_bias")[0]
    assert first.text == sentences.stated(MISCONCEPTIONS["dense_no_bias"], ["dense1"])
    # a dense-layer mistake is never explained at a conv layer
    moved = ladder(p, focus="conv1", mistake="dense_no_bias")[0]
    assert moved.layer == "dense1" and "conv1" not in moved.text
