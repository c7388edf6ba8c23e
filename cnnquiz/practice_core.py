"""The practice loop shared by ``cnnquiz practice`` and ``cnnquiz serve``.

The one adapter between the student-facing apps and the generator and grader: a problem is
rebuilt from (topic, difficulty, seed[, per-layer]) alone, answers are graded with the
answer hidden (the student may retry), hints are the worked solution's derivation lines
revealed one at a time, and the next topic is drawn with weights that grow with the
misconceptions the student has shown (after ``cmyk_as_rgb``, a colour problem comes sooner).

>>> p = build("basic", "easy", 42)
>>> p.id, check(p, str(p.answers["total"])).correct
('basic-easy-000042', True)
>>> topics_for("cmyk_as_rgb")
('color',)
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.misconceptions import MISCONCEPTIONS, Step
from generator.present import render_problem, render_solution_for
from generator.problem import DIFFICULTIES, Problem, generate
from generator.topics import TOPICS as _TOPICS
from grader import grade

from .progress import Progress

__all__ = [
    "DIFFICULTIES", "MAX_ANSWER_CHARS", "TOPICS", "Feedback", "Finding", "build", "check",
    "check_layers", "choose_topic", "hints", "next_problem", "problem_text", "solution",
    "topic_weights", "topics_for",
]

TOPICS: tuple[str, ...] = tuple(_TOPICS)
#: answers longer than this are refused before parsing (a count never needs more)
MAX_ANSWER_CHARS = 200
#: the apps speak English and print 1,369: a comma groups thousands
LOCALE = "en"
#: largest seed the apps accept in a URL or on the command line
MAX_SEED = 2**32 - 1
#: how much one past occurrence of a misconception raises the weight of its topics
BOOST = 3.0
MAX_BOOST = 12.0

# -- which topics exercise a misconception ---------------------------------------------------
#: misconception id -> the topics built around it (most specific first)
BY_ID: dict[str, tuple[str, ...]] = {
    "color_as_gray": ("color",), "cmyk_as_rgb": ("color",), "gray_as_color": ("color",),
    "shared_weights_double_counted": ("sharing",),
    "pool_weights_omitted": ("trainable-pooling",),
    "pool_weights_per_position": ("trainable-pooling",),
    "pool_weights_conv_like": ("trainable-pooling",),
    "bias_when_disabled": ("no-bias",),
    "depthwise_as_standard": ("depthwise-separable",),
    "separable_bias_variants": ("depthwise-separable",),
    "transposed_conv_as_conv": ("transpose",),
    "frozen_counted_trainable": ("batchnorm",),
    "kernel_dims_incomplete": ("conv3d", "conv1d"),
    "flatten_forgets_channels": ("dropout-flatten", "basic"),
    "nonparam_layer_counted": ("dropout-flatten",),
    "pooling_has_params": ("global-pooling", "basic"),
}
#: formula step -> topics
BY_STEP: dict[str, tuple[str, ...]] = {
    Step.INPUT_CHANNELS: ("color",),
    Step.GROUPS: ("groups",),
    Step.PADDING: ("padding",),
    Step.STRIDE: ("stride-dilation",),
    Step.DILATION: ("stride-dilation",),
    Step.SHARING: ("sharing",),
    Step.POOL_WEIGHTS: ("trainable-pooling",),
    Step.NORMALIZATION: ("batchnorm",),
    Step.TRAINABILITY: ("batchnorm",),
    Step.FLATTEN: ("dropout-flatten",),
    Step.PARAMETER_FREE: ("dropout-flatten", "global-pooling"),
    Step.OUTPUT_SIZE: ("padding", "stride-dilation"),
    Step.ROUNDING: ("stride-dilation",),
}
#: layer family (``applies_to``) -> topics
BY_FAMILY: dict[str, tuple[str, ...]] = {
    "input": ("color",),
    "conv": ("basic", "no-bias"),
    "conv_transpose": ("transpose",),
    "depthwise": ("depthwise-separable",),
    "separable": ("depthwise-separable",),
    "pool": ("trainable-pooling", "padding"),
    "global_pool": ("global-pooling",),
    "dense": ("basic", "dropout-flatten"),
    "flatten": ("dropout-flatten",),
    "batch_normalization": ("batchnorm",),
    "dropout": ("dropout-flatten",),
}


def topics_for(misconception: str) -> tuple[str, ...]:
    """The topics whose problems exercise a misconception (by id, else step, else layer kind).

    >>> topics_for("stride_ignored"), topics_for("dense_no_bias")
    (('stride-dilation',), ('basic', 'dropout-flatten'))
    """
    m = MISCONCEPTIONS.get(misconception)
    if m is None:
        return ()
    found = BY_ID.get(m.id) or BY_STEP.get(m.step)
    if not found:
        found = tuple(dict.fromkeys(t for fam in sorted(m.applies_to) for t in BY_FAMILY.get(fam, ())))
    return tuple(t for t in found if t in TOPICS)


def topic_weights(progress: Progress, topics: Sequence[str]) -> dict[str, float]:
    """Weight 1 per topic, raised by every misconception shown that the topic exercises.

    >>> w = topic_weights(Progress(misconceptions={"cmyk_as_rgb": 2}), ["basic", "color"])
    >>> w["basic"], w["color"]
    (1.0, 7.0)
    """
    weights = dict.fromkeys(topics, 1.0)
    for mid, count in sorted(progress.misconceptions.items()):
        for t in topics_for(mid):
            if t in weights:
                weights[t] = min(weights[t] + BOOST * count, 1.0 + MAX_BOOST)
    return weights


def choose_topic(progress: Progress, rng: random.Random, topics: Sequence[str] | None = None,
                 *, avoid: str | None = None) -> str:
    """A weighted draw (deterministic for a seeded ``rng``); ``avoid`` halves a repeat's chance."""
    pool = list(topics or TOPICS)
    weights = topic_weights(progress, pool)
    if avoid in weights and len(pool) > 1:
        weights[avoid] /= 2
    return rng.choices(pool, weights=[weights[t] for t in pool])[0]


# -- problems --------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def build(topic: str, difficulty: str, seed: int, per_layer: bool = False) -> Problem:
    """The problem for (topic, difficulty, seed); the style follows from the seed."""
    parts = ("total", "per_layer") if per_layer else ("total",)
    return generate(topic=topic, difficulty=difficulty, seed=seed, parts=parts, style="mixed")


def next_problem(progress: Progress, rng: random.Random, topics: Sequence[str] | None = None,
                 difficulty: str = "easy", *, per_layer: bool = False,
                 previous: Problem | None = None) -> Problem:
    """Draw the next topic (adaptively) and seed, then build the problem."""
    topic = choose_topic(progress, rng, topics, avoid=previous.topic if previous else None)
    return build(topic, difficulty, rng.randrange(10**6), per_layer)


def problem_text(problem: Problem, number: int = 1) -> str:
    """The problem as plain text (prose, code or table, as generated); never the answer."""
    return render_problem(problem, "txt", number)


def hints(problem: Problem) -> list[str]:
    """The formula steps of the worked solution, in order: 'conv1: params = … = 280'."""
    return [f"{r.name}: {d.line()}" for r in problem.solution().rows for d in r.derivations]


def solution(problem: Problem, fmt: str = "txt") -> str:
    """The answers and worked solution (txt, md or html fragment)."""
    return render_solution_for(problem, fmt)


# -- grading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One diagnosed misconception, as the student sees it."""

    id: str
    title: str
    step: str
    layers: tuple[str, ...]
    hint: str


@dataclass(frozen=True)
class Feedback:
    """A graded answer: ``status`` is correct, incorrect or unreadable (not an attempt).

    ``findings`` lists every explanation the grader offers, most likely first; when it is
    ``ambiguous`` (several mistakes give the student's value) they are candidates, and none
    is counted: the student's record (``misconceptions``) takes confident diagnoses only.
    """

    status: str
    text: str
    findings: tuple[Finding, ...] = ()
    html: str | None = None
    ambiguous: bool = False
    misconceptions: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def _finding(mid: str, layers: Sequence[str]) -> Finding | None:
    m = MISCONCEPTIONS.get(mid)
    if m is None:
        return None
    where = ", ".join(layers) or "this network"
    return Finding(m.id, m.title, str(m.step), tuple(layers), m.hint.replace("{layer}", where))


def _refused(answer: str) -> Feedback | None:
    if len(answer) > MAX_ANSWER_CHARS:
        return Feedback("unreadable", f"That answer is too long to read (over {MAX_ANSWER_CHARS} "
                        "characters); please type just the number, e.g. 1234.")
    if not answer.strip():
        return Feedback("unreadable", "Please type a number, e.g. 1234.")
    return None


def _from_result(result: Any) -> Feedback:
    findings: list[Finding] = []
    for d in result.diagnoses:
        for mid in d.misconceptions:
            # a diagnosis of several mistakes lists their layers together; its text says which
            f = _finding(mid, d.layers if len(d.misconceptions) == 1 else ())
            if f is not None and f not in findings:
                findings.append(f)
    counted = tuple(result.recorded)  # confident diagnoses only: hedges are not recorded
    return Feedback(result.status, result.feedback.strip(), tuple(findings),
                    result.render("html"), bool(result.ambiguous), counted)


def check(problem: Problem, answer: str, part: str = "total") -> Feedback:
    """Grade an answer to one part, never revealing the expected value."""
    refused = _refused(answer)
    if refused is not None:
        return refused
    return _from_result(grade(problem, answer, part=part, hide_answer=True, locale=LOCALE))


def check_layers(problem: Problem, answers: Mapping[str, str]) -> Feedback:
    """Grade a per-layer table (layer name -> typed count) as one breakdown answer."""
    cells = [(n, str(answers.get(n, "")).strip()) for n in problem.answers.get("per_layer") or {}]
    for _, v in cells:
        refused = _refused(v) if len(v) > MAX_ANSWER_CHARS else None
        if refused is not None:
            return refused
    missing = [n for n, v in cells if not v]
    if missing:
        return Feedback("unreadable", f"Please fill in every layer (0 for a layer without "
                        f"weights); empty: {', '.join(missing)}.")
    text = "\n".join(f"{n}: {v}" for n, v in cells)
    return _from_result(grade(problem, text, part="per_layer", hide_answer=True, locale=LOCALE))
