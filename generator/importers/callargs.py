"""A layer call's arguments by name: positional ones named, old spellings renamed, folded on demand.

Arguments are folded (:func:`~.common.fold`) only when an importer reads them, so options
that never change a shape or a count (initialisers, regularisers, ``activation=my_fn``) may
be anything.

>>> import ast
>>> call = ast.parse("Conv2D(32, (3, 3), kernel_initializer=init, padding='same')").body[0].value
>>> a = CallArgs(call, ("filters", "kernel_size"), {}, "Conv2D(...)")
>>> a.get("filters"), a.get("kernel_size"), a.get("strides", 1)
(32, (3, 3), 1)
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .common import fail, fold, snippet, suggest

__all__ = ["IGNORED_SUFFIXES", "CallArgs"]


class CallArgs:
    """A call's arguments by name, positional ones named from ``positional``; folded on demand."""

    def __init__(self, call: ast.Call, positional: Sequence[str], env: Mapping[str, Any],
                 label: str) -> None:
        self.call, self.env, self.label = call, env, label
        self.nodes: dict[str, ast.expr] = {}
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                fail(call, f"{label}: *{snippet(arg.value)} hides the arguments; write them out.")
        if len(call.args) > len(positional):
            fail(call, f"{label}: takes at most {len(positional)} positional argument(s) "
                       f"({', '.join(positional) or 'none'}); received {len(call.args)}.")
        for name, arg in zip(positional, call.args, strict=False):
            self.nodes[name] = arg
        for kw in call.keywords:
            if kw.arg is None:
                fail(call, f"{label}: **{snippet(kw.value)} hides the arguments; write them out.")
            if kw.arg in self.nodes:
                fail(call, f"{label}: '{kw.arg}' is given twice.")
            self.nodes[kw.arg] = kw.value

    def __contains__(self, key: str) -> bool:
        return key in self.nodes

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.nodes:
            return default
        return fold(self.nodes[key], self.env, f"{self.label}: {key}")

    def rename(self, aliases: Mapping[str, str]) -> None:
        """Rename keys (old spellings) in place; a clash of two spellings is an error."""
        for old, new in aliases.items():
            if old in self.nodes:
                if new in self.nodes:
                    fail(self.call, f"{self.label}: '{old}' and '{new}' mean the same; give one.")
                self.nodes[new] = self.nodes.pop(old)

    def check_known(self, known: Iterable[str], ignored: Iterable[str] = ()) -> None:
        """Refuse keyword options the importer does not know (with the nearest known one)."""
        known, ignored = set(known), set(ignored)
        for key in self.nodes:
            if key in known or key in ignored or key.endswith(IGNORED_SUFFIXES):
                continue
            fail(self.call, f"{self.label}: unknown option '{key}'.{suggest(key, known)} "
                            f"Options read: {', '.join(sorted(known)) or 'none'}.")


#: options that never change shapes or counts
IGNORED_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
