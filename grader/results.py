"""A grade-batch results CSV read back as a pandas DataFrame (for gradebooks and the report).

Text cells lose the formula prefix of :mod:`generator.csvsafe` (``'=x`` -> ``=x``,
``''=x`` -> ``'=x``); ``value`` is the row's score when the row was graded and the score is
a number from 0 to 1, else NaN; a graded row whose score is not (``nan``, ``1e308``, ``-5``
in a hand-edited file) gets status ``invalid score``: it needs review, it is never summed.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "r.csv").write_text("student_id,problem,part,status,score\\n"
...     "'=x,p1,total,correct,1\\n''=x,p1,total,incorrect,nan\\ny,p1,total,error,\\n")
>>> results_frame(d / "r.csv")[["student_id", "status", "value"]].values.tolist()
[['=x', 'correct', 1.0], ["'=x", 'invalid score', nan], ['y', 'error', nan]]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator.csvsafe import FORMULA_START, score_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["results_frame"]

#: the columns read (when present) and whose text is unescaped
TEXT = ("student_id", "problem", "part", "misconceptions", "feedback", "reason")
GRADED = ("correct", "incorrect")


def _plain(s: pd.Series) -> pd.Series:
    """generator.csvsafe.plain_cell, column-wise."""
    prefixed = s.str.startswith("'") & s.str[1:2].isin([*FORMULA_START, "'", "\ufffd"])
    return s.where(~prefixed, s.str[1:])


def results_frame(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The results file's rows (all columns as text, ``''`` when missing) plus ``value``.

    Raises ValueError for a file pandas cannot read as CSV (one that is not a results file).
    """
    import pandas as pd

    wanted = set(columns or ()) | {"student_id", "status", "score"}
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                         usecols=lambda c: c in wanted, on_bad_lines="error")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ValueError(str(e).strip()[:200]) from None
    for c in wanted:
        if c not in df.columns:
            df[c] = ""
    for c in TEXT:
        if c in df.columns:
            df[c] = _plain(df[c])
    df.loc[df["status"] == "", "status"] = "error"
    graded = df["status"].isin(GRADED)
    value = df["score"].where(graded, "").map(score_value)
    df["value"] = pd.to_numeric(value, errors="coerce").astype("float64")
    df.loc[graded & df["value"].isna(), "status"] = "invalid score"
    return df
