"""Importers that follow real Keras code into graphs: merges, helper functions, loops, several
inputs and outputs. The same sources are built in Keras in tests/frameworks/test_graph_importers_frameworks.py."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.importers import import_source
from generator.network import solve
from generator.spec import load_spec

HEAD = "import keras\nfrom keras import layers\n"

#: (id, source, Keras's model.count_params())
KERAS_GRAPHS = [
    ("residual-add", HEAD + """
inputs = keras.Input(shape=(32, 32, 3))
a = layers.Conv2D(8, 3, padding="same")(inputs)
b = layers.Conv2D(8, 3, padding="same")(inputs)
x = layers.Add()([a, b])
model = keras.Model(inputs, x)
""", 2 * (27 + 1) * 8),
    ("inline-plus-and-augmented", HEAD + """
inputs = keras.Input(shape=(8, 8, 4))
x = layers.Conv2D(4, 3, padding="same")(inputs)
x = x + inputs
y = layers.Conv2D(4, 1)(x)
y += x
model = keras.Model(inputs=inputs, outputs=y)
""", (36 + 1) * 4 + (4 + 1) * 4),
    ("two-outputs", HEAD + """
inputs = keras.Input(shape=(8,))
a = layers.Dense(4)(inputs)
b = layers.Dense(2)(a)
model = keras.Model(inputs=inputs, outputs=[a, b])
""", 9 * 4 + 5 * 2),
    ("two-inputs-concatenate", HEAD + """
image = keras.Input(shape=(16, 16, 1))
meta = keras.Input(shape=(5,))
x = layers.Conv2D(4, 3)(image)
x = layers.GlobalAveragePooling2D()(x)
x = layers.concatenate([x, layers.Dense(3)(meta)])
out = layers.Dense(2, activation="softmax")(x)
model = keras.Model([image, meta], out)
""", (9 + 1) * 4 + 6 * 3 + 8 * 2),
    ("helper-blocks-loops", HEAD + """
WIDTH = 16
STAGES = (WIDTH, WIDTH * 2)


def conv_bn(x, filters, kernel=3, stride=1):
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False)(x)
    return layers.BatchNormalization()(x)


def res_block(x, filters, stride=1):
    shortcut = x
    y = layers.ReLU()(conv_bn(x, filters, stride=stride))
    y = conv_bn(y, filters)
    if stride != 1:
        shortcut = conv_bn(x, filters, kernel=1, stride=stride)
    return layers.ReLU()(layers.add([y, shortcut]))


inputs = keras.Input(shape=(32, 32, 3))
x = conv_bn(inputs, WIDTH)
for i, filters in enumerate(STAGES):
    for j in range(2):
        x = res_block(x, filters, stride=2 if i > 0 and j == 0 else 1)
branch_a = layers.Conv2D(8, 1)(x)
branch_b = layers.MaxPooling2D(3, strides=1, padding="same")(x)
x = layers.Concatenate(axis=-1)([branch_a, branch_b])
x = layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, layers.Dense(10)(x))
""", 44_050),
    ("shared-layer-across-branches", HEAD + """
left = keras.Input(shape=(10,))
right = keras.Input(shape=(10,))
encode = layers.Dense(6)
merged = layers.subtract([encode(left), encode(right)])
model = keras.Model(inputs=[left, right], outputs=layers.Dense(1)(merged))
""", 11 * 6 + 7),
    ("sequential-add-in-a-loop", HEAD + """
model = keras.Sequential([keras.Input(shape=(32, 32, 3))])
for f in (32, 64):
    model.add(layers.Conv2D(f, 3))
""", (27 + 1) * 32 + (288 + 1) * 64),
    ("new-layers", HEAD + """
inputs = keras.Input(shape=(16, 16, 3))
x = layers.Conv2D(8, 3, padding="same")(inputs)
x = layers.UpSampling2D()(x)
x = layers.Cropping2D(((1, 1), (2, 0)))(x)
x = layers.LayerNormalization()(x)
x = layers.GroupNormalization(groups=4)(x)
x = layers.PReLU(shared_axes=[1, 2])(x)
x = layers.Reshape((-1, 8))(x)
model = keras.Model(inputs, layers.Permute((2, 1))(x))
""", (27 + 1) * 8 + 16 + 16 + 8),
    ("embedding", HEAD + """
tokens = keras.Input(shape=(20,))
x = layers.Embedding(1000, 16)(tokens)
model = keras.Model(tokens, layers.Dense(2)(layers.Flatten()(x)))
""", 16_000 + 321 * 2),
    ("unet-skip", HEAD + """
inputs = keras.Input(shape=(16, 16, 1))
c1 = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
p1 = layers.MaxPooling2D()(c1)
c2 = layers.Conv2D(16, 3, padding="same", activation="relu")(p1)
u1 = layers.Conv2DTranspose(8, 2, strides=2, padding="same")(c2)
m1 = layers.concatenate([u1, c1])
c3 = layers.Conv2D(8, 3, padding="same", activation="relu")(m1)
model = keras.Model(inputs, layers.Conv2D(1, 1, activation="sigmoid")(c3))
""", (9 + 1) * 8 + (72 + 1) * 16 + (4 * 16 + 1) * 8 + (9 * 16 + 1) * 8 + 9),
]


@pytest.mark.parametrize(("source", "count"), [c[1:] for c in KERAS_GRAPHS],
                         ids=[c[0] for c in KERAS_GRAPHS])
def test_keras_graphs_count_as_keras(source: str, count: int) -> None:
    sol = solve(load_spec(import_source(source)))
    assert sol.total == count


def test_graph_spec_names_inputs_and_outputs() -> None:
    spec = import_source(KERAS_GRAPHS[3][1])
    assert [i["name"] for i in spec["inputs"]] == ["input", "input_1"]
    assert spec["outputs"] == ["dense_1"]
    cat = next(e for e in spec["layers"] if e["type"] == "concatenate")
    assert cat["inputs"] == ["global_average_pooling2d", "dense"]


def test_a_chain_written_functionally_stays_a_chain() -> None:
    spec = import_source(HEAD + """
inputs = keras.Input(shape=(8, 8, 1))
x = layers.Conv2D(2, 3)(inputs)
model = keras.Model(inputs, layers.Flatten()(x))
""")
    assert "inputs" not in spec and all("inputs" not in e for e in spec["layers"])


def test_unrolled_loops_are_capped_with_the_line() -> None:
    with pytest.raises(ConfigError) as info:
        import_source(HEAD + """
inputs = keras.Input(shape=(8,))
x = inputs
for i in range(5000):
    x = layers.Dense(4)(x)
model = keras.Model(inputs, x)
""")
    assert "line 6" in str(info.value) and "more than 1,000 iterations" in str(info.value)


THEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

#: (id, source, input H×W×C, PyTorch's sum(p.numel() for p in model.parameters()))
TORCH_GRAPHS = [
    ("residual-plus", THEAD + """
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
    def forward(self, x):
        out = self.conv(x)
        out = out + x
        return out
""", (8, 8, 8), (72 + 1) * 8),
    ("cat-and-torch-add", THEAD + """
class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
        self.b = nn.Conv2d(7, 7, 3, padding=1)
    def forward(self, x):
        y = torch.cat([self.a(x), x], dim=1)
        return torch.add(self.b(y), y)
""", (8, 8, 3), (3 + 1) * 4 + (63 + 1) * 7),
    ("modulelist-loop-and-star-sequential", THEAD + """
WIDTHS = [8, 16, 16]


class Net(nn.Module):
    def __init__(self, in_ch=3, n_blocks=3):
        super().__init__()
        layers = []
        c = in_ch
        for w in WIDTHS:
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.ReLU()]
            c = w
        self.features = nn.Sequential(*layers)
        self.blocks = nn.ModuleList([nn.Conv2d(c, c, 3, padding=1) for _ in range(n_blocks)])
        self.head = nn.Linear(c, 10)
    def forward(self, x):
        x = self.features(x)
        for block in self.blocks:
            x = F.relu(block(x)) + x
        x = x.mean([2, 3])
        return self.head(x)
""", (16, 16, 3), (27 + 1) * 8 + (72 + 1) * 16 + (144 + 1) * 16 + 3 * (144 + 1) * 16 + 17 * 10),
    ("nested-custom-modules", THEAD + """
from collections import OrderedDict


class ConvBN(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.body = nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(cin, cout, 3, stride, 1, bias=False)),
            ("bn", nn.BatchNorm2d(cout)),
        ]))
    def forward(self, x):
        return F.relu(self.body(x))


class Stage(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.first = ConvBN(cin, cout, stride=2)
        self.second = ConvBN(cout, cout)
        self.shortcut = nn.Conv2d(cin, cout, 1, 2, bias=False)
    def forward(self, x):
        return self.second(self.first(x)) + self.shortcut(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stage1 = Stage(3, 8)
        self.stage2 = Stage(8, 16)
    def forward(self, x):
        return self.stage2(self.stage1(x))
""", (16, 16, 3), 27 * 8 + 16 + 72 * 8 + 16 + 3 * 8 + 72 * 16 + 32 + 144 * 16 + 32 + 8 * 16),
    ("embedding-prelu-unflatten-groupnorm-upsample", THEAD + """class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 8)
        self.fc2 = nn.Linear(96, 4)
        self.act = nn.PReLU()
        self.up = nn.Unflatten(1, (1, 2, 2))
        self.dec = nn.Conv2d(1, 6, 3, padding=1)
        self.gn = nn.GroupNorm(3, 6)
        self.pr = nn.PReLU(6)
        self.ups = nn.Upsample(scale_factor=2)
    def forward(self, x):
        x = self.emb(x)
        x = self.act(x)
        x = torch.flatten(x, 1)
        x = self.fc2(x)
        x = self.up(x)
        return self.ups(self.pr(self.gn(self.dec(x))))
""", (12,), 1267),
    ("blitz-lenet-num-flat-features", THEAD + """
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 6 * 6, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]
        num_features = 1
        for s in size:
            num_features *= s
        return num_features
""", (32, 32, 1), 60 + 880 + 69_240 + 10_164 + 850),
    ("tensor-method-activations", THEAD + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn = nn.BatchNorm2d(32)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 8 * 8, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.conv1(x).relu())
        x = self.bn(self.conv2(x)).relu_()
        n, c, h, w = x.size()
        x = self.pool(x).contiguous()
        x = x.view(n, -1).sigmoid()
        x = self.fc1(x).tanh().relu()
        x = F.dropout(x, 0.5, self.training)
        return F.log_softmax(self.fc2(x), dim=1)
""", (32, 32, 3), 448 + 4640 + 64 + 131_136 + 650),
    ("squeeze-after-adaptive-pool", THEAD + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x)))
        return self.fc(x.squeeze(-1).squeeze(-1))
""", (16, 16, 3), 224 + 18),
]


@pytest.mark.parametrize(("source", "shape", "count"), [c[1:] for c in TORCH_GRAPHS],
                         ids=[c[0] for c in TORCH_GRAPHS])
def test_torch_graphs_count_as_pytorch(source: str, shape: tuple[int, ...], count: int) -> None:
    sol = solve(load_spec(import_source(source, input_shape=shape)))
    assert sol.trainable == count


@pytest.mark.parametrize(("source", "message"), [
    (THEAD + """
class Net(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, 3, 1) for _ in range(n)])
    def forward(self, x):
        for c in self.convs:
            x = c(x)
        return x
""", "is built inside a comprehension over values that are not constants"),
    (THEAD + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
    def forward(self, x):
        if x.sum() > 0:
            x = self.conv(x)
        return x
""", "forward branches on `x.sum() > 0`, which is not a constant"),
    (THEAD + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
    def forward(self, x):
        return torch.cat([self.a(x), x], dim=0)
""", "joins along the batch axis"),
])
def test_torch_graph_refusals_name_the_line(source: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        import_source(source, input_shape=(8, 8, 3))
    assert message in str(info.value) and "line " in str(info.value)
