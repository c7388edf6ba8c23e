"""Reading submissions: CSV/TSV, JSON lines and Excel as a stream of input rows."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from generator.errors import ConfigError
from generator.parts import parse_part, split_of, wide_columns

from . import csv_records
from .csv_records import Record
from .encoding import MARK, detect, has_invalid, invalid_reason
from .options import MAX_FIELD, BatchOptions, InputRow

__all__ = ["Columns", "CsvFile", "Record", "is_csv", "open_csv", "parse_delimiter", "read_chunks",
           "read_records", "read_rows"]


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def is_csv(path: Path) -> bool:
    """Whether ``path`` is read as CSV/TSV text (not Excel or JSON lines)."""
    return _suffix(path) not in (".xlsx", ".xlsm", ".jsonl", ".ndjson")


def _cell_text(value: Any) -> str:
    """An Excel or JSON value as the text a student typed (1792.0 -> '1792')."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: an empty cell
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def parse_delimiter(value: str | None) -> str | None:
    """A --delimiter value: one character, or ``\\t``/``tab`` for a tab.

    >>> parse_delimiter(";"), parse_delimiter("\\t"), parse_delimiter(None)
    (';', '\\t', None)
    >>> parse_delimiter("ab")
    Traceback (most recent call last):
    generator.errors.ConfigError: --delimiter must be one character (or \\t for a tab); received 'ab'.
    """
    if value is None:
        return None
    char = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(value, value)
    if len(char) != 1 or char in "\"\r\n" or (char.isalnum() and char.isascii()):
        raise ConfigError("--delimiter must be one character (or \\t for a tab); "
                          f"received {value!r}.")
    return char


def read_records(path: Path, opts: BatchOptions, progress: Callable[[int], None] | None
                 ) -> tuple[list[str], Iterator[list[Record]], Callable[[], None]]:
    """The header, (row number, fields or None, status, reason) per record in lists (a
    batch at a time: no generator step per row), and a closer."""
    if is_csv(path):
        return _csv_records(path, opts, progress)
    if _suffix(path) in (".xlsx", ".xlsm"):
        header, items, close = _excel_records(path, opts)
    else:
        header, items, close = _jsonl_records(path, progress)
    return header, _batched(items), close


def _batched(items: Iterator[Any], size: int = csv_records.PLAIN_RUN) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _delimiter(first_line: str, path: Path, given: str | None) -> str:
    """The given delimiter; else tab for .tsv/.tab, else the header's comma, tab or ';'."""
    if given is not None:
        return parse_delimiter(given) or ","
    if _suffix(path) in (".tsv", ".tab"):
        return "\t"
    for candidate in (",", "\t", ";"):
        if candidate in first_line:
            return candidate
    return ","


class CsvFile(NamedTuple):
    """An open CSV/TSV file: its bytes, the decoded text over them, delimiter and the reason
    given to a row with bytes not valid in its encoding."""

    raw: IO[bytes]
    text: io.TextIOWrapper
    delimiter: str
    invalid: str

    def header(self, fields: list[str], path: Path) -> list[str]:
        """The header's column names; a header with undecodable bytes is refused."""
        if any(has_invalid(h) for h in fields):
            self.text.close()
            raise ConfigError(f"{path}: the header row has {self.invalid}.")
        return [h.strip() for h in fields]

    def ticker(self, progress: Callable[[int], None] | None) -> Callable[[], None]:
        """A callable that reports the bytes read since its last call to ``progress``."""
        last = 0

        def tick() -> None:
            nonlocal last
            if progress is not None:
                pos = self.raw.tell()
                progress(pos - last)
                last = pos

        return tick


def open_csv(path: Path, opts: BatchOptions) -> CsvFile:
    csv.field_size_limit(MAX_FIELD)
    raw = open(path, "rb")  # noqa: SIM115 - closed with the text returned
    encoding = detect(raw.read(4096), opts.encoding)
    raw.seek(0)
    try:
        text = io.TextIOWrapper(raw, encoding=encoding, errors=MARK, newline="")
        first = text.readline()
        text.seek(0)
    except LookupError:
        raw.close()
        raise ConfigError(f"unknown encoding {opts.encoding!r} (try utf-8, cp1252, latin-1)."
                          ) from None
    return CsvFile(raw, text, _delimiter(first, path, opts.delimiter), invalid_reason(encoding))


def _csv_records(path: Path, opts: BatchOptions,
                 progress: Callable[[int], None] | None
                 ) -> tuple[list[str], Iterator[list[Record]], Callable[[], None]]:
    f = open_csv(path, opts)
    try:
        header, body = csv_records.record_batches(f.text, f.delimiter, f.invalid,
                                                  f.ticker(progress))
    except Exception:
        f.text.close()
        raise
    return f.header(header, path), body, f.text.close


def _json(line: bytes) -> Any:
    """One JSON line, strictly UTF-8; integers kept as their digits (no 4,300-digit limit,
    no float rounding: a huge number is one row's unreadable answer, never a crash)."""
    return json.loads(line.removeprefix(b"\xef\xbb\xbf").decode("utf-8"), parse_int=str)


def _jsonl_records(path: Path, progress: Callable[[int], None] | None
                   ) -> tuple[list[str], Iterator[Record], Callable[[], None]]:
    """JSON lines: the header is the union of keys, in first-seen order (one pre-pass)."""
    header: dict[str, None] = {}
    with open(path, "rb") as f:
        for line in f:
            try:
                data = _json(line)
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                continue
            if isinstance(data, dict):
                header.update(dict.fromkeys(str(k) for k in data))
    columns = list(header)

    def records() -> Iterator[Record]:
        with open(path, "rb") as f:
            for i, line in enumerate(f, 1):
                if progress is not None:
                    progress(len(line))
                if not line.strip():
                    continue
                try:
                    data = _json(line)
                except UnicodeDecodeError:
                    yield i, None, "error", invalid_reason("utf-8")
                    continue
                except (ValueError, RecursionError) as e:
                    yield i, None, "error", f"malformed JSON line: {str(e)[:100]}"
                    continue
                if not isinstance(data, dict):
                    yield i, None, "error", "malformed JSON line: not an object"
                    continue
                values = {str(k): _cell_text(v) for k, v in data.items()}
                yield i, [values.get(c, "") for c in columns], None, None

    return columns, records(), lambda: None


def _excel_records(path: Path, opts: BatchOptions
                   ) -> tuple[list[str], Iterator[Record], Callable[[], None]]:
    """An .xlsx sheet read through pandas (openpyxl), as typed: a formula is its text.

    A file that is not a workbook (not a zip, an XML entity bomb, which expat's
    amplification limit stops, a missing sheet) is refused with the reason.
    """
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=opts.sheet or 0, header=None, dtype=object,
                              engine="openpyxl", engine_kwargs={"data_only": False})
    except Exception as e:  # zipfile, XML and openpyxl errors of a hostile file
        raise ConfigError(f"{path}: not a readable Excel workbook ({type(e).__name__}: "
                          f"{str(e)[:200]}).") from None
    values = frame.to_numpy(dtype=object).tolist()
    header = [_cell_text(h).strip() for h in values[0]] if values else []

    def records() -> Iterator[Record]:
        for i, row in enumerate(values[1:], 2):
            cells = [_cell_text(v) for v in row]
            if any(c.strip() for c in cells):
                yield i, cells, None, None

    return header, records(), lambda: None


def read_rows(path: Path, opts: BatchOptions,
              progress: Callable[[int], None] | None = None) -> Iterator[InputRow]:
    """Input rows mapped to (student, problem, part, answer); wide rows give one per part."""
    for batch in _row_batches(path, opts, progress):
        yield from batch


def read_chunks(path: Path, opts: BatchOptions, size: int,
                progress: Callable[[int], None] | None = None) -> Iterator[list[InputRow]]:
    """:func:`read_rows` in lists of ``size`` rows (the last one shorter)."""
    chunk: list[InputRow] = []
    for batch in _row_batches(path, opts, progress):
        chunk += batch
        while len(chunk) >= size:
            yield chunk[:size]
            chunk = chunk[size:]
    if chunk:
        yield chunk


def _row_batches(path: Path, opts: BatchOptions,
                 progress: Callable[[int], None] | None) -> Iterator[list[InputRow]]:
    header, batches, close = read_records(Path(path), opts, progress)
    try:
        yield from _mapped(header, batches, opts, path)
    finally:
        close()


def _mapped(header: list[str], batches: Iterator[list[Record]], opts: BatchOptions,
            path: Path) -> Iterator[list[InputRow]]:
    columns = Columns(header, opts, path)
    for batch in batches:
        rows: list[InputRow] = []
        for record in batch:
            rows += columns.rows(record)
        yield rows


class Columns:
    """Where a file's columns are: its records turned into input rows (a wide row gives one
    row per part). Built once per file; a missing column is refused here."""

    def __init__(self, header: Sequence[str], opts: BatchOptions, path: Path) -> None:
        _check_columns(header, opts, path)
        pos = {name: i for i, name in reversed(list(enumerate(header)))}  # first column wins
        self.width = len(header)
        self.si, self.pi = pos[opts.student], pos.get(opts.problem, -1)
        self.ai, self.ti = pos.get(opts.answer, -1), pos.get(opts.part, -1)
        self.default = opts.default_part
        self.answer_column = opts.answer
        # a pair's two numbers may come in two columns: one answer (generator.parts.split_of)
        self.wide = [([pos[c] for c in cols], part)
                     for part, cols in wide_columns(opts.wide)] if opts.wide else None

    def who(self, fields: list[str] | None) -> tuple[str, str]:
        """(student, problem) of a record's fields."""
        if fields is None:
            return "", ""
        n = len(fields)
        pi = self.pi
        return (fields[self.si].strip() if self.si < n else "",
                fields[pi].strip() if 0 <= pi < n else "")

    def result_cells(self, record: Record, with_student: bool) -> tuple[str, ...] | None:
        """The cells that decide a record's result columns after its line number and student
        id, when the record is one plain row (not wide, as many fields as the header, read
        without a problem); None otherwise. ``with_student``: the student's cell too (a
        roster gives each student their own variants)."""
        fields = record[1]
        if record[2] is not None or fields is None or self.wide is not None \
                or len(fields) != self.width:
            return None
        pi, ti = self.pi, self.ti
        return (fields[pi] if pi >= 0 else "", fields[ti] if ti >= 0 else "", fields[self.ai],
                fields[self.si] if with_student else "")

    def rows(self, record: Record) -> list[InputRow]:
        number, fields, status, error = record
        if fields is None:
            return [InputRow(number, "", "", self.default, None, error, status or "error")]
        n = len(fields)
        if status is None and n > self.width:
            status, error = "error", (f"malformed row: {n} fields, the header has {self.width} "
                                      "(an unquoted comma in an answer?)")
        student, problem = self.who(fields)
        if self.wide is not None:
            out = []
            for idx, part in self.wide:
                cells = [fields[i] if i < n else None for i in idx]
                given = [c for c in cells if c is not None]
                answer = cells[0] if len(cells) == 1 else None if len(given) < len(cells) else (
                    split_of(parse_part(part), given))
                out.append(InputRow(number, student, problem, part, answer, error,
                                    status or "error"))
            return out
        ti = self.ti
        part = (fields[ti].strip() if 0 <= ti < n else "") or self.default
        answer = fields[self.ai] if self.ai < n else None
        if error is None and answer is None:
            error = f"row has {n} fields: no '{self.answer_column}' value"
        # InputRow(...) without the named tuple's Python-level __new__ (every field given)
        return [_new_row(InputRow, (number, student, problem, part, answer, error,
                                    status or "error"))]


_new_row = tuple.__new__


def _check_columns(header: Sequence[str], opts: BatchOptions, path: Path) -> None:
    """A missing column is an author error for the whole file (it would fail every row)."""
    need = [opts.student] + (list(opts.wide) if opts.wide else [opts.answer])
    missing = [c for c in need if c not in header]
    if missing:
        raise ConfigError(
            f"{path}: no column {', '.join(repr(m) for m in missing)}; its columns are "
            f"{', '.join(repr(c) for c in list(header)[:20]) or 'none'}. Map yours with "
            "--student-col, --problem-col, --answer-col, --part-col (or --wide COLUMN=PART).")
