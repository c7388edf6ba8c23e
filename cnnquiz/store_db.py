"""The two databases behind :mod:`cnnquiz.store`: SQLite (standard library) and PostgreSQL.

Both give ``tx()``, a transaction yielding a cursor with ``q``/``one``/``all`` taking ``?``
placeholders, ``script()`` for the schema, ``close()``, and ``lock``: the clause that locks
a selected row for the rest of the transaction (SQLite needs none: ``BEGIN IMMEDIATE``
already holds the one write lock).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["Cursor", "Postgres", "Sqlite"]


class _DbApiCursor(Protocol):
    """What we use of a DB-API 2 cursor (sqlite3's and psycopg's)."""

    @property
    def rowcount(self) -> int: ...
    def execute(self, sql: str, params: Sequence[Any], /) -> object: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> Sequence[Any]: ...


class Sqlite:
    lock = ""

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        self.memory = path == ":memory:"
        self.shared: sqlite3.Connection | None = None
        self.mutex = threading.RLock()  # for ":memory:": one connection for all threads
        self.opened: list[sqlite3.Connection] = []

    def conn(self) -> sqlite3.Connection:
        if self.memory:
            if self.shared is None:
                self.shared = sqlite3.connect(":memory:", isolation_level=None,
                                              check_same_thread=False)
            return self.shared
        c = getattr(self.local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, isolation_level=None, timeout=30,
                                check_same_thread=False)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            c.execute("PRAGMA busy_timeout=30000")
            self.local.conn = c
            with self.mutex:
                self.opened.append(c)
        return c

    def close(self) -> None:
        with self.mutex:
            for c in [*self.opened, *([self.shared] if self.shared else [])]:
                c.close()
            self.opened.clear()
            self.shared = None
        self.local = threading.local()

    @contextmanager
    def tx(self) -> Iterator[Cursor]:
        with self.mutex if self.memory else _nothing():
            c = self.conn()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield Cursor(c.cursor(), "?")
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def script(self, sql: str) -> None:
        with self.mutex if self.memory else _nothing():
            self.conn().executescript(sql)


class Postgres:
    lock = " FOR UPDATE"

    def __init__(self, url: str) -> None:
        import psycopg  # only a class on PostgreSQL needs it

        self.psycopg = psycopg
        self.url = url
        self.local = threading.local()
        self.mutex = threading.Lock()
        self.opened: list[Any] = []

    def conn(self) -> Any:
        c = getattr(self.local, "conn", None)
        if c is None or c.closed:
            c = self.psycopg.connect(self.url, autocommit=True)
            self.local.conn = c
            with self.mutex:
                self.opened.append(c)
        return c

    def close(self) -> None:
        with self.mutex:
            for c in self.opened:
                c.close()
            self.opened.clear()
        self.local = threading.local()

    @contextmanager
    def tx(self) -> Iterator[Cursor]:
        c = self.conn()
        with c.transaction(), c.cursor() as cur:
            yield Cursor(cur, "%s")

    def script(self, sql: str) -> None:
        with self.tx() as cur:  # one schema creator at a time (IF NOT EXISTS is not atomic)
            cur.q("SELECT pg_advisory_xact_lock(7261)")
            for stmt in filter(str.strip, sql.split(";")):
                cur.q(stmt)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class Cursor:
    """A transaction's cursor: ``?`` placeholders on either database; rows are tuples."""

    def __init__(self, cur: _DbApiCursor, mark: str) -> None:
        self.cur, self.mark = cur, mark

    def q(self, sql: str, params: Sequence[Any] = ()) -> _DbApiCursor:
        self.cur.execute(sql.replace("?", self.mark) if self.mark != "?" else sql, tuple(params))
        return self.cur

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.q(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.q(sql, params).fetchall())
