"""LMS exports: every artefact parsed back equals what was meant; escaping; stable ids;
validators reject broken inputs."""

from __future__ import annotations

import html
import io
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.export import EXPORTERS
from generator.export import content as c
from generator.export.gift import gift_text
from generator.export.gradescope import gradescope_zip
from generator.export.moodle import cloze_blank, moodle_xml
from generator.export.qti import qti_zip
from generator.export.validate import (
    ExportError,
    check_cloze_numerical,
    check_moodle,
    check_qti_zip,
    gift_escape,
    parse_cloze,
    parse_gift,
)
from generator.problem import Problem, generate

TORTURE = [
    "plain",
    "a}b#c~d=e:f{g\\h",
    "]]><evil/>",
    "<script>alert('x')</script> & co",
    "\\} \\# \\~ trailing backslash \\",
    "line one\nline two",
    "&amp; &#35; &lt;",
    "100% sure: {1:NUMERICAL:=5}",
    "Unicode · × − ≈ ١٢٣",
]


@pytest.fixture(scope="module")
def problems() -> list:
    return [generate(topic="basic", difficulty="easy", seed=42),
            generate(topic="color", difficulty="easy", seed=7),
            generate(topic="basic", difficulty="medium", seed=3,
                     parts=("total", "per_layer", "shape"))]


def _torture_distractors(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(problem: Problem, part: str = "total") -> list[c.Distractor]:
        if part != "total":
            return []
        total = int(problem.answers["total"])
        return [c.Distractor(total + 1 + i, (f"m{i}",), text) for i, text in enumerate(TORTURE)]

    monkeypatch.setattr(c, "distractors", fake)


# -- cloze ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", TORTURE, ids=range(len(TORTURE)))
def test_cloze_feedback_round_trip(text: str) -> None:
    blank = cloze_blank(1792, [c.Distractor(1728, ("conv_no_bias",), text)], text)
    (q,) = parse_cloze(f"<p>n = {blank}</p>")
    assert [a.answer for a in q.answers] == ["1792", "1728", "*"]
    assert [a.fraction for a in q.answers] == [1.0, 0.0, 0.0]
    assert all(a.tolerance == "0" for a in q.answers)
    # Moodle decodes entities once and shows HTML: one more unescape gives the text back
    assert html.unescape(q.answers[1].feedback) == text
    assert html.unescape(q.answers[2].feedback) == text


def test_unescaped_brace_truncates_and_is_caught() -> None:
    """An unescaped '}' ends the blank early: the catch-all is lost, the checker says so."""
    (q,) = parse_cloze("{1:NUMERICAL:=5:0#a}b~*#c}")
    assert [a.answer for a in q.answers] == ["5"]
    with pytest.raises(ExportError, match="catch-all"):
        check_cloze_numerical(q, "blank")


@pytest.mark.parametrize("text", ["{1:NUMERICAL:=5#x", "{1:NM:=5~*#a} {2:NUMERICAL:x"],
                         ids=["unclosed", "second-unclosed"])
def test_cloze_parser_flags_leftovers(text: str) -> None:
    with pytest.raises(ExportError, match="unparsable"):
        parse_cloze(text)


def test_cloze_numbers_have_no_grouping() -> None:
    assert c.cloze_number(50828751) == "50828751"
    with pytest.raises(TypeError):
        c.cloze_number(1.5)  # type: ignore[arg-type]


# -- Moodle XML ----------------------------------------------------------------------------

def _questions(data: bytes) -> list[ET.Element]:
    return ET.fromstring(data).findall("question")


def test_moodle_numerical_round_trip(problems: list) -> None:
    data = moodle_xml(problems)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    qs = [q for q in _questions(data) if q.get("type") == "numerical"]
    assert len(qs) == 3
    for p, q in zip(problems, qs, strict=True):
        answers = q.findall("answer")
        values = [a.findtext("text") for a in answers]
        want = c.distractors(p, "total")
        assert values == [str(p.answers["total"]), *(str(d.value) for d in want), "*"]
        assert [a.get("fraction") for a in answers] == ["100"] + ["0"] * (len(values) - 1)
        assert all(a.findtext("tolerance") == "0" for a in answers)
        feedback = [html.unescape(a.findtext("feedback/text") or "")[3:-4] for a in answers[1:-1]]
        assert feedback == [d.feedback for d in want]
        assert all("step:" in f for f in feedback), "each distractor names its step"
        assert len(set(values)) == len(values), "no duplicate or unreachable answers (E4)"
        assert q.findtext("idnumber") == c.stable_id(p.id, "total")
        f = q.find("questiontext/file")
        assert f is not None and f.get("encoding") == "base64"
        assert f"@@PLUGINFILE@@/{f.get('name')}" in (q.findtext("questiontext/text") or "")


def test_moodle_distractors_come_from_the_catalogue(problems: list) -> None:
    p = problems[0]
    from generator.misconceptions import catalogue_values

    values = set(catalogue_values(p.network()).values()) - {p.answers["total"]}
    assert {d.value for d in c.distractors(p)} == values
    ids = {i for d in c.distractors(p) for i in d.misconceptions}
    assert "conv_no_bias" in ids


def test_moodle_cloze_for_parts(problems: list) -> None:
    p = problems[2]
    (q,) = [q for q in _questions(moodle_xml([p])) if q.get("type") == "cloze"]
    subs = parse_cloze(q.findtext("questiontext/text") or "")
    want = [t for t in c.targets(p) if t.part != "total"]
    assert [s.answers[0].answer for s in subs] == [str(t.value) for t in want]
    assert all(s.answers[-1].answer == "*" for s in subs)
    assert q.findtext("idnumber") == c.stable_id(p.id, "parts")
    # per-layer and shape blanks carry the misconceptions applied at that layer
    for s, t in zip(subs, want, strict=True):
        wrong = c.distractors(p, t.key)
        assert [a.answer for a in s.answers[1:-1]] == [str(d.value) for d in wrong]
        assert all("step:" in html.unescape(a.feedback) for a in s.answers[1:-1])
    conv1 = next(s for s, t in zip(subs, want, strict=True) if t.key == "per_layer:conv1")
    no_bias = next(d for d in c.distractors(p, "per_layer:conv1")
                   if d.misconceptions == ("conv_no_bias",))
    assert no_bias.value == p.answers["per_layer"]["conv1"] - p.spec["layers"][0]["filters"]
    assert str(no_bias.value) in [a.answer for a in conv1.answers]


def test_moodle_categories_hold_one_question_shape(problems: list) -> None:
    cats = [q.findtext("category/text") for q in _questions(moodle_xml(problems))
            if q.get("type") == "category"]
    assert cats == ["$course$/top/cnnquiz/basic/easy/total", "$course$/top/cnnquiz/color/easy/total",
                    "$course$/top/cnnquiz/basic/medium/total",
                    "$course$/top/cnnquiz/basic/medium/per_layer+shape"]


def test_moodle_torture_feedback_survives(problems: list, monkeypatch: pytest.MonkeyPatch) -> None:
    _torture_distractors(monkeypatch)
    data = moodle_xml(problems[:1])
    (q,) = [q for q in _questions(data) if q.get("type") == "numerical"]
    got = [html.unescape(a.findtext("feedback/text") or "")[3:-4]
           for a in q.findall("answer")[1:-1]]
    assert got == TORTURE
    assert b"<evil/>" not in data and b"<script>" not in data


def test_moodle_ids_are_stable(problems: list) -> None:
    assert moodle_xml(problems) == moodle_xml(problems)
    again = [generate(topic="basic", difficulty="easy", seed=42),
             generate(topic="color", difficulty="easy", seed=7),
             generate(topic="basic", difficulty="medium", seed=3,
                      parts=("total", "per_layer", "shape"))]
    assert moodle_xml(again) == moodle_xml(problems)


MOODLE_OK = b'''<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="category"><category><text>$course$/top/x</text></category></question>
<question type="numerical"><name><text>q</text></name>
<questiontext format="html"><text>How many?</text></questiontext><idnumber>q1</idnumber>
<answer fraction="100"><text>1792</text><tolerance>0</tolerance></answer>
<answer fraction="0"><text>1728</text><tolerance>0</tolerance></answer>
<answer fraction="0"><text>*</text><tolerance>0</tolerance></answer></question></quiz>'''


@pytest.mark.parametrize("old,new", [
    (b'<?xml version="1.0" encoding="UTF-8"?>', b'\n<?xml version="1.0" encoding="UTF-8"?>'),
    (b'fraction="0"><text>1728', b'fraction="33"><text>1728'),
    (b"<text>1728</text>", b"<text>1792</text>"),
    (b"<text>1792</text><tolerance>0", b"<text>1792</text><tolerance>100"),
    (b'<answer fraction="0"><text>*</text><tolerance>0</tolerance></answer>', b""),
    (b"<idnumber>q1</idnumber>", b""),
    (b"<text>How many?</text>", b'<text>&lt;img src="@@PLUGINFILE@@/a.png"/&gt;</text>'),
    (b"</quiz>", b""),
    (b'type="numerical"', b'type="numerikal"'),
    (b'<answer fraction="100"><text>1792</text><tolerance>0</tolerance></answer>', b""),
], ids=["blank-first-line", "fraction-33", "duplicate", "unreachable", "no-catch-all",
        "no-idnumber", "missing-file", "not-well-formed", "unknown-type", "correct-not-first"])
def test_moodle_validator_rejects(old: bytes, new: bytes) -> None:
    check_moodle(MOODLE_OK)
    assert old in MOODLE_OK
    with pytest.raises(ExportError):
        check_moodle(MOODLE_OK.replace(old, new, 1))


# -- GIFT ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", TORTURE, ids=range(len(TORTURE)))
def test_gift_escape_round_trip(text: str) -> None:
    block = (f"::{gift_escape(text)}::[html]{gift_escape(text)}{{#\n\t=%100%5:0#ok\n"
             f"\t=%0%6:0#{gift_escape(text)}\n\t~#{gift_escape(text)}\n}}")
    (q,) = parse_gift(block)
    assert q.name == text.strip() and q.text == text.strip()
    assert [(a.fraction, a.answer, a.feedback) for a in q.answers] == [
        (1.0, "5", "ok"), (0.0, "6", text.strip()), (0.0, "*", text.strip())]


def test_gift_round_trip(problems: list) -> None:
    text = gift_text(problems)
    parsed = parse_gift(text)
    assert len(parsed) == sum(len(c.targets(p)) for p in problems)
    first = parsed[0]
    p = problems[0]
    assert first.name == c.stable_id(p.id, "total")
    assert first.category == "$course$/top/cnnquiz/basic/easy/total"
    assert first.answers[0].answer == str(p.answers["total"])
    assert [a.answer for a in first.answers[1:-1]] == [str(d.value) for d in c.distractors(p)]
    assert first.answers[-1].answer == "*"
    assert f"[id:{first.name}]" in first.comments
    assert "\n\n\n" not in text and text.endswith("}\n")


def test_gift_torture(problems: list, monkeypatch: pytest.MonkeyPatch) -> None:
    _torture_distractors(monkeypatch)
    (q,) = parse_gift(gift_text(problems[:1]))
    assert [html.unescape(a.feedback) for a in q.answers[1:-1]] == [t.strip() for t in TORTURE]


@pytest.mark.parametrize("broken", [
    "::q::text {#\n=5:0#a: b\n}{",
    "::q::text with no answers",
    "::q::text {#\n=five\n}",
    "::q::text {#\n~#fb\n=5\n}",
    "::q::text {=yes =oui}",
    "::q::text {~only}",
], ids=["two-braces", "no-block", "not-a-number", "after-catch-all", "short-answer",
        "one-choice"])
def test_gift_parser_rejects(broken: str) -> None:
    with pytest.raises(ExportError):
        parse_gift(broken)


# -- QTI -----------------------------------------------------------------------------------

def test_qti_round_trip(problems: list) -> None:
    data = qti_zip(problems)
    items = check_qti_zip(io.BytesIO(data))
    want = sorted([str(t.value) for t in c.targets(p)] for p in problems)
    assert sorted(v["answers"] for v in items.values()) == want, "one item per variant"
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert names[0] == "imsmanifest.xml"
    assert sum(n.startswith("images/") for n in names) == len(problems)
    xml = next(n for n in names if n.count("/") == 1 and not n.endswith("meta.xml")
               and n.endswith(".xml"))
    root = ET.fromstring(z.read(xml))
    ns = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    pools = root.findall(f".//{ns}section/{ns}section")
    assert len(pools) == 3 and all(
        s.findtext(f"{ns}selection_ordering/{ns}selection/{ns}selection_number") == "1"
        for s in pools)
    for item in root.iter(f"{ns}item"):
        kind = item.findtext(f".//{ns}fieldentry")
        if kind == "numerical_question":
            orr = item.find(f".//{ns}conditionvar/{ns}or")
            assert orr is not None and [e.tag.split("}")[1] for e in orr] == ["varequal", "and"]
        else:
            assert kind == "fill_in_multiple_blanks_question"


def test_qti_is_deterministic(problems: list) -> None:
    assert qti_zip(problems) == qti_zip(problems)


def _zip(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    buf.seek(0)
    return buf


def _qti_files(problems: list) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(qti_zip(problems[:1])))
    return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("mutate", [
    lambda f: f.pop("imsmanifest.xml"),
    lambda f: [f.pop(n) for n in list(f) if n.startswith("images/")],
    lambda f: [f.__setitem__(n, f[n].replace(b"<and>", b"<nand>").replace(b"</and>", b"</nand>"))
               for n in list(f) if n.endswith(".xml")],
    lambda f: [f.__setitem__(n, f[n].replace(b"<selection_number>1<", b"<selection_number>9<"))
               for n in list(f) if n.endswith(".xml")],
    lambda f: [f.__setitem__(n, f[n].replace(b'fibtype="Decimal"', b'fibtype="String"'))
               for n in list(f) if n.endswith(".xml")],
    lambda f: [f.__setitem__(n, f[n].replace(b"<qtimetadata>", b"<itemmetadata><qtimetadata>", 1)
                             .replace(b"</qtimetadata>", b"</qtimetadata></itemmetadata>", 1))
               for n in list(f) if n.endswith(".xml") and b"<assessment" in f[n]],
], ids=["no-manifest", "missing-image", "bare-range", "pool-too-small", "not-decimal",
        "itemmetadata-in-assessment"])
def test_qti_validator_rejects(problems: list,
                               mutate: Callable[[dict[str, bytes]], object]) -> None:
    files = _qti_files(problems)
    mutate(files)
    with pytest.raises(ExportError):
        check_qti_zip(_zip(files))


# -- Gradescope ----------------------------------------------------------------------------

def test_gradescope_zip_layout(problems: list) -> None:
    z = zipfile.ZipFile(io.BytesIO(gradescope_zip(problems[:2])))
    for name in ("setup.sh", "run_autograder"):
        info = z.getinfo(name)
        assert (info.external_attr >> 16) & stat.S_IXUSR
        assert z.read(name).startswith(b"#!")
    names = z.namelist()
    assert "grader/grade.py" in names and "generator/problem.py" in names
    assert any(n.startswith("generator/templates/") for n in names)


# -- the registry --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_exporters_write_and_return_paths(fmt: str, problems: list, tmp_path: Path) -> None:
    paths = EXPORTERS[fmt](problems, tmp_path)
    assert paths and all(p.is_file() and p.parent == tmp_path for p in paths)
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files left"


def test_export_package_does_not_import_grader() -> None:
    code = ("import sys, generator.export, generator.export.gradescope; "
            "print(any(m == 'grader' or m.startswith('grader.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False", out.stderr


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exporter inputs under the test's control: golden files test the format, not wording."""
    _torture_distractors(monkeypatch)
    monkeypatch.setattr(c, "question_html", lambda p, part="total", image=None, choose=False:
                        f"<p>Q {p.id} {part}: k = 3, {{C}} # ~ \\</p>")
    monkeypatch.setattr(c, "general_feedback_html", lambda p: "<pre>solution</pre>")
    monkeypatch.setattr(c, "diagram", lambda p: c.Diagram("d.svg", b"<svg/>", "image/svg+xml"))


@pytest.mark.usefixtures("frozen")
def test_golden_gift(problems: list, golden: Callable[[str, str], None]) -> None:
    golden("export/basic-easy-000042.gift", gift_text(problems[:1]))


@pytest.mark.usefixtures("frozen")
def test_golden_moodle(problems: list, golden: Callable[[str, str], None]) -> None:
    text = moodle_xml(problems[:1]).decode("utf-8")
    golden("export/basic-easy-000042.moodle.xml", text)
