"""``cnnquiz practice``: the terminal loop driven with scripted input, progress, adaptive choice."""

from __future__ import annotations

import io
import json
import random
import sys

import pytest
from click.testing import CliRunner

from cnnquiz import practice_core as core
from cnnquiz import progress as prog
from cnnquiz.cli import main
from cnnquiz.cmd_practice import Screen
from generator.problem import catalogue_values

SEED = 7


def first_problem(seed: int = SEED, topics: list[str] | None = None):
    """The first problem `cnnquiz practice --seed SEED` shows on a fresh progress file."""
    return core.next_problem(prog.Progress(), random.Random(seed), topics, "easy")


def run(args: list[str], text: str, tmp_path):
    path = tmp_path / "progress.json"
    result = CliRunner().invoke(main, ["practice", "--progress", str(path), *args], input=text)
    return result, path


def test_wrong_then_hint_then_correct_then_next(tmp_path):
    p = first_problem(topics=["color"])
    wrong = catalogue_values(p.network())["cmyk_as_rgb"]  # a confident diagnosis (recorded)
    script = f"{wrong}\nh\n{p.answers['total']}\nq\n"
    result, path = run(["--seed", str(SEED), "--topics", "color"], script, tmp_path)
    out = result.output
    assert result.exit_code == 0, out
    assert p.id in out
    assert "cmyk_as_rgb" in out and "input channels" in out  # the misconception and its step
    assert f"Hint 1/{len(core.hints(p))}: {core.hints(p)[0]}" in out
    assert "Correct!" in out
    assert "Problem 2" in out  # moved on to the next problem
    saved = json.loads(path.read_text())
    assert saved["misconceptions"] == {"cmyk_as_rgb": 1}
    assert saved["topics"]["color"] == {"answered": 1, "solved": 1, "first_try": 0}


def test_hedged_diagnosis_is_not_recorded(tmp_path):
    """Gray input and a 2-D kernel give the same numbers here: shown as 'perhaps', never
    recorded (the adaptive topic choice must not follow a guess)."""
    p = first_problem(topics=["color"])
    wrong = catalogue_values(p.network())["color_as_gray"]
    result, path = run(["--seed", str(SEED), "--topics", "color"],
                       f"{wrong}\n{p.answers['total']}\nq\n", tmp_path)
    assert result.exit_code == 0, result.output
    assert "color_as_gray" in result.output  # still offered as a possible cause
    assert json.loads(path.read_text())["misconceptions"] == {}


def test_wrong_answer_is_not_revealed(tmp_path):
    p = first_problem()
    result, _ = run(["--seed", str(SEED)], "1\nq\n", tmp_path)
    assert "Not yet." in result.output
    assert f"{p.answers['total']:,}" not in result.output.split("Not yet.", 1)[1]


def test_correct_first_try_builds_a_streak(tmp_path):
    rng = random.Random(SEED)
    p1 = core.next_problem(prog.Progress(), rng, None, "easy")
    progress = prog.Progress()
    progress.record_answer(p1.topic, "correct", [], first_try=True)
    p2 = core.next_problem(progress, rng, None, "easy", previous=p1)
    script = f"{p1.answers['total']}\n{p2.answers['total']:,}\n"
    result, path = run(["--seed", str(SEED)], script, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Correct! Streak 1." in result.output and "Correct! Streak 2." in result.output
    assert json.loads(path.read_text())["best_streak"] == 2


def test_solution_command_shows_worked_solution_and_ends_streak(tmp_path):
    p = first_problem()
    result, path = run(["--seed", str(SEED)], "s\nn\nq\n", tmp_path)
    assert f"{p.answers['total']:,}" in result.output
    assert core.hints(p)[-1].split(": ", 1)[1] in result.output
    assert "Problem 2" in result.output
    assert json.loads(path.read_text())["streak"] == 0


def test_piped_output_has_no_ansi_codes(tmp_path):
    result, _ = run(["--seed", str(SEED)], "123\nh\nq\n", tmp_path)
    assert "Not yet." in result.output
    assert "\x1b[" not in result.output


def test_colour_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    Screen().say("Correct! [bold]not markup[/bold]", "bold green")
    assert "\x1b[" in out.getvalue() and "[bold]not markup[/bold]" in out.getvalue()


def test_eof_exits_cleanly_and_saves(tmp_path):
    result, path = run(["--seed", str(SEED)], "1\n", tmp_path)  # then end of input
    assert result.exit_code == 0, result.output
    assert "Progress saved to" in result.output
    assert json.loads(path.read_text())["topics"]


def test_keyboard_interrupt_exits_cleanly_and_saves(tmp_path, monkeypatch):
    real = core.check
    calls = []

    def check(problem, answer, part="total"):
        calls.append(answer)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(problem, answer, part)

    monkeypatch.setattr(core, "check", check)
    result, path = run(["--seed", str(SEED)], "1\n2\n3\n", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Progress saved to" in result.output
    assert calls == ["1", "2"]
    assert sum(r["answered"] for r in json.loads(path.read_text())["topics"].values()) == 1


def test_same_seed_same_run(tmp_path):
    a, _ = run(["--seed", "11"], "n\nn\nn\nq\n", tmp_path)
    b, _ = run(["--seed", "11"], "n\nn\nn\nq\n", tmp_path / "other")
    assert a.output.replace(str(tmp_path / "other"), str(tmp_path)) == b.output.replace(
        str(tmp_path / "other"), str(tmp_path))


def test_reset_and_env_var(tmp_path, monkeypatch):
    path = tmp_path / "env-progress.json"
    monkeypatch.setenv(prog.ENV_VAR, str(path))
    result = CliRunner().invoke(main, ["practice", "--seed", "1"], input="1\nq\n")
    assert result.exit_code == 0 and path.exists()
    result = CliRunner().invoke(main, ["practice", "--reset"])
    assert result.exit_code == 0 and "Progress reset" in result.output
    assert not path.exists()


def test_unknown_topic_is_a_usage_error(tmp_path):
    result, _ = run(["--topics", "colour"], "", tmp_path)
    assert result.exit_code == 2 and "unknown topic 'colour'" in result.output


def test_answer_over_the_cap_is_refused_politely(tmp_path):
    result, path = run(["--seed", str(SEED)], "9" * (core.MAX_ANSWER_CHARS + 1) + "\nq\n", tmp_path)
    assert "too long" in result.output
    assert json.loads(path.read_text())["topics"] == {}  # not an attempt


# -- adaptive choice -----------------------------------------------------------------------
def draws(progress: prog.Progress, seed: int, n: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [core.choose_topic(progress, rng) for _ in range(n)]


def test_adaptive_choice_is_deterministic():
    progress = prog.Progress(misconceptions={"cmyk_as_rgb": 2, "stride_ignored": 1})
    assert draws(progress, 5) == draws(progress, 5)
    assert draws(progress, 5) != draws(progress, 6)


def test_after_cmyk_as_rgb_colour_problems_come_sooner():
    fresh = draws(prog.Progress(), 3)
    after = draws(prog.Progress(misconceptions={"cmyk_as_rgb": 2}), 3)
    assert after.count("color") > 3 * fresh.count("color")
    assert after.index("color") <= fresh.index("color")


@pytest.mark.parametrize("mid", sorted(core.MISCONCEPTIONS), ids=str)
def test_every_misconception_has_a_topic_to_practise(mid):
    assert core.topics_for(mid), f"{mid} maps to no topic"
    assert set(core.topics_for(mid)) <= set(core.TOPICS)


# -- the progress file ---------------------------------------------------------------------
def test_progress_round_trip_and_corrupt_file(tmp_path):
    path = tmp_path / "deep" / "p.json"
    p = prog.Progress()
    p.record_answer("basic", "correct", [], first_try=True)
    p.record_answer("color", "incorrect", ["cmyk_as_rgb", "conv_no_bias"], first_try=True)
    prog.save(p, path)
    assert prog.load(path) == p
    assert [f.name for f in path.parent.iterdir()] == ["p.json"]  # no temporary file left
    path.write_text("{not json")
    assert prog.load(path) == prog.Progress()


def test_progress_path_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv(prog.ENV_VAR, raising=False)
    assert prog.resolve_path(None) == prog.default_path()
    monkeypatch.setenv(prog.ENV_VAR, str(tmp_path / "e.json"))
    assert prog.resolve_path(None) == tmp_path / "e.json"
    assert prog.resolve_path(tmp_path / "x.json") == tmp_path / "x.json"
