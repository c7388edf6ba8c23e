"""Output files: refused over inputs, written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["AtomicText", "check_outputs"]


def check_outputs(inputs: Sequence[Path], outputs: Sequence[Path | None]) -> None:
    """Refuse to write over an input (or one output over another)."""
    from generator.errors import ConfigError

    ins = {Path(p).resolve() for p in inputs if p is not None}
    seen: set[Path] = set()
    for out in outputs:
        if out is None:
            continue
        r = Path(out).resolve()
        if r in ins:
            raise ConfigError(f"{out} is an input file; write the results somewhere else.")
        if r in seen:
            raise ConfigError(f"{out} is given for two outputs; use distinct files.")
        seen.add(r)


class AtomicText:
    """A text file written to a temporary name and renamed into place on success."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                        dir=self.path.parent)
        self.f = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> Any:
        return self.f

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.f.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)
