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
from .parse import BreakdownAnswer as BreakdownAnswer
from .parse import BreakdownEntry as BreakdownEntry
from .parse import Expect as Expect
from .parse import Expr as Expr
from .parse import ExpressionAnswer as ExpressionAnswer
from .parse import Invalid as Invalid
from .parse import NumberAnswer as NumberAnswer
from .parse import Reason as Reason
from .parse import ShapeAnswer as ShapeAnswer
from .parse import parse_answer as parse_answer
from .parse import parse_number as parse_number

__all__ = [
    "CreditPolicy", "Diagnosis", "GradeResult", "Prepared", "grade", "prepare",
    "BreakdownAnswer", "BreakdownEntry", "Expect", "Expr", "ExpressionAnswer", "Invalid",
    "NumberAnswer", "Reason", "ShapeAnswer", "parse_answer", "parse_number",
]
