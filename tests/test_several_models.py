"""A file with several models is never answered silently for one of them (issue 13.3).

Each case lists the models the importer must name, and the count it gives for each when
chosen with ``model=`` (by name or by line); the counts are worked out in the comments.
"""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import import_source
from generator.network import solve
from generator.spec import load_spec

KERAS_TWO = """
from tensorflow import keras
from tensorflow.keras import layers

def build_small():
    model = keras.Sequential([layers.Dense(4, input_shape=(3,))])
    return model

model = keras.Sequential([
    layers.Dense(8, input_shape=(3,)),
    layers.Dense(2),
])
"""
# build_small (never called): (3 + 1)·4 = 16; model: (3 + 1)·8 + (8 + 1)·2 = 50

KERAS_REBOUND = """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential()
model.add(Dense(4, input_dim=3))
model = Sequential()
model.add(Dense(2, input_dim=3))
"""
# line 4: (3 + 1)·4 = 16; line 6: (3 + 1)·2 = 8

KERAS_AUTOENCODER = """
import keras
from keras import layers
inp = keras.Input(shape=(8,))
code = layers.Dense(2)(inp)
encoder = keras.Model(inp, code)
out = layers.Dense(8)(code)
autoencoder = keras.Model(inp, out)
"""
# encoder (8 + 1)·2 = 18; autoencoder 18 + (2 + 1)·8 = 42

TORCH_THREE = """
import torch.nn as nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)

def make_head():
    return nn.Sequential(nn.Linear(4, 3))

baseline = nn.Sequential(nn.Linear(4, 1))
"""
# Block (4 + 1)·4 = 20, Net (4 + 1)·2 = 10, make_head (4 + 1)·3 = 15, baseline 5

TORCH_PART = """
import torch.nn as nn

features = nn.Sequential(nn.Linear(4, 4))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = features
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.features(x))
"""
# features is a part of Net: one model, (4 + 1)·4 + (4 + 1)·2 = 30


@pytest.mark.parametrize(("source", "shape", "models"), [
    (KERAS_TWO, None, {"build_small": 16, "model": 50}),
    (KERAS_REBOUND, None, {"4": 16, "6": 8}),
    (KERAS_AUTOENCODER, None, {"encoder": 18, "autoencoder": 42}),
    (TORCH_THREE, (4,), {"Block": 20, "Net": 10, "make_head": 15, "baseline": 5}),
], ids=["keras-uncalled-function", "keras-rebound-name", "keras-autoencoder", "torch-three"])
def test_several_models_are_listed_and_chosen(source: str, shape: tuple[int, ...] | None,
                                              models: dict[str, int]) -> None:
    with pytest.raises(ConfigError) as info:
        import_source(source, input_shape=shape)
    message = str(info.value)
    assert f"defines {len(models)} models" in message and "--model" in message
    for name, total in models.items():
        assert (f"line {name}" if name.isdigit() else f"'{name}' (line ") in message
        spec = import_source(source, input_shape=shape, model=name)
        assert solve(load_spec(spec)).answer == total


def test_a_part_of_a_model_is_not_a_model() -> None:
    assert solve(load_spec(import_source(TORCH_PART, input_shape=(4,)))).answer == 30


@pytest.mark.parametrize(("model", "fragments"), [
    ("Nett", ["no model of that name or line", "Did you mean 'Net'?"]),
    ("99", ["no model of that name or line", "'baseline' (line 23"]),
])
def test_an_unknown_model_name_is_refused(model: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        import_source(TORCH_THREE, input_shape=(4,), model=model)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_name_given_twice_asks_for_the_line() -> None:
    with pytest.raises(ConfigError, match="give the line instead: --model 4 or 6"):
        import_source(KERAS_REBOUND.replace("model = Sequential()\nmodel.add(Dense(2",
                                            "model = Sequential()\nmodel.add(Dense(2"),
                      model="model")


def test_cli_solve_and_lint_take_model(tmp_path) -> None:
    from click.testing import CliRunner

    from cnnquiz.cli import main

    path = tmp_path / "two.py"
    path.write_text(KERAS_TWO, encoding="utf-8")
    refused = CliRunner().invoke(main, ["solve", str(path)])
    assert refused.exit_code == 2 and "choose it with --model NAME" in refused.stderr
    chosen = CliRunner().invoke(main, ["solve", str(path), "--model", "build_small"])
    assert chosen.exit_code == 0 and "Total params: 16" in chosen.stdout
    linted = CliRunner().invoke(main, ["lint", str(path), "--model", "model", "--format", "json"])
    assert linted.exit_code == 0 and '"answer": 50' in linted.stdout
