"""``cnnquiz solve`` and ``cnnquiz lint``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from generator.errors import ConfigError
from generator.layers import fmt_shape
from generator.network import solve
from generator.spec import load_spec

from .common import input_shape_option, load_spec_data, parse_input_shape, reports_config_errors
from .terminal import echo

__all__ = ["lint_command", "solve_command"]

model_option = click.option(
    "--model", "model", metavar="NAME",
    help="For a Python file with several models: the one to answer for (its variable, class "
         "or function name, or its line).")


def _read(path: str, input_shape: str | None, model: str | None) -> tuple[dict[str, Any], Any]:
    """The spec mapping and, for Python code, what the importer read (framework, repairs)."""
    if Path(path).suffix != ".py":
        return load_spec_data(path, input_shape), None
    from generator.importers import read_code_file

    code = read_code_file(path, input_shape=parse_input_shape(input_shape), model=model)
    return code.spec, code


@click.command("solve")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="text: summary table and worked steps; json: machine-readable.")
@input_shape_option
@model_option
@reports_config_errors
def solve_command(spec: str, fmt: str, input_shape: str | None, model: str | None) -> None:
    """Solve SPEC layer by layer: output shapes, parameters, formula -> substitution -> value.

    SPEC is a YAML/JSON spec or a Python file with a Keras or PyTorch model (read, never run).
    """
    data, code = _read(spec, input_shape, model)
    sol = solve(load_spec(data))
    framework = code.framework if code is not None else "keras"
    if fmt == "json":
        out = sol.to_dict()
        if code is not None:
            out |= _reading(code)
            if framework == "torch":
                from generator.render import BUFFERS

                buffers = sum(w.size for r in sol.rows for w in r.weights
                              if w.name in BUFFERS and not w.trainable)
                out["pytorch"] = {"parameters": sol.total - buffers, "buffers": buffers}
        echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        from generator.render import render, render_solution  # jinja2 only for text output

        if code is not None:
            echo(render("reading.txt.j2", _reading(code)), nl=False)
        echo(render_solution(sol, fmt, framework), nl=False)


def _reading(code: Any) -> dict[str, Any]:
    """The repairs and notes of an import, as the JSON output and the text section list them."""
    assumed = code.assumed_input
    return {"framework": code.framework,
            "repairs": [{"line": n, "what": what} for n, what in code.repairs],
            "notes": [{"line": n, "what": what} for n, what in code.notes],
            "input_assumed": None if assumed is None else {
                "shape": list(assumed),
                "what": f"the code leaves the input size open: every shape below is for an "
                        f"assumed {fmt_shape(assumed)} input; the parameter count does not "
                        "depend on it"}}


def _default_answer(data: dict[str, Any]) -> int | None:
    try:
        return solve(load_spec(data)).answer
    except ConfigError:
        return None


@click.command("lint")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@input_shape_option
@model_option
@reports_config_errors
def lint_command(spec: str, fmt: str, input_shape: str | None, model: str | None) -> None:
    """Find what makes a question about SPEC ambiguous; exit 1 if anything does.

    Reports every convention the spec leaves unstated (padding, bias, pooling strides,
    pooling weights, trainable vs total) whose alternatives give different answers, with
    the competing totals. State it per layer or once under `conventions:` to fix it.
    """
    from generator.lint import lint
    from generator.render import num, render

    data, code = _read(spec, input_shape, model)
    found = [(a.convention, list(a.sites), [(o.value, o.answer, o.error) for o in a.outcomes],
              "") for a in lint(data)]
    # an ambiguous spec may be impossible as written (a graph whose add no longer fits under
    # the default 'valid' padding): its answer is then null and the report says why
    answer = _default_answer(data) if found else solve(load_spec(data)).answer
    if code is not None and code.readings:  # the code itself reads two ways (channel order)
        found.append(("channel order", ["input"], [(r, n, None) for r, n in code.readings],
                      code.readings_advice))
    if fmt == "json":
        echo(json.dumps({
            "ambiguous": bool(found),
            "answer": answer,
            "ambiguities": [
                {"convention": convention, "layers": sites,
                 "alternatives": [{"value": v, "answer": n, "error": err} for v, n, err in outs]}
                | ({"advice": advice} if advice else {})
                for convention, sites, outs, advice in found
            ],
        }, indent=2))
    else:
        echo(render("lint.txt.j2", {
            "spec": spec,
            "answer": num(answer) if answer is not None else None,
            "found": [
                {"convention": convention, "layers": ", ".join(sites), "advice": advice,
                 "outcomes": [{"value": v, "answer": num(n) if n is not None else None,
                               "error": err} for v, n, err in outs]}
                for convention, sites, outs, advice in found
            ],
            "conventions_unstated": any(not advice for *_, advice in found),
        }), nl=False)
    sys.exit(1 if found else 0)
