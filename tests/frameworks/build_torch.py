"""Build one of our networks as a real PyTorch model; read its shapes and counts from PyTorch.

PyTorch is channels-first; the model keeps its tensors that way and the reported shapes are
permuted to channels-last (without the batch axis) for comparison. Counts come from PyTorch's own
de-duplicated ``parameters()`` (a module called twice is counted once) and, for batch
normalisation, from its ``running_mean``/``running_var`` buffers.

This module never imports ``generator.formulas``: it reads the layers' dataclass fields and
lets PyTorch do the arithmetic. It also holds the result types both builders return
(:class:`Summary`, :class:`Row`), :class:`Unsupported` and :func:`mismatches`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from generator.layers import (
    Activation,
    AdaptivePool,
    BatchNormalization,
    Conv,
    ConvTranspose,
    Cropping,
    Dense,
    DepthwiseConv,
    Dropout,
    Embedding,
    Flatten,
    GlobalPool,
    GroupNormalization,
    Identity,
    Layer,
    LayerNormalization,
    LocalResponseNormalization,
    Merge,
    Parameter,
    Permute,
    Pool,
    PoolWeights,
    PReLU,
    Reshape,
    Resizing,
    SeparableConv,
    UpSampling,
    Windowed,
    ZeroPadding,
)
from generator.layers.reshape import PixelShuffle
from generator.network import Network, Node, Solution, sources

__all__ = ["Row", "Summary", "Unsupported", "mismatches", "torch_model", "torch_summary"]

WeightInfo = tuple[str, tuple[int, ...], bool]  # (name, shape, trainable)


@dataclass(frozen=True)
class Row:
    """One node as a framework sees it; ``weights`` only where the layout matches ours (Keras)."""

    name: str
    out_shape: tuple[int, ...]
    trainable: int
    non_trainable: int
    weights: tuple[WeightInfo, ...] | None = None


@dataclass(frozen=True)
class Summary:
    framework: str
    rows: tuple[Row, ...]
    trainable: int
    non_trainable: int


class Unsupported(Exception):
    """The framework cannot express this network; the message says why."""


def mismatches(solution: Solution, summary: Summary) -> list[str]:
    """Every difference between our solution and a framework's summary (empty when equal)."""
    fw = summary.framework
    out: list[str] = []
    if len(solution.rows) != len(summary.rows):
        return [f"{fw}: {len(summary.rows)} rows, ours {len(solution.rows)}"]
    for ours, theirs in zip(solution.rows, summary.rows, strict=True):
        got = (theirs.out_shape, theirs.trainable, theirs.non_trainable)
        want = (ours.out_shape, ours.trainable, ours.non_trainable)
        if got != want:
            out.append(f"{fw} {ours.name}: (shape, trainable, non-trainable) {got}, ours {want}")
        if theirs.weights is not None:
            mine = tuple((w.name, w.shape, w.trainable) for w in ours.weights)
            if mine != theirs.weights:
                out.append(f"{fw} {ours.name}: weights {theirs.weights}, ours {mine}")
    totals = (summary.trainable, summary.non_trainable)
    if totals != (solution.trainable, solution.non_trainable):
        out.append(f"{fw} totals (trainable, non-trainable) {totals}, "
                   f"ours {(solution.trainable, solution.non_trainable)}")
    return out


# -- small modules PyTorch lacks ------------------------------------------------------------
def tf_same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding of one axis (its documented rule), as (before, after).

    >>> tf_same_pads(7, 3, 2, 1), tf_same_pads(8, 4, 2, 1), tf_same_pads(5, 1, 3, 1)
    ((1, 1), (1, 1), (0, 0))
    """
    k_eff = d * (k - 1) + 1
    total = max(k_eff - s, 0) if n % s == 0 else max(k_eff - n % s, 0)
    return total // 2, total - total // 2


class TfSamePad(nn.Module):
    """Pads like TensorFlow's 'same' (extra zero at the end), computed from the input size."""

    def __init__(self, kernel: tuple[int, ...], strides: tuple[int, ...],
                 dilation: tuple[int, ...], value: float = 0.0) -> None:
        super().__init__()
        self.kernel, self.strides, self.dilation, self.value = kernel, strides, dilation, value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads: list[int] = []
        for i in reversed(range(len(self.kernel))):  # F.pad wants the last axis first
            pads += tf_same_pads(x.shape[2 + i], self.kernel[i], self.strides[i], self.dilation[i])
        return F.pad(x, pads, value=self.value)


class Scale(nn.Module):
    """A module attribute ``nn.Parameter`` combined with the (channels-first) input."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.p = nn.Parameter(torch.zeros(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.p


class LastAxis(nn.Module):
    """Applies a module to the channels axis moved last (Keras's Dense, Flatten order)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.inner(x.movedim(1, -1))
        return y.movedim(-1, 1) if y.dim() == x.dim() else y


class PoolParams(nn.Module):
    """LeNet-5's per-channel trainable coefficient and optional bias of a subsampling layer."""

    def __init__(self, channels: int, bias: bool) -> None:
        super().__init__()
        self.coefficient = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None


class TrainablePool(nn.Module):
    """A pooling op whose output is multiplied by a coefficient (plus a bias) per channel."""

    def __init__(self, pool: nn.Module, params: PoolParams) -> None:
        super().__init__()
        self.pool, self.params = pool, params

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pool(x)
        view = (1, -1) + (1,) * (y.dim() - 2)
        y = y * self.params.coefficient.view(view)
        return y if self.params.bias is None else y + self.params.bias.view(view)


class Functional(nn.Module):
    """Calls a shared conv module's weights through ``F.conv*`` with other strides/padding."""

    def __init__(self, conv: nn.Module, fn: Callable[..., torch.Tensor], **geometry: object) -> None:
        super().__init__()
        self.conv, self.fn, self.geometry = conv, fn, geometry

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x, self.conv.weight, self.conv.bias, groups=self.conv.groups,
                       **self.geometry)


class SharedBatchNorm(nn.Module):
    """A BatchNorm module's weights and statistics on an input of another rank (F.batch_norm)."""

    def __init__(self, bn: nn.Module) -> None:
        super().__init__()
        self.bn = bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bn = self.bn
        return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0,
                            bn.eps)


class ChannelsLast(nn.Module):
    """A shape function applied to the channels-last view (Keras's Reshape/Permute order)."""

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.fn(x.movedim(1, -1) if x.dim() > 2 else x)
        return y.movedim(-1, 1) if y.dim() > 2 else y


class Crop(nn.Module):
    def __init__(self, pairs: tuple[tuple[int, int], ...]) -> None:
        super().__init__()
        self.pairs = pairs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        index = [slice(None), slice(None)] + [slice(a, x.shape[i + 2] - b)
                                              for i, (a, b) in enumerate(self.pairs)]
        return x[tuple(index)]


class TokenEmbedding(nn.Module):
    """nn.Embedding, its (batch, L, D) output laid out channels first (batch, D, L)."""

    def __init__(self, v: int, d: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(v, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embedding(x.long().clamp(0, self.embedding.num_embeddings - 1)).movedim(-1, 1)


class MergeOp(nn.Module):
    """A Keras merge with torch ops, on channels-first tensors (axis moved accordingly)."""

    def __init__(self, op: str, dim: int) -> None:
        super().__init__()
        self.op, self.dim = op, dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        if self.op == "concatenate":
            return torch.cat(xs, dim=self.dim)
        if self.op == "subtract":
            return xs[0] - xs[1]
        if self.op == "average":
            return torch.stack(torch.broadcast_tensors(*xs)).mean(0)
        fns = {"add": torch.add, "multiply": torch.mul, "maximum": torch.maximum,
               "minimum": torch.minimum}
        y = xs[0]
        for x in xs[1:]:
            y = fns[self.op](y, x)
        return y


def torch_dim(axis: int, rank: int) -> int:
    """The torch (channels-first, batch counted) dim of a Keras concatenation axis.

    ``rank`` counts the axes without the batch; Keras's -1 (channels) is torch's dim 1.
    """
    index = (axis if axis < 0 else axis - 1) % rank  # channels-last, no batch
    if rank == 1:
        return 1
    return 1 if index == rank - 1 else index + 2


class Chain(nn.Module):
    """The steps in graph order, each fed by its sources; a shared module appears more than
    once and PyTorch counts it once."""

    def __init__(self, steps: list[nn.Module], srcs: tuple[tuple[str, ...], ...],
                 names: list[str], inputs: list[str]) -> None:
        super().__init__()
        self.steps = nn.ModuleList(steps)
        self.srcs, self.names, self.inputs = srcs, names, inputs

    def forward(self, *xs: torch.Tensor) -> list[torch.Tensor]:
        values = dict(zip(self.inputs, xs, strict=True))
        outs = []
        for step, srcs, name in zip(self.steps, self.srcs, self.names, strict=True):
            y = step(*(values[s] for s in srcs))
            values[name] = y
            outs.append(y)
        return outs


# -- translation ----------------------------------------------------------------------------
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "elu": nn.ELU, "selu": nn.SELU,
    "gelu": nn.GELU, "softplus": nn.Softplus, "linear": nn.Identity,
    "softmax": lambda: nn.Softmax(dim=1),  # Keras's softmax acts on the channels axis
}


def _nd(name: str, rank: int) -> Callable[..., nn.Module]:
    return getattr(nn, f"{name}{rank}d")  # type: ignore[no-any-return]


def _padded(layer: Windowed, op: nn.Module, *, pad_value: float = 0.0,
            same_native: bool = False) -> tuple[nn.Module, object]:
    """The torch ``padding`` argument for a windowed layer, and a pre-padding module if needed."""
    if layer.explicit_padding:
        return op, layer.padding
    if layer.padding == "valid":
        return op, 0
    if same_native and all(s == 1 for s in layer.strides):
        return op, "same"
    return TfSamePad(layer.kernel, layer.strides, layer.dilation, pad_value), 0


def _windowed(layer: Windowed, make: Callable[[object], nn.Module], *, pad_value: float = 0.0,
              same_native: bool = True) -> nn.Module:
    pre, padding = _padded(layer, nn.Identity(), pad_value=pad_value, same_native=same_native)
    core = make(padding)
    return core if isinstance(pre, nn.Identity) else nn.Sequential(pre, core)


def _conv(layer: Conv, c: int) -> nn.Module:
    cls = _nd("Conv", layer.rank)
    return _windowed(layer, lambda p: cls(c, layer.filters, layer.kernel, layer.strides, p,
                                          layer.dilation, layer.groups, layer.use_bias))


def _depthwise(layer: DepthwiseConv, c: int) -> nn.Module:
    cls, m = _nd("Conv", layer.rank), layer.depth_multiplier
    return _windowed(layer, lambda p: cls(c, c * m, layer.kernel, layer.strides, p,
                                          layer.dilation, c, layer.use_bias))


def _separable(layer: SeparableConv, c: int) -> nn.Module:
    cls, m = _nd("Conv", layer.rank), layer.depth_multiplier
    depthwise = _windowed(layer, lambda p: cls(c, c * m, layer.kernel, layer.strides, p,
                                               layer.dilation, c, False))
    return nn.Sequential(depthwise, cls(c * m, layer.filters, 1, bias=layer.use_bias))


def _transpose_args(layer: ConvTranspose) -> tuple[object, object]:
    """(padding, output_padding) where PyTorch's rule and ours coincide; else Unsupported."""
    op = layer.output_padding or 0
    if layer.explicit_padding:
        return layer.padding, op
    wide = all(d * (k - 1) + 1 >= s
               for k, s, d in zip(layer.kernel, layer.strides, layer.dilation, strict=True))
    if layer.padding == "valid" and (wide or layer.output_padding is not None):
        return 0, op
    raise Unsupported(f"{layer.name}: PyTorch's ConvTranspose has no Keras '{layer.padding}' "
                      "rule for this kernel/stride; Keras checks it")


def _transpose(layer: ConvTranspose, c: int) -> nn.Module:
    padding, op = _transpose_args(layer)
    return _nd("ConvTranspose", layer.rank)(c, layer.filters, layer.kernel, layer.strides,
                                            padding, op, 1, layer.use_bias, layer.dilation)


def _pool_op(layer: Pool) -> nn.Module:
    cls = _nd("MaxPool" if layer.op == "max" else "AvgPool", layer.rank)
    # max pooling ignores 'same' padding, as TensorFlow does; the value never changes a shape
    return _windowed(layer, lambda p: cls(layer.kernel, layer.strides, p),
                     pad_value=-math.inf if layer.op == "max" else 0.0, same_native=False)


def _batch_norm(layer: BatchNormalization, rank: int, c: int) -> nn.Module:
    bn = _nd("BatchNorm", max(rank - 1, 1))(c, affine=layer.center or layer.scale)
    # Keras can drop gamma or beta alone; PyTorch's batch_norm accepts weight/bias None
    if not layer.scale:
        bn.register_parameter("weight", None)
    if not layer.center:
        bn.register_parameter("bias", None)
    return bn


def _module(layer: Layer, shape: tuple[int, ...]) -> nn.Module:
    """A fresh PyTorch module for a layer applied to a channels-last ``shape``."""
    c, rank = shape[-1], len(shape)
    if isinstance(layer, Conv):
        return _conv(layer, c)
    if isinstance(layer, ConvTranspose):
        return _transpose(layer, c)
    if isinstance(layer, DepthwiseConv):
        return _depthwise(layer, c)
    if isinstance(layer, SeparableConv):
        return _separable(layer, c)
    if isinstance(layer, Pool):
        if layer.trainable == PoolWeights.NONE:
            return _pool_op(layer)
        return TrainablePool(_pool_op(layer),
                             PoolParams(c, layer.trainable == PoolWeights.COEFFICIENT_AND_BIAS))
    if isinstance(layer, AdaptivePool):
        op = "AdaptiveMaxPool" if layer.op == "max" else "AdaptiveAvgPool"
        return _nd(op, layer.rank)(layer.output_size)
    if isinstance(layer, GlobalPool):
        pool = _nd("AdaptiveMaxPool" if layer.op == "max" else "AdaptiveAvgPool", layer.rank)(1)
        return pool if layer.keepdims else nn.Sequential(pool, nn.Flatten(1))
    if isinstance(layer, Flatten):
        return LastAxis(nn.Flatten(1))  # channels-last order, as Keras flattens
    if isinstance(layer, Dense):
        return LastAxis(nn.Linear(c, layer.units, bias=layer.use_bias))  # acts on the last axis
    if isinstance(layer, Dropout):
        return nn.Dropout(layer.rate)
    if isinstance(layer, Activation):
        if layer.activation not in ACTIVATIONS:
            raise Unsupported(f"{layer.name}: no PyTorch module for activation {layer.activation!r}")
        return ACTIVATIONS[layer.activation]()
    if isinstance(layer, BatchNormalization):
        return _batch_norm(layer, rank, c)
    if isinstance(layer, Parameter):
        return Scale(layer.shape)
    if isinstance(layer, PixelShuffle):
        return nn.PixelShuffle(layer.upscale_factor)
    if isinstance(layer, Resizing):
        return nn.Upsample(size=layer.size, mode="nearest")
    if isinstance(layer, UpSampling):
        return nn.Upsample(scale_factor=tuple(float(f) for f in layer.size), mode="nearest")
    if isinstance(layer, Cropping):
        return Crop(layer.cropping)
    if isinstance(layer, ZeroPadding):
        flat = tuple(p for pair in reversed(layer.padding) for p in pair)  # last axis first
        return _nd("ZeroPad", layer.rank)(flat)
    if isinstance(layer, Reshape):
        target = layer.target_shape
        return ChannelsLast(lambda x: x.reshape(x.shape[0], *target))
    if isinstance(layer, Permute):
        dims = layer.dims
        return ChannelsLast(lambda x: x.permute(0, *dims))
    if isinstance(layer, Identity):
        return nn.Identity()
    if isinstance(layer, GroupNormalization):
        if layer.center != layer.scale:
            raise Unsupported(f"{layer.name}: nn.GroupNorm has γ and β together (affine)")
        return nn.GroupNorm(layer.groups, c, affine=layer.scale)
    if isinstance(layer, LayerNormalization):
        if layer.scale is False and layer.center:
            raise Unsupported(f"{layer.name}: nn.LayerNorm has no β without γ")
        axes = layer.axes(shape)
        if axes != tuple(range(rank - len(axes), rank)):
            raise Unsupported(f"{layer.name}: axes {layer.axis} are not trailing channels last")
        normalized = tuple(shape[i] for i in axes)
        return LastAxis(nn.LayerNorm(normalized, elementwise_affine=layer.scale,
                                     bias=layer.center))
    if isinstance(layer, PReLU):
        spatial = set(range(1, rank))
        if set(layer.shared_axes) == spatial | {rank}:
            return nn.PReLU(1)
        if set(layer.shared_axes) == spatial and rank > 1:
            return nn.PReLU(c)
        raise Unsupported(f"{layer.name}: nn.PReLU has one slope or one per channel only")
    if isinstance(layer, Embedding):
        return TokenEmbedding(layer.input_dim, layer.output_dim)
    if isinstance(layer, LocalResponseNormalization):
        if rank < 2:
            raise Unsupported(f"{layer.name}: nn.LocalResponseNorm needs spatial axes")
        return nn.LocalResponseNorm(layer.size)
    raise Unsupported(f"{layer.name}: no PyTorch translation for {type(layer).__name__}")


def _core(module: nn.Module) -> nn.Module:
    """The weight-holding conv inside a (pre-pad, conv) Sequential."""
    return module[-1] if isinstance(module, nn.Sequential) else module


def _geometry(layer: Layer) -> tuple[object, ...]:
    return tuple(getattr(layer, f, None) for f in ("strides", "padding", "dilation"))


def _restrided(node: Node, module: nn.Module, shape: tuple[int, ...]) -> nn.Module:
    """A sharing node with its own strides/padding/dilation (or BN rank), on the owner's weights."""
    layer, rank = node.layer, len(shape) - 1
    if isinstance(layer, BatchNormalization):
        return SharedBatchNorm(module)
    if isinstance(layer, Pool):
        return TrainablePool(_pool_op(layer), module.params)
    if isinstance(layer, ConvTranspose):
        padding, op = _transpose_args(layer)
        fn = getattr(F, f"conv_transpose{rank}d")
        return Functional(module, fn, stride=layer.strides, padding=padding,
                          output_padding=op, dilation=layer.dilation)
    if isinstance(layer, Conv | DepthwiseConv | SeparableConv):
        depthwise = module[0] if isinstance(layer, SeparableConv) else module
        fn = getattr(F, f"conv{rank}d")
        step = _windowed(layer, lambda p: Functional(_core(depthwise), fn, stride=layer.strides,
                                                     padding=p, dilation=layer.dilation))
        return nn.Sequential(step, module[1]) if isinstance(layer, SeparableConv) else step
    raise Unsupported(f"{layer.name}: cannot re-stride a shared {layer.kind}")


def _zeros(shape: tuple[int, ...]) -> torch.Tensor:
    return torch.zeros(1, shape[-1], *shape[:-1])


def torch_model(network: Network) -> Chain:
    """The network as a PyTorch module (eval mode); sharing nodes reuse the owner's module."""
    modules: dict[str, nn.Module] = {}
    layers: dict[str, Layer] = {}
    ranks: dict[str, int] = {}  # input rank of each node (BatchNorm{1,2,3}d is rank-bound)
    steps: list[nn.Module] = []
    srcs = sources(network)
    values = {k: _zeros(v.shape) for k, v in network.input_specs.items()}
    for node, src in zip(network.nodes, srcs, strict=True):
        layer = node.layer
        xs = [values[s] for s in src]
        x = xs[0]
        shape = _channels_last(x)
        if isinstance(layer, Merge):
            step = MergeOp(layer.op, torch_dim(layer.axis, len(shape)))
            steps.append(step)
            with torch.no_grad():
                values[node.name] = step(*xs)
            continue
        if (isinstance(layer, Pool) and layer.op == "average" and layer.rank == 3
                and layer.explicit_padding
                and any(n < k for n, k in zip(shape, layer.kernel, strict=False))):
            raise Unsupported(f"{layer.name}: PyTorch's avg_pool3d refuses an input smaller than "
                              "the pool size even when the padding covers it")
        if node.shares is None:
            module = _module(layer, shape)
            if getattr(layer, "frozen", False):
                module.requires_grad_(False)
        elif (_geometry(layer) == _geometry(layers[node.shares])
              and not (isinstance(layer, BatchNormalization) and ranks[node.shares] != len(shape))):
            module = modules[node.shares]  # the same module object, called twice
        else:
            module = _restrided(node, modules[node.shares], shape)
        modules[layer.name], layers[layer.name], ranks[layer.name] = module, layer, len(shape)
        steps.append(module)
        with torch.no_grad():
            values[node.name] = module.eval()(x)
    return Chain(steps, srcs, [n.name for n in network.nodes],
                 list(network.input_specs)).eval()


def _channels_last(y: torch.Tensor) -> tuple[int, ...]:
    return tuple((y.movedim(1, -1) if y.dim() > 2 else y).shape[1:])


# BN's running statistics are buffers in PyTorch, not parameters; we count running_mean and
# running_var as non-trainable to match Keras's moving_mean/moving_variance, and leave out
# num_batches_tracked (a step counter Keras does not have).
STAT_BUFFERS = ("running_mean", "running_var")


def _tensors(module: nn.Module) -> list[tuple[torch.Tensor, bool]]:
    """(tensor, trainable) for the module's parameters and BN statistics, each once."""
    out = [(p, p.requires_grad) for p in module.parameters()]
    out += [(b, False) for n, b in module.named_buffers() if n.rsplit(".", 1)[-1] in STAT_BUFFERS]
    return out


def _split(tensors: list[tuple[torch.Tensor, bool]]) -> tuple[int, int]:
    return (sum(t.numel() for t, tr in tensors if tr), sum(t.numel() for t, tr in tensors if not tr))


def torch_summary(network: Network) -> Summary:
    """Build the network in PyTorch, run a forward pass and report shapes and counts."""
    model = torch_model(network)
    with torch.no_grad():
        outs = model(*(torch.randn(1, v.shape[-1], *v.shape[:-1])
                       for v in network.input_specs.values()))
    seen: set[int] = set()
    rows = []
    for node, step, y in zip(network.nodes, model.steps, outs, strict=True):
        new = [(t, tr) for t, tr in _tensors(step) if id(t) not in seen]  # a shared one: none new
        seen.update(id(t) for t, _ in new)
        rows.append(Row(node.name, _channels_last(y), *_split(new)))
    return Summary("torch", tuple(rows), *_split(_tensors(model)))
