"""Offline structural validators, run by every exporter before a file is written (E3).

No LMS publishes a schema for these formats, so each check is derived from the importer's
own rules: Moodle XML from ``question/format/xml/format.php`` and ``question/engine/bank.php``
(allowed fractions), cloze from a port of the regexes in
``question/type/multianswer/questiontype.php``, GIFT from a port of
``question/format/gift/format.php``, Canvas QTI 1.2 from what Canvas's importer and
text2qti rely on. Each parser returns what an importer would read, so the exporters (and
the tests) compare it with what was meant: a round trip, not just well-formedness.

>>> parse_cloze("<p>n = {2:NUMERICAL:=1792:0#Right~1728:0#No bias\\\\}~*#Recount}</p>")[0].answers
[ClozeAnswer(fraction=1.0, answer='1792', tolerance='0', feedback='Right'), \
ClozeAnswer(fraction=0.0, answer='1728', tolerance='0', feedback='No bias}'), \
ClozeAnswer(fraction=0.0, answer='*', tolerance='0', feedback='Recount')]
>>> gift_escape("k = 3: {a} # ~")
'k \\\\= 3\\\\: \\\\{a\\\\} \\\\# \\\\~'
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..errors import ConfigError

__all__ = [
    "MOODLE_FRACTIONS",
    "ClozeAnswer",
    "ClozeQuestion",
    "ExportError",
    "GiftAnswer",
    "GiftQuestion",
    "check_moodle",
    "check_qti_zip",
    "gift_escape",
    "parse_cloze",
    "parse_gift",
]


class ExportError(ConfigError):
    """An export that an LMS would reject or misread; nothing is written."""


#: question/engine/bank.php: the grade fractions Moodle accepts, as percentages
MOODLE_FRACTIONS = frozenset(
    Decimal(x) for x in (
        "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
        "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"))


def _fraction_ok(text: str) -> bool:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return any(abs(abs(value) - f) < Decimal("0.0001") for f in MOODLE_FRACTIONS)


# -- cloze (multianswer) -------------------------------------------------------------------

_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
# PCRE's (?<!\\|&|&amp;) has alternatives of different widths; Python needs three.
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALT = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_ALT_NOGROUP = re.sub(r"\((?!\?)", "(?:", _ALT)
NUMBER_REGEX = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL_ALT = re.compile(f"^({NUMBER_REGEX})(:{NUMBER_REGEX})?$", re.S)
_TYPES = (r"NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|SHORTANSWER|SA|MW|"
          r"SHORTANSWER_C|SAC|MWC|MULTICHOICE_S|MCS|MULTICHOICE_VS|MCVS|MULTICHOICE_HS|MCHS|"
          r"MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH|MULTIRESPONSE_S|MRS|MULTIRESPONSE_HS|MRHS")
_ANSWER_REGEX = re.compile(
    r"\{(?P<weight>[0-9]*):(?P<type>" + _TYPES + r"):(?P<alts>" + _ALT_NOGROUP
    + r"(?:~" + _ALT_NOGROUP + r")*)\}", re.S)
_ALT_REGEX = re.compile("~?" + _ALT, re.S)
_LOOKS_LIKE_SUBQUESTION = re.compile(r"\{[0-9]*:(" + _TYPES + r"):")
#: an integer as cloze (E9) writes it: no grouping, no '+'
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


def _cloze_unescape(text: str) -> str:
    text = html.unescape(text)
    return text.replace("\\}", "}").replace("\\#", "#").replace("\\~", "~")


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
            feedback = _cloze_unescape(a.group(5)) if a.group(4) is not None else ""
            raw = a.group(3)
            tolerance = ""
            if qtype in ("NUMERICAL", "NM") and (n := _NUMERICAL_ALT.match(raw)):
                answer = n.group(1)
                tolerance = n.group(6) if n.group(5) else "0"
            else:
                answer = _cloze_unescape(raw)
                if qtype in ("NUMERICAL", "NM") and answer == "*":
                    tolerance = "0"
            answers.append(ClozeAnswer(fraction, answer, tolerance, feedback))
            remaining = remaining.split(a.group(0), 1)[1]
        out.append(ClozeQuestion(int(m["weight"] or 1), qtype, answers))
        text = text.replace(m.group(0), f"{{#{position}}}", 1)
    if _LOOKS_LIKE_SUBQUESTION.search(text):
        left = _LOOKS_LIKE_SUBQUESTION.search(text)
        raise ExportError(f"cloze: unparsable sub-question near {text[left.start():][:60]!r}"
                          if left else "cloze: unparsable sub-question")
    return out


def check_cloze_numerical(q: ClozeQuestion, where: str) -> None:
    """A NUMERICAL sub-question as we emit them: exact integers, correct first, '*' last."""
    if q.type not in ("NUMERICAL", "NM"):
        raise ExportError(f"{where}: sub-question type {q.type}, expected NUMERICAL.")
    if not q.answers or q.answers[0].fraction != 1.0:
        raise ExportError(f"{where}: the first answer must be the 100% one.")
    seen: set[str] = set()
    for a in q.answers:
        if a.answer == "*":
            continue
        if not CLOZE_INTEGER.fullmatch(a.answer):
            raise ExportError(f"{where}: answer {a.answer!r} is not a plain number (E9).")
        if a.answer in seen:
            raise ExportError(f"{where}: answer {a.answer} appears twice; the second is unreachable.")
        seen.add(a.answer)
    if q.answers[-1].answer != "*" or sum(a.answer == "*" for a in q.answers) != 1:
        raise ExportError(f"{where}: the '*' catch-all must come last, once.")


# -- Moodle XML ----------------------------------------------------------------------------

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
    unique non-empty ``idnumber``, cloze texts that re-parse.
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
    ids: set[str] = set()
    category_seen = False
    for i, q in enumerate(root.findall("question"), 1):
        qtype = q.get("type", "")
        where = f"question {i}"
        if qtype not in _MOODLE_TYPES:
            raise ExportError(f"{where}: unknown type {qtype!r}.")
        if qtype == "category":
            if not (_text(q, "category/text") or "").strip():
                raise ExportError(f"{where}: category without a path.")
            category_seen = True
            continue
        if not category_seen:
            raise ExportError(f"{where}: comes before any category.")
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
        if idnumber in ids:
            raise ExportError(f"{where}: idnumber {idnumber} is not unique.")
        ids.add(idnumber)
        if qtype == "numerical":
            _check_numerical(q, where)
        elif qtype == "cloze":
            subs = parse_cloze(text)
            if not subs:
                raise ExportError(f"{where}: cloze text has no sub-question.")
            for j, s in enumerate(subs, 1):
                check_cloze_numerical(s, f"{where}, blank {j}")
    return root


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
        if not _fraction_ok(fraction):
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


# -- GIFT ----------------------------------------------------------------------------------

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
    if not answers_text.startswith("#"):
        raise ExportError(f"GIFT question {name!r}: only numerical ({{#...}}) is exported.")
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


# -- Canvas QTI 1.2 ------------------------------------------------------------------------

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _iter_local(el: ET.Element, name: str) -> Iterable[ET.Element]:
    return (e for e in el.iter() if _local(e.tag) == name)


def check_qti_zip(path_or_file: object) -> dict[str, dict[str, object]]:
    """Structural checks of a Canvas QTI 1.2 zip; returns ``{item ident: item summary}``.

    The manifest lists an ``imsqti_xmlv1p2`` resource whose file is in the zip; images are
    ``webcontent`` resources present in the zip; every item has a unique ident and a
    ``question_type``; numerical items answer with ``<or><varequal/><and><vargte/><varlte/>
    </and></or>`` on one value (E11) with |value| >= 1e-4; pools are sections with a
    ``selection_number`` no larger than their item count.
    """
    with zipfile.ZipFile(path_or_file) as z:  # type: ignore[arg-type]
        names = set(z.namelist())
        if "imsmanifest.xml" not in names:
            raise ExportError("QTI zip has no imsmanifest.xml at its root.")
        manifest = _parse(z.read("imsmanifest.xml"), "imsmanifest.xml")
        if _local(manifest.tag) != "manifest" or not manifest.get("identifier"):
            raise ExportError("imsmanifest.xml: root must be <manifest identifier=...>.")
        assessments = []
        for res in _iter_local(manifest, "resource"):
            rtype = res.get("type")
            files = [f.get("href") for f in _iter_local(res, "file")]
            for href in files:
                if href not in names:
                    raise ExportError(f"imsmanifest.xml: {href} is listed but not in the zip.")
            if rtype == "imsqti_xmlv1p2":
                assessments += files[:1]
            elif rtype not in ("webcontent", "associatedcontent/imscc_xmlv1p1/learning-application-resource"):
                raise ExportError(f"imsmanifest.xml: unknown resource type {rtype!r}.")
        if not assessments:
            raise ExportError("imsmanifest.xml: no imsqti_xmlv1p2 resource.")
        items: dict[str, dict[str, object]] = {}
        for href in assessments:
            root = _parse(z.read(href), href)
            if _local(root.tag) != "questestinterop":
                raise ExportError(f"{href}: root must be <questestinterop>.")
            base = href.rsplit("/", 1)[0] + "/" if "/" in href else ""
            for section in _iter_local(root, "section"):
                _check_section(section, href)
            for item in _iter_local(root, "item"):
                summary = _check_item(item, href, names, base)
                ident = str(summary["ident"])
                if ident in items:
                    raise ExportError(f"{href}: item ident {ident} is not unique.")
                items[ident] = summary
    return items


def _parse(data: bytes, name: str) -> ET.Element:
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'):
        raise ExportError(f"{name}: must start with the XML declaration.")
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise ExportError(f"{name}: not well-formed XML: {e}") from None


def _check_section(section: ET.Element, href: str) -> None:
    sel = [n for o in section if _local(o.tag) == "selection_ordering"
           for e in o if _local(e.tag) == "selection"
           for n in e if _local(n.tag) == "selection_number"]
    if not sel:
        return
    n = int(sel[0].text or "0")
    items = [c for c in section if _local(c.tag) == "item"]
    if not 1 <= n <= len(items):
        raise ExportError(f"{href}: section {section.get('ident')} selects {n} of "
                          f"{len(items)} items.")


def _check_item(item: ET.Element, href: str, names: set[str], base: str) -> dict[str, object]:
    ident = item.get("ident") or ""
    if not ident:
        raise ExportError(f"{href}: item without ident.")
    meta = {(_local_text(f, "fieldlabel")): _local_text(f, "fieldentry")
            for f in _iter_local(item, "qtimetadatafield")}
    qtype = meta.get("question_type")
    if not qtype:
        raise ExportError(f"{href}: item {ident} has no question_type.")
    texts = [m.text or "" for m in _iter_local(item, "mattext")]
    for t in texts:
        if "&nbsp;" in t:
            raise ExportError(f"{href}: item {ident}: &nbsp; is invalid in QTI XML.")
        for src in re.findall(r"src=\"([^\"]+)\"", t):
            if src.startswith("$IMS-CC-FILEBASE$/"):
                target = src[len("$IMS-CC-FILEBASE$/"):]
                if target not in names and base + target not in names:
                    raise ExportError(f"{href}: item {ident} shows {src}, not in the zip.")
    summary: dict[str, object] = {"ident": ident, "title": item.get("title"), "type": qtype,
                                  "text": texts[0] if texts else "", "points":
                                  meta.get("points_possible")}
    if qtype == "numerical_question":
        fib = list(_iter_local(item, "render_fib"))
        if not fib or fib[0].get("fibtype") != "Decimal":
            raise ExportError(f"{href}: item {ident}: numerical needs render_fib fibtype=Decimal.")
        values = []
        for cond in _iter_local(item, "respcondition"):
            setvar = [s for s in _iter_local(cond, "setvar")]
            score = setvar[0].text if setvar else None
            var = next(iter(_iter_local(cond, "conditionvar")), None)
            if var is None:
                continue
            ors = [c for c in var if _local(c.tag) == "or"]
            if score != "100":
                continue
            if len(ors) != 1:
                raise ExportError(f"{href}: item {ident}: exact answers need "
                                  "<or><varequal/><and>vargte/varlte</and></or> (E11).")
            kids = list(ors[0])
            shape = [_local(k.tag) for k in kids]
            inner = [_local(k.tag) for k in kids[1]] if len(kids) == 2 else []
            if shape != ["varequal", "and"] or inner != ["vargte", "varlte"]:
                raise ExportError(f"{href}: item {ident}: exact answers need "
                                  "<or><varequal/><and>vargte/varlte</and></or> (E11).")
            eq, ge, le = [kids[0].text], [kids[1][0].text], [kids[1][1].text]
            if not (eq[0] == ge[0] == le[0]):
                raise ExportError(f"{href}: item {ident}: varequal/vargte/varlte must agree.")
            value = Decimal(str(eq[0]))
            if abs(value) < Decimal("1e-4"):
                raise ExportError(f"{href}: item {ident}: |answer| < 1e-4 misbehaves in Canvas.")
            values.append(str(eq[0]))
        if not values:
            raise ExportError(f"{href}: item {ident}: no answer scoring 100.")
        summary["answers"] = values
    feedback = {f.get("ident"): " ".join(m.text or "" for m in _iter_local(f, "mattext"))
                for f in _iter_local(item, "itemfeedback")}
    summary["feedback"] = feedback
    return summary


def _local_text(el: ET.Element, name: str) -> str:
    found = next(iter(_iter_local(el, name)), None)
    return (found.text or "") if found is not None else ""
