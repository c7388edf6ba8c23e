"""Gradebook files from a results CSV: Canvas and Moodle grade imports, per-student feedback.

Computed with pandas from the results file (:mod:`grader.batch` output). Per student the
last answer to each (problem, part) counts (a re-submission replaces the earlier one); an
answer with status ``unreadable`` or ``error`` counts as points possible and is flagged "needs
review" instead of silently scoring 0.

Canvas (A6, E13): ``Student, ID, SIS User ID, SIS Login ID, Section, "Title (id)"`` with a
``Points Possible`` row; Canvas matches students by ``ID`` (its user id) or ``SIS User ID``.
Moodle: a key column (``Email address`` when every id looks like an email, else
``ID number``), the grade column and its feedback column side by side (importing feedback
alone would overwrite the grade). Free-text cells are formula-neutralised; grades are plain
numbers.

>>> import tempfile, pathlib, csv
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "r.csv").write_text(
...     "row,student_id,problem,part,answer,status,score,misconceptions,layers,feedback,reason\\n"
...     "2,s1,p1,total,1222,incorrect,0,conv_no_bias,conv1,Bias missing.,\\n"
...     "3,s1,p2,total,99,correct,1,,,Correct.,\\n"
...     "4,s1,p1,total,1238,correct,1,,,Correct.,\\n")
>>> book = read_results(d / "r.csv")
>>> book.students["s1"].points, book.students["s1"].possible
(2.0, 2)
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.csvsafe import number_cell, text_cell

from .batch.files import AtomicText, OutputError
from .results import results_frame

__all__ = ["Gradebook", "StudentGrades", "read_results", "write_canvas", "write_feedback",
           "write_moodle"]


@dataclass
class StudentGrades:
    """One student's answers; the last answer to each (problem, part) is the one that counts."""

    #: (problem, part) -> (score or None when the answer needs review)
    latest: dict[tuple[str, str], float | None] = field(default_factory=dict)
    #: (problem, part, status, score, misconceptions, feedback) of every answer, in order
    items: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(v for v in self.latest.values() if v is not None)

    @property
    def possible(self) -> int:
        return len(self.latest)

    @property
    def review(self) -> int:
        return sum(v is None for v in self.latest.values())


@dataclass
class Gradebook:
    students: dict[str, StudentGrades] = field(default_factory=dict)



def read_results(path: Path, keep_items: bool = True) -> Gradebook:
    """Totals per student (and, with ``keep_items``, each row's feedback) from results CSV.

    Computed with pandas (:func:`grader.results.results_frame`): the last row of each
    (student, problem, part) counts; a row that needs review counts as possible points.
    """
    df = results_frame(path, ["problem", "part", "misconceptions", "feedback", "reason"])
    book = Gradebook()
    values = df["value"].astype(object).where(df["value"].notna(), None)
    latest = df.assign(value=values).drop_duplicates(["student_id", "problem", "part"],
                                                     keep="last")
    for student, g in latest.groupby("student_id", sort=False):
        book.students[str(student)] = StudentGrades(
            latest=dict(zip(zip(g["problem"], g["part"], strict=True), g["value"], strict=True)))
    if keep_items:
        feedback = df["feedback"].where(df["feedback"] != "", df["reason"])
        items = df.assign(feedback=feedback)[["student_id", "problem", "part", "status", "score",
                                              "misconceptions", "feedback"]]
        for student, g in items.groupby("student_id", sort=False):
            book.students[str(student)].items = list(
                g.drop(columns="student_id").itertuples(index=False, name=None))
    return book


def _summary(g: StudentGrades, limit: int = 900) -> str:
    parts = []
    for problem, part, status, _score, mids, _fb in g.items:
        label = f"{problem} {part}".strip()
        if status == "correct":
            parts.append(f"{label}: correct")
        elif status == "incorrect":
            parts.append(f"{label}: incorrect" + (f" ({mids.replace(';', ', ')})" if mids else ""))
        else:
            parts.append(f"{label}: needs review ({status})")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[:limit] + "…"


def write_canvas(book: Gradebook, path: Path, assignment: str = "cnnquiz") -> Path:
    """Canvas gradebook import CSV. ``assignment`` may be ``"Title (12345)"`` to match an id."""
    possible = max((g.possible for g in book.students.values()), default=0)
    with AtomicText(path) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                    text_cell(assignment)])
        w.writerow(["Points Possible", "", "", "", "", number_cell(possible)])
        for student in sorted(book.students):
            g = book.students[student]
            w.writerow([text_cell(student), text_cell(student), "", "", "",
                        number_cell(g.points)])
    return Path(path)


def write_moodle(book: Gradebook, path: Path, item: str = "cnnquiz") -> Path:
    """Moodle grade import CSV: key column, grade, feedback (map them on import)."""
    emails = bool(book.students) and all("@" in s for s in book.students)
    key = "Email address" if emails else "ID number"
    with AtomicText(path) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow([key, text_cell(item), text_cell(f"{item} feedback")])
        for student in sorted(book.students):
            g = book.students[student]
            w.writerow([text_cell(student), number_cell(g.points), text_cell(_summary(g))])
    return Path(path)


def _file_name(student: str) -> str:
    """A safe, collision-free file name for a student id.

    >>> _file_name("../ada@uni.edu")
    'ada_uni.edu-2dedf7df.html'
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._")[:60] or "student"
    digest = hashlib.sha256(student.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}.html"


def write_feedback(book: Gradebook, directory: Path, title: str = "cnnquiz feedback") -> list[Path]:
    """One self-contained HTML page per student; every text is escaped (P7)."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot write feedback pages into {directory}: "
                          f"{e.strerror or type(e).__name__}.") from None
    written = []
    for student in sorted(book.students):
        g = book.students[student]
        rows = []
        for problem, part, status, score, mids, fb in g.items:
            rows.append(
                "<section><h2>" + html.escape(f"{problem} — {part}") + "</h2>"
                f"<p><strong>{html.escape(status)}</strong>"
                + (f", score {html.escape(score)}" if score else "")
                + (f" · <code>{html.escape(mids)}</code>" if mids else "") + "</p>"
                + "<pre>" + html.escape(fb) + "</pre></section>")
        page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)}</title>"
                "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
                "pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em}</style></head><body>"
                f"<h1>{html.escape(title)}</h1><p>Student: {html.escape(student)} · "
                f"points {html.escape(number_cell(g.points))} of {g.possible}"
                + (f" · {g.review} answer(s) need review" if g.review else "") + "</p>"
                + "".join(rows) + "</body></html>\n")
        path = directory / _file_name(student)
        with AtomicText(path) as f:
            f.write(page)
        written.append(path)
    return written
