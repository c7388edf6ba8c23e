"""The problem pages of ``cnnquiz serve``: show, answer, hint, solution (Post/Redirect/Get).

The page is drawn from the URL (the problem) and the store (what this student did with it):
the last answer's feedback, the typed values, the hints taken, whether the solution was
opened. Each POST changes the store once and redirects back to the page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, g, redirect, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from generator.errors import ConfigError
from generator.layers import fmt_shape
from generator.present import problem_context
from generator.problem import Problem
from generator.render import num

from . import practice_core as core
from .hints import ladder
from .web_shared import shared

__all__ = ["problem_url", "register"]

NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def problem_url(topic: str, difficulty: str, seed: int, *, mode: str = "total",
                suffix: str = "", **query: Any) -> str:
    """'/p/basic/easy/42?mode=layers' (empty query values and the default mode left out).

    >>> problem_url("basic", "easy", 42, mode="layers", pick="basic")
    '/p/basic/easy/42?mode=layers&pick=basic'
    >>> problem_url("basic", "easy", 42, suffix="/hint")
    '/p/basic/easy/42/hint'
    """
    q = {"mode": None if mode == "total" else mode, **query}
    qs = urlencode({k: v for k, v in q.items() if v not in (None, "", 0)})
    return f"/p/{topic}/{difficulty}/{seed}{suffix}" + (f"?{qs}" if qs else "")


def _topics(text: str | None) -> list[str]:
    return [t for t in (text or "").split(",") if t in core.TOPICS]


def _mode(text: str | None) -> str:
    if text in core.MODES:
        return str(text)
    return "layers" if request.args.get("layers") == "1" else "total"


def _why(text: str | None) -> str:
    text = text or ""
    kind, _, mid = text.partition(":")
    return text if kind in ("picked", "mix") or (kind == "mistake" and mid) else ""


def register(app: Flask) -> None:
    state = shared(app)
    store, page, rng, lock, grading = state.store, state.page, state.rng, state.lock, state.grading

    def here(problem: Problem, mode: str, suffix: str = "") -> str:
        return problem_url(problem.topic, problem.difficulty, problem.seed, mode=mode,
                           suffix=suffix, pick=",".join(_topics(request.args.get("pick"))),
                           why=_why(request.args.get("why")))

    def load(topic: str, difficulty: str, seed_: int) -> tuple[Problem, str]:
        mode = _mode(request.args.get("mode"))
        if topic not in core.TOPICS or difficulty not in core.DIFFICULTIES or seed_ > core.MAX_SEED:
            abort(404)
        try:
            return core.build(topic, difficulty, seed_, mode), mode
        except ConfigError:
            abort(404)

    @app.get("/next")
    def next_problem() -> BaseResponse:
        difficulty = request.args.get("difficulty", "easy")
        if difficulty not in core.DIFFICULTIES:
            difficulty = "easy"
        pick = _topics(request.args.get("topic") or request.args.get("pick"))
        mode = _mode(request.args.get("mode"))
        progress = store.progress(g.student)
        with lock:
            topic, reason = core.choose(progress, rng, pick or None, avoid=request.args.get("from"))
            seed_ = rng.randrange(10**6)
        url = problem_url(topic, difficulty, seed_, mode=mode, pick=",".join(pick), why=reason)
        return redirect(url, code=303)

    @app.get("/p/<topic>/<difficulty>/<int:seed_>")
    def show(topic: str, difficulty: str, seed_: int) -> Response:
        problem, mode = load(topic, difficulty, seed_)
        first_of_topic = store.mark_seen(g.student, problem.id, problem.topic)
        state = store.problem_state(g.student, problem.id)
        last = store.answer(g.student, state["last_answer"]) if state["last_answer"] else None
        payload = (last or {}).get("payload") or {}
        feedback = [fb | {"html": Markup(fb.get("html") or "")} for fb in payload.get("feedback", [])]
        given = dict(payload.get("given") or {})
        if state["draft"]:
            given |= _draft(state["draft"])
        steps = _ladder(topic, difficulty, seed_, mode, payload.get("focus"), payload.get("mistake"))
        shown = min(state["hints"], len(steps))
        ctx = _context(topic, difficulty, seed_, mode)
        cells = {c[0]: c for fb in payload.get("feedback", []) for c in fb.get("cells", [])}
        rows = [{"name": n, "id": f"layer-{i}", "field": f"layer:{n}", "type": t["type"],
                 "value": given.get(f"layer:{n}", ""), "mark": (cells.get(n) or ("", "", ""))[1],
                 "note": (cells.get(n) or ("", "", ""))[2]}
                for i, (n, t) in enumerate(zip(problem.answers.get("per_layer", {}), ctx["table"],
                                               strict=False))]
        solved = bool(state["solved"])
        example = _example(problem) if first_of_topic and not state["attempts"] else None
        pick = ",".join(_topics(request.args.get("pick")))
        return page(
            "problem", title=f"{problem.id} · cnnquiz practice", p=ctx, problem_id=problem.id,
            topic=problem.topic, difficulty=problem.difficulty, mode=mode,
            why=core.why(_why(request.args.get("why")) or ("picked" if pick else "mix"),
                         problem.topic) if request.args.get("why") or pick else "",
            action=here(problem, mode), hint_action=here(problem, mode, "/hint"),
            solution_action=here(problem, mode, "/solution"),
            hints=[h.__dict__ for h in steps[:shown]], hints_total=len(steps),
            more_hints=shown < len(steps), nonce=core.new_nonce(),
            next_url="/next?" + urlencode({"difficulty": problem.difficulty, "pick": pick,
                                           "mode": mode, "from": problem.topic}),
            similar_url="/next?" + urlencode({"difficulty": problem.difficulty,
                                              "topic": problem.topic, "mode": mode}),
            per_layer=rows if mode == "layers" else [], shape_part=problem.parts[0]
            if mode == "shape" else "", total_value=given.get("total", ""),
            feedback=feedback, status=payload.get("status", ""), attempts=state["attempts"],
            solved=solved, first_try=bool(state["first_try"]),
            hinted=state["hints"] > 0, seen_solution=bool(state["solution_seen"]),
            solution=Markup(core.solution(problem, "html")) if state["solution_seen"] else "",
            example=example, max_chars=core.MAX_ANSWER_CHARS,
            layers_url=problem_url(problem.topic, problem.difficulty, problem.seed, mode="layers")
            if mode == "total" else "",
        )

    @app.post("/p/<topic>/<difficulty>/<int:seed_>")
    def answer(topic: str, difficulty: str, seed_: int) -> BaseResponse:
        problem, mode = load(topic, difficulty, seed_)
        form = request.form
        nonce = form.get("nonce", "")
        if not NONCE.fullmatch(nonce):
            nonce = core.new_nonce()
        given = {k: v[: core.MAX_ANSWER_CHARS + 1] for k, v in form.items()
                 if k == "total" or k.startswith("layer:")}
        with grading:  # the grader's caches are shared
            if mode == "shape":
                results = [("Shape", core.check(problem, form.get("total", ""), problem.parts[0]))]
            else:
                results = [("Total", core.check(problem, form.get("total", "")))]
            if mode == "layers":
                cells = {k.split(":", 1)[1]: v for k, v in given.items() if k.startswith("layer:")}
                results.append(("Per-layer table", core.check_layers(problem, cells)))
        statuses = {fb.status for _, fb in results}
        status = ("incorrect" if "incorrect" in statuses else
                  "unreadable" if "unreadable" in statuses else "correct")
        mistakes = [m for _, fb in results for m in fb.misconceptions]
        sure = next((fb for _, fb in results if fb.focus), None)
        payload = {"status": status, "given": given,
                   "focus": sure.focus if sure else None,
                   "mistake": sure.misconceptions[0] if sure and sure.misconceptions else None,
                   "feedback": [fb.to_dict() | {"label": label} for label, fb in results]}
        store.record_answer(g.student, problem.id, problem.topic, nonce, status, mistakes, payload)
        return redirect(here(problem, mode) + "#verdict", code=303)

    @app.post("/p/<topic>/<difficulty>/<int:seed_>/hint")
    def hint(topic: str, difficulty: str, seed_: int) -> BaseResponse:
        problem, mode = load(topic, difficulty, seed_)
        draft = "\n".join(f"{k}\t{v[: core.MAX_ANSWER_CHARS]}" for k, v in request.form.items()
                          if (k == "total" or k.startswith("layer:")) and "\n" not in v)
        n = store.take_hint(g.student, problem.id, problem.topic, len(ladder(problem)), draft)
        return redirect(here(problem, mode) + f"#hint-{n}", code=303)

    @app.post("/p/<topic>/<difficulty>/<int:seed_>/solution")
    def worked(topic: str, difficulty: str, seed_: int) -> BaseResponse:
        problem, mode = load(topic, difficulty, seed_)
        store.show_solution(g.student, problem.id, problem.topic)
        return redirect(here(problem, mode) + "#solution", code=303)


@lru_cache(maxsize=512)
def _context_cached(topic: str, difficulty: str, seed: int, mode: str) -> dict[str, Any]:
    ctx = problem_context(core.build(topic, difficulty, seed, mode))
    ctx.pop("answer", None)  # the page never holds the answer before it is earned
    return ctx


def _context(topic: str, difficulty: str, seed: int, mode: str) -> dict[str, Any]:
    """The problem's template context (cached: a problem is a pure function of its URL)."""
    return dict(_context_cached(topic, difficulty, seed, mode))


@lru_cache(maxsize=1024)
def _ladder(topic: str, difficulty: str, seed: int, mode: str, focus: str | None,
            mistake: str | None) -> tuple[Any, ...]:
    return tuple(ladder(core.build(topic, difficulty, seed, mode), focus, mistake))


def _draft(text: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def _example(problem: Problem) -> dict[str, Any] | None:
    """A short worked example of the same topic, shown before a student's first problem of it.

    Another seed whose worked solution does not contain this problem's answers as written
    (the example never gives the answer away).
    """
    keys = [fmt_shape(v) if isinstance(v, list) else num(v)
            for v in problem.answers.values() if isinstance(v, int | list)]
    for k in range(1, 50):
        ex = core.build(problem.topic, "easy", (problem.seed + 7919 * k) % (core.MAX_SEED + 1))
        solution = core.solution(ex, "html")
        if not any(re.search(rf"(?<![\d.,]){re.escape(key)}(?![\d])", solution) for key in keys):
            return {"p": problem_context(ex), "solution": Markup(solution)}
    return None
