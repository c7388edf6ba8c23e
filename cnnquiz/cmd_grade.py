"""``cnnquiz grade``: grade one answer to a problem file or a spec, with a diagnosis."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from generator.parts import NAMES
from generator.problem import Problem, read_problem
from grader import grade

from .common import load_spec_data, reports_config_errors
from .terminal import echo

__all__ = ["grade_command"]


def _problem(path: str) -> Problem | dict[str, Any]:
    """A problem file or a spec (pasted Python code too, read with ast)."""
    return load_spec_data(path) if Path(path).suffix == ".py" else read_problem(path)


def _check_locale(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """An unsupported --locale is a usage error (exit 2) naming the supported ones."""
    from grader.reading import resolve_locale

    try:
        resolve_locale(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    return value


@click.command("grade")
@click.argument("problem", type=click.Path(exists=True, dir_okay=False))
@click.option("--answer", "answer", required=True, metavar="TEXT",
              help="The student's answer; '-' reads it from standard input.")
@click.option("--part", default="total", show_default=True,
              help=f"One of {', '.join(NAMES)}; shape and macs may name a layer (shape:conv2, "
                   "macs:conv1); bare, they name the problem's own part of that kind.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "html", "json"]),
              default="text", show_default=True)
@click.option("--hide-answer", is_flag=True, help="Exam mode: never show the correct value.")
@click.option("--locale", default=None, callback=_check_locale,
              help="Settles '1,234' vs '1.234' (e.g. en, de).")
@reports_config_errors
def grade_command(problem: str, answer: str, part: str, fmt: str, hide_answer: bool,
                  locale: str | None) -> None:
    """Grade ANSWER to PROBLEM (a problem file from `generate`, or a spec: then the question
    is the total number of trainable parameters) and explain a wrong answer.

    Exit 0 when graded (correct, incorrect or unreadable); 2 for a bad problem file.
    """
    if answer == "-":
        answer = sys.stdin.read()
    data = _problem(problem)
    result = grade(data, answer, part=part, hide_answer=hide_answer, locale=locale,
                   feedback_format="text" if fmt == "json" else fmt)
    if fmt == "json":
        echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        echo(result.feedback, nl=False)
