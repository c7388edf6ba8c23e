"""What the web app's route modules share: the store, the RNG and locks, class mode, and the
page renderer, kept on the Flask app as one typed object (``app.extensions["cnnquiz"]``)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask, Response

from .classmode import ClassConfig
from .store import Store

__all__ = ["Page", "Shared", "shared"]


class Page(Protocol):
    """Renders ``templates/web/<template>.html.j2`` with ``ctx`` into a response."""

    def __call__(self, template: str, code: int = 200, **ctx: Any) -> Response: ...


@dataclass
class Shared:
    store: Store
    rng: random.Random
    klass: ClassConfig | None
    where: str
    page: Page
    lock: threading.Lock = field(default_factory=threading.Lock)      # the RNG's
    grading: threading.Lock = field(default_factory=threading.Lock)


def shared(app: Flask) -> Shared:
    found = app.extensions["cnnquiz"]
    assert isinstance(found, Shared)
    return found
