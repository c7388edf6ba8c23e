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
from typing import Any

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

RESULT_COLUMNS = ("row", "student_id", "problem", "part", "answer", "status", "score",
                  "misconceptions", "layers", "layer_types", "feedback", "reason")
MAX_ANSWER = 2000  # characters graded; longer answers are unreadable anyway (parser caps at 64)
MAX_FIELD = 10 * 1024 * 1024


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


@dataclass(frozen=True)
class InputRow:
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


def _records(path: Path, opts: BatchOptions,
             progress: Callable[[int], None] | None) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    """(row number, {column: text} or None, error) for each input record, in order."""
    suffix = _suffix(path)
    if suffix in (".xlsx", ".xlsm"):
        yield from _excel_records(path, opts)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_records(path, progress)
    else:
        yield from _csv_records(path, opts, progress)


def _csv_records(path: Path, opts: BatchOptions,
                 progress: Callable[[int], None] | None) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    delimiter = opts.delimiter or ("\t" if _suffix(path) in (".tsv", ".tab") else ",")
    csv.field_size_limit(MAX_FIELD)
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise ValueError(f"{path}: cannot read the header row: {e}") from None
        header = [h.strip() for h in header]
        n = len(header)
        last = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                yield reader.line_num, None, f"malformed row: {e}"
                continue
            if progress is not None:
                pos = raw.tell()
                progress(pos - last)
                last = pos
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line: not a record
            if len(fields) > n:
                yield reader.line_num, dict(zip(header, fields, strict=False)), (
                    f"malformed row: {len(fields)} fields, the header has {n} "
                    "(an unquoted comma in an answer?)")
                continue
            yield reader.line_num, dict(zip(header, fields, strict=False)), None


def _jsonl_records(path: Path,
                   progress: Callable[[int], None] | None) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
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
            yield i, {str(k): _cell_text(v) for k, v in data.items()}, None


def _excel_records(path: Path, opts: BatchOptions) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[opts.sheet] if opts.sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [_cell_text(h).strip() for h in next(rows, ())]
        for i, values in enumerate(rows, 2):
            cells = [_cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            yield i, dict(zip(header, cells, strict=False)), None
    finally:
        wb.close()


def read_rows(path: Path, opts: BatchOptions,
              progress: Callable[[int], None] | None = None) -> Iterator[InputRow]:
    """Input rows mapped to (student, problem, part, answer); wide rows give one per part."""
    checked = False
    for number, rec, error in _records(Path(path), opts, progress):
        if rec is not None and not checked:
            checked = True
            _check_columns(rec, opts, path)
        rec = rec or {}
        student = rec.get(opts.student, "").strip()
        problem = rec.get(opts.problem, "").strip()
        if opts.wide:
            for column, part in opts.wide.items():
                answer = rec.get(column)
                yield InputRow(number, student, problem, part, answer, error)
            continue
        part = (rec.get(opts.part) or "").strip() or opts.default_part
        answer = rec.get(opts.answer)
        if error is None and answer is None and rec:
            error = f"no '{opts.answer}' value in this row"
        yield InputRow(number, student, problem, part, answer, error)


def _check_columns(rec: Mapping[str, str], opts: BatchOptions, path: Path) -> None:
    """A missing column is an author error for the whole file (it would fail every row)."""
    need = [opts.student] + (list(opts.wide) if opts.wide else [opts.answer])
    missing = [c for c in need if c not in rec]
    if missing:
        from generator.errors import ConfigError

        raise ConfigError(
            f"{path}: no column {', '.join(repr(m) for m in missing)}; its columns are "
            f"{', '.join(repr(c) for c in list(rec)[:20])}. Map yours with --student-col, "
            "--problem-col, --answer-col, --part-col (or --wide COLUMN=PART).")


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
            path = Path(pid) if Path(pid).is_absolute() else self.base / pid
            if path.is_file():
                self.loaded[pid] = _load(path)
                return pid, self.loaded[pid]
            raise LookupError(f"problem file {pid!r} not found")
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

    def fn(problem: Any, answer: str, part: str) -> Any:
        return grader.grade(problem, answer, part=part, hide_answer=opts.hide_answer,
                            locale=opts.locale)

    return fn


def _ids(result: Any) -> tuple[str, str]:
    ids: list[str] = []
    layers: list[str] = []
    for d in getattr(result, "diagnoses", ()) or ():
        for m in getattr(d, "misconceptions", ()):
            if m not in ids:
                ids.append(m)
        for layer in getattr(d, "layers", ()):
            if layer not in layers:
                layers.append(layer)
    return ";".join(ids), ";".join(layers)


def _error(problem: str, part: str, shown: str, reason: str) -> Out:
    """The result tail of a row that could not be graded: status error and why."""
    return (text_cell(problem), text_cell(part), shown, "error", "", "", "", "", "",
            text_cell(reason))


class Grader:
    """Grades rows with per-row isolation and a result cache (one per process)."""

    def __init__(self, opts: BatchOptions, index: ProblemIndex, grade_fn: GradeFn | None) -> None:
        self.opts = opts
        self.index = index
        self.grade_fn = grade_fn or _default_grade_fn(opts)
        self.cache: dict[tuple[str, str, str], Out] = {}
        self.kinds: dict[str, dict[str, str]] = {}
        self.hits = 0

    def tail(self, r: InputRow) -> Out:
        """(problem, part, answer, status, score, misconceptions, layers, layer types,
        feedback, reason)."""
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
        text = answer.strip()
        ck = (key, r.part, text)
        hit = self.cache.get(ck)
        if hit is not None:
            self.hits += 1
            return (hit[0], hit[1], shown, *hit[3:])
        out = self._grade(key, problem, r.part, text)
        self.cache[ck] = out
        return (out[0], out[1], shown, *out[3:])

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
        head = (text_cell(key), text_cell(part), "")
        if not text:
            return (*head, "unreadable", "", "", "", "", "No answer was given.", "empty answer")
        if len(text) > MAX_ANSWER:
            return (*head, "unreadable", "", "", "", "",
                    f"The answer is {len(text):,} characters long; give one number.",
                    "answer too long")
        try:
            result = self.grade_fn(problem, text, part)
            status = str(result.status)
            if status not in ("correct", "incorrect", "unreadable"):
                raise ValueError(f"grader returned status {status!r}")
            score = "" if status == "unreadable" else number_cell(result.score)
            ids, layers = _ids(result)
            kinds = ";".join(dict.fromkeys(self._kinds(key, problem).get(x, "") for x in
                                           layers.split(";") if x)) if layers else ""
            reason = getattr(result, "reason", None) or ""
            return (*head, status, score, text_cell(ids), text_cell(layers), text_cell(kinds),
                    text_cell(str(result.feedback).strip()), text_cell(reason))
        except Exception as e:  # isolate: this row is "error", the batch goes on (P5)
            return _error(key, part, "", f"internal error: {type(e).__name__}: {e}"[:300])


# -- worker processes ----------------------------------------------------------------------

_WORKER: Grader | None = None


def _init_worker(opts: BatchOptions, directory: Path | None, base: Path,
                 problems: Mapping[str, Any] | None, grade_fn: GradeFn | None) -> None:
    global _WORKER
    _WORKER = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)


def _grade_chunk(rows: list[InputRow]) -> tuple[str, int, Counter[str]]:
    assert _WORKER is not None
    before = _WORKER.hits
    text, counts = _format(_WORKER, rows)
    return text, _WORKER.hits - before, counts


def _format(g: Grader, rows: Sequence[InputRow]) -> tuple[str, Counter[str]]:
    """Result rows as CSV text (RFC 4180 quoting) and the count of each status."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    counts: Counter[str] = Counter()
    for r in rows:
        tail = g.tail(r)
        counts[tail[3]] += 1
        w.writerow((r.row, text_cell(r.student), *tail))
    return buf.getvalue(), counts


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
    if opts.workers <= 1:
        g = Grader(opts, ProblemIndex(directory, base, problems), grade_fn)
        for chunk in chunks:
            before = g.hits
            text, counts = _format(g, chunk)
            yield text, g.hits - before, counts
        return
    first = next(chunks, None)
    if first is None:
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    with ctx.Pool(opts.workers, _init_worker,
                  (opts, directory, base, problems, grade_fn)) as pool:
        def all_chunks() -> Iterator[list[InputRow]]:
            yield first
            yield from chunks

        yield from pool.imap(_grade_chunk, all_chunks(), chunksize=1)


def _progress_bar(path: Path) -> Any:
    if not sys.stderr.isatty():
        return None
    import click

    bar = click.progressbar(length=max(path.stat().st_size, 1), label="grading",
                            file=sys.stderr)
    bar.__enter__()
    return bar
