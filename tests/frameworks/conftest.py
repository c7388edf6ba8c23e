"""Framework comparisons run Keras 3 on the torch backend; no TensorFlow is involved.

KERAS_BACKEND must be set before keras is first imported, which happens when pytest imports the
test modules of this directory, after this file.
"""

import os

import pytest

os.environ["KERAS_BACKEND"] = "torch"


def pytest_configure(config: pytest.Config) -> None:
    # PyTorch's note that padding='same' with an even kernel pads a copy of the input: a
    # performance remark, not a change of result (warnings are errors in this project).
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Using padding='same' with even kernel lengths and odd dilation:UserWarning",
    )
