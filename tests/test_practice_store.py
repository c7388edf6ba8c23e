"""Issue 10.11, the practice store's promises: forged forms, cross-site posts, two writers on one
store, and hostile old progress files never stopping ``serve`` or ``practice``.

(The terminal's side of the same cases is in test_practice.py: two processes on one store,
hostile files at ``practice`` start-up.)
"""

from __future__ import annotations

import json

import pytest

from cnnquiz import practice_core as core
from cnnquiz.web import create_app

from .webclient import URL, answer, post, state, token


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
