"""Canvas QTI 1.2 zip: one question per variant, variants as question groups (A3, E11).

Layout (as text2qti and R/exams write it, which Canvas imports)::

    cnnquiz-qti.zip
    ├── imsmanifest.xml             the assessment resource + one webcontent resource per image
    ├── <quiz id>/<quiz id>.xml     <questestinterop><assessment><section>… items
    ├── <quiz id>/assessment_meta.xml
    └── images/<diagram>.svg

The assessment's metadata is ``<qtimetadata>`` directly in ``<assessment>`` (the IMS DTD;
``<itemmetadata>`` belongs to items only, and Canvas's migration tool aborts on it
elsewhere). Canvas draws each item of a question group independently, so every question
slot must be one whole variant: each variant is ONE item holding all its parts (defect 9.6):

- a variant asking one number is a ``numerical_question`` answered by
  ``<or><varequal/><and><vargte/><varlte/></and></or>`` on one value (exact answer, margin 0);
- a variant asking several numbers is a ``fill_in_multiple_blanks_question`` with a blank
  ``[bN]`` per number, each answered by its digits (Canvas compares blanks as text; the
  question says to type digits only).

- a variant asking only its total, with options (``--choices N``), is a
  ``multiple_choice_question``: one ``response_lid`` with a ``render_choice`` option per
  value, one ``respcondition`` per option showing that option's feedback (its
  misconception's step), the right one also setting SCORE to 100 (as Canvas's own exporter
  writes it and its importer reads it back, see :mod:`.validate.qti`); Canvas shuffles the
  options (the quiz's ``shuffle_answers``). A variant asking more parts keeps its total as
  a blank: Canvas has no question mixing options with typed numbers.

Variants of one topic, difficulty and question shape form a ``<section>`` with
``selection_number`` 1 (a question group picking one), all of equal points (one per part),
which Canvas takes as the group's points. Canvas keeps one feedback for correct and one for
incorrect answers only: the per-value misconception feedback of the Moodle and GIFT exports
has no place here (see docs/lms.md).

>>> from generator.problem import generate
>>> import io
>>> from generator.export.validate import check_qti_zip
>>> items = check_qti_zip(io.BytesIO(qti_zip([generate(topic="basic", difficulty="easy", seed=42)])))
>>> [i["answers"] for i in items.values()]
[['1238']]
"""

from __future__ import annotations

import hashlib
import html
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from . import content as c
from .files import write_atomic
from .validate import QTI_NS, ExportError, check_file_type, check_qti_zip
from .xmldoc import document, sub

__all__ = ["export_qti", "qti_zip"]

CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
NAME = "cnnquiz-qti.zip"


def _ident(*parts: str) -> str:
    """A stable QTI ident (letters first, hex digest of the parts)."""
    return "g" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _meta(parent: ET.Element, fields: dict[str, str]) -> None:
    """``<qtimetadata>`` with one field per entry (inside ``<itemmetadata>`` for items)."""
    qm = sub(parent, "qtimetadata")
    for k, v in fields.items():
        f = sub(qm, "qtimetadatafield")
        sub(f, "fieldlabel", k)
        sub(f, "fieldentry", v)


def _feedback(item: ET.Element, part: str) -> None:
    for fid, text in (("correct_fb", "Correct."),
                      ("general_incorrect_fb", c.catch_all_feedback(part))):
        fb = sub(item, "itemfeedback", ident=fid)
        sub(sub(sub(fb, "flow_mat"), "material"), "mattext",
             f"<p>{html.escape(text, quote=False)}</p>", texttype="text/html")


def _outcomes(item: ET.Element) -> ET.Element:
    rp = sub(item, "resprocessing")
    sub(sub(rp, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    return rp


def _otherwise(rp: ET.Element) -> None:
    wrong = sub(rp, "respcondition")
    wrong.set("continue", "Yes")
    sub(sub(wrong, "conditionvar"), "other")
    sub(wrong, "displayfeedback", feedbacktype="Response", linkrefid="general_incorrect_fb")


def _numerical(section: ET.Element, p: c.ProblemLike, t: c.Target, image: str | None) -> None:
    if abs(Decimal(t.value)) < Decimal("1e-4"):
        raise ExportError(f"{p.id} {t.key}: |answer| < 1e-4 misbehaves in Canvas (E11).")
    ident = _ident(p.id, "variant")
    item = sub(section, "item", ident=ident, title=f"{p.id}"[:80])
    _meta(sub(item, "itemmetadata"), {
        "question_type": "numerical_question", "points_possible": str(len(p.parts)),
        "original_answer_ids": f"{ident}-a",
        "assessment_question_identifierref": _ident("aq", p.id)})
    body = c.question_html(p, t.part, image)
    if t.key != t.part:
        body += f"<p>{html.escape(t.label, quote=False)}:</p>"
    pres = sub(item, "presentation")
    sub(sub(pres, "material"), "mattext", body, texttype="text/html")
    resp = sub(pres, "response_str", ident="response1", rcardinality="Single")
    sub(sub(resp, "render_fib", fibtype="Decimal"), "response_label", ident=f"{ident}-a")
    rp = _outcomes(item)
    v = c.cloze_number(t.value)
    cond = sub(rp, "respcondition")
    cond.set("continue", "No")
    orr = sub(sub(cond, "conditionvar"), "or")
    sub(orr, "varequal", v, respident="response1")
    and_ = sub(orr, "and")
    sub(and_, "vargte", v, respident="response1")
    sub(and_, "varlte", v, respident="response1")
    sub(cond, "setvar", "100", action="Set", varname="SCORE")
    sub(cond, "displayfeedback", feedbacktype="Response", linkrefid="correct_fb")
    _otherwise(rp)
    _feedback(item, t.part)


def _choice(section: ET.Element, p: c.ProblemLike, image: str | None) -> None:
    """One multiple-choice item: an option per value, each with its own feedback."""
    ident = _ident(p.id, "variant")
    opts = c.options(p, "total")
    ids = [_ident(p.id, "option", o.label) for o in opts]
    item = sub(section, "item", ident=ident, title=f"{p.id}"[:80])
    _meta(sub(item, "itemmetadata"), {
        "question_type": "multiple_choice_question", "points_possible": str(len(p.parts)),
        "original_answer_ids": ",".join(ids),
        "assessment_question_identifierref": _ident("aq", p.id)})
    pres = sub(item, "presentation")
    sub(sub(pres, "material"), "mattext", c.question_html(p, "total", image, choose=True),
         texttype="text/html")
    lid = sub(pres, "response_lid", ident="response1", rcardinality="Single")
    choice = sub(lid, "render_choice")
    for o, aid in zip(opts, ids, strict=True):
        label = sub(choice, "response_label", ident=aid)
        sub(sub(label, "material"), "mattext", o.text, texttype="text/plain")
    rp = _outcomes(item)
    for o, aid in zip(opts, ids, strict=True):
        cond = sub(rp, "respcondition")
        cond.set("continue", "No" if o.correct else "Yes")
        sub(sub(cond, "conditionvar"), "varequal", aid, respident="response1")
        if o.correct:
            sub(cond, "setvar", "100", action="Set", varname="SCORE")
        sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=f"{aid}_fb")
    for o, aid in zip(opts, ids, strict=True):
        fb = sub(item, "itemfeedback", ident=f"{aid}_fb")
        sub(sub(sub(fb, "flow_mat"), "material"), "mattext",
             f"<p>{html.escape(o.feedback, quote=False)}</p>", texttype="text/html")


def _blanks(section: ET.Element, p: c.ProblemLike, wanted: Sequence[c.Target],
            image: str | None) -> None:
    """One fill-in-multiple-blanks item for all numbers of a variant (defect 9.6)."""
    ident = _ident(p.id, "variant")
    blank = {t.key: f"b{i}" for i, t in enumerate(wanted, 1)}
    answer_ids = [_ident(p.id, t.key, "answer") for t in wanted]
    item = sub(section, "item", ident=ident, title=f"{p.id}"[:80])
    _meta(sub(item, "itemmetadata"), {
        "question_type": "fill_in_multiple_blanks_question",
        "points_possible": str(len(p.parts)), "original_answer_ids": ",".join(answer_ids),
        "assessment_question_identifierref": _ident("aq", p.id)})
    pres = sub(item, "presentation")
    body = c.blanks_html(p, wanted, image, lambda t: f"[{blank[t.key]}]")
    sub(sub(pres, "material"), "mattext", body, texttype="text/html")
    for t, aid in zip(wanted, answer_ids, strict=True):
        lid = sub(pres, "response_lid", ident=f"response_{blank[t.key]}")
        sub(sub(lid, "material"), "mattext", blank[t.key])
        label = sub(sub(lid, "render_choice"), "response_label", ident=aid)
        sub(sub(label, "material"), "mattext", c.cloze_number(t.value), texttype="text/plain")
    rp = _outcomes(item)
    share = f"{100 / len(wanted):.2f}"
    for t, aid in zip(wanted, answer_ids, strict=True):
        cond = sub(rp, "respcondition")
        cond.set("continue", "Yes")
        sub(sub(cond, "conditionvar"), "varequal", aid, respident=f"response_{blank[t.key]}")
        sub(cond, "setvar", share, action="Add", varname="SCORE")
    _otherwise(rp)
    _feedback(item, wanted[0].part)


def _is_choice(p: c.ProblemLike) -> bool:
    return tuple(p.parts) == ("total",) and bool(c.options(p, "total"))


def qti_zip(problems: Sequence[c.ProblemLike], title: str = "cnnquiz") -> bytes:
    """The zip as bytes (deterministic: fixed timestamps, sorted names), validated."""
    quiz_id = _ident("quiz", *sorted(p.id for p in problems))
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = sub(root, "assessment", ident=quiz_id, title=title)
    _meta(assessment, {"cc_maxattempts": "1"})
    top = sub(assessment, "section", ident="root_section")
    files: dict[str, bytes] = {}
    pools: dict[tuple[str, str, str], list[tuple[c.ProblemLike, str | None]]] = {}
    for p in problems:
        d = c.diagram(p)
        image = None
        if d is not None:
            files[f"images/{d.name}"] = d.data
            image = f"$IMS-CC-FILEBASE$/images/{d.name}"
        shape = c.CHOICE_SHAPE if _is_choice(p) else c.shape_name(p.parts)
        key = (str(p.topic), str(p.difficulty), shape)
        pools.setdefault(key, []).append((p, image))
    for key, members in pools.items():
        section = sub(top, "section", ident=_ident("pool", *key), title=" ".join(key))
        sub(sub(sub(section, "selection_ordering"), "selection"), "selection_number", "1")
        for p, image in members:
            wanted = c.targets(p)
            if _is_choice(p):
                _choice(section, p, image)
            elif len(wanted) == 1:
                _numerical(section, p, wanted[0], image)
            else:
                _blanks(section, p, wanted, image)
    assessment_xml = document(root)

    meta = ET.Element("quiz", {"identifier": quiz_id,
                               "xmlns": "http://canvas.instructure.com/xsd/cccv1p0"})
    sub(meta, "title", title)
    sub(meta, "description", "")
    sub(meta, "shuffle_answers", "true" if any(map(_is_choice, problems)) else "false")
    sub(meta, "scoring_policy", "keep_highest")
    sub(meta, "quiz_type", "assignment")
    sub(meta, "points_possible", str(sum(len(ms[0][0].parts) for ms in pools.values())))
    sub(meta, "allowed_attempts", "1")
    meta_xml = document(meta)
    manifest = ET.Element("manifest", {"identifier": _ident("manifest", quiz_id), "xmlns": CP})
    md = sub(manifest, "metadata")
    sub(md, "schema", "IMS Content")
    sub(md, "schemaversion", "1.1.3")
    sub(manifest, "organizations")
    resources = sub(manifest, "resources")
    res = sub(resources, "resource", identifier=quiz_id, type="imsqti_xmlv1p2")
    sub(res, "file", href=f"{quiz_id}/{quiz_id}.xml")
    sub(res, "dependency", identifierref=_ident("meta", quiz_id))
    mres = sub(resources, "resource", identifier=_ident("meta", quiz_id),
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{quiz_id}/assessment_meta.xml")
    sub(mres, "file", href=f"{quiz_id}/assessment_meta.xml")
    for name in sorted(files):
        r = sub(resources, "resource", identifier=_ident("file", name), type="webcontent",
                 href=name)
        sub(r, "file", href=name)
    manifest_xml = document(manifest)

    entries = {"imsmanifest.xml": manifest_xml, f"{quiz_id}/{quiz_id}.xml": assessment_xml,
               f"{quiz_id}/assessment_meta.xml": meta_xml, **files}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["imsmanifest.xml"] + sorted(set(entries) - {"imsmanifest.xml"}):
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), entries[name],
                       compress_type=zipfile.ZIP_DEFLATED)
    data = buf.getvalue()
    check_qti_zip(io.BytesIO(data))
    return data


def export_qti(problems: list[c.ProblemLike], out: Path) -> list[Path]:
    """Write ``cnnquiz-qti.zip`` into ``out`` (Canvas: Settings → Import → QTI .zip)."""
    check_file_type(NAME, "qti")
    return [write_atomic(Path(out) / NAME, qti_zip(problems))]
