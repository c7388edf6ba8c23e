"""Multiple choice in the LMS exports (``--choices N``): Moodle ``multichoice``, Canvas QTI
``multiple_choice_question`` and GIFT ``{=right ~wrong}``.

Each export is read back with the port of its importer (generator/export/validate/) and
every option it carries is checked against the problem: the right option is the key, each
wrong option's value is graded by the real grader as a misconception its feedback names,
over many seeds of every topic. The validators reject what the importers would misread.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.choices import with_choices
from generator.export import content as c
from generator.export.gift import gift_text
from generator.export.moodle import moodle_xml
from generator.export.qti import qti_zip
from generator.export.validate import (
    ExportError,
    check_moodle,
    check_qti_dtd,
    check_qti_zip,
    parse_gift,
    qti_documents,
)
from generator.export.validate.moodle_xml import check_multichoice
from generator.misconceptions import MISCONCEPTIONS
from generator.problem import DIFFICULTIES, generate
from generator.topics import CLASSICS, TOPICS, styles_for
from grader.grade import grade

DTD = Path(__file__).parent / "data" / "ims_qtiasiv1p2.dtd"
SEEDS = range(4)
CASES = list(itertools.product([*TOPICS, *CLASSICS, "color+sharing+trainable-pooling"],
                               DIFFICULTIES))


def _variant(topic: str, difficulty: str, seed: int, n: int = 5) -> Any:
    styles = styles_for(topic)
    return with_choices(generate(topic=topic, difficulty=difficulty, seed=7000 + seed,
                                 style=styles[seed % len(styles)]), n)


def _value(text: str) -> int:
    return int(html.unescape(text).replace(",", ""))


def _exported_options(p: Any) -> dict[str, list[tuple[int, bool, str]]]:
    """(value, right?, feedback as the student reads it) per option, per export format."""
    out: dict[str, list[tuple[int, bool, str]]] = {}
    root = check_moodle(moodle_xml([p]))
    (q,) = root.findall("question[@type='multichoice']")
    out["moodle"] = [(_value(t), f == 100, re.sub(r"</?p>", "", html.unescape(fb)))
                     for f, t, fb in check_multichoice(q, p.id)]
    (g,) = [g for g in parse_gift(gift_text([p])) if g.kind == "multichoice"]
    assert g.single and g.category.endswith("/total-choice")
    out["gift"] = [(_value(a.answer), a.fraction == 1.0, html.unescape(a.feedback))
                   for a in g.answers]
    (item,) = check_qti_zip(io.BytesIO(qti_zip([p]))).values()
    assert item["type"] == "multiple_choice_question"
    out["qti"] = [(_value(t), w == 100, re.sub(r"</?p>", "", html.unescape(fb)))
                  for t, w, fb in item["options"]]
    return out


@pytest.mark.parametrize(("topic", "difficulty"), CASES, ids=[f"{t}-{d}" for t, d in CASES])
def test_every_exported_option_is_graded_as_the_mistake_its_feedback_names(
        topic: str, difficulty: str) -> None:
    for seed in SEEDS:
        p = _variant(topic, difficulty, seed)
        choices = {int(ch["value"]): ch for ch in p.choices.get("total", ())}
        assert len(choices) >= 2, f"{p.id}: no options"
        for fmt, options in _exported_options(p).items():
            assert sorted(v for v, _, _ in options) == sorted(choices), (fmt, p.id)
            assert [v for v, right, _ in options if right] == [p.answers["total"]], (fmt, p.id)
            for value, right, feedback in options:
                if right:
                    assert feedback == "Correct."
                    continue
                named = choices[value]["misconceptions"]
                assert feedback == choices[value]["feedback"], (fmt, p.id, value)
                assert all(MISCONCEPTIONS[m].title in feedback for m in named)
                r = grade(p, str(value))
                found = {m for d in r.diagnoses for m in d.misconceptions}
                assert r.status == "incorrect" and set(named) & found, (
                    f"{fmt} {p.id}: option {value} says {named}, the grader finds {sorted(found)}")


@pytest.fixture(scope="module")
def mixed() -> list:
    """Choice and open variants side by side, one with more parts than the total."""
    return [_variant("basic", "easy", 0), _variant("color", "medium", 1, n=3),
            generate(topic="basic", difficulty="easy", seed=42),
            with_choices(generate(topic="basic", difficulty="medium", seed=3,
                                  parts=("total", "per_layer")), 4)]


def test_moodle_choice_questions_have_their_own_category(mixed: list) -> None:
    root = check_moodle(moodle_xml(mixed))
    cats: dict[str, list[str]] = {}
    cat = ""
    for q in root.findall("question"):
        if q.get("type") == "category":
            cat = q.findtext("category/text", "")
        else:
            cats.setdefault(cat, []).append(str(q.get("type")))
    assert cats["$course$/top/cnnquiz/basic/easy/total-choice"] == ["multichoice"]
    assert cats["$course$/top/cnnquiz/basic/easy/total"] == ["numerical"]
    assert cats["$course$/top/cnnquiz/basic/medium/total-choice"] == ["multichoice"]
    mc = root.find("question[@type='multichoice']")
    assert mc is not None
    assert [mc.findtext(k) for k in ("single", "shuffleanswers", "answernumbering")] == [
        "true", "true", "ABCD"]
    assert c.HOW_TO_CHOOSE in mc.findtext("questiontext/text", "")
    assert c.HOW_TO_TYPE not in mc.findtext("questiontext/text", "")


def test_qti_choices_pass_the_dtd_and_shuffle(mixed: list) -> None:
    data = qti_zip(mixed)
    items = check_qti_zip(io.BytesIO(data))
    kinds = sorted(str(i["type"]) for i in items.values())
    # the variant asking more than its total keeps typed blanks: Canvas mixes no options in
    assert kinds == ["fill_in_multiple_blanks_question", "multiple_choice_question",
                     "multiple_choice_question", "numerical_question"]
    for doc in qti_documents(io.BytesIO(data)).values():
        check_qti_dtd(doc, DTD)
    z = zipfile.ZipFile(io.BytesIO(data))
    meta = next(n for n in z.namelist() if n.endswith("assessment_meta.xml"))
    assert b"<shuffle_answers>true</shuffle_answers>" in z.read(meta)


def test_choice_exports_are_deterministic(mixed: list) -> None:
    again = [_variant("basic", "easy", 0), _variant("color", "medium", 1, n=3),
             generate(topic="basic", difficulty="easy", seed=42),
             with_choices(generate(topic="basic", difficulty="medium", seed=3,
                                   parts=("total", "per_layer")), 4)]
    writers: tuple[Callable[[list[Any]], object], ...] = (moodle_xml, gift_text, qti_zip)
    for write in writers:
        assert write(again) == write(mixed)


# -- what the validators refuse -----------------------------------------------------------

MC = b'''<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="category"><category><text>$course$/top/x</text></category></question>
<question type="multichoice"><name><text>q</text></name>
<questiontext format="html"><text>How many?</text></questiontext><idnumber>q1</idnumber>
<single>true</single><shuffleanswers>true</shuffleanswers>
<answer fraction="100"><text>1,792</text><feedback><text>Correct.</text></feedback></answer>
<answer fraction="0"><text>1,728</text><feedback><text>bias left out</text></feedback></answer>
</question></quiz>'''


@pytest.mark.parametrize("old,new", [
    (b'fraction="0"><text>1,728', b'fraction="100"><text>1,728'),
    (b'fraction="100"><text>1,792', b'fraction="0"><text>1,792'),
    (b'fraction="0"><text>1,728', b'fraction="50"><text>1,728'),
    (b"<text>1,728</text>", b"<text>1,792</text>"),
    (b"<text>bias left out</text>", b"<text></text>"),
    (b"<text>1,728</text>", b"<text> </text>"),
    (b"<single>true</single>", b"<single>false</single>"),
    (b"<shuffleanswers>true</shuffleanswers>", b"<shuffleanswers>0</shuffleanswers>"),
    (b'<answer fraction="0"><text>1,728</text><feedback><text>bias left out</text></feedback>'
     b'</answer>', b""),
], ids=["two-right", "none-right", "partial", "same-text", "no-feedback", "blank-option",
        "multiple-answers", "not-shuffled", "one-option"])
def test_moodle_multichoice_validator_rejects(old: bytes, new: bytes) -> None:
    check_moodle(MC)
    assert old in MC
    with pytest.raises(ExportError):
        check_moodle(MC.replace(old, new, 1))


@pytest.mark.parametrize(("text", "answers"), [
    ("::q::text {=1,792#ok ~1,728#no bias}", [(1.0, "1,792", "ok"), (0.0, "1,728", "no bias")]),
    ("::q::text {~%50%a#half ~b}", [(0.5, "a", "half"), (0.0, "b", "")]),
    ("::q::text {~a \\= b#x \\# y ~c}", [(0.0, "a = b", "x # y"), (0.0, "c", "")]),
], ids=["right-wrong", "weights", "escapes"])
def test_gift_multichoice_reads_as_moodle_does(text: str, answers: list) -> None:
    (q,) = parse_gift(text)
    assert q.kind == "multichoice" and q.single == ("=" in text.replace("\\=", ""))
    assert [(a.fraction, a.answer, a.feedback) for a in q.answers] == answers


def _qti_doc(p: Any) -> tuple[dict[str, bytes], str]:
    z = zipfile.ZipFile(io.BytesIO(qti_zip([p])))
    files = {n: z.read(n) for n in z.namelist()}
    doc = next(n for n in files if n.endswith(".xml") and b"<questestinterop" in files[n])
    return files, doc


def _rezip(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("mutate", [
    lambda d: d.replace(b'<setvar action="Set" varname="SCORE">100</setvar>', b""),
    lambda d: d.replace(b'<conditionvar>', b'<conditionvar><varequal respident="response1">'
                        b'nope</varequal></conditionvar><conditionvar>', 1),
    lambda d: re.sub(rb"(<respcondition continue=\"Yes\">\s*<conditionvar>\s*<varequal[^>]*>"
                     rb"[^<]*</varequal>\s*</conditionvar>)",
                     rb'\1<setvar action="Set" varname="SCORE">100</setvar>', d, count=1),
    lambda d: re.sub(rb"<itemfeedback ident=\"[^\"]*\">.*?</itemfeedback>", b"", d,
                     flags=re.S),
    lambda d: d.replace(b'rcardinality="Single"', b'rcardinality="Multiple"'),
], ids=["none-scores", "unknown-option", "two-score", "no-feedback", "multiple"])
def test_qti_choice_validator_rejects(mutate: Any) -> None:
    files, doc = _qti_doc(_variant("basic", "easy", 0))
    check_qti_zip(_rezip(files))
    changed = mutate(files[doc])
    assert changed != files[doc]
    files[doc] = changed
    with pytest.raises(ExportError):
        check_qti_zip(_rezip(files))
