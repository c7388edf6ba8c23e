"""Offline validators, run by every exporter before a file is written (E3).

No LMS publishes a schema for these formats, so each check is derived from the importer's
own code, one module per format (each cites the file and function it follows):

- :mod:`.common`: the error type, Moodle's grade fractions, file types by extension;
- :mod:`.cloze`: a port of Moodle's cloze (multianswer) parser;
- :mod:`.moodle_xml`: Moodle XML as question/format/xml/format.php imports it;
- :mod:`.gift`: a port of question/format/gift/format.php;
- :mod:`.qti`: Canvas QTI 1.2 as QTIMigrationTool and canvas-lms's qti_exporter read it.

Each parser returns what an importer would read, so the exporters (and the tests) compare it
with what was meant: a round trip, not just well-formedness.
"""

from __future__ import annotations

from .cloze import (
    ClozeAnswer,
    ClozeQuestion,
    check_cloze_numerical,
    cloze_unescape,
    parse_cloze,
)
from .common import MOODLE_FRACTIONS, ExportError, check_file_type
from .gift import GiftAnswer, GiftQuestion, gift_escape, parse_gift
from .moodle_xml import check_moodle
from .qti import QTI_NS, check_qti_dtd, check_qti_structure, check_qti_zip, qti_documents

__all__ = [
    "MOODLE_FRACTIONS",
    "QTI_NS",
    "ClozeAnswer",
    "ClozeQuestion",
    "ExportError",
    "GiftAnswer",
    "GiftQuestion",
    "check_cloze_numerical",
    "check_file_type",
    "check_moodle",
    "check_qti_dtd",
    "check_qti_structure",
    "check_qti_zip",
    "cloze_unescape",
    "gift_escape",
    "parse_cloze",
    "parse_gift",
    "qti_documents",
]
