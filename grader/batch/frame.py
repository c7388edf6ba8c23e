"""Class grading in pandas: :func:`grade_frame`, one result row per input row, in order.

A notebook grades a class directly::

    import pandas as pd
    from grader.batch import grade_frame
    answers = pd.read_csv("answers.csv", dtype=str, keep_default_na=False)
    results = grade_frame(answers, "set/")          # the output of cnnquiz generate
    results.groupby("student_id").score.sum()

It is a pure per-partition function, so a class too large for one machine runs on Dask
unchanged: ``dd.read_csv(..., dtype=str, keep_default_na=False).map_partitions(grade_frame,
"set/", meta=result_meta())`` (``grade-batch --engine dask`` does this with the project's own
reader, which keeps line numbers and reports rows with broken quoting). Input columns are
``student_id``, ``problem``, ``answer`` and optionally ``part`` and ``row`` (named by
:class:`BatchOptions`); the output has :data:`RESULT_COLUMNS` with plain values (``score`` a
float, NaN where there is none), and the CSV of grade-batch is :func:`frame_lines` of it.

>>> import pandas as pd
>>> from grader.batch import SimpleResult
>>> fake = lambda problem, answer, part: SimpleResult("correct", 1.0, (), "Correct.")
>>> df = pd.DataFrame({"student_id": ["s1", "s2"], "problem": ["p1", "nope"],
...                    "answer": ["42", "1"]})
>>> out = grade_frame(df, {"p1": "P1"}, grade_fn=fake)
>>> out[["row", "student_id", "status", "score", "reason"]].to_dict("list")
{'row': [0, 1], 'student_id': ['s1', 's2'], 'status': ['correct', 'error'], 'score': [1.0, nan], 'reason': ['', "unknown problem 'nope'"]}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.csvsafe import text_cell

from .grading import GradeFn, Grader, csv_field, tail_line
from .options import RESULT_COLUMNS, BatchOptions, InputRow
from .problems import ProblemIndex

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frame_lines", "grade_frame", "internal_options", "result_meta", "rows_frame"]

#: internal columns of a frame made from read rows (a reading error and its status)
_ERROR, _ERROR_STATUS = "_error", "_error_status"


def result_meta() -> pd.DataFrame:
    """An empty frame of the result columns and dtypes (Dask's ``meta``)."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "float64"
                                      if c == "score" else "object") for c in RESULT_COLUMNS})


# One grader per process and problem source: preparation is paid once per worker, however
# many partitions it grades (Dask calls grade_frame once per partition). Each entry keeps
# its source and grade function alive, so the ids in its key cannot be reused.
_GRADERS: dict[tuple[Any, ...], tuple[Any, GradeFn | None, Grader]] = {}


def _grader(problems: Any, opts: BatchOptions, base: Path | None,
            grade_fn: GradeFn | None) -> Grader:
    if isinstance(problems, str | Path):
        key: tuple[Any, ...] = ("dir", str(Path(problems).resolve()), str(base),
                                _fingerprint(Path(problems)))
    else:
        key = ("object", id(problems))
    key += (opts.hide_answer, opts.locale, opts.default_part, id(grade_fn))
    entry = _GRADERS.get(key)
    if entry is not None and (isinstance(problems, str | Path) or entry[0] is problems) \
            and entry[1] is grade_fn:
        return entry[2]
    if isinstance(problems, ProblemIndex):
        index = problems
    elif isinstance(problems, str | Path):
        index = ProblemIndex(Path(problems), base)
    else:
        index = ProblemIndex(problems=problems)
    if len(_GRADERS) >= 8:
        _GRADERS.pop(next(iter(_GRADERS)))
    g = Grader(opts, index, grade_fn)
    _GRADERS[key] = (problems, grade_fn, g)
    return g


def _fingerprint(directory: Path) -> int:
    """Changes when a problem file of the set is added, removed or rewritten (a notebook
    that generates the set again must not be graded against the old one)."""
    return hash(tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size)
                      for f in sorted(directory.rglob("*.json"))))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def grade_frame(df: pd.DataFrame, problems: Any, options: BatchOptions | None = None, *,
                base: Path | None = None, grade_fn: GradeFn | None = None) -> pd.DataFrame:
    """Grade every row of ``df``: a frame of :data:`RESULT_COLUMNS`, same length and order.

    ``problems``: a problem-set directory (``cnnquiz generate --out``), a
    :class:`ProblemIndex`, or a mapping of problem id to problem. ``row`` is the input's
    ``row`` column when it has one, else its index. Nothing is dropped: a row that cannot
    be graded has status ``error`` or ``unreadable`` and a ``reason``.
    """
    import pandas as pd

    opts = options or BatchOptions()
    g = _grader(problems, opts, base, grade_fn)
    n = len(df)

    def column(name: str) -> Sequence[Any]:
        return df[name].tolist() if name in df.columns else [None] * n

    students, problems_, answers = column(opts.student), column(opts.problem), column(opts.answer)
    parts, errors, estatus = column(opts.part), column(_ERROR), column(_ERROR_STATUS)
    rows = df["row"].tolist() if "row" in df.columns else df.index.tolist()
    tails = []
    for i in range(n):
        error = errors[i] if isinstance(errors[i], str) else None
        r = InputRow(int(rows[i]), _text(students[i]).strip(), _text(problems_[i]).strip(),
                     _text(parts[i]).strip() or opts.default_part, _text(answers[i]), error,
                     estatus[i] if isinstance(estatus[i], str) else "error")
        tails.append((r.row, r.student, *g.tail(r)))
    out = pd.DataFrame(tails, columns=list(RESULT_COLUMNS))
    out["score"] = pd.to_numeric(out["score"], errors="coerce").astype("float64")
    out["row"] = out["row"].astype("int64")
    return out


def rows_frame(rows: Iterable[InputRow]) -> pd.DataFrame:
    """Read rows (:func:`grader.batch.read_rows`) as the input frame of :func:`grade_frame`."""
    import pandas as pd

    d = BatchOptions()
    return pd.DataFrame([(r.row, r.student, r.problem, r.part, r.answer, r.error, r.status)
                         for r in rows],
                        columns=["row", d.student, d.problem, d.part, d.answer, _ERROR,
                                 _ERROR_STATUS])


def frame_lines(out: pd.DataFrame) -> str:
    """The results CSV text of a :func:`grade_frame` result (no header), as grade-batch writes it."""
    lines = []
    for values in out[list(RESULT_COLUMNS)].itertuples(index=False, name=None):
        row, student, *tail = values
        lines.append(f"{row},{csv_field(text_cell(student))},{tail_line(tuple(tail))}")
    return "".join(lines)


def internal_options(opts: BatchOptions) -> BatchOptions:
    """``opts`` with the column names of :func:`rows_frame`."""
    d = BatchOptions()
    return dataclasses.replace(opts, student=d.student, problem=d.problem, answer=d.answer,
                               part=d.part, wide=None)
