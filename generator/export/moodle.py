"""Moodle XML: one numerical question per variant, cloze for per-layer and shape parts.

Built with ElementTree (E1), so every text is entity-escaped by the serialiser; no CDATA and
no string templates. Layout per variant (A1, E4, E5, E8):

- a ``category`` question per topic, difficulty and question shape
  (``$course$/top/cnnquiz/<topic>/<difficulty>/total`` for the 1-mark numerical questions,
  ``…/<difficulty>/per_layer+shape`` for the cloze questions of those parts), so "a random
  question from the category" always draws the same kind of question (defect 9.5);
- ``total``: a ``numerical`` question, tolerance 0, the correct answer first (100 %), then
  each catalogued misconception's value at 0 % with feedback naming the step (values equal
  to the answer dropped, equal values merged), then the ``*`` catch-all last;
- ``total`` of a multiple-choice variant (``--choices N``): a ``multichoice`` question, one
  answer (``single``), the options shuffled by Moodle and lettered A, B, C, the right one at
  100 % and each distractor at 0 % with its misconception's feedback, in its own category
  (``…/<difficulty>/total-choice``);
- the other parts: one ``cloze`` question with a ``{1:NUMERICAL:…}`` blank per number;
- the diagram as a base64 ``<file>`` referenced by ``@@PLUGINFILE@@``;
- ``idnumber`` derived from the problem id and part. Moodle never updates on import: a
  second import adds every question again and drops the idnumbers already used in the
  category (question/format.php ``importprocess()``).

>>> from generator.problem import generate
>>> data = moodle_xml([generate(topic="basic", difficulty="easy", seed=42)])
>>> data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
True
"""

from __future__ import annotations

import base64
import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from . import content as c
from .files import write_atomic
from .validate import ExportError, check_file_type, check_moodle, parse_cloze
from .xmldoc import document, sub

__all__ = ["cloze_feedback", "cloze_text", "export_moodle", "moodle_xml"]

PENALTY = "0.3333333"
NAME = "moodle.xml"


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = sub(parent, tag, **({"format": fmt} if fmt else {}))
    sub(el, "text", text)
    return el


def _html(text: str) -> str:
    return html.escape(text, quote=False)


def cloze_feedback(text: str) -> str:
    """Plain text as cloze feedback that survives Moodle's parser (A2, E9, defect 9.7).

    qtype_multianswer_extract_question() ends feedback at an unescaped ``~`` or ``}``,
    ``html_entity_decode``-s it once, removes the backslash of ``\\}`` and ``\\#`` only,
    and the result is shown as HTML. So the text is HTML-escaped twice, ``\\`` becomes an
    entity, ``}`` and ``#`` get a backslash, and ``~`` becomes ``&#126;`` (a ``\\~`` would
    be shown with its backslash).

    >>> cloze_feedback("a<b} #1 ~x")
    'a&amp;lt;b\\\\} \\\\#1 &#126;x'
    """
    once = html.escape(text, quote=False).replace("\\", "&#92;")
    twice = html.escape(once, quote=False)
    return twice.replace("}", "\\}").replace("#", "\\#").replace("~", "&#126;")


def cloze_blank(correct: int, wrong: Sequence[c.Distractor], catch_all: str,
                weight: int = 1) -> str:
    """One ``{w:NUMERICAL:=v:0#fb~d:0#fb~*#fb}`` blank: correct first, '*' last.

    >>> cloze_blank(5, [], "Recount")
    '{1:NUMERICAL:=5:0#Correct.~*#Recount}'
    """
    alts = [f"={c.cloze_number(correct)}:0#{cloze_feedback('Correct.')}"]
    alts += [f"%0%{c.cloze_number(d.value)}:0#{cloze_feedback(d.feedback)}" for d in wrong]
    alts.append(f"*#{cloze_feedback(catch_all)}")
    return "{" + f"{weight}:NUMERICAL:" + "~".join(alts) + "}"


def cloze_text(problem: c.ProblemLike, image: str | None) -> tuple[str, list[c.Target]]:
    """Question HTML with one blank per number of every part except ``total``."""
    wanted = [t for t in c.targets(problem) if t.part != "total"]
    return c.blanks_html(problem, wanted, image, lambda t: cloze_blank(
        t.value, c.distractors(problem, t.key), c.catch_all_feedback(t.part))), wanted


def _file(parent: ET.Element, diagram: c.Diagram | None) -> None:
    if diagram is not None:
        sub(parent, "file", base64.b64encode(diagram.data).decode("ascii"),
             name=diagram.name, path="/", encoding="base64")


def _header(quiz: ET.Element, qtype: str, p: c.ProblemLike, diagram: c.Diagram | None,
            choose: bool = False) -> ET.Element:
    """The question element with what the 1-mark total questions share."""
    q = sub(quiz, "question", type=qtype)
    _text(q, "name", f"{p.id} total", fmt=None)
    src = f"@@PLUGINFILE@@/{diagram.name}" if diagram else None
    qt = _text(q, "questiontext", c.question_html(p, "total", src, choose=choose))
    _file(qt, diagram)
    _text(q, "generalfeedback", c.general_feedback_html(p))
    sub(q, "defaultgrade", "1")
    sub(q, "penalty", PENALTY)
    sub(q, "hidden", "0")
    sub(q, "idnumber", c.stable_id(p.id, "total"))
    return q


def _multichoice(quiz: ET.Element, p: c.ProblemLike, diagram: c.Diagram | None) -> None:
    """One answer of several (question/format/xml/format.php import_multichoice())."""
    q = _header(quiz, "multichoice", p, diagram, choose=True)
    sub(q, "single", "true")
    sub(q, "shuffleanswers", "true")
    sub(q, "answernumbering", "ABCD")
    sub(q, "showstandardinstruction", "0")
    _text(q, "correctfeedback", "<p>Correct.</p>")
    _text(q, "partiallycorrectfeedback", "")
    _text(q, "incorrectfeedback", "")
    for o in c.options(p, "total"):
        a = sub(q, "answer", fraction="100" if o.correct else "0", format="html")
        sub(a, "text", _html(o.text))
        _text(a, "feedback", f"<p>{_html(o.feedback)}</p>")


def _numerical(quiz: ET.Element, p: c.ProblemLike, diagram: c.Diagram | None) -> None:
    q = _header(quiz, "numerical", p, diagram)

    def answer(fraction: str, value: str, feedback: str) -> None:
        a = sub(q, "answer", fraction=fraction, format="moodle_auto_format")
        sub(a, "text", value)
        sub(a, "tolerance", "0")
        _text(a, "feedback", feedback)

    answer("100", c.cloze_number(int(p.answers["total"])), "<p>Correct.</p>")
    for d in c.distractors(p, "total"):
        answer("0", c.cloze_number(d.value), f"<p>{_html(d.feedback)}</p>")
    answer("0", "*", f"<p>{_html(c.catch_all_feedback('total'))}</p>")
    sub(q, "unitgradingtype", "0")
    sub(q, "unitpenalty", "0.1000000")
    sub(q, "showunits", "3")
    sub(q, "unitsleft", "0")


def _cloze(quiz: ET.Element, p: c.ProblemLike, diagram: c.Diagram | None) -> None:
    src = f"@@PLUGINFILE@@/{diagram.name}" if diagram else None
    text, wanted = cloze_text(p, src)
    got = parse_cloze(text)
    if [g.answers[0].answer for g in got] != [c.cloze_number(t.value) for t in wanted]:
        raise ExportError(f"{p.id}: the cloze text does not re-parse to its answers.")
    q = sub(quiz, "question", type="cloze")
    _text(q, "name", f"{p.id} parts", fmt=None)
    qt = _text(q, "questiontext", text)
    _file(qt, diagram)
    _text(q, "generalfeedback", c.general_feedback_html(p))
    sub(q, "penalty", PENALTY)
    sub(q, "hidden", "0")
    sub(q, "idnumber", c.stable_id(p.id, "parts"))


WRITERS = {"total": _numerical, "choice": _multichoice, "parts": _cloze}


def moodle_xml(problems: Sequence[c.ProblemLike]) -> bytes:
    """The Moodle XML file for a problem set, validated (E3) before it is returned."""
    quiz = ET.Element("quiz")
    shapes: dict[str, list[tuple[str, c.ProblemLike]]] = {}
    for p in problems:
        rest = [part for part in p.parts if part != "total"]
        if "total" in p.parts:
            kind = "choice" if c.options(p, "total") else "total"
            shape = c.CHOICE_SHAPE if kind == "choice" else "total"
            shapes.setdefault(c.category(p, shape), []).append((kind, p))
        if rest:
            shapes.setdefault(c.category(p, c.shape_name(rest)), []).append(("parts", p))
    diagrams = {p.id: c.diagram(p) for p in problems}
    for path, members in shapes.items():
        cat = sub(quiz, "question", type="category")
        _text(cat, "category", path, fmt=None)
        _text(cat, "info", "cnnquiz variants of one question shape: draw a random question "
                           "from this category")
        sub(cat, "idnumber", c.stable_id("category", path.removeprefix(c.CATEGORY)))
        for kind, p in members:
            WRITERS[kind](quiz, p, diagrams[p.id])
    data = document(quiz)
    check_moodle(data)
    return data


def export_moodle(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``moodle.xml`` into ``out``; returns the paths written."""
    check_file_type(NAME, "moodle")
    return [write_atomic(Path(out) / NAME, moodle_xml(problems))]
