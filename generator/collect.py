"""Python's cycle collector held off while a problem is drawn (then as it was).

Drawing a problem allocates hundreds of thousands of small objects, nearly all freed at
once by reference counting (layers, shapes, rows, the diagnosability check's passes). At
the default thresholds the collector runs every 700 allocations meanwhile, and every so
often a full pass traverses every live object, the caches of solved problems and of layer
shapes included: about a sixth of the generator's time in bench/generate.py. The little
cyclic garbage a draw leaves (a redraw's exception and its frames) is collected after.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within: no cycle collection; after: enabled again if it was (so it nests)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
