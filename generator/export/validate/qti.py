"""Canvas QTI 1.2 zips, checked as Canvas's importer reads them.

Canvas imports a QTI 1.2 zip in two steps: instructure/QTIMigrationTool (``migrate.py``,
``lib/imsqtiv1.py``) converts it to QTI 2.1, then instructure/canvas-lms
``gems/plugins/qti_exporter/lib/qti/*.rb`` reads that. The checks here follow both:

- **Where each element may stand** (:data:`PARENTS`): every handler class in
  ``lib/imsqtiv1.py`` calls ``CheckLocation(expected parents, tag)`` and raises
  ``QTIException(eInvalidStructure)`` otherwise, which aborts the whole import (so
  ``<itemmetadata>`` inside ``<assessment>`` fails every cnnquiz zip).
- **The DTD** (:func:`check_qti_dtd`): IMS QTI ASI 1.2 (``schemas/ims_qtiasiv1p2.dtd`` in the
  migration tool), run by the tests with lxml.
- **Numerical items** (``numeric_interaction.rb`` ``get_canvas_answers()``): an exact answer
  is ``<or><varequal/><and>vargte varlte</and></or>``; a bare vargte/varlte pair imports as a
  range. The value goes through Ruby's ``to_f``: an integer above 2**53 would be rounded.
  |x| < 1e-4 misbehaves (text2qti#51).
- **Fill-in-multiple-blanks items** (``fill_in_the_blank.rb`` ``process_canvas()``): one
  ``response_lid`` ``response_<blank>`` per ``[<blank>]`` of the question text, its answers
  as ``response_label`` texts.
- **Multiple-choice items** (``choice_interaction.rb``: ``get_answers()``,
  ``process_response_conditions()``, ``set_question_type()``; ``attach_feedback_values()``
  in ``assessment_item_converter.rb``): each ``response_label`` of the ``render_choice`` is
  an answer at weight 0; each ``respcondition`` names one answer by its ident (an unknown
  ident is a nil answer: the item fails) and sets its weight (100 when it sets SCORE above
  0; the last condition wins) and, first one wins, its feedback; one answer above 0 makes
  a ``multiple_choice_question``, none an import error, several ``multiple_answers``.
- **Question groups** (``assessment_test_converter.rb`` ``process_section()``): a section
  with ``selection_number`` n picks n of its items per student, independently; when every
  item of the group has the same ``points_possible``, that becomes the group's points.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO

from .common import ExportError

__all__ = ["CANVAS_FLOAT_EXACT", "PARENTS", "QTI_NS", "check_qti_dtd", "check_qti_structure",
           "check_qti_zip", "qti_documents"]

#: a zip by path or as an open binary file (what zipfile.ZipFile takes)
ZipSource = str | os.PathLike[str] | IO[bytes]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
#: integers Ruby's Float (String#to_f in numeric_interaction.rb) holds exactly
CANVAS_FLOAT_EXACT = 2**53

#: element -> the parents ``CheckLocation`` accepts in QTIMigrationTool lib/imsqtiv1.py
#: (classes QTISection, SelectionOrdering, Selection, SelectionNumber, SelectionExtension,
#: ItemMetadata, QTIMetadata, QTIMetadataField, FieldLabel, FieldEntry, Presentation,
#: ResponseLabel, FlowMat, ItemFeedback, ResProcessing, Outcomes, DecVar, RespCondition,
#: SetVar, DisplayFeedback, ConditionVar, AndOperatorV1, OrOperatorV1, OtherOperatorV1)
PARENTS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "section": "assessment section objectbank questestinterop",
    "selection_ordering": "section assessment",
    "selection": "selection_ordering",
    "selection_number": "selection",
    "selection_extension": "selection",
    "itemmetadata": "item",
    "qtimetadata": "itemmetadata objectbank assessment section",
    "qtimetadatafield": "qtimetadata",
    "fieldlabel": "qtimetadatafield",
    "fieldentry": "qtimetadatafield",
    "presentation": "item",
    "response_label": "flow_label render_choice render_fib render_hotspot render_slider "
                      "render_extension",
    "flow_mat": "flow_mat itemfeedback response_label rubric objectives solutionmaterial "
                "hintmaterial",
    "itemfeedback": "item",
    "resprocessing": "item",
    "outcomes": "outcomes_processing resprocessing",
    "decvar": "outcomes",
    "respcondition": "resprocessing",
    "setvar": "respcondition",
    "displayfeedback": "respcondition",
    "conditionvar": "respcondition",
    "and": "respcondition conditionvar and or not",
    "or": "respcondition conditionvar and or not",
    "other": "respcondition conditionvar and or not",
}.items()}

_BLANK = re.compile(r"\[([A-Za-z0-9_]+)\]")
_DIGITS = re.compile(r"-?[0-9]+")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _iter_local(el: ET.Element, name: str) -> Iterable[ET.Element]:
    return (e for e in el.iter() if _local(e.tag) == name)


def _kids(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _local_text(el: ET.Element, name: str) -> str:
    found = next(iter(_iter_local(el, name)), None)
    return (found.text or "") if found is not None else ""


def check_qti_structure(root: ET.Element, href: str) -> None:
    """Every element where the migration tool's CheckLocation accepts it."""
    for parent in root.iter():
        for child in parent:
            allowed = PARENTS.get(_local(child.tag))
            if allowed is not None and _local(parent.tag) not in allowed:
                raise ExportError(f"{href}: <{_local(child.tag)}> inside <{_local(parent.tag)}>; "
                                  f"Canvas's QTI migration tool accepts it only in "
                                  f"{', '.join(sorted(allowed))} and aborts the import.")


def check_qti_dtd(data: bytes, dtd_path: str | Path) -> None:
    """Validate one QTI 1.2 document against the IMS ASI DTD (needs lxml).

    The DTD predates XML namespaces and declares no ``xmlns``; Canvas and text2qti write
    the QTI namespace as the default namespace, so the element tree is validated with that
    one declaration removed (element names and structure are unchanged).
    """
    from lxml import etree  # a test dependency; the exporters never need it

    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
    etree.cleanup_namespaces(root)
    dtd = etree.DTD(str(dtd_path))
    if not dtd.validate(root):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(dtd.error_log)[:5])
        raise ExportError(f"not valid under {Path(dtd_path).name}: {errors}")


def qti_documents(path_or_file: ZipSource) -> dict[str, bytes]:
    """The QTI assessment documents of a zip, by name (what the manifest lists)."""
    with zipfile.ZipFile(path_or_file) as z:
        manifest = _parse(z.read("imsmanifest.xml"), "imsmanifest.xml")
        return {href: z.read(href) for res in _iter_local(manifest, "resource")
                if res.get("type") == "imsqti_xmlv1p2"
                for href in [f.get("href") for f in _iter_local(res, "file")][:1] if href}


def check_qti_zip(path_or_file: ZipSource) -> dict[str, dict[str, object]]:
    """Structural checks of a Canvas QTI 1.2 zip; returns ``{item ident: item summary}``.

    The manifest lists an ``imsqti_xmlv1p2`` resource whose file is in the zip; images are
    ``webcontent`` resources present in the zip; elements stand where the migration tool
    accepts them; every item has a unique ident and a ``question_type``; numerical and
    fill-in-multiple-blanks items as described above; groups pick no more items than they
    hold and their items agree on points.
    """
    with zipfile.ZipFile(path_or_file) as z:
        names = set(z.namelist())
        if "imsmanifest.xml" not in names:
            raise ExportError("QTI zip has no imsmanifest.xml at its root.")
        manifest = _parse(z.read("imsmanifest.xml"), "imsmanifest.xml")
        if _local(manifest.tag) != "manifest" or not manifest.get("identifier"):
            raise ExportError("imsmanifest.xml: root must be <manifest identifier=...>.")
        assessments = []
        for res in _iter_local(manifest, "resource"):
            rtype = res.get("type")
            files: list[str] = []
            for f in _iter_local(res, "file"):
                href = f.get("href")
                if href is None or href not in names:
                    raise ExportError(f"imsmanifest.xml: {href} is listed but not in the zip.")
                files.append(href)
            if rtype == "imsqti_xmlv1p2":
                assessments += files[:1]
            elif rtype not in ("webcontent",
                               "associatedcontent/imscc_xmlv1p1/learning-application-resource"):
                raise ExportError(f"imsmanifest.xml: unknown resource type {rtype!r}.")
        if not assessments:
            raise ExportError("imsmanifest.xml: no imsqti_xmlv1p2 resource.")
        items: dict[str, dict[str, object]] = {}
        for href in assessments:
            root = _parse(z.read(href), href)
            if _local(root.tag) != "questestinterop":
                raise ExportError(f"{href}: root must be <questestinterop>.")
            check_qti_structure(root, href)
            base = href.rsplit("/", 1)[0] + "/" if "/" in href else ""
            for item in _iter_local(root, "item"):
                summary = _check_item(item, href, names, base)
                ident = str(summary["ident"])
                if ident in items:
                    raise ExportError(f"{href}: item ident {ident} is not unique.")
                items[ident] = summary
            for section in _iter_local(root, "section"):
                _check_section(section, href, items)
    return items


def _parse(data: bytes, name: str) -> ET.Element:
    if not data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'):
        raise ExportError(f"{name}: must start with the XML declaration.")
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise ExportError(f"{name}: not well-formed XML: {e}") from None


def _check_section(section: ET.Element, href: str, items: dict[str, dict[str, object]]) -> None:
    sel = [n for o in _kids(section, "selection_ordering") for e in _kids(o, "selection")
           for n in _kids(e, "selection_number")]
    if not sel:
        return
    n = int(sel[0].text or "0")
    members = _kids(section, "item")
    if not 1 <= n <= len(members):
        raise ExportError(f"{href}: section {section.get('ident')} selects {n} of "
                          f"{len(members)} items.")
    points = {items[str(m.get("ident"))]["points"] for m in members}
    if len(points) > 1:
        raise ExportError(f"{href}: group {section.get('ident')} mixes points {sorted(map(str, points))}; "
                          "Canvas then gives every item 1 point.")


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
                                  "text": texts[0] if texts else "",
                                  "points": meta.get("points_possible")}
    where = f"{href}: item {ident}"
    if qtype == "numerical_question":
        summary["answers"] = _numerical_answers(item, where)
    elif qtype == "fill_in_multiple_blanks_question":
        summary["answers"] = _blank_answers(item, str(summary["text"]), where)
    elif qtype == "multiple_choice_question":
        options = _choice_options(item, where)
        summary["options"] = options
        summary["answers"] = [text for text, weight, _ in options if weight]
    else:
        raise ExportError(f"{where}: question type {qtype} is not one cnnquiz writes.")
    summary["feedback"] = _feedbacks(item)
    return summary


def _feedbacks(item: ET.Element) -> dict[str, str]:
    return {str(f.get("ident")): " ".join(m.text or "" for m in _iter_local(f, "mattext"))
            for f in _iter_local(item, "itemfeedback")}


def _choice_options(item: ET.Element, where: str) -> list[tuple[str, int, str]]:
    """(option text, weight, feedback HTML) per option, as the importer reads them."""
    lids = list(_iter_local(item, "response_lid"))
    if len(lids) != 1 or lids[0].get("rcardinality", "Single") != "Single":
        raise ExportError(f"{where}: a multiple-choice item has one response_lid, "
                          "rcardinality Single.")
    rid = lids[0].get("ident") or ""
    labels = [lab for ch in _kids(lids[0], "render_choice") for lab in _kids(ch, "response_label")]
    idents = [lab.get("ident") or "" for lab in labels]
    texts = {i: _local_text(lab, "mattext").strip() for i, lab in zip(idents, labels, strict=True)}
    if len(labels) < 2 or len(set(idents)) != len(idents) or "" in idents:
        raise ExportError(f"{where}: needs 2 or more options with distinct idents.")
    if "" in texts.values() or len(set(texts.values())) != len(texts):
        raise ExportError(f"{where}: every option needs its own non-empty text.")
    weight = dict.fromkeys(idents, 0)
    feedback_id: dict[str, str] = {}
    for cond in _iter_local(item, "respcondition"):
        eqs = [e for e in _iter_local(cond, "varequal") if e.get("respident") == rid]
        if not eqs:
            continue
        aid = (eqs[0].text or "").strip()
        if aid not in weight:
            raise ExportError(f"{where}: a condition names option {aid!r}, which the item does "
                              "not have (Canvas's importer fails on it).")
        score = [v for v in _iter_local(cond, "setvar") if v.get("varname") == "SCORE"]
        weight[aid] = 100 if score and Decimal(score[0].text or "0") > 0 else 0
        shown = next(iter(_iter_local(cond, "displayfeedback")), None)
        if shown is not None:
            feedback_id.setdefault(aid, str(shown.get("linkrefid")))
    if sum(1 for w in weight.values() if w) != 1:
        raise ExportError(f"{where}: exactly one option must score (Canvas: none is an import "
                          "error, several a multiple-answers question).")
    fbs = _feedbacks(item)
    out = []
    for aid in idents:
        text = fbs.get(feedback_id.get(aid, ""), "")
        if not weight[aid] and not text.strip():
            raise ExportError(f"{where}: option {texts[aid]} has no feedback; each wrong option "
                              "names its mistake.")
        out.append((texts[aid], weight[aid], text))
    return out


def _numerical_answers(item: ET.Element, where: str) -> list[str]:
    fib = list(_iter_local(item, "render_fib"))
    if not fib or fib[0].get("fibtype") != "Decimal":
        raise ExportError(f"{where}: numerical needs render_fib fibtype=Decimal.")
    values = []
    for cond in _iter_local(item, "respcondition"):
        setvar = list(_iter_local(cond, "setvar"))
        var = next(iter(_iter_local(cond, "conditionvar")), None)
        if var is None or not setvar or setvar[0].text != "100":
            continue
        ors = _kids(var, "or")
        kids = list(ors[0]) if len(ors) == 1 else []
        shape = [_local(k.tag) for k in kids]
        inner = [_local(k.tag) for k in kids[1]] if len(kids) == 2 else []
        if shape != ["varequal", "and"] or inner != ["vargte", "varlte"]:
            raise ExportError(f"{where}: exact answers need "
                              "<or><varequal/><and>vargte/varlte</and></or> (E11).")
        eq, ge, le = kids[0].text, kids[1][0].text, kids[1][1].text
        if not (eq == ge == le):
            raise ExportError(f"{where}: varequal/vargte/varlte must agree.")
        value = Decimal(str(eq))
        if abs(value) < Decimal("1e-4"):
            raise ExportError(f"{where}: |answer| < 1e-4 misbehaves in Canvas.")
        if abs(value) > CANVAS_FLOAT_EXACT:
            raise ExportError(f"{where}: {eq} is above 2**53; Canvas stores it as a float and "
                              "would round it.")
        values.append(str(eq))
    if not values:
        raise ExportError(f"{where}: no answer scoring 100.")
    return values


def _blank_answers(item: ET.Element, text: str, where: str) -> list[str]:
    blanks = _BLANK.findall(text)
    lids = list(_iter_local(item, "response_lid"))
    idents = [lid.get("ident") or "" for lid in lids]
    if [f"response_{b}" for b in blanks] != idents or len(set(blanks)) != len(blanks):
        raise ExportError(f"{where}: the blanks of the text {blanks} and the responses "
                          f"{idents} must match one to one, in order.")
    labels: dict[str, tuple[str, str]] = {}
    for lid in lids:
        choice = _kids(lid, "render_choice")
        opts = _kids(choice[0], "response_label") if choice else []
        if len(opts) != 1:
            raise ExportError(f"{where}: {lid.get('ident')} needs exactly one answer.")
        answer = _local_text(opts[0], "mattext").strip()
        if not _DIGITS.fullmatch(answer):
            raise ExportError(f"{where}: blank answer {answer!r} is not digits only; Canvas "
                              "compares blanks as text.")
        labels[str(lid.get("ident"))] = (str(opts[0].get("ident")), answer)
    scored = set()
    for cond in _iter_local(item, "respcondition"):
        for eq in _iter_local(cond, "varequal"):
            rid = eq.get("respident") or ""
            if rid in labels and (eq.text or "") == labels[rid][0]:
                scored.add(rid)
    if scored != set(labels):
        raise ExportError(f"{where}: blanks {sorted(set(labels) - scored)} score nothing.")
    return [labels[i][1] for i in idents]
