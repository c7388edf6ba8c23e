"""Rosters: student ids from a CSV export, and what ``--reroll`` asks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from generator.errors import ConfigError

__all__ = ["ID_COLUMNS", "parse_rerolls", "read_roster", "safe_name"]

ID_COLUMNS = ("student_id", "studentid", "student id", "id", "sis user id", "sis_user_id",
              "username", "login", "user", "email", "student")



def parse_rerolls(values: Sequence[str]) -> dict[str, int]:
    """``--reroll s1 --reroll s2:3`` -> {'s1': 1, 's2': 3}: a fresh variant for those students.

    >>> parse_rerolls(["s1", "s2:3"])
    {'s1': 1, 's2': 3}
    """
    out: dict[str, int] = {}
    for v in values:
        sid, _, n = v.rpartition(":") if v.rpartition(":")[2].isdigit() else (v, "", "1")
        if int(n) < 1:
            raise ConfigError(f"--reroll {v}: the reroll number must be at least 1.")
        out[sid] = int(n)
    return out


def read_roster(path: Path, secret: bytes | None = None) -> list[str]:
    """Student ids from a CSV roster; ConfigError when no id column is found.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
    ...     _ = f.write("Name,Student ID\\nAda,s1\\nAlan,s2\\n")
    >>> read_roster(Path(f.name)); os.unlink(f.name)
    ['s1', 's2']
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ConfigError(f"cannot read the roster {path}: {e.strerror}.") from None
    if secret and secret.decode("utf-8", "replace") in text:
        raise ConfigError(f"the roster {path} contains the course secret; keep the secret in its "
                          "own file, outside the roster (no part of it is shown here).")
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or [] if h}
    column = next((headers[c] for c in ID_COLUMNS if c in headers), None)
    if column is None:
        raise ConfigError(
            f"the roster {path} has no student id column; its columns are "
            f"{', '.join(reader.fieldnames or []) or 'none'}. Name one of: student_id, id, "
            "username, email.")
    ids = [(row.get(column) or "").strip() for row in reader]
    ids = [i for i in ids if i]
    if not ids:
        raise ConfigError(f"the roster {path} lists no students under '{column}'.")
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"the roster {path} lists {dupes[0]!r} more than once.")
    return ids


def safe_name(student: str) -> str:
    """A file name for a student id.

    >>> safe_name("ada.lovelace@uni.edu"), safe_name("../x")
    ('ada.lovelace_uni.edu', 'x')
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"
