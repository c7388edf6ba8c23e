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

KERAS1_EXTRAS = """
from keras.models import Sequential
from keras.layers.convolutional import Convolution2D, AtrousConvolution2D, Deconvolution2D
from keras.layers import MaxPooling2D, Flatten, Dense, Dropout

model = Sequential()
model.add(Convolution2D(4, 3, 3, border_mode='full', input_shape=(10, 10, 3)))
model.add(AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2)))
model.add(Deconvolution2D(2, 3, 3, output_shape=(None, 17, 17, 2), subsample=(2, 2)))
model.add(MaxPooling2D(pool_size=(2, 2), strides=(1, 1)))
model.add(Flatten())
model.add(Dropout(p=0.5))
model.add(Dense(output_dim=3, bias=False))
"""
# 'full' = k − 1 = 2 zeros per side: 10 + 4 − 3 + 1 = 12, (27 + 1)·4 = 112; atrous, k_eff 5:
# 8×8×4, (36 + 1)·4 = 148; deconv (8 − 1)·2 + 3 = 17: 3·3·4·2 + 2 = 74; pool stride 1 16×16×2
# = 512; dense 512·3 = 1,536 (no bias). Total 1,870.

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

KERAS_BUILD = """
import keras
from keras.layers import Dense, Dropout

model = keras.Sequential()
model.add(Dense(512, activation="relu"))
model.add(Dropout(0.2))
model.add(Dense(10, activation="softmax"))
model.build(input_shape=(None, 784))
"""
# (784 + 1)·512 = 401,920; (512 + 1)·10 = 5,130. Total 407,050.

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

KERAS_ZOO = """
import keras
from keras import layers

model = keras.Sequential([
    layers.Input(shape=(32, 32, 3)),
    layers.Rescaling(1.0 / 255),
    layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False),
    layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
    layers.SeparableConv2D(16, (3, 3), dilation_rate=2),
    layers.Conv2DTranspose(4, 3, strides=2),
    layers.BatchNormalization(center=False),
    layers.LeakyReLU(),
    layers.ZeroPadding2D(((1, 1), (1, 1))),
    layers.AveragePooling2D(pool_size=3, strides=1),
    layers.SpatialDropout2D(0.1),
    layers.GlobalMaxPooling2D(),
    layers.Dense(5, trainable=False),
    layers.Softmax(),
])
"""
# 32×32×3 (Rescaling read and left out): conv 3·3·3·8 = 216, no bias -> 16×16×8 (same,
# stride 2); depthwise 3·3·8·2 + 16 = 160 -> 16×16×16; separable, dilation 2 (k_eff 5):
# 3·3·16 + 16·16 + 16 = 416 -> 12×12×16; transposed (12 − 1)·2 + 3 = 25: 3·3·16·4 + 4 = 580;
# BN without beta: γ 4 + moving 8 = 12; zero padding 1 folded into the 3×3 average pool, stride 1
# -> 25×25×4; global max 4; frozen dense (4 + 1)·5 = 25. Total 1,409; trainable 1409 − 8 − 25
# = 1,376.

TORCH_ZOO = """
import torch
from torch import nn

class Zoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(4, 8, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), bias=False)
        self.g = nn.Conv2d(8, 16, 3, groups=4, dilation=2, padding='same')
        self.lrn = nn.LocalResponseNorm(5)
        self.up = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1, output_padding=0)
        self.pad = nn.ZeroPad2d(1)
        self.pool = nn.MaxPool2d(3, stride=2)
        self.ident = nn.Identity()
        self.drop = nn.Dropout2d(0.2)
        self.adapt = nn.AdaptiveAvgPool2d((3, 3))
        self.bn = nn.BatchNorm1d(72)
        self.fc = nn.LazyLinear(7)

    def forward(self, x):
        x = self.c1(x)
        x = torch.relu(self.g(x))
        x = self.lrn(x)
        x = self.up(x)
        x = self.pool(self.pad(x))
        x = self.drop(self.ident(x))
        x = self.adapt(x)
        x = x.reshape(x.shape[0], -1)
        x = self.bn(x)
        return self.fc(x).softmax(dim=1)
"""
# 18×30×4: c1 3·5·4·8 = 480 -> H 18, W ⌊(30 + 4 − 5)/2⌋ + 1 = 15; g 3·3·(8/4)·16 + 16 = 304
# (same); up (n − 1)·2 − 2 + 4 = 2n -> 36×30×8: 4·4·16·8 + 8 = 2,056; pad 1 folded into the
# pool: ⌊(36 + 2 − 3)/2⌋ + 1 = 18, ⌊(30 + 2 − 3)/2⌋ + 1 = 15; Identity left out; adaptive 3×3 =
# 6×5 windows; reshape 72; BN1d 144 (+144 running stats); fc (72 + 1)·7 = 511.
# Trainable 3,495 (torch's parameters()), total 3,639.

TORCH_3D = """
import torch.nn as nn
net = nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.AvgPool3d(2),
                    nn.AdaptiveMaxPool3d(1), nn.Flatten(), nn.Linear(4, 2, bias=False))
"""
# 8×8×8×1: conv3d (27 + 1)·4 = 112; BN3d 8 (+8); pool -> 4×4×4×4; adaptive max 1 -> 1×1×1×4;
# flatten 4; linear 4·2 = 8, no bias. Trainable 128, total 136.

CASES = [
    # (id, source, input_shape, total, trainable, output shapes)
    ("keras1-mnist", KERAS1_MNIST, None, 592_074, 592_074,
     [(24, 24, 32), (24, 24, 32), (12, 12, 32), (12, 12, 32), (4608,), (128,), (128,), (10,),
      (10,)]),
    ("keras1-conv1d", KERAS1_STRIDED, None, 784, 784, [(48, 16), (24, 16), (384,), (1,)]),
    ("keras1-extras", KERAS1_EXTRAS, None, 1_870, 1_870,
     [(12, 12, 4), (8, 8, 4), (17, 17, 2), (16, 16, 2), (512,), (512,), (3,)]),
    ("keras2-list", KERAS2_LIST, None, 121_930, 121_930,
     [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (1600,), (64,), (10,)]),
    ("keras3-add", KERAS3_ADD, None, 682, 650,
     [(32, 32, 16), (32, 32, 16), (32, 32, 16), (16, 16, 16), (16,), (10,)]),
    ("keras-build", KERAS_BUILD, None, 407_050, 407_050, [(512,), (512,), (10,)]),
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
    ("keras-zoo", KERAS_ZOO, None, 1_409, 1_376,
     [(16, 16, 8), (16, 16, 16), (12, 12, 16), (25, 25, 4), (25, 25, 4), (25, 25, 4),
      (25, 25, 4), (25, 25, 4), (4,), (5,), (5,)]),
    ("torch-zoo", TORCH_ZOO, (18, 30, 4), 3_639, 3_495,
     [(18, 15, 8), (18, 15, 16), (18, 15, 16), (36, 30, 8), (18, 15, 8), (18, 15, 8), (3, 3, 8),
      (72,), (72,), (7,)]),
    ("torch-conv3d", TORCH_3D, (8, 8, 8, 1), 136, 128,
     [(8, 8, 8, 4), (8, 8, 8, 4), (4, 4, 4, 4), (1, 1, 1, 4), (4,), (2,)]),
]


@pytest.mark.parametrize(("source", "shape", "total", "trainable", "shapes"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_imported_models_solve_exactly(source: str, shape: tuple[int, ...] | None, total: int,
                                       trainable: int, shapes: list[tuple[int, ...]]) -> None:
    solution = solve(load_spec(import_source(source, input_shape=shape)))
    assert [r.out_shape for r in solution.rows] == shapes
    assert (solution.total, solution.trainable) == (total, trainable)


# -- refusals ---------------------------------------------------------------------------------
KERAS_HEAD = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
TORCH_HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

REFUSALS = [
    # (id, source, input_shape, message fragments)
    ("no-model", "import numpy as np\nx = np.zeros(3)\n", None,
     ["no model found in this file", "Keras Sequential([...])", "PyTorch nn.Module subclass",
      "Seen: imports of numpy"]),
    ("keras-imports-but-no-model", KERAS_HEAD + "opt = keras.optimizers.Adam(1e-3)\n", None,
     ["no model found"]),
    ("merge-shapes-differ", KERAS_HEAD + """
inputs = keras.Input(shape=(8, 8, 3))
a = layers.Conv2D(8, 3, padding="same")(inputs)
b = layers.Conv2D(4, 3, padding="same")(inputs)
model = keras.Model(inputs, layers.Add()([a, b]))
""", None, ["line 7:", "layers.Add()", "add needs inputs of matching shapes", "8×8×8 and 8×8×4"]),
    ("keras-tensor-times-number", KERAS_HEAD + """
inputs = keras.Input(shape=(8, 8, 4))
x = layers.Conv2D(4, 3, padding="same")(inputs)
model = keras.Model(inputs, x * 2)
""", None, ["line 6:", "x * 2", "not a merge of two tensors"]),
    ("keras-loop-not-constant", KERAS_HEAD + """
import sys
inputs = keras.Input(shape=(8, 8, 4))
x = inputs
for i in range(int(sys.argv[1])):
    x = layers.Conv2D(4, 3, padding="same")(x)
model = keras.Model(inputs, x)
""", None, ["line 8:", "inside a loop or an if whose bounds or condition are not constants"]),
    ("keras-subclassed", KERAS_HEAD + """
class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)
    def call(self, x):
        return self.dense(x)
""", None, ["line 4:", "'MyModel' gives no input shape", "model.build((None, H, W, C))"]),
    ("unknown-keras-layer", KERAS_HEAD + """
model = keras.Sequential([layers.Conv2d(8, 3, input_shape=(28, 28, 1)), layers.Dense(2)])
""", None, ["line 4:", "unknown layer class Conv2d", "Did you mean 'Conv2D'?"]),
    ("unknown-keras-rnn", KERAS_HEAD + """
model = keras.Sequential([layers.LSTM(8, input_shape=(10, 4)), layers.Dense(2)])
""", None, ["unknown layer class LSTM"]),
    ("unknown-torch-layer", TORCH_HEAD + "net = nn.Sequential(nn.Conv2D(3, 8, 3))\n", (8, 8, 3),
     ["line 4:", "unknown layer class Conv2D", "Did you mean 'Conv2d'?"]),
    ("unknown-option", KERAS_HEAD + """
model = keras.Sequential([layers.Conv2D(8, 3, fliters=3, input_shape=(28, 28, 1))])
""", None, ["unknown option 'fliters'", "Did you mean 'filters'?"]),
    ("non-constant-argument", KERAS_HEAD + """
import sys
n_filters = int(sys.argv[1])
model = keras.Sequential()
model.add(layers.Conv2D(n_filters, 3, input_shape=(28, 28, 1)))
""", None, ["line 7:", "filters=n_filters is not a constant (n_filters = int(sys.argv[1]) on "
              "line 5: computed when the code runs); replace it by a number"]),
    ("non-constant-float-arithmetic", TORCH_HEAD + "net = nn.Sequential(nn.Linear(784, 784 / 2))\n",
     (784,), ["line 4:", "units must be a whole number", "received 392.0"]),
    ("in-features-mismatch", TORCH_LENET_TUTORIAL.replace("16 * 5 * 5", "16 * 4 * 4"), (32, 32, 1),
     ["line 12:", "nn.Linear(16 * 4 * 4, 120)", "in_features=256",
      "5×5×16", "400 features", "Set in_features=400"]),
    ("in-channels-mismatch", TORCH_HEAD + """
net = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.Conv2d(16, 16, 5))
""", (32, 32, 3), ["line 5:", "nn.Conv2d(16, 16, 5)", "in_channels=16", "6 channels"]),
    ("view-size-mismatch", TORCH_LENET_TUTORIAL.replace("torch.flatten(x, 1)", "x.view(-1, 16 * 6 * 6)"),
     (32, 32, 1), ["x.view(-1, 16 * 6 * 6)", "576 features", "16 = 400"]),
    ("linear-on-feature-map", TORCH_LENET_TUTORIAL.replace("        x = torch.flatten(x, 1)\n", ""),
     (32, 32, 1), ["5×5×16 tensor", "Flatten first", "400"]),
    ("unused-module-with-weights", TORCH_LENET_TUTORIAL.replace(
        "self.fc3 = nn.Linear(84, 10)", "self.fc3 = nn.Linear(84, 10)\n        self.extra = nn.Linear(10, 10)"),
     (32, 32, 1), ["self.extra", "never called in forward", "still count"]),
    ("ambiguous-conv2d-3-3", KERAS_HEAD + """
model = keras.Sequential([layers.Conv2D(32, 3, 3, input_shape=(28, 28, 1))])
""", None, ["ambiguous", "Keras 3 as kernel 3 with strides 3", "Conv2D(32, (3, 3))"]),
    ("ceil-mode", TORCH_HEAD + "net = nn.Sequential(nn.MaxPool2d(2, ceil_mode=True))\n",
     (7, 7, 1), ["ceil_mode=True", "rounds"]),
    # no square input fits 16·5·4 features (a square one is inferred: tests/test_torch_size.py)
    ("torch-needs-input-shape", TORCH_LENET_TUTORIAL.replace("16 * 5 * 5", "16 * 5 * 4"), None,
     ["pass --input-shape HxWxC", "C = 1", "32x32x1"]),
    ("keras-needs-input-shape", KERAS_HEAD + "model = keras.Sequential([layers.Dense(2)])\n",
     None, ["gives no input shape", "--input-shape"]),
    ("zero-padding-before-same", KERAS_HEAD + """
model = keras.Sequential([
    layers.ZeroPadding2D(1, input_shape=(8, 8, 1)),
    layers.Conv2D(4, 3, padding="same"),
])
""", None, ["line 5:", "ZeroPadding2D(1", "cannot be folded", "padding='same'", "'valid'"]),
    ("zero-padding-before-dense", KERAS_HEAD + """
model = keras.Sequential([layers.Flatten(input_shape=(4, 4)), layers.ZeroPadding1D(1),
                          layers.Dense(2)])
""", None, ["ZeroPadding1D(1)", "not a convolution or pooling layer"]),
    ("torch-loop-in-init", TORCH_HEAD + """
class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = []
        for i in range(3):
            self.layers.append(nn.Linear(8, 8))
""", (8,), ["line 5:", "self.layers is a plain Python list", "nn.ModuleList"]),
    ("torch-custom-submodule", TORCH_HEAD + """
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block(3)
""", (8, 8, 3), ["line 9:", "custom module", "needs forward"]),
    ("syntax-error", "model = Sequential([Dense(2) +* 3])\n", None, ["not valid Python"]),
    ("output-size-not-positive", TORCH_HEAD + "net = nn.Sequential(nn.Conv2d(1, 2, 7))\n",
     (5, 5, 1), ["line 4:", "output size would be -1", "shape 5×5×1"]),
    ("shared-layer-shapes-differ", KERAS_HEAD + """
inputs = keras.Input(shape=(8, 8, 3))
conv = layers.Conv2D(4, 3)
x = conv(inputs)
x = conv(x)
model = keras.Model(inputs, x)
""", None, ["line 5:", "used again", "weight sharing"]),
    # tricks: these would run code if the file were ever executed; they must only be refused
    ("dunder-import-argument", KERAS_HEAD + """
model = keras.Sequential([
    layers.Conv2D(__import__('os').system('echo hi'), 3, input_shape=(28, 28, 1)),
])
""", None, ["line 5:", "filters=__import__('os').system('echo hi') is not a constant"]),
    ("eval-in-argument", TORCH_HEAD + "net = nn.Sequential(nn.Linear(eval('2+2'), 4))\n", (4,),
     ["in_features=eval('2+2') is not a constant"]),
    ("lambda-layer", KERAS_HEAD + """
model = keras.Sequential([layers.Lambda(lambda x: x * 2, input_shape=(4,)), layers.Dense(2)])
""", None, ["Lambda layer runs arbitrary code"]),
    ("huge-constant", TORCH_HEAD + "N = 10 ** 100\nnet = nn.Sequential(nn.Linear(4, N * N))\n",
     (4,), ["out_features=N * N is not a constant"]),
    ("deeply-nested", TORCH_HEAD + "net = nn.Sequential(nn.Linear(4, " + "+".join(["1"] * 300)
     + "))\n", (4,), ["line 4:", "nested more than 100 levels"]),
    ("null-byte", TORCH_HEAD + "net = nn.Sequential()\x00\n", (4,), ["null bytes"]),
    ("tuple-bomb", KERAS_HEAD + """
model = keras.Sequential([layers.Conv2D(8, (3,) * 10**9, input_shape=(8, 8, 1))])
""", None, ["kernel_size=(3,) * 10 ** 9 is not a constant"]),
]


@pytest.mark.parametrize(("source", "shape", "fragments"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])
def test_refused_with_a_clear_message(source: str, shape: tuple[int, ...] | None,
                                      fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        import_source(source, input_shape=shape)
    for fragment in fragments:
        assert fragment in str(info.value)


# -- never executed ---------------------------------------------------------------------------
def test_nothing_in_the_file_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    source = f"""
import os
import torch.nn as nn
open({str(marker)!r}, "w").write("module level ran")
os.system("touch {marker}")

def touch(default=open({str(marker)!r}, "w")):
    return default

class Net(nn.Module):
    side_effect = os.system("touch {marker}")

    def __init__(self, n=__import__("os").system("touch {marker}")):
        super().__init__()
        open({str(marker)!r}, "w")
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        os.system("touch {marker}")
        return self.fc(x)

if __name__ == "__main__":
    Net()(None)
"""
    spec = import_source(source, input_shape=(4,))
    assert solve(load_spec(spec)).total == 10  # (4 + 1)·2
    assert not marker.exists()
    for trick in REFUSALS:
        with pytest.raises(ConfigError):
            import_source(trick[1].replace("echo hi", f"touch {marker}"), input_shape=trick[2])
    assert not marker.exists()


# -- the spec itself ----------------------------------------------------------------------------
def test_names_and_shares_come_from_the_code() -> None:
    torch_spec = import_source(TORCH_SHARED, input_shape=(32, 32, 3))
    assert [(layer.get("name"), layer.get("share")) for layer in torch_spec["layers"]] == [
        ("stem", None), ("block", None), ("block_use2", "block"), ("max_pooling2d", None),
        ("flatten", None), ("head", None)]
    keras_spec = import_source(KERAS_FUNCTIONAL_SHARED)
    assert [(layer.get("name"), layer.get("share")) for layer in keras_spec["layers"]] == [
        ("conv1", None), ("conv2d", None), ("conv2d_use2", "conv2d"), ("max_pooling2d", None),
        ("flatten", None), ("dense", None)]
    solution = solve(load_spec(keras_spec))
    assert solution.row("conv2d_use2").params == 0  # shared weights counted once


def test_names_default_like_keras_without_sharing() -> None:
    spec = import_source(KERAS3_ADD)
    assert [layer.get("name") for layer in spec["layers"]] == ["conv", None, None, None, None, None]
    assert [r.name for r in solve(load_spec(spec)).rows][:3] == [
        "conv", "batch_normalization", "relu"]
    seq = import_source(TORCH_LENET5_SEQUENTIAL, input_shape=(32, 32, 1))
    assert [layer["name"] for layer in seq["layers"]][:3] == ["c1", "tanh1", "s2"]
    vgg = import_source(TORCH_VGG_BLOCKS, input_shape=(32, 32, 3))
    assert vgg["layers"][0]["name"] == "features.0"  # as torch's named_modules() calls it


def test_every_convention_is_stated_by_the_code() -> None:
    """Framework defaults are facts of the code, so nothing is left for lint to flag."""
    keras, torch = import_source(KERAS2_LIST), import_source(TORCH_LENET_TUTORIAL,
                                                             input_shape=(32, 32, 1))
    assert keras["conventions"] == {"count": "total"}  # Keras's "Total params"
    assert torch["conventions"] == {"count": "trainable"}  # torch's parameters()
    for spec in (keras, torch):
        for layer in spec["layers"]:
            if layer["type"].startswith(("conv", "dense")):
                assert {"padding", "bias"} & set(layer) == (
                    {"padding", "bias"} if layer["type"].startswith("conv") else {"bias"})
            if "pooling" in layer["type"] and "global" not in layer["type"]:
                assert {"strides", "padding", "trainable"} <= set(layer)


def test_input_shape_supplies_or_replaces_the_codes() -> None:
    spec = import_source(KERAS2_LIST, input_shape=(30, 30, 1))
    assert solve(load_spec(spec)).rows[0].out_shape == (28, 28, 32)
    with pytest.raises(ConfigError, match="positive whole numbers"):
        import_source(KERAS2_LIST, input_shape=(0, 28, 1))


def test_load_any_reads_python_and_yaml(tmp_path: Path) -> None:
    py = tmp_path / "net.py"
    py.write_text(TORCH_LENET_TUTORIAL, encoding="utf-8")
    assert solve(load_spec(load_any(py, input_shape=(32, 32, 1)))).total == 61_706
    yml = tmp_path / "net.yaml"
    yml.write_text("input: {shape: [8, 8], color: gray}\n"
                   "layers: [{type: flatten}, {type: dense, units: 2}]\n", encoding="utf-8")
    assert solve(load_spec(load_any(yml))).total == 130  # (64 + 1)·2
    assert solve(load_spec(load_any(yml, input_shape=(4, 4, 1)))).total == 34  # (16 + 1)·2


@pytest.mark.parametrize(("example", "shape", "total"), [
    # conv 6@5×5 same: (25 + 1)·6 = 156; conv 16@5×5: 2,416; dense (400 + 1)·120 = 48,120;
    # (120 + 1)·84 = 10,164; (84 + 1)·10 = 850 -> 61,706 (LeNet-5 on 28×28 with 'same' first)
    ("keras_lenet.py", None, 61_706),
    # conv1 (27 + 1)·32 = 896, bn1 64; conv2 (288 + 1)·64 = 18,496, bn2 128; conv3 (576 + 1)·128
    # = 73,856; pool ×3 -> 4×4×128 = 2048; fc1 (2048 + 1)·256 = 524,544; fc2 2,570.
    # Trainable 620,554 (+ 192 running statistics = 620,746).
    ("torch_net.py", (32, 32, 3), 620_554),
], ids=["keras-lenet", "torch-net"])
def test_examples_import(example: str, shape: tuple[int, ...] | None, total: int) -> None:
    solution = solve(load_spec(load_any(ROOT / "examples" / example, input_shape=shape)))
    assert solution.answer == total
