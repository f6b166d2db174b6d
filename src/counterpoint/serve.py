"""`counterpoint serve`: build, serve, watch, rebuild, reload.

The site is built for serving into ``.counterpoint/serve/`` with a localhost base URL, so
a production build in ``public/`` is never replaced by one that links to localhost. The
HTTP server runs in the main thread (Ctrl-C lands there); the watcher and the rebuild
loop run in background threads.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from .devserver import DevServer
from .errors import BuildFailed
from .rebuild import Rebuilder
from .report import BuildReport
from .watcher import Watcher

SERVE_DIR = Path(".counterpoint") / "serve"


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


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
    from .config import load_config
    from .engine import Engine  # lazily: the engine pulls in the whole pipeline

    out = out or sys.stdout
    root = root.resolve()
    serve_dir = root / SERVE_DIR
    server = DevServer(serve_dir, host=host, port=port, allowed_hosts=allowed_hosts, out=out)
    try:
        try:
            base_path = load_config(root).base_path
        except BuildFailed:
            base_path = "/"  # the engine reports the errors, in the terminal and the overlay
        try:
            engine = Engine(root, drafts=drafts, out=serve_dir, base_url=server.origin + base_path)
        except BuildFailed as exc:
            print(exc.format(), file=out, flush=True)
            return 1
        engine.persist = False  # serve keeps its cache in memory; public/'s cache stays as it was
        engine.start_method = "spawn"  # the server's threads make fork unsafe
        server.output = engine.config.output
        server.base_path = engine.config.base_path

        def published(report: BuildReport) -> None:
            server.base_path = engine.config.base_path  # site.yml may have moved the site
            server.publish(report)

        rebuilder = Rebuilder(
            engine, on_start=server.begin_build, on_report=published, root=root, out=out, debug=debug
        )
        rebuilder.run_build(None)
        # the first build indexed the site for search; rebuilds skip Pagefind to stay instant
        engine.index_search = False
        ignore = [engine.config.output, root / ".counterpoint"]
        # the standard places too, existing or not, so a templates/ created later is seen
        watched = [*engine.watched_paths(), root / "site.yml", root / "content", root / "templates", root / "themes"]
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _sigterm)
        try:
            with rebuilder, Watcher(watched, rebuilder.notify, poll=poll, ignore=ignore, out=out):
                print(f"serving {server.url}  (Ctrl-C to stop)", file=out, flush=True)
                server.serve_forever()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("stopped", file=out, flush=True)
    return 0
