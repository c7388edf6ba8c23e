"""The Gradescope autograder run the way Gradescope runs it.

Gradescope's documented layout: the zip is unpacked into ``/autograder/source``,
``source/run_autograder`` is copied to ``/autograder/run_autograder`` and run from there,
the student's files are in ``/autograder/submission``, ``/autograder/submission_metadata.json``
says who submitted, and the result is ``/autograder/results/results.json``. Each test builds
that tree in a fresh temporary root (``setup.sh``'s virtual environment stands as
``<root>/venv/bin/python``, a launcher of this interpreter) and runs the copied script; one
test also binds the root to the literal ``/autograder`` in a private mount namespace.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.export import content as c
from generator.export.gradescope import gradescope_zip
from generator.problem import generate

ADA, BOB = "ada@uni.edu", "s2"


def metadata(email: str, sid: str | None = None) -> dict:
    """submission_metadata.json as Gradescope documents it (the fields the runner reads)."""
    user = {"email": email, "id": 4242, "name": "A Student"}
    if sid is not None:
        user["sid"] = sid
    return {"id": 123456, "created_at": "2026-12-01T10:00:00.000000-08:00",
            "assignment": {"id": 777, "title": "CNN sizing", "total_points": "2.0"},
            "submission_method": "upload", "users": [user], "previous_submissions": []}


@pytest.fixture(scope="module")
def problems() -> list:
    return [generate(topic="basic", difficulty="easy", seed=42),
            generate(topic="color", difficulty="easy", seed=7)]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, problems: list) -> Path:
    """The zip of a roster export, unpacked as unzip does (file modes kept)."""
    data = gradescope_zip(problems, {ADA.upper(): [problems[0].id], BOB: [problems[1].id]})
    return _unzip(data, tmp_path_factory.mktemp("zip") / "source")


def _unzip(data: bytes, dest: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            path = Path(z.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)
    return dest


def autograder_root(base: Path, source: Path, files: dict[str, str | bytes],
                    meta: dict | None) -> Path:
    root = base / "autograder"
    shutil.copytree(source, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, data in files.items():
        target = root / "submission" / name
        target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    if meta is not None:
        (root / "submission_metadata.json").write_text(json.dumps(meta))
    venv = root / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "python").chmod(0o755)
    return root


def run(root: Path, command: list[str] | None = None) -> dict:
    elsewhere = root.parent / "cwd"
    elsewhere.mkdir(exist_ok=True)
    out = subprocess.run(command or [str(root / "run_autograder")], cwd=elsewhere,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "", "nothing (no answer key) on stdout"
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _grade(tmp_path: Path, source: Path, files: dict, meta: dict | None) -> dict:
    return run(autograder_root(tmp_path, source, files, meta))


def test_correct_answer_from_the_real_layout(tmp_path: Path, source: Path, problems: list) -> None:
    p = problems[0]
    res = _grade(tmp_path, source, {"answers.json": json.dumps({p.id: str(p.answers["total"])})},
                 metadata(ADA))
    assert [(t["name"], t["status"], t["score"]) for t in res["tests"]] == [
        (f"{p.id} total", "passed", 1.0)]
    assert res["score"] == 1.0 and res["output_format"] == "text"


def test_wrong_answer_is_diagnosed_and_hides_the_key(tmp_path: Path, source: Path,
                                                     problems: list) -> None:
    q = problems[1]
    slip = c.distractors(q)[0]
    res = _grade(tmp_path, source, {"answers.txt": f"{q.id} = {slip.value}\n"},
                 metadata("bob@uni.edu", sid=BOB))
    (t,) = res["tests"]
    assert t["name"] == f"{q.id} total" and t["status"] == "failed" and t["score"] == 0
    key = q.answers["total"]
    assert str(key) not in json.dumps(res) and f"{key:,}" not in json.dumps(res)
    assert res["score"] == 0


@pytest.mark.parametrize("files", [
    {"answers.json": "{not json"},
    {"answers.json": "[1, 2]"},
    {"answers.json": b"\xff\xfe{}"},
    {"answers.json": "[" * 100_000},
    {},
], ids=["bad-json", "json-list", "not-utf8", "deep", "nothing"])
def test_malformed_submission_gets_a_message_and_no_credit(tmp_path: Path, source: Path,
                                                           problems: list, files: dict) -> None:
    res = _grade(tmp_path, source, files, metadata(ADA))
    p = problems[0]
    assert [(t["name"], t["score"]) for t in res["tests"]] == [(f"{p.id} total", 0)]
    assert res["score"] == 0 and "answers.json" in res["output"]
    assert "could not grade" not in res["output"]


def test_unknown_student_is_graded_on_nothing(tmp_path: Path, source: Path, problems: list) -> None:
    """Another student's variant ids in the answers: never graded for a stranger."""
    p = problems[0]
    res = _grade(tmp_path, source, {"answers.json": json.dumps({p.id: str(p.answers["total"])})},
                 metadata("mallory@evil.example", sid="s999"))
    assert res["tests"] == [] and res["score"] == 0
    assert "Nothing was graded" in res["output"] and "mallory@evil.example" in res["output"]


def test_gradescope_internal_id_and_name_never_match(tmp_path: Path, source: Path,
                                                     problems: list) -> None:
    meta = metadata("x@y.z")
    meta["users"][0].update(id=BOB, name=ADA)
    res = _grade(tmp_path, source, {"answers.txt": "1\n"}, meta)
    assert res["tests"] == [] and "Nothing was graded" in res["output"]


def test_big_number_fails_only_that_answer(tmp_path: Path, problems: list) -> None:
    """#10.12: one 5,000-digit number in answers.json costs that answer, not the submission."""
    data = gradescope_zip(problems)
    src = _unzip(data, tmp_path / "zip" / "source")
    p, q = problems
    answers = f'{{"{p.id}": {"9" * 5000}, "{q.id}": "{q.answers["total"]}"}}'
    res = _grade(tmp_path, src, {"answers.json": answers}, metadata(ADA))
    by = {t["name"]: t for t in res["tests"]}
    assert by[f"{q.id} total"]["status"] == "passed"
    big = by[f"{p.id} total"]
    assert big["status"] == "failed" and "5,000 characters" in big["output"]
    assert res["score"] == 1.0


def test_internal_error_still_writes_results(tmp_path: Path, problems: list) -> None:
    src = _unzip(gradescope_zip(problems[:1]), tmp_path / "zip" / "source")
    (src / "grader" / "__init__.py").write_text("raise RuntimeError('boom 1238')\n")
    res = _grade(tmp_path, src, {"answers.txt": f"{problems[0].id} = 5\n"}, metadata(ADA))
    assert res["score"] == 0 and res["tests"] == [] and "1238" not in json.dumps(res)


def _namespace_ok() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _namespace_ok(), reason="needs root and unshare -m (private mounts)")
def test_at_the_literal_autograder_path(tmp_path: Path, source: Path, problems: list) -> None:
    """The same tree bound to /autograder in a private mount namespace, run as Gradescope
    does: /autograder/run_autograder."""
    Path("/autograder").mkdir(exist_ok=True)  # the mount point; the mount is private
    p = problems[0]
    root = autograder_root(tmp_path, source, {
        "answers.json": json.dumps({p.id: str(p.answers["total"])})}, metadata(ADA))
    script = f"mount --bind {root} /autograder && exec /autograder/run_autograder"
    res = run(root, ["unshare", "-m", "--propagation", "private", "sh", "-c", script])
    assert [(t["name"], t["status"]) for t in res["tests"]] == [(f"{p.id} total", "passed")]
