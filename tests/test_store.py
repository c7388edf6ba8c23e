"""The practice store, on SQLite and on a real PostgreSQL server (started here, see pgserver.py).

What it promises: an answer is recorded once per nonce; "first try" is per problem id (no
earlier answer, hint or solution); hints are counted; progress counts distinct problems;
only confident mistakes are kept; students never see each other's record; concurrent
writers lose nothing.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from cnnquiz import progress as prog
from cnnquiz.store import Store, open_store

from .pgserver import postgres_server

_dbs = itertools.count()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def fresh_pg(url: str) -> str:
    import psycopg

    name = f"t{next(_dbs)}"
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return fresh_pg(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(where) -> Iterator[Store]:
    with open_store(where) as s:
        yield s


P = "basic-easy-000001"


def test_kind(store, where):
    assert store.kind == ("postgresql" if where.startswith("postgresql") else "sqlite")


def test_an_answer_is_recorded_once_per_nonce(store):
    assert store.record_answer("ann", P, "basic", "nonce-1", "incorrect", ["conv_no_bias"])
    assert not store.record_answer("ann", P, "basic", "nonce-1", "incorrect", ["conv_no_bias"])
    assert store.counts() == {"answers": 1, "counted": 1, "students": 1}
    assert store.progress("ann").misconceptions == {"conv_no_bias": 1}


def test_first_try_is_per_problem(store):
    store.record_answer("ann", P, "basic", "a", "correct", [])
    store.record_answer("ann", P, "basic", "b", "correct", [])  # again: not another solve
    p = store.progress("ann")
    assert (p.solved, p.streak, p.topics["basic"]["first_try"]) == (1, 1, 1)
    store.take_hint("ann", "basic-easy-000002", "basic", 5)
    store.record_answer("ann", "basic-easy-000002", "basic", "c", "correct", [])
    store.show_solution("ann", "basic-easy-000003", "basic")
    store.record_answer("ann", "basic-easy-000003", "basic", "d", "correct", [])
    p = store.progress("ann")
    assert (p.solved, p.streak, p.best_streak, p.topics["basic"]["first_try"]) == (3, 0, 1, 1)


def test_unreadable_is_kept_but_is_no_attempt(store):
    store.record_answer("ann", P, "basic", "u", "unreadable", [], {"status": "unreadable"})
    assert store.problem_state("ann", P)["attempts"] == 0
    assert store.answer("ann", "u")["payload"] == {"status": "unreadable"}
    store.record_answer("ann", P, "basic", "v", "correct", [])
    assert store.progress("ann").topics["basic"]["first_try"] == 1


def test_hints_are_capped_and_keep_the_draft(store):
    assert [store.take_hint("ann", P, "basic", 2, "total\t12") for _ in range(3)] == [1, 2, 2]
    assert store.problem_state("ann", P)["draft"] == "total\t12"


def test_students_are_apart_and_reset_is_per_student(store):
    store.record_answer("ann", P, "basic", "a", "incorrect", ["conv_no_bias"])
    store.record_answer("bob", P, "basic", "a", "correct", [])  # the same nonce: another student
    assert store.answer("bob", "a")["status"] == "correct"
    store.reset("ann")
    assert store.progress("ann").topics == {} and store.progress("bob").solved == 1
    assert store.class_mistakes() == []


def test_class_mistakes_most_frequent_first(store):
    for i, who in enumerate(["a", "b", "c"]):
        store.record_answer(who, P, "basic", f"n{i}", "incorrect", ["conv_no_bias"])
    store.record_answer("a", P, "basic", "x", "incorrect", ["dense_no_bias"])
    store.record_answer("a", "color-easy-000001", "color", "y", "incorrect", ["cmyk_as_rgb"])
    assert store.class_mistakes() == [("basic", "conv_no_bias", 3, 3),
                                      ("basic", "dense_no_bias", 1, 1),
                                      ("color", "cmyk_as_rgb", 1, 1)]


def test_secret_is_made_once(where):
    with open_store(where) as a, open_store(where) as b:
        assert a.secret() == b.secret() != ""


def test_legacy_import_once(store):
    old = prog.legacy_from_dict({"streak": 3, "best_streak": 5, "misconceptions": {"x": 2},
                                 "topics": {"basic": {"answered": 4, "solved": 3}}})
    assert store.import_legacy("local", old, "/home/a/progress.json")
    assert not store.import_legacy("local", old, "/home/a/progress.json")
    p = store.progress("local")
    assert (p.streak, p.best_streak, p.solved, p.imported) == (3, 5, 3, {"x": 2})


def test_concurrent_writers_lose_nothing(where):
    def student(i: int) -> None:
        with open_store(where) as s:  # one store per thread, like separate processes
            for j in range(40):
                s.record_answer(f"s{i}", f"basic-easy-{j:06d}", "basic", f"n{j}",
                                "correct" if j % 2 else "incorrect", ["conv_no_bias"])
                s.record_answer(f"s{i}", f"basic-easy-{j:06d}", "basic", f"n{j}", "correct", [])

    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            student(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with open_store(where) as s:
        assert s.counts() == {"answers": 240, "counted": 240, "students": 6}
        assert [s.progress(f"s{i}").solved for i in range(6)] == [20] * 6
        assert s.class_mistakes() == [("basic", "conv_no_bias", 120, 6)]
