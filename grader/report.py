"""The class report: score distribution and the most frequent misconceptions.

Computed with pandas from a results CSV of ``cnnquiz grade-batch``. For each
misconception: rows, students (and their share of the class), the parts and layer types it
shows up on, and which students share it. Written as a self-contained HTML page (inline SVG
bar charts, no scripts, every text escaped) and as CSV; the top N misconceptions are listed
and the rest folded into "others" so large classes stay readable.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "r.csv").write_text(
...     "row,student_id,problem,part,answer,status,score,misconceptions,layers,layer_types,feedback,reason\\n"
...     "2,s1,p1,total,1222,incorrect,0,conv_no_bias,conv1,conv2d,x,\\n"
...     "3,s2,p1,total,1222,incorrect,0,conv_no_bias;dense_no_bias,conv1,conv2d,x,\\n"
...     "4,s3,p1,total,1238,correct,1,,,,Correct.,\\n")
>>> r = class_report(d / "r.csv")
>>> [(m.id, m.rows, m.students) for m in r.top(1)[0]], r.top(1)[1]
([('conv_no_bias', 2, 2)], [('others', 1, 1)])
"""

from __future__ import annotations

import csv
import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.csvsafe import number_cell, text_cell

from .batch.files import AtomicText
from .results import results_frame

__all__ = ["ClassReport", "MisconceptionStats", "class_report", "report_csv", "report_html"]

BINS = 10


@dataclass
class MisconceptionStats:
    id: str
    rows: int = 0
    student_set: set[str] = field(default_factory=set)
    parts: Counter[str] = field(default_factory=Counter)
    layer_types: Counter[str] = field(default_factory=Counter)

    @property
    def students(self) -> int:
        return len(self.student_set)


@dataclass
class ClassReport:
    rows: int = 0
    status: Counter[str] = field(default_factory=Counter)
    points: dict[str, float] = field(default_factory=dict)
    possible: Counter[str] = field(default_factory=Counter)
    misconceptions: dict[str, MisconceptionStats] = field(default_factory=dict)

    @property
    def students(self) -> int:
        return len(self.possible)

    def ranked(self) -> list[MisconceptionStats]:
        return sorted(self.misconceptions.values(), key=lambda m: (-m.rows, -m.students, m.id))

    def top(self, n: int) -> tuple[list[MisconceptionStats], list[tuple[str, int, int]]]:
        """The n most frequent, and ("others", rows, students) for the rest (if any)."""
        ranked = self.ranked()
        head, rest = ranked[:n], ranked[n:]
        if not rest:
            return head, []
        students = set().union(*(m.student_set for m in rest))
        return head, [("others", sum(m.rows for m in rest), len(students))]

    def distribution(self) -> list[int]:
        """Students per score bin: 0–10 %, …, 90–100 % (100 % in the last bin)."""
        bins = [0] * BINS
        for s, possible in self.possible.items():
            share = self.points.get(s, 0.0) / possible if possible else 0.0
            bins[min(int(share * BINS), BINS - 1)] += 1
        return bins



def class_report(path: Path) -> ClassReport:
    """The report of a results CSV, computed with pandas (:mod:`grader.results`)."""
    df = results_frame(path, ["part", "misconceptions", "layer_types"])
    r = ClassReport(rows=len(df))
    r.status = Counter(df["status"].value_counts().to_dict())
    r.possible = Counter(df.groupby("student_id", sort=False).size().to_dict())
    r.points = df.dropna(subset=["value"]).groupby("student_id")["value"].sum().to_dict()
    mis = df.loc[df["misconceptions"] != "", ["student_id", "part", "misconceptions",
                                              "layer_types"]]
    if mis.empty:
        return r
    mis = mis.assign(mid=mis["misconceptions"].str.split(";")).explode("mid")
    mis = mis[mis["mid"] != ""]
    kinds = mis.assign(kind=mis["layer_types"].str.split(";")).explode("kind")
    kinds = kinds[kinds["kind"].fillna("") != ""]
    kind_counts = kinds.groupby(["mid", "kind"]).size()
    for mid, g in mis.groupby("mid", sort=True):
        m = r.misconceptions[str(mid)] = MisconceptionStats(str(mid), rows=len(g))
        m.student_set = set(g["student_id"])
        m.parts = Counter(g["part"].value_counts().to_dict())
        if mid in kind_counts.index.get_level_values(0):
            m.layer_types = Counter(kind_counts.loc[mid].to_dict())
    return r


def _counts(c: Counter[str], limit: int = 4) -> str:
    items = c.most_common()
    text = ", ".join(f"{k or '?'} {v}" for k, v in items[:limit])
    return text + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _names(students: set[str], limit: int = 12) -> str:
    names = sorted(students)
    text = ", ".join(names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")


def report_csv(r: ClassReport, path: Path, top: int = 20) -> Path:
    """misconception, rows, students, share_of_class, parts, layer_types, students_list."""
    head, others = r.top(top)
    with AtomicText(path) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["misconception", "rows", "students", "share_of_class", "parts",
                    "layer_types", "students_list"])
        for m in head:
            w.writerow([text_cell(m.id), m.rows, m.students,
                        number_cell(round(m.students / r.students, 4) if r.students else 0),
                        text_cell(_counts(m.parts, 20)), text_cell(_counts(m.layer_types, 20)),
                        text_cell(_names(m.student_set, 200))])
        for name, rows, students in others:
            w.writerow([name, rows, students,
                        number_cell(round(students / r.students, 4) if r.students else 0),
                        "", "", ""])
    return Path(path)


def _bars(labels: list[str], values: list[int], title: str, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG; labels escaped."""
    bar_h, gap, left = 20, 6, 230
    height = len(labels) * (bar_h + gap) + 30
    peak = max(values, default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'role="img" aria-label="{html.escape(title)}" font-family="sans-serif" font-size="12">',
           f"<title>{html.escape(title)}</title>"]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 10 + i * (bar_h + gap)
        w = int((width - left - 60) * v / peak)
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">'
                   f"{html.escape(label[:34])}</text>"
                   f'<rect x="{left}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#4a6fa5"/>'
                   f'<text x="{left + w + 4}" y="{y + 14}">{v:,}</text>')
    out.append("</svg>")
    return "".join(out)


def report_html(r: ClassReport, path: Path, top: int = 20, title: str = "Class report") -> Path:
    head, others = r.top(top)
    e = html.escape
    dist = r.distribution()
    labels = [f"{10 * i}–{10 * (i + 1)} %" for i in range(BINS)]
    mis_labels = [m.id for m in head] + [o[0] for o in others]
    mis_values = [m.students for m in head] + [o[2] for o in others]
    rows = []
    for m in head:
        share = m.students / r.students if r.students else 0.0
        rows.append(f"<tr><td><code>{e(m.id)}</code></td><td>{m.rows:,}</td><td>{m.students:,}"
                    f"</td><td>{share:.1%}</td><td>{e(_counts(m.parts))}</td>"
                    f"<td>{e(_counts(m.layer_types))}</td><td>{e(_names(m.student_set))}</td></tr>")
    for name, n_rows, students in others:
        share = students / r.students if r.students else 0.0
        rows.append(f"<tr><td>{e(name)}</td><td>{n_rows:,}</td><td>{students:,}</td>"
                    f"<td>{share:.1%}</td><td></td><td></td><td></td></tr>")
    status = ", ".join(f"{e(k)} {v:,}" for k, v in sorted(r.status.items()))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}}</style>
</head><body>
<h1>{e(title)}</h1>
<p>{r.students:,} students, {r.rows:,} answers ({status}).</p>
<h2>Score distribution (share of points per student)</h2>
{_bars(labels, dist, "Students per score band")}
<h2>Most frequent misconceptions (students)</h2>
{_bars(mis_labels, mis_values, "Students per misconception") if mis_labels else "<p>None diagnosed.</p>"}
<table><thead><tr><th>misconception</th><th>answers</th><th>students</th><th>share of class</th>
<th>parts</th><th>layer types</th><th>students sharing it</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""
    with AtomicText(path) as f:
        f.write(page)
    return Path(path)
