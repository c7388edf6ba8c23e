"""LMS exports of problem sets: Moodle XML, Canvas QTI 1.2, GIFT, Gradescope autograder.

``cnnquiz generate --format moodle|qti|gift|gradescope`` looks exporters up in
:data:`EXPORTERS`; each takes the problems and an output directory, validates its artefact
offline (:mod:`generator.export.validate`) and returns the paths it wrote. This package
never imports :mod:`grader` (the Gradescope zip ships the grader's source as files).

>>> sorted(EXPORTERS)
['gift', 'gradescope', 'moodle', 'qti']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .gift import export_gift
from .gradescope import export_gradescope
from .moodle import export_moodle
from .qti import export_qti

__all__ = ["EXPORTERS"]

EXPORTERS: dict[str, Callable[[list[Any], Path], list[Path]]] = {
    "moodle": export_moodle,
    "qti": export_qti,
    "gift": export_gift,
    "gradescope": export_gradescope,
}
