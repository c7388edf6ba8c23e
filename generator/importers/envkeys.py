"""Keys of a constants environment that are not Python names: what an import collects on
the way (notes, the names the file defines, why a name has no value, a layer budget).

The constant folder (:mod:`.consts`) reads them to say why a value is missing; the
importers seed them (:func:`defined_names` once per file).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import MutableMapping
from typing import Any

__all__ = ["DEFINED", "LAYER_BUDGET", "MAX_LAYER_CALLS", "NOTES", "PARAMS", "add_note",
           "defined_names"]

#: key in a constants environment (not a Python name) collecting (line, note) about how
#: the code was read
NOTES = "<notes>"
#: key in a constants environment: ``[n]``, how many more layer calls may be read (loops
#: unrolled and helpers followed make more than the file writes)
LAYER_BUDGET = "<layer budget>"
#: layer calls an import reads at most: the spec takes 2,000 layers, a file may hold two models
MAX_LAYER_CALLS = 2_500
#: key in a constants environment: every name the file binds anywhere
DEFINED = "<defined>"
#: key in a constants environment: name -> why it has no constant value (a parameter without
#: a value, an assignment of something computed at run time)
PARAMS = "<parameters>"


def add_note(env: MutableMapping[str, Any], line: int, text: str) -> None:
    """Collect a note about how the code was read under :data:`NOTES` (a list made when the
    import did not seed one).

    >>> env = {}
    >>> add_note(env, 3, "read as 'conv1'"); env
    {'<notes>': [(3, "read as 'conv1'")]}
    """
    env.setdefault(NOTES, []).append((line, text))


def defined_names(tree: ast.AST) -> frozenset[str]:
    """The names a file binds anywhere (assignments, imports, functions, parameters, loop
    variables) and Python's builtins: a name outside this set is never defined in the paste.

    >>> sorted(defined_names(ast.parse("import numpy as np\\ndef f(a): b = a")) - set(dir(builtins)))
    ['a', 'b', 'f', 'np']
    """
    names = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
    return frozenset(names)
