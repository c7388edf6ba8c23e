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
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from generator.misconceptions import MISCONCEPTIONS, Step
from generator.present import render_problem, render_solution_for
from generator.problem import DIFFICULTIES, Problem, generate
from generator.topics import TOPICS as _TOPICS
from grader import grade, sentences

from .hints import ladder
from .progress import Progress

__all__ = [
    "DIFFICULTIES", "MAX_ANSWER_CHARS", "MODES", "TOPICS", "Feedback", "Finding", "build",
    "check", "check_layers", "choose", "choose_topic", "hints", "next_problem", "problem_text",
    "solution", "topic_weights", "topics_for", "why",
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
    "projection_shortcut_left_out": ("residual",),
    "identity_shortcut_given_params": ("residual",),
    "merge_given_params": ("residual", "concat"),
    "concat_channels_from_one_branch": ("concat",),
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


def choose(progress: Progress, rng: random.Random, topics: Sequence[str] | None = None,
           *, avoid: str | None = None) -> tuple[str, str]:
    """A weighted draw (deterministic for a seeded ``rng``) and why: ``picked`` (the student
    chose this one topic), ``mistake:<id>`` (raised by that confident mistake) or ``mix``.

    ``avoid`` halves a repeat's chance.

    >>> choose(Progress(misconceptions={"cmyk_as_rgb": 4}), random.Random(1), ["basic", "color"])
    ('color', 'mistake:cmyk_as_rgb')
    """
    pool = list(topics or TOPICS)
    weights = topic_weights(progress, pool)
    if avoid in weights and len(pool) > 1:
        weights[avoid] /= 2
    topic = rng.choices(pool, weights=[weights[t] for t in pool])[0]
    if len(pool) == 1:
        return topic, "picked"
    raised = sorted(((-n, m) for m, n in progress.misconceptions.items() if topic in topics_for(m)))
    return topic, f"mistake:{raised[0][1]}" if raised else "mix"


def choose_topic(progress: Progress, rng: random.Random, topics: Sequence[str] | None = None,
                 *, avoid: str | None = None) -> str:
    """The topic of :func:`choose`, without the reason."""
    return choose(progress, rng, topics, avoid=avoid)[0]


def why(reason: str, topic: str) -> str:
    """The sentence a problem page shows for a reason code from :func:`choose`.

    >>> why("mistake:cmyk_as_rgb", "color")
    'Chosen because your answers showed this mistake: four-channel input taken as three. color problems practise that step.'
    """
    kind, _, mid = reason.partition(":")
    if kind == "picked":
        return f"You chose the topic {topic}."
    if kind == "mistake" and mid in MISCONCEPTIONS:
        return (f"Chosen because your answers showed this mistake: {MISCONCEPTIONS[mid].title}. "
                f"{topic} problems practise that step.")
    return ("Chosen from a mix of topics; only mistakes diagnosed with confidence steer the "
            "choice, and none points here yet.")


# -- problems --------------------------------------------------------------------------------
#: what a problem asks: the total, the total and each layer's count, or one layer's shape
MODES = {"total": ("total",), "layers": ("total", "per_layer"), "shape": ("shape",)}


@lru_cache(maxsize=1024)
def build(topic: str, difficulty: str, seed: int, mode: str | bool = "total") -> Problem:
    """The problem for (topic, difficulty, seed, mode); the style follows from the seed.

    ``mode`` True means "layers" (the per-layer table).
    """
    parts = MODES["layers" if mode is True else "total" if mode is False else mode]
    return generate(topic=topic, difficulty=difficulty, seed=seed, parts=parts, style="mixed")


def next_problem(progress: Progress, rng: random.Random, topics: Sequence[str] | None = None,
                 difficulty: str = "easy", *, per_layer: bool = False,
                 previous: Problem | None = None, mode: str | None = None) -> Problem:
    """Draw the next topic (adaptively) and seed, then build the problem."""
    topic = choose_topic(progress, rng, topics, avoid=previous.topic if previous else None)
    return build(topic, difficulty, rng.randrange(10**6), mode or per_layer)


def new_nonce() -> str:
    """A fresh answer nonce: the store records each (student, nonce) once."""
    return secrets.token_urlsafe(12)


def problem_text(problem: Problem, number: int = 1) -> str:
    """The problem as plain text (prose, code or table, as generated); never the answer."""
    return render_problem(problem, "txt", number)


def hints(problem: Problem, focus: str | None = None, mistake: str | None = None) -> list[str]:
    """The hint ladder's sentences (concept, formula, numbers per step; see :mod:`.hints`)."""
    return [h.text for h in ladder(problem, focus, mistake)]


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

    ``findings`` lists every explanation the grader offers, most likely first. Only a
    ``confident`` diagnosis is recorded (``misconceptions``) and steers the topic choice;
    hedged ones are shown as "perhaps". ``focus`` is the layer a confident diagnosis names
    (the hints start there); ``cells`` the per-layer verdicts (layer -> correct, ...).
    """

    status: str
    text: str
    findings: tuple[Finding, ...] = ()
    html: str | None = None
    ambiguous: bool = False
    misconceptions: tuple[str, ...] = ()
    confident: bool = False
    focus: str | None = None
    cells: tuple[tuple[str, str, str], ...] = ()
    #: the grader's advice to answer in more detail (per layer, every shape), if any
    follow_up: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_dict(self) -> dict[str, Any]:
        """JSON for the store (the page after the redirect shows it again)."""
        return {"status": self.status, "text": self.text, "html": self.html or "",
                "ambiguous": self.ambiguous, "confident": self.confident, "focus": self.focus,
                "misconceptions": list(self.misconceptions),
                "findings": [f.__dict__ | {"layers": list(f.layers)} for f in self.findings],
                "cells": [list(c) for c in self.cells], "follow_up": self.follow_up}


def _finding(mid: str, layers: Sequence[str]) -> Finding | None:
    m = MISCONCEPTIONS.get(mid)
    if m is None:
        return None
    return Finding(m.id, m.title, str(m.step), tuple(layers),
                   sentences.fill(m.hint, list(layers) or ["this network"]))


def _refused(answer: str, part: str = "total") -> Feedback | None:
    example = "a shape such as 12x12x8" if part.startswith("shape") else "a number, e.g. 1234"
    if len(answer) > MAX_ANSWER_CHARS:
        return Feedback("unreadable", f"That answer is too long to read (over {MAX_ANSWER_CHARS} "
                        f"characters); please type just {example}.")
    if not answer.strip():
        return Feedback("unreadable", f"Please type {example}.")
    return None


def _cell_text(f: Mapping[str, Any]) -> str:
    if f.get("verdict") == "correct":
        return "right"
    titles = [MISCONCEPTIONS[m].title for m in f.get("misconceptions") or () if m in MISCONCEPTIONS]
    if titles:
        return ("perhaps " if f.get("verdict") == "ambiguous" else "") + "; ".join(titles)
    return "not this value: recompute this layer"


#: the grader's follow-ups that ask for a table the apps may not show
FOLLOW_UPS_FOR_TABLES = ("Answer per layer", "Give the output shape of every layer")


def _from_result(result: Any) -> Feedback:
    findings: list[Finding] = []
    for d in result.diagnoses:
        for mid in d.misconceptions:
            # a diagnosis of several mistakes lists their layers together; its text says which
            f = _finding(mid, d.layers if len(d.misconceptions) == 1 else ())
            if f is not None and f not in findings:
                findings.append(f)
    counted = tuple(result.recorded) if result.status == "incorrect" else ()  # confident only
    confident = bool(counted)
    focus = next((d.layers[0] for d in result.diagnoses if d.layers), None) if confident else None
    cells = tuple((str(f["layer"]), "right" if f.get("verdict") == "correct" else "wrong",
                   _cell_text(f)) for f in result.findings if "layer" in f and "verdict" in f)
    # the grader may advise answering per layer (or every shape); the apps offer that as a
    # link or a mode instead, so the advice never appears where there is no such table
    follow = str(result.context.get("follow_up") or "")
    if not follow.startswith(FOLLOW_UPS_FOR_TABLES):
        follow = ""  # other advice (write a formula) fits any answer box: the grader's text keeps it
    else:
        result = replace(result, context={**result.context, "follow_up": ""})
    return Feedback(result.status, result.render("text").strip(), tuple(findings),
                    result.render("html"), bool(result.ambiguous), counted, confident, focus,
                    cells, follow)


def check(problem: Problem, answer: str, part: str = "total") -> Feedback:
    """Grade an answer to one part, never revealing the expected value."""
    refused = _refused(answer, part)
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
