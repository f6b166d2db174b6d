"""Where a build's work runs: in this process, or shared out to worker processes.

The essays of a cold build are shared between this process and a pool
(``workers.Workers``) started before ``content/`` is walked: ``--jobs N``
renders in N processes, this one and N - 1 workers.  The site pages of a cold
build go to processes forked after the essays are done, which find the
listings' data in memory.  A small build does everything here: a process pool
costs more than it saves.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterpoint.build.workers import Workers, chunks, default_start_method, fork_map, process_many_there
from counterpoint.output.memory import resident_mb

if TYPE_CHECKING:
    from counterpoint.build.options import BuildOptions
    from counterpoint.model import Context, EssayResult, EssaySource
    from counterpoint.output.output import Stage
    from counterpoint.site.site_pages import PageSpec

PARALLEL_THRESHOLD = 24  # below this many essays to render, a process pool costs more than it saves
PAGES_PARALLEL_THRESHOLD = 16  # site pages to render before the workers (if started) share them
# over this, the site pages render in this process alone: a process forked from it copies most
# of it (the listings read every summary: at 10,000 essays ~250 MB, the fork cost ~100 MB more
# and the second core saves ~2 s of a 5-minute build)
FORK_LIMIT_MB = 200


class Scheduler:
    """The worker processes of one build (closed by the engine when the build ends)."""

    def __init__(self, options: BuildOptions, warm: tuple[Any, ...]):
        self.jobs = options.processes
        self.start_method = options.start_method
        self.workers = Workers(self.jobs - 1, options.start_method)  # this process renders too
        self.workers.warm = warm  # (theme, language): what each process prepares as it starts
        self.cold = False  # the workers were started: the site pages are shared out too

    def start_if_many(self, root: Path) -> None:
        """A cold build: the workers get ready while this process walks content/."""
        if not self.workers.started and self._many_essays(root):
            self.workers.start()
            self.cold = True

    def essays(self, todo: list[EssaySource], ctx: Context) -> list[EssayResult]:
        """Parse, link and render ``todo``; results in the same order."""
        if not todo:
            return []
        # this process, and a worker for every PARALLEL_THRESHOLD essays
        count = min(self.jobs, 1 + len(todo) // PARALLEL_THRESHOLD)
        if count < 2:
            return process_many_there(todo, ctx)
        self.cold = True
        tasks = chunks(todo, count)
        # the workers get their first essays before this process imports the Markdown machinery
        batches = self.workers.share(process_many_there, tasks, ctx, here=process_many_there, workers=count - 1)
        self.workers.close()  # done: their memory (~85 MB each) is free before the listings are made
        return [result for batch in batches for result in batch]

    def pages(self, todo: list[PageSpec], stage: Stage) -> None:
        """Render the site pages ``todo`` into ``stage``: shared with a process forked from
        this one on a cold build, unless this one is large (``FORK_LIMIT_MB``)."""
        self.workers.close()  # (those of the essays, if they rendered none)
        if self.cold and len(todo) >= PAGES_PARALLEL_THRESHOLD and self.can_fork() and resident_mb() <= FORK_LIMIT_MB:
            # a cold build: fork a process, which finds the listings' data (megabytes on a large
            # site) and the compiled templates in memory, instead of the essays' workers, which
            # started before that data existed and would have to receive it
            from counterpoint.build.pipeline import warm_up  # lazily: the Markdown machinery
            from counterpoint.build.workers import render_share

            warm_up(*self.workers.warm)
            for refs in fork_map(render_share, _shares(todo, self.jobs), (todo, stage.dir), self.jobs):
                stage.adopt_written(refs)
        else:
            for spec in todo:
                stage.write(spec.rel, spec.output())

    def can_fork(self) -> bool:
        return (self.start_method or default_start_method()) == "fork"

    def close(self) -> None:
        self.workers.close()

    def stop(self) -> None:
        """End the workers now, their work unfinished (a failed build)."""
        self.workers.stop()

    def _many_essays(self, root: Path) -> bool:
        """Enough essays to share out between worker processes, by one folder listing
        (``content/essays/``), before content/ is walked."""
        if self.jobs < 2:
            return False
        try:
            with os.scandir(root / "content" / "essays") as entries:
                return sum(1 for _ in entries) >= PARALLEL_THRESHOLD
        except OSError:
            return False


def _shares(specs: list[PageSpec], count: int) -> list[list[int]]:
    """Split pages (by position) into ``count`` shares of about equal work, heaviest
    first into the lightest share; a page's data (the essays it lists) stands in for its work."""
    weighed = sorted(
        ((len(pickle.dumps(spec.data, protocol=5)), index) for index, spec in enumerate(specs)), reverse=True
    )
    loads = [0] * count
    shares: list[list[int]] = [[] for _ in range(count)]
    for weight, index in weighed:
        lightest = loads.index(min(loads))
        loads[lightest] += weight
        shares[lightest].append(index)
    return [share for share in shares if share]
