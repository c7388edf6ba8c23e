"""The misconception catalogue as data: stable ids, the step each changes, the formula change.

One module per family holds its entries (:mod:`.conv`, :mod:`.dense`, :mod:`.pool_norm`,
:mod:`.shapes`, :mod:`.graph`; MAC and pair mistakes in :mod:`.macs`, :mod:`.pairs`); the
vocabulary (:class:`Step`, :class:`Misconception`, priors) is in :mod:`.base`. Here the
families are joined in one catalogue, in a fixed order, and applied to networks.

Each :class:`Misconception` changes one formula step through the hooks listed in
:mod:`.base` and reuses the layers' own code.

Ids never contain digits or drawn numbers; other tools (generator, exporters) rely on them.

>>> from generator.spec import load_spec
>>> quiz = load_spec({"input": {"shape": [300, 300], "color": "rgb"},
...                   "layers": [{"type": "conv2d", "filters": 100, "kernel": 5}]})
>>> apply(quiz, [("conv_no_bias", None)]).total, apply(quiz, [("conv_no_cin", "conv2d")]).total
(7500, 2600)
>>> catalogue_values(quiz)["color_as_gray"]
2600
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..buggy import INPUT, BuggyResult, Engine
from ..errors import ConfigError
from ..network import Network
from . import conv, dense, graph, pool_norm, shapes
from .base import PRIORS, Misconception, Step
from .macs import MAC_MISCONCEPTIONS, MacMisconception, mac_values
from .pairs import PAIR_MISCONCEPTIONS, PairMisconception

__all__ = ["MAC_MISCONCEPTIONS", "MISCONCEPTIONS", "ORDER", "PAIR_MISCONCEPTIONS", "PRIORS",
           "PROBE_ORDER", "BuggyResult", "MacMisconception", "Misconception", "PairMisconception", "Step",
           "active_map", "apply", "catalogue_values", "engine", "iter_values", "mac_values"]

#: the whole catalogue, family by family (the order is part of the data: ties break by it)
_CATALOGUE: tuple[Misconception, ...] = (
    *conv.ENTRIES, *dense.ENTRIES, *pool_norm.ENTRIES, *shapes.ENTRIES, *graph.ENTRIES)

#: id -> misconception, in catalogue order
MISCONCEPTIONS: dict[str, Misconception] = {m.id: m for m in _CATALOGUE}
ORDER = {m: i for i, m in enumerate(MISCONCEPTIONS)}


#: the ids most often in a collision that makes the generator redraw (measured on 1,500
#: bench variants, seeds 50,000-51,499: each is in at least 50 of the 906 redraws)
_COLLIDING = ("missing_plus_one", "flatten_omitted", "valid_same_confusion",
              "explicit_padding_ignored", "flatten_forgets_channels", "padding_one_side",
              "pool_changes_depth", "conv_single_bias", "dense_no_bias", "conv_no_bias",
              "dense_single_bias", "skip_downsampling_layer", "color_as_gray",
              "kernel_size_as_filters", "nonparam_layer_counted", "filters_from_other_layer",
              "pooling_given_scale_bias", "kernel_dims_incomplete")

#: the whole catalogue, the likeliest collisions first: the redraw check's order (whether
#: the values are pairwise distinct does not depend on it; a redraw is found sooner)
PROBE_ORDER: tuple[str, ...] = (*_COLLIDING, *(m for m in MISCONCEPTIONS if m not in _COLLIDING))


def engine(network: Network) -> Engine:
    """A compiled engine for ``network`` over the whole catalogue."""
    return Engine(network, MISCONCEPTIONS)


def _layer_index(eng: Engine, name: str | None) -> int | None:
    if name is None:
        return None
    if name == "input":
        return INPUT
    try:
        return eng.names.index(name)
    except ValueError:
        raise ConfigError(f"no layer named '{name}'; layers: {', '.join(eng.names)}.") from None


def active_map(eng: Engine, sites: Iterable[tuple[str, str | int | None]]) -> dict[int, tuple[str, ...]]:
    """Per layer index, the ids active there (None = every layer the misconception fits)."""
    active: dict[int, set[str]] = {}
    for mid, where in sites:
        if mid not in MISCONCEPTIONS:
            raise KeyError(f"unknown misconception {mid!r}")
        idx = where if isinstance(where, int) else _layer_index(eng, where)
        for i in (eng.fits(mid) if idx is None else (idx,)):
            active.setdefault(i, set()).add(mid)
    return {i: tuple(sorted(ids, key=ORDER.__getitem__)) for i, ids in active.items()}


def apply(network: Network | Engine, sites: Iterable[tuple[str, str | None]]) -> BuggyResult:
    """Solve ``network`` as a student holding these misconceptions, error carried forward.

    A site is (misconception id, layer name), or (id, None) for every layer it fits.

    >>> from generator.spec import load_spec
    >>> net = load_spec({"input": {"shape": [32, 32], "channels": 16},
    ...                  "layers": [{"type": "max_pooling2d", "pool_size": 2},
    ...                             {"type": "flatten"}, {"type": "dense", "units": 1}]})
    >>> apply(net, []).total, apply(net, [("missing_plus_one", None)]).total
    (4097, 3601)
    """
    eng = network if isinstance(network, Engine) else engine(network)
    result = eng.forward(active_map(eng, sites))
    if result is None:
        raise ValueError("these misconceptions make the network impossible (a size ≤ 0)")
    return result


def catalogue_values(network: Network | Engine) -> dict[str, int]:
    """Each misconception applied to every layer it fits -> the answer it produces.

    Only misconceptions that apply and change the answer are included.

    >>> from generator.spec import load_spec
    >>> net = load_spec({"input": {"shape": [4]},
    ...                  "layers": [{"type": "dense", "units": 2}]})
    >>> catalogue_values(net)
    {'dense_no_bias': 8, 'dense_single_bias': 9, 'dense_bias_per_input': 12}
    """
    return dict(iter_values(network))


def iter_values(network: Network | Engine, ids: Iterable[str] | None = None
                ) -> Iterator[tuple[str, int]]:
    """:func:`catalogue_values` one (id, answer) at a time, in catalogue order or in the
    order of ``ids`` (a caller looking for a collision stops at the first)."""
    eng = network if isinstance(network, Engine) else engine(network)
    for mid in MISCONCEPTIONS if ids is None else ids:
        fits = eng.fits(mid)
        if not fits:
            continue
        total = eng.total_at(mid, fits)
        if total is not None and total != eng.base.total:
            yield mid, total
