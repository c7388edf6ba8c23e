"""Fast start (issue 11.1): each command imports only what it uses; SymPy only to print formulas.

Timings are printed by bench/solve.py; these tests check the import graph, which is what makes
the start fast, and that the shipped formula table is exactly what SymPy prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cnnquiz.cli import COMMANDS, main
from generator import formula_table, formula_table_build

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sympy", "flask", "openpyxl", "grader", "pandas", "torch", "keras")


def _loaded_after(code: str) -> list[str]:
    """Top-level packages from HEAVY imported by running ``code`` in a fresh interpreter."""
    probe = (f"import sys\n{code}\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1].replace("'", '"'))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _loaded_after("import cnnquiz.cli") == []


@pytest.mark.parametrize(("args", "allowed"), [
    (["--help"], []),
    (["solve", "examples/vgg16.yaml", "--format", "json"], []),
    (["solve", "examples/vgg16.yaml"], []),          # formulas come from the shipped table
    (["lint", "examples/vgg16.yaml"], []),
    (["grade", "--help"], ["grader"]),
])
def test_a_command_imports_only_what_it_uses(args: list[str], allowed: list[str]) -> None:
    code = ("from cnnquiz.cli import main\n"
            f"try:\n    main({args!r}, prog_name='cnnquiz')\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == allowed


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_lazy_command_table_matches_each_command(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.name == name
    assert COMMANDS[name][2] == command.get_short_help_str(limit=60)


def test_help_lists_every_command_without_importing_them(capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"], prog_name="cnnquiz")
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert all(name in text for name in COMMANDS)


def test_generating_and_rendering_every_topic_imports_no_sympy() -> None:
    """The table holds the generator's structures (and a layer with no worked steps, whose
    texts are empty, counts as found), so drawing a quiz never waits for SymPy's import."""
    code = ("from generator.problem import PARTS, generate\n"
            "from generator.present import render_problem, render_solution_for\n"
            "from generator.topics import TOPICS, CLASSICS\n"
            "for t in (*TOPICS, *CLASSICS):\n"
            "    for d in ('easy', 'medium', 'hard'):\n"
            "        p = generate(topic=t, difficulty=d, seed=7, parts=PARTS,\n"
            "                     style='keras' if t == 'classic-keras' else 'mixed')\n"
            "        render_problem(p, 'md') + render_solution_for(p, 'md')")
    assert "sympy" not in _loaded_after(code)


def test_the_shipped_formula_table_is_what_sympy_prints() -> None:
    built = formula_table_build.build()
    assert formula_table_build.table_json(built) == formula_table.TABLE.read_text(
        encoding="utf-8"), (
        "formula_texts.json is stale: run .venv/bin/python -m generator.formula_table_build")
