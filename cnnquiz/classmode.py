"""Class mode: the class file, password hashes and sign-in rate limits.

A class file (YAML, read with ``yaml.safe_load``; size-capped, aliases refused)::

    name: CNN 101
    code: owl-7-river            # the class code students type with their id
    roster: [s001, s002]         # or  roster_file: roster.txt  (one id a line),  or  open: true
    instructor_password_hash: "scrypt:32768:8:1$..."   # cnnquiz serve --hash-password
    store: postgresql://localhost/cnn101               # optional; else --progress
    secret_env: CNNQUIZ_SECRET   # optional: sign sessions with this env var's value

>>> c = ClassConfig.from_dict({"code": "abc", "open": True,
...                            "instructor_password_hash": hash_password("pw")})
>>> c.admits("s-1", "abc"), c.admits("s-1", "abd"), c.check_instructor("pw")
(True, False, True)
"""

from __future__ import annotations

import hmac
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from werkzeug.security import check_password_hash, generate_password_hash

from generator.errors import ConfigError

__all__ = ["ClassConfig", "RateLimit", "STUDENT_ID", "hash_password", "load_class"]

#: a student id: letters, digits and . _ @ - (at most 64 characters)
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MAX_CLASS_FILE = 1_000_000


def hash_password(password: str) -> str:
    """The hash to put in the class file (werkzeug's scrypt)."""
    return generate_password_hash(password, method="scrypt")


@dataclass(frozen=True)
class ClassConfig:
    """A class: code, who may sign in, the instructor's password hash, store, secret."""

    code: str
    password_hash: str
    roster: frozenset[str] = frozenset()
    open: bool = False
    name: str = "cnnquiz class"
    store: str | None = None
    secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_dict(cls, d: Any, base: Path | None = None) -> ClassConfig:
        if not isinstance(d, dict):
            raise ConfigError("the class file must be a mapping (code:, roster: or open:, ...).")
        code = d.get("code")
        if not isinstance(code, str | int) or not str(code).strip():
            raise ConfigError("the class file needs a class code (code: ...).")
        pw = d.get("instructor_password_hash")
        if not isinstance(pw, str) or not pw.startswith(("scrypt:", "pbkdf2:")):
            raise ConfigError("instructor_password_hash: make one with "
                              "`cnnquiz serve --hash-password`.")
        roster = d.get("roster") or []
        if d.get("roster_file"):
            path = Path(str(d["roster_file"]))
            path = path if path.is_absolute() or base is None else base / path
            try:
                roster = path.read_text(encoding="utf-8").split()
            except (OSError, UnicodeDecodeError) as e:
                raise ConfigError(f"roster_file {path}: cannot read it ({e}).") from None
        if not isinstance(roster, list) or not all(isinstance(s, str | int) for s in roster):
            raise ConfigError("roster: a list of student ids.")
        bad = [str(s) for s in roster if not STUDENT_ID.fullmatch(str(s))]
        if bad:
            raise ConfigError(f"roster: {bad[0]!r} is not a student id (letters, digits, ._@-).")
        is_open = d.get("open") is True
        if not roster and not is_open:
            raise ConfigError("the class file needs a roster (roster: or roster_file:) or open: true.")
        secret = os.environ.get(str(d["secret_env"])) if d.get("secret_env") else None
        if d.get("secret_env") and not secret:
            raise ConfigError(f"secret_env: the environment variable {d['secret_env']} is not set.")
        store = d.get("store")
        return cls(code=str(code).strip(), password_hash=pw, roster=frozenset(map(str, roster)),
                   open=is_open, name=str(d.get("name") or "cnnquiz class")[:200],
                   store=str(store) if store else None, secret=secret)

    def admits(self, student: str, code: str) -> bool:
        """Whether this id may sign in with this class code."""
        if not STUDENT_ID.fullmatch(student):
            return False
        if not hmac.compare_digest(code.strip().encode(), self.code.encode()):
            return False
        return self.open or student in self.roster

    def check_instructor(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def _no_aliases(text: str) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ConfigError("the class file uses a YAML alias (*name); write the values out.")


def load_class(path: str | os.PathLike[str]) -> ClassConfig:
    """Read and check a class file; a clear ConfigError for anything wrong."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read the class file {p}: {e.strerror}.") from None
    if len(raw) > MAX_CLASS_FILE:
        raise ConfigError(f"the class file {p} is over {MAX_CLASS_FILE:,} bytes.")
    try:
        text = raw.decode("utf-8")
        _no_aliases(text)
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        raise ConfigError(f"the class file {p} is not valid UTF-8 YAML ({e}).") from None
    return ClassConfig.from_dict(data, p.parent)


class RateLimit:
    """At most ``limit`` failed sign-ins per key in ``window`` seconds (memory, per process).

    >>> r = RateLimit(limit=2, window=60)
    >>> r.fail("ip"), r.fail("ip"), r.blocked("ip"), r.blocked("other")
    (None, None, True, False)
    """

    def __init__(self, limit: int = 10, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self.seen: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self.seen.setdefault(key, deque())
        while q and q[0] < now - self.window:
            q.popleft()
        return q

    def blocked(self, key: str) -> bool:
        with self.lock:
            return len(self._recent(key, time.monotonic())) >= self.limit

    def fail(self, key: str) -> None:
        with self.lock:
            self._recent(key, time.monotonic()).append(time.monotonic())
            if len(self.seen) > 100_000:  # bounded memory: forget the oldest keys
                for k in list(self.seen)[:50_000]:
                    del self.seen[k]
