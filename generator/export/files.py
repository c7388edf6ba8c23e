"""Atomic file writing shared by the exporters: a temporary file, then a rename.

The file gets the mode an ordinary ``open(path, "w")`` would give it (0666 less the umask,
as the answer keys are written): ``mkstemp`` alone would leave exports at 0600.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["default_mode", "write_atomic"]


def default_mode() -> int:
    """0666 less the process umask (the mode of a newly created ordinary file)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(d / "a.txt", b"x").read_bytes()
    b'x'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
