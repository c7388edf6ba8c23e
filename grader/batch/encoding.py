"""The text encoding of a submissions file, and bytes that are not valid in it.

A byte-order mark names the encoding (UTF-8, UTF-16 as Excel's "Unicode Text", UTF-32);
without one, a file whose every other byte is NUL is UTF-16, anything else UTF-8 (or the
``--encoding`` given). Bytes that are not valid in that encoding are never replaced by a
look-alike: they are decoded to lone surrogates (``U+DC00 + byte``), which no valid text
contains, so the row that holds them is reported and its id is shown as ``Jos\\xe9``, never
merged with ``José`` or ``Josè``.

>>> detect(b"\\xff\\xfes\\x00i\\x00d\\x00"), detect("José".encode()), detect(b"a\\x00b\\x00c\\x00")
('utf-16', 'utf-8-sig', 'utf-16-le')
>>> text = b"Jos\\xe9".decode("utf-8", MARK)
>>> has_invalid(text), shown(text), has_invalid("José")
(True, 'Jos\\\\xe9', False)
"""

from __future__ import annotations

import codecs
import re

__all__ = ["MARK", "detect", "has_invalid", "invalid_reason", "shown"]

MARK = "cnnquiz-mark-invalid"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_INVALID = re.compile("[\udc00-\udcff]")


def _mark(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeDecodeError):
        raise e
    return "".join(chr(0xDC00 + b) for b in e.object[e.start:e.end]), e.end


codecs.register_error(MARK, _mark)


def detect(head: bytes, given: str | None = None) -> str:
    """The encoding of a file that starts with ``head`` (``given`` wins over a guess)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if given:
        return given
    even, odd = head[0:1024:2], head[1:1024:2]
    if len(head) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return "utf-8-sig"  # plain UTF-8; a UTF-8 BOM in the middle of nowhere is harmless


def has_invalid(text: str) -> bool:
    return not text.isascii() and _INVALID.search(text) is not None


def shown(text: str) -> str:
    """The text with each invalid byte written as ``\\xNN``."""
    return _INVALID.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def invalid_reason(encoding: str) -> str:
    name = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(
        encoding, encoding.upper())
    return (f"bytes not valid in {name} (shown as \\xNN); save the file as UTF-8 or "
            "give its encoding with --encoding (e.g. cp1252)")
