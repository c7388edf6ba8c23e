"""The redraw check's order: the whole catalogue once, the same values as catalogue order."""

from __future__ import annotations

from generator.misconceptions import MISCONCEPTIONS, PROBE_ORDER, iter_values
from generator.spec import load_spec


def test_the_probe_order_is_the_catalogue_reordered() -> None:
    assert sorted(PROBE_ORDER) == sorted(MISCONCEPTIONS)
    assert len(set(PROBE_ORDER)) == len(PROBE_ORDER)
    assert PROBE_ORDER != tuple(MISCONCEPTIONS)  # else the check would find nothing sooner


def test_iter_values_in_the_probe_order_gives_the_same_values() -> None:
    net = load_spec({"input": {"shape": [32, 32], "channels": 3},
                     "layers": [{"type": "conv2d", "filters": 8, "kernel": 3},
                                {"type": "max_pooling2d", "pool_size": 2},
                                {"type": "flatten"}, {"type": "dense", "units": 10}]})
    want = list(iter_values(net))
    got = list(iter_values(net, PROBE_ORDER))
    assert got != want and sorted(got) == sorted(want)
    assert [m for m, _ in got] == [m for m in PROBE_ORDER if m in dict(want)]
