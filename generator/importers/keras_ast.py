"""Keras models in pasted source -> spec dict: ``Sequential`` (list or ``model.add``) and
functional chains (``x = Conv2D(...)(x)``; a layer object called twice shares its weights).

The file is read with :mod:`ast` only. Models are looked for at module level and inside
top-level functions (``def build_model(num_classes=10): ...``, called or not); a file with
several models names them and asks for one (``model=``), never picking one silently. A
subclassed ``keras.Model`` is read from its ``__init__`` and ``call`` as a functional model
(:mod:`.keras_subclass`).

>>> src = '''
... from keras import layers, models
... model = models.Sequential([
...     layers.Conv2D(8, 3, input_shape=(28, 28, 1)),
...     layers.Flatten(),
...     layers.Dense(10),
... ])
... '''
>>> [layer["type"] for layer in import_keras(src)["layers"]]
['conv2d', 'flatten', 'dense']
"""
from __future__ import annotations

import ast
from typing import Any

from ..errors import ConfigError
from ..layers import fmt_shape
from .chain import build_spec
from .common import (
    Candidate,
    OpenInputSize,
    choose_model,
    constants,
    dotted,
    fail,
    import_aliases,
    parse,
    scope_statements,
    snippet,
)
from .consts import DEFINED, LAYER_BUDGET, MAX_LAYER_CALLS, defined_names, with_parameters
from .graph import build_graph
from .keras_data import fit_shape
from .keras_layers import (
    CHANNELS_FIRST,
    NOTES,
    Unread,
    channel_branch_notes,
    channel_order,
    to_channels_last,
)
from .keras_names import builds_model, keras_cls
from .keras_scope import Scope
from .keras_subclass import as_functional
from .keras_tensors import uses

__all__ = ["import_keras", "looks_like_keras"]


def looks_like_keras(tree: ast.Module) -> bool:
    """True when the file imports keras/tensorflow or calls a Keras model constructor."""
    aliases = import_aliases(tree)
    if any(q.split(".")[0] in ("keras", "tensorflow", "tf") for q in aliases.values()):
        return True
    return any(isinstance(n, ast.Call) and keras_cls(n.func, aliases) in ("Sequential", "Model")
               and not (dotted(n.func, aliases) or "").startswith("torch")
               for n in ast.walk(tree))


def _module_calls(tree: ast.Module, name: str, env: dict[str, Any]) -> list[ast.Call]:
    """The module-level calls of a function (``build(...)``, ``LeNet.build(...)``)."""
    found = []
    for stmt in scope_statements(tree.body):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == name:
                found.append(node)
    return found


def import_keras(source: str, *, input_shape: tuple[int, ...] | None = None,
                 filename: str = "<source>", model: str | None = None,
                 notes: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    """The spec dict of the Keras model in ``source`` (``model``: its name when there are
    several), read, never run; ``notes`` receives (line, what) about how it was read."""
    tree = parse(source, filename)
    aliases = import_aliases(tree)
    first = channel_order(tree, aliases)
    layer_notes: list[tuple[int, str]] = []
    module_env = constants(list(scope_statements(tree.body, bool(first))),
                           {CHANNELS_FIRST: bool(first), NOTES: layer_notes,
                            DEFINED: defined_names(tree), LAYER_BUDGET: [MAX_LAYER_CALLS]})
    helpers = {s.name: s for s in tree.body  # helpers, followed where they are called
               if isinstance(s, ast.FunctionDef) and not builds_model(s, aliases)}
    models = Scope(aliases, dict(module_env), helpers).run(tree.body)
    where = {id(m): "" for m in models}
    functions = [(s.name, s) for s in tree.body if isinstance(s, ast.FunctionDef)
                 and builds_model(s, aliases)] + [
        (f"{c.name}.{f.name}", f) for c in tree.body if isinstance(c, ast.ClassDef)
        and not any(keras_cls(b, aliases) in ("Model", "Layer") for b in c.bases)
        for f in c.body if isinstance(f, ast.FunctionDef)]  # e.g. a static LeNet.build()
    for fn_name, fn in functions:
        calls = _module_calls(tree, fn_name, module_env)
        method = "." in fn_name and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
        env = with_parameters(fn, module_env, calls[0] if len(calls) == 1 else None,
                              skip_self=method)
        if len(calls) == 1 and notes is not None and (calls[0].args or calls[0].keywords):
            notes.append((calls[0].lineno, f"{fn_name}() read with the arguments of its call "
                                           f"{snippet(calls[0], 60)}"))
        built = Scope(aliases, env, helpers).run(fn.body)
        for m in built:  # named after the function, so that --model can choose it
            m.name = fn_name if len(built) == 1 else f"{fn_name}.{m.name}"
            where[id(m)] = f" built in {fn_name}()"
        models += built
    open_shape: set[int] = set()  # subclassed models whose input shape the code leaves open
    unread: list[ConfigError] = []  # why a subclassed model's call() could not be followed
    read_classes = set()
    for cls, body, built_shape, call in as_functional(tree, module_env):
        init = next(f for f in cls.body if isinstance(f, ast.FunctionDef)
                    and f.name == "__init__")
        step = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "call")
        env = with_parameters(step, with_parameters(init, module_env, call, skip_self=True),
                              skip_self=True)  # call(self, x, training=False): its defaults
        try:
            built = [m for m in Scope(aliases, env, helpers).run(body) if m.name == cls.name]
        except ConfigError as e:  # said if this class is the only model of the file
            unread.append(e)
            continue
        for m in built:
            m.line = cls.lineno
            where[id(m)] = " subclassed, read from its call()"
            if built_shape is None:
                m.shape = None
                open_shape.add(id(m))
        if built and notes is not None:
            notes.append((cls.lineno, f"class {cls.name}: the layers of __init__ read in the "
                                      "order call() uses them, as a functional model"
                                      + (f", with the arguments of {snippet(call, 50)}"
                                         if call is not None and (call.args or call.keywords)
                                         else "")))
        models += built
        read_classes |= {cls.name} if built else set()
    subclassed = [c for c in tree.body if isinstance(c, ast.ClassDef) and c.name not in
                  read_classes
                  and any(keras_cls(b, aliases) in ("Model", "Layer") for b in c.bases)]
    if unread and not models:
        raise unread[0]
    if not models and subclassed:
        fail(subclassed[0], f"class {subclassed[0].name} subclasses a Keras Model/Layer; its "
                            "call() is code cnnquiz does not follow. Write the model as a "
                            "Sequential or functional model (or a YAML spec).")
    if not models:
        raise ConfigError("no model found in this file: expected a keras Sequential/functional "
                          "model or a torch nn.Module/nn.Sequential.", where=filename)
    models.sort(key=lambda m: m.line)
    empty = [m for m in models if m.graph is None and m.output is None
             and all(r.kind == "skip" for r in m.refs)]  # e.g. only RandomFlip, Rescaling
    if empty and len(empty) < len(models):
        models = [m for m in models if m not in empty]
        if notes is not None:
            notes += [(m.line, f"{m.name} holds only preprocessing layers (no weights, no "
                               "shape change); it is not a model to count") for m in empty]
    chosen = models[choose_model([Candidate(
        m.name, m.line, ("Keras functional Model" if m.output is not None else "Keras Sequential")
        + where[id(m)]) for m in models], model, filename)]
    shape = input_shape or chosen.shape
    if isinstance(shape, Unread):
        shape.fail()
    if notes is not None:
        notes.extend(channel_branch_notes(tree, bool(first)) + layer_notes)
    if shape is None and (chosen.graph is None or id(chosen) in open_shape) and (
            data := fit_shape(tree, aliases, module_env, chosen.name)) is not None:
        shape = data[0]  # model.fit(x_train) with x_train = x_train.reshape(n, 28, 28, 1)
        if notes is not None:
            notes.append((data[1], f"the model states no input shape; {fmt_shape(shape)} is "
                                   f"taken from {data[2]} (line {data[1]}), the data "
                                   f"{chosen.name}.fit trains on"))
    if first and input_shape is None and shape is not None:
        written = tuple(shape)
        shape = to_channels_last(written)
        if notes is not None:
            notes.append((first[0], f"{first[1]}: channels first, so the input shape "
                                    f"{written} is read as C, H, W: "
                                    f"{fmt_shape(shape)} (H×W×C)"))
    if shape is None and (chosen.graph is None or id(chosen) in open_shape):  # no shape: say
        add = ("call model.build((None, H, W, C)) after making it" if id(chosen) in open_shape
               else "add input_shape=(H, W, C) to the first layer (or keras.Input(shape=...))")
        raise OpenInputSize(f"the model {chosen.name!r} gives no input shape; {add}, or pass "
                            "--input-shape HxWxC.", where=f"line {chosen.line}",
                            shape=())  # the count depends on: open_size.fill_open
    if shape is not None and len(shape) >= 2 and None in shape[:-1] and all(
            d is None or isinstance(d, int) and not isinstance(d, bool) and d >= 1
            for d in shape[:-1]) and isinstance(shape[-1], int) and shape[-1] >= 1:
        raise OpenInputSize(f"the model {chosen.name!r} has input shape {shape}; add "
                            "input_shape=(H, W, C) to the first layer (or keras.Input(shape="
                            "...)), or pass --input-shape HxWxC.", where=f"line {chosen.line}",
                            shape=tuple(shape))
    if shape is None or any(not isinstance(d, int) or isinstance(d, bool) or d < 1 for d in shape):
        what = "gives no input shape" if shape is None else f"has input shape {shape}"
        raise ConfigError(f"the model {chosen.name!r} {what}; add input_shape=(H, W, C) to the "
                          "first layer (or keras.Input(shape=...)), or pass --input-shape HxWxC.",
                          where=f"line {chosen.line}")
    if chosen.graph is not None:
        inputs, outputs = uses(*chosen.graph, tuple(shape), channels_first=bool(first))
        return build_graph(inputs, outputs, count="total", title=chosen.name)
    return build_spec(chosen.refs, tuple(shape), count="total", title=chosen.name)
