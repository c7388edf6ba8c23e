"""What every exporter needs from a problem: texts, correct values, distractors, diagram.

This is the one adapter between :class:`generator.problem.Problem` and the LMS formats, so
a change in how problems are presented is made here only. Texts come from
:mod:`generator.present` and :mod:`generator.wording`.

Distractors (E4) come from :mod:`generator.export.distractors`; the correct answer always
comes first in every format.

>>> from generator.export.content import cloze_number, stable_id
>>> cloze_number(1792)
'1792'
>>> stable_id("conv params/v 017", "total")
'cnnquiz-conv-params-v-017-total'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..network import Network, solve
from ..parts import Form, parse_part
from ..present import problem_context
from ..problem import Problem
from ..render import num, render_solution
from ..wording import question_text as part_sentence
from .distractors import Distractor, distractors, merge_distractors

__all__ = [
    "CATEGORY",
    "CHOICE_SHAPE",
    "HOW_TO_CHOOSE",
    "HOW_TO_TYPE",
    "Diagram",
    "Distractor",
    "ProblemLike",
    "Target",
    "cloze_number",
    "merge_distractors",
    "Option",
    "diagram",
    "distractors",
    "general_feedback_html",
    "network_of",
    "options",
    "question_html",
    "question_text",
    "stable_id",
    "targets",
    "blanks_html",
    "catch_all_feedback",
    "category",
    "shape_name",
]

#: Moodle question-bank category all variants go to (see :func:`category` below it)
CATEGORY = "$course$/top/cnnquiz"

#: How to type a count, stated in every LMS question: Moodle's numerical questions read
#: '1.173' and '1,173' as decimals (question/type/numerical/questiontype.php
#: qtype_numerical_answer_processor), and Canvas compares blanks as text.
HOW_TO_TYPE = ("Type each count as digits only, without spaces, commas or points "
               "(for example 1792, not 1,792 or 1.792).")
#: what a multiple-choice question says instead of :data:`HOW_TO_TYPE`
HOW_TO_CHOOSE = "Choose the one correct option."
#: the question shape of a multiple-choice total (its own category and question group)
CHOICE_SHAPE = "total-choice"


#: what the exporters read: a generated problem (the worded question needs its style and
#: phrasing, so nothing less will do)
ProblemLike: TypeAlias = Problem


@dataclass(frozen=True)
class Target:
    """One number a student must give: the part, a label and the correct integer."""

    part: str
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice part (``--choices N``, :mod:`generator.choices`): its
    letter, the text shown (``1,238``), the value, whether it is right, and its feedback."""

    label: str
    text: str
    value: int
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Diagram:
    name: str
    data: bytes
    mime: str


def stable_id(*parts: Any) -> str:
    """A stable identifier from the problem id and part (Moodle idnumber, QTI ident).

    >>> stable_id("cnn/conv", 3)
    'cnnquiz-cnn-conv-3'
    """
    text = "-".join(str(p) for p in parts)
    slug = re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-")
    return f"cnnquiz-{slug}"[:100]


def cloze_number(value: int) -> str:
    """An integer as Moodle's NUMBER_REGEX reads it: no grouping, no '+' (E9).

    >>> cloze_number(-5)
    '-5'
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"answers must be integers, received {value!r}")
    return str(value)


def options(problem: ProblemLike, part: str = "total") -> list[Option]:
    """The options of a multiple-choice part in the order the problem file lists them
    (empty for an open question). The exports shuffle them again where the LMS can.

    >>> from generator.choices import with_choices
    >>> from generator.problem import generate
    >>> opts = options(with_choices(generate(topic="basic", difficulty="easy", seed=42), 3))
    >>> [(o.label, o.correct) for o in opts if o.correct], len(opts)
    ([('B', True)], 3)
    """
    choices = getattr(problem, "choices", None) or {}
    return [Option(str(c["label"]), num(int(c["value"])), _count(problem, part, c["value"]),
                   bool(c["correct"]), "Correct." if c["correct"] else str(c["feedback"]))
            for c in choices.get(part, ())]


def network_of(problem: ProblemLike) -> Network:
    return problem.network()


def targets(problem: ProblemLike) -> list[Target]:
    """Every number a problem asks for, in the order of its parts, by the part's answer form
    (:mod:`generator.parts`): one integer; a labelled pair (two numbers); a shape (one per
    dimension); one integer per layer.
    """
    out: list[Target] = []
    for name in problem.parts:
        part, value = parse_part(name), problem.answers[name]
        if part.form is Form.INTEGER:
            out.append(Target(name, name, part.label, _count(problem, name, value)))
        elif part.form is Form.SHAPE:
            out += [Target(name, f"{name}:{i}", f"{part.layer} dimension {i + 1}",
                           _count(problem, name, d)) for i, d in enumerate(value)]
        else:  # a pair (by its labels) or one integer per layer
            out += [Target(name, f"{name}:{key}", key, _count(problem, name, v))
                    for key, v in value.items()]
    return out


def _count(problem: ProblemLike, part: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"part {part!r} of {problem.id}: {value!r} is not a count.")
    return value


# -- texts ---------------------------------------------------------------------------------

def _context(problem: ProblemLike) -> dict[str, Any]:
    return problem_context(problem, fmt="html")


def _question(problem: ProblemLike, part: str) -> str:
    return part_sentence(part, problem, network_of(problem))


def _body_lines(problem: ProblemLike) -> tuple[str, list[str], str, list[str]]:
    """(intro, layer lines, code, conventions) of the problem statement."""
    ctx = _context(problem)
    lines = [] if ctx.get("code") else [f"{r['header']}: {r['text']}" for r in ctx["prose"]]
    return ctx["intro"], lines, ctx.get("code", ""), list(ctx.get("conventions", []))


def question_text(problem: ProblemLike, part: str = "total") -> str:
    """The question for one part as plain text (GIFT, Gradescope)."""
    intro, lines, code, conv = _body_lines(problem)
    out = [intro, *lines]
    if code:
        out += ["", code.rstrip()]
    out += conv
    out.append(_question(problem, part))
    return "\n".join(out)


def question_html(problem: ProblemLike, part: str | None = "total",
                  image: str | None = None, choose: bool = False) -> str:
    """The question as an HTML fragment, every text HTML-escaped (P7).

    ``part=None`` leaves the question sentence out (cloze questions add one per part);
    ``image`` is the ``src`` of the diagram; ``choose``: a multiple-choice question (it says
    to choose an option instead of how to type a count).
    """
    intro, lines, code, conv = _body_lines(problem)
    out = [f"<p>{html.escape(intro, quote=False)}</p>"]
    if lines:
        out.append("<ol>" + "".join(f"<li>{html.escape(x, quote=False)}</li>" for x in lines)
                   + "</ol>")
    if code:
        out.append(f"<pre><code>{html.escape(code, quote=False)}</code></pre>")
    if conv:
        out.append("<ul>" + "".join(f"<li>{html.escape(x, quote=False)}</li>" for x in conv)
                   + "</ul>")
    if image:
        out.append(f'<p><img src="{html.escape(image)}" alt="network diagram"/></p>')
    if part is not None:
        out.append(f"<p>{html.escape(_question(problem, part), quote=False)}</p>")
        out.append(f"<p>{html.escape(HOW_TO_CHOOSE if choose else HOW_TO_TYPE, quote=False)}</p>")
    return "".join(out)


def blanks_html(problem: ProblemLike, wanted: Sequence[Target], image: str | None,
                blank: Callable[[Target], str]) -> str:
    """One question for several numbers: the statement, then per part its question and a
    table of (label, blank) rows; ``blank`` writes the LMS's blank for one number."""
    out = [question_html(problem, None, image)]
    part = None
    for t in wanted:
        if t.part != part:
            if part is not None:
                out.append("</table>")
            part = t.part
            out.append(f"<p>{html.escape(_question(problem, t.part), quote=False)}</p><table>")
        out.append(f"<tr><td>{html.escape(t.label, quote=False)}</td><td>{blank(t)}</td></tr>")
    if part is not None:
        out.append("</table>")
    out.append(f"<p>{html.escape(HOW_TO_TYPE, quote=False)}</p>")
    return "".join(out)


def shape_name(parts: Iterable[str]) -> str:
    """The name of a question shape: which kinds of part it asks (layer names dropped).

    >>> shape_name(["per_layer", "shape:conv2"]), shape_name(["total"])
    ('per_layer+shape', 'total')
    """
    return "+".join(dict.fromkeys(p.partition(":")[0] for p in parts))


def category(problem: ProblemLike, shape: str) -> str:
    """The question-bank category of one question shape of a topic and difficulty: a quiz's
    "random question from category" slot then always draws the same kind of question.

    >>> from generator.problem import generate
    >>> category(generate(topic="basic", difficulty="easy", seed=42), "total")
    '$course$/top/cnnquiz/basic/easy/total'
    """
    return f"{CATEGORY}/{problem.topic or 'problems'}/{problem.difficulty or 'any'}/{shape}"


def general_feedback_html(problem: ProblemLike) -> str:
    """The worked solution, shown after the attempt (Moodle's general feedback)."""
    text = render_solution(solve(network_of(problem)), "text")
    return "<pre>" + html.escape(text, quote=False) + "</pre>"


def catch_all_feedback(part: str = "total") -> str:
    """Feedback for any value no misconception explains."""
    if part.startswith("shape"):
        return ("Not what we expected. Recompute each output dimension: "
                "floor((n + 2P - d(k - 1) - 1) / s) + 1 for 'valid', ceil(n / s) for 'same'.")
    return ("Not what we expected, and not one of the common slips. Recount layer by layer: "
            "weights per filter (k·k·C_in), one bias per filter, and no parameters in pooling, "
            "flatten or dropout layers unless the question says so.")


# -- diagram -------------------------------------------------------------------------------

def diagram(problem: ProblemLike) -> Diagram | None:
    """The problem's network diagram (no answers on it) as an SVG file, when available."""
    ctx = _context(problem)
    svg = ctx.get("diagram_svg") or ""
    if not svg:
        return None
    return Diagram(f"{stable_id(problem.id)}.svg", svg.encode("utf-8"), "image/svg+xml")
