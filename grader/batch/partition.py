"""Which worker grades a record, and a worker's result lines for the records it grades.

Records are partitioned by problem (stable CRC32), so each problem is prepared, and each
distinct answer graded, in one process only. Every worker reads every record of a unit of
work and answers with one entry per record: the CSV lines of its rows for its own records
(UTF-8, as they are written), ``b""`` for the others', so the parent merges the workers'
entries back into input order with one ``zip`` and writes them as they come.
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

from generator.csvsafe import text_cell

from . import options
from .grading import Grader, csv_field
from .read import Columns, Record

__all__ = ["Partition", "ResultLines"]


class Partition:
    """Which worker grades a record: by problem, or by problem and student where variants
    are per student (the problem cell may be "1" for everyone)."""

    def __init__(self, workers: int, by_student: bool) -> None:
        self.workers = workers
        self.by_student = by_student
        self.known: dict[Any, int] = {}  # by the record's raw cells

    def of(self, student: str, problem: str) -> int:
        text = f"{problem}|{student}" if self.by_student else problem
        return zlib.crc32(text.encode("utf-8", "replace")) % self.workers

    def owners(self, records: list[Record], columns: Columns) -> list[int]:
        """The worker of each record (looked up by its raw problem cell, and student cell
        where that matters: a class has few of them)."""
        known = self.known
        if len(known) >= options.CACHE_LIMIT:
            known.clear()
        pi, si = columns.pi, columns.si
        cells: list[Any] = (
            [None if fields is None else (fields[pi] if 0 <= pi < len(fields) else "",
                                          fields[si] if si < len(fields) else "")
             for _, fields, _, _ in records] if self.by_student else
            [None if fields is None else fields[pi] if 0 <= pi < len(fields) else ""
             for _, fields, _, _ in records])
        out = [known.get(c, -1) for c in cells]
        for i, w in enumerate(out):
            if w < 0:
                w = known.get(cells[i], -1)
                if w < 0:
                    w = known[cells[i]] = self.of(*columns.who(records[i][1]))
                out[i] = w
        return out


class ResultLines:
    """A worker's result lines: one entry per record of a unit, its own records graded.

    Most records of a class repeat the cells of an earlier one but for the student and line
    number: their results are cached by those cells (:meth:`.Columns.result_cells`), in
    front of the grader's own cache by input row.
    """

    def __init__(self, grader: Grader, columns: Columns, partition: Partition, me: int) -> None:
        self.grader = grader
        self.columns = columns
        self.partition = partition
        self.me = me
        self.by_cells: dict[tuple[str, ...], tuple[bytes, str]] = {}  # the tail as written
        self.students = bool(grader.index.students)  # the student decides the variant

    def entries(self, records: list[Record]) -> tuple[list[bytes], int, Counter[str]]:
        """(an entry per record, how many rows were answered from a cache, their statuses)."""
        entries: list[bytes] = []
        add = entries.append
        statuses: list[str] = []
        status_of = statuses.append
        ids: dict[str, bytes] = {}  # student cell -> its CSV field
        me, g, by_cells = self.me, self.grader, self.by_cells
        cells_of, rows, line_tail = self.columns.result_cells, self.columns.rows, g.line_tail
        with_student, si = self.students, self.columns.si
        start, quick = g.hits, 0
        for record, owner in zip(records, self.partition.owners(records, self.columns),
                                 strict=True):
            if owner != me:
                add(b"")
                continue
            cells = cells_of(record, with_student)
            found = by_cells.get(cells) if cells is not None else None
            if found is not None:
                fields = record[1]
                assert fields is not None
                student = ids.get(fields[si])
                if student is None:
                    student = ids[fields[si]] = csv_field(text_cell(fields[si].strip())).encode()
                add(b"%d,%b,%b" % (record[0], student, found[0]))
                status_of(found[1])
                quick += 1
                continue
            text = ""
            for r in rows(record):
                tail = line_tail(r)
                text += f"{r.row},{csv_field(text_cell(r.student))},{tail[0]}"
                status_of(tail[1])
                if cells is not None and len(by_cells) < options.CACHE_LIMIT:
                    by_cells[cells] = (tail[0].encode(), tail[1])
            add(text.encode())
        return entries, quick + g.hits - start, Counter(statuses)
