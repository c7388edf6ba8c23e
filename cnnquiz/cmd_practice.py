"""``cnnquiz practice``: solve problems in the terminal, with feedback, hints and solutions.

Answers are graded without revealing the expected value, so the student can retry; ``h``
reveals the next hint (concept, then formula, then numbers, starting at a diagnosed step),
``s`` the worked solution, ``n`` moves on, ``q`` (or Ctrl-C, or end of input) quits. Every
answer, hint and solution goes to the store at once (the same store as ``cnnquiz serve``:
both can run at the same time). Text wraps at word boundaries to the terminal's width and
names mistakes in words, never by their ids.
"""

from __future__ import annotations

import random
import sys

import click
from rich.console import Console
from rich.text import Text

from generator.problem import Problem

from . import practice_core as core
from . import progress as prog
from .hints import ladder
from .store import Store, open_practice
from .terminal import echo, safe

__all__ = ["Screen", "practice_command"]

COMMANDS = "Type your answer, or h (next hint), s (worked solution), n (next problem), q (quit)."
STUDENT = "local"


class _Quit(Exception):
    """The student asked to stop."""


class Screen:
    """Colour through rich when stdout is a terminal, plain text when piped; wraps words."""

    def __init__(self) -> None:
        tty = sys.stdout.isatty()
        self.console = Console(file=sys.stdout, force_terminal=tty, color_system="auto" if tty else None,
                               highlight=False, markup=False, emoji=False, soft_wrap=False)

    def say(self, text: str = "", style: str | None = None) -> None:
        for block in text.split("\n"):
            # code keeps its lines (cropped, not folded mid-word); prose wraps at spaces
            code = block.startswith("    ") or block.startswith("\t")
            self.console.print(Text(safe(block), style=style or "", no_wrap=code,
                                    overflow="ellipsis" if code else "fold"))


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
@click.option("--mode", type=click.Choice(list(core.MODES)), default="total", show_default=True,
              help="total: the parameter count; layers: also each layer's; shape: a layer's output shape.")
@click.option("--seed", type=click.IntRange(0, core.MAX_SEED), default=None,
              help="Seed for a reproducible run (same seed, store and answers: same problems).")
@click.option("--progress", "progress_file", default=None, metavar="PATH|URL",
              help=f"Progress store (default: ${prog.ENV_VAR} or ~/.cnnquiz/progress.db); an old "
                   ".json progress file is imported once.")
@click.option("--reset", is_flag=True, help="Forget the saved progress (asks first) and exit.")
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
def practice_command(topics: tuple[str, ...], difficulty: str, mode: str, seed: int | None,
                     progress_file: str | None, reset: bool, yes: bool) -> None:
    """Practise counting CNN parameters in the terminal.

    \b
    Each problem shows a network (prose, code or a table); type the number of
    parameters (or the shape). Wrong answers are diagnosed (the step that went
    wrong); the next topic is drawn to exercise the mistakes diagnosed with
    confidence.
    """
    chosen = _split_topics(topics)
    store, where = open_practice(progress_file, STUDENT)
    if reset:
        if yes or click.confirm(f"Forget every answer, hint and streak in {where}?", default=False):
            store.reset(STUDENT)
            echo(f"Progress reset ({where}).")
        else:
            echo("Nothing was reset.")
        return
    screen = Screen()
    if seed is None:
        seed = random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    screen.say(f"cnnquiz practice: {difficulty} problems, seed {seed} (--seed {seed} repeats "
               f"this run). Progress: {where}", "dim")
    try:
        _loop(screen, store, rng, chosen, difficulty, mode)
    except (_Quit, click.Abort, KeyboardInterrupt, EOFError):
        pass
    p = store.progress(STUDENT)
    screen.say()
    screen.say(f"Progress saved to {where}: {p.solved} solved, streak {p.streak} "
               f"(best {p.best_streak}). Bye!", "bold")


def _loop(screen: Screen, store: Store, rng: random.Random, topics: list[str] | None,
          difficulty: str, mode: str) -> None:
    previous: str | None = None
    number = 0
    while True:
        topic, reason = core.choose(store.progress(STUDENT), rng, topics, avoid=previous)
        problem = core.build(topic, difficulty, rng.randrange(10**6), mode)
        previous = topic
        number += 1
        first = store.mark_seen(STUDENT, problem.id, topic)
        screen.say()
        screen.say(f"── {topic} · {difficulty} · streak {store.progress(STUDENT).streak} ──",
                   "bold cyan")
        screen.say(core.why(reason, topic), "italic")
        if first:
            _example(screen, problem)
        screen.say(core.problem_text(problem, number).strip())
        screen.say()
        screen.say(COMMANDS, "dim")
        _one_problem(screen, store, problem, mode)


def _example(screen: Screen, problem: Problem) -> None:
    ex = core.build(problem.topic, "easy", (problem.seed + 7919) % (core.MAX_SEED + 1))
    if ex.answers["total"] == problem.answers.get("total"):
        return
    screen.say("First time on this topic: a worked example (another network) before yours.",
               "bold")
    screen.say(core.problem_text(ex, 0).strip(), "dim")
    screen.say(core.solution(ex, "txt").strip(), "dim")
    screen.say("Now yours:", "bold")


def _layers(problem: Problem) -> dict[str, str]:
    cells = {}
    for name in problem.answers.get("per_layer") or {}:
        cells[name] = click.prompt(f"  {name}", default="", show_default=False, prompt_suffix="> ")
    return cells


def _one_problem(screen: Screen, store: Store, problem: Problem, mode: str) -> None:
    part = problem.parts[0]
    focus = mistake = None
    while True:
        line = click.prompt("shape" if mode == "shape" else "answer", default="",
                            show_default=False, prompt_suffix="> ")
        cmd = line.strip().lower()
        if cmd in ("q", "quit", "exit"):
            raise _Quit
        if cmd in ("n", "next"):
            return
        if cmd in ("h", "hint", "?"):
            steps = ladder(problem, focus, mistake)
            before = store.problem_state(STUDENT, problem.id)["hints"]
            shown = store.take_hint(STUDENT, problem.id, problem.topic, len(steps))
            if shown > before:
                h = steps[shown - 1]
                screen.say(f"Hint {shown}/{len(steps)} ({h.level}): {h.text}", "yellow")
            else:
                screen.say("No more hints: type s for the worked solution.", "yellow")
            continue
        if cmd in ("s", "solution"):
            store.show_solution(STUDENT, problem.id, problem.topic)
            screen.say(core.solution(problem, "txt").strip())
            screen.say("Type n for the next problem (or answer anyway).", "dim")
            continue
        if not cmd:
            screen.say(COMMANDS, "dim")
            continue
        results = [core.check(problem, line, part)]
        if mode == "layers":
            screen.say("Now each layer's parameters (0 for a layer without weights):", "dim")
            results.append(core.check_layers(problem, _layers(problem)))
        statuses = {fb.status for fb in results}
        status = ("incorrect" if "incorrect" in statuses else
                  "unreadable" if "unreadable" in statuses else "correct")
        mistakes = [m for fb in results for m in fb.misconceptions]
        store.record_answer(STUDENT, problem.id, problem.topic, core.new_nonce(), status, mistakes,
                            {"status": status, "feedback": [fb.to_dict() for fb in results]})
        sure = next((fb for fb in results if fb.focus), None)
        if sure is not None:
            focus, mistake = sure.focus, (sure.misconceptions or (None,))[0]
        if status == "unreadable":
            for fb in results:
                if fb.status == "unreadable":
                    screen.say(fb.text, "yellow")
            continue
        if status == "correct":
            screen.say(f"Correct! Streak {store.progress(STUDENT).streak}.", "bold green")
            return
        _feedback(screen, results)


def _feedback(screen: Screen, results: list[core.Feedback]) -> None:
    screen.say("Not yet.", "bold red")
    for fb in results:
        for name, mark, note in fb.cells:
            screen.say(f"  {name}: {'✓ right' if mark == 'right' else '✗ wrong: ' + note}",
                       "green" if mark == "right" else "red")
        for f in fb.findings:
            where = f" in {', '.join(f.layers)}" if f.layers else ""
            lead = "Mistake" if fb.confident else "Perhaps this mistake"
            screen.say(f"{lead}{where} (step: {f.step}): {f.title}.", "red")
        if fb.status != "correct":
            screen.say(fb.text)
    if any(fb.follow_up for fb in results) and len(results) == 1 and results[0].cells == ():
        screen.say("Several mistakes give this number: practise with --mode layers to tell "
                   "them apart.", "dim")
    screen.say("Try again, or h for a hint.", "dim")
