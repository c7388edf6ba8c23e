"""Class mode pages: student sign-in (id + class code), instructor sign-in, class report, CSV.

The report lists, per topic, the misconceptions diagnosed with confidence most often across
the class (times and students); ``/instructor/mistakes.csv`` exports the same rows, every
cell neutralised against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io

from flask import Flask, Response, abort, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from generator.csvsafe import text_cell
from generator.misconceptions import MISCONCEPTIONS

from .classmode import ClassConfig, RateLimit
from .web_shared import shared

__all__ = ["register"]


def _cell(text: str) -> str:
    """A CSV cell that no spreadsheet reads as a formula (the project's one escaper)."""
    return text_cell(text)


def register(app: Flask) -> None:
    state = shared(app)
    store, page, klass = state.store, state.page, state.klass
    assert isinstance(klass, ClassConfig)
    limits = RateLimit(limit=10, window=300.0)

    def too_many(*keys: str) -> None:
        if any(limits.blocked(k) for k in keys):
            abort(429)

    def fresh_session(**values: str | bool) -> None:
        session.clear()  # a new session id at sign-in: no fixation
        session.update(values)

    @app.get("/signin")
    def signin_form() -> Response:
        return page("signin", title=f"Sign in · {klass.name}", name=klass.name, message="")

    @app.post("/signin")
    def signin() -> BaseResponse:
        student = request.form.get("student", "").strip()[:64]
        code = request.form.get("code", "")[:200]
        ip = request.remote_addr or "?"
        too_many(f"ip:{ip}", f"id:{student}")
        if not klass.admits(student, code):
            limits.fail(f"ip:{ip}")
            limits.fail(f"id:{student}")
            return page("signin", code=401, title=f"Sign in · {klass.name}", name=klass.name,
                        message="That id and class code do not match this class.")
        fresh_session(student=student)
        return redirect("/", code=303)

    @app.post("/signout")
    def signout() -> BaseResponse:
        session.clear()
        return redirect("/signin", code=303)

    @app.get("/instructor/signin")
    def instructor_form() -> Response:
        return page("instructor_signin", title=f"Instructor · {klass.name}", message="")

    @app.post("/instructor/signin")
    def instructor_signin() -> BaseResponse:
        ip = request.remote_addr or "?"
        too_many(f"ip:{ip}", "instructor")
        if not klass.check_instructor(request.form.get("password", "")[:1000]):
            limits.fail(f"ip:{ip}")
            limits.fail("instructor")
            return page("instructor_signin", code=401, title=f"Instructor · {klass.name}",
                        message="That password is not right.")
        fresh_session(instructor=True)
        return redirect("/instructor", code=303)

    def rows() -> list[dict[str, str | int]]:
        out: list[dict[str, str | int]] = []
        for topic, mid, times, students in store.class_mistakes():
            m = MISCONCEPTIONS.get(mid)
            out.append({"topic": topic, "misconception": m.title if m else mid, "id": mid,
                        "step": str(m.step) if m else "", "times": times, "students": students})
        return out

    @app.get("/instructor")
    def report() -> BaseResponse:
        if not session.get("instructor"):
            return redirect("/instructor/signin", code=303)
        by_topic: dict[str, list[dict[str, str | int]]] = {}
        for r in rows():
            by_topic.setdefault(str(r["topic"]), []).append(r)
        return page("instructor", title=f"Class report · {klass.name}", name=klass.name,
                    topics=sorted(by_topic.items()), counts=store.counts())

    @app.get("/instructor/mistakes.csv")
    def export() -> Response:
        if not session.get("instructor"):
            abort(403)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(["topic", "misconception_id", "misconception", "step", "times", "students"])
        for r in rows():
            w.writerow([_cell(str(r["topic"])), r["id"], _cell(str(r["misconception"])),
                        r["step"], r["times"], r["students"]])
        return Response(buf.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="class-mistakes.csv"'})
