"""A student's practice summary, where the store lives, and the old JSON progress files.

The record itself is kept in the store (:mod:`cnnquiz.store`); :class:`Progress` is the
summary the apps show and the topic choice reads: current and best streak (problems solved
at the first answer, with no hint and no solution seen), per topic how many distinct
problems were answered, solved and solved at the first try, the confident mistakes, and a
mastery estimate from the topic's recent problems.

Where it lives: ``--progress PATH`` (a ``postgresql://`` URL too), else ``$CNNQUIZ_PROGRESS``,
else ``~/.cnnquiz/progress.db``. A path ending in ``.json`` names an old progress file: the
store is kept beside it (``.db``) and the JSON is imported once, whatever it holds.

>>> legacy_from_dict({"streak": None, "best_streak": 1e400, "misconceptions": [1]})
Progress(streak=0, best_streak=0, topics={}, misconceptions={}, imported={}, recent={})
>>> mastery([1, 1, 0, 1, 1])
('proficient', 80)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "MASTERY_LEVELS", "Progress", "default_path", "legacy_from_dict",
           "load_legacy", "mastery", "resolve"]

ENV_VAR = "CNNQUIZ_PROGRESS"
#: the largest count an old file may claim (anything else is read as 0)
MAX_COUNT = 10**9
#: (label, at least this share of the recent problems solved at the first try, at least n)
MASTERY_LEVELS = (("mastered", 100, 5), ("proficient", 80, 4), ("familiar", 50, 2),
                  ("practising", 0, 1))


def default_path() -> Path:
    return Path.home() / ".cnnquiz" / "progress.db"


def resolve(path: str | os.PathLike[str] | None = None) -> tuple[str, Path | None]:
    """(store path or URL, old JSON file to import or None): explicit, ``$CNNQUIZ_PROGRESS``, default.

    >>> resolve("/tmp/x/progress.json")
    ('/tmp/x/progress.db', PosixPath('/tmp/x/progress.json'))
    >>> resolve("postgresql://localhost/class")
    ('postgresql://localhost/class', None)
    """
    text = str(path) if path else os.environ.get(ENV_VAR, "")
    if text.startswith(("postgresql://", "postgres://")):
        return text, None
    where = Path(text).expanduser() if text else default_path()
    if where.suffix == ".json":
        return str(where.with_suffix(".db")), where
    return str(where), where.with_suffix(".json")


def mastery(recent: list[int]) -> tuple[str, int]:
    """A level from the topic's recent problems (1 = solved at the first try), and its percent."""
    if not recent:
        return "not started", 0
    pct = round(100 * sum(recent) / len(recent))
    for label, share, n in MASTERY_LEVELS:
        if pct >= share and len(recent) >= n:
            return label, pct
    return "practising", pct


@dataclass
class Progress:
    """Streaks, a per-topic record, confident mistakes (id -> count), recent first tries."""

    streak: int = 0
    best_streak: int = 0
    topics: dict[str, dict[str, int]] = field(default_factory=dict)
    misconceptions: dict[str, int] = field(default_factory=dict)
    #: mistakes read from an old JSON file (not known to be confident: shown, never steering)
    imported: dict[str, int] = field(default_factory=dict)
    recent: dict[str, list[int]] = field(default_factory=dict)

    @property
    def solved(self) -> int:
        """Distinct problems solved."""
        return sum(r.get("solved", 0) for r in self.topics.values())


def _count(v: Any) -> int:
    """A count from untrusted JSON: a non-negative int below the cap, else 0 (bools too)."""
    return v if type(v) is int and 0 <= v <= MAX_COUNT else 0


def _counts(d: Any) -> dict[str, int]:
    if not isinstance(d, dict):
        return {}
    return {str(k)[:100]: _count(v) for k, v in d.items() if _count(v)}


def legacy_from_dict(data: Any) -> Progress:
    """An old progress file's content, every field checked: anything odd is read as empty."""
    if not isinstance(data, dict):
        return Progress()
    topics_in = data.get("topics")
    topics = {str(t)[:100]: {k: _count(r.get(k)) for k in ("answered", "solved", "first_try")}
              for t, r in (topics_in.items() if isinstance(topics_in, dict) else ())
              if isinstance(r, dict)}
    return Progress(streak=_count(data.get("streak")), best_streak=_count(data.get("best_streak")),
                    topics=topics, misconceptions=_counts(data.get("misconceptions")))


def load_legacy(path: Path) -> Progress | None:
    """An old JSON progress file, or None when there is none or it cannot be read at all."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if len(raw) > 1_000_000:
        return Progress()
    try:
        return legacy_from_dict(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError):
        return Progress()
