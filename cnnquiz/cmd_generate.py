"""``cnnquiz generate``: a problem set (or one variant per student) with answer key and solutions.

Writes into ``--out`` (created when missing; existing inputs are never overwritten):

- ``problems.<ext>``: the handout (md, html, latex or txt), ``solutions.<ext>``: answer key and
  worked solutions; with a roster ``handouts/<student>.<ext>`` and ``solutions/<student>.<ext>``;
- ``problems/<id>.json``: one machine-readable problem file per problem (what the grader reads);
- ``answer_key.csv`` and ``answer_key.json`` (indexed by student with a roster);
- ``diagrams/<id>.svg`` for Markdown.

LMS formats from :data:`generator.export.EXPORTERS` are accepted by ``--format`` too.
The course secret of ``--secret-file`` never appears in any output.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from generator.authoring import Source, author, check_source
from generator.csvsafe import text_cell
from generator.errors import ConfigError
from generator.export import EXPORTERS
from generator.problem import (
    DIFFICULTIES,
    PARTS,
    Problem,
    generate,
    generator_version,
)
from generator.seeding import read_secret, student_seed, variant_tag
from generator.topics import CLASSICS, FEATURES, STYLES, TOPICS, is_topic, topic_error

from .common import input_shape_option, load_spec_data, reports_config_errors

__all__ = ["FORMATS", "generate_command"]

OWN_FORMATS = ("md", "html", "latex", "txt", "json")
EXT = {"md": "md", "html": "html", "latex": "tex", "txt": "txt"}
ID_COLUMNS = ("student_id", "studentid", "student id", "id", "sis user id", "sis_user_id",
              "username", "login", "user", "email", "student")


FORMATS = OWN_FORMATS + tuple(sorted(set(EXPORTERS) - set(OWN_FORMATS)))


def _split(values: Sequence[str]) -> list[str]:
    """'a,b' 'c' -> ['a', 'b', 'c'] (options may repeat or take comma lists)."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


# -- roster -----------------------------------------------------------------------------------
def parse_rerolls(values: Sequence[str]) -> dict[str, int]:
    """``--reroll s1 --reroll s2:3`` -> {'s1': 1, 's2': 3}: a fresh variant for those students.

    >>> parse_rerolls(["s1", "s2:3"])
    {'s1': 1, 's2': 3}
    """
    out: dict[str, int] = {}
    for v in values:
        sid, _, n = v.rpartition(":") if v.rpartition(":")[2].isdigit() else (v, "", "1")
        if int(n) < 1:
            raise ConfigError(f"--reroll {v}: the reroll number must be at least 1.")
        out[sid] = int(n)
    return out


def read_roster(path: Path) -> list[str]:
    """Student ids from a CSV roster; ConfigError when no id column is found.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    ...     _ = f.write("Name,Student ID\\nAda,s1\\nAlan,s2\\n")
    >>> read_roster(Path(f.name)); os.unlink(f.name)
    ['s1', 's2']
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ConfigError(f"cannot read the roster {path}: {e.strerror}.") from None
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or [] if h}
    column = next((headers[c] for c in ID_COLUMNS if c in headers), None)
    if column is None:
        raise ConfigError(
            f"the roster {path} has no student id column; its columns are "
            f"{', '.join(reader.fieldnames or []) or 'none'}. Name one of: student_id, id, "
            "username, email.")
    ids = [(row.get(column) or "").strip() for row in reader]
    ids = [i for i in ids if i]
    if not ids:
        raise ConfigError(f"the roster {path} lists no students under '{column}'.")
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"the roster {path} lists {dupes[0]!r} more than once.")
    return ids


def _safe_name(student: str) -> str:
    """A file name for a student id.

    >>> _safe_name("ada.lovelace@uni.edu"), _safe_name("../x")
    ('ada.lovelace_uni.edu', 'x')
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"


def _cell(value: Any) -> str:
    """A CSV cell of the answer key (generator.csvsafe: formulas neutralised, NUL removed).

    >>> _cell("=1+1"), _cell(5), _cell([1, 2])
    ("'=1+1", '5', '[1, 2]')
    """
    return text_cell(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


# -- drawing ----------------------------------------------------------------------------------
#: draws problem j of a set: (j, seed, id or None) -> Problem
Draw = Callable[[int, int, "str | None"], Problem]


def topic_draw(topics: list[str], difficulty: str, parts: list[str], style: str,
               version: str) -> Draw:
    def draw(j: int, seed: int, pid: str | None) -> Problem:
        topic = topics[j % len(topics)]
        return generate(topic=topic, difficulty=difficulty, seed=seed, parts=parts, style=style,
                        version=version, id=pid and f"{topic}-{difficulty}-{pid}")
    return draw


def source_draw(source: Source, name: str, parts: list[str], style: str, version: str) -> Draw:
    def draw(j: int, seed: int, pid: str | None) -> Problem:
        return author(source, seed=seed, name=name, parts=parts, style=style, version=version,
                      id=pid and f"{name}-{pid}")
    return draw


def _student_problems(student: str, secret: bytes, exam: str, questions: list[str], draw: Draw,
                      version: str, reroll: int = 0) -> list[Problem]:
    out = []
    for j, question in enumerate(questions):
        fields = {"exam": exam, "student": student, "question": question, "version": version,
                  "reroll": reroll}
        seed = student_seed(secret, **fields)  # type: ignore[arg-type]
        tag = variant_tag(secret, **fields)  # type: ignore[arg-type]
        out.append(draw(j, seed, tag))
    return out


def _progress(items: list[Any], label: str) -> Any:
    if len(items) >= 20 and sys.stderr.isatty():
        return click.progressbar(items, label=label, file=sys.stderr)
    return _Plain(items)


class _Plain:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __enter__(self) -> list[Any]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


# -- writing ----------------------------------------------------------------------------------
class Writer:
    """Writes files under ``out``; refuses to replace any input file."""

    def __init__(self, out: Path, inputs: Sequence[Path]) -> None:
        self.out = out
        self.inputs = {p.resolve() for p in inputs}
        self.written: list[Path] = []

    def check(self, path: Path) -> None:
        if path.resolve() in self.inputs:
            raise ConfigError(f"{path} is one of the inputs; choose another --out.")

    def write(self, rel: str, text: str) -> Path:
        path = self.out / rel
        self.check(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written.append(path)
        return path


def _documents(w: Writer, problems: list[Problem], fmt: str, stem: str, key_stem: str,
               title: str, student: str | None = None) -> None:
    from generator.present import problem_context, render_set, solution_ctx

    hrefs: dict[str, str] = {}
    key_hrefs: dict[str, str] = {}
    if fmt == "md":  # Markdown links the diagrams as files (inline SVG is stripped by many hosts)
        depth = "../" * stem.count("/")
        for p in problems:
            w.write(f"diagrams/{p.id}.svg", str(problem_context(p, fmt="md")["diagram_svg"]) + "\n")
            w.write(f"diagrams/{p.id}.solution.svg", str(solution_ctx(p, fmt="md")["diagram_svg"]) + "\n")
            hrefs[p.id] = f"{depth}diagrams/{p.id}.svg"
            key_hrefs[p.id] = f"{depth}diagrams/{p.id}.solution.svg"
    ext = EXT[fmt]
    w.write(f"{stem}.{ext}", render_set(problems, fmt, title=title, student=student,
                                        diagram_hrefs=hrefs))
    w.write(f"{key_stem}.{ext}", render_set(problems, fmt, key=True, title=title,
                                            student=student, diagram_hrefs=key_hrefs))


def _key_rows(problems: list[Problem], student: str | None) -> list[list[str]]:
    rows = []
    for n, p in enumerate(problems, 1):
        for part in p.parts:
            row = [str(n), p.id, p.topic, p.difficulty, p.style, part, _cell(p.answers[part])]
            rows.append(([_cell(student)] if student is not None else []) + row)
    return rows


def _key_entry(n: int, p: Problem) -> dict[str, Any]:
    return {"number": n, "id": p.id, "topic": p.topic, "difficulty": p.difficulty,
            "style": p.style, "parts": list(p.parts), "answers": p.answers,
            "file": f"problems/{p.id}.json"}


def _write_keys(w: Writer, sets: dict[str | None, list[Problem]], version: str) -> None:
    roster = None not in sets
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow((["student_id"] if roster else [])
                 + ["problem", "id", "topic", "difficulty", "style", "part", "answer"])
    for student, problems in sets.items():
        out.writerows(_key_rows(problems, student))
    w.write("answer_key.csv", buf.getvalue())
    if roster:
        data: dict[str, Any] = {"version": version, "students": {
            s: [_key_entry(n, p) for n, p in enumerate(ps, 1)] for s, ps in sets.items()}}
    else:
        data = {"version": version,
                "problems": [_key_entry(n, p) for n, p in enumerate(sets[None], 1)]}
    w.write("answer_key.json", json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


# -- the command ------------------------------------------------------------------------------
@click.command("generate")
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your own network (YAML/JSON spec, optionally with a vary: block, or a "
                   "Keras/PyTorch .py file) instead of drawn topics; linted first.")
@input_shape_option
@click.option("--topics", "topics", multiple=True, metavar="TOPIC[,TOPIC…]",
              help=f"Topics, in turn (default: all): {', '.join(TOPICS)}; the classic posted "
                   f"questions {', '.join(CLASSICS)}; or several at once in one problem, "
                   f"joined by '+', of {', '.join(FEATURES)} (e.g. color+sharing+trainable-pooling).")
@click.option("--difficulty", type=click.Choice(DIFFICULTIES), default="easy", show_default=True)
@click.option("--parts", "parts", multiple=True, metavar="PART[,PART…]",
              help=f"Question parts (default: total): {', '.join(PARTS)}; shape:LAYER, "
                   "macs:LAYER name a layer.")
@click.option("--style", type=click.Choice((*STYLES, "mixed")), default="prose",
              show_default=True, help="How the network is shown.")
@click.option("--count", type=click.IntRange(1, 100_000), default=6, show_default=True,
              help="Problems in the set (per student with --roster).")
@click.option("--seed", type=click.IntRange(0, 10**12), default=1, show_default=True,
              help="Seed of the first problem; problem i uses seed + i.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a student id column: one variant per student (needs --secret-file).")
@click.option("--secret-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Course secret for the per-student HMAC seeds (kept out of every output).")
@click.option("--exam", default="exam", show_default=True,
              help="Exam name, part of each student's HMAC seed.")
@click.option("--reroll", "rerolls", multiple=True, metavar="STUDENT[:N]",
              help="Give this roster student a fresh variant (the N-th reroll; others unchanged).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="Document format (problem JSON files and answer keys are always written).")
@click.option("--title", default="CNN sizing problems", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("problem-set"),
              show_default=True, help="Output directory (created if missing).")
@reports_config_errors
def generate_command(source: Path | None, input_shape: str | None,
                     topics: tuple[str, ...], difficulty: str, parts: tuple[str, ...],
                     style: str, count: int, seed: int, roster: Path | None,
                     secret_file: Path | None, exam: str, rerolls: tuple[str, ...], fmt: str,
                     title: str, out: Path) -> None:
    """Generate a problem set with answer key and worked solutions.

    \b
    Every problem is valid (exact sizes), unambiguous (all conventions stated) and
    diagnosable (no two common mistakes give the same answer); the same options and
    version give byte-identical files.

    \b
    Examples:
      cnnquiz generate --count 30 --format html --out set/
      cnnquiz generate --topics batchnorm,groups --parts total,per_layer --style mixed
      cnnquiz generate --roster class.csv --secret-file secret.txt --exam midterm --out exam/
      cnnquiz generate --from my_net.yaml --parts total,per_layer --count 20 --out quiz/
    """
    part_list = _split(parts) or ["total"]
    version = generator_version()
    if source is not None:
        if topics:
            raise ConfigError("--from gives the network; leave out --topics.")
        if style == "mixed":
            raise ConfigError("--from takes one --style (prose, keras, pytorch or table), so "
                              "every student sees the network the same way.")
        checked = check_source(load_spec_data(str(source), input_shape))
        for note in checked.warnings:
            click.echo(f"cnnquiz: note: {note}", err=True)
        if not checked.rules and count > 1 and roster is None:
            click.echo("cnnquiz: note: the network has no vary: block, so the set is one "
                       "problem.", err=True)
            count = 1
        name = _safe_name(source.stem)
        draw = source_draw(checked, name, part_list, style, version)
        questions = [f"q{j + 1}-from-{name}" for j in range(count)]
    else:
        topic_list = _split(topics) or ["all"]
        if topic_list == ["all"]:
            topic_list = list(TOPICS)
        for t in topic_list:
            if not is_topic(t):
                raise ConfigError(topic_error(t))
        draw = topic_draw(topic_list, difficulty, part_list, style, version)
        questions = [f"q{j + 1}-{topic_list[j % len(topic_list)]}-{difficulty}"
                     for j in range(count)]
    if rerolls and roster is None:
        raise ConfigError("--reroll re-seeds a roster student; give --roster and --secret-file.")
    if (roster is None) != (secret_file is None):
        raise ConfigError("--roster and --secret-file go together: per-student variants are "
                          "seeded with HMAC(secret, exam, student, question).")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; give a directory.")
    inputs = [p for p in (roster, secret_file, source) if p is not None]
    w = Writer(out, inputs)

    sets: dict[str | None, list[Problem]] = {}
    if roster is not None and secret_file is not None:
        students = read_roster(roster)
        names = [_safe_name(s) for s in students]
        if len(set(names)) != len(names):
            raise ConfigError("two student ids map to the same file name; make them distinct.")
        secret = read_secret(secret_file)
        reroll = parse_rerolls(rerolls)
        unknown = sorted(set(reroll) - set(students))
        if unknown:
            raise ConfigError(f"--reroll {unknown[0]}: not a student of the roster.")
        with _progress(students, "students") as bar:
            for s in bar:
                sets[s] = _student_problems(s, secret, exam, questions, draw, version,
                                            reroll.get(s, 0))
    else:
        # check the request once, so an impossible one fails before any drawing
        first = draw(0, seed, None)
        with _progress(list(range(1, count)), "problems") as bar:
            sets[None] = [first] + [draw(i, seed + i, None) for i in bar]

    everything = [p for ps in sets.values() for p in ps]
    for p in everything:
        w.write(f"problems/{p.id}.json", p.to_json())
    if fmt in EXT:
        for student, problems in sets.items():
            if student is None:
                _documents(w, problems, fmt, "problems", "solutions", title)
            else:
                name = _safe_name(student)
                _documents(w, problems, fmt, f"handouts/{name}", f"solutions/{name}", title,
                           student=student)
    # the answer key first: an exporter (Gradescope) may bundle the student -> variants map
    _write_keys(w, sets, version)
    if fmt not in EXT and fmt in EXPORTERS:
        exported = EXPORTERS[fmt](everything, out)
        w.written += list(exported)
    click.echo(f"wrote {len(everything)} problem(s), {len(w.written)} file(s) to {out}/", err=True)

