"""Code importers: real-looking Keras and PyTorch snippets -> spec -> solved numbers.

Every expected number is worked out by hand in the comments (params of a conv are
(k_h·k_w·C_in/groups + 1)·C_out, of a dense layer (n_in + 1)·n_out). The snippets are read
with ast only; the refusal table includes code that would do harm if it were ever run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.importers import import_source, load_any
from generator.network import solve
from generator.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent

KERAS1_MNIST = """
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Dense, Dropout, Activation, Flatten

model = Sequential()
model.add(Convolution2D(32, 5, 5, border_mode='valid', input_shape=(28, 28, 1)))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.2))
model.add(Flatten())
model.add(Dense(output_dim=128))
model.add(Activation('relu'))
model.add(Dense(output_dim=10, init='normal'))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam')
"""
# conv (5·5·1 + 1)·32 = 832 -> 24×24×32; pool -> 12×12×32 = 4608; dense (4608 + 1)·128 =
# 589,952; dense (128 + 1)·10 = 1,290. Total 592,074.

KERAS1_STRIDED = """
from keras.models import Sequential
from keras.layers import Convolution2D, Convolution1D, MaxPooling1D, Flatten, Dense

model = Sequential()
model.add(Convolution1D(nb_filter=16, filter_length=3, input_dim=8, input_length=50))
model.add(MaxPooling1D(pool_length=2))
model.add(Flatten())
model.add(Dense(1, bias=False))
"""
# conv1d (3·8 + 1)·16 = 400 -> 48×16; pool -> 24×16 = 384; dense 384·1 (no bias) = 384.
# Total 784.

KERAS2_LIST = """
import tensorflow as tf
from tensorflow.keras import layers, models

model = models.Sequential([
    layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
    layers.MaxPooling2D((2, 2)),
    layers.Conv2D(64, (3, 3), activation='relu'),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(64, activation='relu', kernel_initializer='he_normal'),
    layers.Dense(10),
])
model.summary()
"""
# conv (9 + 1)·32 = 320 -> 26×26×32; pool 13×13×32; conv (9·32 + 1)·64 = 18,496 -> 11×11×64;
# pool 5×5×64 = 1600; dense (1600 + 1)·64 = 102,464; dense (64 + 1)·10 = 650. Total 121,930.

KERAS3_ADD = """
import keras
from keras import layers

N = 16
model = keras.Sequential(name="small")
model.add(keras.Input(shape=(32, 32, 3)))
model.add(layers.Conv2D(N, 3, padding="same", use_bias=True, name="conv"))
model.add(layers.BatchNormalization())
model.add(layers.ReLU())
model.add(layers.MaxPool2D())
model.add(layers.GlobalAveragePooling2D())
model.add(layers.Dense(10, activation="softmax"))
"""
# conv (3·3·3 + 1)·16 = 448 -> 32×32×16; BN 2·16 trainable + 2·16 moving = 64; pool 16×16×16;
# GAP -> 16; dense (16 + 1)·10 = 170. Total 682, trainable 650.

KERAS_FUNCTIONAL_SHARED = """
import keras
from keras import layers

inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, padding="same", name="conv1")(inputs)
shared = layers.Conv2D(8, 3, padding="same", activation="relu")
x = shared(x)
x = shared(x)                      # same object: weights shared
x = layers.MaxPooling2D(2)(x)
outputs = layers.Dense(10)(layers.Flatten()(x))
model = keras.Model(inputs=inputs, outputs=outputs)
"""
# conv1 (9 + 1)·8 = 80; shared (9·8 + 1)·8 = 584, counted once; pool 14×14×8 = 1568;
# dense (1568 + 1)·10 = 15,690. Total 16,354.

KERAS_FUNCTIONAL_BUILDER = """
from tensorflow.keras.layers import Input, Conv2D, Dense, Flatten, ZeroPadding2D, MaxPooling2D
from tensorflow.keras.models import Model

NUM_CLASSES = 10

def build_model(input_shape=(32, 32, 3), width=32):
    inp = Input(shape=input_shape)
    x = ZeroPadding2D((1, 1))(inp)
    x = Conv2D(width * 2, (3, 3), activation='relu')(x)
    x = ZeroPadding2D(padding=1)(x)
    x = Conv2D(width * 2, 3, activation='relu')(x)
    x = MaxPooling2D((2, 2), strides=(2, 2))(x)
    x = Flatten()(x)
    out = Dense(NUM_CLASSES, activation='softmax')(x)
    return Model(inp, out)

model = build_model()
"""
# zero padding 1 folded into each valid conv: conv (27 + 1)·64 = 1,792 -> 32×32×64;
# conv (9·64 + 1)·64 = 36,928 -> 32×32×64; pool 16×16×64 = 16,384; dense 163,850.
# Total 202,570.

TORCH_LENET_TUTORIAL = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
print(net)
"""
# 32×32×1: conv1 (25 + 1)·6 = 156 -> 28×28×6, pool 14×14×6; conv2 (25·6 + 1)·16 = 2,416
# -> 10×10×16, pool 5×5×16 = 400; fc1 (400 + 1)·120 = 48,120; fc2 (120 + 1)·84 = 10,164;
# fc3 (84 + 1)·10 = 850. Total 61,706.

TORCH_LENET5_SEQUENTIAL = """
from collections import OrderedDict
from torch import nn

lenet5 = nn.Sequential(OrderedDict([
    ("c1", nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5)),
    ("tanh1", nn.Tanh()),
    ("s2", nn.AvgPool2d(kernel_size=2, stride=2)),
    ("c3", nn.Conv2d(6, 16, kernel_size=5)),
    ("tanh2", nn.Tanh()),
    ("s4", nn.AvgPool2d(2)),
    ("flat", nn.Flatten()),
    ("f5", nn.Linear(400, 120)),
    ("tanh3", nn.Tanh()),
    ("f6", nn.Linear(120, 84)),
    ("tanh4", nn.Tanh()),
    ("out", nn.Linear(84, 10)),
]))
"""
# Same numbers as the tutorial net: 61,706.

TORCH_SEQUENTIAL_BN = """
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=True),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(),
    nn.Dropout(p=0.5),
    nn.Linear(32, 10),
)
"""
# 32×32×3: conv (27 + 1)·16 = 448 -> 32×32×16; BN 32 trainable (+32 running stats, not
# trainable); pool 16×16×16; conv (9·16 + 1)·32 = 4,640 -> ⌊(16 + 2 − 3)/2⌋ + 1 = 8: 8×8×32;
# adaptive pool 1×1×32, flatten 32; linear (32 + 1)·10 = 330. Trainable 5,450, total 5,482.

TORCH_VGG_BLOCKS = """
import torch.nn as nn


class SmallVGG(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(64, 64, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(64, 128, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(128, 128, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(128 * 8 * 8, 256), nn.ReLU(True), nn.Dropout(),
            nn.Linear(256, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)
"""
# 32×32×3: 1,792 + 36,928 -> pool 16×16×64; (576 + 1)·128 = 73,856 + (1152 + 1)·128 = 147,584
# -> pool 8×8×128 = 8192; (8192 + 1)·256 = 2,097,408; (256 + 1)·10 = 2,570. Total 2,360,138.

TORCH_SHARED = """
import torch.nn as nn
import torch.nn.functional as F

C = 8


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, C, 3, padding=1)
        self.block = nn.Conv2d(C, C, 3, padding=1)
        self.head = nn.Linear(C * 16 * 16, 10)

    def forward(self, x):
        batch = x.size(0)
        x = F.relu(self.stem(x))
        x = F.relu(self.block(x))
        x = F.relu(self.block(x))          # called twice: one set of weights
        x = F.max_pool2d(x, kernel_size=2)
        x = x.view(batch, C * 16 * 16)
        return F.log_softmax(self.head(x), dim=1)
"""
# 32×32×3: stem (27 + 1)·8 = 224; block (72 + 1)·8 = 584 once; pool 16×16×8 = 2048;
# head (2048 + 1)·10 = 20,490. Total 21,298.

TORCH_NO_FORWARD = """
from torch import nn

class Plain(nn.Module):
    def __init__(self, n_hidden=32):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * 13 * 13, n_hidden)
        self.out = nn.Linear(n_hidden, 2)
"""
# 28×28×1: conv (9 + 1)·4 = 40 -> 26×26×4; pool 13×13×4 = 676 (flatten put in before fc);
# fc (676 + 1)·32 = 21,664; out (32 + 1)·2 = 66. Total 21,770.

TORCH_CONV1D = """
import torch.nn as nn
net = nn.Sequential(nn.Conv1d(4, 8, 5), nn.MaxPool1d(2), nn.Flatten(), nn.Linear(384, 2))
"""
# 100×4 (length × channels): conv (5·4 + 1)·8 = 168 -> 96×8; pool 48×8 = 384;
# linear (384 + 1)·2 = 770. Total 938.

CASES = [
    # (id, source, input_shape, total, trainable, output shapes)
    ("keras1-mnist", KERAS1_MNIST, None, 592_074, 592_074,
     [(24, 24, 32), (24, 24, 32), (12, 12, 32), (12, 12, 32), (4608,), (128,), (128,), (10,),
      (10,)]),
    ("keras1-conv1d", KERAS1_STRIDED, None, 784, 784, [(48, 16), (24, 16), (384,), (1,)]),
    ("keras2-list", KERAS2_LIST, None, 121_930, 121_930,
     [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (1600,), (64,), (10,)]),
    ("keras3-add", KERAS3_ADD, None, 682, 650,
     [(32, 32, 16), (32, 32, 16), (32, 32, 16), (16, 16, 16), (16,), (10,)]),
    ("keras-functional-shared", KERAS_FUNCTIONAL_SHARED, None, 16_354, 16_354,
     [(28, 28, 8), (28, 28, 8), (28, 28, 8), (14, 14, 8), (1568,), (10,)]),
    ("keras-functional-builder", KERAS_FUNCTIONAL_BUILDER, None, 202_570, 202_570,
     [(32, 32, 64), (32, 32, 64), (16, 16, 64), (16384,), (10,)]),
    ("torch-lenet-tutorial", TORCH_LENET_TUTORIAL, (32, 32, 1), 61_706, 61_706,
     [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,), (120,), (84,), (10,)]),
    ("torch-lenet5-sequential", TORCH_LENET5_SEQUENTIAL, (32, 32, 1), 61_706, 61_706,
     [(28, 28, 6), (28, 28, 6), (14, 14, 6), (10, 10, 16), (10, 10, 16), (5, 5, 16), (400,),
      (120,), (120,), (84,), (84,), (10,)]),
    ("torch-sequential-bn", TORCH_SEQUENTIAL_BN, (32, 32, 3), 5_482, 5_450,
     [(32, 32, 16), (32, 32, 16), (32, 32, 16), (16, 16, 16), (8, 8, 32), (8, 8, 32),
      (1, 1, 32), (32,), (32,), (10,)]),
    ("torch-vgg-blocks", TORCH_VGG_BLOCKS, (32, 32, 3), 2_360_138, 2_360_138,
     [(32, 32, 64), (32, 32, 64), (32, 32, 64), (32, 32, 64), (16, 16, 64), (16, 16, 128),
      (16, 16, 128), (16, 16, 128), (16, 16, 128), (8, 8, 128), (8192,), (256,), (256,), (256,),
      (10,)]),
    ("torch-shared", TORCH_SHARED, (32, 32, 3), 21_298, 21_298,
     [(32, 32, 8), (32, 32, 8), (32, 32, 8), (16, 16, 8), (2048,), (10,)]),
    ("torch-no-forward", TORCH_NO_FORWARD, (28, 28, 1), 21_770, 21_770,
     [(26, 26, 4), (13, 13, 4), (676,), (32,), (2,)]),
    ("torch-conv1d", TORCH_CONV1D, (100, 4), 938, 938, [(96, 8), (48, 8), (384,), (2,)]),
]


@pytest.mark.parametrize(("source", "shape", "total", "trainable", "shapes"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_imported_models_solve_exactly(source: str, shape: tuple[int, ...] | None, total: int,
                                       trainable: int, shapes: list[tuple[int, ...]]) -> None:
    solution = solve(load_spec(import_source(source, input_shape=shape)))
    assert [r.out_shape for r in solution.rows] == shapes
    assert (solution.total, solution.trainable) == (total, trainable)
