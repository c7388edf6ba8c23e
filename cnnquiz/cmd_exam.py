"""``cnnquiz exam``: an exam file of slots -> one exam document, its key, and per-student copies.

Writes into ``--out``: ``exam.<ext>`` (every copy, each from a new page), ``exam-key.<ext>``
(answers and worked solutions), ``problems/<id>.json`` for grading and ``answer_key.csv`` /
``answer_key.json``. ``--format pdf`` needs no TeX installation (Typst).
"""

from __future__ import annotations

from pathlib import Path

import click

from generator.errors import ConfigError
from generator.exam import ExamQuestion, load_exam, spread
from generator.problem import Problem, generator_version
from generator.seeding import read_secret

from .common import reports_config_errors
from .roster import read_roster
from .setfiles import Writer, write_keys
from .terminal import echo

__all__ = ["exam_command"]

EXT = {"md": "md", "html": "html", "latex": "tex", "typst": "typ", "pdf": "pdf"}


@click.command("exam")
@click.argument("exam_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(EXT)), default="pdf",
              show_default=True, help="Document format; pdf is compiled without TeX (Typst).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a student id column: one fair copy per student (needs --secret-file).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Course secret for the per-student HMAC seeds (kept out of every output).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("exam"),
              show_default=True, help="Output directory (created if missing).")
@reports_config_errors
def exam_command(exam_file: Path, fmt: str, roster: Path | None, secret_file: Path | None,
                 out: Path) -> None:
    """Assemble EXAM_FILE (YAML: title, exam, seed, slots) into one exam with its key.

    \b
    Each slot is one question (topic or from:, difficulty, style, points per part),
    numbered on through the exam. With a roster, every student gets a copy whose
    questions have, per slot, the same style and colour model and a total within a
    factor of 2 of every other student's; copies show neutral ids, never topic names.

    \b
    Example exam file:
      title: "Midterm: sizing CNNs"
      exam: midterm-2026
      slots:
        - {topic: color+sharing, difficulty: medium, style: prose,
           points: {total: 4, per_layer: 6}}
        - {from: my_network.yaml, style: pytorch, points: {total: 5}}
    Then: cnnquiz exam midterm.yaml --roster class.csv --secret-file secret.txt --out exam/
    """
    from generator.exam import assemble
    from generator.exam_doc import exam_pdf, render_exam

    if (roster is None) != (secret_file is None):
        raise ConfigError("--roster and --secret-file go together.")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a directory.")
    exam = load_exam(exam_file)
    w = Writer(out, [p for p in (exam_file, roster, secret_file) if p is not None])
    copies: dict[str | None, list[ExamQuestion]] = {}
    if roster is not None and secret_file is not None:
        secret = read_secret(secret_file)
        for student in read_roster(roster):
            copies[student] = assemble(exam, student=student, secret=secret)
    else:
        copies[None] = assemble(exam)
    for key, stem in ((False, "exam"), (True, "exam-key")):
        document = (exam_pdf(exam, copies, key=key) if fmt == "pdf"
                    else render_exam(exam, copies, fmt, key=key))
        w.write(f"{stem}.{EXT[fmt]}", document)
    sets: dict[str | None, list[Problem]] = {s: [q.problem for q in qs] for s, qs in copies.items()}
    for problems in sets.values():
        for p in problems:
            w.write(f"problems/{p.id}.json", p.to_json())
    write_keys(w, sets, generator_version())
    if len(copies) > 1:
        figures = ", ".join(f"q{n} ×{r:.2f}" for n, r in spread(copies).items())
        echo(f"largest/smallest total per slot across copies: {figures}", err=True)
    echo(f"wrote {len(copies)} cop{'y' if len(copies) == 1 else 'ies'} of "
               f"{len(exam.slots)} question(s), {exam.total_points} points, "
               f"{len(w.written)} file(s) to {out}/", err=True)
