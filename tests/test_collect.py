"""generator/collect.py: the cycle collector is held off only while a problem is drawn."""

from __future__ import annotations

import gc

import pytest

from generator.collect import collector_paused
from generator.errors import ConfigError
from generator.problem import generate


def test_generate_leaves_the_collector_enabled() -> None:
    generate(topic="basic", difficulty="easy", seed=3)
    assert gc.isenabled()


def test_a_failed_generate_leaves_the_collector_enabled() -> None:
    with pytest.raises(ConfigError):
        generate(topic="basic", difficulty="impossible", seed=3)
    with pytest.raises(ConfigError), collector_paused():
        raise ConfigError("inside")
    assert gc.isenabled()


def test_nested_pauses_enable_only_when_the_outermost_ends() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
