"""`counterpoint serve`: build, serve, watch, rebuild, reload.

The site is built for serving into ``.counterpoint/serve/`` with a localhost base URL, so
a production build in ``public/`` is never replaced by one that links to localhost. The
HTTP server runs in the main thread (Ctrl-C lands there); the watcher and the rebuild
loop run in background threads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from counterpoint.build.report import BuildReport
from counterpoint.errors import BuildFailed, UsageError, say
from counterpoint.serve.devserver import DevServer
from counterpoint.serve.rebuild import Rebuilder
from counterpoint.serve.watcher import Watcher

SERVE_DIR = Path(".counterpoint") / "serve"
SERVE_LOCK = Path(".counterpoint") / "serve.lock"  # held by the site's server, which writes its address in it
BACKGROUND_NICENESS = 10  # the search indexer's, set before it starts its threads, which inherit it


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class BackgroundIndex:
    """The search index, kept current while the site is served: made after the first
    build (Pagefind takes longer than the build itself on a large site), then brought up
    to date after every rebuild that changed pages — only the shards of the changed
    pages are indexed again (``search.index_site``). One run at a time, in its own
    thread at a lower priority: a rebuild never waits for it; edits made during a run
    give one more run."""

    def __init__(
        self, site: Path, language: str, scratch: Path, out: TextIO, pages: Callable[[], dict[str, str]], record: Path
    ) -> None:
        self._site = site
        self._language = language
        self._scratch = scratch  # outside the served folder, whose rebuilds tidy up staging folders
        self._out = out
        self._pages = pages  # the last build's HTML pages, path -> digest
        self._record = record
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._procs: list[subprocess.Popen] = []
        self._stopping = False
        self._due = True  # the first index is due as soon as the thread starts
        self._runs = 0
        self._thread = threading.Thread(target=self._run, name="counterpoint-search", daemon=True)

    def start(self) -> None:
        from counterpoint.output.output import remove_stale_stages  # lazily: in the indexing thread

        remove_stale_stages(self._scratch)  # left by a server stopped the hard way
        self._thread.start()

    def request(self) -> None:
        """Pages changed: bring the index up to date (after the run in progress, if any)."""
        with self._lock:
            self._due = True
            self._wake.notify()

    def _run(self) -> None:
        from counterpoint.output.search import Indexed, index_site  # lazily: in the indexing thread

        while True:
            with self._lock:
                while not self._due and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                self._due = False
                self._procs = []
            started = time.perf_counter()
            try:
                done = index_site(
                    self._site,
                    self._language,
                    pages=self._pages(),
                    record=self._record,
                    scratch=self._scratch,
                    started=self._started,
                )
            except OSError as exc:  # the swap into the served folder failed: a full disk, permissions
                warning = f"search index failed (the site is served without it): {exc}"
                done = Indexed(warning)
                say(warning, self._out)
            with self._lock:
                # a Pagefind stopped by a terminal's Ctrl-C (it reaches the whole group) may end
                # before the server begins to stop: nothing was made, so nothing is said
                if done.warning is None and not done.stopped and not self._stopping:
                    what = "ready" if self._runs == 0 else "updated"
                    say(
                        f"search index {what} in {time.perf_counter() - started:.1f} s "
                        f"({done.indexed} of {done.shards} shards indexed)",
                        self._out,
                    )
                self._runs += not done.stopped  # the first index made is "ready"

    def _started(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.append(proc)
            if self._stopping:
                proc.terminate()
        try:  # it uses every core for seconds: a rebuild after a save goes first
            os.setpriority(os.PRIO_PROCESS, proc.pid, BACKGROUND_NICENESS)
        except (AttributeError, OSError):  # not POSIX, or it has exited already
            pass

    def stop(self) -> None:
        """Stop Pagefind if it still runs (nothing is left half-written) and wait for it."""
        with self._lock:
            self._stopping = True
            self._wake.notify()
            for proc in self._procs:
                if proc.poll() is None:
                    proc.terminate()
        if self._thread.is_alive():
            self._thread.join(30)


def claim_site(root: Path) -> int | None:
    """Hold the site's ``serve.lock`` while this server runs (the kernel lets go when it exits,
    however it exits): a second server of the site would build into the same folder, its pages
    (their links at its own port) replacing the ones the first serves.  None where there is no
    ``flock``, or no site here (the engine says so)."""
    try:
        import fcntl  # lazily: POSIX only
    except ImportError:
        return None
    if not (root / "site.yml").is_file():
        return None
    path = root / SERVE_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        where = os.read(fd, 4096).decode("utf-8", "replace").strip()
        os.close(fd)
        raise UsageError(
            "another counterpoint serve is serving this site"
            + (f" at {where}" if where else "")
            + "; open that address, or stop that server first"
        ) from None
    return fd


def _note_address(lock: int | None, url: str) -> None:
    """Say in the lock where this server serves, for a second one to tell the user."""
    if lock is not None:
        os.ftruncate(lock, 0)
        os.pwrite(lock, url.encode(), 0)


def run_serve(
    root: Path,
    *,
    host: str,
    port: int,
    drafts: bool,
    poll: bool,
    allowed_hosts: Sequence[str],
    out: TextIO | None = None,
    debug: bool = False,
) -> int:
    # Long: the server's life from start to stop, in order.
    from counterpoint.build.engine import Engine  # lazily: the engine pulls in the whole pipeline
    from counterpoint.build.options import BuildOptions
    from counterpoint.output.output import remove_stale_stages  # lazily, as the engine

    out = out or sys.stdout
    root = root.resolve()
    serve_dir = root / SERVE_DIR
    lock = claim_site(root)  # before the port: a second server of this site binds none
    try:
        server = DevServer(serve_dir, host=host, port=port, allowed_hosts=allowed_hosts, out=out)
    except BaseException:
        if lock is not None:
            os.close(lock)
        raise
    indexer: BackgroundIndex | None = None
    previous = None
    if threading.current_thread() is threading.main_thread():
        # from the start: a SIGTERM during the first build stops it as Ctrl-C does
        previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        try:
            options = BuildOptions(
                drafts=drafts,
                future=True,  # essays dated in the future are shown, marked as scheduled
                out=serve_dir,
                origin=server.origin,  # with site.yml's base_url path, followed when site.yml changes
                persist=False,  # serve keeps its cache in memory (saved once it serves and when it stops)
                start_method="spawn",  # the server's threads make fork unsafe
                # the site is served as soon as it is built; its search index follows in the
                # background, and rebuilds skip Pagefind to stay instant
                index_search=False,
            )
            engine = Engine(root, options)
        except BuildFailed as exc:
            say(exc.format(), out)
            return 1
        server.output = engine.config.output
        server.base_path = engine.config.base_path

        _note_address(lock, server.url)

        def published(report: BuildReport) -> None:
            moved = engine.config.base_path != server.base_path  # site.yml's base_url has a new path
            server.base_path = engine.config.base_path
            server.publish(report)
            if moved:
                _note_address(lock, server.url)
                say(f"serving {server.url}", out)
            if indexer is not None and report.ok and any(w.endswith(".html") for w in report.written):
                indexer.request()  # after the reload is sent: search follows in the background

        def ready() -> None:  # once it serves: ready for the first edit, and the next start is warm
            engine.prepare_here()
            engine.save_cache()

        rebuilder = Rebuilder(
            engine,
            on_start=server.begin_build,
            on_report=published,
            root=root,
            out=out,
            debug=debug,
            prepare=ready,
        )
        first = rebuilder.run_build(None)
        if first.ok and engine.config.search:
            indexer = BackgroundIndex(
                serve_dir,
                engine.config.language,
                root / ".counterpoint",
                out,
                engine.built_pages,
                engine.search_record(),
            )
            indexer.start()
        ignore = [engine.config.output, root / ".counterpoint"]
        # the standard places too, existing or not, so a templates/ created later is seen
        watched = [*engine.watched_paths(), root / "site.yml", root / "content", root / "templates", root / "themes"]
        try:
            with rebuilder, Watcher(watched, rebuilder.notify, poll=poll, ignore=ignore, out=out):
                say(f"serving {server.url}  (Ctrl-C to stop)", out)
                server.serve_forever()
        finally:
            engine.save_cache()  # with the rebuilds since the start; the build thread has stopped
    except KeyboardInterrupt:
        pass
    finally:
        if indexer is not None:
            indexer.stop()
        server.stop()
        # no build of this server runs now: a stage the interrupt caught as it was made goes too
        remove_stale_stages(serve_dir, own=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if lock is not None:
            os.close(lock)
    say("stopped", out)
    return 0
