"""CSV/TSV records that survive broken quoting: one bad row never swallows the rows after it.

Python's ``csv`` module reads an unclosed quote to the end of the file, taking every later
row into one cell. Here records are parsed with ``strict=True`` from a line source that can
give lines back: when a record breaks the quoting (an unclosed quote, text after a closing
quote, a quoted cell running over more than :data:`MAX_RECORD_LINES` lines or over lines
that look like rows of their own), only its first line becomes an ``unreadable`` record and
reading goes on at the next line. Every record carries the number of its first line.

>>> import io
>>> text = 's,p,a\\ns0,P,1\\ns2,P,"1792\\ns3,P,3\\ns4,P,"4\\n"2"x\\ns5,P,"4\\n2"\\n'
>>> header, recs = records(io.StringIO(text), ",")
>>> [(n, f, s) for n, f, s, _ in recs]  # doctest: +NORMALIZE_WHITESPACE
[(2, ['s0', 'P', '1'], None), (3, ['s2', 'P', '1792'], 'unreadable'),
 (4, ['s3', 'P', '3'], None), (5, ['s4', 'P', '4'], 'unreadable'),
 (6, ['2x'], 'unreadable'), (7, ['s5', 'P', '4\\n2'], None)]
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from typing import IO, Protocol

from .encoding import has_invalid, shown

__all__ = ["MAX_RECORD_LINES", "PLAIN_RUN", "LineSource", "Readable", "Record", "block_records",
           "header_split", "record_batches", "records", "rest_batches", "row_like"]

#: a quoted cell may hold line breaks (a pasted calculation), but no more than this many
MAX_RECORD_LINES = 50
#: lines without quotes parsed in one ``csv.reader`` call (they cannot span lines)
PLAIN_RUN = 4096

#: (first line number, fields or None, status of a broken record or None, reason)
Record = tuple[int, list[str] | None, str | None, str | None]


class _TooLong(Exception):
    pass


class Readable(Protocol):
    def readlines(self, hint: int = -1, /) -> list[str]: ...


#: characters of lines read at a time
READ_HINT = 1 << 16


class _Lines:
    """Physical lines for ``csv.reader``, numbered, with lines given back after a bad record.

    A class (not a generator) so that it can hand out lines again after reaching the end.
    Lines are read from the file in batches (``readlines``); ``number`` is that of the last
    line handed out, and lines given back are the ones just before the next line read.
    """

    def __init__(self, f: Readable) -> None:
        self.f = f
        self.back: list[tuple[int, str]] = []  # a stack: next line last
        self.buf: list[str] = []
        self.pos = 0
        self.number = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def _fill(self) -> bool:
        if self.pos >= len(self.buf):
            self.buf, self.pos = self.f.readlines(READ_HINT), 0
        return bool(self.buf)

    def __next__(self) -> str:
        if len(self.taken) >= MAX_RECORD_LINES:
            raise _TooLong
        if self.back:
            item = self.back.pop()
        else:
            if not self._fill():
                raise StopIteration
            self.number += 1
            item = (self.number, self.buf[self.pos])
            self.pos += 1
        self.taken.append(item)
        return item[1]

    def give_back(self, items: list[tuple[int, str]]) -> None:
        self.back.extend(reversed(items))

    def take(self, most: int) -> tuple[int, list[str]]:
        """The number of the next line and up to ``most`` lines from it (none when lines
        were given back: those go first, line by line)."""
        if self.back or not self._fill():
            return self.number + 1, []
        run = self.buf[self.pos:self.pos + most]
        self.pos += len(run)
        self.number += len(run)
        return self.number - len(run) + 1, run

    def unread(self) -> tuple[int, list[str]]:
        """The number of the next line and the lines read from the file but not handed out
        (given back or buffered)."""
        back = [line for _, line in reversed(self.back)]
        return self.number - len(back) + 1, back + self.buf[self.pos:]

    def plain(self, most: int) -> tuple[int, list[str]]:
        """The number of the next line and up to ``most`` lines from it without a quote (or
        NUL), each exactly one record: the common case, parsed in bulk. Stops before a line
        with one (it stays next)."""
        back = self.back
        first = back[-1][0] if back else self.number + 1
        run: list[str] = []
        while back and len(run) < most:  # lines given back: one at a time
            line = back[-1][1]
            if '"' in line or "\0" in line:
                return first, run
            back.pop()
            run.append(line)
        while len(run) < most and self._fill():
            buf, pos = self.buf, self.pos
            end = min(len(buf), pos + most - len(run))
            j = pos
            while j < end and '"' not in buf[j] and "\0" not in buf[j]:
                j += 1
            run += buf[pos:j]
            self.number += j - pos
            self.pos = j
            if j < end:
                break
        return first, run


class LineSource:
    """``readlines`` over an iterator of lines (``[]`` at the end)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines

    def readlines(self, hint: int = -1, /) -> list[str]:
        return list(itertools.islice(self.lines, max(hint // 64, 1)))


def row_like(line: str, delimiter: str, n: int) -> bool:
    """A line with a row's worth of delimiters (a header of ``n`` fields). As a continuation
    line it means a quote was left open, so such a line always starts a record."""
    return n >= 3 and line.count(delimiter) >= n - 1


def records(f: IO[str], delimiter: str, invalid: str = "bytes not valid in the file's encoding",
            progress: Callable[[], None] | None = None) -> tuple[list[str], Iterator[Record]]:
    """The header's fields and the records after it (``invalid``: the reason given to a row
    with undecodable bytes, see :mod:`.encoding`)."""
    head, batches = record_batches(f, delimiter, invalid, progress)
    return head, itertools.chain.from_iterable(batches)


def record_batches(f: IO[str], delimiter: str,
                   invalid: str = "bytes not valid in the file's encoding",
                   progress: Callable[[], None] | None = None
                   ) -> tuple[list[str], Iterator[list[Record]]]:
    """:func:`records` in lists of up to :data:`PLAIN_RUN` (no per-row generator step)."""
    parser = _Parser(_Lines(f), delimiter, invalid)
    head = parser.header()
    if head is None:
        return [], iter(())
    return head, parser.batches(progress)


def header_split(f: IO[str], delimiter: str) -> tuple[list[str], int, list[str]] | None:
    """The header record, the number of the line after it and the lines already read past
    it (to be read before the rest of ``f``); None for an empty file."""
    lines = _Lines(f)
    head = _Parser(lines, delimiter, "").header()
    if head is None:
        return None
    first, unread = lines.unread()
    return head, first, unread


def rest_batches(rest: Readable, first: int, delimiter: str, n: int,
                 invalid: str, progress: Callable[[], None] | None = None
                 ) -> Iterator[list[Record]]:
    """The records of the lines of ``rest`` (numbered from ``first``, the first one starting a
    record), under a header of ``n`` fields: the tail of :func:`record_batches`."""
    lines = _Lines(rest)
    lines.number = first - 1
    parser = _Parser(lines, delimiter, invalid)
    parser.n = n
    return parser.batches(progress)


def block_records(text: str, first: int, stop: int, delimiter: str, n: int,
                  invalid: str) -> list[Record]:
    """The records that start on lines ``first`` to ``stop - 1`` of ``text`` (lines from
    ``first``, where a record starts, running :data:`MAX_RECORD_LINES` lines past ``stop``
    or to the end of the file), as :func:`record_batches` reads them: how a worker parses
    its block of a file (:mod:`.split`)."""
    out: list[Record] = []
    for batch in rest_batches(io.StringIO(text, newline=""), first, delimiter, n,
                              invalid):
        if batch[-1][0] >= stop:
            out += [r for r in batch if r[0] < stop]
            break
        out += batch
    return out


class _Parser:
    """Records from numbered lines: quote-free runs in bulk, the rest through the strict reader."""

    def __init__(self, lines: _Lines, delimiter: str, invalid: str) -> None:
        self.lines = lines
        self.delimiter = delimiter
        self.invalid = invalid
        self.reader = csv.reader(lines, delimiter=delimiter, strict=True)
        self.n = 0  # fields of the header

    def _next(self) -> tuple[list[str] | None, list[tuple[int, str]], str | None]:
        lines = self.lines
        lines.taken = []
        try:
            fields = next(self.reader)
        except StopIteration:
            raise
        except _TooLong:
            return None, lines.taken, f"a quoted cell runs over {MAX_RECORD_LINES} lines"
        except csv.Error as e:
            return None, lines.taken, str(e)
        return fields, lines.taken, None

    def _loose(self, line: str) -> list[str]:
        """The cells of a broken line, read leniently (ids for the row's owner)."""
        return next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter), [])

    def _broken(self, taken: list[tuple[int, str]], why: str) -> Record:
        (number, first), rest = taken[0], taken[1:]
        self.lines.give_back(rest)
        return (number, [shown(c) for c in self._loose(first)], "unreadable",
                f"malformed row (line {number}): {why}; an unclosed or stray quote?")

    def header(self) -> list[str] | None:
        """The header's fields (a broken header read leniently); None at the end."""
        try:
            head, taken, _ = self._next()
        except StopIteration:
            return None
        if head is None:
            head = self._loose(taken[0][1])
            self.lines.give_back(taken[1:])
        self.n = len(head)
        return head

    def _whole(self, run: list[str]) -> list[list[str]] | None:
        """The records of ``run`` parsed by one reader call, if each line is one record
        (quotes closed on their line: the common case); None if not."""
        if not run:
            return None
        try:
            rows = list(csv.reader(run, delimiter=self.delimiter, strict=True))
        except csv.Error:
            return None
        # each record takes one line or more: as many records as lines, one line each
        return rows if len(rows) == len(run) else None

    def _plain(self, first: int, run: list[str], out: list[Record],
               parsed: list[list[str]] | None = None) -> None:
        """Lines that are one record each (``parsed``, or parsed here by one reader call:
        lines without a quote); a blank line is none."""
        rows = zip(itertools.count(first), parsed if parsed is not None else
                   csv.reader(run, delimiter=self.delimiter, strict=True))
        if not has_invalid("".join(run)):
            out += [(number, fields, None, None) for number, fields in rows
                    if len(fields) > 1 or (fields and fields[0].strip())]
            return
        for line, (number, fields) in zip(run, rows, strict=True):
            if len(fields) > 1 or (fields and fields[0].strip()):
                out.append((number, [shown(c) for c in fields], "error", self.invalid)
                           if has_invalid(line) else (number, fields, None, None))

    def _quoted(self) -> Record | None:
        """The next record through the strict reader; raises StopIteration at the end."""
        fields, taken, error = self._next()
        if not taken:
            raise StopIteration
        if fields is None:
            return self._broken(taken, error or "broken quoting")
        if len(taken) > 1 and any(row_like(line, self.delimiter, self.n)
                                  for _, line in taken[1:]):
            return self._broken(taken, "a quoted cell runs over lines that look like rows")
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            return None  # a blank line
        number = taken[0][0]
        if any(has_invalid(line) for _, line in taken):
            return number, [shown(c) for c in fields], "error", self.invalid
        return number, fields, None, None

    def batches(self, progress: Callable[[], None] | None) -> Iterator[list[Record]]:
        """The records after the header, in lists of up to :data:`PLAIN_RUN`."""
        lines = self.lines
        count = 0
        while True:
            out: list[Record] = []
            while len(out) < PLAIN_RUN:
                first, run = lines.take(PLAIN_RUN)
                rows = self._whole(run)
                if rows is None:  # a record over lines, or broken quoting: line by line
                    lines.give_back(list(zip(itertools.count(first), run)))
                    first, run = lines.plain(PLAIN_RUN)
                if run:
                    self._plain(first, run, out, rows)
                    taken = len(run)
                else:
                    try:
                        record = self._quoted()
                    except StopIteration:
                        if out:
                            yield out
                        return
                    if record is not None:
                        out.append(record)
                    taken = 1
                if progress is not None and (count + taken) // 1024 > count // 1024:
                    progress()
                count += taken
            yield out
