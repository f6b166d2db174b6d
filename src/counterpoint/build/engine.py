"""The build engine: the whole pipeline on every build, every step cheap.

``Engine.build`` always runs the steps of ``steps.STEPS``: configure ->
discover -> plain pages -> essays (parse -> link -> render each) -> site pages
-> static files -> write -> cache -> search index -> record.  What makes it fast is
caching keyed by content hashes, not tracking dependencies by hand: an essay
whose files and inputs (``record.inputs_key``: site.yml, theme, code, library
versions, options) are unchanged reuses its last result; a site page whose data
did not change is not rendered again; a file whose bytes did not change is not
written again.  ``serve`` keeps one Engine, so the cache also stays in memory
between rebuilds; ``build`` loads it from ``.counterpoint/cache``.

``Engine.check`` runs the same steps into a folder of its own, so it reports
exactly the errors a build would.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from counterpoint.build import steps, uptodate
from counterpoint.build.checks import os_error
from counterpoint.build.collector import fewer_collections
from counterpoint.build.notes import notes
from counterpoint.build.options import BuildOptions
from counterpoint.build.record import BuildRecord, cache_dir, per_output
from counterpoint.build.report import BuildReport
from counterpoint.build.scheduler import PAGES_PARALLEL_THRESHOLD, PARALLEL_THRESHOLD  # noqa: F401 - named here by tests
from counterpoint.build.steps import search_pages
from counterpoint.errors import BuildFailed, ContentError, UsageError, display_path
from counterpoint.source.config import SiteConfig, load_config
from counterpoint.source.content import Inventory, places
from counterpoint.source.walk import Scanned
from counterpoint.theme.theme import Theme, load_theme, template_problem

if TYPE_CHECKING:
    from counterpoint.build.linkcheck import Link


@dataclass(frozen=True)
class BuildStats:
    essays: int
    rendered: int  # essays parsed and rendered this time (cache misses)
    pages_rendered: int
    written: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)  # step -> ms
    search: tuple[int, int] | None = None  # search shards indexed this time, of all; None: not run
    bundles: int = 0  # essays considered, drafts included: ``rendered`` is out of these


class Engine:
    """One site's builds.  ``options`` (or the same fields as keywords) never change
    after construction; what changes between builds is the record (cache, manifest)."""

    # no other attributes: setting a flag on the engine (``engine.persist = False``) fails
    # loudly instead of being ignored; such a setting is a field of ``BuildOptions``
    __slots__ = ("root", "options", "config", "record", "last_stats", "warnings", "_inventory", "_warm")

    def __init__(self, root: Path, options: BuildOptions | None = None, **fields: object):
        self.root = Path(root).resolve()
        self.options = options if options is not None else BuildOptions(**fields)  # type: ignore[arg-type]
        self.config: SiteConfig = load_config(
            self.root, base_url=self.options.base_url, output=self.options.out, origin=self.options.origin
        )
        self.record = BuildRecord(self.root, self.options)
        self.last_stats: BuildStats | None = None
        self.warnings: list[str] = []  # of the last build or check: symlinks not followed
        self._inventory: Inventory | None = None  # the last build's, which serve's next build refreshes
        self._warm: tuple[Theme, str] | None = None  # (theme, language) of the last build: what a worker prepares

    def watched_paths(self) -> list[Path]:
        theme_dirs = [self.root / "themes", self.root / "templates"]
        try:
            theme = load_theme(self.root, self.config.theme)
            theme_dirs += [d.parent for d in theme.template_dirs[1:]]
        except BuildFailed:
            pass
        paths = [self.root / "site.yml", self.root / "content", *theme_dirs]
        return list(dict.fromkeys(p for p in paths if p.exists()))

    # -- build and check ---------------------------------------------------------------------
    def build(self, changed: frozenset[Path] | None = None, *, walked: uptodate.Check | None = None) -> BuildReport:
        """Build the site; content errors come back in the report, never raised.

        ``walked``: what ``uptodate.check`` found just before (the command line
        makes it before loading the engine); otherwise a build of the whole site
        makes that check itself, and stops there when there is nothing to do."""
        start = time.perf_counter()
        trigger = tuple(sorted(display_path(p, self.root) for p in changed)) if changed else ()
        self.warnings = []
        try:
            if walked is None and changed is None and self.options.records and self.options.keep_record:
                walked = uptodate.check(self.root, self.options.key())
            if walked is not None and walked.essays is not None:  # the last build made this very output
                self.last_stats = BuildStats(walked.essays, 0, 0, (), {"discover": _ms(start)})
                return BuildReport(True, (), (), _ms(start), trigger)
            with fewer_collections():
                paths = frozenset(Path(p).absolute() for p in changed) if changed else None
                stats = self._build(paths, walked.files if walked is not None else None)
        except BuildFailed as exc:
            return BuildReport.failed(tuple(exc.errors), _ms(start), trigger, self._said())
        except UsageError as exc:
            return BuildReport.failed((exc,), _ms(start), trigger, self._said())
        except Exception as exc:
            # a template's error (a site's own templates/ too) is said at its file and line;
            # checked first: Jinja's TemplateNotFound is an OSError
            problem = template_problem(exc, self.root)
            if problem is not None:
                return BuildReport.failed((problem,), _ms(start), trigger, self._said())
            if isinstance(exc, OSError):  # a file vanished or unreadable, a full disk: said, not a traceback
                return BuildReport.failed(
                    (os_error(exc, self.root, self.config.output),), _ms(start), trigger, self._said()
                )
            raise
        self.last_stats = stats
        return BuildReport(
            True, (), stats.written, _ms(start), trigger, (stats.rendered, stats.bundles), warnings=self._said()
        )

    def check(self, links: bool = True) -> list[ContentError]:
        """Every problem in the site, and the notes about keys of other generators
        (severity "note", which never fail a build); ``links``: and every broken internal
        link, once the rest is right.  A usage error (the output folder) is raised, as
        the command line reports it."""
        return self.check_all(links)[0]

    def check_all(self, links: bool = True) -> tuple[list[ContentError], list[Link]]:
        """``check``, and the links to other hosts it found, for ``check --external``.

        The check is this very build, into ``.counterpoint/check/`` instead of the output:
        the same steps, so the same errors (and those of essays dated in the future, which
        a build holds back); the folder keeps its own cache, so the next check renders
        only what changed; links are resolved against the pages it holds."""
        from counterpoint.build.linkcheck import CHECK_DIR, check_links  # lazily: only check reads links

        out = cache_dir(self.root).parent / CHECK_DIR
        # essays dated in the future too: the build that publishes them runs unattended
        checker = Engine(self.root, replace(self.options, out=out, search=False, keep_record=False, future=True))
        made = not out.parent.exists()
        report = checker.build()
        if made:  # a check that failed before it wrote anything leaves no .counterpoint/ behind
            with suppress(OSError):
                out.parent.rmdir()  # only when empty
        self.warnings = list(report.warnings)
        for problem in report.problems:
            if isinstance(problem, UsageError):
                raise problem
        errors = [p for p in report.problems if isinstance(p, ContentError)]
        found = sorted(set(errors + notes(self.root, self.config)), key=ContentError.sort_key)
        if not links or errors or checker._inventory is None:
            return found, []
        broken, external = check_links(out, checker._inventory, checker.config)
        return sorted(set(found + broken), key=ContentError.sort_key), external

    def _said(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.warnings))

    def _build(self, changed: frozenset[Path] | None, files: list[Scanned] | None) -> BuildStats:
        """Run every step, timing each; on any failure the stage is discarded."""
        run = steps.Run(self.root, self.options, self.record, changed, files, self._inventory)
        timings: dict[str, float] = {}
        try:
            with run.held:  # the output folder's lock, once taken, until the records are saved
                self._steps(run, timings)
        except BaseException:
            self.warnings += run.warnings
            if run.stage is not None and not run.stage.committed:
                if hasattr(run, "scheduler"):
                    run.scheduler.stop()  # before the stage goes: a worker still rendering would write it back
                run.stage.discard()
            raise
        finally:
            if hasattr(run, "scheduler"):
                run.scheduler.close()
        self.warnings += run.warnings
        return BuildStats(run.built, run.rendered, run.pages_rendered, run.written, timings, run.searched, run.bundles)

    def _steps(self, run: steps.Run, timings: dict[str, float]) -> None:
        for name, step in steps.STEPS:
            begun = time.perf_counter()
            step(run)
            if name == "config":
                self.config, self._warm = run.config, (run.theme, run.config.language)
            elif name in ("discover", "essays") and not self.options.once:  # for the next build, or check's links
                self._inventory = run.inventory
            timings[name] = _ms(begun)

    # -- serve ------------------------------------------------------------------------------
    def save_cache(self) -> None:
        """Write the cache kept in memory to disk, for an engine that does not after every
        build (``serve``: once it serves, and when it stops, so its next start is warm)."""
        self.record.write_state(self.config.output)

    def built_pages(self) -> dict[str, str]:
        """The HTML pages of the last build, path -> digest (empty before one)."""
        manifest = self.record.last_manifest()
        return search_pages(manifest) if manifest is not None else {}

    def search_record(self) -> Path:
        """The keys of the search index's shards in the output (``search.index_site``)."""
        return per_output(self.root, self.config.output, "search-{}.json")

    def prepare_here(self) -> None:
        """Get this process ready to re-render an edited essay: after a build whose
        essays were rendered in workers, the first edit would otherwise import and
        set up the Markdown machinery, load the templates, make the lexers of its code
        blocks and index the inventory's files by place (``serve`` calls this in its
        build thread once it serves)."""
        state = self.record.state
        if not self._warm or state is None:
            return
        from counterpoint.build.pipeline import warm_up  # lazily: the Markdown machinery

        results = [result for _, result in state.essays.values()]
        code = sorted({name for result in results for name in result.code})
        languages = sorted({result.summary.lang for result in results if result.summary})
        warm_up(*self._warm, code=tuple(code), languages=tuple(languages))
        if self._inventory is not None and self._inventory.places is None:  # where each file is, for its edit
            self._inventory = replace(self._inventory, places=places(self._inventory))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
