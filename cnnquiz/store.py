"""Practice attempts on the server: one store shared by ``cnnquiz practice`` and ``serve``.

Everything a student did is kept per (student, problem id): hints taken, attempts, whether
it was solved, whether the first answer was right with no hint and no solution seen, and
whether the worked solution was opened. Every answer is one row keyed by (student, nonce):
the nonce comes from the form (or the terminal) so a resubmitted form is recorded once.
Only confident diagnoses become ``mistakes`` rows; they feed the topic choice and the
class report. Streaks live on the student's row.

The store is SQLite through the standard library (the default: a file, WAL mode, writes in
``BEGIN IMMEDIATE`` transactions so the terminal and the web app can share it), or
PostgreSQL for a class (``postgresql://...``, psycopg, row locks ``FOR UPDATE``).

>>> s = open_store(":memory:")
>>> s.record_answer("ann", "basic-easy-000001", "basic", "n1", "incorrect", ["conv_no_bias"])
True
>>> s.record_answer("ann", "basic-easy-000001", "basic", "n1", "incorrect", ["conv_no_bias"])
False
>>> s.record_answer("ann", "basic-easy-000001", "basic", "n2", "correct", [])
True
>>> p = s.progress("ann")
>>> p.solved, p.streak, p.topics["basic"]["first_try"], p.misconceptions
(1, 0, 0, {'conv_no_bias': 1})
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .progress import Progress, load_legacy, resolve
from .store_db import Cursor, Postgres, Sqlite

__all__ = ["Store", "open_practice", "open_store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
  student TEXT PRIMARY KEY, streak INTEGER NOT NULL DEFAULT 0,
  best_streak INTEGER NOT NULL DEFAULT 0, created DOUBLE PRECISION);
CREATE TABLE IF NOT EXISTS problems (
  student TEXT NOT NULL, problem TEXT NOT NULL, topic TEXT NOT NULL,
  seen_at DOUBLE PRECISION, hints INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0, solved INTEGER NOT NULL DEFAULT 0,
  first_try INTEGER NOT NULL DEFAULT 0, solution_seen INTEGER NOT NULL DEFAULT 0,
  last_answer TEXT, draft TEXT, PRIMARY KEY (student, problem));
CREATE TABLE IF NOT EXISTS answers (
  student TEXT NOT NULL, nonce TEXT NOT NULL, problem TEXT NOT NULL, topic TEXT NOT NULL,
  status TEXT NOT NULL, counted INTEGER NOT NULL, payload TEXT NOT NULL,
  at DOUBLE PRECISION, PRIMARY KEY (student, nonce));
CREATE TABLE IF NOT EXISTS mistakes (
  student TEXT NOT NULL, nonce TEXT NOT NULL, problem TEXT NOT NULL, topic TEXT NOT NULL,
  misconception TEXT NOT NULL, at DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS mistakes_student ON mistakes (student);
CREATE TABLE IF NOT EXISTS legacy (
  student TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, count INTEGER NOT NULL);
"""
STUDENT_TABLES = ("students", "problems", "answers", "mistakes", "legacy")
#: how many recent problems of a topic the mastery estimate looks at
RECENT = 5


def open_store(where: str | os.PathLike[str]) -> Store:
    """A store at a SQLite file path (created), ``:memory:``, or a ``postgresql://`` URL."""
    text = str(where)
    if text.startswith(("postgresql://", "postgres://")):
        return Store(Postgres(text))
    if text != ":memory:":
        Path(text).expanduser().parent.mkdir(parents=True, exist_ok=True)
        text = str(Path(text).expanduser())
    return Store(Sqlite(text))


def open_practice(where: str | os.PathLike[str] | None, student: str | None = "local"
                  ) -> tuple[Store, str]:
    """The store ``--progress`` names (see :func:`cnnquiz.progress.resolve`) and how to name it
    to the student; an old JSON progress file is imported once for ``student`` (None: never).
    """
    path, legacy = resolve(where)
    store = open_store(path)
    if legacy is not None and student is not None:
        old = load_legacy(legacy)
        if old is not None:
            store.import_legacy(student, old, str(legacy.resolve()))
    return store, path if "://" not in path else "PostgreSQL"


class Store:
    """Attempts, hints, streaks and confident mistakes, per student."""

    def __init__(self, backend: Sqlite | Postgres) -> None:
        self.db = backend
        self.db.script(SCHEMA)

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def kind(self) -> str:
        return "postgresql" if isinstance(self.db, Postgres) else "sqlite"

    # -- meta ----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self.db.tx() as c:
            row = c.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta_once(self, key: str, value: str) -> bool:
        """Set ``key`` unless it is set; True when this call set it."""
        with self.db.tx() as c:
            return c.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                       (key, value)).rowcount == 1

    def secret(self) -> str:
        """This store's signing secret, made once and kept here (never shown anywhere)."""
        self.set_meta_once("secret", secrets.token_hex(32))
        return self.meta("secret") or ""

    # -- writes --------------------------------------------------------------------------
    def _ensure(self, c: Cursor, student: str, problem: str, topic: str) -> Any:
        c.q("INSERT INTO students (student, created) VALUES (?, ?) ON CONFLICT (student) DO NOTHING",
            (student, time.time()))
        c.q("INSERT INTO problems (student, problem, topic, seen_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (student, problem) DO NOTHING", (student, problem, topic, time.time()))
        return c.one("SELECT hints, attempts, solved, first_try, solution_seen FROM problems "
                     "WHERE student = ? AND problem = ?" + self.db.lock, (student, problem))

    def _streak(self, c: Cursor, student: str, change: str) -> None:
        row = c.one("SELECT streak, best_streak FROM students WHERE student = ?" + self.db.lock,
                    (student,))
        streak = row[0] + 1 if change == "up" else 0
        c.q("UPDATE students SET streak = ?, best_streak = ? WHERE student = ?",
            (streak, max(row[1], streak), student))

    def mark_seen(self, student: str, problem: str, topic: str) -> bool:
        """Note that the problem was shown; True when the student had seen none of its topic."""
        with self.db.tx() as c:
            others: int = c.one("SELECT COUNT(*) FROM problems WHERE student = ? AND topic = ? "
                                "AND problem <> ?", (student, topic, problem))[0]
            self._ensure(c, student, problem, topic)
        return others == 0

    def record_answer(self, student: str, problem: str, topic: str, nonce: str, status: str,
                      mistakes: Iterable[str], payload: Any = None) -> bool:
        """Record one graded answer once; False when this nonce was recorded already.

        ``mistakes`` are the confident diagnoses only. Unreadable answers are kept (to show
        their message) but are not attempts.
        """
        counted = status != "unreadable"
        with self.db.tx() as c:
            hints, attempts, solved, was_first, seen = self._ensure(c, student, problem, topic)
            new = c.q("INSERT INTO answers (student, nonce, problem, topic, status, counted, "
                      "payload, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (student, nonce) DO NOTHING",
                      (student, nonce, problem, topic, status, int(counted),
                       json.dumps(payload, sort_keys=True), time.time())).rowcount == 1
            if not new or not counted:
                if new:  # an unreadable answer: its message is shown, it is no attempt
                    c.q("UPDATE problems SET last_answer = ? WHERE student = ? AND problem = ?",
                        (nonce, student, problem))
                return new
            first = attempts == 0 and hints == 0 and not seen and not solved
            right = status == "correct"
            c.q("UPDATE problems SET attempts = attempts + 1, solved = ?, first_try = ?, "
                "last_answer = ?, draft = NULL WHERE student = ? AND problem = ?",
                (int(bool(solved) or right), int(bool(was_first) or (first and right)),
                 nonce, student, problem))
            if right and first:
                self._streak(c, student, "up")
            elif not right:
                self._streak(c, student, "reset")
                for mid in dict.fromkeys(mistakes):
                    c.q("INSERT INTO mistakes (student, nonce, problem, topic, misconception, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (student, nonce, problem, topic, mid, time.time()))
        return True

    def take_hint(self, student: str, problem: str, topic: str, available: int,
                  draft: str | None = None) -> int:
        """One more hint (up to ``available``); keeps the typed answer; the hints now shown."""
        with self.db.tx() as c:
            hints: int = self._ensure(c, student, problem, topic)[0]
            hints = min(hints + 1, max(available, 0))
            c.q("UPDATE problems SET hints = ?, draft = ? WHERE student = ? AND problem = ?",
                (hints, (draft or "")[:2000] or None, student, problem))
        return hints

    def show_solution(self, student: str, problem: str, topic: str) -> None:
        """Opening the worked solution: no first try any more, and (unsolved) the streak ends."""
        with self.db.tx() as c:
            solved = self._ensure(c, student, problem, topic)[2]
            c.q("UPDATE problems SET solution_seen = 1 WHERE student = ? AND problem = ?",
                (student, problem))
            if not solved:
                self._streak(c, student, "reset")

    def reset(self, student: str) -> None:
        """Forget one student's record (the caller asked for confirmation first)."""
        with self.db.tx() as c:
            for table in STUDENT_TABLES:
                c.q(f"DELETE FROM {table} WHERE student = ?", (student,))  # noqa: S608

    def import_legacy(self, student: str, progress: Progress, key: str) -> bool:
        """Bring an old JSON record in, once per ``key``; True when imported now."""
        with self.db.tx() as c:
            if c.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                   (f"imported:{key}", str(time.time()))).rowcount != 1:
                return False
            c.q("INSERT INTO students (student, created) VALUES (?, ?) "
                "ON CONFLICT (student) DO NOTHING", (student, time.time()))
            row = c.one("SELECT streak, best_streak FROM students WHERE student = ?" + self.db.lock,
                        (student,))
            c.q("UPDATE students SET streak = ?, best_streak = ? WHERE student = ?",
                (max(row[0], progress.streak), max(row[1], progress.best_streak), student))
            rows = [(f"topic_{k}", t, n) for t, rec in progress.topics.items()
                    for k, n in rec.items()]
            rows += [("misconception", m, n) for m, n in progress.misconceptions.items()]
            for kind, name, n in rows:
                c.q("INSERT INTO legacy (student, kind, name, count) VALUES (?, ?, ?, ?)",
                    (student, kind, name, n))
        return True

    # -- reads ---------------------------------------------------------------------------
    def problem_state(self, student: str, problem: str) -> dict[str, Any]:
        with self.db.tx() as c:
            row = c.one("SELECT hints, attempts, solved, first_try, solution_seen, last_answer, "
                        "draft FROM problems WHERE student = ? AND problem = ?", (student, problem))
        keys = ("hints", "attempts", "solved", "first_try", "solution_seen", "last_answer", "draft")
        return dict(zip(keys, row or (0, 0, 0, 0, 0, None, None), strict=True))

    def answer(self, student: str, nonce: str) -> dict[str, Any] | None:
        """A recorded answer (its problem, status and stored feedback), or None."""
        with self.db.tx() as c:
            row = c.one("SELECT problem, status, payload FROM answers WHERE student = ? AND "
                        "nonce = ?", (student, nonce))
        if row is None:
            return None
        return {"problem": row[0], "status": row[1], "payload": json.loads(row[2])}

    def progress(self, student: str) -> Progress:
        """The student's summary: streaks, per-topic record, confident mistakes, mastery."""
        with self.db.tx() as c:
            st = c.one("SELECT streak, best_streak FROM students WHERE student = ?", (student,))
            probs = c.all("SELECT topic, attempts, solved, first_try, seen_at FROM problems "
                          "WHERE student = ? ORDER BY seen_at, problem", (student,))
            mist = c.all("SELECT misconception, COUNT(*) FROM mistakes WHERE student = ? "
                         "GROUP BY misconception", (student,))
            legacy = c.all("SELECT kind, name, SUM(count) FROM legacy WHERE student = ? "
                           "GROUP BY kind, name", (student,))
        topics: dict[str, dict[str, int]] = {}
        recent: dict[str, list[int]] = {}
        for topic, attempts, solved, first_try, _ in probs:
            rec = topics.setdefault(topic, {"answered": 0, "solved": 0, "first_try": 0})
            if attempts:
                rec["answered"] += 1
                rec["solved"] += int(bool(solved))
                rec["first_try"] += int(bool(first_try))
                recent.setdefault(topic, []).append(int(bool(first_try)))
        imported: dict[str, int] = {}
        for kind, name, n in legacy:
            if kind.startswith("topic_"):
                rec = topics.setdefault(name, {"answered": 0, "solved": 0, "first_try": 0})
                field = kind.removeprefix("topic_")
                if field in rec:
                    rec[field] += int(n)
            else:
                imported[name] = int(n)
        return Progress(streak=st[0] if st else 0, best_streak=st[1] if st else 0, topics=topics,
                        misconceptions={m: int(n) for m, n in mist}, imported=imported,
                        recent={t: r[-RECENT:] for t, r in recent.items()})

    def class_mistakes(self) -> list[tuple[str, str, int, int]]:
        """(topic, misconception, times, students) over everyone, most frequent first."""
        with self.db.tx() as c:
            rows = c.all("SELECT topic, misconception, COUNT(*), COUNT(DISTINCT student) "
                         "FROM mistakes GROUP BY topic, misconception")
        return sorted(((str(t), str(m), int(n), int(s)) for t, m, n, s in rows),
                      key=lambda r: (r[0], -r[2], r[1]))

    def counts(self) -> dict[str, int]:
        """Row counts (answers recorded, counted answers, students): for checks and benches."""
        with self.db.tx() as c:
            return {"answers": c.one("SELECT COUNT(*) FROM answers")[0],
                    "counted": c.one("SELECT COUNT(*) FROM answers WHERE counted = 1")[0],
                    "students": c.one("SELECT COUNT(*) FROM students")[0]}
