"""Site-wide pages made from essay summaries: index pages, tags, corrections,
feeds, sitemap, robots.txt, 404 and the search page.

Each page is described by the data it shows; a page whose data, theme and
configuration did not change since the last build is not rendered again
(``PageSpec.key``), so an edit to one essay re-renders only the listings that
show something that changed.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from counterpoint.markup.slugs import tag_slug
from counterpoint.model import EssaySummary, UpdateSummary
from counterpoint.site import feeds
from counterpoint.site.feeds import Bodies
from counterpoint.site.listing import Listing
from counterpoint.source.i18n import Translator, translator
from counterpoint.theme.site import Site

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class PageSpec:
    rel: str
    data: Any  # everything the page shows, picklable: the cache key material
    render: Callable[[], str | bytes]  # bytes: already encoded (a feed: feeds.essays_feed)

    def output(self) -> bytes:
        """The page as written: rendered, in UTF-8."""
        page = self.render()
        return page if isinstance(page, bytes) else page.encode()

    def key(self, salt: str) -> str:
        h = blake2b(digest_size=16)
        h.update(salt.encode())
        h.update(self.rel.encode())
        h.update(pickle.dumps(self.data, protocol=5))
        return h.hexdigest()


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    newer: str | None
    older: str | None


@dataclass(frozen=True)
class TagInfo:
    name: str
    slug: str
    url: str
    count: int


def page_path(prefix: str, number: int) -> str:
    """The URL path of page ``number`` of a listing: ``""``, ``"page/2/"``…; under a
    prefix for tags (``"tags/ai/page/2/"``)."""
    return prefix + ("" if number == 1 else f"page/{number}/")


def paginate(items: list, per_page: int) -> list[list]:
    if not items:
        return [[]]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)]


def translators(site: Site) -> Callable[[str], Translator]:
    """``t_for(lang)``: the UI strings of one essay's language, with the site's overrides."""
    overrides = tuple(sorted(site.config.strings.items()))

    def t_for(lang: str) -> Translator:
        return site.t if not lang or lang == site.t.lang else translator(lang, overrides)

    return t_for


def _digests(essays: list[EssaySummary]) -> tuple[str, ...]:
    """Feeds are keyed by their essays' digests, not by pickling the essays again."""
    return tuple(e.digest for e in essays)


def _listed(essays: list[EssaySummary]) -> tuple[str, ...]:
    """Listings, the sitemap and the corrections page by what they show of their essays:
    everything but the body (``EssaySummary.listed``)."""
    return tuple(e.listed or e.digest for e in essays)


def card_html(essay: EssaySummary, site: Site, jinja: Environment) -> str:
    """One essay's card on the listings (``partials/essay_card.html``)."""
    template = jinja.get_template("partials/essay_card.html")
    return template.render(site=site, t=site.t, t_for=translators(site), essay=essay)


def correction_html(update: UpdateSummary, site: Site, jinja: Environment) -> str:
    """One UPD's entry on the corrections page (``partials/correction.html``)."""
    t = translators(site)(update.lang)  # the entry carries its essay's lang: its labels speak it too
    return jinja.get_template("partials/correction.html").render(site=site, t=t, upd=update, Markup=Markup)


# essays past which cards and entries are kept ``compact``: at 1,000 that cost 2 % of a cold build's CPU
COMPACT_ABOVE = 2_000


def compact(html: str) -> bytes:
    """A card or corrections-page entry as a big site's essay result keeps it: zlib-compressed
    UTF-8, a third of the string's size (at 10,000 essays, ~40 MB less than UTF-8). With a
    4 KB window and a small hash table: zlib's default set-up (a 32 KB window, a 64 KB
    table to clear) costs ~70 µs a snippet, this ~10 µs, and compresses a snippet as well."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 12, 4)
    return packer.compress(html.encode()) + packer.flush()


def _expand(html: bytes | str) -> str:
    return zlib.decompress(html).decode() if isinstance(html, bytes) else html


@dataclass
class Snippets:
    """Each essay's card and corrections-page entries, rendered once (by the
    worker that renders the essay, ``compact``) and reused by every listing that
    shows them.  Keys: the summary's digest for cards, (essay slug, UPD id) for entries."""

    cards: dict[str, bytes | str] = field(default_factory=dict)
    corrections: dict[tuple[str, str], bytes | str] = field(default_factory=dict)

    def card(self, site: Site, jinja: Environment) -> Callable[[EssaySummary], Markup]:
        def card(essay: EssaySummary) -> Markup:
            key = essay.listed or essay.digest or essay.slug
            html = self.cards.get(key)
            if html is None:
                html = self.cards[key] = card_html(essay, site, jinja)
            return Markup(_expand(html))

        return card

    def correction(self, site: Site, jinja: Environment) -> Callable[[UpdateSummary], Markup]:
        def correction(update: UpdateSummary) -> Markup:
            key = (update.essay_slug, update.id)
            html = self.corrections.get(key)
            if html is None:
                html = self.corrections[key] = correction_html(update, site, jinja)
            return Markup(_expand(html))

        return correction


def site_pages(
    listing: Listing,
    pages: list[tuple[str, Any]],
    site: Site,
    jinja: Environment,
    bodies: Bodies,
    snippets: Snippets | None = None,
) -> Iterator[PageSpec]:
    # Long: every site page, one block per kind of page.
    """Every site-wide page; ``pages``: (rel, PlainPage); ``bodies``: where the feeds read
    each essay's body (``feeds.Bodies``)."""
    essays = listing.essays
    t = site.t
    per_page = site.config.essays_per_page
    snippets = snippets or Snippets()
    card = snippets.card(site, jinja)

    def listing_page(prefix: str, chunk: list, number: int, total: int, **extra: Any) -> PageSpec:
        return _listing_page(site, jinja, card, prefix, chunk, number, total, **extra)

    chunks = paginate(essays, per_page)
    for number, chunk in enumerate(chunks, 1):
        yield listing_page("", chunk, number, len(chunks))

    tags = listing.tags
    infos = [TagInfo(name, key, f"tags/{key}/", len(items)) for key, (name, items) in tags.items()]
    yield PageSpec(
        "tags/index.html",
        infos,
        lambda: jinja.get_template("tags.html").render(site=site, t=t, tags=infos, page_url="tags/"),
    )
    for key, (name, items) in tags.items():
        tag_chunks = paginate(items, per_page)
        for number, chunk in enumerate(tag_chunks, 1):
            yield _tag_page(site, jinja, card, key, name, chunk, number, len(tag_chunks))
        yield _tag_feed(items, name, key, site, jinja, bodies)

    yield _corrections_page(listing, site, jinja, snippets)
    yield _essays_feed(listing, site, jinja, bodies)
    yield _corrections_feed(listing, site, jinja)
    yield PageSpec("404.html", None, lambda: jinja.get_template("404.html").render(site=site, t=t, page_url="404.html"))
    if site.config.search:
        yield PageSpec(
            "search/index.html",
            None,
            lambda: jinja.get_template("search.html").render(site=site, t=t, page_url="search/"),
        )
    for rel, page in pages:
        yield page.spec(rel, site, jinja)

    yield PageSpec(
        "sitemap.xml",
        (_listed(essays), [rel for rel, _ in pages]),
        lambda: jinja.get_template("sitemap.xml").render(
            site=site, urls=_sitemap(essays, pages, tags, len(chunks), site)
        ),
    )
    robots = "User-agent: *\nAllow: /\n"
    if "://" in site.config.base_url:  # crawlers need the sitemap's absolute URL
        robots += f"\nSitemap: {site.absolute('sitemap.xml')}\n"
    yield PageSpec("robots.txt", robots, lambda: robots)
    # old addresses, for hosts that redirect by a list (Netlify, Cloudflare Pages); the
    # redirect pages the essays wrote serve every other host
    redirects = "".join(f"{site.url(alias)} {site.url(e.url)} 301\n" for e in essays for alias in e.aliases)
    if redirects:
        yield PageSpec("_redirects", redirects, lambda: redirects)


def edited_pages(
    listing: Listing,
    before: dict[str, EssaySummary],
    corrected: bool,
    pages: list[tuple[str, Any]],
    site: Site,
    jinja: Environment,
    bodies: Bodies,
    snippets: Callable[[], Snippets],
) -> Iterator[PageSpec]:
    """The site pages an edit of the essays ``before`` (slug -> their last summary) can
    change when it moved none of them (``Listing.with_edits``): the listing pages that
    show them, when what they show changed (``EssaySummary.listed``); the feeds that carry
    them; the corrections page when its entries changed (``corrected``); and the plain
    pages, which are few and keyed as every page is.  Made by the very functions of
    ``site_pages``, so each is the page a full build would make.  ``snippets``: the cards
    and entries, made only for the corrections page (a card is rendered when shown)."""
    per_page = site.config.essays_per_page
    card = Snippets().card(site, jinja)
    shown = [listing.essays[listing.at[slug]] for slug in before]
    listed = [new for new in shown if new.listed != before[new.slug].listed]
    for number in sorted({listing.at[new.slug] // per_page + 1 for new in listed}):
        chunk = listing.essays[(number - 1) * per_page : number * per_page]
        yield _listing_page(site, jinja, card, "", chunk, number, _pages(len(listing.essays), per_page))
    edited = set(before)
    for key in sorted({tag_slug(tag) for new in shown for tag in new.tags}):
        name, items = listing.tags[key]
        places = [at for at, item in enumerate(items) if any(item is new for new in listed)]
        for number in sorted({at // per_page + 1 for at in places}):
            chunk = items[(number - 1) * per_page : number * per_page]
            yield _tag_page(site, jinja, card, key, name, chunk, number, _pages(len(items), per_page))
        if any(e.slug in edited for e in items[: feeds.FEED_SIZE]):
            yield _tag_feed(items, name, key, site, jinja, bodies)
    if any(e.slug in edited for e in listing.essays[: feeds.FEED_SIZE]):
        yield _essays_feed(listing, site, jinja, bodies)
    if corrected:
        yield _corrections_page(listing, site, jinja, snippets())
    if any(u.essay_slug in edited for u in listing.updates[: feeds.FEED_SIZE]):
        yield _corrections_feed(listing, site, jinja)
    for rel, page in pages:
        yield page.spec(rel, site, jinja)


def _pages(items: int, per_page: int) -> int:
    """How many pages ``paginate`` makes of ``items`` (one, empty, when there are none)."""
    return max(1, -(-items // per_page))


def _listing_page(
    site: Site, jinja: Environment, card: Callable, prefix: str, chunk: list, number: int, total: int, **extra: Any
) -> PageSpec:
    """Page ``number`` of ``total`` of a listing: the index, or a tag's (``prefix``)."""
    pager = Pager(
        number,
        total,
        page_path(prefix, number - 1) if number > 1 else None,
        page_path(prefix, number + 1) if number < total else None,
    )
    rel = page_path(prefix, number) + "index.html"
    return PageSpec(
        rel,
        (_listed(chunk), pager, extra),
        lambda: jinja.get_template("index.html").render(
            site=site,
            t=site.t,
            t_for=translators(site),
            card=card,
            essays=chunk,
            pager=pager,
            page_url=page_path(prefix, number),
            **extra,
        ),
    )


def _tag_page(
    site: Site, jinja: Environment, card: Callable, key: str, name: str, chunk: list, number: int, total: int
) -> PageSpec:
    """Page ``number`` of the listing of the essays tagged ``name`` (slug ``key``)."""
    heading = site.t("tagged", tag=name)  # also its description: the site's is the home page's
    extra = {
        "heading": heading,
        "page_description": heading,
        "intro": "",
        "tag": name,
        "tag_feed": f"tags/{key}/feed.xml",
    }
    return _listing_page(site, jinja, card, f"tags/{key}/", chunk, number, total, **extra)


def _corrections_page(listing: Listing, site: Site, jinja: Environment, snippets: Snippets) -> PageSpec:
    """``corrections/``: every UPD on the site, newest first."""
    correction, updates = snippets.correction(site, jinja), listing.updates
    return PageSpec(
        "corrections/index.html",
        _listed([e for e in listing.essays if e.updates]),
        lambda: jinja.get_template("corrections.html").render(
            site=site, t=site.t, updates=updates, correction=correction, page_url="corrections/"
        ),
    )


def _essays_feed(listing: Listing, site: Site, jinja: Environment, bodies: Bodies) -> PageSpec:
    """``feed.xml``: the newest essays, with their bodies."""
    essays = listing.essays
    return PageSpec(
        "feed.xml", _digests(essays[: feeds.FEED_SIZE]), lambda: feeds.essays_feed(essays, site, jinja, bodies)
    )


def _corrections_feed(listing: Listing, site: Site, jinja: Environment) -> PageSpec:
    """``corrections/feed.xml``: the newest UPDs, with the essays they belong to."""
    feed_updates = listing.updates[: feeds.FEED_SIZE]
    upd_slugs = {u.essay_slug for u in feed_updates}
    upd_essays = [e for e in listing.essays if e.slug in upd_slugs]
    return PageSpec(
        "corrections/feed.xml",
        (tuple((u.essay_slug, u.id) for u in feed_updates), _digests(upd_essays)),
        lambda: feeds.corrections_feed(feed_updates, site, jinja, upd_essays),
    )


def _tag_feed(
    items: list[EssaySummary], name: str, key: str, site: Site, jinja: Environment, bodies: Bodies
) -> PageSpec:
    """``tags/<tag>/feed.xml``: the newest essays with that tag."""
    newest = items[: feeds.FEED_SIZE]
    return PageSpec(
        f"tags/{key}/feed.xml",
        (name, _digests(newest)),
        lambda: feeds.essays_feed(
            newest,
            site,
            jinja,
            bodies,
            path=f"tags/{key}/feed.xml",
            title=f"{site.config.title}: {site.t('tagged', tag=name)}",
            alternate=f"tags/{key}/",
        ),
    )


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str = ""  # YYYY-MM-DD, when the build knows it


def _sitemap(essays, pages, tags, index_pages: int, site: Site) -> list[SitemapUrl]:
    """Every page a search engine should know, with ``lastmod`` where the build
    knows it: an essay's newest UPD (else its date); the index and the
    corrections page change with the newest essay or UPD."""
    tz = site.config.timezone

    def lastmod(stamp) -> str:
        return stamp.date.isoformat() if stamp else ""

    changed = {e.slug: (e.updated or e.date) for e in essays}
    order = {slug: stamp.sort_key(tz) for slug, stamp in changed.items()}  # once per essay, not per tag
    newest = changed[max(order, key=order.__getitem__)] if order else None
    newest_upd = max((e.updated for e in essays if e.updated), key=lambda s: s.sort_key(tz), default=None)
    urls = [SitemapUrl(site.absolute(""), lastmod(newest))]
    urls += [SitemapUrl(site.absolute(page_path("", n))) for n in range(2, index_pages + 1)]
    urls += [SitemapUrl(site.absolute(e.url), lastmod(changed[e.slug])) for e in essays]
    urls += [SitemapUrl(site.absolute(rel.removesuffix("index.html"))) for rel, _ in pages]
    if tags:
        urls.append(SitemapUrl(site.absolute("tags/")))
    for key, (_, items) in tags.items():
        newest_tagged = max((e.slug for e in items), key=order.__getitem__)
        urls.append(SitemapUrl(site.absolute(f"tags/{key}/"), lastmod(changed[newest_tagged])))
    urls.append(SitemapUrl(site.absolute("corrections/"), lastmod(newest_upd)))
    return urls
