"""What every validator shares: the error type, Moodle's grade fractions, file types.

>>> check_file_type("questions.txt", "gift")
>>> check_file_type("questions.gift", "gift")
Traceback (most recent call last):
...
generator.export.validate.common.ExportError: questions.gift: Moodle's GIFT importer accepts text/plain files only, and Moodle gives that type to .txt (a .gift file is typed by sniffing its content, and Python code in a question is then refused). Name it .txt.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from ...errors import ConfigError

__all__ = ["MOODLE_FRACTIONS", "ExportError", "IMPORT_TYPES", "check_file_type", "fraction_ok"]


class ExportError(ConfigError):
    """An export that an LMS would reject or misread; nothing is written."""


#: question/engine/bank.php (question_bank::fraction_options_full): the grade fractions
#: Moodle accepts, as percentages; question/format.php importprocess() refuses others
MOODLE_FRACTIONS = frozenset(
    Decimal(x) for x in (
        "100", "90", "83.33333", "80", "75", "70", "66.66667", "60", "50", "40", "33.33333",
        "30", "25", "20", "16.66667", "14.28571", "12.5", "11.11111", "10", "5", "0"))


def fraction_ok(text: str) -> bool:
    """A fraction (percent) Moodle's match_grade_options() accepts with matchgrades=error."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return any(abs(abs(value) - f) < Decimal("0.0001") for f in MOODLE_FRACTIONS)


#: The file types each importer accepts, by extension.
#:
#: Moodle: question/import_form.php validate_uploaded_file() calls the format's
#: can_import_file(), which (question/format.php qformat_default) compares the stored file's
#: MIME type with mime_type() = mimeinfo('type', export_file_extension()). qformat_gift and
#: qformat_default export '.txt' (text/plain); qformat_xml exports '.xml'
#: (question/format/xml/format.php). The stored file's type comes from its extension
#: (lib/classes/filetypes.php core_filetypes::get_default_types(): 'txt' => 'text/plain',
#: 'xml' => 'application/xml'); an extension that table lacks ('.gift') is typed by content
#: sniffing, and a question showing Python code is then not text/plain.
#: Canvas: "QTI .zip file" imports a zip (gems/plugins/qti_exporter converts its manifest).
#: Gradescope: the autograder upload is a .zip.
IMPORT_TYPES = {
    "gift": (".txt", "Moodle's GIFT importer accepts text/plain files only, and Moodle gives "
                     "that type to .txt (a .gift file is typed by sniffing its content, and "
                     "Python code in a question is then refused)"),
    "moodle": (".xml", "Moodle's XML importer accepts application/xml, the type of .xml"),
    "qti": (".zip", "Canvas imports a QTI package as a .zip"),
    "gradescope": (".zip", "Gradescope's autograder upload is a .zip"),
}


def check_file_type(name: str, fmt: str) -> None:
    """Refuse a file name the importer of ``fmt`` would not accept by its extension."""
    ext, why = IMPORT_TYPES[fmt]
    if PurePath(name).suffix.lower() != ext:
        raise ExportError(f"{name}: {why}. Name it {ext}.")
