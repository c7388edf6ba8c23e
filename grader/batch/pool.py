"""Worker processes: every worker reads every unit of work, grades the records of its own
problems, and the parent merges their lines back in input order."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from generator.errors import ConfigError

from .grading import GradeFn, Grader
from .options import BatchOptions
from .partition import Partition, ResultLines
from .problems import ProblemIndex, has_students
from .read import Columns
from .split import Block, Dialect, Work

__all__ = ["WorkerDied", "parallel"]

# -- worker processes ----------------------------------------------------------------------
# Records are partitioned by problem (stable CRC32), so each problem is prepared, and each
# distinct answer graded, in one process only. Each worker parses every block of the file
# (the C csv reader: cheap), so the parent only reads lines, merges and writes; preparing the
# problems on the first block and grading the later ones go on in both workers at once.

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
            me: int, part: Partition, header: list[str], dialect: Dialect | None,
            opts: BatchOptions, path: Path,
            directory: Path | None, base: Path, problems: Mapping[str, Any] | None,
            grade_fn: GradeFn | None) -> None:
    """Read every unit of work, grade the records of this worker's problems, and send back
    one entry per record (its result lines, ``""`` for another worker's record).

    Never prints a traceback: a closed pipe (the parent is gone or stopping) ends it
    quietly, any other failure is sent to the parent as ``("crash", why)``.
    """
    _die_with_parent(parent, cleanup)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for c in inherited:  # the parent's ends of earlier workers' pipes: close, or the
        c.close()        # parent's death would not reach those workers as end-of-file
    try:
        g = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)
        lines = ResultLines(g, Columns(header, opts, path), part, me)
        while True:
            unit = conn.recv()
            if unit is None:
                break
            records = dialect.records(unit) if isinstance(unit, Block) and dialect else unit
            conn.send(("ok", *lines.entries(records)))
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


def parallel(work: Work, opts: BatchOptions, path: Path, directory: Path | None,
             base: Path, problems: Mapping[str, Any] | None, grade_fn: GradeFn | None,
             cleanup: tuple[str, ...] = ()) -> Iterator[tuple[bytes, int, Counter[str]]]:
    """The units of ``work`` graded by ``opts.workers`` processes, each unit's result lines
    in input order (UTF-8); ``cleanup``: files the workers remove if this process dies (its
    temporary output)."""
    import multiprocessing as mp

    ctx: Any = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    k = opts.workers
    part = Partition(k, directory is not None and has_students(directory))
    conns: list[Any] = []
    procs: list[Any] = []
    for me in range(k):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, list(conns), os.getpid(), cleanup, me,
                                                 part, work.header, work.dialect, opts, path,
                                                 directory, base, problems, grade_fn),
                           daemon=True)
        proc.start()
        child.close()
        conns.append(parent)
        procs.append(proc)

    def receive() -> tuple[bytes, int, Counter[str]]:
        """One unit's results from every worker, merged back into input order."""
        entries: list[list[bytes]] = []
        hits = 0
        counts: Counter[str] = Counter()
        for conn in conns:
            try:
                answer = conn.recv()
            except (EOFError, OSError) as e:
                raise _died(procs, e) from None
            if answer[0] == "crash":
                raise _died(procs, str(answer[1]))
            entries.append(answer[1])
            hits += answer[2]
            counts += answer[3]
        return b"".join(chain.from_iterable(zip(*entries, strict=True))), hits, counts

    # A feeder thread reads and sends every unit to every worker; this thread receives and
    # yields. Workers blocked on sending a large result are always drained, so the pipes
    # cannot deadlock.
    import queue
    import threading

    sent: queue.Queue[Any] = queue.Queue(maxsize=2)

    def feed() -> None:
        try:
            for unit in work.units:
                data = pickle.dumps(unit, pickle.HIGHEST_PROTOCOL)
                for conn in conns:
                    conn.send_bytes(data)
                sent.put(("unit", None))
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
            yield receive()
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
