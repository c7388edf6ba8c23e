"""An assembled exam as one document: cover, questions with points and answer space, key.

Formats: ``md``, ``html``, ``latex`` and ``typst``; ``pdf`` is the Typst document compiled by
the ``typst`` package (its compiler and fonts ship in the wheel, so no TeX installation is
needed). A roster's copies are one document, each copy starting on a new page, so one PDF
prints the whole class. Everything is computed here; the templates only lay it out.

>>> from generator.exam import assemble, parse_exam
>>> exam = parse_exam({"title": "Quiz", "exam": "quiz", "slots": [
...     {"topic": "basic", "difficulty": "easy", "points": {"total": 2}}]})
>>> text = render_exam(exam, {None: assemble(exam)}, "md")
>>> "Quiz" in text and "Question 1" in text and "(2 points)" in text and "basic" not in text
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .exam import Exam, ExamQuestion
from .present import md_text, problem_context, solution_ctx, tex_context
from .render import num, render
from .typst_math import step_math, typst_math

__all__ = ["EXAM_FORMATS", "exam_pdf", "render_exam", "typst_context", "typst_str"]

#: format -> template suffix
EXAM_FORMATS = {"md": "md", "html": "html", "latex": "tex", "typst": "typ"}
#: what the diagram of each format is drawn as (Typst takes the SVG)
DIAGRAM = {"md": "md", "html": "html", "latex": "latex", "typst": "html"}
VERBATIM = frozenset({"diagram_tikz", "diagram_svg", "diagram_href", "id"})
#: context keys holding Typst math made by :mod:`generator.typst_math` (never escaped)
TYPST_MATH = frozenset({"steps_math", "sum_math"})


def points_text(n: int) -> str:
    """'1 point', '4 points'.

    >>> points_text(1), points_text(4)
    ('1 point', '4 points')
    """
    return f"{n} point{'s' if n != 1 else ''}"


def typst_str(text: str) -> str:
    """A Typst string literal: the text is data, never markup or code.

    >>> typst_str('a "b" \\\\ #c')
    '"a \\\\"b\\\\" \\\\\\\\ #c"'
    """
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    body = body.replace("\r", "\\r").replace("\t", "\\t")
    return f'"{body}"'


def typst_context(ctx: dict[str, Any]) -> dict[str, Any]:
    """Every string of a context as a Typst string literal (templates print them as #x),
    except the math the converter wrote (:data:`TYPST_MATH`)."""
    return {k: _typst(v, k) for k, v in ctx.items()}


def _typst(obj: object, key: str) -> object:
    if isinstance(obj, str):
        return obj if key in TYPST_MATH else typst_str(obj)
    if isinstance(obj, dict):
        return {k: _typst(v, k) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_typst(v, key) for v in obj]
    return obj


def _question(q: ExamQuestion, fmt: str, key: bool) -> dict[str, Any]:
    ctx = problem_context(q.problem, q.number, fmt=DIAGRAM[fmt])
    total = sum(q.points.values())
    ctx["title"] = f"Question {q.number} ({points_text(total)})"
    ctx["questions"] = [{**item, "points": f"({points_text(q.points[item['part']])})",
                         "space": not key} for item in ctx["questions"]]
    if key:
        sol = solution_ctx(q.problem, q.number, DIAGRAM[fmt])
        sol["title"] = f"Question {q.number}"
        if fmt == "typst":  # the formulas typeset, from the same step texts
            for row in sol["rows"]:
                row["steps_math"] = [step_math(st) for st in row["steps"]]
            sol["sum_math"] = typst_math(f"{sol['sum_line']} = {sol['answer']}")
        ctx["solution"] = sol
    return ctx


def _copy(exam: Exam, student: str | None, questions: Sequence[ExamQuestion], fmt: str,
          key: bool) -> dict[str, Any]:
    return {
        "student": student or "",
        "questions": [_question(q, fmt, key) for q in questions],
    }


def _escape(ctx: dict[str, Any], fmt: str) -> dict[str, Any]:
    if fmt == "md":  # the title and student ids as text, never raw HTML
        return {**ctx, "title": md_text(ctx["title"]),
                "copies": [{**c, "student": md_text(c["student"])} for c in ctx["copies"]]}
    if fmt == "latex":
        return tex_context(ctx)
    if fmt == "typst":
        return typst_context(ctx)
    return ctx


def render_exam(exam: Exam, copies: Mapping[str | None, Sequence[ExamQuestion]], fmt: str, *,
                key: bool = False) -> str:
    """The exam (or, ``key=True``, its answer key with worked solutions) as one document."""
    n_questions = len(exam.slots)
    ctx = {
        "title": exam.title + (": answer key and worked solutions" if key else ""),
        "instructions": exam.instructions,
        "total_points": points_text(exam.total_points),
        "questions_line": f"{n_questions} question{'s' if n_questions != 1 else ''}, "
                          f"{points_text(exam.total_points)} in all",
        "key": key,
        "copies": [_copy(exam, s, qs, fmt, key) for s, qs in copies.items()],
        "fields": ["Name", "Student ID"],
        "point_table": [{"number": str(s.number), "points": num(sum(s.points.values()))}
                        for s in exam.slots],
    }
    escaped = _escape(ctx, fmt)
    escaped["key"] = key
    return render(f"exam.{EXAM_FORMATS[fmt]}.j2", escaped)


def exam_pdf(exam: Exam, copies: Mapping[str | None, Sequence[ExamQuestion]], *,
             key: bool = False) -> bytes:
    """The Typst document compiled to PDF by the ``typst`` package (no TeX needed)."""
    import typst

    source = render_exam(exam, copies, "typst", key=key)
    return bytes(typst.compile(source.encode("utf-8")))
