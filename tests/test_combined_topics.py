"""Combined topics (``a+b+c``) and the classic posted questions, stress-tested like single topics.

Each draw must exercise every named feature (a tied layer, pooling with weights, a colour
model with 3 or 4 channels, a layer without bias, ...) and pass the single-topic checks:
valid, unambiguous, diagnosable, deterministic.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.combined import CLASSICS, FEATURES, exercises, split_topic
from generator.errors import ConfigError
from generator.problem import generate
from generator.topics import styles_for

from .test_generator_stress import _check

COMBINED = ["color+sharing+trainable-pooling", "no-bias+padding", "sharing+batchnorm",
            "stride-dilation+color+no-bias", "dropout-flatten+global-pooling+trainable-pooling",
            "+".join(FEATURES), "residual+batchnorm+color", "concat+color+no-bias"]
CASES = [(t, d) for t in (*COMBINED, *CLASSICS) for d in ("easy", "medium", "hard")]
SEEDS = 8


@pytest.mark.parametrize(("topic", "difficulty"), CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_combined_and_classic_draws(topic: str, difficulty: str) -> None:
    for seed in range(SEEDS):
        style = "mixed" if topic in CLASSICS else None
        if style is None:
            _check(topic, difficulty, seed)
        p = generate(topic=topic, difficulty=difficulty, seed=seed, style=style or "prose")
        assert p.style in styles_for(topic)
        features = split_topic(topic)
        if features:
            assert exercises(p.spec, features), p.spec


def test_classic_shared_is_the_posted_question() -> None:
    for seed in range(20):
        p = generate(topic="classic-shared", difficulty="medium", seed=seed)
        kinds = [layer["type"] for layer in p.spec["layers"]]
        assert p.spec["input"]["color"] in ("cmyk", "rgba")
        assert kinds == ["conv2d"] * 5 + ["flatten", "dense", "dense"]
        assert p.spec["layers"][4]["share"] == p.spec["layers"][2]["name"]


def test_classic_pool_weight_states_the_weights_and_uses_max_too() -> None:
    ops = set()
    for seed in range(30):
        p = generate(topic="classic-pool-weight", difficulty="easy", seed=seed)
        assert p.spec["input"]["color"] == "gray"
        assert p.spec["conventions"]["pooling_weights"] == "coefficient_and_bias"
        ops |= {layer["type"] for layer in p.spec["layers"] if "pool" in layer["type"]}
    assert ops == {"max_pooling2d", "average_pooling2d"}


def test_classics_render_in_every_style_they_offer() -> None:
    from generator.present import render_problem

    # seed 1352982 once drew mixed max/average trainable pooling, which Keras code cannot show
    for topic in CLASSICS:
        for style in styles_for(topic):
            for seed in (1, 2, 1_352_982):
                p = generate(topic=topic, difficulty="medium", seed=seed, style=style)
                assert render_problem(p, "md")


def test_trainable_pooling_topic_draws_max_pooling_too() -> None:
    ops = {layer["type"] for s in range(40)
           for layer in generate(topic="trainable-pooling", difficulty="easy", seed=s).spec["layers"]
           if "pool" in layer["type"]}
    assert {"max_pooling2d", "average_pooling2d"} <= ops


def test_every_no_bias_problem_has_a_layer_without_bias() -> None:
    for d in ("easy", "medium", "hard"):
        for seed in range(60):
            assert exercises(generate(topic="no-bias", difficulty=d, seed=seed).spec, ("no-bias",))


@pytest.mark.parametrize(("topic", "message"), [
    ("color+conv1d", "cannot be combined"),
    ("colour", "unknown topic"),
    ("color+color", "cannot be combined"),
])
def test_bad_topics_are_refused(topic: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        generate(topic=topic, difficulty="easy", seed=1)


def test_cli_accepts_combined_topics(tmp_path: str) -> None:
    r = CliRunner().invoke(main, ["generate", "--topics", "color+sharing+trainable-pooling",
                                  "--count", "2", "--format", "json", "--out", f"{tmp_path}/s"])
    assert r.exit_code == 0, r.output
