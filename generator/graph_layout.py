"""Where the boxes of a graph diagram go and how its edges run (pure geometry, no markup).

Rows are depths (the longest path from an input), so parallel branches sit side by side;
lanes are columns: a layer continues the lane of its first input when it is that input's
first user, else it takes the leftmost lane free at its row. An edge is

- straight down when nothing lies between its ends in the lane it runs in;
- a *skip arc* on the left of the lane when boxes lie between (an identity shortcut);
- down one lane and across at the end (a branch leaving, a branch merging back).

>>> lay = layout([Box("input", "input", None, "8×8×16"), Box("c1", "c1: Conv2D", None, "8×8×16"),
...               Box("c2", "c2: Conv2D", None, "8×8×16"), Box("add", "add: add", "+", "8×8×16")],
...              {"c1": ("input",), "c2": ("c1",), "add": ("c2", "input")}, ("add",))
>>> [(p.box.name, p.lane, p.row) for p in lay.places]
[('input', 0, 0), ('c1', 0, 1), ('c2', 0, 2), ('add', 0, 3)]
>>> [e.kind for e in lay.edges]
['straight', 'straight', 'straight', 'arc', 'straight']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BOX_H", "BOX_W", "Box", "Edge", "Layout", "Place", "layout"]

BOX_W, BOX_H, ROW_GAP, LANE_GAP, MARGIN, ARC = 176, 26, 34, 28, 12, 34
RADIUS = 13  # a merge is a circle with its glyph


@dataclass(frozen=True)
class Box:
    """One node to draw: its name, label, merge glyph (None: a box) and output shape text."""

    name: str
    label: str
    glyph: str | None
    shape: str


@dataclass(frozen=True)
class Place:
    box: Box
    lane: int
    row: int
    x: int  # centre
    y: int  # top

    @property
    def bottom(self) -> int:
        return self.y + (2 * RADIUS if self.box.glyph else BOX_H)

    @property
    def left(self) -> int:
        return self.x - (RADIUS if self.box.glyph else BOX_W // 2)


@dataclass(frozen=True)
class Edge:
    """``kind`` 'straight', 'bend' or 'arc'; ``points``: start, bends, end (an arc: start,
    two control points, end of one cubic Bézier curve)."""

    kind: str
    points: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Layout:
    places: tuple[Place, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int


def _rows(boxes: Sequence[Box], sources: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    row: dict[str, int] = {}
    for b in boxes:
        srcs = sources.get(b.name, ())
        row[b.name] = 1 + max(row[s] for s in srcs) if srcs else 0
    return row


def _lanes(boxes: Sequence[Box], sources: Mapping[str, tuple[str, ...]],
           row: Mapping[str, int]) -> dict[str, int]:
    users: dict[str, int] = {}
    for b in boxes:
        for s in sources.get(b.name, ()):
            users[s] = users.get(s, 0) + 1
    lane: dict[str, int] = {}
    continued: set[str] = set()
    last_row: dict[int, int] = {}      # lane -> the last row used
    pending: dict[int, str] = {}       # lane -> the node at its end
    left: dict[str, int] = dict(users)  # users not yet placed

    def free(at: int) -> int:
        n = 0
        while n in last_row and (last_row[n] >= at or left.get(pending.get(n, ""), 0) > 0):
            n += 1
        return n

    for b in boxes:
        srcs = sources.get(b.name, ())
        first = srcs[0] if srcs else None
        if first is not None and first not in continued and pending.get(lane[first]) == first:
            chosen = lane[first]
            continued.add(first)
        else:
            chosen = free(row[b.name])
        for s in srcs:
            left[s] -= 1
        lane[b.name], last_row[chosen], pending[chosen] = chosen, row[b.name], b.name
    return lane


def layout(boxes: Sequence[Box], sources: Mapping[str, tuple[str, ...]],
           outputs: Sequence[str]) -> Layout:
    """Places and edges of ``boxes`` (inputs first, then layers in order); ``sources`` maps
    a layer to the names it takes; ``outputs`` get an arrow leaving the picture."""
    row = _rows(boxes, sources)
    lane = _lanes(boxes, sources, row)
    arcs = any(_between(lane, row, s, b.name, lane[b.name]) for b in boxes
               for s in sources.get(b.name, ()) if lane[s] == lane[b.name])
    x0 = MARGIN + (ARC if arcs else 0) + BOX_W // 2
    places = {b.name: Place(b, lane[b.name], row[b.name],
                            x0 + lane[b.name] * (BOX_W + LANE_GAP),
                            MARGIN + row[b.name] * (BOX_H + ROW_GAP) + (BOX_H // 2 - RADIUS
                                                                         if b.glyph else 0))
              for b in boxes}
    edges = []
    for b in boxes:
        for s in sources.get(b.name, ()):
            edges.append(_edge(places[s], places[b.name], lane, row))
    for name in outputs:
        p = places[name]
        edges.append(Edge("straight", ((p.x, p.bottom), (p.x, p.bottom + ROW_GAP - 6))))
    lanes = max(lane.values()) + 1
    width = x0 + (lanes - 1) * (BOX_W + LANE_GAP) + BOX_W // 2 + MARGIN + 40
    height = MARGIN * 2 + (max(row.values()) + 1) * (BOX_H + ROW_GAP)
    return Layout(tuple(places[b.name] for b in boxes), tuple(edges), width, height)


def _between(lane: Mapping[str, int], row: Mapping[str, int], src: str, dst: str,
             in_lane: int) -> bool:
    """True when some node of ``in_lane`` lies strictly between the rows of src and dst."""
    lo, hi = row[src], row[dst]
    return any(lane[n] == in_lane and lo < row[n] < hi for n in lane)


def _edge(a: Place, b: Place, lane: Mapping[str, int], row: Mapping[str, int]) -> Edge:
    start, end = (a.x, a.bottom), (b.x, b.y)
    name_a, name_b = a.box.name, b.box.name
    if a.lane == b.lane:
        if not _between(lane, row, name_a, name_b, a.lane):
            return Edge("straight", (start, end))
        ya, yb = (a.y + a.bottom) // 2, (b.y + b.bottom) // 2
        xa, xb = a.left, b.left
        bulge = min(xa, xb) - ARC + 6
        return Edge("arc", ((xa, ya), (bulge, ya), (bulge, yb), (xb, yb)))
    if b.box.glyph and not _between(lane, row, name_a, name_b, a.lane):
        # into a merge: down the branch's own lane, then sideways into the circle
        cy = b.y + RADIUS
        side = b.x + RADIUS if a.x > b.x else b.x - RADIUS
        return Edge("bend", (start, (a.x, cy), (side, cy)))
    if not _between(lane, row, name_a, name_b, b.lane):
        # a branch leaving: along a's lane to just above the next row, across, then down
        turn = a.bottom + ROW_GAP - 8 if b.box.glyph is None else b.y - 8
        turn = min(turn, b.y - 8)
        return Edge("bend", (start, (a.x, turn), (b.x, turn), end))
    if not _between(lane, row, name_a, name_b, a.lane):  # down a's lane, across at the end
        turn_y = b.y - ROW_GAP // 2
        return Edge("bend", (start, (a.x, turn_y), end))
    return Edge("straight", (start, end))
