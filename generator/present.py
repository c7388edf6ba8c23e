"""Problem text: contexts for the problem, set and answer-key templates, several phrasings.

Everything a template prints is computed here as strings (numbers with thousands
separators, shapes as ``28×28×16``); templates only lay it out. The prose phrasings, the
intro sentence and the list style are chosen with ``random.Random(problem.phrasing)``, so a
class does not see one sentence pattern and the same problem always reads the same.

>>> from generator.problem import generate
>>> p = generate(topic="basic", difficulty="easy", seed=42)
>>> text = render_problem(p, "txt")
>>> "trainable parameters" in text and p.id in text
True
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence
from typing import Any

from .diagram import Box, graph_svg, graph_tikz, svg, tex_escape, tikz
from .graph_layout import layout
from .layers import (
    ConvTranspose,
    Dense,
    DepthwiseConv,
    SeparableConv,
    Windowed,
    fmt_shape,
    of,
)
from .listings import KERAS1_TOPICS, listing
from .network import Network, sources
from .parts import mac_counts
from .problem import Problem
from .render import num, render, solution_context
from .wording import (
    answer_text,
    conventions,
    input_label,
    input_text,
    layer_text,
    question_text,
    type_name,
)

__all__ = ["FORMATS", "answer_text", "conventions", "problem_context", "question_text",
           "render_problem", "render_set", "render_solution_for", "solution_ctx"]

#: output format -> template suffix
FORMATS = {"md": "md", "html": "html", "latex": "tex", "txt": "txt"}

# -- contexts ---------------------------------------------------------------------------------
HEADERS = ("LAYER {i} ({name})", "Layer {i}, {name}", "{i}. {name}")
INTROS = (
    "A convolutional neural network takes {input} and applies the following layers in order.",
    "Consider the network below. Its input is {input}.",
    "The network processes {input}, layer by layer, as listed.",
)
CODE_INTROS = {
    "keras": "The Keras 3 code below builds a network for {input}.",
    "keras1": "The Keras 1 code below builds a network for {input}.",
    "pytorch": "The PyTorch code below builds a network for {input}.",
}


GRAPH_INTRO = ("A network takes {input}. Its layers are listed below; each one names the "
               "layer(s) or input it takes, and the network's output is {outputs}.")


def _box(node: Any, srcs: tuple[str, ...] | None = None) -> tuple[str, str]:
    """A diagram box: name and type; a layer that reuses weights says whose (shared); in a
    graph, the layers or inputs it takes (← a + b)."""
    kind = type_name(node.layer)
    kind = f"{kind}, shares {node.shares}" if node.shares else kind
    return node.name, kind if srcs is None else f"{kind} ← {' + '.join(srcs)}"


def _inputs_text(srcs: tuple[str, ...]) -> str:
    return f"input: {srcs[0]}" if len(srcs) == 1 else f"inputs: {', '.join(srcs[:-1])} and {srcs[-1]}"


def _diagrams(fmt: str | None, boxes: list[tuple[str, str]], shapes: list[str],
              alt: str, uid: str) -> dict[str, str]:
    """Only the diagram the format shows (SVG for md/html, TikZ for latex; all when None)."""
    return {"diagram_svg": svg(boxes, shapes, alt, uid) if fmt in (None, "md", "html") else "",
            "diagram_tikz": tikz(boxes, shapes) if fmt in (None, "latex") else "",
            "diagram_alt": alt}


def _graph_diagrams(fmt: str | None, net: Network, shapes: list[str], alt: str,
                    uid: str) -> dict[str, str]:
    """A graph's diagram (branches side by side, merges as circles, skip arcs); ``shapes``
    as for a chain: the input's, then one per layer."""
    inputs = [Box(name, name, None, fmt_shape(spec.shape)) for name, spec in
              net.input_specs.items()]
    boxes = inputs + [Box(n.name, f"{n.name}: {_box(n)[1]}",
                          of(n.layer).symbol or None,
                          shape) for n, shape in zip(net.nodes, shapes[1:], strict=True)]
    lay = layout(boxes, dict(zip((n.name for n in net.nodes), sources(net), strict=True)),
                 net.output_names)
    return {"diagram_svg": graph_svg(lay, alt, uid) if fmt in (None, "md", "html") else "",
            "diagram_tikz": graph_tikz(lay) if fmt in (None, "latex") else "",
            "diagram_alt": alt}


def problem_context(p: Problem, number: int = 1, *, diagram_href: str | None = None,
                    fmt: str | None = None) -> dict[str, Any]:
    """Everything the problem templates print for one problem (diagrams for ``fmt`` only)."""
    net = p.network()
    sol = p.solution()
    rng = random.Random(p.phrasing)
    inp = input_text(net, rng)
    default_bias = p.spec.get("conventions", {}).get("bias", "true") == "true"
    header = rng.choice(HEADERS)
    style = "keras1" if p.style == "keras" and p.topic in KERAS1_TOPICS else p.style
    intro = (CODE_INTROS[style] if style in CODE_INTROS else rng.choice(INTROS)).format(input=inp)
    graph = not net.is_chain
    srcs = sources(net)
    if graph and p.style not in CODE_INTROS:
        named = [f"{k} ({v.describe()})" for k, v in net.input_specs.items()]
        intro = GRAPH_INTRO.format(input=" and ".join(named),
                                   outputs=" and ".join(net.output_names))
    prose = []
    table = []
    for i, node in enumerate(net.nodes, 1):
        text = layer_text(node, net, rng, default_bias)
        if graph:
            text = f"{text} ({_inputs_text(srcs[i - 1])})"
        prose.append({"header": header.format(i=i, name=node.name), "text": text})
        table.append({"i": str(i), "name": node.name, "type": type_name(node.layer),
                      "config": text})
    code, code_conventions = listing(p.style, net, p.topic, p.difficulty)
    shapes = [input_label(net)] + ["?"] * len(net.nodes)
    boxes = [_box(n, srcs[i] if graph else None) for i, n in enumerate(net.nodes)]
    alt = (f"Architecture diagram: input {input_label(net)}, then "
           + ", ".join(f"{n} ({t})" for n, t in boxes) + ".")
    return {
        "number": number,
        "id": p.id,
        "title": f"Problem {number} ({p.id})",
        "topic": p.topic,
        "difficulty": p.difficulty,
        "style": p.style,
        "intro": intro,
        "prose": prose,
        "table": table,
        "code": code,
        "code_language": "python",
        "conventions": code_conventions + conventions(p, net),
        "questions": [{"label": chr(ord("a") + i), "part": part,
                       "text": question_text(part, p, net), "choices": _choices(p, part)}
                      for i, part in enumerate(p.parts)],
        **(_graph_diagrams(fmt, net, shapes, alt, f"{p.id}-problem") if graph else
           _diagrams(fmt, boxes, shapes, alt, f"{p.id}-problem")),
        "diagram_href": diagram_href or "",
        "n_layers": len(net.nodes),
        "answer": num(sol.answer),
    }


def _choices(p: Problem, part: str) -> list[dict[str, str]]:
    """The options of a multiple-choice part, as printed: ``{"label": "B", "text": "1,234"}``."""
    return [{"label": str(c["label"]), "text": num(int(c["value"]))}
            for c in p.choices.get(part, ())]


def _keyed_answer(p: Problem, part: str) -> str:
    """The key's answer; with options, the letter first: 'B (1,234)'."""
    text = answer_text(part, p.answers[part])
    right = [c["label"] for c in p.choices.get(part, ()) if c["correct"]]
    return f"{right[0]} ({text})" if right else text


def mac_steps(p: Problem) -> list[str]:
    """'conv1: MACs = H_out·W_out·C_out·k_h·k_w·C_in = 26·26·8·3·3·3 = 146,016' lines."""
    sol = p.solution()
    macs = mac_counts(sol)
    nodes = {n.name: n.layer for n in sol.network.nodes}
    out = []
    for r in sol.rows:
        if r.name not in macs:
            continue
        layer = nodes[r.name]
        o, i = r.out_shape, r.in_shape
        if isinstance(layer, Dense):
            formula, values = "n_in·n_out", [*i[:-1], i[-1], layer.units]
            if len(i) > 1:
                formula = "positions·" + formula
        elif isinstance(layer, ConvTranspose):
            formula = "(input positions)·C_in·(kernel size)·C_out"
            values = [*i[:-1], i[-1], *layer.kernel, layer.filters]
        elif isinstance(layer, DepthwiseConv):
            formula = "(output positions)·C_out·(kernel size)"
            values = [*o[:-1], o[-1], *layer.kernel]
        elif isinstance(layer, SeparableConv):
            mid = i[-1] * layer.depth_multiplier
            formula = "(output positions)·C_in·dm·(kernel size) + (output positions)·C_in·dm·C_out"
            dw = "·".join(str(v) for v in [*o[:-1], mid, *layer.kernel])
            pw = "·".join(str(v) for v in [*o[:-1], mid, layer.filters])
            out.append(f"{r.name}: MACs = {formula} = {dw} + {pw} = {num(macs[r.name])}")
            continue
        else:
            assert isinstance(layer, Windowed), layer  # every other layer with MACs has a kernel
            g = getattr(layer, "groups", 1)
            formula = "(output positions)·C_out·(kernel size)·C_in" + ("/g" if g != 1 else "")
            values = [*o[:-1], o[-1], *layer.kernel, i[-1] // g]
        out.append(f"{r.name}: MACs = {formula} = {'·'.join(str(v) for v in values)} "
                   f"= {num(macs[r.name])}")
    return out


def solution_ctx(p: Problem, number: int = 1, fmt: str | None = None,
                 diagram_href: str | None = None) -> dict[str, Any]:
    """The worked solution of one problem, with the answers of its parts."""
    sol = p.solution()
    net = sol.network
    ctx = solution_context(sol)
    shapes = [fmt_shape(net.input.shape)] + [fmt_shape(r.out_shape) for r in sol.rows]
    graph, srcs = not net.is_chain, sources(net)
    boxes = [_box(n, srcs[i] if graph else None) for i, n in enumerate(net.nodes)]
    alt = ("Architecture with shapes: input " + shapes[0] + ", "
           + ", ".join(f"{b[0]} ({b[1]}) → {s}" for b, s in zip(boxes, shapes[1:], strict=True))
           + ".")
    ctx.update({
        "number": number,
        "id": p.id,
        "title": f"Problem {number} ({p.id})",
        "answers": [{"label": chr(ord("a") + i), "part": part,
                     "question": question_text(part, p, net),
                     "answer": _keyed_answer(p, part)} for i, part in enumerate(p.parts)],
        "mac_steps": mac_steps(p) if any(x.startswith("macs") for x in p.parts) else [],
        **(_graph_diagrams(fmt, net, shapes, alt, f"{p.id}-solution") if graph else
           _diagrams(fmt, boxes, shapes, alt, f"{p.id}-solution")),
        "diagram_href": diagram_href or "",
    })
    return ctx


VERBATIM = frozenset({"code", "diagram_tikz", "diagram_svg", "diagram_href", "id"})


def tex_context(ctx: dict[str, Any]) -> dict[str, Any]:
    """Escape every string of a context for LaTeX, except code and TikZ (printed verbatim)."""
    return {k: _tex(v, k) for k, v in ctx.items()}


def _tex(obj: object, key: str) -> object:
    if isinstance(obj, str):
        return obj if key in VERBATIM else tex_escape(obj)
    if isinstance(obj, dict):
        return {k: _tex(v, k) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_tex(v, key) for v in obj]
    return obj


def md_text(text: str) -> str:
    """Author or roster text (a title, a student id) as plain Markdown text: no raw HTML, no
    line break that would end a heading.

    >>> md_text("Quiz <script>alert(1)</script> & co\\nnext")
    'Quiz &lt;script&gt;alert(1)&lt;/script&gt; &amp; co next'
    """
    return " ".join(html.escape(text, quote=False).split())


def _ctx(ctx: dict[str, Any], fmt: str) -> dict[str, Any]:
    return tex_context(ctx) if fmt == "latex" else ctx


def render_problem(p: Problem, fmt: str = "md", number: int = 1, *,
                   diagram_href: str | None = None) -> str:
    """One problem (no answers) as md, html, latex or txt; a full document for html and latex."""
    ctx = {"p": problem_context(p, number, diagram_href=diagram_href, fmt=fmt)}
    return render(f"problem.{FORMATS[fmt]}.j2", _ctx(ctx, fmt))


def render_solution_for(p: Problem, fmt: str = "md", number: int = 1) -> str:
    """The answers and worked solution of one problem (a fragment)."""
    return render(f"problem_solution.{FORMATS[fmt]}.j2", _ctx({"s": solution_ctx(p, number, fmt)}, fmt))


def render_set(problems: Sequence[Problem], fmt: str = "md", *, key: bool = False,
               title: str = "CNN sizing problems", student: str | None = None,
               diagram_hrefs: dict[str, str] | None = None) -> str:
    """A whole set: the handout, or (``key=True``) the answer key with worked solutions.

    ``diagram_hrefs`` maps problem ids to SVG files that Markdown links instead of inlining
    (the problem's diagram in a handout, the solution's in a key).
    """
    hrefs = diagram_hrefs or {}
    # the key repeats each problem's text; its diagram is the solution's, with every shape
    shown = "none" if key else fmt
    ctx = {
        "title": md_text(title) if fmt == "md" else title,
        "student": md_text(student or "") if fmt == "md" else student or "",
        "key": key,
        "problems": [problem_context(p, i, diagram_href=None if key else hrefs.get(p.id),
                                     fmt=shown)
                     for i, p in enumerate(problems, 1)],
        "solutions": [solution_ctx(p, i, fmt, diagram_href=hrefs.get(p.id))
                      for i, p in enumerate(problems, 1)] if key else [],
    }
    return render(f"set.{FORMATS[fmt]}.j2", _ctx(ctx, fmt))
