"""The essays step: every essay parsed, linked and rendered, or taken as it is.

A build takes each essay from the cache when its key holds; ``serve``'s edits start from
the last build instead (``LastBuild``) and look only at the essays that are not its very
objects, carrying the rest of the output over.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from counterpoint.build.cache import cache_key
from counterpoint.build.checks import collisions, generated_files, output_clashes
from counterpoint.build.record import LastBuild
from counterpoint.build.run import Run
from counterpoint.errors import BuildFailed, ContentError
from counterpoint.model import EssayResult, EssaySource
from counterpoint.source.content import Hasher, with_digests
from counterpoint.source.walk import content_file, digest_bytes


def essays(run: Run) -> None:
    """Every essay parsed, linked and rendered into the stage, or taken from the cache."""
    assert run.stage is not None
    stage, essays = run.stage, run.inventory.essays
    last = run.record.last_build(run.inputs, stage.manifest)
    fresh = _edited_since(last, essays, shape(run)) if last is not None else None
    if last is not None and fresh is not None:
        # (serve) the last build's output is in place: start from it and handle the edited essays alone
        run.last, run.fresh = last, [source.index.rel for _, source in fresh]
        run.sources, run.results = dict(last.sources), dict(last.results)
        stage.carry_over()
        for _, source in fresh:
            before = last.results.get(source.index.rel)
            if before is not None:
                stage.drop(ref.rel for ref in before.outputs)
        todo = _from_cache(run, [source for _, source in fresh], last)
    else:
        todo = _from_cache(run, list(essays), last)
        fresh = list(enumerate(essays))
    _render(run, todo)
    run.rendered = len(todo)
    # the inventory with every file's digest: the next build (serve) refreshes it and knows
    # each essay it does not touch as the very same object
    made = list(essays)
    for at, source in fresh:
        made[at] = run.sources[source.index.rel]
    run.inventory = replace(run.inventory, essays=tuple(made))
    for _, source in fresh:
        run.errors += run.results[source.index.rel].errors
    if last is None or run.fresh is None or not _same_addresses(last, run, fresh):
        run.errors += _address_clashes(run)
    if run.errors:
        raise BuildFailed(run.errors)


def _edited_since(
    last: LastBuild, essays: tuple[EssaySource, ...], shape: tuple[object, ...]
) -> list[tuple[int, EssaySource]] | None:
    """The essays (place, source) that are not the very objects the last build made, when
    everything else it made stands as it was: the same plain pages, theme files and
    content/ files, and every essay it made still there.  None otherwise."""
    if shape != last.shape:
        return None
    known = last.sources.get
    fresh = [(at, source) for at, source in enumerate(essays) if known(source.index.rel) is not source]
    still = len(essays) - len(fresh) + sum(1 for _, source in fresh if source.index.rel in last.results)
    return fresh if still == len(last.results) else None


def _from_cache(run: Run, sources: list[EssaySource], last: LastBuild | None) -> list[EssaySource]:
    """Each essay's result as the ``last`` build made it (the very same source), or from the
    cache when its key holds and its output is in place; the essays that have to be rendered."""
    assert run.stage is not None
    state, stage, manifest, output = run.state, run.stage, run.stage.manifest, run.config.output
    todo: list[EssaySource] = []
    for source in sources:
        run.sources[source.index.rel] = source
        same = last is not None and last.sources.get(source.index.rel) is source
        before = last.results[source.index.rel] if last is not None and same else None
        if before is not None and _there(before, run.root):
            # (serve) the very files of the last build, whose output is in place: no key to make
            run.results[source.index.rel] = before
            stage.adopt(before.outputs)
            continue
        material = source.digest()
        cached = state.essays.get(source.index.rel)
        if not material and cached:
            # files whose size or mtime are new (a fresh clone, a restored CI cache): their
            # bytes decide, and reading them costs far less than rendering the essay
            source = run.sources[source.index.rel] = _hashed(source, run.hasher)
            material = source.digest()
        if (
            material
            and cached
            and cached[0] == cache_key(run.inputs, material)
            and all(manifest.intact(output, r) for r in cached[1].outputs)
            and _there(cached[1], run.root)
        ):
            run.results[source.index.rel] = cached[1]
            stage.adopt(cached[1].outputs)
        else:
            todo.append(source)
    return todo


def _there(result: EssayResult, root: Path) -> bool:
    """The files of content/ outside its bundle that the essay's page links (``EssayResult.needs``:
    its ``image:``) are there still: its own files alone make its key, and a missing one is an error."""
    return all(content_file(root, rel) for rel in result.needs)


def _same_addresses(last: LastBuild, run: Run, fresh: list[tuple[int, EssaySource]]) -> bool:
    """The edited essays write where they wrote in the last build (slug, aliases, files),
    which had no clash: then none of the checks of ``_address_clashes`` can find one."""
    for _, source in fresh:
        before, after = last.results.get(source.index.rel), run.results[source.index.rel]
        old = last.sources.get(source.index.rel)
        if before is None or old is None or before.summary is None or after.summary is None:
            return False
        if (before.summary.slug, before.summary.aliases) != (after.summary.slug, after.summary.aliases):
            return False
        if [ref.path for ref in old.assets] != [ref.path for ref in source.assets]:
            return False
    return True


def _address_clashes(run: Run) -> list[ContentError]:
    """Two essays, an alias or an asset that would write the same output file."""
    errors = collisions(run.inventory, run.results)
    slugs = {rel: result.summary.slug for rel, result in run.results.items() if result.summary is not None}
    redirects = {
        alias + "index.html" if alias.endswith("/") else alias: rel
        for rel, result in run.results.items()
        if result.summary is not None
        for alias in result.summary.aliases
    }
    pages = {rel.lower(): source for rel, source in run.page_files.items()}
    errors += [
        ContentError(
            rel,
            1,
            f"alias '/{path.removesuffix('index.html')}' is the address of {pages[path.lower()]}",
            "an alias is an old address of this essay: remove it or change it",
        )
        for path, rel in redirects.items()
        if path.lower() in pages
    ]
    generated = generated_files(slugs, run.page_files, run.static, redirects)
    return errors + output_clashes(run.inventory, run.root / "content", slugs, generated, run.config.search)


def shape(run: Run) -> tuple[object, ...]:
    """What a build makes files from besides the essays (``LastBuild.shape``)."""
    return (tuple(run.page_files), tuple(run.static), tuple(asset.rel for asset in run.inventory.assets))


def _render(run: Run, todo: list[EssaySource]) -> None:
    """The essays that were not in the cache, rendered into the stage; their results cached."""
    assert run.stage is not None
    for source, result in zip(todo, run.scheduler.essays(todo, run.ctx)):
        run.results[source.index.rel] = result
        run.stage.adopt_written(result.outputs)
        known = dict(result.digests)
        for ref in source.files():
            if ref.rel in known:
                run.hasher.learn(ref, known[ref.rel])
        hashed = run.sources[source.index.rel] = with_digests(source, known)
        if not result.errors and not result.until and hashed.digest():
            # (an essay dated in the future is rendered again by every build until its time)
            run.state.essays[source.index.rel] = (cache_key(run.inputs, hashed.digest()), result)
        else:
            run.state.essays.pop(source.index.rel, None)


def _hashed(source: EssaySource, hasher: Hasher) -> EssaySource:
    """``source`` with the digest of every file that has none yet (read now, and learned);
    a file that cannot be read is left without one: the essay is rendered, which reports it."""
    known: dict[str, str] = {}
    for ref in source.files():
        if not ref.digest:
            try:
                known[ref.rel] = digest_bytes(ref.path.read_bytes())
            except OSError:
                continue
            hasher.learn(ref, known[ref.rel])
    return with_digests(source, known)
