"""`cnnquiz generate` under hostile inputs and faults (issue 10.12): the course secret never
appears in an error, a full disk or read-only output is a clear exit 2 and keeps what was there."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnnquiz.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}")
    return result.exit_code, result.output


@pytest.mark.parametrize("header", ["", "student_id\n"])
def test_roster_equal_to_secret_file_never_shows_the_secret(tmp_path: Path, header: str) -> None:
    secret = secrets.token_hex(24)
    path = tmp_path / "secret.txt"
    path.write_text(header + secret + "\n", encoding="utf-8")
    code, out = run("generate", "--roster", str(path), "--secret-file", str(path),
                    "--out", str(tmp_path / "out"))
    assert code == 2 and "same file" in out
    assert secret not in out and secret[:8] not in out
    assert not (tmp_path / "out").exists()


def test_a_roster_that_holds_the_secret_is_refused_without_it(tmp_path: Path) -> None:
    secret = secrets.token_hex(24)
    (tmp_path / "secret.txt").write_text(secret + "\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(f"{secret}\ns1\n", encoding="utf-8")  # no id column
    code, out = run("generate", "--roster", str(tmp_path / "roster.csv"), "--secret-file",
                    str(tmp_path / "secret.txt"), "--out", str(tmp_path / "out"))
    assert code == 2 and "contains the course secret" in out
    assert secret not in out and secret[:8] not in out


@pytest.mark.parametrize(("number", "message"), [(errno.ENOSPC, "No space left on device"),
                                                 (errno.EROFS, "Read-only file system")])
def test_a_failed_write_is_exit_2_and_keeps_the_previous_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, message: str) -> None:
    out = tmp_path / "set"
    assert run("generate", "--count", "2", "--format", "md", "--out", str(out))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def fail(src: object, dst: object) -> None:
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(os, "replace", fail)
    code, text = run("generate", "--count", "2", "--seed", "9", "--format", "md",
                     "--out", str(out))
    assert code == 2 and message in text and "cannot write" in text
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # nothing replaced, no temporary file left


def test_markdown_handouts_hold_no_raw_html_from_the_title_or_ids(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(secrets.token_hex(24), encoding="utf-8")
    (tmp_path / "roster.csv").write_text('student_id\n"<img src=x onerror=alert(1)>"\n',
                                         encoding="utf-8")
    out = tmp_path / "set"
    code, text = run("generate", "--count", "1", "--format", "md", "--out", str(out),
                     "--roster", str(tmp_path / "roster.csv"), "--secret-file",
                     str(tmp_path / "secret.txt"), "--title", "Quiz <script>alert(1)</script>")
    assert code == 0, text
    docs = list((out / "handouts").glob("*.md")) + list((out / "solutions").glob("*.md"))
    assert len(docs) == 2
    for doc in docs:
        md = doc.read_text(encoding="utf-8")
        assert "<script" not in md and "<img" not in md
        assert "Quiz &lt;script&gt;alert(1)&lt;/script&gt;" in md
        assert "&lt;img src=x onerror=alert(1)&gt;" in md
