"""The class report: counts, shares, top-N with others, escaping, CSV, CLI."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from grader.batch import RESULT_COLUMNS
from grader.report import class_report, report_csv, report_html


def results(tmp: Path, rows: list[tuple[str, str, str, str, str, str]]) -> Path:
    """rows: (student, part, status, score, misconceptions, layer_types)."""
    path = tmp / "results.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(RESULT_COLUMNS)
        for i, (s, part, status, score, mids, kinds) in enumerate(rows, 2):
            row = {"row": i, "student_id": s, "problem": "p1", "part": part, "answer": "x",
                   "status": status, "score": score, "misconceptions": mids,
                   "confidence": "confident" if mids else "", "layer_types": kinds,
                   "feedback": "fb"}
            w.writerow([row.get(c, "") for c in RESULT_COLUMNS])
    return path


CLASS = [
    ("ann", "total", "correct", "1", "", ""),
    ("ann", "per_layer", "incorrect", "0.5", "conv_no_bias", "conv2d"),
    ("bob", "total", "incorrect", "0", "conv_no_bias;dense_no_bias", "conv2d;dense"),
    ("cat", "total", "incorrect", "0", "dense_no_bias", "dense"),
    ("cat", "total", "incorrect", "0", "conv_no_bias", "conv2d"),
    ("dan", "total", "unreadable", "", "", ""),
    ("'=eve", "total", "error", "", "", ""),
    ("fay", "total", "incorrect", "0", "pool_default_stride", "max_pooling2d"),
]


def test_counts_and_shares(tmp_path: Path) -> None:
    r = class_report(results(tmp_path, CLASS))
    assert r.students == 6 and r.rows == 8
    ranked = {m.id: (m.rows, m.students) for m in r.ranked()}
    assert ranked == {"conv_no_bias": (3, 3), "dense_no_bias": (2, 2),
                      "pool_default_stride": (1, 1)}
    conv = r.misconceptions["conv_no_bias"]
    assert conv.parts == {"per_layer": 1, "total": 2}
    assert conv.layer_types["conv2d"] == 3
    assert conv.student_set == {"ann", "bob", "cat"}
    assert "=eve" in r.possible, "the formula prefix is undone for names"


@pytest.mark.parametrize("top,head,others", [
    (1, ["conv_no_bias"], [("others", 3, 3)]),
    (2, ["conv_no_bias", "dense_no_bias"], [("others", 1, 1)]),
    (3, ["conv_no_bias", "dense_no_bias", "pool_default_stride"], []),
    (10, ["conv_no_bias", "dense_no_bias", "pool_default_stride"], []),
], ids=["top1", "top2", "top3-all", "top10"])
def test_top_n_with_others(tmp_path: Path, top: int, head: list[str], others: list) -> None:
    r = class_report(results(tmp_path, CLASS))
    got_head, got_others = r.top(top)
    assert [m.id for m in got_head] == head and got_others == others


def test_distribution(tmp_path: Path) -> None:
    r = class_report(results(tmp_path, CLASS))
    # ann 1.5/2 = 75 %, everyone else 0 %
    assert r.distribution() == [5, 0, 0, 0, 0, 0, 0, 1, 0, 0]


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    rows = CLASS + [("<script>alert(1)</script>", "total", "incorrect", "0",
                     "conv_no_bias", "<b>conv</b>")]
    page = report_html(class_report(results(tmp_path, rows)), tmp_path / "r.html", 2).read_text()
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<svg" in page and "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        ET.fromstring(svg)  # well-formed inline SVG
    assert "others" in page


def test_csv(tmp_path: Path) -> None:
    out = report_csv(class_report(results(tmp_path, CLASS)), tmp_path / "m.csv", top=1)
    lines = list(csv.reader(out.read_text().splitlines()))
    assert lines[0][:4] == ["misconception", "rows", "students", "share_of_class"]
    assert lines[1][:4] == ["conv_no_bias", "3", "3", "0.5"]
    assert lines[1][6] == "ann, bob, cat"
    assert lines[2][:3] == ["others", "3", "3"]


def test_empty_results(tmp_path: Path) -> None:
    r = class_report(results(tmp_path, []))
    page = report_html(r, tmp_path / "r.html").read_text()
    assert "None diagnosed" in page and r.distribution() == [0] * 10


def test_cli(tmp_path: Path) -> None:
    src = results(tmp_path, CLASS)
    res = CliRunner().invoke(main, ["report", str(src), "--out", str(tmp_path / "r.html"),
                                    "--csv", str(tmp_path / "m.csv"), "--top", "2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r.html").is_file() and (tmp_path / "m.csv").is_file()
    res = CliRunner().invoke(main, ["report", str(src), "--out", str(src)])
    assert res.exit_code == 2 and "input" in res.output


def test_hostile_scores_are_flagged_not_summed(tmp_path: Path) -> None:
    """nan, 1e308, -5 and 7 are not scores: the row is counted as 'invalid score', the class
    totals and bins stay those of the real scores, and the command exits 0 with a page."""
    rows = [("ann", "total", "correct", "1", "", ""), ("bob", "total", "correct", "nan", "", ""),
            ("cat", "total", "incorrect", "1e308", "", ""), ("cat", "per_layer", "correct",
                                                              "1e308", "", ""),
            ("dan", "total", "incorrect", "-5", "", ""), ("eve", "total", "correct", "7", "", "")]
    path = results(tmp_path, rows)
    r = class_report(path)
    assert r.status == {"correct": 1, "invalid score": 5}
    assert r.points == {"ann": 1.0}
    assert sum(r.distribution()) == 5 and r.distribution()[-1] == 1
    res = CliRunner().invoke(main, ["report", str(path), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert "invalid score 5" in (tmp_path / "r.html").read_text()
    from grader.gradebook import read_results, write_canvas

    book = read_results(path)
    assert book.students["cat"].points == 0 and book.students["cat"].review == 2
    text = write_canvas(book, tmp_path / "c.csv").read_text()
    assert "nan" not in text and "inf" not in text and "e+" not in text


def test_not_a_results_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\"" + b"x" * (11 * 1024 * 1024) + b"\n")
    res = CliRunner().invoke(main, ["report", str(path), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "not a grade-batch results CSV" in res.output
