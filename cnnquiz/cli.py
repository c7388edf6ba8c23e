"""The ``cnnquiz`` command: one group, one small module per sub-command.

Author mistakes (a bad spec, an unknown option) end with a one-paragraph message on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["COMMANDS", "main"]

#: sub-command -> (module, attribute, one-line help); a command's module is imported only
#: when that command runs (or its own --help is asked), so `cnnquiz --help` and `cnnquiz solve`
#: never import the grader, the exporters, the web app or SymPy they do not use.
#: tests/test_fast_start.py checks each line against the command's own short help (limit 60).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "solve": ("cmd_solve", "solve_command",
              "Solve SPEC layer by layer: output shapes, parameters,..."),
    "lint": ("cmd_solve", "lint_command",
             "Find what makes a question about SPEC ambiguous; exit 1..."),
    "grade": ("cmd_grade", "grade_command",
              "Grade ANSWER to PROBLEM (a problem file from `generate`,..."),
    "generate": ("cmd_generate", "generate_command",
                 "Generate a problem set with answer key and worked solutions."),
    "render": ("cmd_render", "render_command",
               "Re-render PROBLEMS (problem JSON files) with their key..."),
    "exam": ("cmd_exam", "exam_command",
             "Assemble EXAM_FILE (YAML: title, exam, seed, slots) into..."),
    "practice": ("cmd_practice", "practice_command",
                 "Practise counting CNN parameters in the terminal."),
    "serve": ("cmd_serve", "serve_command",
              "Practise in the browser: problems with diagrams,..."),
    "grade-batch": ("cmd_batch", "grade_batch_command",
                    "Grade every answer in SUBMISSIONS (CSV, TSV, .xlsx or..."),
    "report": ("cmd_report", "report_command",
               "Score distribution and the most frequent misconceptions..."),
}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use (see :data:`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"{__package__}.{entry[0]}")
        command: click.Command = getattr(module, entry[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
