"""``cnnquiz serve``: the Flask app through its test client (the store is a real SQLite file)."""

from __future__ import annotations

import re

import pytest

from cnnquiz import practice_core as core
from cnnquiz.store import open_store
from cnnquiz.web import MAX_CONTENT_LENGTH, create_app
from generator.problem import catalogue_values

from .webclient import ID, URL, answer, leaks, post, state, token


def test_pages(client):
    assert client.get("/").status_code == 200
    r = client.get("/next?topic=color&difficulty=medium")
    assert r.status_code == 303
    assert re.fullmatch(r"/p/color/medium/\d+\?pick=color&why=picked", r.headers["Location"])
    r = client.get(URL)
    assert r.status_code == 200
    assert 'name="viewport"' in r.text
    assert ID in r.text
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
    assert '<label for="total">' in html and 'id="total"' in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert not re.search(r'(href|action)="https?:', html)


def test_no_autofocus_before_answering_focus_on_verdict_after(client):
    html = client.get(URL).text
    assert "autofocus" not in html.split("<main>", 1)[1]  # no scroll jump past the statement
    html = answer(client, URL, {"total": "1"})
    assert re.search(r'<section id="verdict"[^>]*tabindex="-1" autofocus', html)


@pytest.mark.parametrize("topic,seed", [("basic", 1), ("color", 5), ("padding", 9), ("sharing", 3),
                                        ("batchnorm", 4), ("groups", 2), ("transpose", 8)])
@pytest.mark.parametrize("mode", ["total", "layers", "shape"])
def test_answer_never_in_page_before_answering(client, topic, seed, mode):
    p = core.build(topic, "easy", seed, mode)
    url = f"/p/{topic}/easy/{seed}?mode={mode}"
    key = p.answers[p.parts[0]]
    html = client.get(url).text
    if mode != "shape":
        assert leaks(html, key) == []
    else:
        assert "×".join(map(str, key)) not in html and "x".join(map(str, key)) not in html
    html = answer(client, url, {"total": "1"})  # a wrong answer
    assert "not yet" in html or "could not read" in html
    if mode != "shape":
        assert leaks(html, key) == []
    post(client, url.replace("?", "/hint?"), {}, page=url)
    html = client.get(url).text
    assert 'id="hint-1"' in html
    if mode != "shape":
        assert leaks(html, key) == []


@pytest.mark.parametrize("topic,seed", [("color", 5), ("sharing", 3), ("batchnorm", 4)])
def test_diagnosed_feedback_does_not_leak_the_answer(client, topic, seed):
    p = core.build(topic, "easy", seed)
    for mid, value in catalogue_values(p.network()).items():
        html = answer(client, f"/p/{topic}/easy/{seed}", {"total": str(value)})
        assert 'data-status="incorrect"' in html, mid
        assert leaks(html, p.answers["total"]) == [], mid


def test_wrong_answer_names_misconception_and_step(client, store_path):
    p = core.build("color", "easy", 5)
    values = catalogue_values(p.network())
    html = answer(client, URL, {"total": f"{values['conv_no_bias']:,}"})
    assert 'data-misconception="conv_no_bias"' in html and "Perhaps" not in html
    assert "Step: bias" in html
    assert "the next one is not a first try" in html
    assert state(store_path).misconceptions == {"conv_no_bias": 1}


def test_hedged_diagnosis_is_shown_but_never_recorded(client, store_path):
    """color_as_gray and conv_no_cin give the same number here: "perhaps", not a record."""
    p = core.build("color", "easy", 5)
    html = answer(client, URL, {"total": str(catalogue_values(p.network())["color_as_gray"])})
    assert 'data-misconception="color_as_gray"' in html and "Perhaps: " in html
    assert state(store_path).misconceptions == {}
    assert "None diagnosed so far" in client.get("/progress").text


def test_correct_answer_offers_next_and_similar_problem(client, store_path):
    p = core.build("color", "easy", 5)
    html = answer(client, URL, {"total": str(p.answers["total"])})
    assert 'data-status="correct"' in html
    assert re.search(r'<a class="button" id="next" href="/next\?[^"]*from=color"', html)
    assert re.search(r'id="similar" href="/next\?[^"]*topic=color', html)
    s = state(store_path)
    assert s.streak == 1 and s.topics["color"]["first_try"] == 1 and s.solved == 1


def test_student_text_is_escaped(client):
    attack = '"><script>alert(1)</script>'
    html = answer(client, URL, {"total": attack})
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    html = answer(client, URL + "?mode=layers", {"total": "1", "layer:conv1": attack})
    assert "<script>alert(1)" not in html


def test_request_size_limit(client, store_path):
    html = client.get(URL).text
    r = client.post(URL, data={"total": "9" * (MAX_CONTENT_LENGTH + 10), "csrf": token(html)})
    assert r.status_code == 413
    assert "too much to send" in r.text
    html = answer(client, URL, {"total": "9" * (core.MAX_ANSWER_CHARS + 1)})
    assert "too long" in html  # over the parser cap: refused, politely
    assert state(store_path).topics["color"]["answered"] == 0  # and not counted as an attempt


# -- Post/Redirect/Get, first tries, hints, solution ---------------------------------------
def test_every_post_redirects_and_a_resent_form_counts_once(client, store_path):
    html = client.get(URL).text
    form = {"csrf": token(html), "nonce": token(html, "nonce"), "total": "1"}
    first = client.post(URL, data=form)
    again = client.post(URL, data=form)  # Back, then the same form sent again
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == URL + "#verdict"
    assert client.get(URL).text.count('data-status="incorrect"') == 1  # reload: a plain GET
    assert open_store(store_path).counts()["counted"] == 1


def test_second_tab_and_reopened_url_are_not_first_tries(client, store_path):
    p = core.build("color", "easy", 5)
    tab1 = client.get(URL).text
    tab2 = client.get(URL).text  # opened before the first answer
    client.post(URL, data={"csrf": token(tab1), "nonce": token(tab1, "nonce"), "total": "1"})
    client.post(URL, data={"csrf": token(tab2), "nonce": token(tab2, "nonce"),
                           "total": str(p.answers["total"])})
    s = state(store_path)
    assert s.streak == 0 and s.topics["color"] == {"answered": 1, "solved": 1, "first_try": 0}
    fresh = create_app(store_path, seed=2).test_client()  # reopened later, new process
    html = fresh.get(URL).text
    assert "Solved (not at the first try)" in html


def test_hints_then_answer_is_not_a_first_try(client, store_path):
    p = core.build("color", "easy", 5)
    for _ in range(6):
        post(client, URL + "/hint")
    html = client.get(URL).text
    assert html.count('<li id="hint-') == 6
    answer(client, URL, {"total": str(p.answers["total"])})
    s = state(store_path)
    assert s.streak == 0 and s.topics["color"]["first_try"] == 0 and s.solved == 1


def test_hints_climb_concept_formula_numbers_and_start_at_the_diagnosed_step(client):
    p = core.build("basic", "easy", 42)
    url = "/p/basic/easy/42"
    wrong = str(catalogue_values(p.network())["dense_bias_per_input"])  # sure, at dense1
    answer(client, url, {"total": wrong})
    html = answer(client, url, {"total": wrong})
    for _ in range(3):
        post(client, url + "/hint")
    html = client.get(url).text
    levels = re.findall(r'<li id="hint-\d+" data-level="(\w+)">', html)
    assert levels[:3] in (["concept", "concept", "formula"], ["concept", "formula", "numbers"])
    first = re.search(r'<li id="hint-1"[^>]*><span class="level">\w+</span> ([^<]+)</li>', html)
    # the first rung is the sentence the feedback states the mistake with (grader.sentences)
    assert first and "(dense1; step: bias)" in first.group(1)


def test_next_hint_keeps_feedback_and_the_typed_answer(client):
    answer(client, URL, {"total": "1"})
    html = client.get(URL).text
    r = client.post(URL + "/hint", data={"csrf": token(html), "total": "12345"})
    assert r.status_code == 303 and r.headers["Location"] == URL + "#hint-1"
    html = client.get(URL).text
    assert 'data-status="incorrect"' in html and 'value="12345"' in html
    assert 'id="hint-1"' in html


def test_problem_rebuilt_after_restart(tmp_path):
    first = create_app(tmp_path / "a.db").test_client().get(URL).text
    again = create_app(tmp_path / "b.db").test_client()  # a new process, nothing carried over
    strip = lambda h: re.sub(r'value="[^"]+"', "", h)  # noqa: E731 - tokens differ
    assert strip(again.get(URL).text) == strip(first)
    p = core.build("color", "easy", 5)
    assert 'data-status="correct"' in answer(again, URL, {"total": str(p.answers["total"])})


def test_worked_solution(client, store_path):
    p = core.build("color", "easy", 5)
    r = post(client, URL + "/solution")
    assert r.status_code == 303 and r.headers["Location"] == URL + "#solution"
    html = client.get(URL).text
    assert f"{p.answers['total']:,}" in html and "Worked solution" in html
    assert 'id="similar-after"' in html
    assert state(store_path).streak == 0


def test_solution_after_solving_keeps_the_streak(client, store_path):
    p = core.build("color", "easy", 5)
    answer(client, URL, {"total": str(p.answers["total"])})
    post(client, URL + "/solution")
    assert state(store_path).streak == 1


def test_worked_example_before_the_first_problem_of_a_topic(client):
    assert 'id="example"' in client.get(URL).text
    assert 'id="example"' in client.get(URL).text  # a reload of the same first problem too
    answer(client, URL, {"total": "1"})
    assert 'id="example"' not in client.get(URL).text
    assert 'id="example"' not in client.get("/p/color/easy/6").text


def test_why_this_topic(client):
    p = core.build("color", "easy", 5)
    answer(client, URL, {"total": str(catalogue_values(p.network())["cmyk_as_rgb"]
                                      if "cmyk_as_rgb" in catalogue_values(p.network())
                                      else catalogue_values(p.network())["color_as_gray"])})
    r = client.get("/next?pick=color")
    html = client.get(r.headers["Location"]).text
    assert "You chose the topic color." in html
    html = client.get("/p/color/easy/9?why=mix").text
    assert "only mistakes diagnosed with confidence" in html


def test_per_layer_cells_each_marked(client):
    p = core.build("color", "easy", 5, "layers")
    per_layer = p.answers["per_layer"]
    url = URL + "?mode=layers"
    html = client.get(url).text
    for i, name in enumerate(per_layer):
        assert f'<label for="layer-{i}">{name}</label>' in html
        assert f'id="layer-{i}" name="layer:{name}"' in html
    good = {"total": str(p.answers["total"])} | {f"layer:{n}": str(v) for n, v in per_layer.items()}
    first = next(n for n, v in per_layer.items() if v)
    bad = good | {f"layer:{first}": str(per_layer[first] + 1)}
    html = answer(client, url, bad)
    assert 'data-status="incorrect"' in html and 'id="next"' not in html
    assert html.count('data-cell="wrong"') == 1 and html.count('data-cell="right"') == len(per_layer) - 1
    html = answer(client, url, {"total": good["total"]})
    assert "Please fill in every layer" in html
    html = answer(client, url, good)
    assert html.count('data-status="correct"') == 2


def test_shape_practice(client, store_path):
    p = core.build("basic", "easy", 42, "shape")
    url = "/p/basic/easy/42?mode=shape"
    assert "output shape" in client.get(url).text
    html = answer(client, url, {"total": "x".join(map(str, p.answers[p.parts[0]]))})
    assert 'data-status="correct"' in html
    assert state(store_path).solved == 1


def test_progress_page_mastery_and_reset_asks_first(client, store_path):
    p = core.build("color", "easy", 5)
    answer(client, URL, {"total": str(catalogue_values(p.network())["conv_no_bias"])})
    html = client.get("/progress").text
    assert "conv bias left out" in html and "conv_no_bias" not in html
    assert re.search(r'href="/next\?pick=[a-z,-]*no-bias', html) and "practising" in html
    r = client.get("/progress/reset")  # the button leads to a question, not a reset
    assert r.status_code == 200 and "Reset your progress?" in r.text
    assert state(store_path).topics
    r = post(client, "/progress/reset", {}, page="/progress/reset")  # token but no confirm
    assert r.status_code == 303 and state(store_path).topics
    r = post(client, "/progress/reset", {"confirm": "yes"}, page="/progress/reset")
    assert r.status_code == 303 and r.headers["Location"] == "/progress"
    assert state(store_path).topics == {}
    assert "None diagnosed so far" in client.get("/progress").text


def test_security_headers_and_secret_never_shown(client, store_path):
    r = client.get(URL)
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    secret = open_store(store_path).secret()
    for url in ("/", URL, "/progress", "/progress/reset"):
        assert secret not in client.get(url).text


def test_per_layer_advice_only_where_there_is_a_table(client):
    p = core.build("basic", "easy", 1)
    hedge = str(catalogue_values(p.network())["kernel_dims_incomplete"])  # rivals differ later
    html = answer(client, "/p/basic/easy/1", {"total": hedge})
    assert "Answer per layer" not in html
    assert 'href="/p/basic/easy/1?mode=layers">answer this problem layer by layer' in html
    html = answer(client, "/p/basic/easy/1?mode=layers", {"total": hedge})
    assert "answer this problem layer by layer" not in html  # the table is on the page


def test_shared_layers_marked_in_the_diagram(client):
    p = core.build("sharing", "easy", 3)
    shared = [(n.name, n.shares) for n in p.network().nodes if n.shares]
    assert shared
    html = client.get("/p/sharing/easy/3").text
    for name, owner in shared:
        assert f"{name}: Conv2D, shares {owner}</text>" in html or f"shares {owner}</text>" in html
