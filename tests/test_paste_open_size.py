"""Code that leaves the input size open (issue 13): counted only where the count cannot
depend on it, with the assumed size said (text: ASSUMED line; JSON: input_assumed); else
refused with what to pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.errors import ConfigError
from generator.importers import read_code
from generator.network import solve
from generator.spec import load_spec

K = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
GAP = ("inputs = keras.Input(shape=(None, None, 3))\n"
       "x = layers.Conv2D(32, 3, activation='relu')(inputs)\n"
       "x = layers.MaxPooling2D()(x)\n"
       "x = layers.Conv2D(64, 3, activation='relu')(x)\n"
       "x = layers.GlobalAveragePooling2D()(x)\n"
       "model = keras.Model(inputs, layers.Dense(10)(x))\n")
GAP_COUNT = (27 + 1) * 32 + (288 + 1) * 64 + (64 + 1) * 10  # 19,786 at every size


@pytest.mark.parametrize(("source", "count", "shape"), [
    (K + GAP, GAP_COUNT, [32, 32, 3]),
    (K + "model = keras.Sequential([\n"
         "    layers.Conv2D(8, 3, input_shape=(None, None, 1)),\n"
         "    layers.GlobalMaxPooling2D(),\n"
         "    layers.Dense(2),\n])\n", (9 + 1) * 8 + (8 + 1) * 2, [32, 32, 1]),
    (K + "model = keras.Sequential([layers.Conv1D(4, 5, input_shape=(None, 2)),\n"
         "    layers.GlobalAveragePooling1D(), layers.Dense(1)])\n", (10 + 1) * 4 + 5, [32, 2]),
], ids=["functional-gap", "sequential-gmp", "conv1d"])
def test_open_spatial_axes_are_counted_where_the_count_cannot_depend_on_them(
        source: str, count: int, shape: list[int]) -> None:
    code = read_code(source)
    assert solve(load_spec(code.spec)).answer == count
    assert code.assumed_input == tuple(shape)
    assert any("open; the count does not depend on it" in w for _, w in code.notes)


@pytest.mark.parametrize(("source", "line", "said"), [
    (K + "inputs = keras.Input(shape=(None, None, 3))\nx = layers.Conv2D(4, 3)(inputs)\n"
         "model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))\n", 5,
     ["(None, None, 3)", "depends on it", "Flatten", "--input-shape HxWx3"]),
    (K + "model = keras.Sequential()\nmodel.add(layers.Conv2D(32, 3))\n"
         "model.add(layers.GlobalAveragePooling2D())\nmodel.add(layers.Dense(10))\n", 3,
     ["gives no input shape", "input channels C only", "--input-shape 32x32x3",
      "input_shape=(H, W, C)"]),
    (K + "model = keras.Sequential()\nmodel.add(layers.Conv2D(32, 3))\n"
         "model.add(layers.Flatten())\nmodel.add(layers.Dense(10))\n", 3,
     ["gives no input shape", "input_shape=(H, W, C)", "--input-shape HxWxC"]),
    (K + "model = keras.Sequential([layers.Dense(10), layers.Dense(2)])\n", 3,
     ["gives no input shape", "--input-shape HxWxC"]),
], ids=["open-flatten", "no-shape-gap", "no-shape-flatten", "no-shape-dense"])
def test_a_count_that_depends_on_what_is_unknown_is_refused(source: str, line: int,
                                                            said: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source)
    message = str(info.value)
    assert message.startswith(f"line {line}:"), message
    for fragment in said:
        assert fragment in message, message
    if "Flatten" in source:
        assert "channels C only" not in message


def test_a_size_solved_from_the_layer_sizes_is_not_called_assumed() -> None:
    torch = "import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), "
    solved = read_code(torch + "nn.Linear(4 * 26 * 26, 10))\n")
    assert solved.assumed_input is None
    assert any("the only square size at which every layer fits" in w for _, w in solved.notes)
    pooled = read_code(torch.replace("nn.Flatten()", "nn.MaxPool2d(2), nn.Flatten()")
                       + "nn.Linear(4 * 13 * 13, 10))\n")  # 26 and 27 pool to 13: 28 and 29 fit
    assert pooled.assumed_input == (28, 28, 1)
    assert any("square sizes 28 to 29 fit; the shapes shown assume 28" in w
               for _, w in pooled.notes)


def test_the_cli_marks_an_assumed_input_in_text_and_json(tmp_path: Path) -> None:
    path = tmp_path / "net.py"
    path.write_text(K + GAP, encoding="utf-8")
    text = CliRunner().invoke(main, ["solve", str(path)])
    assert text.exit_code == 0
    assert "ASSUMED: the code leaves the input size open: every shape below is for an " \
           "assumed 32×32×3 input; the parameter count does not depend on it." in text.stdout
    out = CliRunner().invoke(main, ["solve", str(path), "--format", "json"])
    data = json.loads(out.stdout)
    assert data["input_assumed"]["shape"] == [32, 32, 3] and data["answer"] == GAP_COUNT
    given = CliRunner().invoke(main, ["solve", str(path), "--format", "json",
                                      "--input-shape", "64x64x3"])
    assert json.loads(given.stdout)["input_assumed"] is None


def test_a_subclassed_keras_model_with_weights_of_its_own_is_refused() -> None:
    source = K + ("class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
                  "        self.d = layers.Dense(2)\n    def build(self, shape):\n"
                  "        self.w = self.add_weight(shape=(3, 3))\n    def call(self, x):\n"
                  "        return self.d(x) * self.w\nmodel = Net()\nmodel.build((None, 3))\n")
    with pytest.raises(ConfigError, match="subclasses a Keras Model"):
        read_code(source)
