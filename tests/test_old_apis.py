"""Old and odd Keras APIs (issue 13.4), read as the Keras of their era would.

Counts by hand: conv (k_h·k_w·C_in + 1)·C_out, dense (n_in + 1)·n_out, Keras batch norm
4·C (γ, β, moving mean and variance).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.errors import ConfigError
from generator.importers import read_code
from generator.network import solve
from generator.spec import load_spec

HEAD = "from keras.models import Sequential\nfrom keras.layers import *\n"


@pytest.mark.parametrize(("body", "answer", "note"), [
    # activation as the second positional argument (Keras 2/3): (4 + 1)·10 = 50
    ("model = Sequential([Dense(10, 'relu', input_shape=(4,))])\n", 50, ""),
    # Keras 0 Dense(input_dim, output_dim): (784 + 1)·32 + (32 + 1)·10 = 25,450
    ("model = Sequential()\nmodel.add(Dense(784, 32))\nmodel.add(Dense(32, 10))\n", 25_450, ""),
    # per-layer data_format='channels_first': input (1, 28, 28) is C, H, W -> 28×28×1;
    # conv (9 + 1)·4 = 40 -> 26×26×4 = 2,704; dense (2,704 + 1)·2 = 5,410; total 5,450
    ("model = Sequential([Conv2D(4, 3, data_format='channels_first', input_shape=(1, 28, 28)),"
     " Flatten(), Dense(2)])\n", 5_450, "read as C, H, W"),
    # Keras 1 dim_ordering='th' with BatchNormalization(axis=1): conv (27 + 1)·8 = 224,
    # BN 4·8 = 32, pool -> 8×8×8 = 512, dense (512 + 1)·2 = 1,026; total 1,282
    ("model = Sequential()\nmodel.add(Convolution2D(8, 3, 3, border_mode='same', "
     "dim_ordering='th', input_shape=(3, 16, 16)))\nmodel.add(BatchNormalization(axis=1))\n"
     "model.add(MaxPooling2D((2, 2), dim_ordering='th'))\nmodel.add(Flatten())\n"
     "model.add(Dense(2))\n", 1_282, "channels first"),
], ids=["dense-positional-activation", "keras0-dense", "data-format-first", "keras1-th-bn"])
def test_old_spellings_are_read(body: str, answer: int, note: str) -> None:
    code = read_code(HEAD + body)
    assert solve(load_spec(code.spec)).answer == answer
    assert note in " / ".join(what for _, what in code.notes)


def test_keras0_convolution_states_its_input_channels() -> None:
    # Convolution2D(nb_filter, stack_size, nb_row, nb_col): (3·3·3 + 1)·6 = 168
    code = read_code(HEAD + "model = Sequential()\nmodel.add(Convolution2D(6, 3, 3, 3))\n",
                     input_shape=(10, 10, 3))
    assert solve(load_spec(code.spec)).answer == 168
    with pytest.raises(ConfigError, match="in_channels=3, but its input has 1 channels"):
        read_code(HEAD + "model = Sequential()\nmodel.add(Convolution2D(6, 3, 3, 3))\n",
                  input_shape=(10, 10, 1))


def test_both_channel_orders_in_one_file_are_refused() -> None:
    with pytest.raises(ConfigError, match="line 3:.*channels-first, but line 4"):
        read_code(HEAD + "K.set_image_data_format('channels_first')\n"
                  "model = Sequential([Conv2D(4, 3, data_format='channels_last', "
                  "input_shape=(8, 8, 1))])\n")


ERA_UNCLEAR = HEAD + """model = Sequential()
model.add(Convolution2D(16, 3, 3, input_shape=(3, 32, 32)))
model.add(Flatten())
model.add(Dense(10))
"""
# as written (3×32 pixels, 32 channels): (9·32 + 1)·16 = 4,624 -> 1×30×16 = 480 -> 4,810;
# total 9,434. Channels first (32×32×3): 448 -> 30×30×16 = 14,400 -> 144,010; total 144,458


def test_an_unclear_era_is_read_as_written_and_lint_reports_both(tmp_path) -> None:
    code = read_code(ERA_UNCLEAR)
    assert solve(load_spec(code.spec)).answer == 9_434
    assert [n for _, n in code.readings] == [9_434, 144_458]
    path = tmp_path / "era.py"
    path.write_text(ERA_UNCLEAR, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)["ambiguities"]
    assert [(a["convention"], [o["answer"] for o in a["alternatives"]]) for a in found] == [
        ("channel order", [9_434, 144_458])]


def test_lint_says_the_two_channel_readings_and_how_to_state_each(tmp_path) -> None:
    path = tmp_path / "era.py"
    path.write_text(ERA_UNCLEAR, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    for fragment in ("input_shape=(3, 32, 32) is 3×32 pixels with 32 channels",
                     "(Keras 2 and 3 read it as H, W, C): 9,434 parameters",
                     "a 32×32 image with 3 channels (C, H, W): 144,458 parameters",
                     "data_format='channels_first'", "--input-shape 32x32x3"):
        assert fragment in text, text
    assert "conventions:" not in text  # the spec advice does not fit code
    for fix in (["--input-shape", "32x32x3"], []):  # each way of stating it gives one reading
        stated = ERA_UNCLEAR if fix else ERA_UNCLEAR.replace(
            "input_shape=(3, 32, 32)", "input_shape=(3, 32, 32), data_format='channels_first'")
        path.write_text(stated, encoding="utf-8")
        result = CliRunner().invoke(main, ["solve", str(path), "--format", "json", *fix])
        assert json.loads(result.stdout)["answer"] == 144_458


def test_a_stated_order_leaves_one_reading() -> None:
    code = read_code(ERA_UNCLEAR.replace("input_shape=(3, 32, 32)",
                                         "input_shape=(3, 32, 32), dim_ordering='th'"))
    assert code.readings == () and solve(load_spec(code.spec)).answer == 144_458
