"""The practice loop as a web app (``cnnquiz serve``): the app, its security, progress pages.

Every problem is addressed by ``/p/<topic>/<difficulty>/<seed>`` (``?mode=layers`` adds the
per-layer table, ``?mode=shape`` asks a layer's output shape), so it is rebuilt from its URL.
What the student did is kept on the server, in the store (:mod:`cnnquiz.store`): attempts,
hints taken, solution seen, per problem id, so a second tab or a reopened URL cannot make
an answer a "first try" again, and nothing the form says (``solved=1``, ``attempt=0``) is
trusted. Every POST answers with a redirect (Post/Redirect/Get), so Back and reload never
resend an answer, and every form carries a nonce so a resent form is recorded once.

Security: every POST needs the session's CSRF token (an HMAC of the session id with the
app's secret, which is kept in the store or given by the class file, never shown) and a
same-origin ``Origin`` when one is sent (``null`` is refused). Sessions are signed cookies
(SameSite=Lax, HttpOnly). Pages have no scripts and no external assets (CSP).

>>> app = create_app(None, seed=1)
>>> client = app.test_client()
>>> client.get("/").status_code, client.get("/p/basic/easy/42").status_code
(200, 200)
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from generator.misconceptions import MISCONCEPTIONS
from generator.render import render

from . import practice_core as core
from . import progress as prog
from .classmode import ClassConfig
from .store import Store, open_practice, open_store
from .web_class import register as class_routes
from .web_problem import register as problem_routes
from .web_shared import Shared

__all__ = ["CSP", "MAX_CONTENT_LENGTH", "create_app", "student_names"]

MAX_CONTENT_LENGTH = 16 * 1024
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
LOCAL = "local"


def student_names(mid: str) -> str:
    """A misconception's student-facing name (its title), never its id."""
    m = MISCONCEPTIONS.get(mid)
    return m.title if m else "a mistake no longer in the catalogue"


def create_app(progress: Store | str | Path | None = None, *, seed: int | None = None,
               klass: ClassConfig | None = None) -> Flask:
    """A fresh app on a store (a path, a URL, a :class:`Store`, or None: in memory).

    An old JSON progress file beside the store (or named by ``progress``) is imported once.
    ``klass`` turns on class mode (sign-in, per-student progress, instructor page).
    """
    if isinstance(progress, Store):
        store, where = progress, "(given store)"
    elif progress is None:
        store, where = open_store(":memory:"), "(kept in memory only)"
    else:  # an old JSON file is the single student's: never imported into a class
        store, where = open_practice(progress, None if klass else LOCAL)
    app = Flask("cnnquiz.web")
    app.config.update(MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE=MAX_CONTENT_LENGTH,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="cnnquiz")
    app.secret_key = (klass.secret if klass and klass.secret else None) or store.secret()
    key = hashlib.sha256(b"csrf:" + str(app.secret_key).encode()).digest()
    rng = random.Random(seed)

    def csrf_token() -> str:
        if "sid" not in session:
            session["sid"] = secrets.token_urlsafe(18)
        return hmac.new(key, session["sid"].encode(), "sha256").hexdigest()

    def page(template: str, code: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("title", "cnnquiz practice")
        nav = [{"href": "/", "label": "Choose topics"}, {"href": "/progress", "label": "Progress"}]
        if klass is not None and session.get("instructor"):
            nav = [{"href": "/instructor", "label": "Class report"}]
        body = render(f"web/{template}.html.j2", {"ctx": ctx, "nav": nav, "csrf": csrf_token(),
                                                  "who": g.get("who", ""),
                                                  "class_mode": klass is not None})
        return Response(body, status=code, mimetype="text/html")

    app.extensions["cnnquiz"] = Shared(store=store, rng=rng, klass=klass, where=where, page=page)

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" makes Chromium send Origin: null
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.before_request
    def guard() -> BaseResponse | None:
        """Same origin and the CSRF token on every POST; in class mode, who is signed in."""
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.host):
                abort(403)
            sent = request.form.get("csrf", "")
            if not hmac.compare_digest(sent.encode(), csrf_token().encode()):
                abort(403)
        g.student = LOCAL
        if klass is not None:
            open_paths = ("/signin", "/instructor/signin")
            if session.get("instructor"):
                g.who = "instructor"
                if not request.path.startswith(("/instructor", "/signout")):
                    return redirect("/instructor", code=303)
            elif session.get("student"):
                g.student = g.who = session["student"]
                if request.path.startswith("/instructor") and request.path not in open_paths:
                    abort(403)
            elif request.path not in open_paths:
                return redirect("/signin", code=303)
        return None

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        messages = {
            413: f"That was too much to send (the limit is {MAX_CONTENT_LENGTH // 1024} KB); "
                 "an answer is just a number.",
            404: "There is no such page or problem.",
            403: "This form can only be sent from the practice app itself (reload the page "
                 "and try again).",
            429: "Too many sign-in attempts; please wait a few minutes and try again.",
        }
        text = messages.get(e.code or 500, e.description or "Something went wrong.")
        return page("error", code=e.code or 500, title=f"{e.code} {e.name}", message=text)

    @app.get("/")
    def index() -> Response:
        return page("index", topics=list(core.TOPICS), difficulties=list(core.DIFFICULTIES))

    @app.get("/progress")
    def progress_page() -> Response:
        p = store.progress(g.student)
        rows = []
        for t in sorted(p.topics):
            level, pct = prog.mastery(p.recent.get(t, []))
            rows.append({"topic": t, **p.topics[t], "mastery": level, "percent": pct,
                         "recent": len(p.recent.get(t, []))})
        mis = [{"count": c, "title": student_names(m),
                "step": str(MISCONCEPTIONS[m].step) if m in MISCONCEPTIONS else "",
                "practice": ",".join(core.topics_for(m))}
               for m, c in sorted(p.misconceptions.items(), key=lambda kv: (-kv[1], kv[0]))]
        old = [{"count": c, "title": student_names(m)} for m, c in sorted(p.imported.items())]
        return page("progress", title="Progress · cnnquiz practice", streak=p.streak,
                    best=p.best_streak, solved=p.solved, rows=rows, misconceptions=mis,
                    imported=old, path=where if klass is None else "")

    @app.get("/progress/reset")
    def reset_confirm() -> Response:
        return page("reset", title="Reset progress? · cnnquiz practice",
                    solved=store.progress(g.student).solved)

    @app.post("/progress/reset")
    def reset() -> BaseResponse:
        if request.form.get("confirm") != "yes":
            return redirect("/progress/reset", code=303)
        store.reset(g.student)
        return redirect("/progress", code=303)

    problem_routes(app)
    if klass is not None:
        class_routes(app)
    return app
