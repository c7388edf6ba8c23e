"""Moodle XML files, checked as question/format/xml/format.php imports them.

Rules and where they come from (moodle/moodle):

- the XML declaration first, UTF-8, root ``<quiz>`` (``qformat_xml::readdata()`` /
  ``readquestions()`` parse the whole file with ``xmlize``);
- question types that ``import_question()`` dispatches on; a ``category`` question sets the
  category of what follows (``import_category()``; question/format.php ``importprocess()``
  with ``catfromfile``);
- allowed grade fractions (question/engine/bank.php, checked in ``importprocess()``);
- numerical answers tested in order, first match wins (question/type/numerical/question.php
  ``get_matching_answer()``): the correct answer first, no unreachable answer, ``*`` last;
- embedded files as base64 ``<file>`` in the same text, referenced as ``@@PLUGINFILE@@``
  (``import_files_as_draft()``);
- ``idnumber`` unique in its category: ``importprocess()`` silently drops an idnumber already
  used in the category (so a re-import adds every question again, without idnumbers);
- cloze texts through :func:`generator.export.validate.cloze.parse_cloze`
  (``import_multianswer()`` calls ``qtype_multianswer_extract_question()``);
- multichoice questions as ``import_multichoice()`` reads them (``single`` and
  ``shuffleanswers`` through ``trans_single()``: "false", "0" or empty is off), with at least
  two non-empty answers and, for one answer, a 100 % one
  (question/type/multichoice/edit_multichoice_form.php ``validation()``: ``notenoughanswers``,
  ``errfractionsnomax``); ours also have exactly one right answer, distinct option texts and
  feedback on every wrong option (each carries its misconception);
- one question shape per category: a quiz's "random question from category" slot draws any
  question of the category, so a category mixing a 1-mark numerical question with a
  many-blank cloze question gives students different questions.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

from .cloze import check_cloze_numerical, parse_cloze
from .common import ExportError, fraction_ok

__all__ = ["check_moodle", "check_multichoice", "trans_single"]

_MOODLE_TYPES = {"category", "numerical", "cloze", "multichoice", "shortanswer", "essay",
                 "truefalse", "description", "matching", "calculated"}


def _text(el: ET.Element | None, path: str) -> str | None:
    if el is None:
        return None
    t = el.find(path)
    return None if t is None else (t.text or "")


def check_moodle(data: bytes) -> ET.Element:
    """Structural checks of a Moodle XML file as format.php imports it; returns the root.

    Checks: XML declaration first, UTF-8, root ``<quiz>``, known question types, a name
    and question text on each question, allowed fractions, numerical answers that are
    numbers or '*', correct answer first and '*' last, no duplicate or unreachable
    answers, embedded files that are valid base64 and referenced as ``@@PLUGINFILE@@``,
    non-empty ``idnumber`` unique in its category, cloze texts that re-parse, one question
    type per category.
    """
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'):
        raise ExportError("Moodle XML must start with the XML declaration (no BOM, no blank line).")
    try:
        data.decode("utf-8")
        root = ET.fromstring(data)
    except (UnicodeDecodeError, ET.ParseError) as e:
        raise ExportError(f"Moodle XML is not well-formed: {e}") from None
    if root.tag != "quiz":
        raise ExportError(f"root element is <{root.tag}>, expected <quiz>.")
    ids: set[tuple[str, str]] = set()
    shapes: dict[str, str] = {}
    category = None
    for i, q in enumerate(root.findall("question"), 1):
        qtype = q.get("type", "")
        where = f"question {i}"
        if qtype not in _MOODLE_TYPES:
            raise ExportError(f"{where}: unknown type {qtype!r}.")
        if qtype == "category":
            category = (_text(q, "category/text") or "").strip()
            if not category:
                raise ExportError(f"{where}: category without a path.")
            continue
        if category is None:
            raise ExportError(f"{where}: comes before any category.")
        if shapes.setdefault(category, qtype) != qtype:
            raise ExportError(f"{where}: category {category} holds {shapes[category]} and "
                              f"{qtype} questions; a random question drawn from it would give "
                              "students different kinds of question.")
        name = _text(q, "name/text")
        where = f"question {i} ({name})"
        if not (name or "").strip():
            raise ExportError(f"question {i}: no name.")
        qt = q.find("questiontext")
        if qt is None or qt.get("format") not in ("html", "plain_text", "moodle_auto_format",
                                                  "markdown"):
            raise ExportError(f"{where}: questiontext missing or without a known format.")
        text = _text(qt, "text") or ""
        _check_files(qt, text, where)
        idnumber = (_text(q, "idnumber") or "").strip()
        if not idnumber or len(idnumber) > 100:
            raise ExportError(f"{where}: idnumber must be 1..100 characters (stable re-import).")
        if (category, idnumber) in ids:
            raise ExportError(f"{where}: idnumber {idnumber} is used twice in {category}; "
                              "Moodle drops the second.")
        ids.add((category, idnumber))
        if qtype == "numerical":
            _check_numerical(q, where)
        elif qtype == "multichoice":
            check_multichoice(q, where)
        elif qtype == "cloze":
            subs = parse_cloze(text)
            if not subs:
                raise ExportError(f"{where}: cloze text has no sub-question.")
            for j, s in enumerate(subs, 1):
                check_cloze_numerical(s, f"{where}, blank {j}")
    return root


def trans_single(text: str | None) -> bool:
    """question/format/xml/format.php ``trans_single()``: "false" or an empty value is off,
    anything else on (PHP's ``!$name`` also takes "0" as empty).

    >>> trans_single("true"), trans_single("0"), trans_single(" false ")
    (True, False, False)
    """
    name = (text or "").strip()
    return not (name == "false" or name in ("", "0"))


def check_multichoice(q: ET.Element, where: str) -> list[tuple[Decimal, str, str]]:
    """A single-answer multichoice question as cnnquiz writes it; returns its answers as
    (fraction, option text, feedback text)."""
    if not trans_single(_text(q, "single") if q.find("single") is not None else "true"):
        raise ExportError(f"{where}: multichoice must be single-answer (<single>true</single>).")
    if not trans_single(_text(q, "shuffleanswers") or "false"):
        raise ExportError(f"{where}: the options must be shuffled (<shuffleanswers>true).")
    out = []
    for a in q.findall("answer"):
        fraction = a.get("fraction", "")
        if not fraction_ok(fraction):
            raise ExportError(f"{where}: fraction {fraction!r} is not one Moodle accepts.")
        text = (_text(a, "text") or "").strip()
        if not text:  # save_question_options() skips a blank answer: the option would vanish
            raise ExportError(f"{where}: an option with no text.")
        out.append((Decimal(fraction), text, (_text(a, "feedback/text") or "").strip()))
    if len(out) < 2:
        raise ExportError(f"{where}: a multichoice question needs at least 2 options "
                          "(Moodle: notenoughanswers).")
    right = [o for o in out if o[0] == 100]
    if len(right) != 1 or any(o[0] != 0 for o in out if o[0] != 100):
        raise ExportError(f"{where}: one option at 100% and every other at 0% "
                          "(Moodle: errfractionsnomax for a single-answer question).")
    if len({o[1] for o in out}) != len(out):
        raise ExportError(f"{where}: two options show the same text.")
    if any(not fb for f, _, fb in out if f == 0):
        raise ExportError(f"{where}: a wrong option without feedback (each names its mistake).")
    return out


def _check_files(qt: ET.Element, text: str, where: str) -> None:
    names = set()
    for f in qt.findall("file"):
        name = f.get("name") or ""
        if f.get("encoding") != "base64" or not name:
            raise ExportError(f"{where}: <file> needs name and encoding=\"base64\".")
        try:
            base64.b64decode((f.text or "").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ExportError(f"{where}: file {name} is not valid base64.") from None
        names.add(name)
    for ref in re.findall(r"@@PLUGINFILE@@/([^\"'\s>]+)", text):
        if ref not in names:
            raise ExportError(f"{where}: @@PLUGINFILE@@/{ref} has no <file> in the questiontext.")


def _check_numerical(q: ET.Element, where: str) -> None:
    answers = q.findall("answer")
    if not answers:
        raise ExportError(f"{where}: numerical question without answers.")
    values: list[tuple[Decimal, Decimal]] = []
    for k, a in enumerate(answers):
        fraction = a.get("fraction", "")
        if not fraction_ok(fraction):
            raise ExportError(f"{where}: fraction {fraction!r} is not one Moodle accepts.")
        text = (_text(a, "text") or "").strip()
        tol = (_text(a, "tolerance") or "0").strip()
        if k == 0 and Decimal(fraction) != 100:
            raise ExportError(f"{where}: the first answer must be the correct (100%) one.")
        if text == "*":
            if k != len(answers) - 1:
                raise ExportError(f"{where}: the '*' catch-all must be the last answer.")
            continue
        try:
            value, tolerance = Decimal(text), Decimal(tol)
        except InvalidOperation:
            raise ExportError(f"{where}: answer {text!r} or tolerance {tol!r} is not a number.") from None
        for v, t in values:
            if abs(value - v) <= t:
                raise ExportError(f"{where}: answer {text} is unreachable: an earlier answer "
                                  f"({v} ± {t}) matches it first.")
        values.append((value, tolerance))
    if answers[-1].findtext("text", "").strip() != "*":
        raise ExportError(f"{where}: no '*' catch-all answer last (E8).")
