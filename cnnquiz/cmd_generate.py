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

from collections.abc import Sequence
from pathlib import Path

import click

from generator.authoring import check_source
from generator.concepts import Concepts
from generator.errors import ConfigError
from generator.export import EXPORTERS
from generator.problem import (
    DIFFICULTIES,
    PARTS,
    Problem,
    generator_version,
)
from generator.seeding import read_secret
from generator.topics import CLASSICS, FEATURES, STYLES, TOPICS, is_topic, topic_error

from .common import input_shape_option, load_spec_data, reports_config_errors
from .draws import choice_draw, progress, source_draw, student_problems, topic_draw
from .roster import parse_rerolls, read_roster, safe_name
from .setfiles import EXT, Writer, documents, write_keys
from .terminal import echo

__all__ = ["FORMATS", "generate_command"]

OWN_FORMATS = ("md", "html", "latex", "txt", "json")
FORMATS = OWN_FORMATS + tuple(sorted(set(EXPORTERS) - set(OWN_FORMATS)))


def _split(values: Sequence[str]) -> list[str]:
    """'a,b' 'c' -> ['a', 'b', 'c'] (options may repeat or take comma lists)."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


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
@click.option("--max-product", type=click.IntRange(10, None), default=None, metavar="N",
              help="Calculator-free: every weight tensor and layer count at most N.")
@click.option("--floors", is_flag=True,
              help="Odd input sizes, so some output size must be rounded down (floor).")
@click.option("--overlap-pooling", is_flag=True,
              help="AlexNet's overlapping pooling: 3×3 windows with stride 2.")
@click.option("--pool-stride-1", "pool_stride_one", is_flag=True,
              help="Pooling windows that move by 1.")
@click.option("--choices", type=click.IntRange(2, 8), default=None,
              help="Make the total a multiple-choice question with this many options; the "
                   "wrong ones are the values of the most frequent mistakes, each with its "
                   "feedback.")
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
                     style: str, max_product: int | None, floors: bool, overlap_pooling: bool,
                     pool_stride_one: bool, choices: int | None, count: int, seed: int, roster: Path | None,
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
            echo(f"cnnquiz: note: {note}", err=True)
        if not checked.rules and count > 1 and roster is None:
            echo("cnnquiz: note: the network has no vary: block, so the set is one "
                       "problem.", err=True)
            count = 1
        name = safe_name(source.stem)
        draw = source_draw(checked, name, part_list, style, version)
        questions = [f"q{j + 1}-from-{name}" for j in range(count)]
    else:
        topic_list = _split(topics) or ["all"]
        if topic_list == ["all"]:
            topic_list = list(TOPICS)
        for t in topic_list:
            if not is_topic(t):
                raise ConfigError(topic_error(t))
        concepts = Concepts(max_product, floors, overlap_pooling, pool_stride_one)
        draw = topic_draw(topic_list, difficulty, part_list, style, version,
                          concepts if concepts.active else None)
        questions = [f"q{j + 1}-{topic_list[j % len(topic_list)]}-{difficulty}"
                     for j in range(count)]
    if choices is not None:
        draw = choice_draw(draw, choices)
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
        # the secret first: a roster that holds it is refused without echoing any of it
        if roster.resolve() == secret_file.resolve():
            raise ConfigError("--roster and --secret-file name the same file; the secret must "
                              "stay apart from the roster (it never appears in any output).")
        secret = read_secret(secret_file)
        students = read_roster(roster, secret)
        names = [safe_name(s) for s in students]
        if len(set(names)) != len(names):
            raise ConfigError("two student ids map to the same file name; make them distinct.")
        reroll = parse_rerolls(rerolls)
        unknown = sorted(set(reroll) - set(students))
        if unknown:
            raise ConfigError(f"--reroll {unknown[0]}: not a student of the roster.")
        with progress(students, "students") as bar:
            for s in bar:
                sets[s] = student_problems(s, secret, exam, questions, draw, version,
                                            reroll.get(s, 0))
    else:
        # check the request once, so an impossible one fails before any drawing
        first = draw(0, seed, None)
        with progress(list(range(1, count)), "problems") as bar:
            sets[None] = [first] + [draw(i, seed + i, None) for i in bar]

    everything = [p for ps in sets.values() for p in ps]
    for p in everything:
        w.write(f"problems/{p.id}.json", p.to_json())
    if fmt in EXT:
        for student, problems in sets.items():
            if student is None:
                documents(w, problems, fmt, "problems", "solutions", title)
            else:
                name = safe_name(student)
                documents(w, problems, fmt, f"handouts/{name}", f"solutions/{name}", title,
                           student=student)
    # the answer key first: an exporter (Gradescope) may bundle the student -> variants map
    write_keys(w, sets, version)
    if fmt not in EXT and fmt in EXPORTERS:
        try:
            exported = EXPORTERS[fmt](everything, out)
        except OSError as e:
            raise ConfigError(f"cannot write the {fmt} export into {out}: "
                              f"{e.strerror or e}; free space or choose another --out.") from None
        w.written += list(exported)
    echo(f"wrote {len(everything)} problem(s), {len(w.written)} file(s) to {out}/", err=True)

