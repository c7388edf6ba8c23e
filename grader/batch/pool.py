"""Worker processes: rows partitioned by problem, lines merged back in input order."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.csvsafe import text_cell

from . import options
from .grading import GradeFn, Grader, csv_field
from .options import BatchOptions, InputRow
from .problems import ProblemIndex, has_students

__all__ = ["parallel"]

# -- worker processes ----------------------------------------------------------------------
# Rows are partitioned by problem (stable CRC32), so each problem is prepared, and each
# distinct answer graded, in one process only; the parent merges lines back in input order.

def _worker(conn: Any, opts: BatchOptions, directory: Path | None, base: Path,
            problems: Mapping[str, Any] | None, grade_fn: GradeFn | None) -> None:
    """Grade the rows the parent could not answer from its cache; send back their tails."""
    g = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)
    while True:
        rows = conn.recv()
        if rows is None:
            break
        conn.send([g.line_tail(r) for r in rows])
    conn.close()


def _partition_key(by_student: bool) -> Callable[[InputRow], bytes]:
    if by_student:  # per-student variants: the problem cell may be "1" for everyone
        return lambda r: f"{r.problem}|{r.student}".encode("utf-8", "replace")
    return lambda r: r.problem.encode("utf-8", "replace")


def parallel(chunks: Iterator[list[InputRow]], opts: BatchOptions, directory: Path | None,
              base: Path, problems: Mapping[str, Any] | None,
              grade_fn: GradeFn | None) -> Iterator[tuple[str, int, Counter[str]]]:
    import multiprocessing as mp
    import zlib

    ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    k = opts.workers
    by_student = directory is not None and has_students(directory)
    key = _partition_key(by_student)
    conns, procs = [], []
    for _ in range(k):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, opts, directory, base, problems, grade_fn),
                           daemon=True)
        proc.start()
        child.close()
        conns.append(parent)
        procs.append(proc)

    # The parent answers repeated answers from its own cache of result tails; only the
    # first occurrence of an answer (and rows with errors) travels to a worker.
    tails: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}
    students_matter = by_student

    def cache_key(r: InputRow) -> tuple[str, str, str, str | None] | None:
        if r.error is not None:
            return None
        return (r.problem, r.student if students_matter else "", r.part, r.answer)

    Sent = tuple[list[InputRow], list[Any], list[list[Any]]]

    def send(chunk: list[InputRow]) -> Sent:
        keys = [cache_key(r) for r in chunk]
        parts: list[list[InputRow]] = [[] for _ in range(k)]
        asked: list[list[Any]] = [[] for _ in range(k)]
        seen: set[Any] = set()
        for i, (r, ck) in enumerate(zip(chunk, keys, strict=True)):
            if ck is not None and (ck in tails or ck in seen):
                continue
            w = zlib.crc32(key(r)) % k
            parts[w].append(r)
            asked[w].append(ck if ck is not None else i)
            if ck is not None:
                seen.add(ck)
        for conn, part in zip(conns, parts, strict=True):
            conn.send(part)
        return chunk, keys, asked

    def receive(chunk: list[InputRow], keys: list[Any],
                asked: list[list[Any]]) -> tuple[str, int, Counter[str]]:
        local: dict[Any, tuple[str, str]] = {}
        for conn, wanted in zip(conns, asked, strict=True):
            for want, got in zip(wanted, conn.recv(), strict=True):
                local[want] = got
                if not isinstance(want, int) and len(tails) < options.CACHE_LIMIT:
                    tails[want] = got
        lines: list[str] = []
        statuses: list[str] = []
        students: dict[str, str] = {}
        hits = 0
        for i, (r, ck) in enumerate(zip(chunk, keys, strict=True)):
            found = local.get(i if ck is None else ck)
            if found is None:
                found = tails[ck]
                hits += 1
            tail, status = found
            student = students.get(r.student)
            if student is None:
                student = students[r.student] = csv_field(text_cell(r.student))
            lines.append(f"{r.row},{student},{tail}")
            statuses.append(status)
        return "".join(lines), hits, Counter(statuses)

    # A feeder thread reads and sends; this thread receives and yields. Workers blocked on
    # sending a large result are always drained, so the pipes cannot deadlock.
    import queue
    import threading

    sent: queue.Queue[Any] = queue.Queue(maxsize=2)

    def feed() -> None:
        try:
            for chunk in chunks:
                sent.put(("chunk", send(chunk)))
            sent.put(("end", None))
        except BaseException as e:  # noqa: BLE001 - re-raised in the consumer
            sent.put(("fail", e))

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        while True:
            kind, payload = sent.get()
            if kind == "end":
                break
            if kind == "fail":
                raise payload
            yield receive(*payload)
        feeder.join()
    finally:
        for conn in conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
