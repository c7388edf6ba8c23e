"""Pretrained networks a paste builds on but does not define (``keras.applications.ResNet50``,
``torchvision.models.resnet18``, ``timm.create_model``, ``torch.hub.load``,
``X.from_pretrained``): their layers live in a library, not in the paste, so cnnquiz cannot
count them. When reading such a paste fails, the refusal says so instead of a puzzling
"not a layer" (nothing is imported or looked up).

>>> import ast
>>> tree = ast.parse("from torchvision import models\\nnet = models.resnet18(weights=None)\\n")
>>> pretrained(tree)
(2, 'models.resnet18(weights=None)', 'torchvision.models.resnet18')
"""

from __future__ import annotations

import ast

from .common import dotted, import_aliases, snippet

__all__ = ["pretrained", "pretrained_message"]


def _is_zoo(q: str) -> bool:
    return (".applications." in f".{q}" or q.startswith(("torchvision.models.", "timm.",
                                                          "torch.hub.load"))
            or q.endswith(".from_pretrained"))


def pretrained(tree: ast.Module) -> tuple[int, str, str] | None:
    """The first call of a library's pretrained network: (line, its text, its full name)."""
    aliases = import_aliases(tree)
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in calls:
        line = node.lineno
        q = dotted(node.func, aliases) or ""
        if _is_zoo(q):
            return line, snippet(node, 60), q
    return None


def pretrained_message(found: tuple[int, str, str]) -> str:
    _, text, q = found
    head = ("paste them alone after an Input of the base's output shape (e.g. keras.Input("
            "shape=(7, 7, 2048)) for ResNet50 at 224×224)" if not q.startswith(("torch", "timm"))
            else "paste them alone (an nn.Sequential of the head, with --input-shape the "
                 "features the base gives, e.g. 512 for resnet18)")
    return (f"`{text}` is {q}, a network defined in a library, not in the paste: cnnquiz "
            "reads only layers written out, so it cannot count it (and never guesses its "
            "size). Paste a model whose layers are all written out, or describe the network in "
            f"a YAML spec; to count only the layers added on top, {head}.")
