"""Framework comparisons run Keras 3 on the torch backend; no TensorFlow is involved.

KERAS_BACKEND must be set before keras is first imported, which happens when pytest imports the
test modules of this directory, after this file.
"""

import os

import pytest
import torch

os.environ["KERAS_BACKEND"] = "torch"
# The tensors here are tiny: one intra-op thread per process (xdist runs one process per core).
# More threads spin against each other on a busy 2-core runner: 15 ms per tiny conv2d instead
# of well under 1 ms.
torch.set_num_threads(1)


def pytest_configure(config: pytest.Config) -> None:
    # PyTorch's note that padding='same' with an even kernel pads a copy of the input: a
    # performance remark, not a change of result (warnings are errors in this project).
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Using padding='same' with even kernel lengths and odd dilation:UserWarning",
    )
