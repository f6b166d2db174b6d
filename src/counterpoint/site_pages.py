"""Site-wide pages made from essay summaries: index pages, tags, corrections,
feeds, sitemap, robots.txt, 404 and the search page.

Each page is described by the data it shows; a page whose data, theme and
configuration did not change since the last build is not rendered again
(``PageSpec.key``), so an edit to one essay re-renders only the listings that
show something that changed.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any, Callable, Iterator

from jinja2 import Environment
from markupsafe import Markup

from counterpoint import feeds
from counterpoint.model import EssaySummary, UpdateSummary
from counterpoint.render import Site
from counterpoint.slugs import slug


@dataclass(frozen=True)
class PageSpec:
    rel: str
    data: Any  # everything the page shows, picklable: the cache key material
    render: Callable[[], str]

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
    """``""`` -> ``index.html``, ``page/2/index.html``; under a prefix for tags."""
    return prefix + ("" if number == 1 else f"page/{number}/")


def paginate(items: list, per_page: int) -> list[list]:
    if not items:
        return [[]]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)]


def tag_index(essays: list[EssaySummary]) -> dict[str, tuple[str, list[EssaySummary]]]:
    """tag slug -> (display name, essays newest first); first spelling wins."""
    tags: dict[str, tuple[str, list[EssaySummary]]] = {}
    for essay in essays:
        for tag in essay.tags:
            key = slug(tag) or "tag"
            tags.setdefault(key, (tag, []))[1].append(essay)
    return dict(sorted(tags.items(), key=lambda kv: kv[1][0].lower()))


def all_updates(essays: list[EssaySummary], tz: str) -> list[UpdateSummary]:
    updates = [u for e in essays for u in e.updates]
    updates.sort(key=lambda u: (u.date.sort_key(tz), u.essay_slug, u.id), reverse=True)
    return updates


def site_pages(
    essays: list[EssaySummary], pages: list[tuple[str, Any]], site: Site, jinja: Environment
) -> Iterator[PageSpec]:
    """Every site-wide page; ``essays`` newest first, ``pages`` (rel, PlainPage)."""
    t = site.t
    per_page = site.config.essays_per_page

    def listing(prefix: str, chunk: list, number: int, total: int, **extra: Any) -> PageSpec:
        pager = Pager(
            number,
            total,
            page_path(prefix, number - 1) if number > 1 else None,
            page_path(prefix, number + 1) if number < total else None,
        )
        rel = page_path(prefix, number) + "index.html"
        return PageSpec(
            rel,
            (chunk, pager, extra),
            lambda: jinja.get_template("index.html").render(
                site=site, t=t, essays=chunk, pager=pager, page_url=page_path(prefix, number), **extra
            ),
        )

    chunks = paginate(essays, per_page)
    for number, chunk in enumerate(chunks, 1):
        yield listing("", chunk, number, len(chunks))

    tags = tag_index(essays)
    infos = [TagInfo(name, key, f"tags/{key}/", len(items)) for key, (name, items) in tags.items()]
    yield PageSpec(
        "tags/index.html",
        infos,
        lambda: jinja.get_template("tags.html").render(site=site, t=t, tags=infos, page_url="tags/"),
    )
    for key, (name, items) in tags.items():
        tag_chunks = paginate(items, per_page)
        for number, chunk in enumerate(tag_chunks, 1):
            yield listing(f"tags/{key}/", chunk, number, len(tag_chunks), heading=t("tagged", tag=name), intro="")

    updates = all_updates(essays, site.config.timezone)
    yield PageSpec(
        "corrections/index.html",
        updates,
        lambda: jinja.get_template("corrections.html").render(
            site=site, t=t, updates=updates, Markup=Markup, page_url="corrections/"
        ),
    )
    yield PageSpec("feed.xml", essays[: feeds.FEED_SIZE], lambda: feeds.essays_feed(essays, site, jinja))
    yield PageSpec(
        "corrections/feed.xml", updates[: feeds.FEED_SIZE], lambda: feeds.corrections_feed(updates, site, jinja)
    )
    yield PageSpec("404.html", None, lambda: jinja.get_template("404.html").render(site=site, t=t, page_url="404.html"))
    if site.config.search:
        yield PageSpec(
            "search/index.html", None, lambda: jinja.get_template("search.html").render(site=site, t=t, page_url="search/")
        )
    for rel, page in pages:
        yield page.spec(rel, site, jinja)

    sitemap_urls = _sitemap(essays, pages, tags, len(chunks), site)
    yield PageSpec(
        "sitemap.xml", sitemap_urls, lambda: jinja.get_template("sitemap.xml").render(site=site, urls=sitemap_urls)
    )
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.absolute('sitemap.xml')}\n"
    yield PageSpec("robots.txt", robots, lambda: robots)


def _sitemap(essays, pages, tags, index_pages: int, site: Site) -> list[dict[str, str]]:
    tz = site.config.timezone
    newest = max((e.updated or e.date for e in essays), key=lambda s: s.sort_key(tz), default=None)
    urls = [{"loc": site.absolute(""), "lastmod": newest.date.isoformat() if newest else ""}]
    urls += [{"loc": site.absolute(page_path("", n)), "lastmod": ""} for n in range(2, index_pages + 1)]
    urls += [{"loc": site.absolute(e.url), "lastmod": (e.updated or e.date).date.isoformat()} for e in essays]
    urls += [{"loc": site.absolute(rel.removesuffix("index.html")), "lastmod": ""} for rel, _ in pages]
    urls += [{"loc": site.absolute(f"tags/{key}/"), "lastmod": ""} for key in tags]
    urls.append({"loc": site.absolute("corrections/"), "lastmod": ""})
    return urls
