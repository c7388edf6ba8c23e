"""The auto-grader: exact grading of parsed answers and a diagnosis of the wrong step.

>>> spec = {"input": {"shape": [8, 8], "channels": 3},
...         "layers": [{"type": "conv2d", "filters": 2, "kernel": 3}]}
>>> prepare(spec).expected, [e.ids for e in prepare(spec).diagnoser.total(54)][:1]
(56, [('conv_no_bias',)])
"""

from __future__ import annotations

from .grade import CreditPolicy as CreditPolicy
from .grade import Diagnosis as Diagnosis
from .grade import GradeResult as GradeResult
from .grade import Prepared as Prepared
from .grade import grade as grade
from .grade import prepare as prepare

__all__ = ["CreditPolicy", "Diagnosis", "GradeResult", "Prepared", "grade", "prepare"]
