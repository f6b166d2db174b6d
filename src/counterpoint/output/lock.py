"""One build at a time per output folder, and staging folders that name their owner.

Two builds into one folder would undo each other: each removes what it takes
for a killed build's staging folder, and their renames and manifests
interleave.  A build holds an exclusive ``flock`` on the output folder itself
(no lock file to publish or to leave behind) from before it tidies the folder
until its records are written; a second build waits for it, and says so.  The
kernel drops the lock when its holder exits, however it exits.

A staging folder's name records its owner, the process number and that
process's start time (a number can be reused); one is removed only when its
owner is gone.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from counterpoint import errors

try:
    import fcntl
except ImportError:  # not POSIX: builds are not serialized there
    fcntl = None  # type: ignore[assignment]

_OWNED = re.compile(r"-(\d+)-(\d+)-[^-]*$")  # ...-<pid>-<start>-<random>, the end of a staging folder's name


class OutputLock:
    """Held while a build works on ``out``; ``created``: this build made the folder."""

    def __init__(self, out: Path, say: Callable[[str], None] | None = None):
        self.out = out
        self.created = False
        self._fd: int | None = None
        self._say = say or (lambda text: errors.say(text, sys.stderr))

    def __enter__(self) -> OutputLock:
        if fcntl is None:
            return self
        waited = False
        while True:
            self.created = not self.out.exists()
            self.out.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if not waited:
                        self._say(f"waiting: another build is writing into {self.out}")
                        waited = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if _same(fd, self.out):
                    self._fd = fd
                    if waited:
                        self.created = False  # the other build made it
                    return self
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the folder was removed (a failed first build) or replaced meanwhile: lock the new one

    def __exit__(self, *exc: object) -> None:
        if self.created:
            try:
                self.out.rmdir()  # only when empty: a build that failed first leaves no folder behind
            except OSError:
                pass
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the lock
            self._fd = None


def _same(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def owner_tag(pid: int | None = None) -> str:
    """``<pid>-<start time>`` of a process (this one by default), for a staging folder's name."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{_start_time(pid) or 0}"


def owner_gone(name: str) -> bool:
    """The process that made the staging folder ``name`` has exited (or the folder
    names none: made before owners were recorded, by a build long gone)."""
    match = _OWNED.search(name)
    if match is None:
        return True
    pid, start = int(match.group(1)), int(match.group(2))
    now = _start_time(pid)
    if now is not None:
        return start != 0 and now != start  # a different start: the number was reused since
    if pid == os.getpid() or os.name == "nt":  # (on Windows os.kill would end the process)
        return pid != os.getpid()
    if Path("/proc/self/stat").exists():
        return True  # /proc knows no such process
    try:  # no /proc (macOS): whether the number is in use
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, and belongs to someone else
    return False


def _start_time(pid: int) -> int | None:
    """When the process started (clock ticks after boot, from /proc); None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None
