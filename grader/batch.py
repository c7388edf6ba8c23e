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
``workers > 1`` chunks are graded in worker processes (ordered ``imap``); the output is
byte-identical whatever the number of workers.

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

import csv
import io
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .csvsafe import number_cell, text_cell

__all__ = [
    "RESULT_COLUMNS",
    "BatchOptions",
    "BatchStats",
    "InputRow",
    "ProblemIndex",
    "SimpleResult",
    "grade_file",
    "read_rows",
]

#: ``misconceptions`` holds confident diagnoses only (what reports and progress record);
#: ``hedged`` the possible causes offered when the grader cannot tell (never recorded)
RESULT_COLUMNS = ("row", "student_id", "problem", "part", "answer", "status", "score",
                  "misconceptions", "confidence", "hedged", "layers", "layer_types", "feedback",
                  "reason")
MAX_ANSWER = 2000  # characters graded; longer answers are unreadable anyway (parser caps at 64)
MAX_FIELD = 10 * 1024 * 1024
CACHE_LIMIT = 200_000  # cached result lines per process (bounded memory)


@dataclass(frozen=True)
class BatchOptions:
    """Column mapping and grading options."""

    student: str = "student_id"
    problem: str = "problem"
    answer: str = "answer"
    part: str = "part"
    default_part: str = "total"
    #: wide format: column -> part (one row per student, a column per part)
    wide: Mapping[str, str] | None = None
    delimiter: str | None = None
    sheet: str | None = None
    hide_answer: bool = True
    locale: str | None = None
    chunk_size: int = 20_000
    workers: int = 1


class InputRow(NamedTuple):
    """One answer to grade (a tuple: cheap to send to worker processes)."""

    row: int
    student: str
    problem: str
    part: str
    answer: str | None
    error: str | None = None


@dataclass(frozen=True)
class SimpleResult:
    """The fields batch grading reads from a grade result (for stubs and errors)."""

    status: str
    score: float | None
    diagnoses: tuple[Any, ...]
    feedback: str
    reason: str | None = None


@dataclass
class BatchStats:
    rows: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    cache_hits: int = 0


# -- reading -------------------------------------------------------------------------------

def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _cell_text(value: Any) -> str:
    """An Excel or JSON value as the text a student typed (1792.0 -> '1792')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


Record = tuple[int, list[str] | None, str | None]


def _records(path: Path, opts: BatchOptions,
             progress: Callable[[int], None] | None) -> tuple[list[str], Iterator[Record],
                                                                Callable[[], None]]:
    """The header, (row number, fields or None, error) per record in order, and a closer."""
    suffix = _suffix(path)
    if suffix in (".xlsx", ".xlsm"):
        return _excel_records(path, opts)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_records(path, progress)
    return _csv_records(path, opts, progress)


def _csv_records(path: Path, opts: BatchOptions,
                 progress: Callable[[int], None] | None) -> tuple[list[str], Iterator[Record],
                                                                  Callable[[], None]]:
    delimiter = opts.delimiter or ("\t" if _suffix(path) in (".tsv", ".tab") else ",")
    csv.field_size_limit(MAX_FIELD)
    raw = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as e:
        raw.close()
        raise ValueError(f"{path}: cannot read the header row: {e}") from None
    n = len(header)

    def records() -> Iterator[Record]:
        last = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                yield reader.line_num, None, f"malformed row: {e}"
                continue
            if progress is not None and reader.line_num % 1024 == 0:
                pos = raw.tell()
                progress(pos - last)
                last = pos
            if len(fields) > n:
                yield reader.line_num, fields, (
                    f"malformed row: {len(fields)} fields, the header has {n} "
                    "(an unquoted comma in an answer?)")
            elif fields and (len(fields) > 1 or fields[0].strip()):  # skip blank lines
                yield reader.line_num, fields, None

    return header, records(), text.close


def _jsonl_records(path: Path, progress: Callable[[int], None] | None
                   ) -> tuple[list[str], Iterator[Record], Callable[[], None]]:
    """JSON lines: the header is the union of keys, in first-seen order (one pre-pass)."""
    header: dict[str, None] = {}
    with open(path, "rb") as f:
        for line in f:
            try:
                data = json.loads(line.decode("utf-8", errors="replace"))
            except (json.JSONDecodeError, RecursionError, UnicodeDecodeError):
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
                    data = json.loads(line.decode("utf-8", errors="replace"))
                except (json.JSONDecodeError, RecursionError) as e:
                    yield i, None, f"malformed JSON line: {str(e)[:100]}"
                    continue
                if not isinstance(data, dict):
                    yield i, None, "malformed JSON line: not an object"
                    continue
                values = {str(k): _cell_text(v) for k, v in data.items()}
                yield i, [values.get(c, "") for c in columns], None

    return columns, records(), lambda: None


def _excel_records(path: Path, opts: BatchOptions
                   ) -> tuple[list[str], Iterator[Record], Callable[[], None]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    ws = wb[opts.sheet] if opts.sheet else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell_text(h).strip() for h in next(rows, ())]

    def records() -> Iterator[Record]:
        for i, values in enumerate(rows, 2):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield i, cells, None

    return header, records(), wb.close


def read_rows(path: Path, opts: BatchOptions,
              progress: Callable[[int], None] | None = None) -> Iterator[InputRow]:
    """Input rows mapped to (student, problem, part, answer); wide rows give one per part."""
    header, records, close = _records(Path(path), opts, progress)
    try:
        yield from _mapped(header, records, opts, path)
    finally:
        close()


def _mapped(header: list[str], records: Iterator[Record], opts: BatchOptions,
            path: Path) -> Iterator[InputRow]:
    _check_columns(header, opts, path)
    pos = {name: i for i, name in reversed(list(enumerate(header)))}  # first column wins
    si, pi = pos[opts.student], pos.get(opts.problem, -1)
    ai, ti = pos.get(opts.answer, -1), pos.get(opts.part, -1)
    default = opts.default_part
    wide = [(pos[c], part) for c, part in opts.wide.items()] if opts.wide else None
    for number, fields, error in records:
        if fields is None:
            yield InputRow(number, "", "", default, None, error)
            continue
        n = len(fields)
        student = fields[si].strip() if si < n else ""
        problem = fields[pi].strip() if 0 <= pi < n else ""
        if wide is not None:
            for i, part in wide:
                yield InputRow(number, student, problem, part, fields[i] if i < n else None, error)
            continue
        part = (fields[ti].strip() if 0 <= ti < n else "") or default
        answer = fields[ai] if ai < n else None
        if error is None and answer is None:
            error = f"row has {n} fields: no '{opts.answer}' value"
        yield InputRow(number, student, problem, part, answer, error)


def _check_columns(header: Sequence[str], opts: BatchOptions, path: Path) -> None:
    """A missing column is an author error for the whole file (it would fail every row)."""
    need = [opts.student] + (list(opts.wide) if opts.wide else [opts.answer])
    missing = [c for c in need if c not in header]
    if missing:
        from generator.errors import ConfigError

        raise ConfigError(
            f"{path}: no column {', '.join(repr(m) for m in missing)}; its columns are "
            f"{', '.join(repr(c) for c in list(header)[:20]) or 'none'}. Map yours with "
            "--student-col, --problem-col, --answer-col, --part-col (or --wide COLUMN=PART).")


# -- problems ------------------------------------------------------------------------------

class ProblemIndex:
    """Finds the problem of a row: by id in a generated set, by per-student variant, or path.

    ``--problems DIR`` is the output of ``cnnquiz generate`` (or any directory of problem
    JSON files). With a roster, its ``answer_key.json`` maps each student to their variants,
    so the ``problem`` cell may be the question number (``1``, ``q1``) or left empty when
    each student has one problem.
    """

    def __init__(self, directory: Path | None = None, base: Path | None = None,
                 problems: Mapping[str, Any] | None = None) -> None:
        self.paths: dict[str, Path] = {}
        self.loaded: dict[str, Any] = dict(problems or {})
        self.students: dict[str, list[str]] = {}
        self.base = base or Path.cwd()
        if directory is not None:
            directory = Path(directory)
            for f in sorted(directory.rglob("*.json")):
                if f.name != "answer_key.json":
                    self.paths.setdefault(f.stem, f)
            key = directory / "answer_key.json"
            if key.is_file():
                data = json.loads(key.read_text(encoding="utf-8"))
                for s, entries in (data.get("students") or {}).items():
                    self.students[str(s)] = [str(e["id"]) for e in entries]

    def resolve(self, student: str, cell: str) -> tuple[str, Any]:
        """(problem key, problem) or raise LookupError with a reason."""
        pid = cell
        if pid not in self.loaded and pid not in self.paths and student in self.students:
            mine = self.students[student]
            number = cell.lower().lstrip("q")
            if not cell and len(mine) == 1:
                pid = mine[0]
            elif number.isdigit() and 1 <= int(number) <= len(mine):
                pid = mine[int(number) - 1]
            elif not cell:
                raise LookupError(f"student {student!r} has {len(mine)} problems; say which")
        if pid in self.loaded:
            return pid, self.loaded[pid]
        if pid in self.paths:
            self.loaded[pid] = _load(self.paths[pid])
            return pid, self.loaded[pid]
        if pid.lower().endswith((".json", ".yaml", ".yml")):
            # relative paths: next to the submissions file first, then the working directory
            for path in (Path(pid),) if Path(pid).is_absolute() else (self.base / pid, Path(pid)):
                if path.is_file():
                    self.loaded[pid] = _load(path)
                    return pid, self.loaded[pid]
            raise LookupError(f"problem file {pid!r} not found (looked next to the submissions "
                              "file and in the working directory)")
        if not pid:
            raise LookupError("no problem given")
        if self.students and student not in self.students:
            raise LookupError(f"unknown student {student!r} and problem {pid!r}")
        raise LookupError(f"unknown problem {pid!r}")


def _load(path: Path) -> Any:
    from generator.problem import load_problem
    from generator.spec import read_spec_file

    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "answers" in data and "spec" in data:
            return load_problem(path)
        return data
    return read_spec_file(path)


# -- grading -------------------------------------------------------------------------------

GradeFn = Callable[[Any, str, str], Any]
Out = tuple[str, ...]


def _default_grade_fn(opts: BatchOptions) -> GradeFn:
    import grader

    # Our own unbounded cache of prepared parts (the grader's LRU holds 256): each problem
    # of this process is prepared once, however many variants the class has.
    prepared: dict[tuple[int, str], Any] = {}

    def fn(problem: Any, answer: str, part: str) -> Any:
        key = (id(problem), part)  # problems stay alive in ProblemIndex.loaded
        prep = prepared.get(key)
        if prep is None:
            prep = prepared[key] = grader.prepare(problem, part)
        return grader.grade(problem, answer, part=prep, hide_answer=opts.hide_answer,
                            locale=opts.locale)

    return fn


def _ids(result: Any) -> tuple[str, str, str, str]:
    """(confident ids, confidence, hedged ids, layers of the confident diagnoses)."""
    ids: list[str] = []
    hedged: list[str] = []
    layers: list[str] = []
    for d in getattr(result, "diagnoses", ()) or ():
        sure = getattr(d, "confident", True)  # stubs without the flag count as sure
        for m in getattr(d, "misconceptions", ()):
            if m not in ids and m not in hedged:
                (ids if sure else hedged).append(m)
        for layer in getattr(d, "layers", ()) if sure else ():
            if layer not in layers:
                layers.append(layer)
    confidence = "confident" if ids else "hedged" if hedged else ""
    return ";".join(ids), confidence, ";".join(hedged), ";".join(layers)


def _error(problem: str, part: str, shown: str, reason: str) -> Out:
    """The result tail of a row that could not be graded: status error and why."""
    return (text_cell(problem), text_cell(part), shown, "error", "", "", "", "", "", "", "",
            text_cell(reason))


class Grader:
    """Grades rows with per-row isolation and a result cache (one per process)."""

    def __init__(self, opts: BatchOptions, index: ProblemIndex, grade_fn: GradeFn | None) -> None:
        self.opts = opts
        self.index = index
        self.grade_fn = grade_fn or _default_grade_fn(opts)
        self.cache: dict[tuple[str, str, str, str | None], tuple[str, str]] = {}
        self.kinds: dict[str, dict[str, str]] = {}
        self.graded: dict[tuple[str, str, str], Out] = {}
        self.hits = 0

    def tail(self, r: InputRow) -> Out:
        """(problem, part, answer, status, score, misconceptions, confidence, hedged, layers,
        layer types, feedback, reason)."""
        answer = r.answer if r.answer is not None else ""
        shown = text_cell(answer, limit=500)
        if r.error is not None:
            return _error(r.problem, r.part, shown, r.error)
        try:
            key, problem = self.index.resolve(r.student, r.problem)
        except LookupError as e:
            return _error(r.problem, r.part, shown,
                          str(e.args[0]) if e.args else "unknown problem")
        except Exception as e:  # a broken problem file: this row only
            return _error(r.problem, r.part, shown,
                          f"cannot load problem: {type(e).__name__}: {e}"[:300])
        out = self._grade(key, problem, r.part, answer.strip())
        return (out[0], out[1], shown, *out[3:])

    def line_tail(self, r: InputRow) -> tuple[str, str]:
        """The CSV text of a row's result columns (after row and student) and its status.

        Cached per (problem, part, answer text): a class on few variants repeats answers,
        so most rows cost a dictionary lookup.
        """
        if r.error is None:
            ck = (r.problem, r.student if self.index.students else "", r.part, r.answer)
            hit = self.cache.get(ck)
            if hit is not None:
                self.hits += 1
                return hit
        tail = self.tail(r)
        out = (",".join(map(_field, tail)) + "\n", tail[3])
        if r.error is None and len(self.cache) < CACHE_LIMIT:
            self.cache[ck] = out
        return out

    def _kinds(self, key: str, problem: Any) -> dict[str, str]:
        """Layer name -> layer type of a problem (for the report's per-layer-type counts)."""
        hit = self.kinds.get(key)
        if hit is None:
            try:
                net = problem.network() if hasattr(problem, "network") else None
                if net is None:
                    from generator.spec import load_spec

                    net = load_spec(problem.get("spec", problem))
                hit = {n.name: n.layer.kind for n in net.nodes}
            except Exception:
                hit = {}
            self.kinds[key] = hit
        return hit

    def _grade(self, key: str, problem: Any, part: str, text: str) -> Out:
        ck = (key, part, text)
        hit = self.graded.get(ck)
        if hit is None:
            hit = self.graded[ck] = self._grade_uncached(key, problem, part, text)
        return hit

    def _grade_uncached(self, key: str, problem: Any, part: str, text: str) -> Out:
        head = (text_cell(key), text_cell(part), "")
        if not text:
            return (*head, "unreadable", "", "", "", "", "", "", "No answer was given.",
                    "empty answer")
        if len(text) > MAX_ANSWER:
            return (*head, "unreadable", "", "", "", "", "", "",
                    f"The answer is {len(text):,} characters long; give one number.",
                    "answer too long")
        try:
            result = self.grade_fn(problem, text, part)
            status = str(result.status)
            if status not in ("correct", "incorrect", "unreadable"):
                raise ValueError(f"grader returned status {status!r}")
            score = "" if status == "unreadable" else number_cell(result.score)
            ids, confidence, hedged, layers = _ids(result)
            kinds = ";".join(dict.fromkeys(self._kinds(key, problem).get(x, "") for x in
                                           layers.split(";") if x)) if layers else ""
            reason = getattr(result, "reason", None) or ""
            return (*head, status, score, text_cell(ids), confidence, text_cell(hedged),
                    text_cell(layers), text_cell(kinds),
                    text_cell(str(result.feedback).strip()), text_cell(reason))
        except Exception as e:  # isolate: this row is "error", the batch goes on (P5)
            return _error(key, part, "", f"internal error: {type(e).__name__}: {e}"[:300])


# -- worker processes ----------------------------------------------------------------------
# Rows are partitioned by problem (stable CRC32), so each problem is prepared, and each
# distinct answer graded, in one process only; the parent merges lines back in input order.

def _field(value: object) -> str:
    """One CSV field, quoted as csv.QUOTE_MINIMAL quotes it (RFC 4180).

    >>> _field('say "hi", then'), _field("plain"), _field(3)
    ('"say ""hi"", then"', 'plain', '3')
    """
    text = str(value)
    if any(ch in text for ch in _QUOTE):
        return '"' + text.replace('"', '""') + '"'
    return text


_QUOTE = (",", '"', "\n", "\r")


def _lines(g: Grader, rows: Sequence[InputRow]) -> tuple[list[str], Counter[str]]:
    """Result rows as CSV lines and the count of each status."""
    lines: list[str] = []
    statuses: list[str] = []
    students: dict[str, str] = {}
    for r in rows:
        tail, status = g.line_tail(r)
        student = students.get(r.student)
        if student is None:
            student = students[r.student] = _field(text_cell(r.student))
        lines.append(f"{r.row},{student},{tail}")
        statuses.append(status)
    return lines, Counter(statuses)


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


def _chunks(rows: Iterator[InputRow], size: int) -> Iterator[list[InputRow]]:
    chunk: list[InputRow] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- the file ------------------------------------------------------------------------------

def check_outputs(inputs: Sequence[Path], outputs: Sequence[Path | None]) -> None:
    """Refuse to write over an input (or one output over another)."""
    from generator.errors import ConfigError

    ins = {Path(p).resolve() for p in inputs if p is not None}
    seen: set[Path] = set()
    for out in outputs:
        if out is None:
            continue
        r = Path(out).resolve()
        if r in ins:
            raise ConfigError(f"{out} is an input file; write the results somewhere else.")
        if r in seen:
            raise ConfigError(f"{out} is given for two outputs; use distinct files.")
        seen.add(r)


class AtomicText:
    """A text file written to a temporary name and renamed into place on success."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                        dir=self.path.parent)
        self.f = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> Any:
        return self.f

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.f.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)


def grade_file(submissions: Path, out: Path, opts: BatchOptions, *,
               problems_dir: Path | None = None, problems: Mapping[str, Any] | None = None,
               grade_fn: GradeFn | None = None, progress: bool = False) -> BatchStats:
    """Grade every row of ``submissions`` into the results CSV ``out`` (atomically)."""
    submissions, out = Path(submissions), Path(out)
    check_outputs([submissions], [out])
    base = submissions.parent
    stats = BatchStats()
    counts: Counter[str] = Counter()
    bar = _progress_bar(submissions) if progress else None
    update = bar.update if bar is not None else None
    rows = read_rows(submissions, opts, update)
    with AtomicText(out) as f:
        f.write(",".join(RESULT_COLUMNS) + "\n")
        for text, hits, chunk_counts in _graded(rows, opts, problems_dir, base, problems,
                                                grade_fn):
            f.write(text)
            stats.cache_hits += hits
            counts.update(chunk_counts)
    if bar is not None:
        bar.render_finish()
    stats.rows = sum(counts.values())
    stats.by_status = dict(sorted(counts.items()))
    return stats


def _graded(rows: Iterator[InputRow], opts: BatchOptions, directory: Path | None, base: Path,
            problems: Mapping[str, Any] | None,
            grade_fn: GradeFn | None) -> Iterator[tuple[str, int, Counter[str]]]:
    chunks = _chunks(rows, opts.chunk_size)
    first = next(chunks, None)
    if first is None:
        return
    if opts.workers <= 1 or len(first) < opts.chunk_size:  # small input: no processes
        g = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)
        for chunk in _chain(first, chunks):
            before = g.hits
            lines, counts = _lines(g, chunk)
            yield "".join(lines), g.hits - before, counts
        return
    yield from _parallel(_chain(first, chunks), opts, directory, base, problems, grade_fn)


def _chain(first: list[InputRow], rest: Iterator[list[InputRow]]) -> Iterator[list[InputRow]]:
    yield first
    yield from rest


def _parallel(chunks: Iterator[list[InputRow]], opts: BatchOptions, directory: Path | None,
              base: Path, problems: Mapping[str, Any] | None,
              grade_fn: GradeFn | None) -> Iterator[tuple[str, int, Counter[str]]]:
    import multiprocessing as mp
    import zlib

    ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    k = opts.workers
    by_student = directory is not None and _has_students(directory)
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
                if not isinstance(want, int) and len(tails) < CACHE_LIMIT:
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
                student = students[r.student] = _field(text_cell(r.student))
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


def _has_students(directory: Path) -> bool:
    key = Path(directory) / "answer_key.json"
    if not key.is_file():
        return False
    try:
        return bool(json.loads(key.read_text(encoding="utf-8")).get("students"))
    except (OSError, json.JSONDecodeError):
        return False


def _progress_bar(path: Path) -> Any:
    if not sys.stderr.isatty():
        return None
    import click

    bar = click.progressbar(length=max(path.stat().st_size, 1), label="grading",
                            file=sys.stderr)
    bar.__enter__()
    return bar
