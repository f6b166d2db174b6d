"""Atom feeds: essays, corrections (one entry per UPD), corrections per essay."""

from __future__ import annotations

from datetime import datetime, timezone

from jinja2 import Environment

from counterpoint.model import EssaySummary, UpdateSummary
from counterpoint.render import Site

FEED_SIZE = 20


def _epoch() -> str:
    return datetime(1970, 1, 1, tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def essays_feed(essays: list[EssaySummary], site: Site, jinja: Environment) -> str:
    tz = site.config.timezone
    entries = [
        {
            "title": e.title,
            "id": site.absolute(e.url),
            "url": site.absolute(e.url),
            "published": e.date.iso(tz),
            "updated": (e.updated or e.date).iso(tz) if e.updated and e.updated.sort_key(tz) > e.date.sort_key(tz) else e.date.iso(tz),
            "author": e.author,
            "tags": e.tags,
            "summary": e.summary,
            "html": "",
        }
        for e in essays[:FEED_SIZE]
    ]
    updated = max((x["updated"] for x in entries), default=_epoch())
    return jinja.get_template("feed.xml").render(
        site=site, t=site.t, title=site.config.title, feed_path="feed.xml", alternate="", updated=updated, entries=entries
    )


def _upd_entries(updates: list[UpdateSummary], site: Site, author: str) -> list[dict]:
    tz = site.config.timezone
    return [
        {
            "title": f"{site.t('upd')} {site.t.date(u.date)}: {u.essay_title}",
            "id": site.absolute(u.essay_url) + "#" + u.id,
            "url": site.absolute(u.essay_url) + "#" + u.id,
            "published": u.date.iso(tz),
            "updated": u.date.iso(tz),
            "author": author,
            "tags": (),
            "summary": "",
            "html": u.html,
        }
        for u in updates[:FEED_SIZE]
    ]


def corrections_feed(updates: list[UpdateSummary], site: Site, jinja: Environment) -> str:
    entries = _upd_entries(updates, site, site.config.author)
    updated = max((x["updated"] for x in entries), default=_epoch())
    return jinja.get_template("feed.xml").render(
        site=site,
        t=site.t,
        title=f"{site.config.title}: {site.t('corrections')}",
        feed_path="corrections/feed.xml",
        alternate="corrections/",
        updated=updated,
        entries=entries,
    )


def essay_corrections_feed(essay: EssaySummary, site: Site, jinja: Environment) -> str:
    tz = site.config.timezone
    updates = sorted(essay.updates, key=lambda u: u.date.sort_key(tz), reverse=True)
    entries = _upd_entries(updates, site, essay.author)
    updated = max((x["updated"] for x in entries), default=essay.date.iso(tz))
    return jinja.get_template("feed.xml").render(
        site=site,
        t=site.t,
        title=f"{essay.title}: {site.t('corrections')}",
        feed_path=essay.url + "corrections.xml",
        alternate=essay.url,
        updated=updated,
        entries=entries,
    )
