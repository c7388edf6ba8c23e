"""A student's practice record: a small local JSON file, written atomically.

Where it lives: ``--progress FILE``, else ``$CNNQUIZ_PROGRESS``, else
``~/.cnnquiz/progress.json``. It holds the current and best streak (problems solved
without a wrong answer and without opening the solution), a per-topic record and how
often each misconception was diagnosed; :func:`choose_topic
<cnnquiz.practice_core.choose_topic>` reads the latter to aim the next problem.

>>> p = Progress()
>>> p.record_answer("color", "incorrect", ["cmyk_as_rgb"], first_try=True)
>>> p.record_answer("color", "correct", [], first_try=False)
>>> p.streak, p.topics["color"], p.misconceptions
(0, {'answered': 1, 'solved': 1, 'first_try': 0}, {'cmyk_as_rgb': 1})
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENV_VAR", "Progress", "default_path", "load", "reset", "resolve_path", "save"]

ENV_VAR = "CNNQUIZ_PROGRESS"
VERSION = 1


def default_path() -> Path:
    return Path.home() / ".cnnquiz" / "progress.json"


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The progress file: the explicit path, else ``$CNNQUIZ_PROGRESS``, else the default."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else default_path()


@dataclass
class Progress:
    """Streaks, a per-topic record and misconception counts."""

    streak: int = 0
    best_streak: int = 0
    topics: dict[str, dict[str, int]] = field(default_factory=dict)
    misconceptions: dict[str, int] = field(default_factory=dict)

    def _topic(self, topic: str) -> dict[str, int]:
        return self.topics.setdefault(topic, {"answered": 0, "solved": 0, "first_try": 0})

    def record_answer(self, topic: str, status: str, misconceptions: list[str],
                      *, first_try: bool) -> None:
        """One graded answer; ``first_try`` when it is the first answer to this problem.

        Unreadable answers are not attempts and change nothing.
        """
        if status == "unreadable":
            return
        rec = self._topic(topic)
        if first_try:
            rec["answered"] += 1
        for mid in misconceptions:
            self.misconceptions[mid] = self.misconceptions.get(mid, 0) + 1
        if status == "correct":
            rec["solved"] += 1
            if first_try:
                rec["first_try"] += 1
                self.streak += 1
                self.best_streak = max(self.best_streak, self.streak)
        else:
            self.streak = 0

    def record_solution_shown(self, topic: str) -> None:
        """Opening the worked solution ends the streak."""
        self._topic(topic)
        self.streak = 0

    @property
    def solved(self) -> int:
        return sum(r["solved"] for r in self.topics.values())

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        def ints(d: Any) -> dict[str, int]:
            return {str(k): int(v) for k, v in (d or {}).items() if isinstance(v, int)}

        return cls(
            streak=int(data.get("streak", 0)),
            best_streak=int(data.get("best_streak", 0)),
            topics={str(t): {**{"answered": 0, "solved": 0, "first_try": 0}, **ints(r)}
                    for t, r in (data.get("topics") or {}).items() if isinstance(r, dict)},
            misconceptions=ints(data.get("misconceptions")),
        )


def load(path: Path) -> Progress:
    """The saved progress, or a fresh record when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Progress()
    return Progress.from_dict(data) if isinstance(data, dict) else Progress()


def save(progress: Progress, path: Path) -> None:
    """Write atomically: a temporary file in the same directory, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(progress.to_dict(), f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reset(path: Path) -> None:
    """Forget everything: remove the file."""
    path.unlink(missing_ok=True)
