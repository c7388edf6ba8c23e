"""``cnnquiz render``: re-render problem files after the instructor edits their spec.

The key is recomputed from the spec (never edited by hand): each problem file is read, its
spec linted and solved again, its answers replaced by the recomputed ones, and the problem
file, handout and solutions written under ``--out`` (the inputs are never overwritten).
"""

from __future__ import annotations

from pathlib import Path

import click

from generator.authoring import rekey
from generator.errors import ConfigError
from generator.problem import load_problem

from .common import reports_config_errors
from .setfiles import EXT, Writer, documents
from .terminal import echo

__all__ = ["render_command"]


@click.command("render")
@click.argument("problems", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(EXT)), default="md", show_default=True,
              help="Document format of the handout and solutions.")
@click.option("--title", default="CNN sizing problems", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output directory (created if missing); never one of the inputs.")
@reports_config_errors
def render_command(problems: tuple[Path, ...], fmt: str, title: str, out: Path) -> None:
    """Re-render PROBLEMS (problem JSON files) with their key recomputed from the spec.

    \b
    Edit a problem file's spec (a filter count, the input size, a convention), then:
      cnnquiz render set/problems/basic-easy-000001.json --out set2/
    Every answer is solved again from the edited spec; an edit that makes the question
    ambiguous is refused with lint's findings.
    """
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a directory.")
    w = Writer(out, list(problems))
    rendered = []
    for path in problems:
        old = load_problem(path)
        new = rekey(old)
        for part in new.parts:
            if old.answers.get(part) != new.answers[part]:
                echo(f"cnnquiz: note: {old.id}: the key of part {part} was recomputed "
                           "from the edited spec.", err=True)
        w.write(f"problems/{new.id}.json", new.to_json())
        rendered.append(new)
    documents(w, rendered, fmt, "problems", "solutions", title)
    echo(f"rendered {len(rendered)} problem(s), {len(w.written)} file(s) to {out}/", err=True)
