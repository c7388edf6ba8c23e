"""A layer's multiply-accumulates as factors: positions × kernel area × C_in × C_out.

The count itself is the layer's own :meth:`~generator.layers.Layer.macs`; the factors are
what a student multiplies, so the MAC misconceptions of :mod:`generator.misconceptions`
can change one of them. Layers whose MACs are not one product (a separable convolution)
have no factors.

>>> from generator.layers import Conv, Dense
>>> f = mac_factors(Conv(rank=2, filters=8, kernel=(3, 3)), (10, 10, 4))
>>> f.positions, f.kernel, f.c_in, f.c_out, f.macs
(64, 9, 4, 8, 18432)
>>> mac_factors(Dense(units=10), (250,)).macs
2500
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .layers import Conv, ConvTranspose, Dense, DepthwiseConv, Layer, Shape

__all__ = ["MacFactors", "mac_factors"]


@dataclass(frozen=True)
class MacFactors:
    """``positions`` the kernel is applied at (input positions for a transposed conv);
    ``other_positions`` the positions on the other side of the layer."""

    positions: int
    other_positions: int
    kernel: int
    c_in: int
    c_out: int
    outputs: int  # output values (one bias addition each when the layer has biases)
    bias: bool

    @property
    def macs(self) -> int:
        return self.positions * self.kernel * self.c_in * self.c_out


def mac_factors(layer: Layer, in_shape: Shape) -> MacFactors | None:
    """The factors of ``layer.macs(in_shape)``, or None when it is not one such product."""
    out = layer.output_shape(in_shape)
    i_pos, o_pos = math.prod(in_shape[:-1]), math.prod(out[:-1])
    f: MacFactors | None = None
    bias = bool(getattr(layer, "use_bias", False))
    if isinstance(layer, Conv):
        f = MacFactors(o_pos, i_pos, math.prod(layer.kernel), in_shape[-1] // layer.groups,
                       out[-1], math.prod(out), bias)
    elif isinstance(layer, ConvTranspose):
        f = MacFactors(i_pos, o_pos, math.prod(layer.kernel), in_shape[-1], out[-1],
                       math.prod(out), bias)
    elif isinstance(layer, DepthwiseConv):
        f = MacFactors(o_pos, i_pos, math.prod(layer.kernel), 1, out[-1], math.prod(out), bias)
    elif isinstance(layer, Dense):
        f = MacFactors(i_pos, i_pos, 1, in_shape[-1], out[-1], math.prod(out), bias)
    if f is None or f.macs != layer.macs(in_shape):
        return None  # the factors must give the layer's own count
    return f
