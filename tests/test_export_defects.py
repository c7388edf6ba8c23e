"""The ten LMS export defects of issue #9, one test each (each failed before its fix).

The Gradescope defects (2: the script run from /autograder/run_autograder; 3: the roster
matched by email and sid) are tested in the real layout in test_export_gradescope.py.
"""

from __future__ import annotations

import html
import io
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.export import EXPORTERS
from generator.export import content as c
from generator.export.gift import gift_text
from generator.export.moodle import cloze_blank, moodle_xml
from generator.export.qti import qti_zip
from generator.export.validate import (
    ExportError,
    check_file_type,
    check_moodle,
    check_qti_dtd,
    check_qti_zip,
    parse_cloze,
    parse_gift,
    qti_documents,
)
from generator.problem import generate

DTD = Path(__file__).parent / "data" / "ims_qtiasiv1p2.dtd"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "lms.md"
NS = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(scope="module")
def problems() -> list:
    parts = ("total", "per_layer", "shape")
    return [generate(topic="basic", difficulty="easy", seed=s, parts=parts) for s in (1, 2, 3)] + [
        generate(topic="basic", difficulty="easy", seed=42),
        generate(topic="color", difficulty="medium", seed=7, parts=parts, style="pytorch")]


# 1. Canvas aborts on <itemmetadata> outside an <item>; the DTD agrees -------------------

def test_1_qti_assessment_metadata_is_qtimetadata_and_valid_under_the_dtd(problems: list) -> None:
    data = qti_zip(problems)
    docs = qti_documents(io.BytesIO(data))
    assert docs
    for name, doc in docs.items():
        check_qti_dtd(doc, DTD)
        assessment = ET.fromstring(doc).find(f"{NS}assessment")
        assert assessment is not None and assessment.find(f"{NS}itemmetadata") is None
        assert assessment.find(f"{NS}qtimetadata") is not None, name


def test_1_the_dtd_check_can_fail() -> None:
    bad = (b'<?xml version="1.0" encoding="UTF-8"?>\n<questestinterop xmlns="http://www.imsglobal'
           b'.org/xsd/ims_qtiasiv1p2"><assessment ident="a"><itemmetadata><qtimetadata>'
           b'<qtimetadatafield><fieldlabel>x</fieldlabel><fieldentry>1</fieldentry>'
           b'</qtimetadatafield></qtimetadata></itemmetadata><section ident="s"/></assessment>'
           b'</questestinterop>')
    with pytest.raises(ExportError, match="itemmetadata"):
        check_qti_dtd(bad, DTD)


# 4. Moodle types an upload by its extension; GIFT must be .txt ----------------------------

def test_4_gift_file_is_txt(problems: list, tmp_path: Path) -> None:
    (path,) = EXPORTERS["gift"](problems[:1], tmp_path)
    assert path.name == "questions.txt"
    check_file_type(path.name, "gift")
    with pytest.raises(ExportError, match=r"\.txt"):
        check_file_type("questions.gift", "gift")


# 5. one category per question shape --------------------------------------------------------

def test_5_moodle_categories_hold_one_question_shape(problems: list) -> None:
    root = ET.fromstring(moodle_xml(problems))
    kinds: dict[str, set[str]] = {}
    category = ""
    for q in root.findall("question"):
        if q.get("type") == "category":
            category = q.findtext("category/text") or ""
        else:
            kinds.setdefault(category, set()).add(q.get("type") or "")
    assert len(kinds) == 4 and all(len(k) == 1 for k in kinds.values()), kinds


def test_5_moodle_validator_refuses_a_mixed_category(problems: list) -> None:
    root = ET.fromstring(moodle_xml(problems[:1]))
    second = [q for q in root.findall("question") if q.get("type") == "category"][1]
    root.remove(second)
    mixed = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
    with pytest.raises(ExportError, match="different kinds of question"):
        check_moodle(mixed)


def test_5_gift_categories_hold_one_part_kind(problems: list) -> None:
    by_category: dict[str, set[str]] = {}
    for q in parse_gift(gift_text(problems)):
        part = q.name.rsplit("-", 1)[-1] if q.name.endswith("-total") else q.name
        kind = "total" if part == "total" else ("per_layer" if "per_layer" in q.name else "shape")
        by_category.setdefault(q.category, set()).add(kind)
        assert q.category.endswith("/" + kind)
    assert all(len(k) == 1 for k in by_category.values())


# 6. a Canvas question slot never mixes networks --------------------------------------------

def test_6_each_canvas_item_is_one_whole_variant(problems: list) -> None:
    data = qti_zip(problems)
    items = check_qti_zip(io.BytesIO(data))
    assert len(items) == len(problems), "one item per variant"
    by_title = {str(v["title"]): v for v in items.values()}
    for p in problems:
        assert by_title[p.id]["answers"] == [str(t.value) for t in c.targets(p)]
    (doc,) = qti_documents(io.BytesIO(data)).values()
    for pool in ET.fromstring(doc).iter(f"{NS}section"):
        titles = [i.get("title") for i in pool.findall(f"{NS}item")]
        shapes = {c.shape_name(next(p for p in problems if p.id == t).parts) for t in titles}
        assert len(shapes) <= 1, "a group draws among variants of one question shape"


# 7. cloze '~' is written so that Moodle shows it without a backslash ------------------------

def test_7_cloze_tilde_has_no_backslash_after_moodle_parses_it() -> None:
    blank = cloze_blank(5, [c.Distractor(6, ("m",), "approx ~ 6")], "about ~ 5")
    (q,) = parse_cloze(blank)
    assert [html.unescape(a.feedback) for a in q.answers[1:]] == ["approx ~ 6", "about ~ 5"]
    assert "\\~" not in blank


# 8. LMS question texts say how to type a count ----------------------------------------------

def test_8_every_lms_question_says_digits_only(problems: list) -> None:
    sentence = html.escape(c.HOW_TO_TYPE, quote=False)
    root = ET.fromstring(moodle_xml(problems))
    texts = [q.findtext("questiontext/text") or "" for q in root.findall("question")
             if q.get("type") != "category"]
    texts += [q.text for q in parse_gift(gift_text(problems))]
    texts += [str(v["text"]) for v in check_qti_zip(io.BytesIO(qti_zip(problems))).values()]
    assert len(texts) > 3 * len(problems)
    assert all(sentence in t for t in texts)


# 9. docs/lms.md tells the truth about re-import ----------------------------------------------

def test_9_docs_say_moodle_adds_questions_again() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "updates nothing twice" not in text
    assert "adds every question again" in text and "drops" in text and "idnumber" in text


# 10. export files have the mode of the answer keys ------------------------------------------

@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_10_export_modes_match_the_answer_key(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "set"
    res = CliRunner().invoke(main, ["generate", "--count", "2", "--format", fmt, "--out", str(out)])
    assert res.exit_code == 0, res.output
    key_mode = stat.S_IMODE((out / "answer_key.json").stat().st_mode)
    exports = [p for p in out.iterdir() if p.suffix in (".xml", ".zip", ".txt")]
    assert exports
    assert {stat.S_IMODE(p.stat().st_mode) for p in exports} == {key_mode}


def test_qti_zip_members_are_listed_in_the_manifest(problems: list) -> None:
    z = zipfile.ZipFile(io.BytesIO(qti_zip(problems)))
    manifest = z.read("imsmanifest.xml").decode()
    assert all(n in manifest for n in z.namelist() if n != "imsmanifest.xml")
