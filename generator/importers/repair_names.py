"""A name used in the paste but never defined, where exactly one defined name differs from
it only in case (``img_SIZE`` for ``IMG_SIZE = 64``, a blog's typo): read as that name, and
said as a repair. Only names of the code are touched (found with :mod:`ast`, rewritten at
their own line and column), never strings or comments; the name read is already code of the
paste.

>>> import ast
>>> text = "IMG_SIZE = 64\\nshape = (img_SIZE, img_SIZE, 3)  # 'img_SIZE'\\n"
>>> fixed, repairs = case_typos(text, ast.parse(text))
>>> print(fixed, end="")
IMG_SIZE = 64
shape = (IMG_SIZE, IMG_SIZE, 3)  # 'img_SIZE'
>>> repairs
((2, 'img_SIZE is never defined; read as IMG_SIZE (line 1), the one name that differs only in case'),)
"""

from __future__ import annotations

import ast
import builtins

from .envkeys import defined_names

__all__ = ["case_typos"]


def case_typos(text: str, tree: ast.Module) -> tuple[str, tuple[tuple[int, str], ...]]:
    """The text with each such name replaced, and one repair per name (its first line)."""
    defined = defined_names(tree)
    own = {n for n in defined if n not in dir(builtins)}
    first_bound: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            first_bound[node.id] = min(first_bound.get(node.id, node.lineno), node.lineno)
    by_case: dict[str, list[str]] = {}
    for n in own:
        by_case.setdefault(n.lower(), []).append(n)
    # a module-like name (K.image_data_format(), F.relu) or a called one is no typo of a
    # value, and a short one (k, F) is too likely another name: left to the refusal
    skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)} | {
        id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    uses = sorted(((n.lineno, n.col_offset, n.id) for n in ast.walk(tree)
                   if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                   and id(n) not in skip and len(n.id) >= 3
                   and n.id not in defined and len(by_case.get(n.id.lower(), [])) == 1),
                  reverse=True)
    if not uses:
        return text, ()
    lines = text.split("\n")
    said: dict[str, int] = {}
    for line, col, name in uses:  # from the end, so that earlier columns stay right
        right = by_case[name.lower()][0]
        row = lines[line - 1]
        # ast columns count UTF-8 bytes: the same as characters on an ASCII line
        if row.isascii() and row[col:col + len(name)] == name:
            lines[line - 1] = row[:col] + right + row[col + len(name):]
            said[name] = line
    repairs = tuple(sorted(
        (line, f"{name} is never defined; read as {by_case[name.lower()][0]}"
               f"{f' (line {first_bound[by_case[name.lower()][0]]})' if by_case[name.lower()][0] in first_bound else ''}"
               ", the one name that differs only in case")
        for name, line in said.items()))
    return "\n".join(lines), repairs
