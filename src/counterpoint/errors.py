"""One error type for everything a user can cause.

Every problem in the content or the configuration becomes a ``ContentError``
that knows its file, line and column, says what is wrong and how to fix it.
Stages collect them and fail once with all of them (``BuildFailed``), so an
author fixes a whole batch per run rather than one error at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentError(Exception):
    """A problem in a file the user wrote."""

    path: str  # relative to the site root when possible, with "/" separators
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    hint: str = ""
    col: int = 1
    severity: str = "error"  # or "note": said by ``check``, never fails a build

    def __str__(self) -> str:
        return self.format()

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.col}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __reduce__(self) -> tuple:
        # an essay's errors come back from the worker processes pickled: by its fields,
        # since a frozen dataclass cannot be rebuilt the way exceptions are (args, then setattr)
        return (type(self), (self.path, self.line, self.message, self.hint, self.col, self.severity))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.message)


class BuildFailed(Exception):
    """Raised with every error found; nothing was written."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(set(errors), key=ContentError.sort_key)
        super().__init__(f"{len(self.errors)} error(s)")

    def format(self) -> str:
        return "\n".join(e.format() for e in self.errors)


class UsageError(Exception):
    """A wrong command line or an unusable folder: exit code 2."""


def display_path(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the site root when inside it."""
    text, base = str(path), str(root) + os.sep
    if text.startswith(base):  # the common case: plain string work, no disk, no pathlib parsing
        return text[len(base) :].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
