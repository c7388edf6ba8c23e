"""LeNet-5 for MNIST in Keras, as a course notebook would have it.

cnnquiz reads this file without running it:

    cnnquiz solve examples/keras_lenet.py

28×28 grayscale digits; the first convolution pads ('same') so the 5×5 kernels see the
32×32 frame of the original paper. Total: 61,706 parameters.
"""

import keras
from keras import layers

NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)


def build_lenet(num_classes=NUM_CLASSES):
    model = keras.Sequential(name="lenet5")
    model.add(keras.Input(shape=INPUT_SHAPE))
    model.add(layers.Conv2D(6, kernel_size=5, padding="same", activation="tanh", name="c1"))
    model.add(layers.AveragePooling2D(pool_size=2, name="s2"))
    model.add(layers.Conv2D(16, kernel_size=5, activation="tanh", name="c3"))
    model.add(layers.AveragePooling2D(pool_size=2, name="s4"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(120, activation="tanh", name="c5"))
    model.add(layers.Dense(84, activation="tanh", name="f6"))
    model.add(layers.Dense(num_classes, activation="softmax", name="output"))
    return model


if __name__ == "__main__":
    model = build_lenet()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
