"""What one build did: the value the engine returns and the dev loop passes around.

It lives in its own module so the watcher, the rebuild loop and the dev server can be
written and tested against it without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildReport:
    ok: bool
    errors: tuple[str, ...]  # each "path:line:col: error: message" ("\n  hint: ..." may follow)
    written: tuple[str, ...]  # output files written or removed, relative posix paths
    elapsed_ms: float
    trigger: tuple[str, ...]  # the changed source paths that caused it (display form); () for the first build
    rendered: tuple[int, int] | None = None  # (essays rendered, of all): the others came from the cache
    warnings: tuple[str, ...] = ()  # "path: warning: message" (symlinks not followed), ok or not
