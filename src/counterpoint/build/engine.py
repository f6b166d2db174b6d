"""The build engine: the whole pipeline on every build, every stage cheap.

``Engine.build`` always runs discover -> (parse -> link -> render per essay)
-> site pages -> output.  What makes it fast is caching keyed by content
hashes, not tracking dependencies by hand: an essay whose files, the theme,
site.yml and the package version are unchanged reuses its last result; a site
page whose data did not change is not rendered again; a file whose bytes did
not change is not written again.  ``serve`` keeps one Engine, so the cache
also stays in memory between rebuilds; ``build`` loads it from
``.counterpoint/cache``.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterpoint import __version__
from counterpoint.build import uptodate
from counterpoint.build.cache import CACHE_FORMAT, CacheState, cache_key, code_fingerprint, package_version
from counterpoint.build.checks import (
    check_output,
    collisions,
    generated_files,
    os_error,
    output_clashes,
    page_clash,
    stray_errors,
)
from counterpoint.build.collector import fewer_collections
from counterpoint.build.report import BuildReport
from counterpoint.errors import BuildFailed, ContentError, UsageError, display_path, say
from counterpoint.model import Context, EssayResult, EssaySource, EssaySummary
from counterpoint.output.lock import OutputLock
from counterpoint.output.output import Manifest, Stage, atomic_write, remove_stale_stages
from counterpoint.source.config import SiteConfig, load_config
from counterpoint.source.content import Hasher, Inventory, all_refs, digest_file, discover, replace_refs, with_digests
from counterpoint.source.walk import Scanned, scan
from counterpoint.theme.theme import LazyEnvironment, Theme, load_theme, template_problem

if TYPE_CHECKING:  # loaded when a build has work to do: a no-op does not need them
    from counterpoint.build.workers import Workers
    from counterpoint.site.pages import PlainPage
    from counterpoint.site.site_pages import PageSpec, Snippets

PARALLEL_THRESHOLD = 24  # below this many essays to render, a process pool costs more than it saves
PAGES_PARALLEL_THRESHOLD = 16  # site pages to render before the workers (if started) share them


@dataclass(frozen=True)
class BuildStats:
    essays: int
    rendered: int  # essays parsed and rendered this time (cache misses)
    pages_rendered: int
    written: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)  # stage -> ms
    search: tuple[int, int] | None = None  # search shards indexed this time, of all; None: not run
    bundles: int = 0  # essays considered, drafts included: ``rendered`` is out of these


class Engine:
    def __init__(
        self,
        root: Path,
        *,
        drafts: bool = False,
        future: bool = False,
        out: Path | None = None,
        base_url: str | None = None,
        jobs: int | None = None,
        use_cache: bool = True,
        search: bool | None = None,
        allow_outside_output: bool = False,
    ):
        self.root = Path(root).resolve()
        self.allow_outside_output = allow_outside_output  # an output folder outside the site that holds other files
        self.drafts = drafts
        self.future = future  # essays dated in the future are shown, marked (serve, build --future)
        self.out_override = out
        self.base_url = base_url
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.use_cache = use_cache
        self.search = search
        self.config: SiteConfig = load_config(self.root, base_url=base_url, output=out)
        self._state: CacheState | None = None
        self._inventory: Inventory | None = None
        self._last_manifest: tuple[Manifest, tuple[int, int] | None] | None = None
        self.persist = use_cache  # serve keeps its cache in memory only
        self.start_method: str | None = None  # worker processes: None picks fork where it is safe (workers.py)
        self.keep_record = True  # False for check's own build: the record of the last build stays the output's
        self.index_search = True  # run Pagefind after a build that changed pages (serve turns it off after the first)
        self.last_stats: BuildStats | None = None
        self._warm: tuple[Any, ...] = ()  # (theme, language) of the last build: what a worker prepares
        self.warnings: list[str] = []  # of the last build or check: symlinks not followed
        self._history: tuple[str, Any] | None = None  # (HEAD, History) of the last build

    # -- paths ---------------------------------------------------------------
    @property
    def cache_dir(self) -> Path:
        return uptodate.cache_dir(self.root)

    def _cache_file(self) -> Path:
        return uptodate.per_output(self.root, self.config.output, "state-{}.pickle")

    def _manifest_file(self) -> Path:
        return uptodate.manifest_file(self.root, self.config.output)

    def watched_paths(self) -> list[Path]:
        theme_dirs = [self.root / "themes", self.root / "templates"]
        try:
            theme = load_theme(self.root, self.config.theme)
            theme_dirs += [d.parent for d in theme.template_dirs[1:]]
        except BuildFailed:
            pass
        paths = [self.root / "site.yml", self.root / "content", *theme_dirs]
        return list(dict.fromkeys(p for p in paths if p.exists()))

    # -- the build -----------------------------------------------------------
    def build(self, changed: frozenset[Path] | None = None, *, walked: uptodate.Check | None = None) -> BuildReport:
        """Build the site; content errors come back in the report, never raised.

        ``walked``: what ``uptodate.check`` found just before (the command line
        makes it before loading the engine); otherwise a build of the whole site
        makes that check itself, and stops there when there is nothing to do."""
        start = time.perf_counter()
        trigger = tuple(sorted(display_path(p, self.root) for p in changed)) if changed else ()
        self.warnings = []
        try:
            if walked is None and changed is None and self._records():
                walked = uptodate.check(self.root, self._options())
            if walked is not None and walked.essays is not None:
                self.last_stats = BuildStats(walked.essays, 0, 0, (), {"discover": _ms(start)})
                return BuildReport(True, (), (), _ms(start), trigger)
            with fewer_collections():
                stats = self._build(
                    frozenset(Path(p).absolute() for p in changed) if changed else None,
                    walked.files if walked is not None else None,
                )
        except BuildFailed as exc:
            return BuildReport(False, tuple(e.format() for e in exc.errors), (), _ms(start), trigger, warnings=self._said())
        except UsageError as exc:
            return BuildReport(False, (f"error: {exc}",), (), _ms(start), trigger, warnings=self._said())
        except Exception as exc:
            # a template's error (a site's own templates/ too) is said at its file and line;
            # checked first: Jinja's TemplateNotFound is an OSError
            problem = template_problem(exc, self.root)
            if problem is not None:
                return BuildReport(False, (problem.format(),), (), _ms(start), trigger, warnings=self._said())
            if isinstance(exc, OSError):  # a file vanished or unreadable, a full disk: said, not a traceback
                error = os_error(exc, self.root, self.config.output).format()
                return BuildReport(False, (error,), (), _ms(start), trigger, warnings=self._said())
            raise
        self.last_stats = stats
        return BuildReport(
            True, (), stats.written, _ms(start), trigger, (stats.rendered, stats.bundles), warnings=self._said()
        )

    def _said(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.warnings))

    def prepare_here(self) -> None:
        """Get this process ready to re-render an edited essay: after a build whose
        essays were rendered in workers, the first edit would otherwise import and
        set up the Markdown machinery, load the templates and make the lexers of its
        code blocks (``serve`` calls this in its build thread once it serves)."""
        if not self._warm or self._state is None:
            return
        from counterpoint.build.pipeline import warm_up

        results = [result for _, result in self._state.essays.values()]
        code = sorted({name for result in results for name in result.code})
        languages = sorted({result.summary.lang for result in results if result.summary})
        warm_up(*self._warm, code=tuple(code), languages=tuple(languages))
        if self._inventory is not None:  # the digests the workers computed, put in place now
            self._inventory = self._refresh(self._inventory, Hasher(self._state.hashes), [])

    def save_cache(self) -> None:
        """Write the cache kept in memory to disk, for an engine that does not after every
        build (``serve``: once it serves, and when it stops, so its next start is warm)."""
        if self._state is not None and self.use_cache:
            try:
                self._write_state(self._state)
            except OSError:
                pass

    def check(self, links: bool = True) -> list[ContentError]:
        """Every problem in the site, nothing written (``links``: and every broken
        internal link, once the rest is right: they are resolved against a build)."""
        return self.check_all(links)[0]

    def check_all(self, links: bool = True) -> tuple[list[ContentError], list]:
        """``check``, and the links to other hosts it found (``linkcheck.Link``) for ``check --external``."""
        found = self._check()
        if not links or any(problem.severity == "error" for problem in found):
            return found, []
        from counterpoint.build.linkcheck import check_links

        config = load_config(self.root, base_url=self.base_url, output=self.out_override)
        broken, external = check_links(self, discover(self.root, Hasher()), config)
        return sorted(set(found + broken), key=ContentError.sort_key), external

    def _check(self) -> list[ContentError]:
        """Every problem of the content, nothing built."""
        config = load_config(self.root, base_url=self.base_url, output=self.out_override)
        theme = load_theme(self.root, config.theme)
        self.warnings = theme.static_scan(self.root)[1]
        try:
            inventory = discover(self.root, Hasher())
        except OSError as exc:  # a file vanished or unreadable while walking content/
            return [os_error(exc, self.root, config.output)]
        self.warnings = list(inventory.warnings) + self.warnings
        errors = list(inventory.errors) + stray_errors(inventory)
        ctx = Context(config, theme, self.drafts, Path(os.devnull))
        from counterpoint.build.pipeline import check_essay  # the Markdown machinery, when needed
        from counterpoint.site.pages import parse_page

        for source in inventory.essays:
            errors += check_essay(source, ctx)
        pages: dict[str, str] = {}
        for page in inventory.pages:
            parsed, problems = parse_page(page, config, notes=errors)
            errors += problems
            if parsed is not None:
                pages[(parsed.slug + "/" if parsed.slug else "") + "index.html"] = page.index.rel
        errors += collisions(inventory, {})
        slugs = {source.index.rel: source.slug for source in inventory.essays}
        generated = generated_files(slugs, pages, theme.static_files())
        errors += output_clashes(inventory, self.root / "content", slugs, generated, config.search)
        return sorted(set(errors), key=ContentError.sort_key)

    def _load_state(self) -> CacheState:
        if self._state is not None:
            return self._state
        state = CacheState()
        if self.use_cache:
            try:
                with open(self._cache_file(), "rb") as handle:
                    fmt, version, loaded = pickle.load(handle)
                if fmt == CACHE_FORMAT and version == __version__ and isinstance(loaded, CacheState):
                    state = loaded
            except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
                state = CacheState()
        self._state = state
        return state

    def _save_state(self, state: CacheState) -> None:
        if not self.use_cache or not self.persist:
            return
        self._write_state(state)

    def _write_state(self, state: CacheState) -> None:
        def dump(handle) -> None:  # streamed: a large site's cache is never one more copy in memory
            pickle.dump((CACHE_FORMAT, __version__, state), handle, protocol=5)

        try:
            atomic_write(self._cache_file(), dump)
        except OSError:  # a full disk: the next build just starts cold
            with suppress(OSError):
                self._cache_file().unlink(missing_ok=True)

    def _manifest(self, out: Path) -> Manifest:
        """What the output holds.  Right after our own build into the same,
        still existing folder (``serve``), it is trusted without a stat per file."""
        if self._last_manifest is not None:
            manifest, folder = self._last_manifest
            if folder is not None and folder == _folder_id(out):
                return replace(manifest, trusted=True)
        # read and kept with or without the cache: it is what the output folder holds
        return Manifest.load(self._manifest_file())

    def _records(self) -> bool:
        """This engine's builds keep the cache on disk and the record of what they made
        (``serve`` keeps its own in memory; ``--no-cache`` keeps none)."""
        return self.persist and self.use_cache

    def _options(self) -> str:
        return uptodate.options_key(
            out=self.out_override, base_url=self.base_url, drafts=self.drafts, search=self.search, future=self.future
        )

    def _record(self, fingerprint: str | None, essays: int, config: SiteConfig, until: float = 0.0) -> None:
        """Remember what the output was built from; a build that cannot say forgets it."""
        if not self.keep_record:
            return
        if fingerprint and self._records():
            record = uptodate.Record(
                options=self._options(), fingerprint=fingerprint, essays=essays, site_digest=config.digest,
                base_url=config.base_url, output=str(config.output), theme=config.theme, drafts=self.drafts,
                search=config.search, until=until,
            )
            uptodate.save(self.root, record)
        else:
            uptodate.forget(self.root, config.output)

    def _discover(self, hasher: Hasher, changed: frozenset[Path] | None, files: list[Scanned] | None = None) -> Inventory:
        """Walk content/ — or, when every change is an edit of a file already
        known (the common case in ``serve``), refresh just those files."""
        previous = self._inventory
        content = self.root / "content"
        structural = changed and any(p == content or p.is_dir() or not p.exists() for p in changed)
        if previous is not None and changed and not structural:
            refreshed = self._refresh(previous, hasher, [p for p in changed if content in p.parents])
            if refreshed is not None:
                self._inventory = refreshed
                return refreshed
        inventory = discover(self.root, hasher, files)
        self._inventory = inventory
        return inventory

    def _refresh(self, inventory: Inventory, hasher: Hasher, edited: list[Path]) -> Inventory | None:
        """``inventory`` with the ``edited`` files looked at again and the digests
        the workers computed since the walk filled in; None if one of them is not
        a file it knows (then the walk decides)."""
        by_path = {ref.path: ref for ref in all_refs(inventory)}
        if not all(p in by_path and p.is_file() for p in edited):
            return None
        fresh = {p: hasher.ref(p, self.root, lazy=True) for p in edited}
        for ref in by_path.values():
            known = hasher.memo.get(ref.rel)
            if not ref.digest and ref.path not in fresh and known and known[:2] == (ref.size, ref.mtime_ns):
                fresh[ref.path] = replace(ref, digest=known[2])
        return replace_refs(inventory, fresh)

    def _published(self, inventory: Inventory) -> Inventory:
        """Each essay with when its files and blocks first appeared on the site: one
        ``git log`` pass, made again only when HEAD moved (none outside git)."""
        from counterpoint.source.published import History, head_key, read_history

        key = head_key(self.root)
        if self._history is None or self._history[0] != key:
            self._history = (key, read_history(self.root) if key else History())
        history = self._history[1]
        if not history.files:
            return inventory
        essays = tuple(
            replace(s, published=history.of(tuple(r.rel for r in (s.index, *s.critiques)))) for s in inventory.essays
        )
        return replace(inventory, essays=essays)

    def _build(self, changed: frozenset[Path] | None = None, files: list[Scanned] | None = None) -> BuildStats:
        from counterpoint.build.workers import Workers

        workers = Workers(self.jobs, self.start_method)
        try:
            with ExitStack() as held:  # the output folder's lock, once taken
                return self._build_with(workers, changed, files, held)
        finally:
            workers.close()

    def _build_with(
        self, workers: Workers, changed: frozenset[Path] | None, files: list[Scanned] | None, held: ExitStack
    ) -> BuildStats:
        clock = _Clock()
        config = load_config(self.root, base_url=self.base_url, output=self.out_override)
        if self.search is not None:
            config = replace(config, search=self.search)
        self.config = config
        ours = self._last_manifest is not None and self._last_manifest[1] == _folder_id(config.output)  # built by us
        check_output(config, self.allow_outside_output or ours, self._manifest_file())
        theme = load_theme(self.root, config.theme)
        if self.use_cache:
            theme = replace(theme, bytecode_dir=self.cache_dir / "templates")
        workers.warm = self._warm = (theme, config.language)
        if self._state is None and not (self.use_cache and self._cache_file().exists()) and self._many_essays():
            workers.start()  # a cold build: the workers get ready while this process walks content/
        fingerprint: str | None = None
        if changed is None and self._records():
            files = scan(self.root) if files is None else files
            fingerprint = uptodate.fingerprint(
                self.root, files, site_digest=config.digest, base_url=config.base_url, output=config.output,
                theme=theme, drafts=self.drafts, search=config.search,
            )
        state = self._load_state()
        if not workers.started and not state.essays and self._many_essays():
            workers.start()  # a cache that could not be used: cold as well
        hasher = Hasher(state.hashes)
        inventory = self._published(self._discover(hasher, changed, files))
        static, skipped = theme.static_scan(self.root)
        self.warnings += [*inventory.warnings, *skipped]
        clock.lap("discover")
        errors: list[ContentError] = list(inventory.errors) + stray_errors(inventory)
        salt = "|".join(
            [str(CACHE_FORMAT), code_fingerprint(), config.digest, config.base_url,
             uptodate.output_key(self.root, config.output), theme.digest,
             str(self.drafts), str(config.search)]
        )
        lock = held.enter_context(OutputLock(config.output))  # one build at a time into a folder
        held.callback(workers.close)  # forked workers hold the lock's descriptor too: they end first
        remove_stale_stages(config.output)
        # a folder made just now holds nothing (and may have the inode number of the one removed before)
        manifest = Manifest({}) if lock.created else self._manifest(config.output)
        stage = Stage(config.output, manifest, created=lock.created)
        try:
            page_files: dict[str, str] = {}  # output path -> the page's file
            plain = self._plain_pages(inventory, state, salt, config, errors, page_files)
            # every page links the plain pages: their titles and addresses are part of every key
            nav = _nav(plain)
            salt += "|" + repr(nav)
            ctx = Context(config, theme, self.drafts, stage.dir, nav, future=self.future, now=time.time())
            results, rendered = self._essays(inventory, state, salt, ctx, manifest, stage, hasher, workers)
            clock.lap("essays")
            for result in results.values():
                errors += result.errors
            errors += collisions(inventory, results)
            slugs = {rel: result.summary.slug for rel, result in results.items() if result.summary is not None}
            redirects = {
                alias + "index.html" if alias.endswith("/") else alias: rel
                for rel, result in results.items() if result.summary is not None for alias in result.summary.aliases
            }
            generated = generated_files(slugs, page_files, static, redirects)
            errors += output_clashes(inventory, self.root / "content", slugs, generated, config.search)
            if errors:
                raise BuildFailed(errors)
            summaries = _ordered([r.summary for r in results.values() if r.summary is not None], config)
            pages_rendered = self._site_pages(summaries, _snippets(results), plain, ctx, state, salt, stage, workers)
            workers.close()  # done with them: their memory is free before the commit and Pagefind
            clock.lap("site pages")
            self._static(inventory, static, stage)
            written, new_manifest = stage.commit()
            clock.lap("write")
        except BaseException:
            workers.stop()  # before the stage goes: a worker still rendering would write it back
            stage.discard()
            raise
        # the output is complete and in place: what follows keeps records, whose failure is said, not a failed build
        try:  # --no-cache too: a manifest left as it was would describe files this build replaced
            new_manifest.save(self._manifest_file())
        except OSError as exc:  # a read-only or full .counterpoint/
            with suppress(OSError):
                self._manifest_file().unlink(missing_ok=True)  # an outdated one would mislead the next build
            _unkept(exc, self.root, self._manifest_file())
        self._last_manifest = (new_manifest, _folder_id(config.output))
        essays = sum(1 for r in results.values() if r.summary)
        # the first moment an essay dated in the future comes due: a build after it is not a no-op
        self._record(fingerprint, essays, config, min((r.until for r in results.values() if r.until), default=0.0))
        try:
            searched = self._index_search(config, written, new_manifest)
        except OSError as exc:  # the new index could not be put in place; the pages are
            searched = None
            say(f"search index failed (the site itself was built): {exc}", sys.stderr)
        if searched is not None:
            clock.lap("search")
        kept = {k: v for k, v in state.essays.items() if k in results}
        if rendered or pages_rendered or written or hasher.learned or len(kept) != len(state.essays):
            state.essays = kept
            self._save_state(state)  # a build that changed nothing has nothing new to remember
        clock.lap("cache")
        return BuildStats(essays, rendered, pages_rendered, tuple(written), clock.laps, searched, len(results))

    def _index_search(self, config: SiteConfig, written, manifest: Manifest) -> tuple[int, int] | None:
        """Bring the search index up to date when pages changed or it is incomplete:
        (shards indexed, of all), or None if it did not run."""
        if not (config.search and self.index_search):
            return None
        from counterpoint.output.search import bundle_complete, index_site

        if any(w.endswith(".html") for w in written) or not bundle_complete(config.output):
            done = index_site(config.output, config.language, pages=search_pages(manifest), record=self.search_record())
            return done.indexed, done.shards
        return None

    def built_pages(self) -> dict[str, str]:
        """The HTML pages of the last build, path -> digest (empty before one)."""
        return search_pages(self._last_manifest[0]) if self._last_manifest is not None else {}

    def search_record(self) -> Path:
        """The keys of the search index's shards in the output (``search.index_site``)."""
        return uptodate.per_output(self.root, self.config.output, "search-{}.json")

    def _essays(
        self,
        inventory: Inventory,
        state: CacheState,
        salt: str,
        ctx: Context,
        manifest: Manifest,
        stage: Stage,
        hasher: Hasher,
        workers: Workers,
    ) -> tuple[dict[str, EssayResult], int]:
        results: dict[str, EssayResult] = {}
        todo: list[EssaySource] = []
        for source in inventory.essays:
            material = source.digest()
            cached = state.essays.get(source.index.rel)
            if not material and cached:
                # files whose size or mtime are new (a fresh clone, a restored CI cache): their
                # bytes decide, and reading them costs far less than rendering the essay
                source = _hashed(source, hasher)
                material = source.digest()
            if material and cached and cached[0] == cache_key(salt, material) and all(
                manifest.intact(ctx.config.output, r) for r in cached[1].outputs
            ):
                results[source.index.rel] = cached[1]
                stage.adopt(cached[1].outputs)
            else:
                todo.append(source)
        for source, result in zip(todo, self._run(todo, ctx, workers)):
            results[source.index.rel] = result
            stage.adopt_written(result.outputs)
            known = dict(result.digests)
            for ref in source.files():
                if ref.rel in known:
                    hasher.learn(ref, known[ref.rel])
            hashed = with_digests(source, known)
            if not result.errors and not result.until and hashed.digest():
                # (an essay dated in the future is rendered again by every build until its time)
                state.essays[source.index.rel] = (cache_key(salt, hashed.digest()), result)
            else:
                state.essays.pop(source.index.rel, None)
        return results, len(todo)

    def _run(self, todo: list[EssaySource], ctx: Context, workers: Workers) -> list[EssayResult]:
        if not todo:
            return []
        if len(todo) < PARALLEL_THRESHOLD or self.jobs < 2:
            from counterpoint.build.pipeline import process_many  # the Markdown machinery, when needed

            return process_many(todo, ctx)
        from counterpoint.build.workers import chunks, process_many_there

        count = min(self.jobs, max(1, len(todo) // PARALLEL_THRESHOLD))
        results = workers.map(process_many_there, chunks(todo, count), ctx, workers=count)  # all sent now
        if self._can_fork():
            # while the workers render: what the site pages' processes, forked from this one
            # afterwards, need ready (otherwise made then, with both cores idle but one)
            from counterpoint.build.pipeline import warm_up

            warm_up(*workers.warm)
        out: list[EssayResult] = []
        for batch in results:
            out.extend(batch)
        return out

    def _plain_pages(
        self,
        inventory: Inventory,
        state: CacheState,
        salt: str,
        config: SiteConfig,
        errors: list[ContentError],
        files: dict[str, str],
    ) -> list[tuple[str, PlainPage]]:
        """The plain pages to publish; ``files`` gets each one's output path -> its file."""
        from counterpoint.site.pages import parse_page

        pages: list[tuple[str, PlainPage]] = []
        owners: dict[str, str] = {}  # output path, lowercased -> the page that writes it
        for source in inventory.pages:
            key = blake2b((salt + source.index.digest).encode(), digest_size=16).hexdigest()
            cached = state.plain.get(source.index.rel)
            if cached and cached[0] == key:
                page = cached[1]
            else:
                parsed, problems = parse_page(source, config)
                errors += problems
                if parsed is None:
                    continue
                page = parsed
                state.plain[source.index.rel] = (key, page)
            if page.draft and not self.drafts:
                continue
            rel = (page.slug + "/" if page.slug else "") + "index.html"
            clash = page_clash(page.slug, owners.get(rel.lower()))
            if clash:
                errors.append(ContentError(source.index.rel, 1, clash, "set a different 'slug:' in its front matter, or rename the file"))
                continue
            owners[rel.lower()] = source.index.rel
            files[rel] = source.index.rel
            pages.append((rel, page))
        return pages

    def _site_pages(
        self,
        summaries: list[EssaySummary],
        snippets: Snippets,
        plain: list[tuple[str, PlainPage]],
        ctx: Context,
        state: CacheState,
        salt: str,
        stage: Stage,
        workers: Workers,
    ) -> int:
        from counterpoint.site import site_pages as listings
        from counterpoint.theme.site import site_for

        config = ctx.config
        site = site_for(config, config.language, ctx.pages)
        jinja = LazyEnvironment(ctx.theme)  # Jinja loads only if a page has to be rendered
        seen: dict[str, str] = {}
        todo: list[PageSpec] = []
        for spec in listings.site_pages(summaries, plain, site, jinja, snippets):
            key = spec.key(salt)
            seen[spec.rel] = key
            previous = stage.manifest.files.get(spec.rel)
            made = state.pages.get(spec.rel)  # (key, digest) of the page the last cached build made
            # the folder must hold that very page: a build without the cache may have replaced it since
            if previous and made == (key, previous[0]) and stage.manifest.intact(
                config.output, _ref(spec.rel, previous)
            ):
                stage.refs[spec.rel] = _ref(spec.rel, previous)
                continue
            todo.append(spec)
        if workers.started and len(todo) >= PAGES_PARALLEL_THRESHOLD and self._can_fork():
            # a cold build: fork new workers, which find the listings' data (megabytes on a large
            # site) and the compiled templates in memory, instead of the essays' workers, which
            # started before that data existed and would have to receive it
            from counterpoint.build.pipeline import warm_up
            from counterpoint.build.workers import fork_map

            workers.close()
            warm_up(ctx.theme, config.language)
            for refs in fork_map(listings.render_share, _shares(todo, workers.jobs), (todo, stage.dir), workers.jobs):
                stage.adopt_written(refs)
        else:
            for spec in todo:
                stage.write(spec.rel, spec.render().encode())
        state.pages = {rel: (key, stage.refs[rel].digest) for rel, key in seen.items() if rel in stage.refs}
        return len(todo)

    def _many_essays(self) -> bool:
        """Enough essays to share out between worker processes, by one folder listing
        (``content/essays/``), before content/ is walked."""
        if self.jobs < 2:
            return False
        try:
            with os.scandir(self.root / "content" / "essays") as entries:
                return sum(1 for _ in entries) >= PARALLEL_THRESHOLD
        except OSError:
            return False

    def _can_fork(self) -> bool:
        from counterpoint.build.workers import default_start_method

        return (self.start_method or default_start_method()) == "fork"

    def _pygments_css(self) -> str:
        """The code colours; kept in the cache so a no-op build need not load Pygments."""
        state = self._load_state()
        key = code_fingerprint() + package_version("pygments")
        if state.pygments[0] != key:
            from counterpoint.markup.highlight import stylesheet

            state.pygments = (key, stylesheet())
        return state.pygments[1]

    def _static(self, inventory: Inventory, static: dict[str, Path], stage: Stage) -> None:
        for rel, path in static.items():
            stage.copy(rel, path, digest_file(path))
        stage.write("static/pygments.css", self._pygments_css().encode())
        content = self.root / "content"
        for asset in inventory.assets:
            rel = asset.path.relative_to(content).as_posix()
            stage.copy(rel, asset.path, asset.digest)




def _unkept(exc: OSError, root: Path, path: Path) -> None:
    """The list of the files a build wrote could not be saved: the build succeeded all
    the same, and the terminal says what the next build will not know."""
    reason = (exc.strerror or str(exc)).lower()
    say(
        f"warning: the site was built, but the list of the files it wrote could not be saved "
        f"({display_path(path, root)}: {reason}); a later build will not remove those files when their "
        "source goes. Make .counterpoint/ writable.",
        sys.stderr,
    )


def _snippets(results: dict[str, EssayResult]) -> Snippets:
    from counterpoint.site.site_pages import Snippets

    snippets = Snippets()
    for result in results.values():
        if result.summary is None:
            continue
        if result.card:
            snippets.cards[result.summary.digest] = result.card
        for update, html in zip(result.summary.updates, result.corrections):
            snippets.corrections[(result.summary.slug, update.id)] = html
    return snippets


def _shares(specs: list[PageSpec], count: int) -> list[list[int]]:
    """Split pages (by position) into ``count`` shares of about equal work, heaviest
    first into the lightest share; a page's data (the essays it lists) stands in for its work."""
    weighed = sorted(((len(pickle.dumps(spec.data, protocol=5)), index) for index, spec in enumerate(specs)), reverse=True)
    loads = [0] * count
    shares: list[list[int]] = [[] for _ in range(count)]
    for weight, index in weighed:
        lightest = loads.index(min(loads))
        loads[lightest] += weight
        shares[lightest].append(index)
    return [share for share in shares if share]


def _nav(plain) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((page.title, rel.removesuffix("index.html")) for rel, page in plain), key=lambda x: x[1]))


def _folder_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _ref(rel: str, known: tuple[str, int]):
    from counterpoint.model import OutputRef

    return OutputRef(rel, known[0], known[1])


class _Clock:
    """Milliseconds spent in each stage of one build."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 1)
        self._last = now


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _ordered(summaries: list[EssaySummary], config: SiteConfig) -> list[EssaySummary]:
    tz = config.timezone
    return sorted(summaries, key=lambda s: (s.date.sort_key(tz), s.slug), reverse=True)


def _hashed(source: EssaySource, hasher: Hasher) -> EssaySource:
    """``source`` with the digest of every file that has none yet (read now, and learned);
    a file that cannot be read is left without one: the essay is rendered, which reports it."""
    known: dict[str, str] = {}
    for ref in source.files():
        if not ref.digest:
            try:
                known[ref.rel] = blake2b(ref.path.read_bytes(), digest_size=16).hexdigest()
            except OSError:
                continue
            hasher.learn(ref, known[ref.rel])
    return with_digests(source, known)


def search_pages(manifest: Manifest) -> dict[str, str]:
    """The HTML pages a build wrote, path -> digest: what the search index is made of."""
    return {rel: digest for rel, (digest, _) in manifest.files.items() if rel.endswith(".html")}
