"""MAC mistakes (the ``macs`` parts): one factor of positions × kernel area × C_in × C_out.

A MAC mistake changes one factor of :func:`generator.macs.mac_factors`; ``value`` gives
the count it leads to, or None where the mistake changes nothing. Graded by grader.macs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..macs import MacFactors
from .base import PRIORS, Step

__all__ = ["MAC_MISCONCEPTIONS", "MacMisconception", "mac_values"]


@dataclass(frozen=True)
class MacMisconception:
    """One catalogued MAC-counting mistake (``hint`` holds no numbers; ``{layer}`` filled in)."""

    id: str
    step: Step
    title: str
    hint: str
    formula: str
    value: Callable[[MacFactors], int | None]
    stars: int = 1

    @property
    def prior(self) -> float:
        return PRIORS[self.stars]


def _changed(new: int, f: MacFactors) -> int | None:
    return new if new != f.macs and new > 0 else None


MAC_MISCONCEPTIONS: dict[str, MacMisconception] = {m.id: m for m in (
    MacMisconception(
        "macs_bias_counted", Step.BIAS, "bias additions counted as MACs",
        "In {layer}, adding the bias is not a multiply-accumulate: MACs count kernel "
        "multiplications only.",
        "positions·k·C_in·C_out → positions·k·C_in·C_out + outputs",
        lambda f: _changed(f.macs + f.outputs, f) if f.bias else None, 2),
    MacMisconception(
        "macs_output_size_as_input", Step.OUTPUT_SIZE, "output size taken as input size",
        "In {layer}, the kernel is applied once per output position (per input position for "
        "a transposed convolution): use the output's H×W, not the input's.",
        "H_out·W_out·k·C_in·C_out → H_in·W_in·k·C_in·C_out",
        lambda f: _changed(f.macs // f.positions * f.other_positions, f), 2),
    MacMisconception(
        "macs_kernel_area_dropped", Step.KERNEL, "kernel area left out of the MACs",
        "In {layer}, every output value multiplies a whole k_h·k_w window (per input "
        "channel): multiply by the kernel area.",
        "positions·k_h·k_w·C_in·C_out → positions·C_in·C_out",
        lambda f: _changed(f.macs // f.kernel, f)),
    MacMisconception(
        "macs_channel_factor_dropped", Step.INPUT_DEPTH, "input-channel factor left out of the MACs",
        "In {layer}, each output value sums over all C_in input channels (C_in/g with groups): "
        "multiply by them.",
        "positions·k·C_in·C_out → positions·k·C_out",
        lambda f: _changed(f.macs // f.c_in, f)),
)}


def mac_values(f: MacFactors) -> dict[str, int]:
    """Each MAC misconception applied to one layer's factors -> the count it gives.

    >>> from generator.macs import mac_factors
    >>> from generator.layers import Conv
    >>> mac_values(mac_factors(Conv(rank=2, filters=8, kernel=(3, 3)), (10, 10, 4)))
    {'macs_bias_counted': 18944, 'macs_output_size_as_input': 28800, 'macs_kernel_area_dropped': 2048, 'macs_channel_factor_dropped': 4608}
    """
    out = {}
    for m in MAC_MISCONCEPTIONS.values():
        v = m.value(f)
        if v is not None:
            out[m.id] = v
    return out
