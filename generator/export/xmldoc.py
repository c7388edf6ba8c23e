"""The XML documents the LMS exports write (Moodle XML, QTI): elements with text, and the
document's bytes (UTF-8, declared, indented, ending in a newline).

>>> import xml.etree.ElementTree as ET
>>> root = ET.Element("quiz")
>>> _ = sub(sub(root, "question", type="numerical"), "name", "Q1")
>>> print(document(root).decode())
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="numerical">
    <name>Q1</name>
  </question>
</quiz>
<BLANKLINE>
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

__all__ = ["DECLARATION", "document", "sub"]

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    """A child element of ``parent``, with ``text`` when given."""
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def document(root: ET.Element) -> bytes:
    """The whole document, indented."""
    ET.indent(root)
    return (DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")
