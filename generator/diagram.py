"""Architecture diagrams: SVG (HTML, Markdown) and TikZ (LaTeX), shapes on the edges.

Positions are computed here; the SVG is written with every text escaped, the TikZ picture
by ``templates/diagram.tikz.j2``. A problem's diagram shows the input shape and
``?`` on the other edges (the shapes are what students work out); the worked solution's
diagram shows every shape.

>>> text = svg([("conv1", "Conv2D"), ("flatten1", "Flatten")], ["8×8×3", "6×6×4", "144"], "alt")
>>> text.count("<rect"), "6×6×4" in text, "<title>alt</title>" in text
(3, True, True)
>>> "<b>" in svg([("<b>", "x")], ["1"], "<script>")
False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import graph_layout as gl
from .graph_layout import Box, Edge, Layout
from .render import render

__all__ = ["Box", "graph_svg", "graph_tikz", "svg", "tex_escape", "tikz"]

BOX_W, BOX_H, GAP, MARGIN, WIDTH = 220, 28, 30, 12, 380


def _boxes(boxes: Sequence[tuple[str, str]], shapes: Sequence[str]) -> dict[str, Any]:
    nodes = [("input", "")] + list(boxes)
    items = []
    for i, (name, kind) in enumerate(nodes):
        y = MARGIN + i * (BOX_H + GAP)
        items.append({"x": MARGIN, "y": y, "w": BOX_W, "h": BOX_H,
                      "tx": MARGIN + BOX_W // 2, "ty": y + BOX_H // 2 + 5,
                      "label": f"{name}: {kind}" if kind else name})
    edges = []
    for i in range(len(nodes)):
        y0 = MARGIN + i * (BOX_H + GAP) + BOX_H
        last = i == len(nodes) - 1
        edges.append({"x": MARGIN + BOX_W // 2, "y1": y0, "y2": y0 + GAP - 4,
                      "lx": MARGIN + BOX_W // 2 + 10, "ly": y0 + GAP // 2 + 4,
                      "label": shapes[i] if i < len(shapes) else "?", "last": last})
    height = MARGIN * 2 + len(nodes) * (BOX_H + GAP)
    return {"items": items, "edges": edges, "width": WIDTH, "height": height}


def _svg_head(width: int, height: int, alt: str, uid: str) -> tuple[list[str], str]:
    attr = quoteattr(alt)
    marker = "arrow-" + re.sub(r"[^A-Za-z0-9_-]", "-", uid)  # ids stay unique on a page
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label={attr} '
            'font-family="sans-serif" font-size="13">',
            f"<title>{escape(alt)}</title>",
            f'<defs><marker id="{marker}" markerWidth="8" markerHeight="8" refX="4" refY="4" '
            'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>'], marker


def svg(boxes: Sequence[tuple[str, str]], shapes: Sequence[str], alt: str, uid: str = "d") -> str:
    """A vertical chain of boxes (input first); ``shapes[i]`` labels the edge leaving node i.

    Built with ``xml.sax.saxutils``-style escaping of every text (names, shapes, alt text);
    a Jinja template of the same markup was 1 ms per diagram, a fifth of a whole variant.
    """
    d = _boxes(boxes, shapes)
    out, marker = _svg_head(d["width"], d["height"], alt, uid)
    for b in d["items"]:
        out.append(f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["w"]}" height="{b["h"]}" rx="5" '
                   'fill="#eef3fb" stroke="#4a6fa5"/>')
        out.append(f'<text x="{b["tx"]}" y="{b["ty"]}" text-anchor="middle">'
                   f'{escape(b["label"])}</text>')
    for e in d["edges"]:
        out.append(f'<line x1="{e["x"]}" y1="{e["y1"]}" x2="{e["x"]}" y2="{e["y2"]}" '
                   f'stroke="#444" marker-end="url(#{marker})"/>')
        out.append(f'<text x="{e["lx"]}" y="{e["ly"]}" fill="#222">{escape(e["label"])}</text>')
    out.append("</svg>")
    return "\n".join(out)


TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
               "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
               "^": r"\textasciicircum{}"}


def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters (Unicode × · − are declared in the preamble).

    >>> tex_escape("a_b & 50%")
    'a\\\\_b \\\\& 50\\\\%'
    """
    return "".join(TEX_SPECIAL.get(c, c) for c in text)


def tikz(boxes: Sequence[tuple[str, str]], shapes: Sequence[str]) -> str:
    """The same chain as a TikZ picture (needs the positioning library)."""
    nodes = [("input", "")] + list(boxes)
    items = [{"id": f"n{i}", "label": tex_escape(f"{n}: {k}" if k else n),
              "edge": tex_escape(shapes[i]) if i < len(shapes) else "?"}
             for i, (n, k) in enumerate(nodes)]
    return render("diagram.tikz.j2", {"items": items}).strip()


# -- graphs (branches and merges) -----------------------------------------------------------
def _svg_path(e: Edge) -> str:
    (x0, y0), *rest = e.points
    if e.kind == "arc":
        (c1x, c1y), (c2x, c2y), (x1, y1) = rest
        return f"M{x0},{y0} C{c1x},{c1y} {c2x},{c2y} {x1},{y1}"
    return f"M{x0},{y0} " + " ".join(f"L{x},{y}" for x, y in rest)


def graph_svg(lay: Layout, alt: str, uid: str = "d") -> str:
    """A graph diagram: boxes for layers, circles with a glyph for merges (+ for add, ‖ for
    concatenate), a skip arc for a shortcut that jumps over layers; each node's output shape
    under it. Every text is escaped.

    >>> from generator.graph_layout import layout
    >>> lay = layout([Box("input", "input", None, "4×4×2"), Box("c", "c: Conv2D", None, "?"),
    ...               Box("add", "add: add", "+", "?")], {"c": ("input",), "add": ("c", "input")},
    ...              ("add",))
    >>> text = graph_svg(lay, "alt <b>")
    >>> text.count("<circle"), text.count("<rect"), "alt &lt;b&gt;" in text
    (1, 2, True)
    """
    out, marker = _svg_head(lay.width, lay.height, alt, uid)
    for e in lay.edges:
        out.append(f'<path d="{_svg_path(e)}" fill="none" stroke="#444" '
                   f'marker-end="url(#{marker})"/>')
    for p in lay.places:
        b = p.box
        if b.glyph:
            cy = p.y + gl.RADIUS
            out.append(f'<circle cx="{p.x}" cy="{cy}" r="{gl.RADIUS}" fill="#fdf1e3" '
                       'stroke="#b5651d"/>')
            out.append(f'<text x="{p.x}" y="{cy + 5}" text-anchor="middle" font-size="16">'
                       f"{escape(b.glyph)}</text>")
            # below the line that may enter the circle from the right
            out.append(f'<text x="{p.x + gl.RADIUS + 4}" y="{cy + 16}">{escape(b.label)}</text>')
            out.append(f'<text x="{p.x + gl.RADIUS + 4}" y="{cy + 30}" fill="#222" '
                       f'font-size="12">{escape(b.shape)}</text>')
            continue
        out.append(f'<rect x="{p.left}" y="{p.y}" width="{gl.BOX_W}" height="{gl.BOX_H}" rx="5" '
                   'fill="#eef3fb" stroke="#4a6fa5"/>')
        out.append(f'<text x="{p.x}" y="{p.y + gl.BOX_H // 2 + 5}" text-anchor="middle">'
                   f"{escape(b.label)}</text>")
        out.append(f'<text x="{p.x + 6}" y="{p.bottom + 14}" fill="#222" font-size="12">'
                   f"{escape(b.shape)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _cm(x: int, y: int) -> str:
    """A pixel position as TikZ centimetres (y grows downwards in SVG, upwards in TikZ)."""
    return f"({x / 40:.2f},{-y / 40:.2f})"


def graph_tikz(lay: Layout) -> str:
    """The same graph as a TikZ picture, placed at the layout's positions."""
    nodes = []
    for i, p in enumerate(lay.places):
        b = p.box
        centre = (p.x, p.y + (gl.RADIUS if b.glyph else gl.BOX_H // 2))
        nodes.append({"id": f"g{i}", "at": _cm(*centre), "merge": bool(b.glyph),
                      "glyph": tex_escape(b.glyph or ""), "label": tex_escape(b.label),
                      "shape": tex_escape(b.shape)})
    paths = []
    for e in lay.edges:
        pts = [_cm(x, y) for x, y in e.points]
        paths.append(f"{pts[0]} .. controls {pts[1]} and {pts[2]} .. {pts[3]}"
                     if e.kind == "arc" else " -- ".join(pts))
    # a long ResNet stage or a wide inception module still fits on one page
    scale = min(1.0, MAX_TIKZ_CM[0] / (lay.width / 40), MAX_TIKZ_CM[1] / (lay.height / 40))
    return render("diagram_graph.tikz.j2", {"nodes": nodes, "paths": paths,
                                             "scale": f"{scale:.2f}"}).strip()


#: the largest picture (width, height in cm) on an A4/letter page with its margins
MAX_TIKZ_CM = (15.5, 19.0)
