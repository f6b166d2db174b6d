"""The essays in the order the site lists them, by tag, and every UPD: what every listing,
feed and the sitemap of ``site_pages`` are made from."""

from __future__ import annotations

from dataclasses import dataclass, replace

from counterpoint.markup.slugs import tag_slug
from counterpoint.model import EssaySummary, UpdateSummary


def tag_index(essays: list[EssaySummary]) -> dict[str, tuple[str, list[EssaySummary]]]:
    """tag slug -> (display name, essays in the given order); the spelling of the
    newest essay that uses a tag wins, and an essay is listed once per slug."""
    tags: dict[str, tuple[str, list[EssaySummary]]] = {}
    for essay in essays:
        spelled: dict[str, str] = {}  # slug -> the essay's first spelling of it
        for tag in essay.tags:
            spelled.setdefault(tag_slug(tag), tag)
        for key, name in spelled.items():
            tags.setdefault(key, (name, []))[1].append(essay)
    return dict(sorted(tags.items(), key=lambda kv: (kv[1][0].casefold(), kv[0])))


def all_updates(essays: list[EssaySummary]) -> list[UpdateSummary]:
    """Every UPD on the site, newest first (same moment: newer essay first, then
    the later block of the essay first)."""
    ranked = [(u, rank, -pos) for rank, e in enumerate(essays) for pos, u in enumerate(e.updates)]
    ranked.sort(key=lambda x: (-x[0].moment, x[1], x[2]))
    return [u for u, _, _ in ranked]


@dataclass(frozen=True)
class Listing:
    """The essays as the site lists them: newest first, by tag, and every UPD; what every
    listing, feed and the sitemap are made from.  Kept between ``serve``'s builds, so an
    edit that moves no essay (``with_edits``) does not sort 10,000 summaries again."""

    essays: list[EssaySummary]
    tags: dict[str, tuple[str, list[EssaySummary]]]
    updates: list[UpdateSummary]
    at: dict[str, int]  # essay slug -> its place in ``essays``

    def with_edits(self, edited: list[EssaySummary]) -> Listing | None:
        """This listing with each of ``edited`` in place of the summary of the same slug,
        when that changes no essay's place in it: the same moment, tags, aliases and UPDs
        (ids and moments; their text may change).  None otherwise (then ``listing_of``)."""
        essays, tags, updates = list(self.essays), dict(self.tags), self.updates
        for new in edited:
            at = self.at.get(new.slug)
            if at is None or not _same_place(essays[at], new):
                return None
            old, essays[at] = essays[at], new
            for key in dict.fromkeys(tag_slug(tag) for tag in new.tags):
                name, items = tags[key]
                tags[key] = (name, [new if item is old else item for item in items])
            if new.updates != old.updates:  # their text: in place, the order is the same
                fresh = {(u.essay_slug, u.id): u for u in new.updates}
                updates = [fresh.get((u.essay_slug, u.id), u) for u in updates]
        return replace(self, essays=essays, tags=tags, updates=updates)


def _same_place(old: EssaySummary, new: EssaySummary) -> bool:
    return (
        old.slug == new.slug
        and old.moment == new.moment
        and (old.date, old.updated) == (new.date, new.updated)  # the sitemap's lastmod
        and old.tags == new.tags
        and old.aliases == new.aliases
        and [(u.id, u.moment) for u in old.updates] == [(u.id, u.moment) for u in new.updates]
    )


def listing_of(summaries: list[EssaySummary]) -> Listing:
    """``summaries`` in the site's order: newest first, by the moment ``summarize`` read in
    the site's timezone (then by slug, so two essays of one moment keep one order)."""
    essays = sorted(summaries, key=lambda s: (s.moment, s.slug), reverse=True)
    return Listing(essays, tag_index(essays), all_updates(essays), {e.slug: at for at, e in enumerate(essays)})
