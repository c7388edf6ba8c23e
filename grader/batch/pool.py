"""Worker processes: rows partitioned by problem, lines merged back in input order."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from generator.csvsafe import text_cell
from generator.errors import ConfigError

from . import options
from .grading import GradeFn, Grader, csv_field
from .options import BatchOptions, InputRow
from .problems import ProblemIndex, has_students

__all__ = ["WorkerDied", "parallel"]

# -- worker processes ----------------------------------------------------------------------
# Rows are partitioned by problem (stable CRC32), so each problem is prepared, and each
# distinct answer graded, in one process only; the parent merges lines back in input order.

class WorkerDied(ConfigError):
    """A worker process ended before the batch did (killed, out of memory, crashed)."""


def _die_with_parent(parent: int, cleanup: tuple[str, ...]) -> None:
    """End this worker when its parent dies, removing the parent's temporary output.

    Linux: the kernel sends SIGTERM on the parent's death (prctl PR_SET_PDEATHSIG), even
    after kill -9. Elsewhere the closed pipe ends the worker. A parent already gone before
    the call: the same, now.
    """
    def stop(_signum: int, frame: Any) -> None:
        for path in cleanup:
            with contextlib.suppress(OSError):
                os.unlink(path)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        stop(signal.SIGTERM, None)


def _worker(conn: Any, inherited: list[Any], parent: int, cleanup: tuple[str, ...],
            opts: BatchOptions,
            directory: Path | None, base: Path, problems: Mapping[str, Any] | None,
            grade_fn: GradeFn | None) -> None:
    """Grade the rows the parent could not answer from its cache; send back their tails.

    Never prints a traceback: a closed pipe (the parent is gone or stopping) ends it
    quietly, any other failure is sent to the parent as ``("crash", why)``.
    """
    _die_with_parent(parent, cleanup)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for c in inherited:  # the parent's ends of earlier workers' pipes: close, or the
        c.close()        # parent's death would not reach those workers as end-of-file
    try:
        g = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)
        while True:
            rows = conn.recv()
            if rows is None:
                break
            conn.send([g.line_tail(r) for r in rows])
    except (EOFError, OSError):
        pass
    except BaseException as e:  # noqa: BLE001 - reported by the parent, not printed here
        with contextlib.suppress(OSError):
            conn.send(("crash", f"{type(e).__name__}: {e}"[:300]))
    finally:
        with contextlib.suppress(OSError):
            conn.close()


def _died(procs: list[Any], cause: BaseException | str | None = None) -> WorkerDied:
    """The error for a worker that ended early, naming which and how."""
    for proc in procs:
        proc.join(timeout=0.5)
    ended = [(i, p) for i, p in enumerate(procs, 1) if p.exitcode is not None]
    if isinstance(cause, str):
        how = f"failed: {cause}"
    elif ended and ended[0][1].exitcode < 0:
        code = -ended[0][1].exitcode
        name = signal.Signals(code).name if code in signal.Signals._value2member_map_ else str(code)
        how = f"was killed by {name}" + (" (kill -9 or out of memory?)" if code == 9 else "")
    elif ended:
        how = f"exited with code {ended[0][1].exitcode}"
    else:
        how = f"stopped answering ({type(cause).__name__})"
    who = (f"grading worker {ended[0][0]} (pid {ended[0][1].pid})" if ended
           else "a grading worker")
    return WorkerDied(f"{who} {how}; the batch was stopped and no results were written "
                      "(a previous output is kept). Run it again, or with --workers 1.")


def _partition_key(by_student: bool) -> Callable[[InputRow], bytes]:
    if by_student:  # per-student variants: the problem cell may be "1" for everyone
        return lambda r: f"{r.problem}|{r.student}".encode("utf-8", "replace")
    return lambda r: r.problem.encode("utf-8", "replace")


def parallel(chunks: Iterator[list[InputRow]], opts: BatchOptions, directory: Path | None,
              base: Path, problems: Mapping[str, Any] | None,
              grade_fn: GradeFn | None,
              cleanup: tuple[str, ...] = ()) -> Iterator[tuple[str, int, Counter[str]]]:
    """Chunks graded by ``opts.workers`` processes; ``cleanup``: files the workers remove
    if this process dies (its temporary output)."""
    import multiprocessing as mp
    import zlib

    ctx: Any = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    k = opts.workers
    by_student = directory is not None and has_students(directory)
    key = _partition_key(by_student)
    conns: list[Any] = []
    procs: list[Any] = []
    for _ in range(k):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, list(conns), os.getpid(), cleanup,
                                                 opts, directory, base, problems, grade_fn),
                           daemon=True)
        proc.start()
        child.close()
        conns.append(parent)
        procs.append(proc)

    # The parent answers repeated answers from its own cache of result tails; only the
    # first occurrence of an answer (and rows with errors) travels to a worker.
    tails: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}
    students_matter = by_student

    Sent = tuple[list[InputRow], list[Any], list[list[Any]]]

    def send(chunk: list[InputRow]) -> Sent:
        # a row's cache key: (problem, student where variants are per student, part, answer);
        # None for a row with an error (never cached: it is sent with its position)
        keys: list[Any] = [None if r.error is not None else
                           (r.problem, r.student if students_matter else "", r.part, r.answer)
                           for r in chunk]
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
            try:
                answer = conn.recv()
            except (EOFError, OSError) as e:
                raise _died(procs, e) from None
            if isinstance(answer, tuple):  # ("crash", why)
                raise _died(procs, str(answer[1]))
            for want, got in zip(wanted, answer, strict=True):
                local[want] = got
                if not isinstance(want, int) and len(tails) < options.CACHE_LIMIT:
                    tails[want] = got
        lines: list[str] = []
        statuses: list[str] = []
        add_line, add_status = lines.append, statuses.append
        students: dict[str, str] = {}
        hits = 0
        for i, (r, ck) in enumerate(zip(chunk, keys, strict=True)):
            found = local.get(i if ck is None else ck)
            if found is None:
                found = tails[ck]
                hits += 1
            student = students.get(r.student)
            if student is None:
                student = students[r.student] = csv_field(text_cell(r.student))
            add_line(f"{r.row},{student},{found[0]}")
            add_status(found[1])
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
    stopped = False
    try:
        while True:
            kind, payload = sent.get()
            if kind == "end":
                break
            if kind == "fail":
                if isinstance(payload, OSError):  # a send to a worker that is gone
                    raise _died(procs, payload) from None
                raise payload
            yield receive(*payload)
        feeder.join()
        stopped = True
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.send(None) if stopped else conn.close()
        for proc in procs:
            if not stopped:
                proc.kill()
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
