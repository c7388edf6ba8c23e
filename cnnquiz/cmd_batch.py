"""``cnnquiz grade-batch``: a class's answers -> results CSV, gradebooks, feedback pages."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from generator.errors import ConfigError
from grader.batch import BatchOptions, check_outputs, grade_file
from grader.batch.read import parse_delimiter
from grader.gradebook import read_results, write_canvas, write_feedback, write_moodle

from .common import reports_config_errors
from .terminal import echo

__all__ = ["grade_batch_command"]


def _wide(values: tuple[str, ...]) -> dict[str, str] | None:
    """--wide 'Q1=total' --wide 'Q2=shape:conv1' -> {column: part}."""
    if not values:
        return None
    out = {}
    for v in values:
        column, sep, part = v.rpartition("=")
        if not sep or not column or not part:
            raise ConfigError(f"--wide expects COLUMN=PART, e.g. 'Response 1=total'; received {v!r}.")
        out[column] = part
    return out


@click.command("grade-batch")
@click.argument("submissions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Results CSV: one row per input answer, in input order.")
@click.option("--problems", "problems", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of problem files (the output of cnnquiz generate; with a roster its "
                   "answer_key.json maps students to their variants).")
@click.option("--canvas", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a Canvas gradebook import CSV.")
@click.option("--canvas-assignment", default="cnnquiz", show_default=True,
              help="Canvas column header; 'Title (12345)' matches an existing assignment id.")
@click.option("--moodle", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a Moodle grade import CSV (key, grade, feedback).")
@click.option("--moodle-item", default="cnnquiz", show_default=True,
              help="Moodle grade item name (the grade and feedback column headers).")
@click.option("--feedback-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one HTML feedback page per student here.")
@click.option("--student-col", default="student_id", show_default=True)
@click.option("--problem-col", default="problem", show_default=True)
@click.option("--answer-col", default="answer", show_default=True)
@click.option("--part-col", default="part", show_default=True)
@click.option("--default-part", default="total", show_default=True,
              help="Part graded when the row has no part column or an empty one.")
@click.option("--wide", multiple=True, metavar="COLUMN=PART",
              help="Wide format (one row per student): grade COLUMN as PART; repeat per part. "
                   "A pair may take two columns: W=weights_biases.weights "
                   "B=weights_biases.biases.")
@click.option("--delimiter", default=None,
              help="CSV delimiter, one character or \\t (default: tab for .tsv, else the "
                   "header's comma, tab or semicolon).")
@click.option("--encoding", default=None,
              help="Encoding of a CSV without byte-order mark (default UTF-8; UTF-16 is found "
                   "by itself). Bytes invalid in it make that row an error, never replaced.")
@click.option("--sheet", default=None, help="Excel sheet name (default: the first).")
@click.option("--show-answers", is_flag=True,
              help="Put the expected answer into the feedback of wrong answers.")
@click.option("--locale", default=None, help="Decimal/grouping convention for ambiguous numbers.")
@click.option("--workers", type=int, default=min(2, os.cpu_count() or 1), show_default=True,
              help="Worker processes for grading chunks.")
@click.option("--chunk-size", type=int, default=20_000, show_default=True)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes here; dask: grade_frame on a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler (tcp://host:8786) for --engine dask; default: a local "
                   "cluster of --workers processes.")
@reports_config_errors
def grade_batch_command(submissions: Path, out: Path, problems: Path | None, canvas: Path | None,
                        canvas_assignment: str, moodle: Path | None, moodle_item: str,
                        feedback_dir: Path | None, student_col: str, problem_col: str,
                        answer_col: str, part_col: str, default_part: str, wide: tuple[str, ...],
                        delimiter: str | None, encoding: str | None, sheet: str | None, show_answers: bool,
                        locale: str | None, workers: int, chunk_size: int, engine: str,
                        scheduler: str | None) -> None:
    """Grade every answer in SUBMISSIONS (CSV, TSV, .xlsx or .jsonl) into --out.

    \b
    Each input row gives one result row (row, student_id, problem, part, answer, status,
    score, misconceptions, confidence, hedged, layers, layer_types, feedback, reason;
    misconceptions are confident diagnoses, hedged the possible causes); status is correct, incorrect,
    unreadable (the answer could not be read) or error (with a reason). A bad row never
    stops the batch. Outputs are written atomically and never over an input.

    \b
    Examples:
      cnnquiz grade-batch answers.csv --problems set/ --out results.csv
      cnnquiz grade-batch canvas.csv --problems exam/ --student-col id --wide "Q1=total" \\
          --out results.csv --canvas canvas_import.csv --feedback-dir feedback/
    """
    if chunk_size < 1 or workers < 1:
        raise ConfigError("--chunk-size and --workers must be at least 1.")
    check_outputs([submissions], [out, canvas, moodle, feedback_dir], protected=[problems])
    opts = BatchOptions(student=student_col, problem=problem_col, answer=answer_col,
                        part=part_col, default_part=default_part, wide=_wide(wide),
                        delimiter=parse_delimiter(delimiter), encoding=encoding,
                        sheet=sheet, hide_answer=not show_answers, locale=locale,
                        chunk_size=chunk_size, workers=workers, engine=engine,
                        scheduler=scheduler)
    start = time.perf_counter()
    stats = grade_file(submissions, out, opts, problems_dir=problems, progress=True)
    wall = time.perf_counter() - start
    statuses = ", ".join(f"{k} {v:,}" for k, v in stats.by_status.items()) or "no rows"
    echo(f"graded {stats.rows:,} row(s) in {wall:.1f} s ({statuses}) -> {out}", err=True)
    if canvas or moodle or feedback_dir:
        book = read_results(out, keep_items=bool(moodle or feedback_dir))
        if canvas:
            write_canvas(book, canvas, canvas_assignment)
            echo(f"Canvas gradebook -> {canvas}", err=True)
        if moodle:
            write_moodle(book, moodle, moodle_item)
            echo(f"Moodle grade import -> {moodle}", err=True)
        if feedback_dir:
            n = len(write_feedback(book, feedback_dir))
            echo(f"{n} feedback page(s) -> {feedback_dir}/", err=True)
    if stats.by_status.get("error"):
        echo(f"{stats.by_status['error']:,} row(s) need review (status error, see the "
                   "reason column).", err=True)
    sys.exit(0)
