"""``cnnquiz serve``: the Flask app through its test client."""

from __future__ import annotations

import json
import re

import pytest

from cnnquiz import practice_core as core
from cnnquiz.web import MAX_CONTENT_LENGTH, create_app
from generator.problem import catalogue_values

URL = "/p/color/easy/5"


@pytest.fixture
def progress_file(tmp_path):
    return tmp_path / "progress.json"


@pytest.fixture
def client(progress_file):
    return create_app(progress_file, seed=1).test_client()


def notations(n: int) -> list[str]:
    """How a count may be written: 1369, 1,369, 1 369, 1_369, 1.369, 1'369, thin spaces."""
    plain = str(n)
    grouped = f"{n:,}"
    return sorted({plain, grouped} | {grouped.replace(",", sep)
                                      for sep in (" ", "_", ".", "'", "\u2009", "\u202f", "&#x2009;")})


def leaks(html: str, n: int) -> list[str]:
    return [s for s in notations(n) if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d])", html)]


def test_pages(client):
    assert client.get("/").status_code == 200
    r = client.get("/next?topic=color&difficulty=medium")
    assert r.status_code == 303
    assert re.fullmatch(r"/p/color/medium/\d+(\?pick=color)?", r.headers["Location"])
    r = client.get(URL)
    assert r.status_code == 200
    assert 'name="viewport"' in r.text
    assert "color-easy-000005" in r.text
    assert client.get("/progress").status_code == 200


@pytest.mark.parametrize("url", ["/p/colour/easy/5", "/p/color/expert/5", f"/p/color/easy/{2**40}",
                                 "/nope"])
def test_not_found_is_a_page(client, url):
    r = client.get(url)
    assert r.status_code == 404 and "no such page or problem" in r.text


def test_problem_page_shows_diagram_labelled_form_no_external_assets(client):
    html = client.get(URL).text
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Architecture diagram', html)
    assert "<title>Architecture diagram" in html
    assert '<label for="total">' in html and 'id="total"' in html and "autofocus" in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert not re.search(r'(href|action)="https?:', html)


@pytest.mark.parametrize("topic,seed", [("basic", 1), ("color", 5), ("padding", 9), ("sharing", 3),
                                        ("batchnorm", 4), ("groups", 2), ("transpose", 8)])
@pytest.mark.parametrize("layers", ["", "?layers=1"], ids=["total", "per-layer"])
def test_answer_never_in_page_before_answering(client, topic, seed, layers):
    p = core.build(topic, "easy", seed, bool(layers))
    html = client.get(f"/p/{topic}/easy/{seed}{layers}").text
    assert leaks(html, p.answers["total"]) == []
    html = client.post(f"/p/{topic}/easy/{seed}{layers}", data={"total": "1"}).text  # wrong answer
    assert "not yet" in html
    assert leaks(html, p.answers["total"]) == []
    html = client.get(f"/p/{topic}/easy/{seed}" + (f"{layers}&hints=1" if layers else "?hints=1")).text
    assert leaks(html, p.answers["total"]) == []


@pytest.mark.parametrize("topic,seed", [("color", 5), ("sharing", 3), ("batchnorm", 4)])
def test_diagnosed_feedback_does_not_leak_the_answer(client, topic, seed):
    p = core.build(topic, "easy", seed)
    for mid, value in catalogue_values(p.network()).items():
        html = client.post(f"/p/{topic}/easy/{seed}", data={"total": str(value)}).text
        assert 'data-status="incorrect"' in html, mid
        assert leaks(html, p.answers["total"]) == [], mid


def test_wrong_answer_names_misconception_and_step(client, progress_file):
    p = core.build("color", "easy", 5)
    wrong = catalogue_values(p.network())["color_as_gray"]
    html = client.post(URL, data={"total": f"{wrong:,}", "attempt": "0"}).text
    assert 'data-misconception="color_as_gray"' in html
    assert "Step: input channels" in html
    assert 'value="1"' in html  # the next attempt is not a first try
    saved = json.loads(progress_file.read_text())
    # here a 2-D kernel gives the same numbers: a hedge, shown but not recorded
    assert saved["misconceptions"] == {}
    wrong = catalogue_values(p.network())["conv_no_cin"]  # confident: recorded
    client.post(URL, data={"total": str(wrong), "attempt": "1"})
    assert json.loads(progress_file.read_text())["misconceptions"] == {"conv_no_cin": 1}


def test_correct_answer_offers_next_problem(client, progress_file):
    p = core.build("color", "easy", 5)
    html = client.post(URL, data={"total": str(p.answers["total"]), "attempt": "0"}).text
    assert 'data-status="correct"' in html
    assert re.search(r'<a class="button" id="next" href="/next\?[^"]*from=color"[^>]*autofocus', html)
    saved = json.loads(progress_file.read_text())
    assert saved["streak"] == 1 and saved["topics"]["color"]["first_try"] == 1


def test_student_text_is_escaped(client):
    attack = '"><script>alert(1)</script>'
    html = client.post(URL, data={"total": attack}).text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    html = client.post(URL + "?layers=1", data={"total": "1", "layer:conv1": attack}).text
    assert "<script>alert(1)" not in html


def test_request_size_limit(client, progress_file):
    r = client.post(URL, data={"total": "9" * (MAX_CONTENT_LENGTH + 10)})
    assert r.status_code == 413
    assert "too much to send" in r.text
    r = client.post(URL, data={"total": "9" * (core.MAX_ANSWER_CHARS + 1)})
    assert r.status_code == 200 and "too long" in r.text  # over the parser cap: refused, politely
    assert not progress_file.exists()  # and not counted as an attempt


def test_cross_site_post_is_refused(client):
    r = client.post(URL, data={"total": "1"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_problem_rebuilt_after_restart(tmp_path):
    first = create_app(tmp_path / "a.json").test_client().get(URL + "?hints=2").text
    again = create_app(tmp_path / "b.json").test_client()  # a new process, nothing carried over
    assert again.get(URL + "?hints=2").text == first
    p = core.build("color", "easy", 5)
    assert 'data-status="correct"' in again.post(URL, data={"total": str(p.answers["total"])}).text


def test_hints_one_step_at_a_time(client):
    p = core.build("color", "easy", 5)
    steps = core.hints(p)
    html = client.get(URL + "?hints=1").text
    assert steps[0] in html and steps[1] not in html
    assert 'href="/p/color/easy/5?hints=2#hints"' in html
    html = client.get(URL + f"?hints={len(steps) + 5}").text
    assert steps[-1] in html and 'id="next-hint"' not in html


def test_hint_after_wrong_answer_keeps_it_a_retry(client, progress_file):
    p = core.build("color", "easy", 5)
    html = client.post(URL, data={"total": "1", "attempt": "0"}).text
    assert 'href="/p/color/easy/5?hints=1&amp;tried=1#hints"' in html
    html = client.get(URL + "?hints=1&tried=1").text
    assert '<input type="hidden" name="attempt" value="1">' in html
    client.post(URL + "?hints=1", data={"total": str(p.answers["total"]), "attempt": "1"})
    saved = json.loads(progress_file.read_text())
    assert saved["streak"] == 0 and saved["topics"]["color"] == {"answered": 1, "solved": 1,
                                                                  "first_try": 0}


def test_worked_solution(client, progress_file):
    p = core.build("color", "easy", 5)
    html = client.post(URL + "/solution").text
    assert f"{p.answers['total']:,}" in html and "Worked solution" in html
    assert json.loads(progress_file.read_text())["streak"] == 0


def test_solution_after_solving_keeps_the_streak(client, progress_file):
    p = core.build("color", "easy", 5)
    html = client.post(URL, data={"total": str(p.answers["total"]), "attempt": "0"}).text
    assert '<input type="hidden" name="solved" value="1">' in html
    client.post(URL + "/solution", data={"solved": "1"})
    assert json.loads(progress_file.read_text())["streak"] == 1


def test_per_layer_form(client):
    p = core.build("color", "easy", 5, True)
    per_layer = p.answers["per_layer"]
    html = client.get(URL + "?layers=1").text
    for i, name in enumerate(per_layer):
        assert f'<label for="layer-{i}">{name}</label>' in html
        assert f'id="layer-{i}" name="layer:{name}"' in html
    good = {"total": str(p.answers["total"])} | {f"layer:{n}": str(v) for n, v in per_layer.items()}
    html = client.post(URL + "?layers=1", data=good).text
    assert html.count('data-status="correct"') == 2
    first = next(iter(per_layer))
    bad = good | {f"layer:{first}": str(per_layer[first] + 1)}
    html = client.post(URL + "?layers=1", data=bad).text
    assert 'data-status="incorrect"' in html and 'id="next"' not in html
    html = client.post(URL + "?layers=1", data={"total": good["total"]}).text
    assert "Please fill in every layer" in html


def test_progress_page_and_reset(client, progress_file):
    p = core.build("color", "easy", 5)
    client.post(URL, data={"total": str(catalogue_values(p.network())["conv_no_cin"])})
    html = client.get("/progress").text
    assert "conv_no_cin" in html and 'href="/next?pick=basic,' in html
    r = client.post("/progress/reset")
    assert r.status_code == 303 and not progress_file.exists()
    assert "None diagnosed so far" in client.get("/progress").text


def test_security_headers(client):
    r = client.get(URL)
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
