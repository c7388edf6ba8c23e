"""The pasted-code corpus (tests/pasted) against the frameworks: each snippet's clean form,
written out here by hand in PyTorch or Keras 3, has the count the table says.

PyTorch's count is ``sum(p.numel() for p in model.parameters())``; Keras's is
``count_params()`` (batch-norm moving statistics included). Keras 1/0 spellings are written
in Keras 3 spelling; channels-first Keras code is built channels-last (the count is equal).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.frameworks

CORPUS = Path(__file__).resolve().parent.parent / "pasted"


def _torch(*mods: Any) -> int:
    from torch import nn

    return sum(p.numel() for p in nn.Sequential(*mods).parameters())


def _keras(shape: tuple[int, ...], *layers: Any) -> int:
    import keras

    model = keras.Sequential([keras.Input(shape=shape), *layers])
    return model.count_params()


def _cases() -> dict[str, Callable[[], int]]:
    import keras
    from keras import layers as L
    from torch import nn

    del keras
    return {
        "blog_tfkeras_curly.txt-": lambda: _keras(
            (32, 32, 3), L.Conv2D(16, (3, 3)), L.MaxPooling2D((2, 2)), L.Conv2D(32, (3, 3)),
            L.Flatten(), L.Dense(10)),
        "keras1_print_summary.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(20, (5, 5), padding="same"), L.MaxPooling2D((2, 2)),
            L.Dropout(0.25), L.Flatten(), L.Dense(100), L.Dense(10)),
        "ipython_session_torch.txt-": lambda: _torch(
            nn.Conv2d(3, 12, 5), nn.BatchNorm2d(12), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(12, 4)),
        "doctest_keras.txt-": lambda: _keras((20,), L.Dense(32), L.Dense(3)),
        "flat_torch_class.txt-": lambda: _torch(
            nn.Conv2d(1, 8, 3), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 10)),
        "indented_keras_bracket.txt-": lambda: _keras(
            (64,), L.Dense(128), L.Dropout(0.5), L.Dense(8)),
        "scraper_hash_torch.txt-": lambda: _torch(
            nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 5)),
        "nbsp_zero_width_magic.txt-": lambda: _keras(
            (16, 16, 1), L.Conv2D(8, 3, padding="same"), L.GlobalAveragePooling2D(), L.Dense(2)),
        "times_in_shapes.txt-": lambda: _torch(
            nn.Conv2d(3, 6, 5), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 14 * 14, 10)),
        "times_keras_shape.txt-": lambda: _keras(
            (10, 10, 3), L.Conv2D(4, (3, 3)), L.Flatten(), L.Dense(2)),
        "forum_glued_traceback.txt-": lambda: _torch(
            nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10)),
        "keras_with_summary_output.txt-": lambda: _keras((8,), L.Dense(16), L.Dense(1)),
        "flat_keras_function.txt-": lambda: _keras(
            (32, 32, 1), L.Conv2D(6, (5, 5)), L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(10)),
        "keras1_theano_ordering.txt-": lambda: _keras(
            (64, 64, 3), L.Conv2D(16, (3, 3), padding="same", strides=(2, 2)),
            L.BatchNormalization(), L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(10)),
        "two_models_notebook.txt-5": lambda: _keras((784,), L.Dense(64), L.Dense(10)),
        "two_models_notebook.txt-8": lambda: _keras(
            (784,), L.Dense(32), L.Dropout(0.3), L.Dense(10)),
        "keras0_dense.txt-": lambda: _keras((784,), L.Dense(256), L.Dense(10)),
        "keras1_mnist_branch.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, (3, 3)), L.Activation("relu"), L.Conv2D(32, (3, 3)),
            L.MaxPooling2D((2, 2)), L.Dropout(0.25), L.Flatten(), L.Dense(128), L.Dense(10)),
        "blog_flat_function_undefined.txt-": lambda: _keras(
            (64, 64, 3), L.Conv2D(16, 3, padding="same"), L.MaxPooling2D(), L.Flatten(),
            L.Dense(10)),
        "torch_missing_functional.txt-": lambda: _torch(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(4 * 14 * 14, 10)),
        "keras_static_build_method.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(10, (5, 5), padding="same"), L.Activation("relu"),
            L.MaxPooling2D((2, 2), strides=(2, 2)), L.Flatten(), L.Dense(10)),
        "torch_no_imports_lenet.txt-": lambda: _torch(
            nn.Conv2d(3, 6, 5), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)),
        "forum_indented_block.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, (3, 3)), L.Conv2D(64, (3, 3)), L.MaxPooling2D((2, 2)),
            L.Flatten(), L.Dense(10)),
        "tabs_and_spaces_torch.txt-": lambda: _torch(nn.Linear(4, 2)),
        "numbered_listing_torch.txt-": lambda: _torch(nn.Linear(10, 3)),
        "class_body_lost_one_level.txt-": lambda: _torch(nn.Linear(8, 4), nn.Linear(4, 2)),
        "html_entities_crlf.txt-": lambda: _keras((3,), L.Dense(5), L.Dense(1)),
        "keras_unfoldable_shape.txt-": lambda: _keras(
            (16, 16, 1), L.Conv2D(8, 3), L.GlobalMaxPooling2D(), L.Dense(5)),
        "primes_undefined_options.txt-": lambda: _keras(
            (48, 48, 1), L.Conv2D(24, (5, 5)), L.MaxPooling2D((2, 2)), L.Conv2D(48, (3, 3)),
            L.Flatten(), L.Dropout(0.5), L.Dense(7)),
        "keras_list_append_loop.txt-": lambda: _keras(
            (32, 32, 3), *[layer for w in (16, 32, 64) for layer in (
                L.Conv2D(w, 3, padding="same"), L.MaxPooling2D())],
            L.Flatten(), L.Dense(128), L.Dense(10)),
        "keras_param_input_shape.txt-": lambda: _keras(
            (32, 32, 3), L.Conv2D(16, 3, strides=2, use_bias=False), L.BatchNormalization(),
            L.GlobalAveragePooling2D(), L.Dense(3)),
        "keras1_dim_ordering_bn_axis1.txt-": lambda: _keras(
            (64, 64, 3), L.Conv2D(32, (3, 3), padding="same", strides=(2, 2)),
            L.BatchNormalization(), L.Activation("relu"), L.MaxPooling2D((2, 2)), L.Flatten(),
            L.Dense(10)),
        "keras_constants_branch.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(28, (3, 3)), L.MaxPooling2D((2, 2)), L.Flatten(), L.Dense(40),
            L.Dense(10)),
        "torch_bn_bracket_prose.txt-": lambda: _torch(
            nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 16 * 16, 5)),
        "uncalled_function_and_variable.txt-build_cnn": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 3), L.MaxPooling2D(), L.Flatten(), L.Dense(10)),
        "uncalled_function_and_variable.txt-baseline": lambda: _keras(
            (28, 28, 1), L.Flatten(), L.Dense(128), L.Dense(10)),
        "keras_data_format_first.txt-": lambda: _keras(
            (32, 32, 3), L.Conv2D(6, (5, 5)), L.AveragePooling2D((2, 2)), L.Conv2D(16, (5, 5)),
            L.AveragePooling2D((2, 2)), L.Flatten(), L.Dense(120), L.Dense(10)),
        "doctest_torch_class.txt-": lambda: _torch(
            nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10)),
        "torch_no_imports_functional.txt-": lambda: _torch(
            nn.Conv2d(3, 8, 3), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.Dropout2d(0.25),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(576, 32), nn.Linear(32, 5)),
        "torch_print_repr.txt-": lambda: _torch(
            nn.Conv1d(2, 8, kernel_size=5, stride=2), nn.BatchNorm1d(8), nn.ReLU(),
            nn.Flatten(), nn.Linear(8 * 62, 4)),
        "keras_augmentation_tutorial_style.txt-model": lambda: _keras(
            (96, 96, 3), L.RandomFlip("horizontal"), L.RandomRotation(0.1), L.Rescaling(1 / 255),
            L.Conv2D(16, 3, padding="same"), L.MaxPooling2D(), L.Conv2D(32, 3, padding="same"),
            L.MaxPooling2D(), L.Dropout(0.2), L.Flatten(), L.Dense(64), L.Dense(3)),
        "torchinfo_summary_pasted.txt-": lambda: _torch(
            nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 24 * 24, 10)),
        "keras3_summary_pasted.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 3), L.Flatten(), L.Dense(10)),
        "keras_list_missing_commas.txt-": lambda: _keras(
            (30,), L.Dense(64), L.Dropout(0.3), L.Dense(32), L.Dense(1)),
    }


def _new_cases() -> dict[str, Callable[[], int]]:
    """Rows added with the tensor-method, open-size and sample-input readers."""
    import keras
    from keras import layers as L
    from torch import nn

    def block(cin: int, cout: int, stride: int = 1) -> list[Any]:  # a ResNet basic block
        mods = [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)]
        if stride != 1 or cin != cout:
            mods += [nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)]
        return mods

    def dw(cin: int, cout: int, stride: int) -> list[Any]:
        return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout)]

    def vgg(cfg: list[Any]) -> list[Any]:
        mods, c = [], 3
        for v in cfg:
            if v != "M":
                mods += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v)]
                c = v
        return mods

    def keras_graph(build: Callable[[Any], Any], shape: tuple[Any, ...]) -> int:
        inputs = keras.Input(shape=shape)
        return keras.Model(inputs, build(inputs)).count_params()

    def residual(x: Any, filters: int) -> Any:
        y = L.BatchNormalization()(L.Conv2D(filters, 3, padding="same")(x))
        y = L.BatchNormalization()(L.Conv2D(filters, 3, padding="same")(L.Activation("relu")(y)))
        return L.Activation("relu")(L.add([y, x]))

    def res_net(x: Any) -> Any:
        x = L.Conv2D(32, 3, padding="same")(x)
        x = residual(residual(x, 32), 32)
        return L.Dense(5)(L.GlobalAveragePooling2D()(x))

    def inception(x: Any) -> Any:
        t1 = L.Conv2D(16, 3, padding="same")(L.Conv2D(16, 1, padding="same")(x))
        t2 = L.Conv2D(16, 5, padding="same")(L.Conv2D(16, 1, padding="same")(x))
        t3 = L.Conv2D(16, 1, padding="same")(L.MaxPooling2D(3, 1, padding="same")(x))
        return L.Dense(10)(L.GlobalAveragePooling2D()(L.concatenate([t1, t2, t3], axis=3)))

    def text(x: Any) -> Any:
        x = L.Embedding(20000, 128)(x)
        x = L.Conv1D(128, 7, strides=3)(x)
        x = L.Conv1D(128, 7, strides=3)(x)
        return L.Dense(1)(L.Dense(128)(L.GlobalMaxPooling1D()(x)))

    def fcn(x: Any) -> Any:
        x = L.BatchNormalization()(L.Conv2D(32, 3, padding="same")(x))
        x = L.BatchNormalization()(L.Conv2D(64, 3, padding="same")(L.MaxPooling2D()(x)))
        return L.Dense(4)(L.GlobalAveragePooling2D()(x))

    def unet() -> int:
        def dc(a: int, b: int) -> list[Any]:
            return [nn.Conv2d(a, b, 3, padding=1), nn.Conv2d(b, b, 3, padding=1)]
        return _torch(*dc(3, 16), *dc(16, 32), nn.ConvTranspose2d(32, 16, 2, stride=2),
                      *dc(32, 16), nn.Conv2d(16, 2, 1))

    return {
        "torch_tensor_methods_cifar.txt-": lambda: _torch(
            nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1),
            nn.Linear(32 * 8 * 8, 128), nn.Linear(128, 10)),
        "torch_resnet_basicblock.txt-": lambda: _torch(
            nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), *block(16, 16),
            *block(16, 32, 2), *block(32, 64, 2), nn.Linear(64, 10)),
        "torch_functional_relu_chain.txt-": lambda: _torch(
            nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5), nn.Linear(320, 50), nn.Linear(50, 10)),
        "torch_features_classifier.txt-": lambda: _torch(
            nn.Conv2d(3, 64, 3, padding=1), nn.BatchNorm2d(64), nn.Conv2d(64, 128, 3, padding=1),
            nn.BatchNorm2d(128), nn.Conv2d(128, 256, 3, padding=1), nn.BatchNorm2d(256),
            nn.Linear(256 * 4 * 4, 512), nn.Linear(512, 100)),
        "torch_make_layers_cfg.txt-": lambda: _torch(
            *vgg([32, 32, "M", 64, 64, "M", 128, "M"]), nn.Linear(128, 10)),
        "torch_modulelist_mlp.txt-": lambda: _torch(
            nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 64), nn.Linear(64, 10)),
        "torch_conv_autoencoder.txt-": lambda: _torch(
            nn.Conv2d(1, 16, 3, 2, 1), nn.Conv2d(16, 32, 3, 2, 1),
            nn.ConvTranspose2d(32, 16, 3, 2, 1, 1), nn.ConvTranspose2d(16, 1, 3, 2, 1, 1)),
        "torch_notebook_torchsummary.txt-": lambda: _torch(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.Conv2d(32, 64, 3),
            nn.BatchNorm2d(64), nn.Linear(64 * 6 * 6, 600), nn.Linear(600, 120),
            nn.Linear(120, 10)),
        "torch_depthwise_separable.txt-": lambda: _torch(
            nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), *dw(32, 64, 1),
            *dw(64, 128, 2), *dw(128, 128, 1), *dw(128, 256, 2), nn.Linear(256, 10)),
        "torch_variable_old_style.txt-": lambda: _torch(
            nn.Conv2d(1, 20, 5, 1), nn.Conv2d(20, 50, 5, 1), nn.Linear(4 * 4 * 50, 500),
            nn.Linear(500, 10)),
        "torch_conv1d_signal.txt-": lambda: _torch(
            nn.Conv1d(1, 32, 5, padding=2), nn.BatchNorm1d(32), nn.Conv1d(32, 64, 5, padding=2),
            nn.BatchNorm1d(64), nn.Linear(64, 5)),
        "torch_lenet_bn_markdown.txt-": lambda: _torch(
            nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.Conv2d(6, 16, 5),
            nn.BatchNorm2d(16), nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)),
        "torch_residual_identity.txt-": lambda: _torch(
            nn.Conv2d(3, 32, 3, padding=1), *[m for _ in range(3) for m in (
                nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32),
                nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32))],
            nn.Linear(32, 10)),
        "torch_tiny_unet_cat.txt-": unet,
        "torch_ordereddict_print.txt-": lambda: _torch(
            nn.Conv2d(3, 20, 5), nn.Conv2d(20, 64, 5), nn.Linear(64, 10)),
        "torch_sequential_to_device.txt-": lambda: _torch(
            nn.Conv2d(1, 32, 3, 1), nn.Conv2d(32, 64, 3, 1), nn.Linear(9216, 128),
            nn.Linear(128, 10)),
        "torch_unet_skip_list.txt-": lambda: _torch(*[m for a, b in (
            (3, 64), (64, 128), (256, 128), (128, 64), (128, 256)) for m in (
                nn.Conv2d(a, b, 3, 1, 1, bias=False), nn.BatchNorm2d(b),
                nn.Conv2d(b, b, 3, 1, 1, bias=False), nn.BatchNorm2d(b))],
            nn.ConvTranspose2d(256, 128, 2, 2), nn.ConvTranspose2d(128, 64, 2, 2),
            nn.Conv2d(64, 1, 1)),
        "torch_dummy_pass_in_features.txt-": lambda: _torch(
            nn.Conv2d(1, 16, 3), nn.Conv2d(16, 32, 3), nn.Linear(32 * 5 * 5, 10)),
        "keras_functional_mnist_tutorial.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 3), L.MaxPooling2D(2), L.Conv2D(64, 3), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(10)),
        "keras_fully_conv_open_size.txt-": lambda: keras_graph(fcn, (None, None, 3)),
        "keras_add_loop_blocks.txt-": lambda: _keras(
            (32, 32, 3), *[m for f in (32, 64, 128) for m in (
                L.Conv2D(f, 3, padding="same"), L.Conv2D(f, 3, padding="same"),
                L.MaxPooling2D(2))], L.Flatten(), L.Dense(256), L.Dense(10)),
        "keras_residual_helper.txt-": lambda: keras_graph(res_net, (64, 64, 3)),
        "keras_text_conv1d_embedding.txt-": lambda: keras_graph(text, (500,)),
        "keras_colab_install_summary.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 5, padding="same"), L.Conv2D(32, 5, padding="same"),
            L.MaxPooling2D(2), L.Flatten(), L.Dense(256), L.Dense(10)),
        "keras1_core_layers_init.txt-": lambda: _keras(
            (64, 64, 3), L.Conv2D(32, 3), L.Conv2D(64, 3, strides=2), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(128), L.Dense(2)),
        "keras_separable_bn.txt-": lambda: _keras(
            (96, 96, 3), L.Conv2D(32, 3, strides=2, padding="same", use_bias=False),
            L.BatchNormalization(), L.SeparableConv2D(64, 3, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.SeparableConv2D(128, 3, strides=2, padding="same", use_bias=False),
            L.BatchNormalization(), L.GlobalAveragePooling2D(), L.Dense(3)),
        "keras_builder_called_kwargs.txt-": lambda: _keras(
            (48, 48, 1), L.Conv2D(16, 3), L.MaxPooling2D(2), L.Conv2D(32, 3), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(7)),
        "keras_so_traceback_question.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(64, 3), L.Conv2D(32, 3), L.Flatten(), L.Dense(10)),
        "keras_pima_mlp_input_dim.txt-": lambda: _keras((8,), L.Dense(12), L.Dense(8), L.Dense(1)),
        "keras_inception_concat.txt-": lambda: keras_graph(inception, (32, 32, 3)),
        "keras_subclassed_quickstart.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 3), L.Flatten(), L.Dense(128), L.Dense(10)),
        "keras_subclass_training.txt-": lambda: _keras(
            (64, 64, 3), L.Conv2D(32, 3, padding="same", use_bias=False), L.BatchNormalization(),
            L.Conv2D(64, 3, strides=2, padding="same"), L.GlobalAveragePooling2D(),
            L.Dropout(0.3), L.Dense(5)),
        "keras_fit_reshaped_data.txt-": lambda: _keras(
            (28, 28, 1), L.Conv2D(32, 3), L.MaxPooling2D(2), L.Conv2D(64, 3), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(64), L.Dense(10)),
        "keras_augmentation_inside_model.txt-": lambda: _keras(
            (180, 180, 3), L.RandomFlip("horizontal"), L.RandomRotation(0.1), L.Rescaling(1 / 255),
            L.Conv2D(16, 3, strides=2, padding="same"), L.Conv2D(32, 3, strides=2, padding="same"),
            L.GlobalAveragePooling2D(), L.Dense(1)),
    }


with (CORPUS / "counts.csv").open(encoding="utf-8") as _table:
    ROWS = list(csv.DictReader(_table))


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['file']}-{r['model']}" for r in ROWS])
def test_clean_form_has_the_tabled_count(row: dict[str, str]) -> None:
    build = {**_cases(), **_new_cases()}[f"{row['file']}-{row['model']}"]
    assert build() == int(row["answer"])
