"""The words of a problem: the input, each layer (several phrasings), conventions, questions.

Pure functions from a network or problem to sentences; :mod:`generator.present` puts them
into template contexts. Phrasings are drawn from the ``random.Random`` passed in.

>>> plural(1, "filter"), dims((3, 3))
('1 filter', '3×3')
"""

from __future__ import annotations

import random
from typing import Any

from .layers import (
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Layer,
    Pool,
    PoolWeights,
    SeparableConv,
    fmt_shape,
    of,
)
from .layers.kinds.words import dims, plural
from .network import Count, Network, Node
from .parts import Form, Quantity, parse_part
from .problem import Problem, floors
from .render import num

__all__ = ["answer_text", "conventions", "dims", "input_label", "input_text", "layer_text",
           "plural", "question_text", "type_name"]

COLOR_NAMES = {"rgb": "RGB", "bgr": "BGR", "rgba": "RGBA", "cmyk": "CMYK",
               "gray": "grayscale", "grayscale": "grayscale"}




# -- the input ----------------------------------------------------------------------------------
def input_text(net: Network, rng: random.Random) -> str:
    inp = net.input
    sp = inp.spatial
    if len(sp) == 2 and inp.color:
        return f"a {dims(sp)} {COLOR_NAMES[inp.color]} image"
    if len(sp) == 1:
        return rng.choice((f"a sequence of length {sp[0]} with {plural(inp.channels, 'channel')} "
                           f"({sp[0]}×{inp.channels}, length × channels)",
                           f"a 1-D signal of {sp[0]} time steps and "
                           f"{plural(inp.channels, 'channel')}"))
    if len(sp) == 3:
        return (f"a volume of {dims(sp)} voxels (depth × height × width) with "
                f"{plural(inp.channels, 'channel')}")
    return rng.choice((f"a {dims(sp)}×{inp.channels} tensor (height × width × channels)",
                       f"a {dims(sp)} image with {plural(inp.channels, 'channel')}",
                       f"a tensor of shape {dims(sp)}×{inp.channels} (H×W×C)"))


def input_label(net: Network) -> str:
    """The input as a diagram shows it in a problem: a colour model keeps its channels unsaid.

    >>> from generator.spec import load_spec
    >>> input_label(load_spec({"input": {"shape": [8, 8], "color": "cmyk"},
    ...                        "layers": [{"type": "flatten"}]}))
    '8×8 CMYK'
    """
    inp = net.input
    if inp.color and len(inp.spatial) == 2:
        return f"{dims(inp.spatial)} {COLOR_NAMES[inp.color]}"
    return fmt_shape(inp.shape)


# -- one layer in words ---------------------------------------------------------------------
def layer_text(node: Node, net: Network, rng: random.Random, default_bias: bool) -> str:
    """A textbook description of one layer; the pattern is drawn from ``rng``."""
    layer: Layer = node.layer
    if node.shares:
        return rng.choice((f"the same convolution as {node.shares}, applied again: it reuses "
                           f"{node.shares}'s weights (shared, not copied)",
                           f"{node.shares} applied a second time (shared weights)"))
    return of(layer).words(layer, rng, default_bias)


def type_name(layer: Layer) -> str:
    """A short type label for tables and diagrams.

    >>> type_name(Conv(rank=2, filters=2, kernel=(3, 3)))
    'Conv2D'
    """
    return of(layer).glyph


# -- conventions ------------------------------------------------------------------------------
def _rounds(p: Problem) -> bool:
    return bool(floors(p.solution()))


def conventions(p: Problem, net: Network) -> list[str]:
    """Every convention that changes an answer, in words (the spec states them all too)."""
    conv = p.spec.get("conventions", {})
    layers = [n.layer for n in net.nodes]
    out: list[str] = []
    weighted = [L for L in layers if isinstance(L, Conv | ConvTranspose | DepthwiseConv |
                                                 SeparableConv | Dense)]
    if weighted:
        if conv.get("bias") == "false":
            out.append("Convolutional and dense layers have no bias terms unless a layer says "
                       "'with bias'.")
        else:
            out.append("Every convolutional and dense layer has biases (one per filter or unit) "
                       "unless a layer says 'without bias'.")
    if any(getattr(L, "padding", None) == "valid" for L in layers
           if isinstance(L, Conv | DepthwiseConv | SeparableConv)):
        out.append("'valid' padding means no zero padding.")
    if any(getattr(L, "padding", None) == "same" for L in layers if not isinstance(L, ConvTranspose)):
        out.append("'same' padding adds zeros so that the output size is the input size divided "
                   "by the stride (as in Keras).")
    pools = [L for L in layers if isinstance(L, Pool)]
    if pools and all(L.strides == L.kernel for L in pools):
        out.append("Pooling windows do not overlap: the stride equals the window size.")
    elif pools:
        out.append("Each pooling layer's stride is given with it; a window larger than its "
                   "stride overlaps the next one.")
    if _rounds(p):
        out.append("Where a window does not tile its input exactly, the output size is rounded "
                   "down (floor), as in Keras and PyTorch.")
    if pools:
        w = conv.get("pooling_weights", "none")
        if w == "coefficient_and_bias":
            out.append("As in LeNet-5, every pooling (subsampling) layer has one trainable "
                       "coefficient and one trainable bias per channel.")
        elif w == "coefficient":
            out.append("Every pooling (subsampling) layer has one trainable coefficient per "
                       "channel and no bias.")
        else:
            out.append("Pooling layers are plain max/average pooling, with no trainable "
                       "coefficients.")
    if any(isinstance(L, BatchNormalization) for L in layers):
        out.append("Batch normalization keeps a moving mean and a moving variance per channel; "
                   "they are non-trainable (as in Keras; PyTorch keeps them as buffers).")
    for n in net.nodes:
        if n.shares:
            out.append(f"{n.name} reuses the weights of {n.shares} (the same layer applied "
                       "again), so those weights exist once.")
    out += _counting(p, net)
    asked = [parse_part(x) for x in p.parts]
    if any(x.form is Form.SHAPE for x in asked):
        tail = " (even though PyTorch itself is channels first)" if p.style == "pytorch" else ""
        out.append(f"Give shapes channels last and without the batch axis, e.g. 28×28×16{tail}.")
    if any(Quantity.MACS in x.kind.counts for x in asked):
        out.append("A multiply-accumulate (MAC) is one weight times one input value added to a "
                   "sum; count kernel multiplications only (no bias additions, activations, "
                   "normalization or pooling), for one input example.")
    return out


# -- questions and answers ------------------------------------------------------------------
def _counting(p: Problem, net: Network) -> list[str]:
    """What 'parameters' means, said for the parts asked (never contradicting a part's key)."""
    asked = [parse_part(x) for x in p.parts]
    plain = [x for x in asked if Quantity.PARAMETERS in x.kind.counts]
    split = any(Quantity.NON_TRAINABLE in x.kind.counts for x in asked)
    frozen = any(isinstance(n.layer, BatchNormalization) for n in net.nodes)
    out = []
    if plain and net.count == Count.TOTAL:
        out.append("'Parameters' means all parameters, trainable and non-trainable.")
    elif plain and frozen:
        out.append("'Parameters' means trainable parameters only"
                   + (", except where a question asks for the non-trainable ones too."
                      if split else "."))
    return out


def _parameters(net: Network) -> str:
    """The words for the network's count convention."""
    if net.count == Count.TOTAL:
        return "parameters (trainable and non-trainable together)"
    return "trainable parameters"


def question_text(part: str, p: Problem, net: Network) -> str:
    """The question of one part, saying what it counts (see :mod:`generator.parts`)."""
    q = parse_part(part)
    name = q.kind.name
    if name == "total":
        if net.count == Count.TOTAL:
            return "How many parameters (trainable and non-trainable together) does the network have?"
        return "How many trainable parameters does the network have in total?"
    if name == "per_layer":
        return (f"How many {_parameters(net)} does each layer have? Write 0 for a layer "
                "without weights; a layer that reuses another layer's weights adds 0.")
    if name == "shape":
        return f"What is the output shape of {q.layer}?"
    if name == "weights_biases":
        bn = any(isinstance(n.layer, BatchNormalization) for n in net.nodes)
        pool = any(isinstance(n.layer, Pool) and n.layer.trainable != PoolWeights.NONE
                   for n in net.nodes)
        notes = []
        if bn:
            notes.append("batch normalization's γ counts as weights, β as biases")
        if pool:
            notes.append("pooling coefficients count as weights")
        tail = f" ({'; '.join(notes)})" if notes else ""
        return ("Of the trainable parameters, how many are weights and how many are biases? "
                f"Give both numbers, weights first.{tail}")
    if name == "trainable_split":
        return ("How many parameters are trainable, and how many are non-trainable? "
                "Give both numbers, trainable first.")
    if q.layer:
        return f"How many multiply-accumulate operations (MACs) does {q.layer} perform?"
    return "How many multiply-accumulate operations (MACs) does each layer with a kernel perform?"


def answer_text(part: str, value: Any) -> str:
    """An answer as the key prints it.

    >>> answer_text("shape:conv1", [28, 28, 16]), answer_text("total", 61706)
    ('28×28×16', '61,706')
    """
    if parse_part(part).form is Form.SHAPE:
        return fmt_shape(value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', '-')} {num(v) if isinstance(v, int) else v}"
                         for k, v in value.items())
    return num(value) if isinstance(value, int) else str(value)
