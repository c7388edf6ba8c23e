"""``cnnquiz practice``: the terminal loop driven with scripted input, progress, adaptive choice."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cnnquiz import practice_core as core
from cnnquiz import progress as prog
from cnnquiz.cli import main
from cnnquiz.cmd_practice import Screen
from cnnquiz.store import open_store
from cnnquiz.web import create_app
from generator.problem import catalogue_values
from grader import grade

SEED = 7


def first_problem(seed: int = SEED, topics: list[str] | None = None, mode: str = "total"):
    """The first problem `cnnquiz practice --seed SEED` shows on a fresh store."""
    return core.next_problem(prog.Progress(), random.Random(seed), topics, "easy", mode=mode)


def run(args: list[str], text: str, tmp_path, env: dict | None = None):
    path = tmp_path / "progress.db"
    result = CliRunner().invoke(main, ["practice", "--progress", str(path), *args], input=text,
                                env=env)
    return result, path


def saved(path, student: str = "local") -> prog.Progress:
    return open_store(path).progress(student)


def test_wrong_then_hint_then_correct_then_next(tmp_path):
    p = first_problem(topics=["color"])
    # a sure diagnosis (conv_no_bias's 2,036 is one keystroke from 2,046: only a hedge)
    wrong = catalogue_values(p.network())["conv_single_bias"]
    script = f"{wrong}\nh\n{p.answers['total']}\nq\n"
    result, path = run(["--seed", str(SEED), "--topics", "color"], script, tmp_path)
    out = result.output
    assert result.exit_code == 0, out
    assert p.id in out
    assert "one bias for the whole conv layer" in out and "step: bias" in out  # in words
    assert "conv_single_bias" not in out  # never its id
    assert "Hint 1/" in out and "(concept)" in out
    assert "Correct!" in out
    assert "Problem 2" in out  # moved on to the next problem
    s = saved(path)
    assert s.misconceptions == {"conv_single_bias": 1}
    assert s.topics["color"] == {"answered": 1, "solved": 1, "first_try": 0}


def test_hint_then_right_answer_is_not_a_first_try(tmp_path):
    p = first_problem()
    result, path = run(["--seed", str(SEED)], f"h\n{p.answers['total']}\nq\n", tmp_path)
    assert "Correct! Streak 0." in result.output
    assert saved(path).topics[p.topic]["first_try"] == 0


def test_wrong_answer_is_not_revealed(tmp_path):
    p = first_problem()
    result, _ = run(["--seed", str(SEED)], "1\nq\n", tmp_path)
    assert "Not yet." in result.output
    assert f"{p.answers['total']:,}" not in result.output.split("Not yet.", 1)[1]


def test_correct_first_try_builds_a_streak(tmp_path):
    rng = random.Random(SEED)
    t1, _ = core.choose(prog.Progress(), rng)
    p1 = core.build(t1, "easy", rng.randrange(10**6))
    t2, _ = core.choose(prog.Progress(), rng, avoid=t1)
    p2 = core.build(t2, "easy", rng.randrange(10**6))
    script = f"{p1.answers['total']}\n{p2.answers['total']:,}\n"
    result, path = run(["--seed", str(SEED)], script, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Correct! Streak 1." in result.output and "Correct! Streak 2." in result.output
    assert saved(path).best_streak == 2


def test_solution_command_shows_worked_solution_and_ends_streak(tmp_path):
    p = first_problem()
    result, path = run(["--seed", str(SEED)], "s\nn\nq\n", tmp_path)
    assert f"{p.answers['total']:,}" in result.output
    assert "Problem 2" in result.output
    assert saved(path).streak == 0


def test_per_layer_answers_each_marked(tmp_path):
    p = first_problem(mode="layers")
    cells = list(p.answers["per_layer"].values())
    first = next(i for i, v in enumerate(cells) if v)
    cells[first] += 1
    script = f"{p.answers['total']}\n" + "".join(f"{v}\n" for v in cells) + "q\n"
    result, _ = run(["--seed", str(SEED), "--mode", "layers"], script, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.count("✗ wrong") == 1
    assert result.output.count("✓ right") == len(cells) - 1


def test_shape_practice_in_the_terminal(tmp_path):
    p = first_problem(mode="shape")
    shape = "x".join(map(str, p.answers[p.parts[0]]))
    result, path = run(["--seed", str(SEED), "--mode", "shape"], f"{shape}\nq\n", tmp_path)
    assert "Correct!" in result.output, result.output
    assert saved(path).solved == 1


def test_worked_example_before_the_first_problem_of_a_topic(tmp_path):
    result, _ = run(["--seed", str(SEED), "--topics", "color"], "n\nn\nq\n", tmp_path)
    assert result.output.count("First time on this topic") == 1


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


@pytest.mark.parametrize("width", [60, 100])
def test_words_never_split_across_lines(tmp_path, width):
    result, _ = run(["--seed", str(SEED), "--topics", "color"], "1\nh\nq\n", tmp_path,
                    env={"COLUMNS": str(width)})
    lines = result.output.splitlines()
    words = set(re.findall(r"[A-Za-z]{4,}", result.output))
    for a, b in zip(lines, lines[1:], strict=False):
        assert len(a) <= width, a
        if a and b and a[-1].isalpha() and b[0].isalpha():
            assert (re.findall(r"[A-Za-z]+$", a)[0] + re.findall(r"^[A-Za-z]+", b)[0]) not in words


def test_eof_exits_cleanly_and_saves(tmp_path):
    result, path = run(["--seed", str(SEED)], "1\n", tmp_path)  # then end of input
    assert result.exit_code == 0, result.output
    assert "Progress saved to" in result.output
    assert saved(path).topics


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
    assert sum(r["answered"] for r in saved(path).topics.values()) == 1


def test_same_seed_same_run(tmp_path):
    wide = {"COLUMNS": "400"}  # the two paths differ in length: keep them on one line
    a, _ = run(["--seed", "11"], "n\nn\nn\nq\n", tmp_path, wide)
    b, _ = run(["--seed", "11"], "n\nn\nn\nq\n", tmp_path / "other", wide)
    assert a.output.replace(str(tmp_path / "other"), str(tmp_path)) == b.output.replace(
        str(tmp_path / "other"), str(tmp_path))


def test_reset_asks_first_and_env_var(tmp_path, monkeypatch):
    path = tmp_path / "env-progress.db"
    monkeypatch.setenv(prog.ENV_VAR, str(path))
    result = CliRunner().invoke(main, ["practice", "--seed", "1"], input="1\nq\n")
    assert result.exit_code == 0 and path.exists()
    result = CliRunner().invoke(main, ["practice", "--reset"], input="n\n")
    assert "Nothing was reset" in result.output and saved(path).topics
    result = CliRunner().invoke(main, ["practice", "--reset"], input="y\n")
    assert result.exit_code == 0 and "Progress reset" in result.output
    assert saved(path).topics == {}


def test_terminal_and_web_share_one_store(tmp_path):
    """Issue 10.11: two processes on one store keep both records (the old file lost one)."""
    path = tmp_path / "progress.db"
    client = create_app(path, seed=1).test_client()
    html = client.get("/p/color/easy/5").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    client.post("/p/color/easy/5", data={"csrf": csrf, "total": "1"})
    result, _ = run(["--seed", str(SEED)], "1\nq\n", tmp_path)
    client.post("/p/color/easy/6", data={"csrf": csrf, "total": "1"})
    s = saved(path)
    assert sum(r["answered"] for r in s.topics.values()) == 3


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "progress.db"
    code = ("import sys; from cnnquiz.store import open_store\n"
            "s = open_store(sys.argv[1])\n"
            "for i in range(60): s.record_answer(sys.argv[2], f'p{i}', 'basic', f'n{sys.argv[2]}{i}',"
            " 'correct', [])\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), who]) for who in "abc"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    store = open_store(path)
    assert store.counts()["counted"] == 180
    assert [store.progress(w).solved for w in "abc"] == [60, 60, 60]


@pytest.mark.parametrize("content", ['{"streak": null}', '{"streak": 1e400}', '{"misconceptions": [1]}'])
def test_hostile_progress_file_never_stops_practice(tmp_path, content):
    """Issue 10.11: these stopped ``practice`` at start-up."""
    legacy = tmp_path / "old.json"
    legacy.write_text(content)
    result = CliRunner().invoke(main, ["practice", "--progress", str(legacy), "--seed", "1"],
                                input="q\n")
    assert result.exit_code == 0, result.output
    assert "Progress saved to" in result.output and legacy.read_text() == content


def test_unknown_topic_is_a_usage_error(tmp_path):
    result, _ = run(["--topics", "colour"], "", tmp_path)
    assert result.exit_code == 2 and "unknown topic 'colour'" in result.output


def test_answer_over_the_cap_is_refused_politely(tmp_path):
    result, path = run(["--seed", str(SEED)], "9" * (core.MAX_ANSWER_CHARS + 1) + "\nq\n", tmp_path)
    assert "too long" in result.output
    assert all(r["answered"] == 0 for r in saved(path).topics.values())  # not an attempt


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


# -- the store ------------------------------------------------------------------------------
def test_mastery_levels():
    assert prog.mastery([]) == ("not started", 0)
    assert prog.mastery([1]) == ("practising", 100)
    assert prog.mastery([1, 0]) == ("familiar", 50)
    assert prog.mastery([1, 1, 1, 1, 1]) == ("mastered", 100)


def test_progress_path_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv(prog.ENV_VAR, raising=False)
    assert prog.resolve(None) == (str(prog.default_path()), prog.default_path().with_suffix(".json"))
    monkeypatch.setenv(prog.ENV_VAR, str(tmp_path / "e.db"))
    assert prog.resolve(None)[0] == str(tmp_path / "e.db")
    assert prog.resolve(tmp_path / "x.json") == (str(tmp_path / "x.db"), tmp_path / "x.json")


def test_no_per_layer_advice_in_the_terminal(tmp_path):
    p = first_problem(topics=["basic"])
    values = catalogue_values(p.network())
    hedge = next(v for m, v in values.items()
                 if str(grade(p, str(v), hide_answer=True).context.get("follow_up", ""))
                 .startswith("Answer per layer"))
    result, _ = run(["--seed", str(SEED), "--topics", "basic"], f"{hedge}\nq\n", tmp_path)
    assert "Perhaps this mistake" in result.output
    assert "Answer per layer" not in result.output and "--mode layers" in result.output
