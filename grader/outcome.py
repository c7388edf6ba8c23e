"""One grading run's state: what it found, and the feedback context the templates print.

The part graders (:mod:`grader.totals`, :mod:`grader.per_layer`, :mod:`grader.shapes`,
:mod:`grader.pairs`, :mod:`grader.macs`) fill a :class:`Run`; :mod:`grader.grade` turns it
into a :class:`GradeResult`. In exam mode (``show`` False) nothing here prints the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.layers import fmt_shape
from generator.render import num, render

if TYPE_CHECKING:
    from .prepared import Prepared

__all__ = ["FORMATS", "CreditPolicy", "Diagnosis", "GradeResult", "Run", "key_text"]

FORMATS = {"text": "feedback.txt.j2", "markdown": "feedback.md.j2", "md": "feedback.md.j2",
           "html": "feedback.html.j2"}


@dataclass(frozen=True)
class CreditPolicy:
    """Scores per outcome; pass your own to :func:`grader.grade` to change them."""

    exact: float = 1.0
    convention_variant: float = 1.0
    per_layer_single_slip: float = 0.5
    diagnosed_total: float = 0.0
    unexplained: float = 0.0


@dataclass(frozen=True)
class Diagnosis:
    """One explanation: misconception ids, the layers, the value it gives, a sentence."""

    misconceptions: tuple[str, ...]
    layers: tuple[str, ...]
    value: int
    explanation: str
    #: sure enough to record (progress, adaptive topics, class report); else a hedge
    confident: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"misconceptions": list(self.misconceptions), "layers": list(self.layers),
                "value": self.value, "explanation": self.explanation,
                "confident": self.confident}


@dataclass(frozen=True)
class GradeResult:
    """The graded answer; :meth:`to_dict` gives the JSON of ``cnnquiz grade --format json``.

    ``expected`` is None in exam mode (``hide_answer``): no key leaves the grader.
    """

    status: str
    score: float
    expected: Any
    given: int | None
    ambiguous: bool
    diagnoses: tuple[Diagnosis, ...]
    feedback: str
    reason: str | None = None
    part: str = "total"
    confident: bool = False
    findings: tuple[dict[str, Any], ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def render(self, fmt: str = "text") -> str:
        """The feedback as text, Markdown or HTML (student text escaped)."""
        return render(FORMATS[fmt], dict(self.context))

    @property
    def recorded(self) -> tuple[str, ...]:
        """Misconception ids diagnosed with confidence: the only ones to record."""
        return tuple(dict.fromkeys(m for d in self.diagnoses if d.confident
                                   for m in d.misconceptions))

    @property
    def hedged(self) -> tuple[str, ...]:
        """Misconception ids offered only as possible causes (never recorded)."""
        sure = set(self.recorded)
        return tuple(dict.fromkeys(m for d in self.diagnoses if not d.confident
                                   for m in d.misconceptions if m not in sure))

    @property
    def confidence(self) -> str:
        """``confident`` (a cause is recorded), ``hedged`` (only possible causes) or ``""``."""
        return "confident" if self.recorded else "hedged" if self.hedged else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "score": self.score,
            "expected": self.expected,
            "given": self.given,
            "ambiguous": self.ambiguous,
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "feedback": self.feedback,
            "reason": self.reason,
            "part": self.part,
            "confident": self.confident,
            "confidence": self.confidence,
            "recorded": list(self.recorded),
            "hedged": list(self.hedged),
            "findings": list(self.findings),
        }


def key_text(expected: Any, labels: tuple[str, ...] = ()) -> str:
    """The key as feedback prints it.

    >>> key_text(1234), key_text([28, 28, 16]), key_text({"conv1": 1234, "conv2": 56})
    ('1,234', '28×28×16', 'conv1 1,234, conv2 56')
    """
    if labels:  # a pair: its labels as words
        return ", ".join(f"{k.replace('_', '-')} {num(expected[k])}" for k in labels)
    if isinstance(expected, dict):
        return ", ".join(f"{k} {num(v)}" for k, v in expected.items())
    if isinstance(expected, list):
        return fmt_shape(expected)
    return num(expected)


@dataclass
class Run:
    """The state of one grading run of one answer to one prepared part."""

    prep: Prepared
    text: str
    show: bool
    policy: CreditPolicy
    #: the framework whose code the question shows ("pytorch", "keras"), or ""
    code: str = ""
    status: str = "incorrect"
    score: float = 0.0
    given: int | None = None
    reason: str | None = None
    ambiguous: bool = False
    confident: bool = False
    diagnoses: list[Diagnosis] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, str]] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    follow_up: str = ""
    headline: str = ""
    advice: str = ""

    def unreadable(self, reason: str, message: str) -> None:
        self.status, self.score, self.reason = "unreadable", 0.0, reason
        self.given = None
        self.headline = f"Could not grade this answer: {message}"

    def correct(self, shown: str | None = None, score: float | None = None) -> None:
        self.status = "correct"
        self.score = self.policy.exact if score is None else score
        if shown is None and self.given is not None:
            shown = num(self.given)
        self.headline = f"Correct: {shown}." if shown else "Correct."

    def line(self, text: str, *, layer: str = "", kind: str = "misconception", step: str = "",
             title: str = "", formula: str = "") -> None:
        self.lines.append({"layer": layer, "kind": kind, "step": step, "title": title,
                           "text": text, "formula": formula, "should": ""})

    def context(self) -> dict[str, Any]:
        show_expected = self.show and self.status == "incorrect"
        return {
            "status": self.status,
            "headline": self.headline,
            "answer_text": self.text[:500],
            "expected": key_text(self.prep.expected, self.prep.spec.labels) if show_expected
            else "",
            "findings": self.lines,
            "ambiguous": self.ambiguous,
            "hedges": self.hedges,
            "follow_up": self.follow_up,
            "notes": self.notes,
            "advice": self.advice,
        }
