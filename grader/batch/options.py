"""Batch grading's data: options, input rows, results, limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["CACHE_LIMIT", "MAX_ANSWER", "MAX_FIELD", "RESULT_COLUMNS", "BatchOptions", "BatchStats",
           "InputRow", "SimpleResult"]

#: ``misconceptions`` holds confident diagnoses only (what reports and progress record);
#: ``hedged`` the possible causes offered when the grader cannot tell (never recorded)
RESULT_COLUMNS = ("row", "student_id", "problem", "part", "answer", "status", "score",
                  "misconceptions", "confidence", "hedged", "layers", "layer_types", "feedback",
                  "reason")
MAX_ANSWER = 2000  # characters graded; longer answers are unreadable anyway (parser caps at 64)
MAX_FIELD = 10 * 1024 * 1024
#: entries of each result cache, per process: memory is bounded by this, the chunk size
#: and the number of variants, not by the number of distinct answers (bench/batch.py)
CACHE_LIMIT = 50_000


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
    #: the file's encoding when it has no byte-order mark (default: UTF-8, UTF-16 by its NULs)
    encoding: str | None = None
    sheet: str | None = None
    hide_answer: bool = True
    locale: str | None = None
    chunk_size: int = 20_000
    workers: int = 1
    #: "local" (worker processes of this machine) or "dask" (grader.batch.dask_engine)
    engine: str = "local"
    #: a Dask scheduler address for the dask engine (default: a LocalCluster of ``workers``)
    scheduler: str | None = None


class InputRow(NamedTuple):
    """One answer to grade (a tuple: cheap to send to worker processes)."""

    row: int
    student: str
    problem: str
    part: str
    answer: str | None
    error: str | None = None
    #: the status of a row with an error: "error", or "unreadable" when its quoting broke
    status: str = "error"


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
