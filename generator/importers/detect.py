"""Which framework pasted code is written for, and what a file without a model holds.

The imports decide (``import torch``, ``from tensorflow import keras``); when a paste has
both or none (an import line was left out), the layer classes it calls vote: ``Conv2d``,
``Linear``, ``nn.`` names are PyTorch's, ``Conv2D``, ``Dense`` Keras's. A missing import is
told as a note rather than turned into advice for the other framework.

>>> import ast
>>> framework(ast.parse("model = nn.Sequential(nn.Linear(4, 2))"))
('torch', [(1, 'torch.nn is never imported (import torch.nn as nn is missing); nn.Sequential, nn.Linear read as PyTorch')])
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError
from ..network import solve
from ..spec import load_spec
from .common import dotted, import_aliases
from .keras_layers import CLASSES, INPUTS
from .torch_layers import MODULES

__all__ = ["channel_advice", "channel_readings", "framework", "missing_functional",
           "no_model_message"]

TORCH_ONLY = set(MODULES) - set(CLASSES) | {"Module", "ModuleList"}
KERAS_ONLY = set(CLASSES) - set(MODULES) | set(INPUTS) | {"Model"}


def _calls(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, last name, dotted text) of every call and class base in the file."""
    aliases = import_aliases(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call | ast.ClassDef):
            continue
        targets = [node.func] if isinstance(node, ast.Call) else node.bases
        for t in targets:
            q = dotted(t, aliases)
            if q:
                out.append((node.lineno, q.rsplit(".", 1)[-1], q))
    return out


def framework(tree: ast.Module) -> tuple[str, list[tuple[int, str]]]:
    """('torch' | 'keras', notes): by the imports, else by the layer classes called."""
    roots = {q.split(".")[0] for q in import_aliases(tree).values()}
    torch, keras = "torch" in roots, bool(roots & {"keras", "tensorflow", "tf"})
    if torch != keras:
        return ("torch" if torch else "keras"), []
    calls = _calls(tree)
    unresolved_nn = [(line, q) for line, _, q in calls if q.startswith("nn.")]
    votes_torch = sum(name in TORCH_ONLY for _, name, _ in calls) + len(unresolved_nn)
    votes_keras = sum(name in KERAS_ONLY for _, name, _ in calls)
    choice = "torch" if votes_torch > votes_keras else "keras"
    notes: list[tuple[int, str]] = []
    if choice == "torch" and unresolved_nn and not torch:
        names = ", ".join(dict.fromkeys(q for _, q in unresolved_nn[:3]))
        notes.append((unresolved_nn[0][0], f"torch.nn is never imported (import torch.nn as nn "
                                           f"is missing); {names} read as PyTorch"))
    elif not torch and not keras and (votes_torch or votes_keras):
        notes.append((1, f"no import of torch or keras; read as "
                         f"{'PyTorch' if choice == 'torch' else 'Keras'} by its layer names"))
    return choice, notes


def no_model_message(tree: ast.Module) -> str:
    """What was looked for and what the file holds instead, for the 'no model' refusal."""
    roots = sorted({q.split(".")[0] for q in import_aliases(tree).values()})
    classes = [f"{c.name} (line {c.lineno})" for c in tree.body if isinstance(c, ast.ClassDef)]
    functions = [f"{f.name}() (line {f.lineno})" for f in tree.body
                 if isinstance(f, ast.FunctionDef)]
    layers = [f"{name} (line {line})" for line, name, _ in _calls(tree)
              if name in MODULES or name in CLASSES]
    seen = [f"imports of {', '.join(roots)}" if roots else "no imports",
            f"classes {', '.join(classes[:4])}" if classes else "no classes",
            f"functions {', '.join(functions[:4])}" if functions else "no functions",
            f"layer calls outside any model: {', '.join(layers[:4])}" if layers
            else "no layer calls"]
    builders = [f for f in tree.body if isinstance(f, ast.FunctionDef) and any(
        isinstance(n, ast.Call) and (dotted(n.func, import_aliases(tree)) or "").rsplit(
            ".", 1)[-1] in ("Sequential", "Model") for n in ast.walk(f))]
    hint = ""
    for f in builders:
        required = [a.arg for a in f.args.args[:len(f.args.args) - len(f.args.defaults)]
                    if a.arg != "self"]
        if required:
            hint = (f" {f.name}() (line {f.lineno}) builds a model but takes "
                    f"{', '.join(required)} with no default and is never called: call it once "
                    f"(model = {f.name}(...)) or give {'them defaults' if len(required) > 1 else 'it a default'}.")
            break
    return ("no model found in this file. Looked for a Keras Sequential([...]) or "
            "Model(inputs, outputs) assigned to a name or returned by a function, and for a "
            "PyTorch nn.Module subclass or nn.Sequential(...) assigned to a name. Seen: "
            + "; ".join(seen) + "." + hint + " Paste the code that builds the model (e.g. "
            "model = keras.Sequential([...]) or class Net(nn.Module): ...).")


def channel_readings(spec: dict[str, Any], reread: Callable[[tuple[int, ...]], dict[str, Any]]
                     ) -> tuple[tuple[str, int], ...]:
    """Both readings of a Keras input shape that looks channels-first, when they differ.

    ``input_shape=(3, 32, 32)`` with no channel order stated is 3×32 pixels with 32
    channels to Keras 2/3, but a 32×32 RGB image to Keras 1 code written for Theano's
    ordering. ``reread`` imports the code again with a given (H, W, C) shape.
    """
    first_input = spec["input"] if "input" in spec else spec["inputs"][0]  # graphs name inputs
    shape = tuple(first_input["shape"])
    if len(shape) != 3 or shape[0] not in (1, 3) or shape[2] in (1, 3, 4) or min(shape[1:]) < 8:
        return ()
    try:
        other = reread((shape[1], shape[2], shape[0]))
    except ConfigError:  # the other reading does not fit: only one reading
        return ()
    as_written, first = (solve(load_spec(s)).answer for s in (spec, other))
    if as_written == first:
        return ()
    hw = f"{shape[1]}×{shape[2]}"
    return ((f"channels last, as written: {shape[0]}×{shape[1]}×{shape[2]}", as_written),
            (f"channels first (Keras 1, Theano): {hw}×{shape[0]}", first))


def channel_advice(shape: tuple[int, ...], readings: tuple[tuple[str, int], ...]) -> str:
    """The two readings of a channels-first-looking input shape, with their totals and how
    to state each in the code (see :func:`channel_readings`).

    >>> print(channel_advice((3, 32, 32), (("a", 9434), ("b", 144458))))
    The code reads two ways. As written, input_shape=(3, 32, 32) is 3×32 pixels with 32 channels (Keras 2 and 3 read it as H, W, C): 9,434 parameters. Written for Keras 1 with Theano's channels-first ordering, it is a 32×32 image with 3 channels (C, H, W): 144,458 parameters. Say which in the question; to count the second, add data_format='channels_first' to the layers (or dim_ordering='th' for Keras 1), or pass --input-shape 32x32x3.
    """
    c, h, w = shape
    (_, as_written), (_, first) = readings
    return (f"The code reads two ways. As written, input_shape=({c}, {h}, {w}) is {c}×{h} pixels "
            f"with {w} channels (Keras 2 and 3 read it as H, W, C): {as_written:,} parameters. "
            f"Written for Keras 1 with Theano's channels-first ordering, it is a {h}×{w} image "
            f"with {c} channel{'s' if c > 1 else ''} (C, H, W): {first:,} parameters. Say which "
            "in the question; to count the second, add data_format='channels_first' to the "
            f"layers (or dim_ordering='th' for Keras 1), or pass --input-shape {h}x{w}x{c}.")


def missing_functional(text: str, tree: ast.Module) -> tuple[str, tuple[int, str]] | None:
    """PyTorch code that calls ``F.relu`` without ``import torch.nn.functional as F``:
    the text with the import added to its first import line (else after its last line, so
    that the lines keep their numbers), and the repair. None when ``F`` is imported or bound.
    """
    bound = set(import_aliases(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            bound.update(a.arg for a in node.args.args)
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "F"]
    simple = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr, ast.AnnAssign)
    first = next((s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)), None) or \
        next((s for s in tree.body if isinstance(s, simple)), None)
    if "F" in bound or not uses:
        return None
    what = f"import torch.nn.functional as F was missing (F.{uses[0].attr} is used); added"
    if first is None or first.end_lineno != first.lineno:  # no one-line statement to extend:
        # added after the last line, so that every line keeps its number
        return (text if text.endswith("\n") else text + "\n") + \
            "import torch.nn.functional as F\n", (uses[0].lineno, what + " at the end")
    lines = text.split("\n")
    i = first.lineno - 1
    code, hash_, comment = lines[i].partition("#")
    lines[i] = f"{code.rstrip()}; import torch.nn.functional as F" + (
        f"  {hash_}{comment}" if hash_ else "")
    return "\n".join(lines), (first.lineno, what)
