"""Feeds as a blogger's readers use them: the whole essay in each entry (or only its
summary, by choice), an opening taken from the text when the essay has no
``summary:``, a feed per tag, and ``<link rel="alternate">`` on every page for the
feeds that concern it.  The feeds are read with feedparser, as a feed reader does:
it resolves the entries' relative links against ``xml:base``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from sitefactory import build, essay, make_site, parse_html

from counterpoint.errors import BuildFailed

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/blog/"

TIDES = """
    The Moon pulls the near side of the ocean harder than the far side.

    ![Two bulges](bulges.png)

    A second paragraph, with a [link to the winds](../winds/) and a [footnote][^1].

    [^1]: The note.
"""


def site(tmp_path: Path, **config: object) -> Path:
    return make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", TIDES, tags=["Physics", "Sea"]),
            "content/essays/tides/bulges.png": b"\x89PNG\r\n\x1a\n",
            "content/essays/winds.md": essay(
                "Winds",
                "Air moves from high to low pressure.\n\nMore about that.",
                date="2026-01-12",
                summary="How the air moves.",
                tags=["Physics"],
            ),
            "content/essays/more.md": essay(
                "Split",
                "First part, *with emphasis*.\n\nSecond part.\n\n<!--more-->\n\nAfter the cut.",
                date="2026-01-08",
            ),
        },
        {"base_url": BASE, **config},
    )


def read(out: Path, rel: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse((out / rel).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def entry(feed: feedparser.FeedParserDict, title: str) -> feedparser.FeedParserDict:
    return next(e for e in feed.entries if e.title == title)


def test_entries_carry_the_whole_essay_with_links_that_resolve(tmp_path: Path) -> None:
    built = build(site(tmp_path))
    assert built.ok, built.report.errors
    feed = read(built.out, "feed.xml")
    tides = entry(feed, "Tides")
    content = tides.content[0]
    assert content.type == "text/html"
    for text in ("near side of the ocean", "A second paragraph", "The note."):
        assert text in content.value
    html = parse_html(content.value)
    # relative addresses resolve against the essay's address, as on its page
    assert html.find("img").get("src") == BASE + "essays/tides/bulges.png"
    assert html.find("a", href=BASE + "essays/winds/") is not None
    # no margin remarks or theme chrome in the entry: the essay's own text
    assert "remark" not in content.value and "site-head" not in content.value


def test_summary_is_the_authors_or_the_essays_opening(tmp_path: Path) -> None:
    built = build(site(tmp_path))
    feed = read(built.out, "feed.xml")
    assert entry(feed, "Winds").summary == "How the air moves."
    # no summary: the first paragraph
    assert entry(feed, "Tides").summary == "The Moon pulls the near side of the ocean harder than the far side."
    # <!--more-->: everything above it
    assert entry(feed, "Split").summary == "First part, with emphasis. Second part."
    # the same opening on the essay's card and in its description
    assert "First part, with emphasis. Second part." in built.page("").replace("\n", " ")
    essay_page = parse_html(built.page("essays/tides/"))
    description = essay_page.find("meta", name="description")
    assert description is not None and description.get("content", "").startswith("The Moon pulls")


def test_feed_content_summary_leaves_the_text_out(tmp_path: Path) -> None:
    built = build(site(tmp_path, feed_content="summary"))
    feed = read(built.out, "feed.xml")
    assert all("content" not in e for e in feed.entries)
    assert entry(feed, "Tides").summary.startswith("The Moon pulls")


def test_feed_content_is_checked(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        build(site(tmp_path, feed_content="ful"))
    assert failed.value.format() == (
        "site.yml:5:1: error: 'feed_content' must be one of full, summary, not 'ful'\n  hint: did you mean 'full'?"
    )


def test_each_tag_has_its_feed(tmp_path: Path) -> None:
    built = build(site(tmp_path))
    physics = read(built.out, "tags/physics/feed.xml")
    assert [e.title for e in physics.entries] == ["Winds", "Tides"]
    assert physics.feed.title == "Test site: Essays tagged “Physics”"
    assert physics.feed.link == BASE + "tags/physics/"
    self_link = next(link.href for link in physics.feed.links if link.rel == "self")
    assert self_link == BASE + "tags/physics/feed.xml"
    sea = read(built.out, "tags/sea/feed.xml")
    assert [e.title for e in sea.entries] == ["Tides"]
    assert "near side of the ocean" in sea.entries[0].content[0].value
    # the feeds are well-formed Atom (ElementTree is strict about that)
    root = ET.fromstring((built.out / "tags/physics/feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"


def test_pages_advertise_the_feeds_that_concern_them(tmp_path: Path) -> None:
    built = build(site(tmp_path))

    def feeds(url: str) -> dict[str, str]:
        page = parse_html(built.page(url))
        return {
            link.get("href"): link.get("title")
            for link in page.find_all("link", rel="alternate")
            if link.get("type") == "application/atom+xml"
        }

    site_feeds = {"/blog/feed.xml", "/blog/corrections/feed.xml"}
    assert set(feeds("")) == site_feeds
    tag_page = feeds("tags/physics/")
    assert set(tag_page) == site_feeds | {"/blog/tags/physics/feed.xml"}
    assert tag_page["/blog/tags/physics/feed.xml"] == "Feed of essays tagged “Physics”"
    assert set(feeds("essays/tides/")) == site_feeds | {
        "/blog/essays/tides/corrections.xml",
        "/blog/tags/physics/feed.xml",
        "/blog/tags/sea/feed.xml",
    }
    # every advertised feed exists
    for url in ("", "tags/physics/", "essays/tides/"):
        for href in feeds(url):
            assert (built.out / href.removeprefix("/blog/")).is_file(), href
