"""Class mode (``cnnquiz serve --class``): sign-in, per-student progress, instructor report, CSV.

Through the Flask test client on SQLite, and once on a real PostgreSQL server.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap

import pytest

from cnnquiz import practice_core as core
from cnnquiz.classmode import ClassConfig, hash_password, load_class
from cnnquiz.store import open_store
from cnnquiz.web import create_app
from generator.errors import ConfigError
from generator.problem import catalogue_values

from .pgserver import postgres_server

URL = "/p/color/easy/5"
PASSWORD_HASH = hash_password("teach-me")


def klass(**kw) -> ClassConfig:
    return ClassConfig(**{"code": "owl-7", "password_hash": PASSWORD_HASH,
                          "roster": frozenset({"s001", "s002", "s003"}), "name": "CNN 101"} | kw)


def csrf(client, url: str = "/signin") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)


def sign_in(client, student: str, code: str = "owl-7"):
    return client.post("/signin", data={"csrf": csrf(client), "student": student, "code": code})


def answer(client, url: str, total: str):
    html = client.get(url).text
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    return client.post(url, data={"csrf": token, "nonce": nonce, "total": total})


@pytest.fixture
def app(tmp_path):
    return create_app(tmp_path / "class.db", seed=1, klass=klass())


def test_everything_needs_a_sign_in(app):
    c = app.test_client()
    for url in ("/", URL, "/progress", "/next", "/instructor"):
        r = c.get(url)
        assert r.status_code == 303 and r.headers["Location"] in ("/signin", "/instructor/signin")
    assert c.get("/instructor/mistakes.csv").status_code in (303, 403)


@pytest.mark.parametrize("student,code", [("s001", "owl-8"), ("s999", "owl-7"), ("", "owl-7"),
                                          ("s 001", "owl-7"), ("s001\n", "")])
def test_wrong_id_or_code_is_refused(app, student, code):
    c = app.test_client()
    r = sign_in(c, student, code)
    assert r.status_code == 401 and "do not match" in r.text
    assert c.get("/").status_code == 303


def test_progress_is_per_student(app, tmp_path):
    p = core.build("color", "easy", 5)
    ann, bob = app.test_client(), app.test_client()
    assert sign_in(ann, "s001").status_code == 303
    assert sign_in(bob, "s002").status_code == 303
    answer(ann, URL, str(catalogue_values(p.network())["conv_no_bias"]))
    answer(bob, URL, str(p.answers["total"]))
    assert "Signed in as s001" in ann.get("/").text
    store = open_store(tmp_path / "class.db")
    assert store.progress("s001").solved == 0 and store.progress("s002").solved == 1
    assert store.progress("s002").streak == 1  # bob's first try is his own
    assert "Solved at the first try" in bob.get(URL).text
    assert "Answers so far: 1" in ann.get(URL).text


def test_open_sign_up(tmp_path):
    c = create_app(tmp_path / "o.db", klass=klass(roster=frozenset(), open=True)).test_client()
    assert sign_in(c, "anyone-42").status_code == 303
    assert sign_in(c, "bad id!").status_code == 401


def test_sign_in_is_rate_limited(app):
    c = app.test_client()
    codes = [sign_in(c, "s001", f"guess-{i}").status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert sign_in(c, "s001").status_code == 429  # even the right code, for a while


def test_sign_in_needs_the_csrf_token(app):
    c = app.test_client()
    c.get("/signin")
    assert c.post("/signin", data={"student": "s001", "code": "owl-7"}).status_code == 403
    r = c.post("/signin", data={"csrf": csrf(c), "student": "s001", "code": "owl-7"},
               headers={"Origin": "null"})
    assert r.status_code == 403


def test_instructor_report_and_csv(app):
    p = core.build("color", "easy", 5)
    wrong = str(catalogue_values(p.network())["conv_no_bias"])
    hedge = str(catalogue_values(p.network())["color_as_gray"])
    for who in ("s001", "s002", "s003"):
        s = app.test_client()
        sign_in(s, who)
        answer(s, URL, wrong)
        answer(s, URL, hedge)  # hedged: never in the class report
    t = app.test_client()
    r = t.post("/instructor/signin", data={"csrf": csrf(t, "/instructor/signin"),
                                           "password": "wrong"})
    assert r.status_code == 401
    r = t.post("/instructor/signin", data={"csrf": csrf(t, "/instructor/signin"),
                                           "password": "teach-me"})
    assert r.status_code == 303 and r.headers["Location"] == "/instructor"
    html = t.get("/instructor").text
    assert 'data-misconception="conv_no_bias"' in html and "conv bias left out" in html
    assert "color_as_gray" not in html and "3 student(s)" in html
    r = t.get("/instructor/mistakes.csv")
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows == [["topic", "misconception_id", "misconception", "step", "times", "students"],
                    ["color", "conv_no_bias", "conv bias left out", "bias", "3", "3"]]
    assert t.get(URL).status_code == 303  # the instructor is not a student


def test_a_student_cannot_see_the_report(app):
    s = app.test_client()
    sign_in(s, "s001")
    assert s.get("/instructor").status_code == 403
    assert s.get("/instructor/mistakes.csv").status_code == 403


def test_secret_in_no_page_or_cookie(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNQUIZ_SECRET", "s3cr3t-value-for-sessions-0123456789")
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(f"""\
        code: owl-7
        roster: [s001]
        instructor_password_hash: "{PASSWORD_HASH}"
        secret_env: CNNQUIZ_SECRET
        """))
    conf = load_class(path)
    assert "s3cr3t" not in repr(conf)
    c = create_app(tmp_path / "c.db", klass=conf).test_client()
    r = sign_in(c, "s001")
    pages = [r.text] + [c.get(u).text for u in ("/", URL, "/progress")]
    cookies = " ".join(f"{k.key}={k.value}" for k in c._cookies.values())
    assert all("s3cr3t" not in t for t in [*pages, cookies])
    assert PASSWORD_HASH not in " ".join(pages)


@pytest.mark.parametrize("text,message", [
    ("code: x\nroster: [a]\n", "instructor_password_hash"),
    (f'roster: [a]\ninstructor_password_hash: "{PASSWORD_HASH}"\n', "class code"),
    (f'code: x\ninstructor_password_hash: "{PASSWORD_HASH}"\n', "roster"),
    (f'code: x\nroster: ["a b"]\ninstructor_password_hash: "{PASSWORD_HASH}"\n', "not a student id"),
    ("a: &x [1]\nb: *x\n", "alias"),
    ("- 1\n", "mapping"),
    (f'code: x\nopen: true\nsecret_env: NOPE_NOT_SET\ninstructor_password_hash: "{PASSWORD_HASH}"\n',
     "NOPE_NOT_SET"),
])
def test_bad_class_files_are_clear_errors(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_class(path)


def test_class_on_postgresql():
    with postgres_server() as url:
        app = create_app(url, seed=1, klass=klass())
        s = app.test_client()
        sign_in(s, "s001")
        p = core.build("color", "easy", 5)
        r = answer(s, URL, str(p.answers["total"]))
        assert r.status_code == 303
        assert 'data-status="correct"' in s.get(URL).text
        store = app.extensions["cnnquiz"].store
        assert store.kind == "postgresql" and store.progress("s001").solved == 1
        store.close()


def test_hash_password_command():
    from click.testing import CliRunner

    from cnnquiz.cli import main

    r = CliRunner().invoke(main, ["serve", "--hash-password"], input="pw\npw\n")
    assert r.exit_code == 0
    hashed = r.output.strip().splitlines()[-1]
    assert ClassConfig(code="x", password_hash=hashed, open=True).check_instructor("pw")


def test_serve_refuses_a_bad_class_file(tmp_path):
    from click.testing import CliRunner

    from cnnquiz.cli import main

    bad = tmp_path / "c.yaml"
    bad.write_text("code: x\n")
    r = CliRunner().invoke(main, ["serve", "--class", str(bad), "--progress", str(tmp_path / "a.db")])
    assert r.exit_code == 2 and "instructor_password_hash" in r.output and "Traceback" not in r.output


def test_serve_command_runs_waitress_in_class_mode(tmp_path):
    import http.client
    import subprocess
    import sys

    conf = tmp_path / "c.yaml"
    conf.write_text(f'code: owl-7\nopen: true\ninstructor_password_hash: "{PASSWORD_HASH}"\n')
    proc = subprocess.Popen([sys.executable, "-m", "cnnquiz", "serve", "--port", "0", "--class",
                             str(conf), "--progress", str(tmp_path / "s.db")],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))
        assert "class" in line
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 303 and r.getheader("Location").endswith("/signin")
        assert r.getheader("Server") == "cnnquiz"  # waitress, not the development server
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
