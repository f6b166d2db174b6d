"""The worker processes of one build.

``Workers`` renders the essays with the main process (``Workers.share``): a
pool made on first use or, on a cold build, before the main process walks
``content/``, each worker making the Markdown parsers and compiling the
templates as it starts.  The site pages of a cold build need the summaries of
every essay, which exist only once the essays are done: ``fork_map`` forks
fresh processes then, which find that data in memory instead of receiving it
through a pipe.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from counterpoint.model import OutputRef
from counterpoint.output.output import digest_bytes, write_staged
from counterpoint.theme.theme import TemplateFailure, locate_template_error

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor


def default_start_method() -> str:
    """fork is fastest, but not from a process that runs threads (serve) nor on macOS."""
    import multiprocessing  # lazily: a build that renders in this process never loads it

    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
        return "fork"
    return "spawn"


class Workers:
    def __init__(self, jobs: int, start_method: str | None = None):
        self.jobs = jobs
        self._start_method = start_method
        self.warm: tuple[Any, ...] = ()  # (theme, language): what each process prepares as it starts
        self._pool: ProcessPoolExecutor | None = None
        self._size = 0

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self) -> None:
        """Start the processes now rather than at the first task, so that they
        import, compile and warm up while this process does something else."""
        pool = self._start(self.jobs)
        pool.submit(int)  # the pool starts its processes with its first task

    def share(self, fn: Callable[..., Any], tasks: list, *shared: Any, here: Callable[..., Any], workers: int) -> list:
        """``fn(task, *shared)`` for every task, results in task order: in ``workers``
        worker processes (more, if the pool has more) and, rather than wait for them,
        in this process too (``here(task, *shared)``), so that a build of N processes
        starts N - 1.  Tasks are taken in order by whichever process is free, so none
        idles at the end while another finishes.  Each worker is kept ``AHEAD`` tasks
        ahead: it must not run dry while this process, busy with a task of its own,
        cannot hand it the next one."""
        from concurrent.futures import FIRST_COMPLETED, wait  # lazily: as for the pool

        pool = self._start(min(self.jobs, workers))
        results: list[Any] = [None] * len(tasks)
        queued: dict[Future, int] = {}  # -> the task's position
        taken = 0
        while taken < len(tasks) or queued:
            for future in [future for future in queued if future.done()]:
                results[queued.pop(future)] = future.result()
            while taken < len(tasks) and len(queued) < AHEAD * self._size:
                # submitted one by one, not with pool.map, whose results cancel the rest on the first
                # failure: stop() then kills the processes, and the pool failing cancelled tasks raises
                queued[pool.submit(fn, tasks[taken], *shared)] = taken
                taken += 1
            if taken < len(tasks):
                results[taken] = here(tasks[taken], *shared)
                taken += 1
            elif queued:
                for future in wait(queued, return_when=FIRST_COMPLETED).done:
                    results[queued.pop(future)] = future.result()
        return results

    def _start(self, size: int) -> ProcessPoolExecutor:
        if self._pool is None or size > self._size:
            import multiprocessing  # lazily: a build that renders in this process never loads it
            from concurrent.futures import ProcessPoolExecutor

            self.close()
            context = multiprocessing.get_context(self._start_method or default_start_method())
            self._pool = ProcessPoolExecutor(
                max_workers=size, mp_context=context, initializer=start_worker, initargs=(os.getpid(), *self.warm)
            )
            self._size = size
        return self._pool

    def stop(self) -> None:
        """End the processes now, their work unfinished: a failed build wants none of it,
        and what they would still write into its staging folder would outlive the
        folder's removal."""
        if self._pool is not None:
            kill = getattr(self._pool, "kill_workers", None)  # Python 3.14; before it, no public way
            if kill is not None:
                kill()
            else:
                for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                    process.kill()
            self._pool.shutdown(wait=True)  # the pool is broken now: it fails what is left
            self._pool = None
            self._size = 0

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._size = 0


# tasks queued for each worker: three chunks of essays outlast the one this process renders
# meanwhile (the chunks are of one size, shrinking together towards the end)
AHEAD = 3

_INHERITED: Any = None  # what fork_map's processes find in memory, not through a pipe


def fork_map(fn: Callable[[Any], Any], tasks: list, value: Any, jobs: int) -> list:
    """``fn(task)`` for every task: the first in this process, the others in processes
    forked from this one now (``jobs`` in all), which inherit ``value`` (read it with
    ``inherited()``), however large, instead of receiving it pickled.  Only where fork
    is safe (``default_start_method``).

    This process takes a task rather than wait: a forked process copies every page of
    memory whose objects it reads (their reference counts change), and the listings
    read every essay's summary, so each process forked costs most of this one's size
    again (at 10,000 essays about 90 MB); the same work is done by one fewer."""
    global _INHERITED
    import multiprocessing  # lazily: a build that renders in this process never loads it
    from concurrent.futures import ProcessPoolExecutor

    if not tasks:
        return []
    _INHERITED = value
    try:
        if jobs < 2 or len(tasks) < 2:
            return [fn(task) for task in tasks]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks)) - 1,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            rest = [pool.submit(fn, task) for task in tasks[1:]]  # forked now, before this process renders
            first = fn(tasks[0])
            return [first, *(future.result() for future in rest)]
    finally:
        _INHERITED = None


def inherited() -> Any:
    """In a process of ``fork_map``: the value its parent passed."""
    return _INHERITED


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Each worker, as it starts: end when the build that started it ends, however it
    ends (kill -9 too), instead of rendering on as an orphan.  Linux's parent-death
    signal (the parent is the thread that started the worker: the build's own)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # lazily: only in a worker, on Linux
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build died before the signal was asked for
        os._exit(1)


def start_worker(parent: int, *warm: Any) -> None:
    """A renderer of the build's pool, as it starts.  A terminal's Ctrl-C reaches every
    process of its group: the build's own process answers it and ends the workers
    (``Scheduler.stop``), or, in serve, lets the build finish; a worker dying of it would
    only break the pool (tracebacks, and a rebuild failed for no reason of the site's)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    if warm:
        warm_up(*warm)


def warm_up(*warm: Any) -> None:
    """Each worker, as it starts: the Markdown parsers, the compiled templates
    and the locale data, ready before its first essay arrives."""
    try:
        from counterpoint.build.pipeline import warm_up as prepare  # lazily: the Markdown machinery

        prepare(*warm)
    except Exception:  # an optimisation only; a failure here would break the pool, the essay that needs it reports it
        pass


def process_many_there(sources: list, ctx: Any) -> list:
    """``pipeline.process_many``, imported on the first call: sending it to a worker
    does not make the main process import the Markdown machinery, and the main
    process hands the workers their first essays before it imports it itself."""
    from counterpoint.build.pipeline import process_many  # lazily: see the docstring

    return process_many(sources, ctx)


def render_share(share: list[int]) -> list[OutputRef]:
    """Render the site pages at ``share`` (positions in the list of pages to render
    that the parent passed to ``fork_map``) into the stage, in a forked worker."""
    specs, stage_dir = inherited()
    refs: list[OutputRef] = []
    for index in share:
        spec = specs[index]
        try:
            data = spec.output()
        except Exception as exc:
            found = locate_template_error(exc)
            if found is None:
                raise
            raise TemplateFailure(*found) from None
        write_staged(stage_dir, spec.rel, data)
        refs.append(OutputRef(spec.rel, digest_bytes(data), len(data)))
    return refs


def chunks(items: list, workers: int, largest: int = 16) -> list[list]:
    """Contiguous chunks (results stay in order, pickling stays cheap) that shrink
    towards the end, so that no worker idles while another finishes a big one."""
    out: list[list] = []
    start = 0
    while start < len(items):
        size = max(2, min(largest, (len(items) - start) // (workers * 4)))
        out.append(items[start : start + size])
        start += size
    return out
