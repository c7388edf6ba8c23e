"""Batch grading of hostile or broken files: every row is accounted for, nothing is merged,
replaced or overwritten, and a bad file gets a clear message (exit 2), never a traceback."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.problem import generate
from grader.batch import BatchOptions, grade_file
from grader.gradebook import read_results, write_canvas

from .test_batch import HEADER, PROBLEMS, run, stub

#: an answer key's students: each student's variants, as the JSON holds them
Roster = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def problem_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A generated set of one problem: (directory, problem id, its total)."""
    d = tmp_path_factory.mktemp("set")
    p = generate(topic="basic", difficulty="easy", seed=1)
    (d / "problems").mkdir()
    (d / "problems" / f"{p.id}.json").write_text(p.to_json())
    (d / "answer_key.json").write_text('{"problems": []}')
    return d, p.id, int(p.answers["total"])


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_unclosed_quote_loses_no_row(tmp_path: Path, problem_set: tuple[Path, str, int]) -> None:
    """Issue 10.1, the exact printf: s3 and s4 are graded, s2 is unreadable at line 4."""
    d, pid, _ = problem_set
    subprocess.run(["bash", "-c", "printf 'student_id,problem,answer\\ns0,%s,1\\ns1,%s,2\\n"
                    "s2,%s,\"1792\\ns3,%s,3\\ns4,%s,4\\n' $P $P $P $P $P > s.csv"],
                   cwd=tmp_path, env={"P": pid, "PATH": "/usr/bin:/bin"}, check=True)
    res = CliRunner().invoke(main, [
        "grade-batch", str(tmp_path / "s.csv"), "--problems", str(d), "--out",
        str(tmp_path / "r.csv"), "--canvas", str(tmp_path / "c.csv"), "--moodle",
        str(tmp_path / "m.csv"), "--feedback-dir", str(tmp_path / "fb")])
    assert res.exit_code == 0, res.output
    assert "graded 5 row(s)" in res.output
    rows = _rows(tmp_path / "r.csv")
    assert [(r["row"], r["student_id"], r["status"]) for r in rows] == [
        ("2", "s0", "incorrect"), ("3", "s1", "incorrect"), ("4", "s2", "unreadable"),
        ("5", "s3", "incorrect"), ("6", "s4", "incorrect")]
    assert "line 4" in rows[2]["reason"] and "quote" in rows[2]["reason"]
    assert rows[2]["score"] == ""
    canvas = list(csv.reader((tmp_path / "c.csv").read_text().splitlines()))
    assert [r[0] for r in canvas[2:]] == ["s0", "s1", "s2", "s3", "s4"]
    assert len(list(csv.reader((tmp_path / "m.csv").read_text().splitlines()))) == 6
    assert len(list((tmp_path / "fb").iterdir())) == 5


QUOTING = [
    ("unclosed-at-end", 's1,p1,"42\ns2,p1,42\ns3,p1,41\n',
     [("s1", "unreadable"), ("s2", "correct"), ("s3", "incorrect")]),
    ("cell-starts-with-quote", 's1,p1,"42 params\ns2,"p1,42\ns3,p1,41\n',
     [("s1", "unreadable"), ("s2", "unreadable"), ("s3", "incorrect")]),
    ("text-after-closing-quote", 's1,p1,"4"2\ns2,p1,42\n',
     [("s1", "unreadable"), ("s2", "correct")]),
    ("quote-closed-on-a-later-row", 's1,p1,"42\ns2,p1,"\ns3,p1,42\n',
     [("s1", "unreadable"), ("s2", "unreadable"), ("s3", "correct")]),
    ("legal-multiline-cell", 's1,p1,"4\n2"\ns2,p1,42\n', [("s1", "unreadable"), ("s2", "correct")]),
    ("quoted-cells", '"s1","p1","42"\n"s""2",p1,41\n', [("s1", "correct"), ('s"2', "incorrect")]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in QUOTING], ids=[c[0] for c in QUOTING])
def test_broken_quoting_costs_one_row(tmp_path: Path, body: str, expected: list) -> None:
    rows = run(tmp_path, "in.csv", HEADER + body)
    assert [(r["student_id"], r["status"]) for r in rows] == expected
    first_lines = [2, 4] if body.startswith('s1,p1,"4\n2"') else list(range(2, 2 + len(rows)))
    assert [int(r["row"]) for r in rows] == first_lines
    for r in rows:
        if r["status"] == "unreadable":
            assert f"line {r['row']}" in r["reason"] or "Could not read" in r["feedback"]


def test_runaway_quote_is_bounded(tmp_path: Path) -> None:
    body = 's0,p1,"42\n' + "".join(f"line {i}\n" for i in range(200)) + "s1,p1,42\n"
    rows = run(tmp_path, "in.csv", HEADER + body)
    assert rows[0]["status"] == "unreadable" and rows[-1]["student_id"] == "s1"
    assert rows[-1]["status"] == "correct"
    assert len(rows) == 202


def test_invalid_bytes_never_merge_students(tmp_path: Path) -> None:
    """latin-1 José and Josè in a UTF-8 file: two flagged rows, never one student."""
    body = HEADER.encode() + "José,p1,42\n".encode() + "José,p1,42\n".encode("latin-1") \
        + "Josè,p1,42\n".encode("latin-1")
    rows = run(tmp_path, "in.csv", body)
    assert [r["student_id"] for r in rows] == ["José", "Jos\\xe9", "Jos\\xe8"]
    assert [r["status"] for r in rows] == ["correct", "error", "error"]
    assert all("--encoding" in r["reason"] for r in rows[1:])
    book = read_results(tmp_path / "results.csv")
    assert len(book.students) == 3
    assert book.students["Jos\\xe9"].review == 1


def test_encoding_option(tmp_path: Path) -> None:
    body = HEADER.encode() + "José,p1,42\nJosè,p1,41\n".encode("cp1252")
    rows = run(tmp_path, "in.csv", body, encoding="cp1252")
    assert [(r["student_id"], r["status"]) for r in rows] == [("José", "correct"),
                                                              ("Josè", "incorrect")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_text_files(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode Text" is UTF-16 LE with a BOM and tabs; a UTF-8 BOM is common too."""
    text = "student_id\tproblem\tanswer\r\nJosé\tp1\t42\r\nZoë\tp1\t41\r\n"
    rows = run(tmp_path, "in.txt", text.encode(encoding))
    assert [(r["student_id"], r["status"]) for r in rows] == [("José", "correct"),
                                                              ("Zoë", "incorrect")]


def test_formula_prefix_keeps_ids_apart(tmp_path: Path) -> None:
    rows = run(tmp_path, "in.csv", HEADER + "=x,p1,42\n'=x,p1,41\n")
    assert [r["student_id"] for r in rows] == ["'=x", "''=x"]
    book = read_results(tmp_path / "results.csv")
    assert sorted(book.students) == ["'=x", "=x"]
    assert book.students["=x"].points == 1 and book.students["'=x"].points == 0
    lines = write_canvas(book, tmp_path / "c.csv").read_text().splitlines()
    assert "''=x,''=x,,,,0" in lines and "'=x,'=x,,,,1" in lines


def test_semicolon_header_is_sniffed(tmp_path: Path) -> None:
    rows = run(tmp_path, "in.csv", "student_id;problem;answer\ns1;p1;42\n")
    assert [(r["student_id"], r["status"]) for r in rows] == [("s1", "correct")]


@pytest.mark.parametrize("delimiter", ["\\x", "ab", '"', "", "a"])
def test_bad_delimiter_is_a_clear_error(tmp_path: Path, delimiter: str) -> None:
    (tmp_path / "in.csv").write_text(HEADER + "s1,p1,42\n")
    res = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "in.csv"), "--out",
                                    str(tmp_path / "r.csv"), "--delimiter", delimiter])
    assert res.exit_code == 2, res.output
    assert "--delimiter" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r.csv").exists()


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text(HEADER + "s1,p1,42\n")
    res = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "in.csv"), "--out",
                                    str(tmp_path / "r.csv"), "--encoding", "klingon"])
    assert res.exit_code == 2 and "unknown encoding" in res.output


def test_huge_integer_in_jsonl_is_one_row(tmp_path: Path) -> None:
    body = ('{"student_id": "s1", "problem": "p1", "answer": ' + "9" * 5000 + "}\n"
            '{"student_id": "s2", "problem": "p1", "answer": 42}\n'
            '{"student_id": ' + "1" * 5000 + ', "problem": "p1", "answer": 41}\n'
            + "[" * 100_000 + "\n")
    rows = run(tmp_path, "in.jsonl", body)
    assert [r["status"] for r in rows] == ["unreadable", "correct", "incorrect", "error"]
    assert rows[1]["student_id"] == "s2"


def test_stub_is_graded_only_where_readable(tmp_path: Path) -> None:
    """The grader never sees a row whose bytes or quoting were broken."""
    seen: list[str] = []

    def spy(problem: object, answer: str, part: str) -> object:
        seen.append(answer)
        return stub(problem, answer, part)

    src = tmp_path / "in.csv"
    src.write_bytes(HEADER.encode() + b's1,p1,"4\xff2\ns2,p1,4\xe92\ns3,p1,42\n')
    grade_file(src, tmp_path / "r.csv", BatchOptions(), problems=PROBLEMS, grade_fn=spy)
    assert seen == ["42"]


@pytest.fixture(scope="module")
def roster_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Roster]:
    """A real per-student set from ``cnnquiz generate --roster`` (alice and bob)."""
    d = tmp_path_factory.mktemp("roster")
    (d / "roster.csv").write_text("student_id\nalice\nbob\n")
    (d / "secret.txt").write_text("course secret 1234567890\n")
    res = CliRunner().invoke(main, ["generate", "--roster", str(d / "roster.csv"),
                                    "--secret-file", str(d / "secret.txt"), "--format", "json",
                                    "--out", str(d / "set")])
    assert res.exit_code == 0, res.output
    import json

    key = json.loads((d / "set" / "answer_key.json").read_text())
    return d / "set", key["students"]


def test_roster_ties_variants_to_students(tmp_path: Path,
                                          roster_set: tuple[Path, Roster]) -> None:
    """Issue 10.10: alice answering bob's variant with bob's answer is not alice's grade."""
    d, students = roster_set
    bob, alice = students["bob"][0], students["alice"][0]
    bob_total, alice_total = bob["answers"]["total"], alice["answers"]["total"]
    (tmp_path / "in.csv").write_text(
        HEADER + f"alice,{bob['id']},{bob_total}\nmallory,{bob['id']},{bob_total}\n"
        f"mallory,1,{bob_total}\nalice,1,{alice_total}\nbob,{bob['id']},{bob_total}\n")
    res = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "in.csv"), "--problems",
                                    str(d), "--out", str(tmp_path / "r.csv"), "--canvas",
                                    str(tmp_path / "c.csv")])
    assert res.exit_code == 0, res.output
    rows = _rows(tmp_path / "r.csv")
    assert [(r["student_id"], r["status"]) for r in rows] == [
        ("alice", "error"), ("mallory", "error"), ("mallory", "error"), ("alice", "correct"),
        ("bob", "correct")]
    assert "not one of 'alice'" in rows[0]["reason"]
    assert all("not on the roster" in r["reason"] for r in rows[1:3])
    assert all(r["score"] == "" for r in rows[:3])


def test_malformed_answer_key_is_a_clear_error(tmp_path: Path) -> None:
    for i, text in enumerate(['{"students": [1, 2]}', '{"students": {"a": [{"id": 5}]}}',
                              "{not json", '{"students": {"a": ' + "[" * 100_000 + "}}",
                              '{"students": {"a": [{"id": "x"}]}, "n": ' + "9" * 5000 + "}"]):
        d = tmp_path / f"set{i}"
        d.mkdir()
        (d / "answer_key.json").write_text(text)
        (tmp_path / "in.csv").write_text(HEADER + "a,x,42\n")
        res = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "in.csv"), "--problems",
                                        str(d), "--out", str(tmp_path / f"r{i}.csv")])
        assert res.exit_code == 2, (text[:40], res.output)
        assert "answer key" in res.output and "Traceback" not in res.output
        assert not (tmp_path / f"r{i}.csv").exists()


BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                  for i in range(1, 10)) + "]>")


def _bomb_xlsx(path: Path) -> None:
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["student_id", "problem", "answer"])
    wb.active.append(["s1", "p1", "x"])
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    name = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in files else \
        "xl/worksheets/sheet1.xml"
    xml = files[name].decode()
    body = xml[xml.index("?>") + 2:] if xml.startswith("<?xml") else xml
    files[name] = (BOMB + body.replace(">x<", ">&lol9;<")).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)


@pytest.mark.parametrize("kind", ["not-a-zip", "entity-bomb", "empty", "missing-sheet"])
def test_hostile_excel_is_refused(tmp_path: Path, kind: str) -> None:
    src = tmp_path / "in.xlsx"
    args = []
    if kind == "not-a-zip":
        src.write_text(HEADER + "s1,p1,42\n")
    elif kind == "entity-bomb":
        _bomb_xlsx(src)
    elif kind == "empty":
        src.write_bytes(b"")
    else:
        import openpyxl

        openpyxl.Workbook().save(src)
        args = ["--sheet", "nope"]
    res = CliRunner().invoke(main, ["grade-batch", str(src), "--out", str(tmp_path / "r.csv"),
                                    *args])
    assert res.exit_code == 2, res.output
    assert "not a readable Excel workbook" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "r.csv").exists()
