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
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from .common import fail, fold, snippet, suggest
from .consts import (
    DEFINED,
    LAYER_BUDGET,
    MAX_LAYER_CALLS,
    UNKNOWN,
    try_fold,
    unknown_reason,
)
from .envkeys import add_note

__all__ = ["IGNORED_SUFFIXES", "CallArgs"]


class CallArgs:
    """A call's arguments by name, positional ones named from ``positional``; folded on demand."""

    def __init__(self, call: ast.Call, positional: Sequence[str],
                 env: MutableMapping[str, Any], label: str) -> None:
        self.call, self.env, self.label = call, env, label
        self.nodes: dict[str, ast.expr] = {}
        self.read: set[str] = set()  # the arguments folded (only those can change a count)
        budget = env.get(LAYER_BUDGET)
        if budget is not None:  # one layer call read; a loop of them is refused early
            budget[0] -= 1
            if budget[0] < 0:
                fail(call, f"{label}: more than {MAX_LAYER_CALLS:,} layer calls are read by "
                           "here (loops unrolled, helper functions followed); cnnquiz reads "
                           "one model of at most 2,000 layers. Use smaller loop bounds or "
                           "paste one model.")
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
                fail(call, f"{label}: '{kw.arg}' is given twice; give it once.")
            self.nodes[kw.arg] = kw.value

    def __contains__(self, key: str) -> bool:
        return key in self.nodes

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.nodes:
            return default
        self.read.add(key)
        return fold(self.nodes[key], self.env, f"{self.label}: {key}")

    def optional(self, key: str, default: Any = None) -> Any:
        """An option that changes no shape or count (a dropout rate): its value when it is a
        constant, else ``default`` with a note, the option left out rather than refused."""
        if key not in self.nodes:
            return default
        value = try_fold(self.nodes[key], self.env)
        if value is UNKNOWN:
            if DEFINED not in self.env:  # not read through an importer: left to the reader
                return self.get(key, default)
            self.read.add(key)  # noted here, not again as undefined
            add_note(self.env, self.call.lineno, f"{key}={snippet(self.nodes[key], 40)} is "
                     f"not a constant{unknown_reason(self.nodes[key], self.env)}; {key} "
                     "changes no shape or count, so it was left out")
            return default
        self.read.add(key)
        return value

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
        self.note_undefined()

    def note_undefined(self) -> None:
        """A note for each name the paste never defines in an option that is not read
        (``activation=act_fn``, ``kernel_regularizer=l2(wd)``): accepted, as it changes no
        count, but said. Needs the file's names in the environment (:data:`~.consts.DEFINED`).
        """
        defined = self.env.get(DEFINED)
        if defined is None:
            return
        for key in sorted(set(self.nodes) - self.read - READ_ELSEWHERE):
            names = list(dict.fromkeys(n.id for n in ast.walk(self.nodes[key]) if isinstance(
                n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in defined))
            if names:
                said = (f"{names[0]} is" if len(names) == 1 else
                        f"{', '.join(names[:-1])} and {names[-1]} are")
                positional = key.startswith("_")  # an argument with no name of its own
                shown, what = ("", "the argument") if positional else (f"{key}=", key)
                add_note(self.env, self.call.lineno, f"{shown}{snippet(self.nodes[key], 40)}: "
                         f"{said} never defined in the paste; {what} changes no shape or "
                         "count, so it was left as written")


#: arguments the importers read from the nodes themselves (the input shape: refused or
#: replaced by --input-shape when not constant; the layer name: its own note)
READ_ELSEWHERE = {"name", "input_shape", "shape", "batch_input_shape", "batch_shape",
                  "input_dim", "input_length"}
#: options that never change shapes or counts
IGNORED_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
