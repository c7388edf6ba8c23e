"""``cnnquiz practice`` in a real terminal: tmux (Debian package; ``make tmux``) at 60 and 100 columns.

The program runs on a pseudo-terminal (colour on, width from the terminal), answers are
typed with ``send-keys`` and the screen is read with ``capture-pane``. Nothing here skips.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from cnnquiz import practice_core as core
from generator.misconceptions import MISCONCEPTIONS

TMUX = shutil.which("tmux")


def tmux(sock: str, *args: str) -> str:
    assert TMUX, "tmux is missing: run `make tmux` (Debian package tmux)"
    return subprocess.run([TMUX, "-L", sock, *args], capture_output=True, text=True,
                          check=True, timeout=30).stdout


def screen(sock: str) -> str:
    return tmux(sock, "capture-pane", "-p", "-S", "-2000", "-t", "t")


def wait_for(sock: str, text: str, timeout: float = 60.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = screen(sock)
        if text in out:
            return out
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared:\n{screen(sock)}")


@pytest.mark.parametrize("width", [60, 100])
def test_practice_under_tmux(tmp_path, width):
    sock = f"cnnquiz-{uuid.uuid4().hex[:8]}"
    cmd = shlex.join([sys.executable, "-m", "cnnquiz", "practice", "--seed", "7", "--topics",
                      "basic", "--progress", str(tmp_path / "p.db")])
    tmux(sock, "new-session", "-d", "-s", "t", "-x", str(width), "-y", "60",
         f"env -u COLUMNS -u LINES TERM=xterm-256color {cmd}; sleep 30")
    try:
        tmux(sock, "set-option", "-t", "t", "history-limit", "5000")
        wait_for(sock, "answer>")
        tmux(sock, "send-keys", "-t", "t", "1", "Enter")
        wait_for(sock, "Try again")
        tmux(sock, "send-keys", "-t", "t", "h", "Enter")
        wait_for(sock, "Hint 1/")
        tmux(sock, "send-keys", "-t", "t", "q", "Enter")
        out = wait_for(sock, "Bye!")
    finally:
        subprocess.run([TMUX, "-L", sock, "kill-server"], capture_output=True, timeout=30)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "Not yet." in out and "Progress saved to" in out
    # no word broken across lines: a line ending in letters never continues one on the next
    words = set(re.findall(r"[A-Za-z]{3,}", out.replace("\n", " ")))
    for a, b in zip(lines, lines[1:], strict=False):
        end, start = re.search(r"[A-Za-z]+$", a), re.match(r"[A-Za-z]+", b)
        if end and start and len(a) >= width - 1:
            assert end.group(0) + start.group(0) not in words, (a, b)
    # student-facing names, never catalogue ids or topic-internal ids
    assert not any(mid in out for mid in MISCONCEPTIONS), out
    assert core.why("picked", "basic") in out.replace("\n", " ")
