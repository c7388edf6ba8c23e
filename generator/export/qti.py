"""Canvas QTI 1.2 zip: numerical items with exact answers, variants as pools (A3, E11).

Layout (as text2qti and R/exams write it, which Canvas imports)::

    cnnquiz-qti.zip
    ├── imsmanifest.xml             the assessment resource + one webcontent resource per image
    ├── <quiz id>/<quiz id>.xml     <questestinterop><assessment><section>… items
    ├── <quiz id>/assessment_meta.xml
    └── images/<diagram>.svg

Every number is a ``numerical_question`` answered by
``<or><varequal/><and><vargte/><varlte/></and></or>`` on one value (a bare vargte/varlte
pair imports as a range). Variants of one topic and difficulty form a ``<section>`` with
``selection_number`` 1, so each student draws one. Numbers with |x| < 1e-4 (layers without
weights answer 0) are not asked: Canvas mis-grades them. Canvas keeps one feedback for
correct and one for incorrect answers only: the per-value misconception feedback of the
Moodle and GIFT exports has no place here (see docs/lms.md).

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
from .validate import QTI_NS, ExportError, check_qti_zip

__all__ = ["export_qti", "qti_zip"]

DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return (DECL + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _ident(*parts: str) -> str:
    """A stable QTI ident (letters first, hex digest of the parts)."""
    return "g" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _meta(item: ET.Element, fields: dict[str, str]) -> None:
    qm = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    for k, v in fields.items():
        f = _sub(qm, "qtimetadatafield")
        _sub(f, "fieldlabel", k)
        _sub(f, "fieldentry", v)


def _item(section: ET.Element, p: c.ProblemLike, t: c.Target, image: str | None) -> None:
    if abs(Decimal(t.value)) < Decimal("1e-4"):
        raise ExportError(f"{p.id} {t.key}: |answer| < 1e-4 misbehaves in Canvas (E11).")
    ident = _ident(p.id, t.key)
    item = _sub(section, "item", ident=ident, title=f"{p.id} {t.key}"[:80])
    _meta(item, {"question_type": "numerical_question", "points_possible": "1",
                 "original_answer_ids": f"{ident}-a", "assessment_question_identifierref":
                 _ident("aq", p.id, t.key)})
    body = c.question_html(p, t.part, image)
    if t.key != t.part:
        body += f"<p>{html.escape(t.label, quote=False)}:</p>"
    pres = _sub(item, "presentation")
    _sub(_sub(pres, "material"), "mattext", body, texttype="text/html")
    resp = _sub(pres, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(resp, "render_fib", fibtype="Decimal"), "response_label", ident=f"{ident}-a")
    rp = _sub(item, "resprocessing")
    _sub(_sub(rp, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
         vartype="Decimal")
    v = c.cloze_number(t.value)
    cond = _sub(rp, "respcondition")
    cond.set("continue", "No")
    orr = _sub(_sub(cond, "conditionvar"), "or")
    _sub(orr, "varequal", v, respident="response1")
    and_ = _sub(orr, "and")
    _sub(and_, "vargte", v, respident="response1")
    _sub(and_, "varlte", v, respident="response1")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid="correct_fb")
    wrong = _sub(rp, "respcondition")
    wrong.set("continue", "Yes")
    _sub(_sub(wrong, "conditionvar"), "other")
    _sub(wrong, "displayfeedback", feedbacktype="Response", linkrefid="general_incorrect_fb")
    for fid, text in (("correct_fb", "Correct."),
                      ("general_incorrect_fb", c.catch_all_feedback(t.part))):
        fb = _sub(item, "itemfeedback", ident=fid)
        _sub(_sub(_sub(fb, "flow_mat"), "material"), "mattext",
             f"<p>{html.escape(text, quote=False)}</p>", texttype="text/html")


def qti_zip(problems: Sequence[c.ProblemLike], title: str = "cnnquiz") -> bytes:
    """The zip as bytes (deterministic: fixed timestamps, sorted names), validated."""
    quiz_id = _ident("quiz", *sorted(p.id for p in problems))
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = _sub(root, "assessment", ident=quiz_id, title=title)
    _meta(assessment, {"cc_maxattempts": "1"})
    top = _sub(assessment, "section", ident="root_section")
    files: dict[str, bytes] = {}
    pools: dict[tuple[str, str, str], list[c.Target | tuple[c.ProblemLike, c.Target]]] = {}
    order: list[tuple[str, str, str]] = []
    for p in problems:
        d = c.diagram(p)
        image = None
        if d is not None:
            files[f"images/{d.name}"] = d.data
            image = f"$IMS-CC-FILEBASE$/images/{d.name}"
        for t in c.targets(p):
            if t.value == 0:
                continue
            key = (p.topic, str(p.difficulty), t.key if t.part != "total" else "total")
            if key not in pools:
                pools[key] = []
                order.append(key)
            pools[key].append((p, t, image))  # type: ignore[arg-type]
    for key in order:
        members = pools[key]
        section = _sub(top, "section", ident=_ident("pool", *key), title=" ".join(key))
        selection = _sub(_sub(section, "selection_ordering"), "selection")
        _sub(selection, "selection_number", "1")
        _sub(_sub(selection, "selection_extension"), "points_per_item", "1")
        for p, t, image in members:  # type: ignore[misc]
            _item(section, p, t, image)
    assessment_xml = _xml(root)

    meta = ET.Element("quiz", {"identifier": quiz_id,
                               "xmlns": "http://canvas.instructure.com/xsd/cccv1p0"})
    _sub(meta, "title", title)
    _sub(meta, "description", "")
    _sub(meta, "shuffle_answers", "false")
    _sub(meta, "scoring_policy", "keep_highest")
    _sub(meta, "quiz_type", "assignment")
    _sub(meta, "points_possible", str(sum(1 for _ in order)))
    _sub(meta, "allowed_attempts", "1")
    meta_xml = _xml(meta)

    manifest = ET.Element("manifest", {"identifier": _ident("manifest", quiz_id), "xmlns": CP})
    md = _sub(manifest, "metadata")
    _sub(md, "schema", "IMS Content")
    _sub(md, "schemaversion", "1.1.3")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    res = _sub(resources, "resource", identifier=quiz_id, type="imsqti_xmlv1p2")
    _sub(res, "file", href=f"{quiz_id}/{quiz_id}.xml")
    _sub(res, "dependency", identifierref=_ident("meta", quiz_id))
    mres = _sub(resources, "resource", identifier=_ident("meta", quiz_id),
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{quiz_id}/assessment_meta.xml")
    _sub(mres, "file", href=f"{quiz_id}/assessment_meta.xml")
    for name in sorted(files):
        r = _sub(resources, "resource", identifier=_ident("file", name), type="webcontent",
                 href=name)
        _sub(r, "file", href=name)
    manifest_xml = _xml(manifest)

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
    return [write_atomic(Path(out) / "cnnquiz-qti.zip", qti_zip(problems))]
