"""Author-facing errors: a spec, option or architecture that cannot be solved.

Student input never raises these; the grader turns unreadable answers into results.
"""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A problem in a spec, a layer option or an architecture, told to its author.

    The message says what was received, what was expected and how to fix it.

    >>> str(ConfigError("Unknown layer type 'conv'.", where="layers[0]"))
    "layers[0]: Unknown layer type 'conv'."
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        self.detail = message
        super().__init__(f"{where}: {message}" if where else message)
