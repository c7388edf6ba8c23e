"""The one jinja2 environment and the contexts templates format (templates never compute).

Numbers are formatted here (``f"{n:,}"``) and passed in as strings; a missing key raises
instead of printing blank text (StrictUndefined). Templates live in ``templates/`` of the
source tree, installed as ``generator/templates``.

>>> from generator.spec import load_spec
>>> from generator.network import solve
>>> sol = solve(load_spec({"input": {"shape": [8, 8], "channels": 1},
...                        "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]}))
>>> "(3·3·1 + 1)·2 = 20" in render_solution(sol, "text")
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .layers import Weight, fmt_shape
from .network import Solution

__all__ = ["TEMPLATE_DIR", "environment", "num", "render", "render_solution", "solution_context"]


def _template_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("cnnquiz templates not found next to the generator package")


TEMPLATE_DIR = _template_dir()


class _Environment(jinja2.Environment):
    """Reads ``ctx.name`` of a context (a dict) as its key first: jinja2's default looks for
    an attribute first and for the key only after that lookup fails (an exception each time).
    No template reads a dict method (``.items``, ``.get``...) off a context."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment: strict, autoescaping HTML and XML (also ``*.html.j2``).

    Templates are compiled once per process (``auto_reload=False``: no file check per render).
    """
    return _Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        auto_reload=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "xml.j2", "svg.j2"),
            default_for_string=False,
        ),
    )


def render(template: str, context: dict[str, Any]) -> str:
    """Render one template by name with a prepared context."""
    return environment().get_template(template).render(**context)


def num(n: int) -> str:
    """An integer with thousands separators.

    >>> num(50828751)
    '50,828,751'
    """
    return f"{n:,}"


#: weights PyTorch keeps as buffers, not parameters (``register_buffer``)
BUFFERS = ("moving_mean", "moving_variance")


def _weight_text(w: Weight, pytorch: bool = False) -> str:
    size = num(w.size) if len(w.shape) == 1 else f"{fmt_shape(w.shape)} = {num(w.size)}"
    if pytorch and w.name in BUFFERS:
        return f"{w.name} {size} (buffer: {_TORCH_NAMES[w.name]}, not a parameter)"
    return f"{w.name} {size}" + ("" if w.trainable else " (non-trainable)")


_TORCH_NAMES = {"moving_mean": "running_mean", "moving_variance": "running_var"}


def _buffers(r: Any) -> int:
    return sum(w.size for w in r.weights if w.name in BUFFERS and not w.trainable)


def solution_context(sol: Solution, framework: str = "keras") -> dict[str, Any]:
    """Everything the solution templates print, as strings.

    ``framework="torch"`` counts as PyTorch does (``sum(p.numel() for p in
    model.parameters())``, as torchinfo): batch-norm running statistics are buffers, listed
    apart, not parameters; the Keras convention (non-trainable weights) is the default.
    """
    net = sol.network
    graph = not net.is_chain
    pytorch = framework == "torch"
    buffers = sum(_buffers(r) for r in sol.rows) if pytorch else 0
    rows = []
    for r in sol.rows:
        rows.append({
            "name": r.name,
            "kind": r.kind,
            "description": r.description,
            "connected": ", ".join(r.inputs),
            "in_shape": " and ".join(fmt_shape(s) for s in r.in_shapes) if len(
                r.in_shapes) > 1 else fmt_shape(r.in_shape),
            "out_shape": fmt_shape(r.out_shape),
            "params": num(r.params - (_buffers(r) if pytorch else 0)),
            "trainable": num(r.trainable),
            "non_trainable": num(r.non_trainable - (_buffers(r) if pytorch else 0)),
            "shares": r.shares or "",
            "steps": [d.line() for d in r.derivations],
            "weights": [_weight_text(w, pytorch) for w in r.weights],
            "notes": list(r.notes),
        })
    cols = {
        "layer": max([len("Layer (type)")] + [len(f"{r['name']} ({r['kind']})") for r in rows]),
        "shape": max([len("Output shape")] + [len(r["out_shape"]) for r in rows]),
        "params": max([len("Params")] + [len(r["params"]) for r in rows]),
        "connected": max([len("Connected to")] + [len(r["connected"]) for r in rows]),
    }
    return {
        "graph": graph,
        "inputs": [f"{k} = {v.describe()}, shape {fmt_shape(v.shape)}"
                   for k, v in net.input_specs.items()] if graph else [],
        "outputs": ", ".join(net.output_names),
        "input": net.input.describe(),
        "input_shape": fmt_shape(net.input.shape),
        "rows": rows,
        "cols": cols,
        "total": num(sol.total),
        "trainable": num(sol.trainable),
        "non_trainable": num(sol.non_trainable),
        "pytorch": pytorch,
        "pytorch_params": num(sol.total - buffers),
        "pytorch_frozen": num(sol.total - buffers - sol.trainable),
        "buffers": num(buffers),
        "table_total": num(sol.total - buffers),
        "table_non_trainable": num(sol.non_trainable - buffers),
        "count": str(net.count),
        "answer": num(sol.answer),
        "sum_line": " + ".join(num(r.params if net.count == "total" else r.trainable)
                               for r in sol.rows if r.params) or "0",
    }


def render_solution(sol: Solution, fmt: str = "text", framework: str = "keras") -> str:
    """The worked solution as plain text or Markdown (``framework``: see solution_context)."""
    name = {"text": "solution.txt.j2", "markdown": "solution.md.j2"}[fmt]
    return render(name, solution_context(sol, framework))
