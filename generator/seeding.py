"""Seeds: plain problem seeds and HMAC-SHA256 per-student seeds.

A per-student seed is ``HMAC-SHA256(secret, "exam|student|question|version")`` cut to 63 bits,
so nobody without the course secret can regenerate a student's variant, while anyone with it
gets the same variant back (re-grading after an upgrade uses the recorded seed and version).
``reroll`` re-seeds one student without touching the others. Never ``hash()`` (salted per
process).

>>> s = student_seed(b"course-secret", exam="midterm", student="s123", question="q1", version="0.1.0")
>>> s == student_seed(b"course-secret", exam="midterm", student="s123", question="q1", version="0.1.0")
True
>>> s != student_seed(b"course-secret", exam="midterm", student="s124", question="q1", version="0.1.0")
True
>>> 0 <= s < 2**63
True
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import TypedDict

from .errors import ConfigError

__all__ = ["SeedFields", "read_secret", "student_seed", "variant_tag"]


class SeedFields(TypedDict):
    """The keyword arguments of :func:`student_seed` and :func:`variant_tag`."""

    exam: str
    student: str
    question: str
    version: str
    reroll: int


def _digest(secret: bytes, *fields: str) -> bytes:
    message = "|".join(fields).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def student_seed(secret: bytes, *, exam: str, student: str, question: str, version: str,
                 reroll: int = 0) -> int:
    """A student's seed for one question: the first 63 bits of the HMAC."""
    fields = [exam, student, question, version] + ([f"reroll={reroll}"] if reroll else [])
    return int.from_bytes(_digest(secret, *fields)[:8], "big") >> 1


def variant_tag(secret: bytes, *, exam: str, student: str, question: str, version: str,
                reroll: int = 0) -> str:
    """A short opaque id for a student's variant (no student data, no seed in clear).

    >>> len(variant_tag(b"k", exam="e", student="s", question="q", version="1"))
    12
    """
    fields = ["tag", exam, student, question, version] + ([f"reroll={reroll}"] if reroll else [])
    return _digest(secret, *fields).hex()[:12]


def read_secret(path: str | Path) -> bytes:
    """The course secret from a file (outside the repository); at least 16 bytes.

    Create one with ``python -c "import secrets; print(secrets.token_hex(32))" > secret.txt``.
    """
    p = Path(path)
    try:
        data = p.read_bytes().strip()
    except OSError as e:
        raise ConfigError(f"cannot read the secret file {p}: {e.strerror}.") from None
    if len(data) < 16:
        raise ConfigError(
            f"the secret in {p} is {len(data)} bytes long; use at least 16 random bytes, e.g. "
            "python -c \"import secrets; print(secrets.token_hex(32))\" > secret.txt.")
    return data
