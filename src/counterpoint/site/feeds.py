"""Atom feeds (RFC 4287): essays (the site's and each tag's), corrections (one
entry per UPD), corrections per essay.

Links are absolute when ``base_url`` is (``https://x.github.io/blog/…``).  An
Atom id must be an absolute IRI, so a site whose ``base_url`` is only a path
gets stable ``urn:uuid:`` ids made from the site title and the page's path.
A feed's ``updated`` is the newest of its entries' moments, compared as
datetimes (``+03:00`` and ``Z`` stamps mix correctly).
"""

from __future__ import annotations

import errno
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from counterpoint.model import EssaySummary, UpdateSummary
from counterpoint.source.frontmatter import Stamp
from counterpoint.theme.jinja_runtime import place, placed
from counterpoint.theme.site import Site
from counterpoint.theme.theme import shipped

if TYPE_CHECKING:
    from jinja2 import Environment

FEED_SIZE = 50  # newest entries per feed; the pages themselves list everything

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FeedEntry:
    """One ``<entry>`` of ``feed.xml`` (an object, not a dict: a template reads
    ``entry.title`` as an attribute, which a dict only answers after a failed lookup)."""

    title: str
    id: str
    url: str
    published: str
    updated: str
    updated_at: datetime  # ``updated`` as a datetime, to find the newest
    author: str
    tags: tuple[str, ...] = ()
    summary: str = ""
    html: str = ""
    base: str = ""  # xml:base of ``html``
    lang: str = ""


def atom_id(site: Site, path: str) -> str:
    """An absolute IRI for a feed or entry id."""
    url = site.absolute(path)
    if "://" in url:
        return url
    return _urn(site.config.title, url)


@lru_cache(maxsize=4096)
def _urn(title: str, url: str) -> str:
    # an essay's id is written in the site's feed, each of its tags' and its own
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"counterpoint:{title}:{url}"))


def _moment(stamp: Stamp, tz: str) -> tuple[datetime, str]:
    return stamp.sort_key(tz), stamp.iso(tz)


def _newest(entries: list[FeedEntry], fallback: Stamp | None, tz: str) -> str:
    """The newest ``updated`` of the entries, compared as datetimes."""
    if entries:
        return max(entries, key=lambda e: e.updated_at).updated
    if fallback is not None:
        return fallback.iso(tz)
    return _EPOCH.isoformat().replace("+00:00", "Z")


class Bodies:
    """Each essay's body for its feed entry, read from its page as written
    (``EssaySummary.feed``): in the stage for an essay this build rendered, else in
    the output folder, where the cache found that page intact.  One copy of every
    body on disk, none in memory (at 10,000 essays, ~76 MB of compressed bodies less)."""

    def __init__(self, *folders: Path):
        self.folders = folders

    def __call__(self, essay: EssaySummary) -> bytes:
        """The body as UTF-8."""
        if essay.feed:
            page, cuts = self._page(essay.url + "index.html", essay.page_size), essay.feed
            return b"".join(page[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2))
        return zlib.decompress(essay.content) if essay.content else b""

    def _page(self, rel: str, size: int) -> bytes:
        for folder in self.folders:
            try:
                data = (folder / rel).read_bytes()
            except FileNotFoundError:
                continue
            if len(data) != size:  # not the page its summary describes: changed under the build
                raise OSError(errno.ESTALE, "it changed during the build", str(folder / rel))
            return data
        raise FileNotFoundError(errno.ENOENT, "no such file", str(self.folders[-1] / rel))


def essays_feed(
    essays: list[EssaySummary],
    site: Site,
    jinja: Environment,
    bodies: Callable[[EssaySummary], bytes],
    *,
    path: str = "feed.xml",
    title: str = "",
    alternate: str = "",
) -> bytes:
    """The newest essays (``essays`` comes newest first), each with its whole text
    (``feed_content: full``, the default) and its summary or opening; ``path``,
    ``title`` and ``alternate`` name a tag's feed (``tags/<tag>/feed.xml``).

    The feed as written (UTF-8).  With the built-in theme's ``feed.xml``, which writes
    each body once, as it is, escaped, the body is written from the bytes read from
    its page, escaped, in place of the placeholder the template wrote (``Placed``);
    a site's own template may do anything with the text (capture it in a ``{% filter
    %}``, measure it), so it gets the text."""
    tz = site.config.timezone
    template = jinja.get_template("feed.xml")
    fast = shipped(template)
    entries = []
    raws: list[bytes] = []
    for e in essays[:FEED_SIZE]:
        raw = bodies(e)
        newest = e.updated if e.updated and e.updated.sort_key(tz) > e.date.sort_key(tz) else e.date
        updated_at, updated = _moment(newest, tz)
        entries.append(
            FeedEntry(
                title=e.title,
                id=atom_id(site, e.url),
                url=site.absolute(e.url),
                published=e.date.iso(tz),
                updated=updated,
                updated_at=updated_at,
                author=e.author,
                tags=tuple(e.tags),
                summary=e.summary,
                html=(placed(raw, len(raws)) if fast else raw.decode()) if raw else "",
                base=site.absolute(e.url) if raw else "",
                lang=e.lang,
            )
        )
        if raw:
            raws.append(raw)
    feed = template.render(
        site=site,
        t=site.t,
        title=title or site.config.title,
        subtitle=site.config.description,
        feed_id=atom_id(site, path),
        feed_path=path,
        alternate=alternate,
        updated=_newest(entries, None, tz),
        entries=entries,
        lang=site.config.language,
    )
    return place(feed.encode(), raws) if fast else feed.encode()


def _upd_entries(updates: list[UpdateSummary], site: Site, authors: dict[str, str]) -> list[FeedEntry]:
    tz = site.config.timezone
    entries = []
    for u in updates[:FEED_SIZE]:
        updated_at, updated = _moment(u.date, tz)
        entries.append(
            FeedEntry(
                title=f"{site.t('upd')} {site.t.date(u.date)}: {u.essay_title}",
                id=atom_id(site, f"{u.essay_url}#{u.id}"),
                url=site.absolute(u.essay_url) + "#" + u.id,
                published=updated,
                updated=updated,
                updated_at=updated_at,
                author=authors.get(u.essay_slug, site.config.author),
                html=u.html,
                base=site.absolute(u.essay_url),
            )
        )
    return entries


def corrections_feed(
    updates: list[UpdateSummary], site: Site, jinja: Environment, essays: Sequence[EssaySummary] = ()
) -> str:
    """Every UPD on the site, newest first (``updates`` comes sorted)."""
    entries = _upd_entries(updates, site, {e.slug: e.author for e in essays})
    return jinja.get_template("feed.xml").render(
        site=site,
        t=site.t,
        title=f"{site.config.title}: {site.t('corrections')}",
        subtitle=site.t("corrections_intro"),
        feed_id=atom_id(site, "corrections/feed.xml"),
        feed_path="corrections/feed.xml",
        alternate="corrections/",
        updated=_newest(entries, None, site.config.timezone),
        entries=entries,
        lang=site.config.language,
    )


def essay_corrections_feed(essay: EssaySummary, site: Site, jinja: Environment) -> str:
    """The UPDs of one essay (``essays/<slug>/corrections.xml``); empty until the first UPD."""
    tz = site.config.timezone
    updates = sorted(essay.updates, key=lambda u: u.date.sort_key(tz), reverse=True)
    entries = _upd_entries(updates, site, {essay.slug: essay.author})
    return jinja.get_template("feed.xml").render(
        site=site,
        t=site.t,
        title=f"{essay.title}: {site.t('corrections')}",
        subtitle="",
        feed_id=atom_id(site, essay.url + "corrections.xml"),
        feed_path=essay.url + "corrections.xml",
        alternate=essay.url,
        updated=_newest(entries, essay.date, tz),
        entries=entries,
        lang=essay.lang or site.config.language,
    )
