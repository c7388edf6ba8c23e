"""Names a paste leaves undefined, function parameters and lists of layers (issue 13.2, 13.5).

An undefined name where it cannot change a count (``activation=act_fn``,
``kernel_regularizer=l2(wd)``) is read through with a note; where it counts (filters, kernel,
units, the input shape) it is refused with the line, the name and what to write. A Keras
``Sequential(layers)`` whose list is built by literals, ``.append`` in a constant loop or a
comprehension is followed.
"""

from __future__ import annotations

from typing import Any

import pytest

from generator.errors import ConfigError
from generator.importers import read_code
from generator.network import solve
from generator.spec import load_spec

KERAS = "from tensorflow.keras import layers, Sequential, Input, Model\n"


def _answer(source: str, **kw: Any) -> tuple[int, str]:
    """The count read from ``source`` and its notes; ``kw``: read_code's options."""
    code = read_code(source, **kw)
    return solve(load_spec(code.spec)).answer, " / ".join(w for _, w in code.notes)


@pytest.mark.parametrize(("layer", "noted"), [
    ("layers.Conv2D(8, 3, activation=act_fn)", "act_fn is never defined"),
    ("layers.Conv2D(8, 3, kernel_initializer=init)", "kernel_initializer=init: init is never"),
    ("layers.Conv2D(8, 3, kernel_regularizer=l2(wd))", "l2 and wd are never defined"),
    ("layers.Conv2D(8, 3, bias_constraint=max_norm(c))", "bias_constraint=max_norm(c)"),
])
def test_an_undefined_name_that_counts_nothing_is_read_with_a_note(layer: str,
                                                                   noted: str) -> None:
    source = f"{KERAS}model = Sequential([{layer}, layers.Flatten(), layers.Dense(2)])\n"
    answer, notes = _answer(source, input_shape=(6, 6, 1))
    assert answer == (9 + 1) * 8 + (4 * 4 * 8 + 1) * 2  # the same count as without the option
    assert noted in notes and "line 2" not in notes
    assert "changes no shape or count" in notes


def test_torch_options_that_count_nothing_are_noted_too() -> None:
    source = ("import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 4, 3, padding_mode=pm),\n"
              "    nn.LeakyReLU(slope), nn.Flatten(), nn.Linear(4 * 4 * 4, 2))\n")
    answer, notes = _answer(source, input_shape=(6, 6, 3))
    assert answer == (27 + 1) * 4 + (64 + 1) * 2
    assert "padding_mode=pm: pm is never defined" in notes
    assert "slope: slope is never defined" in notes


def test_a_defined_name_gets_no_note() -> None:
    source = (f"{KERAS}from tensorflow.keras.regularizers import l2\nwd = 1e-4\n"
              "model = Sequential([layers.Dense(2, input_dim=3, kernel_regularizer=l2(wd))])\n")
    answer, notes = _answer(source)
    assert answer == 8 and "never defined" not in notes


@pytest.mark.parametrize(("source", "line", "fragments"), [
    (f"{KERAS}model = Sequential([layers.Conv2D(nfilt, 3, input_shape=(8, 8, 1))])\n", 2,
     ["filters=nfilt is not a constant", "nfilt is never defined in the paste",
      "replace it by a number"]),
    (f"{KERAS}model = Sequential([layers.Conv2D(8, k, input_shape=(8, 8, 1))])\n", 2,
     ["kernel_size=k", "k is never defined", "replace it by a number"]),
    (f"{KERAS}model = Sequential([layers.Dense(units=n_out, input_dim=4)])\n", 2,
     ["units=n_out", "n_out is never defined"]),
    (f"{KERAS}model = Sequential([layers.Dense(2, input_shape=(IMG, IMG, 3))])\n", 2,
     ["input_shape=(IMG, IMG, 3)", "IMG is never defined", "--input-shape"]),
    ("import torch.nn as nn\nnet = nn.Sequential(nn.Linear(4, n_classes))\n", 2,
     ["out_features=n_classes", "n_classes is never defined", "replace it by a number"]),
    (f"{KERAS}def build(input_shape):\n    inp = Input(input_shape)\n"
     "    return Model(inp, layers.Dense(2)(inp))\n", 3,
     ["shape=input_shape", "input_shape is a parameter of build() (line 2) with no default",
      "--input-shape"]),
    (f"{KERAS}def build(n):\n    return Sequential([layers.Dense(n, input_dim=3)])\n", 3,
     ["units=n", "n is a parameter of build() (line 2) with no default",
      "replace it by a number"]),
    (f"{KERAS}import numpy as np\nx = np.load('a.npy')\ndef build(shape):\n"
     "    return Sequential([layers.Dense(2, input_shape=shape)])\nm = build(x.shape[1:])\n", 5,
     ["shape is x.shape[1:] in the call on line 6", "computed when the code runs",
      "--input-shape"]),
], ids=["filters", "kernel", "units", "input-shape", "torch-out-features", "parameter-shape",
        "parameter-units", "call-argument-shape"])
def test_an_undefined_name_that_counts_is_refused_with_line_name_and_fix(
        source: str, line: int, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source)
    message = str(info.value)
    assert message.startswith(f"line {line}:"), message
    for fragment in fragments:
        assert fragment in message, message


def test_a_function_parameter_shape_is_supplied_by_input_shape() -> None:
    source = (f"{KERAS}def build(input_shape):\n    inp = Input(input_shape)\n"
              "    x = layers.Conv2D(4, 3)(inp)\n    x = layers.Flatten()(x)\n"
              "    return Model(inp, layers.Dense(2)(x))\n")
    assert _answer(source, input_shape=(5, 5, 2))[0] == (9 * 2 + 1) * 4 + (36 + 1) * 2


@pytest.mark.parametrize("body", [
    # each builds Conv2D(8, 3) on 8×8×1, Conv2D(8, 3) twice more, Flatten, Dense(10)
    "blocks = [layers.Conv2D(8, 3, input_shape=(8, 8, 1)), layers.Conv2D(8, 3),\n"
    "          layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10)]\n"
    "model = Sequential(blocks)\n",
    "blocks = [layers.Conv2D(8, 3, input_shape=(8, 8, 1))]\nfor i in range(2):\n"
    "    blocks.append(layers.Conv2D(8, 3))\nblocks += [layers.Flatten()]\n"
    "blocks.extend([layers.Dense(10)])\nmodel = Sequential(blocks)\n",
    "first = [layers.InputLayer(input_shape=(8, 8, 1))]\n"
    "convs = [layers.Conv2D(8, 3) for _ in range(3)]\n"
    "model = Sequential(first + convs + [layers.Flatten(), layers.Dense(10)])\n",
    "sizes = (8, 8, 8)\nmodel = Sequential(layers=[layers.Input((8, 8, 1))]\n"
    "    + [layers.Conv2D(f, 3) for f in sizes] + [layers.Flatten(), layers.Dense(10)])\n",
], ids=["literal", "append-in-loop", "comprehension", "comprehension-over-tuple"])
def test_sequential_of_a_list_of_layers(body: str) -> None:
    answer, _ = _answer(KERAS + body)
    assert answer == 80 + 584 + 584 + (2 * 2 * 8 + 1) * 10


def test_a_comprehension_variable_does_not_leak() -> None:
    source = (KERAS + "f = 4\nconvs = [layers.Conv2D(f, 3) for f in (2, 3)]\n"
              "model = Sequential([layers.Input((8, 8, 1)), *convs, layers.Conv2D(f, 1)])\n")
    with pytest.raises(ConfigError):  # *convs is not followed inside a literal ...
        read_code(source)
    source = source.replace("[layers.Input((8, 8, 1)), *convs, layers.Conv2D(f, 1)]",
                            "[layers.Input((8, 8, 1))] + convs + [layers.Conv2D(f, 1)]")
    assert _answer(source)[0] == (9 + 1) * 2 + (18 + 1) * 3 + (3 + 1) * 4  # ... f is 4 again


@pytest.mark.parametrize(("body", "line", "fragment"), [
    ("blocks = make_blocks()\nmodel = Sequential(blocks)\n", 3, "blocks is not a list of layers"),
    ("blocks = []\nfor i in range(n):\n    blocks.append(layers.Dense(4))\n"
     "model = Sequential(blocks)\n", 4, "not constants"),
    ("names = []\nnames.append('a')\nmodel = Sequential(names)\n", 4,
     "names is not a list of layers"),
], ids=["call", "loop-over-unknown", "list-of-strings"])
def test_a_list_that_cannot_be_followed_is_refused(body: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(KERAS + body)
    assert str(info.value).startswith(f"line {line}:") and fragment in str(info.value)


def test_a_torch_builder_called_once_is_read_with_its_arguments() -> None:
    source = ("import torch.nn as nn\ndef conv_net(channels, n_classes):\n"
              "    return nn.Sequential(nn.Conv2d(channels, 8, 3), nn.AdaptiveAvgPool2d(1),\n"
              "                         nn.Flatten(), nn.Linear(8, n_classes))\n"
              "model = conv_net(3, n_classes=5)\n")
    answer, notes = _answer(source)
    assert answer == (27 + 1) * 8 + (8 + 1) * 5
    assert "conv_net() read with the arguments of its call conv_net(3, n_classes=5)" in notes


def test_a_torch_helper_used_by_a_class_is_no_model_of_its_own() -> None:
    source = ("import torch.nn as nn\ndef block(cin, cout):\n"
              "    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())\n"
              "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.b = block(3, 4)\n        self.fc = nn.Linear(4 * 8 * 8, 2)\n"
              "    def forward(self, x):\n        return self.fc(self.b(x).flatten(1))\n"
              "net = Net()\nextra = block(4, 4)\n")
    answer, _ = _answer(source, input_shape=(8, 8, 3), model="Net")
    assert answer == (27 + 1) * 4 + (256 + 1) * 2
