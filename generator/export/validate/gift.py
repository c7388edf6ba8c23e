"""GIFT files, read as question/format/gift/format.php reads them (numerical and
multiple-choice questions).

A port of moodle/moodle ``qformat_gift``: ``escapedchar_pre()`` / ``escapedchar_post()``
(backslash escapes of ``: # = { } ~`` and ``\\n``), ``readquestion()`` (``::name::``,
``[format]``, the first ``{`` and the first ``}``, ``$CATEGORY:``, ``//`` comment lines), its
numerical branch (``=`` alternatives with ``%n%`` weights, ``value:tolerance``,
``#feedback``; everything after the first ``~`` is one catch-all) and its multichoice branch
(see :func:`_multichoice`).

>>> gift_escape("k = 3: {a} # ~")
'k \\\\= 3\\\\: \\\\{a\\\\} \\\\# \\\\~'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .common import ExportError

__all__ = ["GiftAnswer", "GiftQuestion", "gift_escape", "parse_gift"]

_GIFT_SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    """Escape a text for GIFT: backslash first, then ``~ = # { } :`` and newlines (E10)."""
    text = text.replace("\\", "\\\\")
    for ch in _GIFT_SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


_PLACEHOLDERS = {"\\:": "\x01058", "\\#": "\x01035", "\\=": "\x01061", "\\{": "\x01123",
                 "\\}": "\x01125", "\\~": "\x01126", "\\n": "\x01010"}


def _pre(text: str) -> str:
    # format.php escapedchar_pre: \\ first, then the escaped specials, then \\ back to \
    text = text.replace("\\\\", "\x01092")
    for esc, ph in _PLACEHOLDERS.items():
        text = text.replace(esc, ph)
    return text.replace("\x01092", "\\")


def _post(text: str) -> str:
    for esc, ph in _PLACEHOLDERS.items():
        text = text.replace(ph, "\n" if esc == "\\n" else esc[1])
    return text


@dataclass(frozen=True)
class GiftAnswer:
    fraction: float
    answer: str
    tolerance: str
    feedback: str


@dataclass
class GiftQuestion:
    name: str
    text: str
    format: str
    category: str
    kind: str
    answers: list[GiftAnswer] = field(default_factory=list)
    #: multichoice: one answer (an ``=`` option exists) or several (``single = 0``)
    single: bool = True
    comments: list[str] = field(default_factory=list)


def parse_gift(text: str) -> list[GiftQuestion]:
    """Read a GIFT file as format.php does (numerical questions and categories).

    Raises :class:`ExportError` for anything our exporter never writes and Moodle would
    misread: a missing or unbalanced answer block, a non-numeric value (the importer's own
    check is the assignment bug ``$ans = '*'``), a catch-all not last.
    """
    category = ""
    out: list[GiftQuestion] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln for ln in block.split("\n") if not ln.lstrip().startswith("//")]
        comments = [ln.strip()[2:].strip() for ln in block.split("\n")
                    if ln.lstrip().startswith("//")]
        body = "\n".join(lines).strip()
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip()
            continue
        out.append(_parse_gift_question(body, category, comments))
    return out


def _parse_gift_question(body: str, category: str, comments: list[str]) -> GiftQuestion:
    s = _pre(body)
    name = ""
    if s.startswith("::"):
        end = s.find("::", 2)
        if end < 0:
            raise ExportError(f"GIFT: unterminated ::title:: in {body[:60]!r}")
        name, s = _post(s[2:end]).strip(), s[end + 2:]
    start, end = s.find("{"), s.rfind("}")
    if start < 0 or end < start:
        raise ExportError(f"GIFT: no {{answer block}} in {body[:60]!r}")
    if s.count("{") != 1 or s.count("}") != 1:
        raise ExportError(f"GIFT: unescaped brace in {body[:60]!r}")
    qtext, answers_text = s[:start] + s[end + 1:], s[start + 1:end].strip()
    fmt = "moodle"
    m = re.match(r"\s*\[(html|moodle|plain|markdown)\]", qtext)
    if m:
        fmt, qtext = m.group(1), qtext[m.end():]
    q = GiftQuestion(name, _post(qtext).strip(), fmt, category, "", comments=comments)
    # readquestion(): "Determine question type": '#' first is numerical, else a '~' anywhere
    # is multichoice (the other types are never exported)
    if not answers_text.startswith("#"):
        if "~" not in answers_text:
            raise ExportError(f"GIFT question {name!r}: only numerical ({{#...}}) and multiple "
                              "choice ({=right ~wrong}) are exported.")
        return _multichoice(q, answers_text)
    q.kind = "numerical"
    rest = answers_text[1:]
    wrong = ""
    if "~" in rest:
        pos = rest.index("~")
        rest, wrong = rest[:pos], rest[pos:]
        if "=" in wrong:
            raise ExportError(f"GIFT question {name!r}: answers after the '~' catch-all are "
                              "folded into its feedback.")
    parts = [p.strip() for p in rest.split("=")]
    if parts and not parts[0]:
        parts = parts[1:]
    for p in parts:
        fraction = 1.0
        w = re.match(r"%(-?[0-9.]+)%", p)
        if w:
            fraction, p = float(w.group(1)) / 100, p[w.end():]
        feedback = ""
        if p.find("#") > 0:
            p, feedback = p[:p.index("#")], p[p.index("#") + 1:]
        if ":" in p:
            value, tol = p[:p.index(":")], p[p.rindex(":") + 1:]
        else:
            value, tol = p, "0"
        value = value.strip()
        try:
            Decimal(value)
            Decimal(tol)
        except InvalidOperation:
            raise ExportError(f"GIFT question {name!r}: {value!r} is not a number.") from None
        q.answers.append(GiftAnswer(fraction, value, tol.strip(), _post(feedback).strip()))
    if wrong:
        fb = wrong[1:]
        feedback = fb[fb.index("#") + 1:] if "#" in fb else ""
        q.answers.append(GiftAnswer(0.0, "*", "", _post(feedback).strip()))
    return q


#: readquestion()'s $giftanswerweightregex
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")


def _multichoice(q: GiftQuestion, answers_text: str) -> GiftQuestion:
    """readquestion()'s ``case 'multichoice'``: single answer iff an ``=`` is present; every
    ``=`` becomes ``~=``, the text is split at ``~`` (an empty first piece dropped); fewer
    than 2 answers is ``importminerror`` (check_answer_count()); each answer's weight is 1
    for ``=``, answerweightparser()'s ``%n%`` (percent / 100), else 0; commentparser()
    splits answer and feedback at the first ``#``, each trimmed and unescaped
    (parse_text_with_format() calls escapedchar_post())."""
    q.kind, q.single = "multichoice", "=" in answers_text
    pieces = answers_text.replace("=", "~=").split("~")
    pieces[0] = pieces[0].strip()
    if not pieces[0]:
        pieces = pieces[1:]
    if len(pieces) < 2:
        raise ExportError(f"GIFT question {q.name!r}: a multiple-choice question needs 2 "
                          "answers (Moodle: importminerror).")
    for piece in pieces:
        piece = piece.strip()
        weight = 0.0
        if piece.startswith("="):
            weight, piece = 1.0, piece[1:]
        elif _WEIGHT.match(piece):
            end = piece.index("%", 1)
            weight, piece = float(piece[1:end] or 0) / 100, piece[end + 1:]
        answer, _, feedback = piece.partition("#")
        q.answers.append(GiftAnswer(weight, _post(answer.strip()).strip(), "",
                                    _post(feedback.strip()).strip()))
    return q
