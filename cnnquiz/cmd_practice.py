"""``cnnquiz practice``: solve problems in the terminal, with feedback, hints and solutions.

Answers are graded without revealing the expected value, so the student can retry; ``h``
reveals one formula step of the worked solution at a time, ``s`` the whole solution, ``n``
moves on, ``q`` (or Ctrl-C, or end of input) quits. Progress is saved after every answer.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from generator.problem import Problem

from . import practice_core as core
from . import progress as prog

__all__ = ["practice_command"]

COMMANDS = "Type your answer, or h (next hint), s (worked solution), n (next problem), q (quit)."


class _Quit(Exception):
    """The student asked to stop."""


class Screen:
    """Colour through rich when stdout is a terminal, plain text when piped."""

    def __init__(self) -> None:
        tty = sys.stdout.isatty()
        self.console = Console(file=sys.stdout, force_terminal=tty, color_system="auto" if tty else None,
                               highlight=False, markup=False, emoji=False, soft_wrap=True)

    def say(self, text: str = "", style: str | None = None) -> None:
        self.console.print(Text(text, style=style or ""))


def _split_topics(values: tuple[str, ...]) -> list[str] | None:
    topics = [t.strip() for v in values for t in v.split(",") if t.strip()]
    unknown = [t for t in topics if t not in core.TOPICS]
    if unknown:
        raise click.BadParameter(f"unknown topic {unknown[0]!r}; topics: {', '.join(core.TOPICS)}.",
                                 param_hint="--topics")
    return list(dict.fromkeys(topics)) or None


@click.command("practice")
@click.option("--topics", "topics", multiple=True, metavar="TOPIC[,TOPIC...]",
              help=f"Topics to practise (default: all, chosen adaptively): {', '.join(core.TOPICS)}.")
@click.option("--difficulty", type=click.Choice(core.DIFFICULTIES), default="easy", show_default=True)
@click.option("--seed", type=click.IntRange(0, core.MAX_SEED), default=None,
              help="Seed for a reproducible run (same seed, progress file and answers: same problems).")
@click.option("--progress", "progress_file", type=click.Path(dir_okay=False), default=None,
              help=f"Progress file (default: ${prog.ENV_VAR} or ~/.cnnquiz/progress.json).")
@click.option("--reset", is_flag=True, help="Forget the saved progress and exit.")
def practice_command(topics: tuple[str, ...], difficulty: str, seed: int | None,
                     progress_file: str | None, reset: bool) -> None:
    """Practise counting CNN parameters in the terminal.

    \b
    Each problem shows a network (prose, code or a table); type the number of
    parameters. Wrong answers are diagnosed (the step that went wrong); the next
    topic is drawn to exercise the mistakes you made most.
    """
    path = prog.resolve_path(progress_file)
    if reset:
        prog.reset(path)
        click.echo(f"Progress reset ({path}).")
        return
    chosen = _split_topics(topics)
    screen = Screen()
    progress = prog.load(path)
    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    screen.say(f"cnnquiz practice: {difficulty} problems, seed {seed} (--seed {seed} repeats "
               f"this run). Progress: {path}", "dim")
    try:
        _loop(screen, progress, path, rng, chosen, difficulty)
    except (_Quit, click.Abort, KeyboardInterrupt, EOFError):
        pass
    finally:
        prog.save(progress, path)
    screen.say()
    screen.say(f"Progress saved to {path}: {progress.solved} solved, streak {progress.streak} "
               f"(best {progress.best_streak}). Bye!", "bold")


def _loop(screen: Screen, progress: prog.Progress, path: Path, rng: random.Random,
          topics: list[str] | None, difficulty: str) -> None:
    problem: Problem | None = None
    number = 0
    while True:
        problem = core.next_problem(progress, rng, topics, difficulty, previous=problem)
        number += 1
        screen.say()
        screen.say(f"── {problem.topic} · {problem.difficulty} · streak {progress.streak} ──",
                   "bold cyan")
        screen.say(core.problem_text(problem, number).strip())
        screen.say()
        screen.say(COMMANDS, "dim")
        _one_problem(screen, progress, path, problem)


def _one_problem(screen: Screen, progress: prog.Progress, path: Path, problem: Problem) -> None:
    steps = core.hints(problem)
    shown = attempts = 0
    saw_solution = False
    while True:
        line = click.prompt("answer", default="", show_default=False, prompt_suffix="> ")
        cmd = line.strip().lower()
        if cmd in ("q", "quit", "exit"):
            raise _Quit
        if cmd in ("n", "next"):
            return
        if cmd in ("h", "hint", "?"):
            if shown < len(steps):
                shown += 1
                screen.say(f"Hint {shown}/{len(steps)}: {steps[shown - 1]}", "yellow")
            else:
                screen.say("No more hints: type s for the worked solution.", "yellow")
            continue
        if cmd in ("s", "solution"):
            saw_solution = True
            progress.record_solution_shown(problem.topic)
            prog.save(progress, path)
            screen.say(core.solution(problem, "txt").strip())
            screen.say("Type n for the next problem (or answer anyway).", "dim")
            continue
        if not cmd:
            screen.say(COMMANDS, "dim")
            continue
        fb = core.check(problem, line)
        if fb.status == "unreadable":
            screen.say(fb.text, "yellow")
            continue
        progress.record_answer(problem.topic, fb.status, fb.misconceptions,
                               first_try=attempts == 0 and not saw_solution)
        attempts += 1
        prog.save(progress, path)
        if fb.correct:
            screen.say(f"Correct! Streak {progress.streak}.", "bold green")
            return
        screen.say("Not yet.", "bold red")
        for f in fb.findings:
            where = f" in {', '.join(f.layers)}" if f.layers else ""
            maybe = "Perhaps m" if fb.ambiguous else "M"
            screen.say(f"{maybe}isconception {f.id} (step: {f.step}){where}: {f.title}.", "red")
        screen.say(fb.text)
        screen.say("Try again, or h for a hint.", "dim")
