"""Class grading in pandas and on Dask: ``grade_frame`` gives one result row per input row,
in order, with status and reason; ``grade-batch --engine dask`` writes the local engine's
bytes; Dask is imported only when that engine is used."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pandas as pd
import pytest
from click.testing import CliRunner

from cnnquiz.cli import main
from generator.problem import generate
from grader.batch import (
    RESULT_COLUMNS,
    BatchOptions,
    frame_lines,
    grade_file,
    grade_frame,
    read_rows,
    rows_frame,
)

from .test_batch import HEADER, PROBLEMS, stub

BODY = ("s1,p1,42\ns2,p1,41\ns3,zzz,42\ns4,p1,\n=x,p2,=1+1\ns5,p1,1,792\n"
        's6,p2,"4\n2"\ns7,p1,boom\ns8,p2,"unclosed\ns9,p2,42\n')


def test_grade_frame_in_a_notebook() -> None:
    df = pd.DataFrame({"student_id": ["s1", "s2", "s3", "s4", "=x"],
                       "problem": ["p1", "p1", "nope", "p2", "p1"],
                       "answer": ["42", "41", "42", None, "=1+1"]}, index=[10, 11, 12, 13, 14])
    out = grade_frame(df, PROBLEMS, grade_fn=stub)
    assert list(out.columns) == list(RESULT_COLUMNS)
    assert out["row"].tolist() == [10, 11, 12, 13, 14]
    assert out["student_id"].tolist() == ["s1", "s2", "s3", "s4", "=x"], "plain values"
    assert out["status"].tolist() == ["correct", "incorrect", "error", "unreadable", "unreadable"]
    assert out["reason"][2] == "unknown problem 'nope'" and out["answer"][4] == "=1+1"
    assert out["score"][0] == 1.0 and out["score"][1] == 0.0 and math.isnan(out["score"][2])
    assert out.groupby("student_id")["score"].sum()["s1"] == 1.0


def test_grade_frame_with_a_real_set(tmp_path: Path) -> None:
    p = generate(topic="basic", difficulty="easy", seed=4)
    (tmp_path / f"{p.id}.json").write_text(p.to_json())
    total = p.answers["total"]
    df = pd.read_csv(pd.io.common.StringIO(
        f"student_id,problem,answer\na,{p.id},{total}\nb,{p.id},{total + 1}\nc,{p.id},x\n"),
        dtype=str, keep_default_na=False)
    out = grade_frame(df, tmp_path)
    assert out["status"].tolist() == ["correct", "incorrect", "unreadable"]


def test_frame_lines_are_the_results_file(tmp_path: Path) -> None:
    """grade_frame of the read rows, written by frame_lines, is grade_file's output."""
    src = tmp_path / "in.csv"
    src.write_text(HEADER + BODY)
    grade_file(src, tmp_path / "r.csv", BatchOptions(), problems=PROBLEMS, grade_fn=stub)
    frame = rows_frame(read_rows(src, BatchOptions()))
    out = grade_frame(frame, PROBLEMS, grade_fn=stub)
    assert len(out) == 10, "one result row per input row, the broken ones included"
    text = ",".join(RESULT_COLUMNS) + "\n" + frame_lines(out)
    assert text == (tmp_path / "r.csv").read_text()


class Cluster(Protocol):
    """What the tests use of a ``distributed.LocalCluster`` (an untyped library)."""

    scheduler_address: str


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A local Dask cluster of 2 workers (threads: fast to start in a test)."""
    from distributed import LocalCluster

    from grader.batch.dask_engine import QUIET_HTTP

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None, scheduler_kwargs=QUIET_HTTP) as c:
        yield c


def test_dask_engine_gives_identical_bytes(tmp_path: Path, cluster: Cluster) -> None:
    src = tmp_path / "in.csv"
    body = "".join(f"s{i},p{1 + i % 2},{38 + i % 6}\n" for i in range(700)) + BODY
    src.write_text(HEADER + body)
    outs = []
    for opts in (BatchOptions(), BatchOptions(workers=2, chunk_size=100),
                 BatchOptions(workers=2, chunk_size=100, engine="dask",
                              scheduler=cluster.scheduler_address)):
        out = tmp_path / f"r-{opts.engine}-{opts.workers}.csv"
        grade_file(src, out, opts, problems=PROBLEMS, grade_fn=stub)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert outs[2].count(b"\n") > 700


def test_dask_engine_cli_with_the_real_grader(tmp_path: Path, cluster: Cluster) -> None:
    p = generate(topic="basic", difficulty="easy", seed=5)
    d = tmp_path / "set"
    d.mkdir()
    (d / f"{p.id}.json").write_text(p.to_json())
    total = p.answers["total"]
    (tmp_path / "in.csv").write_text(HEADER + "".join(
        f"s{i},{p.id},{total + i % 3}\n" for i in range(60)) + f's,{p.id},"{total}\nt,zz,1\n')
    outs = []
    for extra in ([], ["--engine", "dask", "--scheduler",
                       cluster.scheduler_address]):
        out = tmp_path / f"r{len(extra)}.csv"
        res = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "in.csv"), "--problems",
                                        str(d), "--out", str(out), "--chunk-size", "16", *extra])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b",unreadable," in outs[1] and b",error," in outs[1]


def test_dask_is_imported_only_for_its_engine() -> None:
    code = ("import sys, cnnquiz.cli, grader.batch, cnnquiz.cmd_batch\n"
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_grade_frame_sees_a_regenerated_set(tmp_path: Path) -> None:
    """The per-process grader cache never grades against an old version of the set."""
    df = pd.DataFrame({"student_id": ["a"], "problem": ["p"], "answer": ["0"]})
    for seed in (6, 7):
        p = generate(topic="basic", difficulty="easy", seed=seed)
        (tmp_path / "p.json").write_text(p.to_json())
        out = grade_frame(df.assign(answer=str(p.answers["total"])), tmp_path)
        assert out["status"].tolist() == ["correct"], seed
    other = {"p": "P"}
    assert grade_frame(df, {"p": "P1"}, grade_fn=stub)["status"].tolist() == ["incorrect"]
    assert grade_frame(df.assign(answer="42"), other, grade_fn=stub)["status"][0] == "correct"
