"""``cnnquiz serve``: the Flask app through its test client (the store is a real SQLite file)."""

from __future__ import annotations

import json
import re

import pytest

from cnnquiz import practice_core as core
from cnnquiz.store import open_store
from cnnquiz.web import MAX_CONTENT_LENGTH, create_app
from generator.problem import catalogue_values

URL = "/p/color/easy/5"
ID = "color-easy-000005"


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "progress.db"


@pytest.fixture
def client(store_path):
    return create_app(store_path, seed=1).test_client()


def token(html: str, name: str = "csrf") -> str:
    m = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert m, f"no {name} in the page"
    return m.group(1)


def post(client, url: str, data: dict | None = None, *, page: str | None = None, **kw):
    """POST like the browser does: the form's CSRF token and nonce from the page first."""
    html = client.get(page or url.split("/solution")[0].split("/hint")[0]).text
    form = {"csrf": token(html)} | ({"nonce": token(html, "nonce")} if "nonce" in html else {})
    form |= data or {}
    return client.post(url, data=form, **kw)


def answer(client, url: str, data: dict):
    """Answer and follow the redirect: the page the student sees."""
    r = post(client, url, data)
    assert r.status_code == 303, r.text
    return client.get(r.headers["Location"].split("#")[0]).text


def state(store_path, student: str = "local"):
    return open_store(store_path).progress(student)


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


# -- issue 10.11: forged and cross-site posts ----------------------------------------------
@pytest.mark.parametrize("origin", ["http://evil.example", "null", None], ids=["evil", "null", "none"])
@pytest.mark.parametrize("path", [URL, URL + "/solution", URL + "/hint", "/progress/reset"])
def test_posts_without_the_token_or_from_elsewhere_are_refused(client, store_path, origin, path):
    p = core.build("color", "easy", 5)
    answer(client, URL, {"total": str(p.answers["total"])})
    headers = {"Origin": origin} if origin else {}
    r = client.post(path, data={"total": "1", "confirm": "yes"}, headers=headers)
    assert r.status_code == 403
    if origin is not None:  # even with the right token
        html = client.get(URL).text
        r = client.post(path, data={"total": "1", "confirm": "yes", "csrf": token(html)},
                        headers=headers)
        assert r.status_code == 403
    assert state(store_path).solved == 1  # nothing was reset or recorded


def test_form_fields_are_not_trusted(client, store_path):
    """``attempt=0`` and ``solved=1`` do not make a first try or keep a streak (issue 10.11)."""
    p = core.build("color", "easy", 5)
    answer(client, URL, {"total": "1", "attempt": "0"})
    answer(client, URL, {"total": str(p.answers["total"]), "attempt": "0", "solved": "1"})
    s = state(store_path)
    assert s.streak == 0 and s.topics["color"] == {"answered": 1, "solved": 1, "first_try": 0}
    other = core.build("color", "easy", 6)
    post(client, "/p/color/easy/6/solution", {"solved": "1"})
    answer(client, "/p/color/easy/6", {"total": str(other.answers["total"]), "attempt": "0"})
    s = state(store_path)
    assert s.streak == 0 and s.topics["color"]["first_try"] == 0


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
    assert first and first.group(1).startswith("dense1")


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


# -- issue 10.11: the old JSON progress files ----------------------------------------------
@pytest.mark.parametrize("content", ['{"streak": null}', '{"streak": 1e400}',
                                     '{"misconceptions": [1]}', '{"topics": {"color": 5}}',
                                     '{"best_streak": true, "topics": []}', "[1, 2]", "{not json",
                                     '{"streak": ' + "9" * 5000 + "}", "\udcff" * 3])
def test_hostile_progress_files_never_stop_serve(tmp_path, content):
    legacy = tmp_path / "progress.json"
    legacy.write_text(content, encoding="utf-8", errors="surrogateescape")
    client = create_app(legacy, seed=1).test_client()
    assert client.get("/progress").status_code == 200
    assert client.get(URL).status_code == 200


def test_json_progress_imported_once(tmp_path):
    legacy = tmp_path / "progress.json"
    legacy.write_text(json.dumps({"streak": 2, "best_streak": 4, "misconceptions": {
        "color_as_gray": 3}, "topics": {"color": {"answered": 5, "solved": 4, "first_try": 3}}}))
    for _ in range(2):  # the second start does not import again
        client = create_app(legacy, seed=1).test_client()
    s = state(tmp_path / "progress.db")
    assert (s.streak, s.best_streak, s.solved) == (2, 4, 4)
    assert s.misconceptions == {} and s.imported == {"color_as_gray": 3}  # shown, not steering
    assert "From your earlier progress file" in client.get("/progress").text
    assert legacy.exists()  # never overwritten or removed


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
