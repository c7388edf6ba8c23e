"""Errors that lead to the fix (issue 13.5): a refusal names the line, the construct and what
to write instead, and it is true (a missing import is no reason for the other framework's
advice); a missing import alone is read through, with a note."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import read_code
from generator.network import solve
from generator.spec import load_spec

NO_IMPORT_TORCH = "model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))\n"
BARE_TORCH = "import torch\nmodel = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))\n"
NO_IMPORT_KERAS = "model = Sequential()\nmodel.add(Dense(3, input_dim=4))\nmodel.add(Dense(2))\n"
# all three: (4 + 1)·3 + (3 + 1)·2 = 23


@pytest.mark.parametrize(("source", "framework", "note"), [
    (NO_IMPORT_TORCH, "torch", "import torch.nn as nn is missing"),
    (BARE_TORCH, "torch", ""),
    (NO_IMPORT_KERAS, "keras", "read as Keras by its layer names"),
], ids=["torch-no-import", "torch-bare-names", "keras-no-import"])
def test_a_missing_import_is_read_through_with_a_note(source: str, framework: str,
                                                      note: str) -> None:
    code = read_code(source, input_shape=(4,) if framework == "torch" else None)
    assert code.framework == framework
    assert solve(load_spec(code.spec)).answer == 23
    assert note in " / ".join(what for _, what in code.notes)
    assert "list literal" not in str(code.notes)


@pytest.mark.parametrize(("source", "fragments"), [
    ("import torch\nx = torch.zeros(3)\n",
     ["no model found", "Looked for a Keras Sequential", "PyTorch nn.Module subclass",
      "Seen: imports of torch; no classes; no functions; no layer calls"]),
    ("from keras.layers import Dense\nd = Dense(3)\n",
     ["no model found", "layer calls outside any model: Dense (line 2)"]),
    ("import torch.nn as nn\nclass Helper:\n    pass\n",
     ["no model found", "classes Helper (line 2)"]),
], ids=["torch-tensors-only", "keras-loose-layer", "plain-class"])
def test_no_model_says_what_was_looked_for_and_seen(source: str, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(("source", "shape", "fragments"), [
    # line, construct, what to write
    ("from keras import layers, Sequential\nmodel = Sequential([layers.Conv2D(8, 3, 3, "
     "input_shape=(28, 28, 1))])\n", None,
     ["line 2:", "Conv2D(8, 3, 3", "Write Conv2D(8, (3, 3))"]),
    ("from keras import layers, Sequential\nmodel = Sequential([layers.Dense(n, input_dim=4)])\n",
     None, ["line 2:", "units=n is not a constant", "replace it by a number"]),
    ("from keras import layers, Sequential\nmodel = Sequential([layers.Dense(2, input_dim=n)])\n",
     None, ["line 2:", "input_dim=n", "--input-shape"]),
    ("import torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Linear(8, 2))\n",
     (8, 8, 3), ["line 2:", "nn.Linear(8, 2)", "Flatten first"]),
])
def test_refusals_name_line_construct_and_fix(source: str, shape: tuple[int, ...] | None,
                                              fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source, input_shape=shape)
    for fragment in fragments:
        assert fragment in str(info.value)
