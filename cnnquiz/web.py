"""The practice loop as a small local Flask app (``cnnquiz serve``).

Every problem is addressed by ``/p/<topic>/<difficulty>/<seed>`` (plus ``?layers=1`` for the
per-layer table), so it is rebuilt from its URL: a server restart loses nothing, and no
session is kept. Answers are POSTed to the problem's URL and graded on the server with the
expected value hidden; the page before an answer never contains it. Hints shown are counted
in the URL (``?hints=2``), and so is whether the student has answered already
(``tried=1``, so a hint after a wrong answer does not make the next answer a first try). Progress (streak, per-topic record, misconceptions) goes to the
local progress file, as in the terminal.

Pages are rendered with the project's one jinja2 environment (``generator.render.render``,
autoescaping ``*.html.j2``) from ``templates/web/``; CSS is inlined, no scripts, no external
assets, so it works offline.

>>> app = create_app(progress_path=None, seed=1)
>>> client = app.test_client()
>>> client.get("/").status_code, client.get("/p/basic/easy/42").status_code
(200, 200)
"""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, abort, redirect, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from generator.errors import ConfigError
from generator.present import problem_context
from generator.problem import Problem
from generator.render import render

from . import practice_core as core
from . import progress as prog

__all__ = ["MAX_CONTENT_LENGTH", "create_app"]

MAX_CONTENT_LENGTH = 16 * 1024
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def problem_url(topic: str, difficulty: str, seed: int, *, layers: bool = False,
                **query: Any) -> str:
    """'/p/basic/easy/42?layers=1&hints=2' (empty query values left out).

    >>> problem_url("basic", "easy", 42, layers=True, hints=2)
    '/p/basic/easy/42?layers=1&hints=2'
    """
    q = {"layers": 1 if layers else None, **query}
    qs = urlencode({k: v for k, v in q.items() if v not in (None, "", 0)})
    return f"/p/{topic}/{difficulty}/{seed}" + (f"?{qs}" if qs else "")


def _int(value: str | None, default: int = 0, *, high: int = 10**6) -> int:
    try:
        return max(0, min(int(value or default), high))
    except ValueError:
        return default


def _topics(text: str | None) -> list[str]:
    return [t for t in (text or "").split(",") if t in core.TOPICS]


def create_app(progress_path: Path | str | None = None, *, seed: int | None = None) -> Flask:
    """A fresh app; ``progress_path`` None keeps progress in memory only (tests, demos)."""
    app = Flask("cnnquiz.web")
    app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_CONTENT_LENGTH
    path = Path(progress_path) if progress_path else None
    state = {"progress": prog.load(path) if path else prog.Progress()}
    lock = threading.Lock()
    grading = threading.Lock()
    rng = random.Random(seed)

    def progress() -> prog.Progress:
        return state["progress"]

    def save() -> None:
        if path is not None:
            prog.save(progress(), path)

    def page(template: str, code: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("title", "cnnquiz practice")
        body = render(f"web/{template}.html.j2", {"ctx": ctx, "nav": _nav()})
        return Response(body, status=code, mimetype="text/html")

    def _nav() -> list[dict[str, str]]:
        return [{"href": "/", "label": "Choose topics"}, {"href": "/progress", "label": "Progress"}]

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.before_request
    def same_origin() -> None:
        """Refuse cross-site form posts (the app changes a local file)."""
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and origin != "null":
            if urlsplit(origin).netloc != request.host:
                abort(403)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        messages = {
            413: f"That was too much to send (the limit is {MAX_CONTENT_LENGTH // 1024} KB); "
                 "an answer is just a number.",
            404: "There is no such page or problem.",
            403: "This form can only be sent from the practice app itself.",
        }
        text = messages.get(e.code or 500, e.description or "Something went wrong.")
        return page("error", code=e.code or 500, title=f"{e.code} {e.name}", message=text)

    # -- pages ---------------------------------------------------------------------------
    @app.get("/")
    def index() -> Response:
        return page("index", topics=list(core.TOPICS), difficulties=list(core.DIFFICULTIES))

    @app.get("/next")
    def next_problem() -> Response:
        difficulty = request.args.get("difficulty", "easy")
        if difficulty not in core.DIFFICULTIES:
            difficulty = "easy"
        pick = _topics(request.args.get("topic") or request.args.get("pick"))
        layers = request.args.get("layers") == "1"
        prev = request.args.get("from")
        with lock:
            topic = core.choose_topic(progress(), rng, pick or None, avoid=prev)
            seed_ = rng.randrange(10**6)
        url = problem_url(topic, difficulty, seed_, layers=layers, pick=",".join(pick))
        return redirect(url, code=303)  # type: ignore[return-value]

    def load(topic: str, difficulty: str, seed_: int, layers: bool) -> Problem:
        if topic not in core.TOPICS or difficulty not in core.DIFFICULTIES or seed_ > core.MAX_SEED:
            abort(404)
        try:
            return core.build(topic, difficulty, seed_, layers)
        except ConfigError:
            abort(404)

    def problem_page(problem: Problem, *, layers: bool, hints: int, pick: str,
                     feedback: list[dict[str, Any]] | None = None, status: str | None = None,
                     given: dict[str, str] | None = None, attempt: int = 0,
                     show_solution: bool = False) -> Response:
        topic, difficulty, seed_ = problem.topic, problem.difficulty, problem.seed
        steps = core.hints(problem)
        hints = min(hints, len(steps))
        here = problem_url(topic, difficulty, seed_, layers=layers, pick=pick, hints=hints)
        ctx = problem_context(problem)
        ctx.pop("answer", None)  # the page before an answer never holds it
        rows = [{"name": n, "id": f"layer-{i}", "field": f"layer:{n}",
                 "type": t["type"], "value": (given or {}).get(f"layer:{n}", "")}
                for i, (n, t) in enumerate(zip(problem.answers.get("per_layer", {}),
                                               ctx["table"], strict=False))]
        return page(
            "problem", title=f"{problem.id} · cnnquiz practice", p=ctx, problem_id=problem.id,
            topic=topic, difficulty=difficulty, action=here,
            hints=steps[:hints], hints_total=len(steps),
            next_hint_url=problem_url(topic, difficulty, seed_, layers=layers, pick=pick,
                                      hints=hints + 1, tried=attempt) + "#hints"
            if hints < len(steps) else "",
            hint_count=hints,
            solution_action=problem_url(topic, difficulty, seed_, layers=layers, pick=pick,
                                        hints=hints).replace(f"/{seed_}", f"/{seed_}/solution", 1),
            next_url="/next?" + urlencode({"difficulty": difficulty, "pick": pick,
                                           "layers": "1" if layers else "", "from": topic}),
            per_layer=rows if layers else [], total_value=(given or {}).get("total", ""),
            feedback=feedback or [], status=status or "", attempt=attempt,
            solved=status == "correct",
            solution=Markup(core.solution(problem, "html")) if show_solution else "",
            max_chars=core.MAX_ANSWER_CHARS, pick=pick,
        )

    @app.get("/p/<topic>/<difficulty>/<int:seed_>")
    def show(topic: str, difficulty: str, seed_: int) -> Response:
        layers = request.args.get("layers") == "1"
        problem = load(topic, difficulty, seed_, layers)
        return problem_page(problem, layers=layers, hints=_int(request.args.get("hints")),
                            pick=",".join(_topics(request.args.get("pick"))),
                            attempt=_int(request.args.get("tried"), high=1000))

    @app.post("/p/<topic>/<difficulty>/<int:seed_>")
    def answer(topic: str, difficulty: str, seed_: int) -> Response:
        layers = request.args.get("layers") == "1"
        problem = load(topic, difficulty, seed_, layers)
        form = request.form
        attempt = _int(form.get("attempt"), high=1000)
        given = {k: v for k, v in form.items() if k == "total" or k.startswith("layer:")}
        with grading:  # the grader's caches are shared; one answer at a time is plenty here
            results = [("Total", core.check(problem, form.get("total", "")))]
            if layers:
                cells = {k.split(":", 1)[1]: v for k, v in given.items() if k.startswith("layer:")}
                results.append(("Per-layer table", core.check_layers(problem, cells)))
        statuses = {fb.status for _, fb in results}
        status = ("incorrect" if "incorrect" in statuses else
                  "unreadable" if "unreadable" in statuses else "correct")
        if status != "unreadable":
            ids = list(dict.fromkeys(m for _, fb in results for m in fb.misconceptions))
            with lock:
                progress().record_answer(topic, status, ids, first_try=attempt == 0)
                save()
            attempt += 1
        feedback = [{"label": label, "status": fb.status, "text": fb.text, "ambiguous": fb.ambiguous,
                     "html": Markup(fb.html) if fb.html else "",
                     "findings": [f.__dict__ | {"layers": ", ".join(f.layers)} for f in fb.findings]}
                    for label, fb in results]
        return problem_page(problem, layers=layers, hints=_int(request.args.get("hints")),
                            pick=",".join(_topics(request.args.get("pick"))), feedback=feedback,
                            status=status, given=given, attempt=attempt)

    @app.post("/p/<topic>/<difficulty>/<int:seed_>/solution")
    def worked(topic: str, difficulty: str, seed_: int) -> Response:
        layers = request.args.get("layers") == "1"
        problem = load(topic, difficulty, seed_, layers)
        if request.form.get("solved") != "1":  # reading it after solving keeps the streak
            with lock:
                progress().record_solution_shown(topic)
                save()
        return problem_page(problem, layers=layers, hints=_int(request.args.get("hints")),
                            pick=",".join(_topics(request.args.get("pick"))),
                            show_solution=True, attempt=1)

    @app.get("/progress")
    def progress_page() -> Response:
        p = progress()
        rows = [{"topic": t, **r} for t, r in sorted(p.topics.items())]
        from generator.misconceptions import MISCONCEPTIONS

        mis = [{"id": m, "count": c, "title": MISCONCEPTIONS[m].title if m in MISCONCEPTIONS else m,
                "step": str(MISCONCEPTIONS[m].step) if m in MISCONCEPTIONS else "",
                "practice": ",".join(core.topics_for(m))}
               for m, c in sorted(p.misconceptions.items(), key=lambda kv: (-kv[1], kv[0]))]
        return page("progress", title="Progress · cnnquiz practice", streak=p.streak,
                    best=p.best_streak, solved=p.solved, rows=rows, misconceptions=mis,
                    path=str(path) if path else "(kept in memory only)")

    @app.post("/progress/reset")
    def reset() -> Response:
        with lock:
            state["progress"] = prog.Progress()
            if path is not None:
                prog.reset(path)
        return redirect("/progress", code=303)  # type: ignore[return-value]

    return app
