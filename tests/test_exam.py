"""Exam assembly: one document with cover, points, answer space and key; fair roster copies."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.errors import ConfigError
from generator.exam import assemble, fair, load_exam, parse_exam, spread
from generator.exam_doc import exam_pdf, render_exam, typst_str
from generator.network import solve
from generator.spec import load_spec

EXAM = Path(__file__).parent / "exam" / "midterm.yaml"
ROSTER = [f"s{i:03d}" for i in range(12)]
SECRET = b"0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def exam() -> Any:
    return load_exam(EXAM)


@pytest.fixture(scope="module")
def reference(exam: Any) -> Any:
    return {None: assemble(exam)}


@pytest.fixture(scope="module")
def roster_copies(exam: Any) -> Any:
    return {s: assemble(exam, student=s, secret=SECRET) for s in ROSTER}


@pytest.mark.parametrize("fmt", ["md", "html", "latex", "typst"])
@pytest.mark.parametrize("key", [False, True], ids=["exam", "key"])
def test_exam_golden(exam: Any, reference: Any, golden: Any, fmt: str, key: bool) -> None:
    text = render_exam(exam, reference, fmt, key=key)
    golden(f"exam/midterm{'-key' if key else ''}.{fmt}", text)


def test_numbers_in_the_exam(exam: Any, reference: Any) -> None:
    (qs,) = reference.values()
    assert [q.number for q in qs] == [1, 2, 3, 4]
    assert exam.total_points == 25
    text = render_exam(exam, reference, "md")
    assert "4 questions, 25 points in all" in text
    assert "## Question 1 (10 points)" in text and "## Question 4 (5 points)" in text
    assert "(6 points)" in text and text.count("Answer: ____") == 6  # one space per part
    key = render_exam(exam, reference, "md", key=True)
    for q in qs:
        total = solve(load_spec(q.problem.spec)).answer
        assert q.problem.answers["total"] == total
        assert f"{total:,}" in key


def test_copies_show_neutral_ids(exam: Any, roster_copies: Any) -> None:
    topics = ("color", "sharing", "pool", "basic", "classic", "midterm_network")
    for qs in roster_copies.values():
        for q in qs:
            assert q.problem.id.startswith(f"midterm-2026-q{q.number}-")
            assert not any(t in q.problem.id.removeprefix("midterm-2026") for t in topics)
    text = render_exam(exam, roster_copies, "html")
    assert "classic-pool-weight" not in text and "color+sharing" not in text


def test_fairness_per_slot(exam: Any, reference: Any, roster_copies: Any) -> None:
    ref = reference[None]
    for qs in roster_copies.values():
        for q, r in zip(qs, ref, strict=True):
            assert q.problem.style == r.problem.style
            net, rnet = q.problem.network(), r.problem.network()
            assert (net.input.color, net.input.channels) == (rnet.input.color, rnet.input.channels)
            assert fair(q.problem, r.problem)
    assert all(ratio <= 2 for ratio in spread(roster_copies).values())
    assert len({qs[0].problem.id for qs in roster_copies.values()}) == len(ROSTER)


def test_copies_are_deterministic(exam: Any, roster_copies: Any) -> None:
    again = assemble(load_exam(EXAM), student="s003", secret=SECRET)
    assert [q.problem.to_json() for q in again] == [
        q.problem.to_json() for q in roster_copies["s003"]]


def test_pdf_text_has_the_exam(exam: Any, reference: Any) -> None:
    from pypdf import PdfReader

    pdf = exam_pdf(exam, reference)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Midterm: sizing CNNs" in text and "Student ID:" in text
    assert "Question 1 (10 points)" in text and "Question 4 (5 points)" in text
    key = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(exam_pdf(
        exam, reference, key=True))).pages)
    for q in reference[None]:
        assert f"{q.problem.answers['total']:,}" in key


def test_pdf_golden_text_and_same_bytes(exam: Any, reference: Any, golden: Any) -> None:
    from pypdf import PdfReader

    pdf = exam_pdf(exam, reference, key=True)
    assert pdf == exam_pdf(load_exam(EXAM), {None: assemble(load_exam(EXAM))}, key=True)
    golden("exam/midterm-key.pdf.txt",
           "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages) + "\n")


def test_one_pdf_for_the_whole_roster(exam: Any, roster_copies: Any) -> None:
    from pypdf import PdfReader

    three = {s: roster_copies[s] for s in ROSTER[:3]}
    reader = PdfReader(io.BytesIO(exam_pdf(exam, three)))
    pages = [p.extract_text() for p in reader.pages]
    covers = [i for i, t in enumerate(pages) if "Copy for:" in t]
    assert len(covers) == 3 and covers[0] == 0


def test_typst_text_is_data_never_markup() -> None:
    hostile = 'x" + str(1) + "#import "a" #eval("1") $ * _ [ ] \\'
    assert typst_str(hostile).count('"') == 2 + hostile.count('"')
    exam = parse_exam({"title": hostile, "slots": [
        {"topic": "basic", "points": {"total": 1}}]})
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(exam_pdf(exam, {None: assemble(exam)}))).pages[0].extract_text()
    assert "#eval" in text and "#import" in text  # printed as text, not run


BAD = [
    ({"slots": []}, "1 to 200"),
    ({"slots": [{"topic": "nope", "points": {"total": 1}}]}, "unknown topic"),
    ({"slots": [{"topic": "basic", "style": "mixed", "points": {"total": 1}}]}, "one style per"),
    ({"slots": [{"topic": "basic", "points": {"total": 0}}]}, "from 1 to 1000"),
    ({"slots": [{"topic": "basic"}]}, "points must map"),
    ({"slots": [{"topic": "basic", "points": {"total": 1}, "colour": 1}]}, "unknown key"),
    ({"slots": [{"topic": "basic", "from": "x.yaml", "points": {"total": 1}}]}, "either topic"),
    ({"slotz": []}, "unknown key"),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_exam_files_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_exam(data)


def test_exam_command_writes_documents_and_keys(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("student_id\nada\nalan\n")
    secret = tmp_path / "k.txt"
    secret.write_bytes(SECRET)
    r = CliRunner().invoke(main, ["exam", str(EXAM), "--format", "pdf", "--roster", str(roster),
                                  "--secret-file", str(secret), "--out", str(tmp_path / "x")])
    assert r.exit_code == 0, r.output
    out = tmp_path / "x"
    assert (out / "exam.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / "exam-key.pdf").is_file()
    key = json.loads((out / "answer_key.json").read_text())
    assert sorted(key["students"]) == ["ada", "alan"]
    assert len(list((out / "problems").glob("*.json"))) == 8
    assert "largest/smallest total per slot" in r.output
    assert SECRET.decode() not in r.output


# -- multiple choice ----------------------------------------------------------------------
CHOICE_CASES = [("basic", "easy"), ("color", "medium"), ("sharing", "medium"),
                ("trainable-pooling", "easy"), ("no-bias", "hard"), ("batchnorm", "easy"),
                ("color+sharing+trainable-pooling", "medium"), ("classic-shared", "easy")]


@pytest.mark.parametrize(("topic", "difficulty"), CHOICE_CASES)
def test_every_distractor_is_graded_as_its_misconception(topic: str, difficulty: str) -> None:
    from generator.choices import with_choices
    from generator.problem import Problem, generate
    from grader import grade

    for seed in range(3):
        p = with_choices(generate(topic=topic, difficulty=difficulty, seed=seed), 5)
        options = p.choices["total"]
        assert [c["label"] for c in options] == list("ABCDE")[:len(options)]
        assert sum(c["correct"] for c in options) == 1
        assert len({c["value"] for c in options}) == len(options)
        for c in options:
            result = grade(p, str(c["value"]))
            if c["correct"]:
                assert result.status == "correct"
                continue
            assert result.status == "incorrect"
            named = {m for d in result.diagnoses for m in d.misconceptions}
            assert named & set(c["misconceptions"]), (c, result.feedback)
        assert Problem.from_dict(json.loads(p.to_json())) == p  # options survive the file


def test_choices_in_the_documents_and_key(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["generate", "--choices", "4", "--count", "1", "--format", "md",
                                  "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    (path,) = (tmp_path / "s" / "problems").glob("*.json")
    data = json.loads(path.read_text())
    right = next(c for c in data["choices"]["total"] if c["correct"])
    handout = (tmp_path / "s" / "problems.md").read_text()
    key = (tmp_path / "s" / "solutions.md").read_text()
    assert all(f"**{c['label']}.** {c['value']:,}" in handout for c in data["choices"]["total"])
    assert f"{right['label']} ({right['value']:,})" in key


def test_exam_pdf_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "x"
    (out / "exam.pdf").mkdir(parents=True)  # the rename onto it fails, also as root
    r = CliRunner().invoke(main, ["exam", str(EXAM), "--format", "pdf", "--out", str(out)])
    assert r.exit_code == 2 and "cannot write" in r.output, r.output
    assert not list(out.glob(".*.tmp"))
