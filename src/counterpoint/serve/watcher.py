"""Watch the site's sources with watchdog and say which paths changed.

Deliberately small (Lektor's shape): :class:`ChangeFilter` decides what counts as a
change, :class:`Watcher` turns watchdog events into paths. When to rebuild is the
Rebuilder's business. With inotify each source root is watched recursively and its
parent non-recursively, so a root (``templates/``, ``site.yml``) that appears, disappears
or is replaced by an editor's rename is still seen. Polling walks the parents instead,
listing only the roots and what is inside them (never the output folder), since a polled
root that is deleted and recreated between two polls would otherwise go unnoticed.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import TextIO

from watchdog.events import (
    EVENT_TYPE_ATTRIB,
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_OPENED,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserverVFS

from counterpoint.errors import say
from counterpoint.source.walk import ignored, litter

IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".counterpoint"})

# Only the event kinds that can mean new content; opened/closed-without-writing events
# would make every build (which reads the sources) trigger the next one.
_EVENTS = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    FileAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]

RAISE_LIMIT = """\
  To raise the limit:
    echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/40-inotify.conf
    sudo sysctl --system
  or pass --poll to use polling from the start."""
INOTIFY_LIMIT = (
    "warning: the system's limit on watched folders (inotify) is reached; falling back to polling,\n"
    "  which notices changes more slowly.\n" + RAISE_LIMIT
)
INOTIFY_LIMIT_LATER = (
    "warning: the inotify watch limit is reached: changes in new folders are not seen.\n" + RAISE_LIMIT
)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _content_touched(path: str) -> bool:
    """True when an attribute event also moved the mtime (``touch``), not a chmod/chown.

    A chmod changes only ctime; ``touch`` sets mtime and ctime to the same instant.
    """
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_mtime_ns == st.st_ctime_ns


class ChangeFilter:
    """Which paths of a watchdog event count as source changes.

    Folder names like ``.git`` are matched only below the watched ``roots`` (when given),
    so a site that itself lives under such a folder is still watched.
    """

    def __init__(self, ignore: Iterable[Path] = (), roots: Iterable[str] = ()) -> None:
        self._ignore = tuple(str(Path(p).absolute()) for p in ignore)
        self.roots = tuple(roots)

    def root_of(self, path: str) -> str | None:
        return next((r for r in self.roots if _under(path, r)), None)

    def ignores(self, path: str) -> bool:
        """Litter anywhere (the walk's rule, ``walk.litter``); below ``content/``, whatever
        the walk of content/ skips (``walk.ignored``), so both agree on what a source is."""
        if litter(os.path.basename(path)):
            return True
        if any(_under(path, ignored) for ignored in self._ignore):
            return True
        root = self.root_of(path)
        inner = path[len(root) :] if root else path
        parts = [part for part in inner.split(os.sep) if part]
        if root is not None and os.path.basename(root) == "content":
            return any(ignored(part) for part in parts)
        return any(part in IGNORED_DIRS for part in parts)

    def changed_paths(self, event: FileSystemEvent) -> list[str]:
        kind = event.event_type
        if kind in (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE):
            return []
        if event.is_directory and kind in (EVENT_TYPE_MODIFIED, EVENT_TYPE_ATTRIB):
            return []
        if kind == EVENT_TYPE_ATTRIB and not _content_touched(os.fsdecode(event.src_path)):
            return []
        paths = [os.fsdecode(event.src_path)]
        if kind == EVENT_TYPE_MOVED and event.dest_path:
            paths.append(os.fsdecode(event.dest_path))  # a rename-save changes its target
        return [p for p in paths if p and not self.ignores(p)]


class Watcher(FileSystemEventHandler):
    """Call ``on_change(paths)`` for every relevant change under ``paths``."""

    def __init__(
        self,
        paths: Iterable[Path],
        on_change: Callable[[frozenset[Path]], None],
        *,
        poll: bool = False,
        ignore: Iterable[Path] = (),
        poll_interval: float = 1.0,
        out: TextIO | None = None,
    ) -> None:
        given = {str(_absolute(Path(p))): str(Path(p).absolute()) for p in paths}
        self._roots = sorted(given)
        # a root reached through a symlink (content/ linked in from elsewhere) is watched where
        # it really is; its events are said under the path given, which is the one the build knows
        self._given = {real: path for real, path in given.items() if real != path}
        self._on_change = on_change
        self._filter = ChangeFilter(ignore, self._roots)
        self._poll = poll
        self._poll_interval = poll_interval
        self._out = out
        self._lock = threading.RLock()
        self._observer: BaseObserver | None = None
        self._recursive: dict[str, ObservedWatch] = {}
        self.polling = poll

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        if not self._poll:
            try:
                self._launch(Observer())
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                    raise
                say(INOTIFY_LIMIT, self._out)
        self.polling = True
        self._launch(PollingObserverVFS(os.stat, self._listdir, polling_interval=self._poll_interval))

    def stop(self) -> None:
        with self._lock:
            observer, self._observer = self._observer, None
        if observer is not None:
            with suppress(Exception):
                observer.stop()
                observer.join(5)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _launch(self, observer: BaseObserver) -> None:
        with self._lock:  # held until started, so events wait for self._observer
            self._recursive = {}
            parents = {os.path.dirname(r) for r in self._roots}
            if self.polling:
                parents = {p for p in parents if not any(q != p and _under(p, q) for q in parents)}
            else:
                parents -= set(self._roots)
            for parent in sorted(parents):
                if os.path.isdir(parent):
                    observer.schedule(self, parent, recursive=self.polling, event_filter=_EVENTS)
            if not self.polling:
                for root in self._roots:
                    self._watch_root(observer, root)
            try:
                observer.start()
            except BaseException:
                with suppress(Exception):
                    observer.stop()
                raise
            self._observer = observer

    def _watch_root(self, observer: BaseObserver, root: str) -> None:
        if root in self._recursive or not os.path.isdir(root):
            return
        try:
            self._recursive[root] = observer.schedule(self, root, recursive=True, event_filter=_EVENTS)
        except OSError as exc:  # vanished meanwhile (the parent's watch sees it return), or the limit
            if exc.errno == errno.ENOSPC and observer.is_alive():
                say(INOTIFY_LIMIT_LATER, self._out)
            elif not observer.is_alive():
                raise

    def _unwatch_root(self, observer: BaseObserver, root: str) -> None:
        watch = self._recursive.pop(root, None)
        if watch is not None:
            with suppress(Exception):
                observer.unschedule(watch)

    def _listdir(self, path: str | None) -> Iterator[os.DirEntry[str]]:
        """What polling walks: the roots, the folders leading to them, their contents."""
        with os.scandir(path) as entries:
            for entry in entries:
                if self._filter.root_of(entry.path) is None:
                    if any(_under(r, entry.path) for r in self._roots):
                        yield entry
                elif not self._filter.ignores(entry.path):
                    yield entry

    # -- events (in the observer's thread) ------------------------------------------------
    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            changed = {Path(p) for p in self._filter.changed_paths(event) if self._filter.root_of(p) is not None}
            changed |= self._follow_roots(event)
            if changed:
                self._on_change(frozenset(self._as_given(p) for p in changed))
        except Exception as exc:  # a failing callback must not kill the observer thread
            say(f"internal error in the watcher: {type(exc).__name__}: {exc}", self._out or sys.stderr)

    def _as_given(self, path: Path) -> Path:
        root = self._filter.root_of(str(path))
        if root is None or root not in self._given:
            return path
        return Path(self._given[root] + str(path)[len(root) :])

    def _follow_roots(self, event: FileSystemEvent) -> set[Path]:
        """Keep a recursive watch on each root folder that exists; return roots newly watched.

        A root that appears, or is deleted and recreated, gets a fresh watch and is itself
        reported: whatever was written into it before the watch started is then covered.
        """
        if not event.is_directory or self.polling:
            return set()
        paths = {os.fsdecode(event.src_path)}
        if isinstance(event, DirMovedEvent) and event.dest_path:
            paths.add(os.fsdecode(event.dest_path))
        fresh = isinstance(event, (DirCreatedEvent, DirDeletedEvent, DirMovedEvent))
        found: set[Path] = set()
        with self._lock:
            observer = self._observer
            if observer is None:
                return found
            for root in paths.intersection(self._roots):
                exists = os.path.isdir(root)
                if root in self._recursive and (fresh or not exists):
                    self._unwatch_root(observer, root)
                if exists and root not in self._recursive:
                    self._watch_root(observer, root)
                    found.add(Path(root))
        return found


def _absolute(path: Path) -> Path:
    """Resolve symlinks in the existing part, so event paths and roots compare equal."""
    path = path.absolute()
    if path.exists():
        return path.resolve()
    return _absolute(path.parent) / path.name if path.parent != path else path
