"""Batch grading: every input row is accounted for, whatever the input looks like."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.csvsafe import number_cell, text_cell
from generator.errors import ConfigError
from generator.problem import generate
from grader.batch import RESULT_COLUMNS, BatchOptions, SimpleResult, grade_file
from grader.gradebook import read_results, write_canvas, write_feedback, write_moodle


class Diag:
    def __init__(self, ids: tuple[str, ...], layers: tuple[str, ...]) -> None:
        self.misconceptions, self.layers = ids, layers


def stub(problem: object, answer: str, part: str) -> SimpleResult:
    """A deterministic stand-in grader: 42 is right, 41 a known slip, 'boom' crashes."""
    if answer == "boom":
        raise RuntimeError("grader exploded")
    if answer == "42":
        return SimpleResult("correct", 1.0, (), "Correct.")
    if answer == "41":
        return SimpleResult("incorrect", 0.0, (Diag(("conv_no_bias",), ("conv1",)),),
                            "=HYPERLINK(\"x\") bias missing")
    if not answer.replace("-", "").isdigit():
        return SimpleResult("unreadable", 0.0, (), "Could not read it.", "syntax")
    return SimpleResult("incorrect", 0.0, (), "No common mistake.")


PROBLEMS = {"p1": "P1", "p2": "P2"}


def run(tmp: Path, name: str, content: bytes | str, **opts: Any) -> list[dict[str, str]]:
    """Grade ``content`` with the stub; ``opts``: BatchOptions' fields."""
    src = tmp / name
    src.write_bytes(content.encode() if isinstance(content, str) else content)
    out = tmp / "results.csv"
    grade_file(src, out, BatchOptions(**opts), problems=PROBLEMS, grade_fn=stub)
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(list(r) == list(RESULT_COLUMNS) for r in rows)
    return rows


HEADER = "student_id,problem,answer\n"

# (id, input body after the header, expected (status, reason fragment) per data row)
CASES = [
    ("correct-and-slip", "s1,p1,42\ns2,p1,41\n", [("correct", ""), ("incorrect", "")]),
    ("empty-answer", "s1,p1,\ns2,p1,   \n", [("unreadable", "empty"), ("unreadable", "empty")]),
    ("unknown-problem", "s1,zzz,42\ns2,,42\n", [("error", "unknown problem"),
                                                ("error", "no problem")]),
    ("internal-failure", "s1,p1,boom\ns2,p1,42\n", [("error", "RuntimeError"), ("correct", "")]),
    ("unquoted-comma", "s1,p1,1,792\ns2,p2,42\n", [("error", "3 fields")[:1] + ("4 fields",),
                                                    ("correct", "")]),
    ("short-row", "s1,p1\ns2,p1,42\n", [("error", "no 'answer'"), ("correct", "")]),
    ("formula-cells", "=cmd|' /C calc'!A0,p1,=1+1\n+s2,p1,42\n", [("unreadable", ""),
                                                                   ("correct", "")]),
    ("huge-cell", "s1,p1," + "9" * 200_000 + "\ns2,p1,42\n", [("unreadable", "too long"),
                                                                ("correct", "")]),
    ("blank-lines", "\ns1,p1,42\n\n\ns2,p1,41\n", [("correct", ""), ("incorrect", "")]),
    ("quoted-newline", 's1,p1,"4\n2"\ns2,p1,42\n', [("unreadable", ""), ("correct", "")]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_row_accounted_for(tmp_path: Path, body: str, expected: list) -> None:
    rows = run(tmp_path, "in.csv", HEADER + body)
    assert [(r["status"]) for r in rows] == [e[0] for e in expected]
    for r, (_, reason) in zip(rows, expected, strict=True):
        assert reason in r["reason"]
        if r["status"] in ("error", "unreadable"):
            assert r["score"] == "", "never a silent 0 (P5)"


def test_garbage_bytes(tmp_path: Path) -> None:
    body = (HEADER.encode() + b"s1,p1,\xff\xfe\x00\x80\n" + b"s2,p1,42\n"
            + b"\x00\x00\x00\n" + b"s3,p1,41\n")
    rows = run(tmp_path, "in.csv", body)
    assert [r["student_id"] for r in rows] == ["s1", "s2", "'\ufffd\ufffd\ufffd", "s3"]  # NUL: neutralised
    assert [r["status"] for r in rows] == ["error", "correct", "error", "incorrect"]
    assert "not valid in UTF-8" in rows[0]["reason"] and rows[0]["answer"] == "\\xff\\xfe\ufffd\\x80"


def test_formula_injection_only_in_text_cells(tmp_path: Path) -> None:
    rows = run(tmp_path, "in.csv", HEADER + "=evil(),p1,41\n-5,p1,-5\n")
    assert rows[0]["student_id"] == "'=evil()"
    assert rows[0]["feedback"].startswith("'=HYPERLINK")
    assert rows[1]["answer"] == "'-5" and rows[1]["student_id"] == "'-5"
    assert number_cell(-1) == "-1" and text_cell("-1") == "'-1"


def test_input_order_and_row_numbers(tmp_path: Path) -> None:
    body = "".join(f"s{i},p{1 + i % 2},{40 + i % 4}\n" for i in range(50))
    rows = run(tmp_path, "in.csv", HEADER + body, chunk_size=7)
    assert [r["student_id"] for r in rows] == [f"s{i}" for i in range(50)]
    assert [int(r["row"]) for r in rows] == list(range(2, 52))


@pytest.mark.parametrize("cache_limit", [200_000, 3], ids=["cache", "cache-full"])
def test_workers_give_identical_bytes(tmp_path: Path, cache_limit: int,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.batch.options

    monkeypatch.setattr(grader.batch.options, "CACHE_LIMIT", cache_limit)
    body = "".join(f"s{i},p{1 + i % 2},{38 + i % 6}\n" for i in range(3000))
    body += "s,p1,boom\ns,zzz,42\ns,p1,1,2\n" * 3
    (tmp_path / "in.csv").write_text(HEADER + body)
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"r{workers}.csv"
        grade_file(tmp_path / "in.csv", out, BatchOptions(workers=workers, chunk_size=500),
                   problems=PROBLEMS, grade_fn=stub)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    grade_file(tmp_path / "in.csv", tmp_path / "again.csv", BatchOptions(), problems=PROBLEMS,
               grade_fn=stub)
    assert (tmp_path / "again.csv").read_bytes() == outs[0], "deterministic re-runs"


def test_tsv_and_column_mapping(tmp_path: Path) -> None:
    body = "who\tq\tpart\tresp\ns1\tp1\t\t42\ns2\tp1\tshape:conv1\t41\n"
    rows = run(tmp_path, "in.tsv", body, student="who", problem="q", answer="resp")
    assert [(r["student_id"], r["part"], r["status"]) for r in rows] == [
        ("s1", "total", "correct"), ("s2", "shape:conv1", "incorrect")]


def test_missing_column_is_an_author_error(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("name,problem,answer\ns1,p1,42\n")
    with pytest.raises(ConfigError, match="--student-col"):
        grade_file(tmp_path / "in.csv", tmp_path / "out.csv", BatchOptions(),
                   problems=PROBLEMS, grade_fn=stub)
    assert not (tmp_path / "out.csv").exists()


def test_wide_format(tmp_path: Path) -> None:
    body = "student_id,problem,Q1,Q2\ns1,p1,42,41\ns2,p2,,42\n"
    rows = run(tmp_path, "in.csv", body, wide={"Q1": "total", "Q2": "per_layer"})
    assert [(r["row"], r["student_id"], r["part"], r["status"]) for r in rows] == [
        ("2", "s1", "total", "correct"), ("2", "s1", "per_layer", "incorrect"),
        ("3", "s2", "total", "unreadable"), ("3", "s2", "per_layer", "correct")]


def test_jsonl(tmp_path: Path) -> None:
    body = ('{"student_id": "s1", "problem": "p1", "answer": 42}\n'
            "not json\n"
            '[1, 2]\n'
            '{"student_id": "s2", "problem": "p1", "answer": "41", "extra": {"x": 1}}\n'
            '{"student_id": "s3", "problem": "p1"}\n')
    rows = run(tmp_path, "in.jsonl", body)
    assert [(r["row"], r["status"]) for r in rows] == [
        ("1", "correct"), ("2", "error"), ("3", "error"), ("4", "incorrect"), ("5", "unreadable")]


def test_excel(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["student_id", "problem", "answer"])
    ws.append(["s1", "p1", 42])
    ws.append(["s2", "p1", 42.0])
    ws.append([None, None, None])
    ws.append(["s3", "p1", "=40+2"])
    ws.append([1234, "p2", 41])
    wb.save(tmp_path / "in.xlsx")
    out = tmp_path / "out.csv"
    grade_file(tmp_path / "in.xlsx", out, BatchOptions(), problems=PROBLEMS, grade_fn=stub)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["row"], r["student_id"], r["status"]) for r in rows] == [
        ("2", "s1", "correct"), ("3", "s2", "correct"), ("5", "s3", "unreadable"),
        ("6", "1234", "incorrect")]
    assert rows[2]["answer"] == "'=40+2"


def test_never_writes_over_the_input(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "s1,p1,42\n")
    with pytest.raises(ConfigError, match="input"):
        grade_file(src, src, BatchOptions(), problems=PROBLEMS, grade_fn=stub)
    assert src.read_text() == HEADER + "s1,p1,42\n"
    result = CliRunner().invoke(main, ["grade-batch", str(src), "--out", str(tmp_path / "r.csv"),
                                       "--canvas", str(src)])
    assert result.exit_code == 2 and "input" in result.output
    assert src.read_text() == HEADER + "s1,p1,42\n"


def test_gradebooks_and_feedback(tmp_path: Path) -> None:
    body = "a@x.edu,p1,42\na@x.edu,p2,41\n=b@x.edu,p1,nope\n"
    run(tmp_path, "in.csv", HEADER + body)
    book = read_results(tmp_path / "results.csv")
    assert book.students["a@x.edu"].points == 1.0 and book.students["a@x.edu"].possible == 2
    assert book.students["=b@x.edu"].review == 1
    canvas = write_canvas(book, tmp_path / "canvas.csv", "CNN Quiz (123)")
    lines = list(csv.reader(canvas.read_text().splitlines()))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "CNN Quiz (123)"]
    assert lines[1] == ["Points Possible", "", "", "", "", "2"]
    assert ["'=b@x.edu", "'=b@x.edu", "", "", "", "0"] in lines
    moodle = write_moodle(book, tmp_path / "moodle.csv", "CNN exam")
    mlines = list(csv.reader(moodle.read_text().splitlines()))
    assert mlines[0] == ["Email address", "CNN exam", "CNN exam feedback"]
    assert mlines[1][:2] == ["'=b@x.edu", "0"] and "needs review" in mlines[1][2]
    pages = write_feedback(book, tmp_path / "fb")
    assert len(pages) == 2
    text = "".join(p.read_text() for p in pages)
    assert "<script" not in text and "=HYPERLINK(&quot;x&quot;)" in text


def test_problems_by_id_roster_and_path(tmp_path: Path) -> None:
    p = generate(topic="basic", difficulty="easy", seed=42)
    q = generate(topic="basic", difficulty="easy", seed=43)
    d = tmp_path / "set"
    (d / "problems").mkdir(parents=True)
    for x in (p, q):
        (d / "problems" / f"{x.id}.json").write_text(x.to_json())
    (d / "answer_key.json").write_text(json.dumps({"students": {
        "ann": [{"id": p.id}], "bob": [{"id": q.id}, {"id": p.id}]}}))
    (tmp_path / "in.csv").write_text(
        HEADER + f"ann,,42\nbob,2,42\nbob,q1,42\nbob,,42\ncat,1,42\nann,{p.id},42\n"
        f"bob,set/problems/{q.id}.json,42\nbob,nope.json,42\nann,{q.id},42\n"
        f"ann,set/problems/{q.id}.json,42\ncat,{p.id},42\n")
    out = tmp_path / "out.csv"
    grade_file(tmp_path / "in.csv", out, BatchOptions(), problems_dir=d, grade_fn=stub)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["problem"], r["status"]) for r in rows] == [
        (p.id, "correct"), (p.id, "correct"), (q.id, "correct"), ("", "error"),
        ("1", "error"), (p.id, "correct"), (f"set/problems/{q.id}.json", "correct"),
        ("nope.json", "error"), (q.id, "error"), (f"set/problems/{q.id}.json", "error"),
        (p.id, "error")]
    assert "say which" in rows[3]["reason"] and "not on the roster" in rows[4]["reason"]
    assert "not found" in rows[7]["reason"]
    assert all("not one of 'ann'" in r["reason"] for r in rows[8:10])
    assert "not on the roster" in rows[10]["reason"], "a stranger is flagged, never graded"


def test_cli_with_the_real_grader(tmp_path: Path) -> None:
    p = generate(topic="basic", difficulty="easy", seed=42)
    d = tmp_path / "set"
    d.mkdir()
    (d / f"{p.id}.json").write_text(p.to_json())
    total = p.answers["total"]
    from generator.export.content import distractors

    slip = distractors(p)[0]
    (tmp_path / "in.csv").write_text(
        HEADER + f"s1,{p.id},{total}\ns2,{p.id},{slip.value}\ns3,{p.id},abc\ns4,zzz,1\n"
        f"s5,{p.id},<script>alert(1)</script>\n")
    res = CliRunner().invoke(main, [
        "grade-batch", str(tmp_path / "in.csv"), "--problems", str(d), "--out",
        str(tmp_path / "r.csv"), "--canvas", str(tmp_path / "c.csv"), "--moodle",
        str(tmp_path / "m.csv"), "--feedback-dir", str(tmp_path / "fb")])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "r.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["correct", "incorrect", "unreadable", "error",
                                           "unreadable"]
    assert set(slip.misconceptions) <= set(rows[1]["misconceptions"].split(";"))
    assert str(total) not in rows[1]["feedback"] and f"{total:,}" not in rows[1]["feedback"]
    pages = sorted((tmp_path / "fb").iterdir())
    assert len(pages) == 5
    assert all("<script" not in page.read_text() for page in pages)
