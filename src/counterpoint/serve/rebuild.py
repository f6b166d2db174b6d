"""The background builder: turns a stream of changed paths into as few builds as possible.

Shaped like Lektor's BackgroundBuilder and MkDocs' livereload loop: one thread, one build
at a time, a stop event. The first change opens a short quiet window (editors and `git
checkout` produce bursts); the batch is built once the paths stop changing, or after
``max_wait`` so a never-ending stream still builds. Changes arriving during a build are
kept and give exactly one follow-up build. Nothing a build does ends the loop.
"""

from __future__ import annotations

import errno
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, TextIO

from counterpoint.build.report import BuildReport
from counterpoint.errors import display_path, say


class Builder(Protocol):
    def build(self, changed: frozenset[Path] | None = None) -> BuildReport: ...


def describe_exception(exc: BaseException, root: Path | None = None) -> str:
    """An error line for an exception the builder did not turn into a report."""
    if isinstance(exc, OSError) and exc.strerror:
        name = os.fsdecode(exc.filename) if isinstance(exc.filename, (str, bytes)) else ""
        where = f"{display_path(Path(name), root) if root else name}: " if name else ""
        hint = {
            errno.ENOSPC: "free some disk space; the previous output is still being served",
            errno.EACCES: "check the permissions of the file and its folder",
            errno.EPERM: "check the permissions of the file and its folder",
        }.get(exc.errno or 0, "")
        return f"{where}error: {exc.strerror}" + (f"\n  hint: {hint}" if hint else "")
    return f"internal error: {type(exc).__name__}: {exc} (this is a bug in counterpoint)"


def _changed_text(paths: Iterable[str], limit: int = 3) -> str:
    shown = sorted(paths)
    if len(shown) <= limit:
        return ", ".join(shown)
    return ", ".join(shown[:limit]) + f" and {len(shown) - limit} more"


def format_report(report: BuildReport, changed: Iterable[str] = ()) -> str:
    """The terminal line(s) for one build: what changed, files written, milliseconds, errors."""
    what = _changed_text(report.trigger or tuple(changed))
    ms = f"{report.elapsed_ms:.0f} ms"
    if report.ok:
        n = len(report.written)
        files = f"{n} file" + ("" if n == 1 else "s")
        if what:
            return "\n".join((f"rebuilt in {ms}: {what} -> {files}", *report.warnings))
        cached = f" ({report.rendered[0]} of {report.rendered[1]} essays rendered)" if report.rendered else ""
        return "\n".join((f"built in {ms} -> {files}{cached}", *report.warnings))
    n = len(report.errors)
    head = f"build failed in {ms}" + (f": {what}" if what else "") + f" ({n} error{'' if n == 1 else 's'})"
    return "\n".join((head, *report.warnings, *report.errors))


class Rebuilder:
    """Run ``builder.build(changed)`` in a thread whenever :meth:`notify` reports paths."""

    def __init__(
        self,
        builder: Builder,
        *,
        on_start: Callable[[], None] | None = None,
        on_report: Callable[[BuildReport], None] | None = None,
        root: Path | None = None,
        quiet: float = 0.02,
        max_wait: float = 0.5,
        out: TextIO | None = None,
        debug: bool = False,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self._builder = builder
        self._prepare = prepare  # run first in the build thread: what the first rebuild would otherwise do
        self._on_start = on_start
        self._on_report = on_report
        self._root = root
        self._quiet = quiet
        self._max_wait = max_wait
        self._out = out
        self._debug = debug
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._first = self._last = 0.0
        self._building = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.builds = 0  # builds finished by the loop

    # -- feeding -------------------------------------------------------------------------
    def notify(self, paths: Iterable[Path]) -> None:
        """Record changed paths (called from the watcher's thread)."""
        new = set(paths)
        if not new:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending |= new
            self._last = now
            self._cond.notify_all()

    def pending(self) -> frozenset[Path]:
        with self._cond:
            return frozenset(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending and no build runs; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._building, timeout)

    # -- building ------------------------------------------------------------------------
    def run_build(self, changed: frozenset[Path] | None) -> BuildReport:
        """Build once, publish the report and print its line. Never raises an Exception."""
        if self._on_start is not None:
            self._guard(self._on_start)
        started = time.perf_counter()
        try:
            report = self._builder.build(changed)
        except Exception as exc:  # the loop must outlive any bug in a build
            if self._debug:
                traceback.print_exc()
            report = BuildReport(
                ok=False,
                errors=(describe_exception(exc, self._root),),
                written=(),
                elapsed_ms=(time.perf_counter() - started) * 1000,
                trigger=self._display(changed),
            )
        if self._on_report is not None:
            self._guard(lambda: self._on_report(report))  # type: ignore[misc]
        self._print(format_report(report, self._display(changed)))
        return report

    def _display(self, changed: frozenset[Path] | None) -> tuple[str, ...]:
        if not changed:
            return ()
        if self._root is None:
            return tuple(sorted(p.as_posix() for p in changed))
        return tuple(sorted(display_path(p, self._root) for p in changed))

    def _guard(self, call: Callable[[], object]) -> None:
        try:
            call()
        except Exception as exc:
            self._print(f"internal error in the dev server: {type(exc).__name__}: {exc}")

    def _print(self, text: str) -> None:
        say(text, self._out)

    def _next_batch(self) -> frozenset[Path] | None:
        with self._cond:
            while not self._stop.is_set():
                if not self._pending:
                    self._cond.wait()
                    continue
                deadline = min(self._last + self._quiet, self._first + self._max_wait)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    batch = frozenset(self._pending)
                    self._pending.clear()
                    self._building = True
                    return batch
                self._cond.wait(remaining)
            return None

    def _run(self) -> None:
        if self._prepare is not None:
            self._guard(self._prepare)  # a change meanwhile waits for it, as it would wait for a build
        while (batch := self._next_batch()) is not None:
            try:
                self.run_build(batch)
            finally:
                with self._cond:
                    self._building = False
                    self.builds += 1
                    self._cond.notify_all()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="counterpoint-rebuild", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the running build (if any) finishes; pending changes are dropped."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> Rebuilder:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
