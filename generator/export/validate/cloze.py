"""Moodle cloze (multianswer) text, read as Moodle's importer reads it.

A port of moodle/moodle ``question/type/multianswer/questiontype.php``: the regexes
``ANSWER_REGEX`` / ``ANSWER_ALTERNATIVE_REGEX`` / ``NUMERICAL_ALTERNATIVE_REGEX`` and the loop
of ``qtype_multianswer_extract_question()``, which Moodle XML import calls for every cloze
question (``question/format/xml/format.php`` ``import_multianswer()``).

What the port reproduces and the exporters rely on:

- feedback runs to the next ``~`` or ``}`` not preceded by a backslash
  (``ANSWER_ALTERNATIVE_FEEDBACK_REGEX``), so ``\\~`` does not end it;
- feedback is then ``html_entity_decode``-d once and only ``\\}`` and ``\\#`` lose their
  backslash: a ``\\~`` is shown to students as ``\\~``. A literal ``~`` must be written as an
  entity (``&#126;``), which the feedback regex does not see and the decode turns back;
- a NUMERICAL alternative matching ``NUMERICAL_ALTERNATIVE_REGEX`` is ``answer[:tolerance]``;
  anything else (``*``) is decoded like feedback.

>>> parse_cloze("<p>n = {2:NUMERICAL:=1792:0#Right~1728:0#No bias\\\\}~*#Recount}</p>")[0].answers
[ClozeAnswer(fraction=1.0, answer='1792', tolerance='0', feedback='Right'), \
ClozeAnswer(fraction=0.0, answer='1728', tolerance='0', feedback='No bias}'), \
ClozeAnswer(fraction=0.0, answer='*', tolerance='0', feedback='Recount')]
>>> parse_cloze("{1:NM:=5#a \\\\~ b &#126; c~*}")[0].answers[0].feedback
'a \\\\~ b ~ c'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .common import ExportError

__all__ = ["CLOZE_INTEGER", "NUMBER_REGEX", "ClozeAnswer", "ClozeQuestion",
           "check_cloze_numerical", "cloze_unescape", "parse_cloze"]

# ANSWER_ALTERNATIVE_FRACTION_REGEX, _ANSWER_REGEX, _FEEDBACK_REGEX (questiontype.php)
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
# PCRE's (?<!\\|&|&amp;) has alternatives of different widths; Python needs three.
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALT = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_ALT_NOGROUP = re.sub(r"\((?!\?)", "(?:", _ALT)
#: NUMBER_REGEX (questiontype.php): no leading '+', no digit grouping; ',' is a decimal mark
NUMBER_REGEX = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL_ALT = re.compile(f"^({NUMBER_REGEX})(:{NUMBER_REGEX})?$", re.S)
# ANSWER_TYPE_DEF_REGEX
_TYPES = (r"NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|SHORTANSWER|SA|MW|"
          r"SHORTANSWER_C|SAC|MWC|MULTICHOICE_S|MCS|MULTICHOICE_VS|MCVS|MULTICHOICE_HS|MCHS|"
          r"MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH|MULTIRESPONSE_S|MRS|MULTIRESPONSE_HS|MRHS")
_ANSWER_REGEX = re.compile(
    r"\{(?P<weight>[0-9]*):(?P<type>" + _TYPES + r"):(?P<alts>" + _ALT_NOGROUP
    + r"(?:~" + _ALT_NOGROUP + r")*)\}", re.S)
_ALT_REGEX = re.compile("~?" + _ALT, re.S)
_LOOKS_LIKE_SUBQUESTION = re.compile(r"\{[0-9]*:(" + _TYPES + r"):")
#: an integer as the exporters write it: no grouping, no '+'
CLOZE_INTEGER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass(frozen=True)
class ClozeAnswer:
    fraction: float
    answer: str
    tolerance: str
    feedback: str


@dataclass(frozen=True)
class ClozeQuestion:
    weight: int
    type: str
    answers: list[ClozeAnswer]


def cloze_unescape(text: str) -> str:
    """What qtype_multianswer_extract_question() stores for feedback (and non-numeric answers):
    ``html_entity_decode`` once, then ``\\}`` -> ``}`` and ``\\#`` -> ``#``, nothing else.

    >>> cloze_unescape("a\\\\}b\\\\#c\\\\~d&amp;lt;")
    'a}b#c\\\\~d&lt;'
    """
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def parse_cloze(text: str) -> list[ClozeQuestion]:
    """Sub-questions of a cloze text as Moodle's importer reads them (feedback unescaped).

    Raises :class:`ExportError` when text that looks like a sub-question is left over
    (Moodle then silently shows it as text, or truncates feedback at an unescaped '}').
    """
    out: list[ClozeQuestion] = []
    position = 0
    while (m := _ANSWER_REGEX.search(text)) is not None:
        position += 1
        qtype = m["type"]
        answers: list[ClozeAnswer] = []
        remaining = m["alts"]
        while remaining and (a := _ALT_REGEX.match(remaining)) is not None:
            if a.group(1) == "=":
                fraction = 1.0
            elif a.group(2):
                fraction = float(a.group(2).replace(",", ".")) / 100
            else:
                fraction = 0.0
            feedback = cloze_unescape(a.group(5)) if a.group(4) is not None else ""
            raw = a.group(3)
            tolerance = ""
            if qtype in ("NUMERICAL", "NM") and (n := _NUMERICAL_ALT.match(raw)):
                answer = n.group(1)
                tolerance = n.group(6) if n.group(5) else "0"
            else:
                answer = cloze_unescape(raw)
                if qtype in ("NUMERICAL", "NM") and answer == "*":
                    tolerance = "0"
            answers.append(ClozeAnswer(fraction, answer, tolerance, feedback))
            remaining = remaining.split(a.group(0), 1)[1]
        out.append(ClozeQuestion(int(m["weight"] or 1), qtype, answers))
        text = text.replace(m.group(0), f"{{#{position}}}", 1)
    left = _LOOKS_LIKE_SUBQUESTION.search(text)
    if left:
        raise ExportError(f"cloze: unparsable sub-question near {text[left.start():][:60]!r}")
    return out


def check_cloze_numerical(q: ClozeQuestion, where: str) -> None:
    """A NUMERICAL sub-question as we emit them: exact integers, correct first, '*' last,
    and no feedback that shows students an escape Moodle does not remove."""
    if q.type not in ("NUMERICAL", "NM"):
        raise ExportError(f"{where}: sub-question type {q.type}, expected NUMERICAL.")
    if not q.answers or q.answers[0].fraction != 1.0:
        raise ExportError(f"{where}: the first answer must be the 100% one.")
    seen: set[str] = set()
    for a in q.answers:
        if "\\~" in a.feedback:
            raise ExportError(f"{where}: feedback {a.feedback[:40]!r} shows '\\~': Moodle's cloze "
                              "parser unescapes only \\} and \\#; write '~' as &#126;.")
        if a.answer == "*":
            continue
        if not CLOZE_INTEGER.fullmatch(a.answer):
            raise ExportError(f"{where}: answer {a.answer!r} is not a plain number (E9).")
        if a.answer in seen:
            raise ExportError(f"{where}: answer {a.answer} appears twice; the second is unreachable.")
        seen.add(a.answer)
    if q.answers[-1].answer != "*" or sum(a.answer == "*" for a in q.answers) != 1:
        raise ExportError(f"{where}: the '*' catch-all must come last, once.")
