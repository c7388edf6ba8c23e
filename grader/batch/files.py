"""Output files: refused over inputs, written atomically."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.errors import ConfigError

__all__ = ["AtomicText", "OutputError", "check_outputs"]


def _same_file(a: Path, b: Path) -> bool:
    """Whether two existing paths are one file (hard links and symlinks included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(inputs: Sequence[Path | None], outputs: Sequence[Path | None],
                  protected: Sequence[Path | None] = ()) -> None:
    """Refuse to write over an input, into a protected directory (the problem set: its
    answer key and problem files are what every later run grades against), or one output
    over another.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_outputs([d / "in.csv"], [d / "set" / "answer_key.json"], protected=[d / "set"])
    Traceback (most recent call last):
    generator.errors.ConfigError: ... is inside the problem set ...; write outputs somewhere else.
    """
    ins = [Path(p) for p in inputs if p is not None]
    resolved = {p.resolve() for p in ins}
    sets = [Path(d).resolve() for d in protected if d is not None]
    seen: set[Path] = set()
    for out in outputs:
        if out is None:
            continue
        r = Path(out).resolve()
        if r in resolved or any(_same_file(r, i) for i in ins):
            raise ConfigError(f"{out} is an input file; write the results somewhere else.")
        for d in sets:
            if r == d or d in r.parents:
                raise ConfigError(f"{out} is inside the problem set {d}; write outputs "
                                  "somewhere else.")
        if r in seen:
            raise ConfigError(f"{out} is given for two outputs; use distinct files.")
        seen.add(r)


class OutputError(ConfigError):
    """An output could not be written (full disk, read-only or missing directory)."""


def _cannot_write(path: Path, e: OSError) -> OutputError:
    why = e.strerror or type(e).__name__
    return OutputError(f"cannot write {path}: {why}; nothing was replaced (any previous "
                       f"{path.name} is kept).")


class AtomicText:
    """A text file written to a temporary name and renamed into place on success.

    On any failure the temporary file is removed and the previous file stays as it was;
    an OSError (ENOSPC, EROFS, EACCES...) becomes an :class:`OutputError` naming the file.
    The temporary name carries the writer's pid (``.results.csv.<pid>.<random>.tmp``): one
    left by a process killed with -9 is removed by the next writer of that file, and batch
    workers remove their parent's when it dies (:mod:`.pool`).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(self.path)
            fd, self.tmp = _temporary(self.path)
        except OSError as e:
            raise _cannot_write(self.path, e) from None
        self.f = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> Any:
        return self.f

    def __exit__(self, exc_type: Any, exc: BaseException | None, _tb: Any) -> None:
        if exc_type is None:
            try:
                self.f.close()
                os.replace(self.tmp, self.path)
            except OSError as e:
                Path(self.tmp).unlink(missing_ok=True)
                raise _cannot_write(self.path, e) from None
            return
        with contextlib.suppress(OSError):
            self.f.close()
        Path(self.tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _cannot_write(self.path, exc) from None


def _temporary(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                            dir=path.parent)


def _remove_stale(path: Path) -> None:
    """Remove temporary files of ``path`` whose writing process no longer exists."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
