"""Batch grading: a class's answers in, one result row per input answer out, nothing lost.

Input is CSV, TSV, Excel (.xlsx) or JSON lines, read as a stream in chunks (bounded
memory). Each input row becomes one result row (in wide format, one per part column), in
input order, with the input ``row`` number, so every row is accounted for:

- ``correct`` / ``incorrect``: graded, with score, misconception ids and feedback;
- ``unreadable``: the answer could not be read (no score: it needs a new answer);
- ``error``: the row could not be graded (unknown problem, malformed row, internal failure),
  with a ``reason``; never a 0 (P5).

Per-row failures are isolated; results are cached per (problem, part, answer text), since a
class repeats answers, and the per-problem preparation is the grader's own cache. With
``workers > 1`` the file is cut into blocks that every worker process parses, each grading
the rows of its own problems (:mod:`.split`, :mod:`.pool`); the output is byte-identical
whatever the number of workers.

>>> import tempfile, pathlib, csv
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "in.csv").write_text("student_id,problem,answer\\ns1,p1,42\\ns2,nope,1\\n")
>>> fake = lambda problem, answer, part: SimpleResult("correct", 1.0, (), "Correct.")
>>> stats = grade_file(d / "in.csv", d / "out.csv", BatchOptions(), problems={"p1": "P1"},
...                    grade_fn=fake)
>>> with open(d / "out.csv", newline="") as f:
...     [(r["student_id"], r["status"], r["reason"]) for r in csv.DictReader(f)]
[('s1', 'correct', ''), ('s2', 'error', "unknown problem 'nope'")]
>>> stats.rows, stats.by_status
(2, {'correct': 1, 'error': 1})
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import split
from .files import AtomicText, check_outputs
from .frame import frame_lines, grade_frame, internal_options, rows_frame
from .grading import GradeFn
from .options import RESULT_COLUMNS, BatchOptions, BatchStats, InputRow, SimpleResult
from .pool import parallel
from .problems import ProblemIndex
from .read import Columns, read_chunks, read_rows

#: allocations between two young-generation collections while grading (Python's is 700)
GC_THRESHOLD = 50_000

__all__ = [
    "RESULT_COLUMNS",
    "AtomicText",
    "BatchOptions",
    "BatchStats",
    "InputRow",
    "ProblemIndex",
    "SimpleResult",
    "check_outputs",
    "frame_lines",
    "grade_frame",
    "grade_file",
    "read_rows",
    "rows_frame",
]


def grade_file(submissions: Path, out: Path, opts: BatchOptions, *,
               problems_dir: Path | None = None, problems: Mapping[str, Any] | None = None,
               grade_fn: GradeFn | None = None, progress: bool = False) -> BatchStats:
    """Grade every row of ``submissions`` into the results CSV ``out`` (atomically)."""
    submissions, out = Path(submissions), Path(out)
    check_outputs([submissions], [out], protected=[problems_dir])
    base = submissions.parent
    stats = BatchStats()
    counts: Counter[str] = Counter()
    bar = _progress_bar(submissions) if progress else None
    update = bar.update if bar is not None else None
    atomic = AtomicText(out)
    with atomic as f, fewer_collections():
        f.write(",".join(RESULT_COLUMNS) + "\n")
        for text, hits, chunk_counts in _graded(submissions, opts, problems_dir, base, problems,
                                                grade_fn, update, (atomic.tmp,)):
            if isinstance(text, bytes):  # the workers' lines, encoded as written
                f.flush()
                f.buffer.write(text)
            else:
                f.write(text)
            stats.cache_hits += hits
            counts.update(chunk_counts)
    if bar is not None:
        bar.render_finish()
    stats.rows = sum(counts.values())
    stats.by_status = dict(sorted(counts.items()))
    return stats


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector run less often while a batch is graded (then as before).

    A batch allocates millions of small acyclic objects (rows, cells, result lines); at the
    default threshold the collector runs every 700 allocations and traverses every live
    object, the result caches included, at each full pass: about a third of the reading
    time. What is alive before the batch is frozen (never traversed); the workers, forked
    here, inherit both settings. Cycles are still collected, less often.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _graded(submissions: Path, opts: BatchOptions, directory: Path | None, base: Path,
            problems: Mapping[str, Any] | None, grade_fn: GradeFn | None,
            update: Callable[[int], None] | None,
            cleanup: tuple[str, ...] = ()) -> Iterator[tuple[str | bytes, int, Counter[str]]]:
    if opts.engine == "dask":
        from .dask_engine import graded_on_dask

        chunks = read_chunks(submissions, opts, opts.chunk_size, update)
        yield from graded_on_dask(chunks, opts, directory, base, problems, grade_fn)
        return
    if opts.workers > 1:
        work = split.work(submissions, opts, opts.chunk_size, update)
        try:
            Columns(work.header, opts, submissions)  # a missing column: before any worker
            first = list(itertools.islice(work.units, 2))
            if len(first) > 1 or (first and _lines(first[0]) >= opts.chunk_size):
                yield from parallel(work._replace(units=itertools.chain(first, work.units)),
                                    opts, submissions, directory, base, problems, grade_fn,
                                    cleanup)
                return
        finally:
            work.close()
        update = None  # small input: no processes (and the file was read once already)
    # each chunk is a DataFrame graded by grade_frame, as on Dask (one grader here)
    index = ProblemIndex(directory, base, problems)
    inner = internal_options(opts)
    for chunk in read_chunks(submissions, opts, opts.chunk_size, update):
        out = grade_frame(rows_frame(chunk), index, inner, grade_fn=grade_fn)
        yield frame_lines(out), 0, Counter(out["status"].tolist())


def _lines(unit: split.Unit) -> int:
    return unit.stop - unit.first if isinstance(unit, split.Block) else len(unit)


def _progress_bar(path: Path) -> Any:
    if not sys.stderr.isatty():
        return None
    import click

    bar = click.progressbar(length=max(path.stat().st_size, 1), label="grading",
                            file=sys.stderr)
    bar.__enter__()
    return bar
