"""One essay through parse -> link -> render, in whatever process runs it.

An essay bundle is the unit of work: its critiques can only point into it, so
each bundle is parsed, linked and rendered on its own (in parallel on a cold
build) and only its summary travels back to the site-wide pages.
"""

from __future__ import annotations

import pickle
import zlib
from itertools import accumulate
from pathlib import Path, PurePosixPath

from jinja2 import Environment, TemplateError

from counterpoint.build.collector import fewer_collections
from counterpoint.errors import ContentError, display_path
from counterpoint.essay.link import LinkedEssay, link
from counterpoint.essay.parse import parse_essay
from counterpoint.essay.render import (
    Body,
    annotations_json,
    redirect_page,
    render_body,
    render_essay_page,
    summarize,
)
from counterpoint.markup.env import Addresses, set_addresses
from counterpoint.markup.highlight import prepare
from counterpoint.markup.markdown import essay_parser, fence_languages, reader_parser
from counterpoint.markup.urls import ImageFiles
from counterpoint.model import Context, EssayMeta, EssayResult, EssaySource, EssaySummary, OutputRef, evolve
from counterpoint.output.output import copy_staged, digest_bytes, write_staged
from counterpoint.site.feeds import essay_corrections_feed
from counterpoint.site.pages import image_file
from counterpoint.site.site_pages import card_html, compact, correction_html
from counterpoint.source.content import digest_file
from counterpoint.source.i18n import prepare_dates
from counterpoint.source.walk import IMAGE_HINT
from counterpoint.theme.site import Site, site_for
from counterpoint.theme.theme import Theme, jinja_for, template_problem


def read_bundle(
    source: EssaySource, root: Path, *, assets: bool = True
) -> tuple[bytes, dict[str, bytes], dict[str, str]] | ContentError:
    """The essay's and its critiques' bytes, each read once, and (``assets``) the
    assets' digests, each file hashed in chunks, never held in memory whole; or
    the error naming the file that could not be read."""
    try:
        raw = source.index.path.read_bytes()
        critiques_raw = {ref.rel: ref.path.read_bytes() for ref in source.critiques}
        digests = {ref.rel: ref.digest or digest_file(ref.path) for ref in source.assets} if assets else {}
    except OSError as exc:
        return _unreadable(exc, source, root)
    return raw, critiques_raw, digests


def _unreadable(exc: OSError, source: EssaySource, root: Path) -> ContentError:
    where = display_path(Path(exc.filename), root) if exc.filename else source.index.rel  # the file that failed
    return ContentError(where, 0, f"cannot read file: {exc.strerror}", "check the file exists and is readable")


def process_essay(source: EssaySource, ctx: Context) -> EssayResult:
    """Parse, link and render one essay; write its files into the stage."""
    read = read_bundle(source, ctx.config.root)
    if isinstance(read, ContentError):
        return EssayResult(None, errors=(read,))
    raw, critiques_raw, asset_digests = read
    digests = tuple(
        (ref.rel, ref.digest or digest_bytes(data))
        for ref, data in zip((source.index, *source.critiques), (raw, *critiques_raw.values()))
    ) + tuple(asset_digests.items())
    try:
        result = _process(source, ctx, raw, critiques_raw, asset_digests)
    except Exception as exc:
        problem = template_problem(exc, ctx.config.root)
        if problem is not None:
            result = EssayResult(None, errors=(problem,))  # a site's own template, broken: said at its line
        elif isinstance(exc, OSError) and exc.filename and Path(exc.filename) in {ref.path for ref in source.assets}:
            return EssayResult(None, errors=(_unreadable(exc, source, ctx.config.root),))
        else:
            raise  # writing the stage failed: the engine says what and where
    return evolve(result, digests=digests)


def _process(
    source: EssaySource, ctx: Context, raw: bytes, critiques_raw: dict[str, bytes], asset_digests: dict[str, str]
) -> EssayResult:
    parsed, errors = parse_essay(source, ctx.config, raw, critiques_raw)
    if parsed is None:
        return EssayResult(None, errors=tuple(errors))
    if parsed.meta.draft and not ctx.drafts:
        # a draft is left out whole: its unfinished remarks must not block a build
        return EssayResult(None, errors=tuple(e for e in errors if e.path == source.index.rel))
    date = parsed.meta.date  # None when it is invalid (an error already)
    moment = date.sort_key(ctx.config.timezone).timestamp() if date is not None else 0.0
    until = moment if moment > ctx.now else 0.0
    if until and not ctx.future:
        # held back until its time, like a draft; the next build after that moment publishes it
        return EssayResult(None, errors=tuple(e for e in errors if e.path == source.index.rel), until=until)
    linked, link_errors = link(parsed)
    errors += link_errors
    url = f"essays/{parsed.meta.slug}/"
    bundle_dir = source.index.path.parent
    # images are sized from their files' headers: the bundle's by their output path, others' in content/
    assets = {url + a.path.relative_to(bundle_dir).as_posix(): a.path for a in source.assets}
    image_errors, needs = share_image(parsed.meta, source, url, assets, ctx.config.root)
    errors += image_errors
    if errors:
        return EssayResult(None, errors=tuple(errors))
    site = site_for(ctx.config, parsed.meta.lang, ctx.pages)
    jinja = jinja_for(ctx.theme)
    set_addresses(parsed.env, Addresses(ctx.config.base_path, ImageFiles(url, ctx.config.root / "content", assets)))
    full = ctx.config.feed_content == "full"  # feeds carry the body
    summary, page = _summary_and_page(linked, site, jinja, url, bool(until), full)
    files: dict[str, bytes] = {
        url + "index.html": page,
        url + "annotations.json": annotations_json(linked, summary, site).encode(),
    }
    files[url + "corrections.xml"] = essay_corrections_feed(summary, site, jinja).encode()
    # the card and the corrections-page entries show on site pages, in the site's language
    home = site_for(ctx.config, ctx.config.language, ctx.pages)
    keep = compact if ctx.compact else str  # a big site's are kept compressed
    card = keep(card_html(summary, home, jinja))
    entries = tuple(keep(correction_html(update, home, jinja)) for update in summary.updates)
    refs: list[OutputRef] = []
    for alias in summary.aliases:  # an old address: a page that sends the reader on
        files[alias + "index.html" if alias.endswith("/") else alias] = redirect_page(summary, site, jinja).encode()
    for rel, data in files.items():
        write_staged(ctx.stage_dir, rel, data)
        refs.append(OutputRef(rel, digest_bytes(data), len(data)))
    for asset in source.assets:
        rel = url + asset.path.relative_to(bundle_dir).as_posix()
        copy_staged(ctx.stage_dir, rel, asset.path)
        refs.append(OutputRef(rel, asset_digests[asset.rel], (ctx.stage_dir / rel).stat().st_size))
    code = fence_languages(linked.essay.tokens)
    return EssayResult(summary, tuple(refs), (), card=card, corrections=entries, code=code, until=until, needs=needs)


def share_image(
    meta: EssayMeta, source: EssaySource, url: str, assets: dict[str, Path], root: Path
) -> tuple[list[ContentError], tuple[str, ...]]:
    """The file the essay's ``image:`` names, which its page links as ``og:image``: an error
    at its line when there is none (the link would 404), and else the file of content/
    outside the bundle it is, if it is one (``EssayResult.needs``).  ``url``: the essay's
    folder in the output; ``assets``: its bundle's files by their path there.  An address
    of another host (https://…) is not checked."""
    found, rel = image_file(meta.image, url, root, assets)
    if found:
        return [], (rel,) if rel is not None and rel not in assets else ()
    hint = IMAGE_HINT
    if rel is None:
        message = f"image: {meta.image} is outside the site"
    else:
        inside = rel.startswith(url) and source.bundle
        where = PurePosixPath(source.index.rel).parent / rel[len(url) :] if inside else f"content/{rel}"
        message = f"image: {meta.image} does not exist (looked for {where})"
        if not source.bundle and not meta.image.startswith("/"):
            bundle = PurePosixPath(source.index.rel).with_suffix("") / "index.md"
            hint = f"write a path in content/ (/img/cover.png), or make the essay {bundle} with the image beside it"
    return [ContentError(meta.rel, meta.image_line, message, hint)], ()


def _summary_and_page(
    linked: LinkedEssay, site: Site, jinja: Environment, url: str, scheduled: bool, full: bool
) -> tuple[EssaySummary, bytes]:
    """The essay's summary with its digests, and its page as written, with where the body
    is in the page's bytes (``full``: the feeds carry the body, read there by ``feeds.Bodies``)."""
    body = render_body(linked, site, jinja)
    summary = evolve(summarize(linked, site, url), scheduled=scheduled)
    listed = digest_bytes(pickle.dumps(summary, protocol=5))
    feed_bytes = body.feed.encode() if full else b""
    feed_digest = digest_bytes(feed_bytes) if full else ""
    # the summary is what ``listed`` covers and the body: its digest is of the two digests
    summary = evolve(
        summary, listed=listed, feed_digest=feed_digest, digest=digest_bytes(f"{listed}\0{feed_digest}".encode())
    )
    page, feed = page_bytes(render_essay_page(linked, summary, site, jinja, body), body, feed_bytes)
    if full:  # where feeds read the body, or (a theme that does not write it as it is) the body itself
        content = b"" if feed or not feed_bytes else zlib.compress(feed_bytes, 1)
        summary = evolve(summary, feed=feed, page_size=len(page), content=content)
    return summary, page


def page_bytes(page: str, body: Body, feed: bytes) -> tuple[bytes, tuple[int, ...]]:
    """The page as UTF-8, and where the pieces of ``feed`` (the body as feeds show it,
    ``Body.pieces``) are in those bytes: the page encoded piece by piece, so the offsets
    cost no second pass.  No offsets when the theme does not write the body as it is."""
    at = page.find(body.page) if feed else -1
    if at < 0:
        return page.encode(), ()
    cuts = [0, *(at + piece for piece in body.pieces), len(page)]
    chunks = [page[start:end].encode() for start, end in zip(cuts, cuts[1:])]
    # the pieces are every other chunk from the second: (head) piece (remarks) piece … (tail)
    if b"".join(chunks[1:-1:2]) != feed:  # cannot differ (cut out of the body found); feeds publish
        return b"".join(chunks), ()  # whatever the offsets point at, so it is checked all the same
    ends = list(accumulate(len(chunk) for chunk in chunks))
    return b"".join(chunks), tuple(offset for i in range(1, len(chunks), 2) for offset in (ends[i - 1], ends[i]))


def warm_up(theme: Theme, language: str, code: tuple[str, ...] = (), languages: tuple[str, ...] = ()) -> None:
    """Make what every essay needs once, ahead of the first one: run in each
    worker process as it starts, while the main process walks content/; and
    by ``serve`` after its first build, with the lexers of the site's ``code``
    languages and the date formats of its essays' ``languages``, so that the
    first edit is as quick as the next ones."""
    prepare(code)
    essay_parser()
    reader_parser()
    prepare_dates((language, *languages))
    env = jinja_for(theme)
    for name in env.list_templates():
        try:
            env.get_template(name)
        except (TemplateError, UnicodeDecodeError, OSError):
            continue  # reported, with its line, by the page that uses it


def process_many(sources: list[EssaySource], ctx: Context) -> list[EssayResult]:
    with fewer_collections():
        return [process_essay(source, ctx) for source in sources]
