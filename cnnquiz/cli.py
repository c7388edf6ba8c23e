"""The ``cnnquiz`` command: one group, one small module per sub-command.

Author mistakes (a bad spec, an unknown option) end with a one-paragraph message on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import click

from .cmd_batch import grade_batch_command
from .cmd_generate import generate_command
from .cmd_grade import grade_command
from .cmd_practice import practice_command
from .cmd_render import render_command
from .cmd_report import report_command
from .cmd_serve import serve_command
from .cmd_solve import lint_command, solve_command

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="cnnquiz")
def main() -> None:
    """cnnquiz: exact, explained CNN sizing problems.

    \b
    Solve a network (YAML/JSON spec, or pasted Keras/PyTorch source) layer by layer,
    find what makes a question ambiguous, generate seeded problem sets with worked
    solutions, grade answers with a diagnosis of the wrong step, export to LMSs.

    \b
    Examples:
      cnnquiz solve examples/stackoverflow_gray.yaml
      cnnquiz lint examples/cmyk_shared.yaml
      cnnquiz generate --topics color,sharing --count 30 --format html --out set/
      cnnquiz grade set/problems/<id>.json --answer "50,828,751"
      cnnquiz grade-batch answers.csv --problems set/ --out results.csv
      cnnquiz practice
    """


main.add_command(solve_command)
main.add_command(lint_command)
main.add_command(grade_command)
main.add_command(generate_command)
main.add_command(render_command)
main.add_command(practice_command)
main.add_command(serve_command)
main.add_command(grade_batch_command)
main.add_command(report_command)
