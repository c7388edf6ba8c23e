"""The grading workers' work: a file's records, as blocks of lines they parse themselves.

A CSV/TSV file is cut here into blocks of about ``chunk_size`` lines. Every worker gets every
block, parses it (the C ``csv`` reader, :func:`.csv_records.block_records`) and grades the
rows of its own problems (:mod:`.pool`), so this process only reads lines and writes
results. A block ends only before a line where a record must start, so that each worker
reads the records one pass over the file would:

- a line with a row's worth of delimiters (:func:`.csv_records.row_like`): as the
  continuation of a quoted cell it would break that record, so it always starts one; or
- a line after ``MAX_RECORD_LINES - 1`` lines without a quote or NUL: only a line with a
  quote runs on, and no record is longer than :data:`.csv_records.MAX_RECORD_LINES` lines.

A block travels with the ``MAX_RECORD_LINES`` lines after it, so a broken record near its
end is judged on the lines one pass would see. When no such line comes within
:data:`EXTRA` lines (two columns with every cell quoted), the rest of the file is parsed
here and sent as records, as JSON lines and Excel always are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple

from . import csv_records
from .csv_records import MAX_RECORD_LINES, Record, row_like
from .options import BatchOptions
from .read import is_csv, open_csv, read_records

__all__ = ["EXTRA", "Block", "Dialect", "Unit", "Work", "work"]

#: lines read past a block's size looking for a line where a record must start
EXTRA = 1000


class Dialect(NamedTuple):
    """What a worker needs to parse a block as the whole file is parsed."""

    delimiter: str
    fields: int  # of the header
    invalid: str  # the reason given to a row with undecodable bytes

    def records(self, block: Block) -> list[Record]:
        return csv_records.block_records(block.text, block.first, block.stop, self.delimiter,
                                         self.fields, self.invalid)


class Block(NamedTuple):
    """Lines ``first`` to ``stop - 1`` of a file, then up to ``MAX_RECORD_LINES`` more."""

    first: int
    stop: int
    text: str


#: a block of lines, or records read here
Unit = Block | list[Record]


class Work(NamedTuple):
    header: list[str]
    dialect: Dialect | None
    units: Iterator[Unit]
    close: Callable[[], None]


def work(path: Path, opts: BatchOptions, size: int,
         progress: Callable[[int], None] | None = None) -> Work:
    """The header and the units of ``path`` (blocks of about ``size`` lines, or lists of
    about ``size`` records)."""
    if not is_csv(path):
        header, batches, close = read_records(path, opts, progress)
        return Work(header, None, _regrouped(batches, size), close)
    f = open_csv(path, opts)
    try:
        split = csv_records.header_split(f.text, f.delimiter)
    except Exception:
        f.text.close()
        raise
    if split is None:
        return Work([], None, iter(()), f.text.close)
    head, first, back = split
    header = f.header(head, path)
    dialect = Dialect(f.delimiter, len(head), f.invalid)
    units = _blocks(chain(back, f.text), first, dialect, max(size, MAX_RECORD_LINES),
                    f.ticker(progress))
    return Work(header, dialect, units, f.text.close)


def _quiet(lines: list[str]) -> int:
    """How many of the last lines have no quote or NUL (at most ``MAX_RECORD_LINES - 1``)."""
    n = 0
    for line in reversed(lines):
        if '"' in line or "\0" in line or n >= MAX_RECORD_LINES - 1:
            break
        n += 1
    return n


def _blocks(lines: Iterator[str], number: int, d: Dialect, size: int,
            tick: Callable[[], None]) -> Iterator[Unit]:
    block = list(islice(lines, size))
    while block:
        quiet = -1  # counted when first needed
        for extra, line in enumerate(lines):
            if row_like(line, d.delimiter, d.fields):
                break
            if quiet < 0:
                quiet = _quiet(block)
            if quiet >= MAX_RECORD_LINES - 1:
                break
            block.append(line)
            quiet = 0 if '"' in line or "\0" in line else quiet + 1
            if extra >= EXTRA:  # no place to cut: the rest is read here
                rest = csv_records.LineSource(chain(block, lines))
                yield from _regrouped(csv_records.rest_batches(
                    rest, number, d.delimiter, d.fields, d.invalid, tick), size)
                return
        else:  # the end of the file
            yield Block(number, number + len(block), "".join(block))
            tick()
            return
        following = [line, *islice(lines, size - 1)]
        yield Block(number, number + len(block),
                    "".join(block) + "".join(following[:MAX_RECORD_LINES]))
        tick()
        number += len(block)
        block = following


def _regrouped(batches: Iterator[list[Record]], size: int) -> Iterator[list[Record]]:
    """Batches of records joined into lists of at least ``size`` (the last one shorter)."""
    out: list[Record] = []
    for batch in batches:
        out += batch
        if len(out) >= size:
            yield out
            out = []
    if out:
        yield out
