"""The one sanitiser for text that reaches a terminal.

Layer names, titles, student ids and answers are user-controlled; printed raw, an escape
sequence can clear the screen, retitle the window or hide text, and a bidi override can make
``conv1`` read as something else (Trojan Source, CVE-2021-42574). Every command prints through
:func:`echo`, which writes such characters as visible ``\\uXXXX`` escapes. Tab and newline stay.
In JSON output the escape is JSON's own, so the data read back is unchanged.

>>> safe("conv\\x1b[2J\\u202eevil\\tok\\n")
'conv\\\\u001b[2J\\\\u202eevil\\tok\\n'
>>> import json
>>> json.loads(safe(json.dumps({"name": "a\\u202eb\\x7f"}, ensure_ascii=False)))["name"] == "a\\u202eb\\x7f"
True
"""

from __future__ import annotations

import re
from typing import Any

import click

__all__ = ["echo", "safe"]

#: C0 controls but tab and newline, DEL and C1 controls, bidi embeddings, overrides, isolates
#: and marks, zero-width characters, line/paragraph separators and the BOM
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff]")


def safe(text: str) -> str:
    """``text`` with every terminal-unsafe character written as a visible ``\\uXXXX``."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(message: Any = None, **kwargs: Any) -> None:
    """:func:`click.echo` of the sanitised text (all commands print through here)."""
    click.echo(None if message is None else safe(str(message)), **kwargs)
