"""The steps of one build, in order, each a function of the build's working state.

``Engine`` runs ``STEPS`` one after the other and times each (``--timings``).
``check`` runs the very same steps into a folder of its own
(``.counterpoint/check/``, never the output), so it finds every error a build
would; its build keeps its own cache there, but leaves the record of the last
build (what the no-op check reads) to the output's, and makes no search index.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace
from hashlib import blake2b
from typing import TYPE_CHECKING, cast

from counterpoint.build import uptodate
from counterpoint.build.cache import CacheState
from counterpoint.build.checks import (
    check_output,
    page_clash,
    stray_errors,
    theme_clashes,
)
from counterpoint.build.collector import return_free_memory
from counterpoint.build.essays import essays, shape
from counterpoint.build.inventory import inventory_of, published
from counterpoint.build.record import LastBuild, cache_dir, manifest_file, per_output
from counterpoint.build.run import Run
from counterpoint.build.scheduler import Scheduler
from counterpoint.errors import ContentError, say
from counterpoint.model import Context, EssayResult, EssaySummary, OutputRef
from counterpoint.output.lock import OutputLock
from counterpoint.output.manifest import Manifest
from counterpoint.output.output import Stage, remove_stale_stages
from counterpoint.site import listing as listed
from counterpoint.site import site_pages as listings
from counterpoint.site.feeds import Bodies
from counterpoint.site.listing import Listing
from counterpoint.site.site_pages import Snippets
from counterpoint.source.config import load_config
from counterpoint.source.content import Hasher, digest_file
from counterpoint.source.walk import scan
from counterpoint.theme.site import site_for
from counterpoint.theme.theme import LazyEnvironment, load_theme

if TYPE_CHECKING:
    from jinja2 import Environment

    from counterpoint.site.pages import PlainPage
    from counterpoint.site.site_pages import PageSpec


def configure(run: Run) -> None:
    """site.yml, the output folder's safety, the theme; the workers of a cold build start."""
    options = run.options
    config = load_config(run.root, base_url=options.base_url, output=options.out, origin=options.origin)
    if options.search is not None:
        config = replace(config, search=options.search)
    run.config = config
    check_output(
        config, options.allow_outside_output or run.record.ours(config.output), manifest_file(run.root, config.output)
    )
    theme = load_theme(run.root, config.theme)
    if options.use_cache:
        theme = replace(theme, bytecode_dir=cache_dir(run.root) / "templates")
    run.theme = theme
    run.scheduler = Scheduler(options, (theme, config.language))
    if not run.record.has_cache(config.output):
        run.scheduler.start_if_many(run.root)  # a cold build: the workers get ready while content/ is walked
    run.inputs = run.record.inputs(config, theme)
    if run.changed is None and options.records and options.keep_record:
        run.files = scan(run.root) if run.files is None else run.files
        run.fingerprint = uptodate.fingerprint(run.root, run.files, run.inputs, theme)
    run.state = run.record.load_state(config.output)
    if not run.state.essays:
        run.scheduler.start_if_many(run.root)  # a cache that could not be used: cold as well


def discover_content(run: Run) -> None:
    """What content/ holds: every essay bundle, page and asset, with the errors of the walk."""
    run.hasher = Hasher(run.state.hashes)
    run.inventory = published(
        run.root, run.record, inventory_of(run.root, run.hasher, run.changed, run.files, run.previous), run.previous
    )
    run.static, skipped = run.theme.static_scan(run.root)
    run.warnings += [*run.inventory.warnings, *skipped]
    run.errors += list(run.inventory.errors) + stray_errors(run.inventory) + theme_clashes(run.static, run.root)
    if run.options.once and run.files is not None:
        # the walk is this build's alone (the command line made it for it): a stat of every
        # file, ~2.6 KB an essay, which nothing after this step reads
        run.files.clear()


def plain_pages(run: Run) -> None:
    """The plain pages (about.md): parsed, or taken from the cache; their titles make the navigation."""
    lock = run.held.enter_context(OutputLock(run.config.output))  # one build (or check) at a time into a folder
    run.held.callback(run.scheduler.close)  # forked workers hold the lock's descriptor too: they end first
    remove_stale_stages(run.config.output)
    # a folder made just now holds nothing (and may have the inode number of the one removed before)
    manifest = Manifest({}) if lock.created else run.record.manifest(run.config.output)
    run.stage = Stage(run.config.output, manifest, created=lock.created)
    run.plain = _plain_pages(run)
    nav = _nav(run.plain)
    run.inputs += "|" + repr(nav)  # every page links the plain pages: their titles and addresses are in every key
    run.ctx = Context(
        run.config,
        run.theme,
        run.options.drafts,
        run.stage.dir,
        nav,
        future=run.options.future,
        now=time.time(),
        compact=len(run.inventory.essays) > listings.COMPACT_ABOVE,
    )


def site_pages(run: Run) -> None:
    """The index, tag, corrections and other site-wide pages whose data changed."""
    assert run.stage is not None
    config, stage = run.config, run.stage
    site = site_for(config, config.language, run.ctx.pages)
    jinja = cast("Environment", LazyEnvironment(run.theme))  # Jinja loads only if a page has to be rendered
    edit = _moved_none(run)
    partial = edit is not None
    bodies = Bodies(stage.dir, config.output)  # the essays rendered now are in the stage, the others in place
    if edit is not None:
        # (serve) an edit that moved no essay in the listings: only the pages that show or carry it can change
        last, listing, before = edit
        corrected = any(last.results[rel].corrections != run.results[rel].corrections for rel in run.fresh or ())
        specs = listings.edited_pages(
            listing, before, corrected, run.plain, site, jinja, bodies, lambda: _snippets(run.results)
        )
        run.site_rels = last.pages
    else:
        listing = listed.listing_of([r.summary for r in run.results.values() if r.summary is not None])
        specs = listings.site_pages(listing, run.plain, site, jinja, bodies, _snippets(run.results))
    run.listing = listing
    seen: dict[str, str] = {}
    todo: list[PageSpec] = []
    for spec in specs:
        key = spec.key(run.inputs)
        seen[spec.rel] = key
        previous = stage.manifest.files.get(spec.rel)
        made = run.state.pages.get(spec.rel)  # (key, digest) of the page the last cached build made
        # the folder must hold that very page: a build without the cache may have replaced it since
        if previous and made == (key, previous[0]) and stage.manifest.intact(config.output, _ref(spec.rel, previous)):
            stage.files[spec.rel] = previous
            continue
        todo.append(spec)
    if not partial:  # every site page made: those of the last build it did not make go
        run.site_rels = frozenset(seen)
        if stage.dropped is not None and run.last is not None:
            stage.drop(run.last.pages - run.site_rels)
    run.scheduler.pages(todo, stage)
    made_now = {rel: (key, stage.files[rel][0]) for rel, key in seen.items() if rel in stage.files}
    if partial:
        run.state.pages.update(made_now)
    else:
        run.state.pages = made_now
    run.pages_rendered = len(todo)
    run.scheduler.close()  # done with them: their memory is free before the commit and Pagefind


def static_files(run: Run) -> None:
    """The theme's static files, the code colours and the assets of content/."""
    assert run.stage is not None
    stage = run.stage
    for rel, path in run.static.items():
        stage.copy(rel, path, digest_file(path))
    stage.write("static/pygments.css", run.record.pygments_css(run.config.output, run.inputs).encode())
    content = run.root / "content"
    for asset in run.inventory.assets:
        stage.copy(asset.path.relative_to(content).as_posix(), asset.path, asset.digest)


def commit(run: Run) -> None:
    """Every staged file put in place, and the manifest of the output saved."""
    assert run.stage is not None
    written, files = run.stage.commit()
    manifest = Manifest(files)
    run.written = tuple(written)
    run.manifest = manifest
    run.record.save_manifest(run.config.output, manifest, run.stage.manifest, run.stage.edits)


def search_index(run: Run) -> None:
    """Pagefind, when pages changed or its index is incomplete."""
    config = run.config
    if not (config.search and run.options.index_search):
        return
    from counterpoint.output.search import bundle_complete, index_site  # lazily: only when it runs

    if any(w.endswith(".html") for w in run.written) or not bundle_complete(config.output):
        assert run.manifest is not None
        record = per_output(run.root, config.output, "search-{}.json")
        try:
            done = index_site(config.output, config.language, pages=search_pages(run.manifest), record=record)
        except OSError as exc:  # the new index could not be put in place; the pages are
            say(f"search index failed (the site itself was built): {exc}", sys.stderr)
            return
        run.searched = (done.indexed, done.shards)


def remember(run: Run) -> None:
    """The cache, saved before Pagefind runs: a build that is its engine's only one (the
    command line's) then lets go of it, and of every essay's result, so that their memory
    (about 15 KB an essay) is free for Pagefind's (with search off, the process ends instead)."""
    # the essays with a page: those the listing holds (counted only when there is none)
    run.built = (
        len(run.listing.essays) if run.listing is not None else sum(1 for r in run.results.values() if r.summary)
    )
    run.bundles = len(run.results)
    # the first moment an essay dated in the future comes due: a build after it is not a no-op
    run.until = min((r.until for r in run.results.values() if r.until), default=0.0)
    if not run.options.once:
        run.record.keep(_last_build(run))
    _save_cache(run)
    if run.options.once and run.config.search:  # without Pagefind to make room for, the process just ends
        _let_go(run)
        return_free_memory()  # (no frame holds any of it now)


def record_build(run: Run) -> None:
    """The record of what the output was made from (for the next no-op build): last, so a
    build stopped before its search index is complete is not taken for one with nothing to do."""
    config = run.config
    if run.fingerprint and run.options.records:
        record = uptodate.Record(
            options=run.options.key(),
            fingerprint=run.fingerprint,
            essays=run.built,
            site_digest=config.digest,
            base_url=config.base_url,
            output=str(config.output),
            theme=config.theme,
            drafts=run.options.drafts,
            search=config.search,
            until=run.until,
        )
        uptodate.save(run.root, record)
    elif run.options.keep_record:  # a build that cannot say what it was made from forgets the record
        uptodate.forget(run.root, config.output)


def _let_go(run: Run) -> None:
    """What only the steps before the search index use: the cache, every essay's result,
    source and files, the listing, the staged files' list (the manifest, which search reads, stays)."""
    run.record.state = None
    run.state, run.hasher = CacheState(), Hasher({})
    run.results.clear()
    run.sources.clear()
    run.inventory = replace(run.inventory, essays=(), pages=(), assets=(), stray_critiques=())
    run.files, run.stage, run.plain, run.listing = None, None, [], None


def _save_cache(run: Run) -> None:
    state = run.state
    gone = not state.essays.keys() <= run.results.keys()
    if gone:
        state.essays = {k: v for k, v in state.essays.items() if k in run.results}
    if run.rendered or run.pages_rendered or run.written or run.hasher.learned or gone:
        run.record.save_state(run.config.output, state)  # a build that changed nothing has nothing new to remember


def _last_build(run: Run) -> LastBuild:
    """What this build made, for the next (``BuildRecord.keep``): its essays whose results
    hold as they are (no errors, not dated in the future), every result, and the rest."""
    if run.last is not None and run.fresh is not None:  # the last build's, with the edited essays
        sources = run.last.sources
        for rel in run.fresh:
            sources.pop(rel, None)
            result = run.results[rel]
            if not result.errors and not result.until:
                sources[rel] = run.sources[rel]
    else:
        sources = {rel: run.sources[rel] for rel, r in run.results.items() if not r.errors and not r.until}
    return LastBuild(run.inputs, sources, run.results, shape(run), run.site_rels, run.listing)


STEPS: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("config", configure),
    ("discover", discover_content),
    ("pages", plain_pages),
    ("essays", essays),
    ("site pages", site_pages),
    ("static", static_files),
    ("write", commit),
    ("cache", remember),
    ("search", search_index),
    ("record", record_build),
)


# -- helpers ----------------------------------------------------------------------------------
def _plain_pages(run: Run) -> list[tuple[str, PlainPage]]:
    from counterpoint.site.pages import parse_page  # lazily: the Markdown machinery, when a page changed

    pages: list[tuple[str, PlainPage]] = []
    owners: dict[str, str] = {}  # output path, lowercased -> the page that writes it
    for source in run.inventory.pages:
        key = blake2b((run.inputs + source.index.digest).encode(), digest_size=16).hexdigest()
        cached = run.state.plain.get(source.index.rel)
        if cached and cached[0] == key:
            page = cached[1]
        else:
            parsed, problems = parse_page(source, run.config)
            run.errors += problems
            if parsed is None:
                continue
            page = parsed
            run.state.plain[source.index.rel] = (key, page)
        if page.draft and not run.options.drafts:
            continue
        missing = page.image_problem(source.index.rel, run.root)
        if missing:
            run.errors.append(missing)
            continue
        rel = (page.slug + "/" if page.slug else "") + "index.html"
        clash = page_clash(page.slug, owners.get(rel.lower()))
        if clash:
            hint = "set a different 'slug:' in its front matter, or rename the file"
            run.errors.append(ContentError(source.index.rel, 1, clash, hint))
            continue
        owners[rel.lower()] = source.index.rel
        run.page_files[rel] = source.index.rel
        pages.append((rel, page))
    return pages


def _moved_none(run: Run) -> tuple[LastBuild, Listing, dict[str, EssaySummary]] | None:
    """When this build's edited essays moved none of them in the last build's listing
    (``Listing.with_edits``): that build, its listing with their new summaries, and their
    last summaries by slug.  None otherwise."""
    last = run.last
    if last is None or run.fresh is None or last.listing is None:
        return None
    before: dict[str, EssaySummary] = {}
    edited: list[EssaySummary] = []
    for rel in run.fresh:
        old, new = last.results.get(rel), run.results[rel]
        if old is None or old.summary is None or new.summary is None:
            return None
        before[old.summary.slug] = old.summary
        edited.append(new.summary)
    listing = last.listing.with_edits(edited)
    return (last, listing, before) if listing is not None else None


def _snippets(results: dict[str, EssayResult]) -> Snippets:
    snippets = Snippets()
    for result in results.values():
        if result.summary is None:
            continue
        if result.card:
            snippets.cards[result.summary.listed or result.summary.digest] = result.card
        for update, html in zip(result.summary.updates, result.corrections):
            snippets.corrections[(result.summary.slug, update.id)] = html
    return snippets


def _nav(plain: list[tuple[str, PlainPage]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((page.title, rel.removesuffix("index.html")) for rel, page in plain), key=lambda x: x[1]))


def _ref(rel: str, known: tuple[str, int]) -> OutputRef:
    return OutputRef(rel, known[0], known[1])


def search_pages(manifest: Manifest) -> dict[str, str]:
    """The HTML pages a build wrote, path -> digest: what the search index is made of."""
    return {rel: digest for rel, (digest, _) in manifest.files.items() if rel.endswith(".html")}
