"""The pieces every model listing prints, chain (:mod:`.codegen`) or graph
(:mod:`.graph_code`): one layer's Keras or PyTorch snippet (from the layer registry), which
layers a ReLU follows, and the helper classes for LeNet-style trainable pooling.
"""

from __future__ import annotations

from .errors import ConfigError
from .layers import (
    Code,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Layer,
    Pool,
    PoolWeights,
    SeparableConv,
    of,
)
from .network import Network

__all__ = ["SAMPLE_NOTE", "TORCH_POOL_HELPER", "keras_helpers", "keras_snippet", "last_dense",
           "relu_after", "torch_sample", "torch_snippet", "tuple_literal"]

#: the comment after a PyTorch listing's sample batch
SAMPLE_NOTE = "  # a batch of two inputs, channels first (this also sizes the lazy layer)"


def tuple_literal(shape: tuple[int, ...]) -> str:
    """A shape as Python writes a tuple.

    >>> tuple_literal((8, 8, 3)), tuple_literal((10,))
    ('(8, 8, 3)', '(10,)')
    """
    return f"({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})"


def torch_sample(shape: tuple[int, ...]) -> str:
    """A batch of two zero inputs of a (channels-last) shape, as PyTorch takes it: channels first.

    >>> torch_sample((8, 8, 3))
    'torch.zeros(2, 3, 8, 8)'
    """
    return f"torch.zeros(2, {', '.join(map(str, (shape[-1], *shape[:-1])))})"


def last_dense(net: Network) -> str | None:
    """The name of the network's last dense layer (its output), if any."""
    dense = [n.name for n in net.nodes if isinstance(n.layer, Dense)]
    return dense[-1] if dense else None


def relu_after(net: Network) -> dict[str, bool]:
    """Which layers the listing follows by a ReLU: convolutions and dense layers but the
    last dense one (the output); activations change no count."""
    last = last_dense(net)
    return {n.name: isinstance(n.layer, Conv | Dense | SeparableConv | DepthwiseConv
                               | ConvTranspose) and n.name != last for n in net.nodes}


# -- Keras ---------------------------------------------------------------------------------
KERAS_POOL_HELPER = '''

class TrainablePooling{r}D(layers.Layer):
    """{Op} pooling, then one trainable coefficient (and bias) per channel, as in LeNet-5."""

    def __init__(self, pool_size, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.{Op}Pooling{r}D(pool_size)
        self.use_bias = use_bias

    def build(self, input_shape):
        channels = input_shape[-1]
        self.coefficient = self.add_weight(shape=(channels,), initializer="ones")
        if self.use_bias:
            self.bias = self.add_weight(shape=(channels,), initializer="zeros")

    def call(self, x):
        y = self.pool(x) * self.coefficient
        return y + self.bias if self.use_bias else y
'''


def keras_snippet(layer: Layer, relu: bool) -> str:
    """The Keras 3 constructor call of one layer (``layers.Conv2D(...)``)."""
    return of(layer).keras_source(layer, Code(in_shape=(), relu=relu))


def keras_helpers(net: Network) -> str:
    """The trainable-pooling helper classes the network's Keras listing needs ("" if none)."""
    pools = {(n.layer.rank, n.layer.op) for n in net.nodes
             if isinstance(n.layer, Pool) and n.layer.trainable != PoolWeights.NONE}
    if len({r for r, _ in pools}) < len(pools):
        raise ConfigError("mixed max/average trainable pooling of one rank; show it as prose.")
    return "".join(KERAS_POOL_HELPER.format(r=r, Op="Max" if op == "max" else "Average")
                   for r, op in sorted(pools))


# -- PyTorch --------------------------------------------------------------------------------
TORCH_POOL_HELPER = '''

class TrainablePool(nn.Module):
    """Pooling, then one trainable coefficient (and bias) per channel, as in LeNet-5."""

    def __init__(self, pool, channels, bias=True):
        super().__init__()
        self.pool = pool
        self.coefficient = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = self.pool(x) * self.coefficient.view(shape)
        return y if self.bias is None else y + self.bias.view(shape)
'''


def torch_snippet(layer: Layer, in_shape: tuple[int, ...], first_dense: bool,
                  lazy: bool = False) -> str:
    """The PyTorch module constructor of one layer (``nn.Conv2d(...)``); ``lazy``: the
    hard listing's ``nn.LazyConv2d``/``nn.LazyLinear``."""
    return of(layer).torch_source(layer, Code(in_shape=in_shape, first_dense=first_dense,
                                              lazy=lazy))
