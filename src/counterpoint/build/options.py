"""How to build: one frozen value that the command line, ``serve`` and the benchmark
pass to the engine, which never changes it.  Standard library only: the command line
makes it before it knows whether the engine is needed at all."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False  # include essays with draft: true
    future: bool = False  # include essays dated after the build's moment, marked as scheduled
    out: Path | None = None  # the output folder; None: site.yml's (public/)
    base_url: str | None = None  # instead of site.yml's
    # serve: site.yml's base_url at this origin (http://127.0.0.1:8000), its path read at every
    # build, so a site moved to another path in site.yml moves on the dev server too
    origin: str | None = None
    jobs: int | None = None  # processes that render, the build's own included; None: one per CPU
    use_cache: bool = True  # False: render everything, read and keep no cache
    search: bool | None = None  # False: no Pagefind index; None: as site.yml says
    allow_outside_output: bool = False  # build into a folder outside the site that holds other files
    persist: bool = True  # keep the cache and the record of the build on disk (serve keeps them in memory)
    start_method: str | None = None  # of the worker processes; None: fork where it is safe (workers.py)
    index_search: bool = True  # run Pagefind after a build that changed pages (serve indexes in the background)
    # False: check's own build, whose folder is not the output: the record of the last
    # build (the no-op check's) stays the output's
    keep_record: bool = True
    # the engine builds once (the command line): once the cache is saved, before Pagefind runs,
    # the build lets go of it and of the essays' results instead of keeping them for a next build
    once: bool = False

    @property
    def processes(self) -> int:
        return self.jobs if self.jobs is not None else (os.cpu_count() or 1)

    @property
    def records(self) -> bool:
        """Builds with these options keep the cache on disk and the record of what they made."""
        return self.persist and self.use_cache

    def key(self) -> str:
        """The options a build's output depends on, as one string: a build records it,
        and the next build with the same key may find it has nothing to do."""
        out = str(Path(self.out).absolute()) if self.out is not None else None
        return json.dumps(
            [out, self.base_url, self.drafts, self.search, self.future, *([self.origin] if self.origin else [])]
        )
