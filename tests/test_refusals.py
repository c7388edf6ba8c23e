"""Every refusal of pasted code names the line, the construct and what to write instead, and
is true (issue 13.5): one row per refusal, with the line it must name and the advice it
must give; a row may also list words the message must not contain (advice for the other
framework, for instance).
"""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import read_code

K = "from tensorflow.keras import layers, Sequential, Model, Input\n"
T = "import torch.nn as nn\n"

# (id, source, input shape, line, fragments that must appear, fragments that must not)
REFUSALS = [
    ("keras-subclass-no-shape", "import keras\nfrom keras import layers\nclass Net(keras.Model):\n"
     "    def __init__(self):\n        super().__init__()\n        self.c = layers.Conv2D(4, 3)\n"
     "        self.f = layers.Flatten()\n        self.d = layers.Dense(2)\n"
     "    def call(self, x):\n        return self.d(self.f(self.c(x)))\nmodel = Net()\n", None, 3,
     ["'Net' gives no input shape", "model.build((None, H, W, C))", "--input-shape HxWxC"],
     ["does not follow"]),
    ("torch-squeeze-not-pooled", T + "class Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.c = nn.Conv2d(3, 4, 3)\n"
     "        self.f = nn.Linear(4, 2)\n    def forward(self, x):\n"
     "        return self.f(self.c(x).squeeze())\n", (8, 8, 3), 8,
     ["self.c(x).squeeze()", "right after a pooling to 1×1", "torch.flatten(x, 1)"], []),
    ("keras-pretrained-base", "import tensorflow as tf\nbase = tf.keras.applications.MobileNetV2("
     "include_top=False)\nm = tf.keras.Sequential([base, tf.keras.layers.Dense(1)])\n", None, 2,
     ["tensorflow.keras.applications.MobileNetV2", "defined in a library", "YAML spec",
      "keras.Input(shape="], ["not a layer call"]),
    ("torch-pretrained-backbone", T + "from torchvision import models\nclass Net(nn.Module):\n"
     "    def __init__(self):\n        super().__init__()\n"
     "        self.b = models.resnet18(weights=None)\n    def forward(self, x):\n"
     "        return self.b(x)\n", None, 6,
     ["torchvision.models.resnet18", "defined in a library", "nn.Sequential of the head"],
     ["__init__ does not define"]),
    ("keras-undefined-filters", K + "m = Sequential([layers.Conv2D(nf, 3, input_shape=(8, 8, 1))])\n",
     None, 2, ["Conv2D(nf, 3", "filters=nf", "nf is never defined", "replace it by a number"], []),
    ("keras-undefined-units", K + "m = Sequential([layers.Dense(n_out, input_dim=4)])\n",
     None, 2, ["units=n_out", "n_out is never defined", "replace it by a number"], []),
    ("keras-undefined-shape", K + "m = Sequential([layers.Dense(2, input_shape=(S, S, 3))])\n",
     None, 2, ["input_shape=(S, S, 3)", "S is never defined", "--input-shape HxWxC"], []),
    ("keras-parameter-shape", K + "def build(shape):\n    i = Input(shape)\n"
     "    return Model(i, layers.Dense(2)(i))\n", None, 3,
     ["shape=shape", "a parameter of build() (line 2) with no default", "--input-shape"], []),
    ("keras-runtime-shape", K + "import numpy as np\nx = np.zeros((9, 8, 8, 1))\n"
     "m = Sequential([layers.Dense(2, input_shape=x.shape[1:])])\n", None, 4,
     ["input_shape=x.shape[1:]", "computed when the code runs", "--input-shape"], []),
    ("keras-no-shape", K + "m = Sequential([layers.Dense(2)])\n", None, 2,
     ["gives no input shape", "input_shape=(H, W, C)", "--input-shape HxWxC"], []),
    ("keras-ambiguous-kernel", K + "m = Sequential([layers.Conv2D(8, 3, 3, input_shape=(9, 9, 1))])\n",
     None, 2, ["is ambiguous", "Write Conv2D(8, (3, 3))", "Conv2D(8, 3, strides=3)"], []),
    ("keras-missing-filters", K + "m = Sequential([layers.Conv2D(kernel_size=3, input_shape=(9, 9, 1))])\n",
     None, 2, ["number of filters is missing", "e.g. Conv2D(32, 3)"], []),
    ("keras-missing-units", K + "m = Sequential([layers.Dense(input_dim=3)])\n", None, 2,
     ["number of units is missing", "Dense(10)"], []),
    ("keras-unknown-option", K + "m = Sequential([layers.Dense(2, input_dim=3, unitz=4)])\n",
     None, 2, ["unknown option 'unitz'", "Did you mean 'units'?"], []),
    ("keras-unknown-layer", K + "m = Sequential([layers.Conv2d(8, 3, input_shape=(9, 9, 1))])\n",
     None, 2, ["unknown layer class Conv2d", "Did you mean 'Conv2D'?"], []),
    ("keras-lambda", K + "m = Sequential([layers.Dense(2, input_dim=3), layers.Lambda(f)])\n",
     None, 2, ["Lambda", "replace it by standard layers"], []),
    ("keras-list-from-call", K + "blocks = make()\nm = Sequential(blocks)\n", None, 3,
     ["blocks is not a list of layers", "Write the layers in the list"], []),
    ("keras-loop-unknown", K + "m = Sequential()\nfor i in range(n):\n    m.add(layers.Dense(4))\n",
     None, 4, ["not constants", "Unroll it"], []),
    ("keras-subclassed", K + "class Net(Model):\n    def call(self, x):\n        return x\n",
     None, 2, ["subclasses a Keras Model", "Write the model as a Sequential or functional"], []),
    ("keras-two-models", K + "a = Sequential([layers.Dense(2, input_dim=3)])\n"
     "b = Sequential([layers.Dense(3, input_dim=3)])\n", None, None,
     ["defines 2 models", "'a' (line 2", "'b' (line 3", "--model"], []),
    ("keras-not-a-layer", K + "m = Sequential()\nm.add(42)\n", None, 3,
     ["42 is not a layer call", "model.add(Dense(10))"], []),
    ("torch-undefined-out", T + "net = nn.Sequential(nn.Linear(4, n_classes))\n", (4,), 2,
     ["out_features=n_classes", "n_classes is never defined", "replace it by a number"], []),
    ("torch-no-input-size", T + "net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(),\n"
     "    nn.Linear(8 * 7 * 5, 2))\n", None, 2,
     ["gives no input size", "--input-shape", "C = 3"], []),
    ("torch-lazy-no-input-size", T + "net = nn.Sequential(nn.Flatten(), nn.LazyLinear(2))\n",
     None, 2, ["gives no input size", "--input-shape"], []),
    ("torch-channels-mismatch", T + "net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(4, 8, 3))\n",
     (9, 9, 3), 2, ["nn.Conv2d(4, 8, 3)", "in_channels=4", "8 channels"], []),
    ("torch-missing-import", "net = nn.Sequential(nn.Linear(4, n))\n", (4,), 1,
     ["out_features=n", "replace it by a number"],
     ["list literal", "Keras", "Sequential([...])"]),
    ("torch-missing-import-no-model", "x = nn.Linear(4, 2)\n", (4,), None,
     ["no model found", "PyTorch nn.Module subclass or nn.Sequential", "Linear (line 1)"],
     ["list literal"]),
    ("torch-builder-never-called", T + "def make_model(num_classes):\n"
     "    return nn.Sequential(nn.Linear(64, 32), nn.Linear(32, num_classes))\n", None, None,
     ["no model found", "make_model() (line 2) builds a model but takes num_classes with no "
      "default and is never called", "model = make_model(...)"], []),
    ("torch-forward-unknown-call", T + "class Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n"
     "    def forward(self, x):\n        return self.fc(mystery(x))\n", (4,), 7,
     ["mystery"], []),
    ("torch-unused-layer", T + "class Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.fc = nn.Linear(4, 2)\n        self.extra = "
     "nn.Linear(2, 2)\n    def forward(self, x):\n        return self.fc(x)\n", (4,), 6,
     ["self.extra is defined in __init__ but never called in forward"], []),
    ("syntax", K + "m = Sequential([layers.Dense(2 input_dim=3)])\n", None, 2,
     ["not valid Python", "forgot a comma", "`m = Sequential([layers.Dense(2 input_dim=3)])`",
      "column 30", "Fix the syntax"], []),
    ("two-readings-bracket", K + "m = Model(inputs, layers.Dense(10)(x)\n", None, 2,
     ["two places", "Model(inputs, layers.Dense(10))(x)", "Model(inputs, layers.Dense(10)(x))"],
     []),
    ("two-readings-times", T + "IMG = 28×28\n", (4,), 2, ["two ways", "shape", "product"], []),
    ("too-many-calls", K + "m = Sequential([\n" + "    layers.Dense(4),\n" * 9000 + "])\n",
     None, 8002, ["more than 8,000 calls by this line", "Paste only the model definition"], []),
    ("too-many-unrolled-layers", K + "m = Sequential([layers.Input((4,))])\nfor i in range(900):\n"
     "    m.add(layers.Dense(4))\n    m.add(layers.Dense(4))\n    m.add(layers.Dense(4))\n",
     None, 4, ["more than 2,500 layer calls are read by here", "smaller loop bounds"], []),
    ("torch-too-many-unrolled", T + "class Net(nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n"
     "        self.body = nn.Sequential(*[nn.Linear(4, 4) for _ in range(3000)])\n"
     "    def forward(self, x):\n        return self.body(x)\n", (4,), 5, ["more than 2,500 layer calls", "smaller loop bounds"], []),
]


@pytest.mark.parametrize(("source", "shape", "line", "present", "absent"),
                         [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_a_refusal_names_the_line_and_what_to_write(source: str, shape: tuple[int, ...] | None,
                                                    line: int | None, present: list[str],
                                                    absent: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        read_code(source, input_shape=shape)
    message = str(info.value)
    if line is not None:
        assert message.startswith(f"line {line}:"), message
    for fragment in present:
        assert fragment in message, message
    for fragment in absent:
        assert fragment not in message, message


def test_the_table_covers_both_frameworks_and_the_repair_step() -> None:
    ids = [r[0] for r in REFUSALS]
    assert sum(i.startswith("keras") for i in ids) >= 10
    assert sum(i.startswith("torch") for i in ids) >= 6
    assert any(i.startswith("two-readings") for i in ids)
