"""The engine's shortcuts against the straightforward evaluation, over many drawn networks.

:class:`generator.buggy.Engine` memoises per layer, shares one-mistake plans between engines,
keeps the node layers' own shapes and weights, looks only at the layers of a mistake's
families, and adds parameter changes instead of running a forward pass when no shape
changes. :func:`generator.problem.diagnosable` decides which problem a seed gives, so these
shortcuts must not change one value: here every catalogue value, every ``fits`` and the
diagnosability verdict are recomputed the plain way (every mistake through its hooks on every
layer, a whole forward pass per mistake, nothing cached) on draws of every topic and
difficulty, the redrawn ones included.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from generator.buggy import INPUT, Engine, _carried_merge
from generator.errors import ConfigError
from generator.layers import Merge, Shape, Weight
from generator.misconceptions import MISCONCEPTIONS, engine, iter_values
from generator.network import Count, Network, propagate
from generator.problem import DIFFICULTIES, diagnosable, forward
from generator.spec import family, load_spec
from generator.topics import TOPICS, Redraw, draw, styles_for

SEEDS = range(6)
ERRORS = (ConfigError, ValueError, ZeroDivisionError, IndexError, TypeError)


def plain_layer(net: Network, i: int, in_shape: Any, ids: tuple[str, ...]
                ) -> tuple[Shape, int] | None:
    """Layer ``i`` under ``ids`` straight from the hooks (:mod:`generator.misconceptions.base`)."""
    ms = [MISCONCEPTIONS[m] for m in ids]
    node = net.nodes[i]
    count_all = net.count == Count.TOTAL
    layer: Any = node.layer
    try:
        for m in ms:
            if m.rewrite is not None:
                layer = m.rewrite(layer)
        weights: tuple[Weight, ...]
        if isinstance(node.layer, Merge):
            try:
                out = layer.merge_shape(in_shape)
            except ConfigError:
                out = _carried_merge(layer, in_shape)
            weights = ()
            for m in ms:
                if m.reshape is not None:
                    out = m.reshape(layer, in_shape[0], out)
            for m in ms:
                if m.reweigh is not None:
                    weights = m.reweigh(layer, in_shape[0], out, weights)
            if any(d <= 0 for d in out):
                return None
            return out, sum(w.size for w in weights if count_all or w.trainable)
        shape_layer = layer
        for m in ms:
            if m.shape_layer is not None:
                shape_layer = m.shape_layer(shape_layer)
        out = shape_layer.output_shape(in_shape)
        for m in ms:
            if m.reshape is not None:
                out = m.reshape(layer, in_shape, out)
        if any(d <= 0 for d in out):
            return None
        w_layer, w_in = layer, in_shape
        for m in ms:
            if m.weight_layer is not None:
                w_layer = m.weight_layer(w_layer, in_shape)
        for m in ms:
            if m.weight_input is not None:
                w_in = m.weight_input(w_in)
        weights = w_layer.weights(w_in)
        for m in ms:
            if m.reweigh is not None:
                weights = m.reweigh(layer, in_shape, out, weights)
    except ERRORS:
        return None
    if node.shares is not None and not any(m.unshare for m in ms):
        return out, 0
    return out, sum(w.size for w in weights if count_all or w.trainable)


def plain_forward(net: Network, active: Mapping[int, tuple[str, ...]]
                  ) -> list[tuple[Shape, int]] | None:
    """Every layer on the carried shapes (no copied prefix, no early stop)."""
    first = net.input.shape
    for m in active.get(INPUT, ()):
        fn = MISCONCEPTIONS[m].input
        if fn is not None:
            first = fn(first)
    inputs = {**{k: v.shape for k, v in net.input_specs.items()}, net.input_name: first}
    return propagate(net, lambda i, _node, ins: plain_layer(
        net, i, ins[0] if len(ins) == 1 else ins, active.get(i, ())), lambda r: r[0], inputs)


def plain_fits(net: Network, eng: Engine, mid: str) -> tuple[int, ...]:
    m = MISCONCEPTIONS[mid]
    base = plain_forward(net, {})
    assert base is not None
    if m.input is not None:
        if "input" not in m.applies_to or (m.when is not None and not m.when(net)):
            return ()
        return (INPUT,) if m.input(net.input.shape) != net.input.shape else ()
    found = []
    for i, node in enumerate(net.nodes):
        if family(node.layer.kind) not in m.applies_to:
            continue
        c = eng.ctx(i)  # the context a `when` reads (the base pass's shapes)
        if m.when is not None and not m.when(c):
            continue
        r = plain_layer(net, i, c.in_shape, (mid,))
        if r is not None and r != base[i]:
            found.append(i)
    return tuple(found)


def plain_values(net: Network) -> list[tuple[str, int]]:
    eng = Engine(net, MISCONCEPTIONS)  # for the `when` contexts only
    base = plain_forward(net, {})
    assert base is not None
    total = sum(p for _, p in base)
    out = []
    for mid in MISCONCEPTIONS:
        fits = plain_fits(net, eng, mid)
        if not fits:
            continue
        rows = plain_forward(net, {i: (mid,) for i in fits})
        if rows is not None and sum(p for _, p in rows) != total:
            out.append((mid, sum(p for _, p in rows)))
    return out


def drawn_networks() -> Iterator[tuple[str, Network]]:
    """Draws of every topic and difficulty, one style each, redrawn ones included."""
    for topic in TOPICS:
        for difficulty in DIFFICULTIES:
            for seed in SEEDS:
                rng = random.Random(seed)
                style = rng.choice(styles_for(topic))
                for k in range(4):  # a few successive draws, as the generator redraws
                    try:
                        net = load_spec(draw(topic, rng, difficulty, style))
                        forward(net)
                    except (Redraw, ConfigError):
                        continue
                    yield f"{topic}-{difficulty}-{seed}-{k}", net


NETWORKS = dict(drawn_networks())


def test_the_draws_cover_every_topic_and_both_verdicts() -> None:
    assert {name.rsplit("-", 3)[0] for name in NETWORKS} == set(TOPICS)
    verdicts = {diagnosable(net, forward(net).answer) for net in NETWORKS.values()}
    assert verdicts == {True, False}  # both kinds are checked below


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_catalogue_values_and_verdict_match_the_plain_evaluation(name: str) -> None:
    net = NETWORKS[name]
    want = plain_values(net)
    answer = forward(net).answer
    assert list(iter_values(net)) == want
    # a second engine meets the shared plans the first one left
    assert list(iter_values(engine(net))) == want
    values = [v for _, v in want]
    assert diagnosable(net, answer) == (len({answer, *values}) == len(values) + 1)
    eng = engine(net)
    for mid in MISCONCEPTIONS:
        assert eng.fits(mid) == plain_fits(net, eng, mid), mid


def test_a_catalogue_with_another_entry_under_an_id_gets_its_own_plan() -> None:
    """Shared plans are keyed by id: an engine over another catalogue must not reuse them."""
    net = load_spec({"input": {"shape": [8, 8], "channels": 3},
                     "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]})
    mine = engine(net).forward({0: ("conv_no_bias",)})
    assert mine is not None and mine.total == 54
    other = dict(MISCONCEPTIONS)
    other["conv_no_bias"] = MISCONCEPTIONS["bias_when_disabled"]  # a different rewrite
    got = Engine(net, other).forward({0: ("conv_no_bias",)})
    assert got is not None and got.total == 56
