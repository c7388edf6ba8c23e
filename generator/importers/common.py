"""Shared bits of the code importers: parsing, dotted names, errors; the constant folder
(:func:`fold`, :func:`constants`) lives in :mod:`.consts` and is re-exported here.

Nothing here imports or executes the pasted code.

>>> tree = parse("N = 64\\nK = (3, 3)\\n")
>>> env = constants(tree.body, {})
>>> fold(ast.parse("N * 2 + 1", mode="eval").body, env, "filters")
129
"""

from __future__ import annotations

import ast
import difflib
import itertools
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from ..errors import ConfigError
from ..spec import MAX_LAYERS
from .consts import MAX_INT, MAX_TUPLE, UNKNOWN, constants, fold, try_fold

__all__ = [
    "MAX_INT", "MAX_TUPLE", "UNKNOWN", "Candidate", "NoInputSize", "OpenInputSize", "channel_test", "choose_model", "constants",
    "dotted",
    "fail", "fold", "import_aliases", "line_of", "parse", "scope_statements", "snippet",
    "suggest", "try_fold",
]

MAX_SOURCE = 1_000_000  # characters
MAX_DEPTH = 100  # ast levels; real model code stays below 30
#: calls (``name(``) in a paste: a 2,000-layer model (the spec's cap) written out makes about
#: 4,000 with its helpers and activations; checked on the raw text, before anything else
MAX_CALLS = 8_000
_CALL = re.compile(r"\w\(")


def check_size(source: str, filename: str = "<source>") -> None:
    """Refuse, in milliseconds, a paste too large to be one model: more than
    :data:`MAX_SOURCE` characters or :data:`MAX_CALLS` calls (named by the line beyond).

    >>> check_size("m = Sequential([\\n" + "    Dense(4),\\n" * 9000 + "])\\n")
    Traceback (most recent call last):
    generator.errors.ConfigError: line 8001: the paste makes more than 8,000 calls by this line; cnnquiz reads one model of at most 2,000 layers. Paste only the model definition (or describe it in a YAML spec).
    """
    if len(source) > MAX_SOURCE:
        raise ConfigError(f"the file has {len(source):,} characters; at most {MAX_SOURCE:,} are "
                          "read. Paste only the model definition.", where=filename)
    beyond = next(itertools.islice(_CALL.finditer(source), MAX_CALLS, None), None)
    if beyond is not None:
        fail(source.count("\n", 0, beyond.start()) + 1,
             f"the paste makes more than {MAX_CALLS:,} calls by this line; cnnquiz reads one "
             f"model of at most {MAX_LAYERS:,} layers. Paste only the model definition (or "
             "describe it in a YAML spec).")


class NoInputSize(ConfigError):
    """PyTorch code that states no input size: what its first sized layer expects (its
    ``in_channels``/``in_features``), the layer's kind, and whether a lazy module (whose
    count depends on the input) is among the layers."""

    def __init__(self, message: str, *, where: str | None, expect: dict[str, int], kind: str,
                 lazy: bool) -> None:
        super().__init__(message, where=where)
        self.expect, self.kind, self.lazy = expect, kind, lazy


class OpenInputSize(ConfigError):
    """Keras code whose input shape leaves axes open (``keras.Input(shape=(None, None, 3))``):
    the shape, channels last, with None for each open axis."""

    def __init__(self, message: str, *, where: str | None, shape: tuple[int | None, ...]
                 ) -> None:
        super().__init__(message, where=where)
        self.shape = shape


def line_of(node: ast.AST | int) -> int:
    return node if isinstance(node, int) else getattr(node, "lineno", 0)


def fail(node: ast.AST | int, message: str) -> NoReturn:
    """Raise a ConfigError located at the node's line.

    >>> fail(7, "filters=n is not a constant; replace it by a number.")
    Traceback (most recent call last):
    generator.errors.ConfigError: line 7: filters=n is not a constant; replace it by a number.
    """
    raise ConfigError(message, where=f"line {line_of(node)}")


def snippet(node: ast.AST, limit: int = 70) -> str:
    """Source text of a node (re-printed by ``ast.unparse``), shortened.

    >>> snippet(ast.parse("Conv2D(32, (3, 3), padding='same')", mode="eval").body)
    "Conv2D(32, (3, 3), padding='same')"
    """
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest(word: str, choices: Iterable[str]) -> str:
    """' Did you mean X?' for the nearest choice, or ''.

    >>> suggest("Conv2d", ["Conv2D", "Dense"])
    " Did you mean 'Conv2D'?"
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lower = {c.lower(): c for c in choices}
        close = [lower[word.lower()]] if word.lower() in lower else []
    return f" Did you mean '{close[0]}'?" if close else ""


def parse(source: str, filename: str = "<source>") -> ast.Module:
    """Parse Python source into an ast (never compiled to code, never run)."""
    check_size(source, filename)
    try:
        with warnings.catch_warnings():  # e.g. invalid escapes: the author's business, not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=filename)
    except SyntaxError as e:
        column = f" (column {e.offset})" if e.offset else ""
        text = " ".join((e.text or "").split())
        at = f" at `{text if len(text) <= 80 else text[:79] + '…'}`" if text else ""
        raise ConfigError(f"not valid Python: {e.msg}{at}{column}. Fix the syntax and try again.",
                          where=f"line {e.lineno}" if e.lineno else filename) from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ConfigError(f"cannot read this Python source ({type(e).__name__}): it is too "
                          "deeply nested or contains null bytes.", where=filename) from None
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 1)]
    while stack:  # iterative, so that nothing later recurses too deep
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > MAX_DEPTH:
            fail(line, f"the code is nested more than {MAX_DEPTH} levels deep; write the "
                       "expression more simply.")
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return tree


# -- names --------------------------------------------------------------------------------
def import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, from the file's import statements.

    >>> import_aliases(ast.parse("import torch.nn as nn\\nfrom keras.layers import Dense as D"))
    {'nn': 'torch.nn', 'D': 'keras.layers.Dense'}
    """
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def dotted(node: ast.AST, aliases: Mapping[str, str]) -> str | None:
    """Qualified name of ``a.b.c`` with the first part resolved through the imports.

    >>> dotted(ast.parse("nn.Conv2d", mode="eval").body, {"nn": "torch.nn"})
    'torch.nn.Conv2d'
    """
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def scope_statements(body: Sequence[ast.stmt], channels_first: bool = False
                     ) -> Iterator[ast.stmt]:
    """The statements of a scope, entering ``with``/``try`` blocks, ``if __name__ == ...``
    and the branch of ``if K.image_data_format() == 'channels_first':`` that matches the
    file's channel order (channels last unless the file sets channels first).

    >>> tree = ast.parse("if K.image_data_format() == 'channels_first':\\n    s = (1, 28, 28)\\n"
    ...                  "else:\\n    s = (28, 28, 1)\\n")
    >>> [ast.unparse(s) for s in scope_statements(tree.body)]
    ['s = (28, 28, 1)']
    """
    for stmt in body:
        if isinstance(stmt, ast.With | ast.AsyncWith):
            yield from scope_statements(stmt.body, channels_first)
        elif isinstance(stmt, ast.Try):
            yield from scope_statements(stmt.body, channels_first)
        elif isinstance(stmt, ast.If) and "__name__" in ast.unparse(stmt.test):
            yield from scope_statements(stmt.body, channels_first)
        elif isinstance(stmt, ast.If) and (first := channel_test(stmt.test)) is not None:
            yield from scope_statements(stmt.body if first == channels_first else stmt.orelse,
                                        channels_first)
        else:
            yield stmt


def channel_test(test: ast.expr) -> bool | None:
    """For ``K.image_data_format() == 'channels_first'`` (or ``image_dim_ordering() == 'th'``,
    ``!=``, the channels-last spellings): whether the test holds for channels-first. None for
    any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq | ast.NotEq)
            and isinstance(test.left, ast.Call)
            and isinstance(test.comparators[0], ast.Constant)):
        return None
    f = test.left.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    value = test.comparators[0].value
    if name not in ("image_data_format", "image_dim_ordering") or value not in (
            "channels_first", "th", "channels_last", "tf"):
        return None
    return (value in ("channels_first", "th")) == isinstance(test.ops[0], ast.Eq)


# -- several models in one file -----------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A model the file defines: its name (variable, class or function), line and kind."""

    name: str
    line: int
    kind: str

    def describe(self) -> str:
        return f"{self.name!r} (line {self.line}, {self.kind})"


def choose_model(candidates: Sequence[Candidate], wanted: str | None,
                 filename: str = "<source>") -> int:
    """The index of the model to answer for: the only one, or the one ``wanted`` names.

    ``wanted`` is a name or a line number. A file with several models is never answered
    for one of them silently (that would be a wrong count).

    >>> found = [Candidate("encoder", 5, "Keras functional Model"),
    ...          Candidate("autoencoder", 9, "Keras functional Model")]
    >>> choose_model(found, "autoencoder"), choose_model(found, "5")
    (1, 0)
    >>> choose_model(found, None)
    Traceback (most recent call last):
    generator.errors.ConfigError: <source>: this file defines 2 models: 'encoder' (line 5, Keras functional Model), 'autoencoder' (line 9, Keras functional Model). cnnquiz answers for one model; choose it with --model NAME (e.g. --model autoencoder).
    """
    listing = ", ".join(c.describe() for c in candidates)
    if wanted is None:
        if len(candidates) == 1:
            return 0
        names = [c.name for c in candidates]
        last = candidates[-1]
        example = last.name if names.count(last.name) == 1 else str(last.line)
        raise ConfigError(f"this file defines {len(candidates)} models: {listing}. cnnquiz "
                          "answers for one model; choose it with --model NAME (e.g. --model "
                          f"{example}).", where=filename)
    wanted = wanted.strip()
    hits = [i for i, c in enumerate(candidates)
            if c.name == wanted or (wanted.isdigit() and c.line == int(wanted))]
    if len(hits) == 1:
        return hits[0]
    if hits:
        lines = " or ".join(str(candidates[i].line) for i in hits)
        raise ConfigError(f"--model {wanted}: {len(hits)} models have this name ({listing}); "
                          f"give the line instead: --model {lines}.", where=filename)
    raise ConfigError(f"--model {wanted}: no model of that name or line in this file; it "
                      f"defines {listing}.{suggest(wanted, [c.name for c in candidates])}",
                      where=filename)
