"""One error type for everything a user can cause.

Every problem in the content or the configuration becomes a ``ContentError``
that knows its file, line and column, says what is wrong and how to fix it.
Stages collect them and fail once with all of them (``BuildFailed``), so an
author fixes a whole batch per run rather than one error at a time.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


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


# C0 controls but newline and tab, DEL, C1 controls, and the bidirectional
# overrides and isolates that reorder what a terminal shows
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` safe to print to a terminal: every control character (an escape
    sequence that retitles the window or clears the screen, a bell, a bidi
    override) becomes visible as ``\\x1b``/``\\u202e``; lines and tabs stay.
    Messages quote content (a reader's quote, a file name), so everything
    counterpoint prints goes through here (``say``)."""
    return _CONTROL.sub(_escaped, text)


def say(text: str, file: TextIO | None = None) -> None:
    """Print one message to the terminal (stdout unless ``file``), escaped, flushed."""
    print(terminal_text(text), file=file if file is not None else sys.stdout, flush=True)
