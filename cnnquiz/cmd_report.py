"""``cnnquiz report``: the class misconception report from a grade-batch results CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from generator.errors import ConfigError
from grader.batch import check_outputs
from grader.report import class_report, report_csv, report_html

from .common import reports_config_errors
from .terminal import echo

__all__ = ["report_command"]


@click.command("report")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="Self-contained HTML page.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the misconception table as CSV.")
@click.option("--top", type=int, default=15, show_default=True,
              help="Misconceptions listed; the rest are summed as 'others'.")
@click.option("--title", default="Class report", show_default=True)
@reports_config_errors
def report_command(results: Path, out: Path, csv_out: Path | None, top: int, title: str) -> None:
    """Score distribution and the most frequent misconceptions of a class (HTML + CSV).

    \b
    Example:
      cnnquiz report results.csv --out report.html --csv misconceptions.csv --top 10
    """
    if top < 1:
        raise ConfigError("--top must be at least 1.")
    check_outputs([results], [out, csv_out])
    try:
        r = class_report(results)
    except (KeyError, ValueError, UnicodeDecodeError, csv.Error) as e:
        raise ConfigError(f"{results} is not a grade-batch results CSV: {e}.") from None
    report_html(r, out, top, title)
    echo(f"report of {r.students:,} students, {r.rows:,} answers -> {out}", err=True)
    if csv_out:
        report_csv(r, csv_out, top)
        echo(f"misconception table -> {csv_out}", err=True)
