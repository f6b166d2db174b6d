"""The blog around the essays: index pages, tags, corrections, feeds, sitemap,
robots.txt, 404, Open Graph, drafts, localization and annotations.json."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site, plain_page, write_files

from counterpoint.build.engine import Engine
from counterpoint.errors import BuildFailed
from counterpoint.site.site_pages import paginate, tag_slug
from counterpoint.source.i18n import STRINGS, check_strings, translator

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/blog/"
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers


def build(root: Path, out: Path | None = None, *, base_url: str | None = BASE, drafts: bool = False) -> Path:
    out = out or root.parent / (root.name + "-out")
    report = Engine(root, out=out, base_url=base_url, drafts=drafts, use_cache=False, search=False).build()
    assert report.ok, "\n".join(report.errors)
    return out


def make(tmp_path: Path, files: dict[str, str], name: str = "site", **config: object) -> Path:
    return make_site(tmp_path / name, files, {"title": "Test blog", **config})


class Page(HTMLParser):
    """The bits of an HTML page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []  # (rel, href) of <link>
        self.anchors: list[str] = []
        self.ids: set[str] = set()
        self.html_lang = ""
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        elif tag == "link":
            self.links.append((a.get("rel", ""), a.get("href", "")))
        elif tag == "a" and "href" in a:
            self.anchors.append(a["href"])

    def canonical(self) -> str:
        return next(href for rel, href in self.links if rel == "canonical")

    def with_class(self, cls: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if cls in a.get("class", "").split()]


@dataclass
class Element:
    """An element of a page with the class asked for: its attributes, its text
    (whitespace collapsed) and its links as (href, text)."""

    attrs: dict[str, str]
    text: str
    links: list[tuple[str, str]]


class _Elements(HTMLParser):
    def __init__(self, tag: str, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.cls = tag, cls
        self.found: list[Element] = []
        self.depth = 0  # nesting of self.tag inside the element being read
        self.text: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.depth:
            if tag == self.tag:
                self.depth += 1
            if tag == "a":
                self.href, self.link_text = a.get("href", ""), []
        elif tag == self.tag and self.cls in a.get("class", "").split():
            self.depth = 1
            self.text = []
            self.found.append(Element(a, "", []))

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "a" and self.href is not None:
            self.found[-1].links.append((self.href, " ".join("".join(self.link_text).split())))
            self.href = None
        if tag == self.tag:
            self.depth -= 1
            if not self.depth:
                self.found[-1].text = " ".join("".join(self.text).split())

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
            if self.href is not None:
                self.link_text.append(data)


def elements(out: Path, rel: str, tag: str, cls: str) -> list[Element]:
    parser = _Elements(tag, cls)
    parser.feed((out / rel).read_text("utf-8"))
    return parser.found


def page(out: Path, rel: str) -> Page:
    return Page((out / rel).read_text("utf-8"))


def text_of(out: Path, rel: str) -> str:
    return (out / rel).read_text("utf-8")


def card_slugs(out: Path, rel: str) -> list[str]:
    return [a["data-essay"] for a in page(out, rel).with_class("essay-card")]


def atom(out: Path, rel: str) -> ET.Element:
    root = ET.fromstring((out / rel).read_bytes())
    assert root.tag == f"{ATOM}feed"
    return root


def atom_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"Atom dates need a zone: {text}"
    return value


def assert_valid_atom(feed: ET.Element) -> None:
    """RFC 4287's required elements, RFC 3339 dates, absolute ids, unique entry ids."""
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None, f"feed lacks <{name}>"
    atom_time(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), f"entry lacks <{name}>"
        atom_time(entry.findtext(f"{ATOM}updated"))
        if entry.find(f"{ATOM}published") is not None:
            atom_time(entry.findtext(f"{ATOM}published"))
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None or entry.find(f"{ATOM}content") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    for value in [feed.findtext(f"{ATOM}id"), *ids]:
        assert re.match(r"^[a-z][a-z0-9+.-]*:", value), f"Atom id must be an absolute IRI: {value}"
    assert len(ids) == len(set(ids)), "entry ids repeat"


def all_files(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text("utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".xml", ".txt", ".json")
    }


# --------------------------------------------------------------------------- pagination


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6])
def test_index_pagination_boundaries(tmp_path: Path, count: int) -> None:
    per_page = 2
    files = {f"content/essays/e{i}.md": essay(f"Essay {i}", date=f"2026-01-{10 + i:02d}") for i in range(count)}
    out = build(make(tmp_path, files, essays_per_page=per_page))
    pages = max(1, -(-count // per_page))
    listed: list[str] = []
    for number in range(1, pages + 1):
        rel = "index.html" if number == 1 else f"page/{number}/index.html"
        assert (out / rel).is_file(), rel
        slugs = card_slugs(out, rel)
        assert 0 < len(slugs) <= per_page or count == 0
        listed += slugs
        nav = page(out, rel)
        older = f"/blog/page/{number + 1}/"
        newer = "/blog/" if number == 2 else f"/blog/page/{number - 1}/"
        assert (older in nav.anchors) == (number < pages)
        assert (newer in nav.anchors) == (number > 1)
        assert nav.canonical() == BASE + ("" if number == 1 else f"page/{number}/")
    assert not (out / f"page/{pages + 1}").exists()
    assert not (out / "page/1").exists()
    assert listed == [f"e{i}" for i in reversed(range(count))]  # newest first, each essay once


def test_paginate_is_exact_at_multiples() -> None:
    assert paginate([], 3) == [[]]
    assert [len(c) for c in paginate(list(range(6)), 3)] == [3, 3]
    assert [len(c) for c in paginate(list(range(7)), 3)] == [3, 3, 1]


def test_index_card_shows_everything_an_essay_list_needs(tmp_path: Path) -> None:
    files = {
        "content/essays/tides/index.md": essay(
            "How tides work",
            """
            ::: upd 2026-01-20 re=lift
            Fixed the lift.
            :::

            [The Moon lifts the water.]{.claim #lift} More words here.
            """,
            date="2026-01-10",
            summary="The Moon and the sea.",
            tags=["Physics"],
            difficulty="hard",
        ),
        "content/essays/tides/critiques/lift.md": critique("ana", "::: on #lift\nNo.\n:::", date="2026-01-12"),
        "content/essays/tides/critiques/other.md": critique("bo", "::: on #lift\nHm.\n:::", date="2026-01-13"),
    }
    out = build(make(tmp_path, files))
    (card,) = elements(out, "index.html", "li", "essay-card")
    for expected in (
        "How tides work",
        "The Moon and the sea.",
        "January 10, 2026",
        "1 min read",
        "Difficulty: Hard",
        "2 critiques",
        "1 open",
        "1 UPD",
        "Physics",
    ):
        assert expected in card.text, expected
    hrefs = dict(card.links)
    assert hrefs["/blog/tags/physics/"] == "Physics"
    assert hrefs["/blog/essays/tides/"] == "How tides work"


# --------------------------------------------------------------------------- tags


def test_tag_slugs_transliterate_and_ignore_case(tmp_path: Path) -> None:
    files = {
        "content/essays/a.md": essay("A", date="2026-01-01", tags=["Физика", "AI"]),
        "content/essays/b.md": essay("B", date="2026-01-02", tags=["физика", "ai", "ИИ"]),
        "content/essays/c.md": essay("C", date="2026-01-03", tags=["Machine Learning", "!!!"]),
    }
    out = build(make(tmp_path, files))
    assert tag_slug("Физика") == tag_slug("физика") == "fizika"
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == sorted(
        ["fizika", "ai", "ii", "machine-learning", tag_slug("!!!")]
    )
    assert tag_slug("!!!").startswith("tag-") and tag_slug("!!!") != tag_slug("???")
    assert card_slugs(out, "tags/fizika/index.html") == ["b", "a"]
    assert card_slugs(out, "tags/ai/index.html") == ["b", "a"]
    # the newest essay's spelling names the shared page
    assert "Essays tagged “физика”" in text_of(out, "tags/fizika/index.html")
    tags_page = page(out, "tags/index.html")
    for key in ("fizika", "ai", "ii", "machine-learning", tag_slug("!!!")):
        assert f"/blog/tags/{key}/" in tags_page.anchors
    # every tag link on every card and essay page points at an existing tag page
    for rel in ("index.html", "essays/a/index.html", "essays/b/index.html", "essays/c/index.html"):
        for href in page(out, rel).anchors:
            if href.startswith("/blog/tags/") and href != "/blog/tags/":
                assert (out / href.removeprefix("/blog/") / "index.html").is_file(), href


def test_one_essay_with_two_spellings_of_a_tag_is_listed_once_under_its_first(tmp_path: Path) -> None:
    files = {
        "content/essays/a.md": essay("A", date="2026-01-01", tags=["Optics", "OPTICS", "optics"]),
        "content/essays/b.md": essay("B", date="2026-01-02", tags=["Waves"]),
    }
    out = build(make(tmp_path, files))
    assert card_slugs(out, "tags/optics/index.html") == ["a"]
    assert "Essays tagged “Optics”" in text_of(out, "tags/optics/index.html")


def test_tag_pages_paginate(tmp_path: Path) -> None:
    files = {f"content/essays/e{i}.md": essay(f"E{i}", date=f"2026-02-0{i + 1}", tags=["Same"]) for i in range(3)}
    out = build(make(tmp_path, files, essays_per_page=2))
    assert card_slugs(out, "tags/same/index.html") == ["e2", "e1"]
    assert card_slugs(out, "tags/same/page/2/index.html") == ["e0"]
    assert "/blog/tags/same/page/2/" in page(out, "tags/same/index.html").anchors


def test_a_tag_page_describes_itself_not_the_whole_site(tmp_path: Path) -> None:
    """The home page shows the site's description; a tag page repeated it under its own
    heading and gave it to search engines as the tag page's description."""
    files = {"content/essays/a.md": essay("A", tags=["Optics"])}
    out = build(make(tmp_path, files, description="Essays on light, with their critiques."))
    home, tag = page(out, "index.html"), page(out, "tags/optics/index.html")
    assert home.meta["description"] == "Essays on light, with their critiques."
    assert "Essays on light" in text_of(out, "index.html")
    assert tag.meta["description"] == tag.meta["og:description"] == "Essays tagged “Optics”"
    assert "Essays on light" not in text_of(out, "tags/optics/index.html")


# --------------------------------------------------------------------------- corrections and feeds


def corrections_site(tmp_path: Path, **config: object) -> Path:
    files = {
        "content/essays/tides/index.md": essay(
            "Tides",
            """
            ::: upd 2026-01-20 re=lift,numbers corrects=#lift
            The Moon does not lift the water.
            :::

            [The Moon lifts the water.]{.claim #lift} [Ten million times weaker.]{.claim #ten}

            ::: upd 2026-01-25T09:00:00+03:00 re=numbers
            The figure was off by a factor of thirty.
            :::
            """,
            date="2026-01-10",
            tags=["physics"],
        ),
        "content/essays/tides/critiques/lift.md": critique(
            "dmitry_k", "::: on #lift\nIt does not.\n:::", date="2026-01-12"
        ),
        "content/essays/tides/critiques/numbers.md": critique("ana_r", "::: on #ten\nSource?\n:::", date="2026-01-14"),
        "content/essays/winds/index.md": essay(
            "Winds",
            """
            Wind is air that moves.

            ::: upd 2026-01-22
            Added a sentence.
            :::
            """,
            date="2026-01-15",
        ),
        "content/essays/calm.md": essay("Calm", "No corrections here.", date="2026-01-05"),
    }
    return make(tmp_path, files, **config)


def test_a_upd_shown_away_from_its_essay_keeps_its_links_and_images(tmp_path: Path) -> None:
    """The corrections page and the corrections feeds show a UPD away from its essay:
    its relative image and links ("chart.png", "../other/") pointed at nothing there."""
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + (3).to_bytes(4, "big")
        + (2).to_bytes(4, "big")
        + b"\x08\x02\x00\x00\x00"
    )
    files = {
        "content/essays/e/index.md": essay(
            "E",
            "[A.]{.claim #a}\n\n::: upd 2026-01-12 corrects=#a\n"
            "See [the claim](#a), ![chart](chart.png), [a sibling](../other/), [about](/about/), "
            "[elsewhere](https://example.org/x) and [its table](chart.png?v=2#top).\n:::\n",
        ),
        "content/essays/e/chart.png": png,
        "content/essays/other.md": essay("Other", date="2026-01-11"),
    }
    out = build(make(tmp_path, files, base_url="/blog/"))
    corrections = page(out, "corrections/index.html")
    assert (
        "/blog/essays/e/#a" in corrections.anchors
        and "/blog/essays/other/" in corrections.anchors
        and "/blog/about/" in corrections.anchors
    )
    assert "https://example.org/x" in corrections.anchors
    assert "/blog/essays/e/chart.png?v=2#top" in corrections.anchors
    images = [a["src"] for tag, a in corrections.elements if tag == "img"]
    assert images == ["/blog/essays/e/chart.png"]
    for rel in ("corrections/feed.xml", "essays/e/corrections.xml"):
        feed = html.unescape((out / rel).read_text())  # the entry's HTML, escaped in the XML
        assert 'src="/blog/essays/e/chart.png"' in feed and 'href="/blog/essays/other/"' in feed, rel
        assert "../other/" not in feed and 'src="chart.png"' not in feed, rel
    # the essay's own page keeps the addresses as written
    assert "../other/" in page(out, "essays/e/index.html").anchors


def test_corrections_page_lists_every_upd_newest_first(tmp_path: Path) -> None:
    out = build(corrections_site(tmp_path))
    items = elements(out, "corrections/index.html", "li", "correction")
    assert [item.attrs["data-essay"] for item in items] == ["tides", "winds", "tides"]
    newest, middle, oldest = items
    assert "January 25, 2026" in newest.text and "factor of thirty" in newest.text
    assert ("/blog/essays/tides/", "Tides") in newest.links
    assert any(href == "/blog/essays/tides/#upd-2026-01-25" for href, _ in newest.links)
    assert ("/blog/essays/tides/#critique-numbers", "ana_r") in newest.links
    assert "January 22, 2026" in middle.text and "Added a sentence." in middle.text
    assert ("/blog/essays/winds/", "Winds") in middle.links
    assert "January 20, 2026" in oldest.text and "does not lift" in oldest.text
    for cid, author in (("lift", "dmitry_k"), ("numbers", "ana_r")):
        assert (f"/blog/essays/tides/#critique-{cid}", author) in oldest.links
    essay_page = page(out, "essays/tides/index.html")
    assert {"upd-2026-01-20", "upd-2026-01-25", "critique-lift", "critique-numbers"} <= essay_page.ids


def test_empty_site_has_index_feeds_and_corrections(tmp_path: Path) -> None:
    root = make(tmp_path, {})
    (root / "content").mkdir()
    out = build(root)
    assert card_slugs(out, "index.html") == []
    assert "No corrections yet." in text_of(out, "corrections/index.html")
    for rel in ("feed.xml", "corrections/feed.xml"):
        feed = atom(out, rel)
        assert_valid_atom(feed)
        assert feed.findall(f"{ATOM}entry") == []
    assert not (out / "page/2").exists()


def test_feeds_are_valid_atom_with_absolute_urls_under_a_sub_path(tmp_path: Path) -> None:
    out = build(corrections_site(tmp_path))
    essays_feed = atom(out, "feed.xml")
    assert_valid_atom(essays_feed)
    entries = essays_feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries] == [
        BASE + "essays/winds/",
        BASE + "essays/tides/",
        BASE + "essays/calm/",
    ]
    # an essay's entry is updated by its newest UPD
    tides = next(e for e in entries if e.findtext(f"{ATOM}title") == "Tides")
    assert atom_time(tides.findtext(f"{ATOM}updated")) == datetime.fromisoformat("2026-01-25T09:00:00+03:00")
    assert atom_time(tides.findtext(f"{ATOM}published")) == datetime.fromisoformat("2026-01-10T00:00:00+00:00")

    corrections = atom(out, "corrections/feed.xml")
    assert_valid_atom(corrections)
    upd_entries = corrections.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in upd_entries] == [
        BASE + "essays/tides/#upd-2026-01-25",
        BASE + "essays/winds/#upd-2026-01-22",
        BASE + "essays/tides/#upd-2026-01-20",
    ]
    assert "factor of thirty" in upd_entries[0].findtext(f"{ATOM}content")
    assert (
        upd_entries[0].find(f"{ATOM}content").get("{http://www.w3.org/XML/1998/namespace}base")
        == BASE + "essays/tides/"
    )

    per_essay = atom(out, "essays/tides/corrections.xml")
    assert_valid_atom(per_essay)
    assert [e.findtext(f"{ATOM}id") for e in per_essay.findall(f"{ATOM}entry")] == [
        BASE + "essays/tides/#upd-2026-01-25",
        BASE + "essays/tides/#upd-2026-01-20",
    ]
    calm = atom(out, "essays/calm/corrections.xml")
    assert_valid_atom(calm)
    assert calm.findall(f"{ATOM}entry") == []

    for feed in (essays_feed, corrections, per_essay):
        for link in feed.iter(f"{ATOM}link"):
            assert link.get("href").startswith(BASE), link.get("href")
        assert feed.findtext(f"{ATOM}id").startswith(BASE)
        newest = max(atom_time(e.findtext(f"{ATOM}updated")) for e in feed.findall(f"{ATOM}entry"))
        assert atom_time(feed.findtext(f"{ATOM}updated")) == newest
    # every feed is advertised where readers look for it
    assert ("alternate", "/blog/feed.xml") in page(out, "index.html").links
    assert ("alternate", "/blog/essays/tides/corrections.xml") in page(out, "essays/tides/index.html").links


def test_feed_updated_compares_moments_not_strings(tmp_path: Path) -> None:
    # 01:00 at +05:00 on the 20th is 20:00 UTC on the 19th: earlier than 22:00 UTC on the 19th,
    # although its text sorts later.
    files = {
        "content/essays/east.md": essay("East", date="2026-01-20T01:00:00+05:00"),
        "content/essays/west.md": essay("West", date="2026-01-19T22:00:00Z"),
    }
    out = build(make(tmp_path, files))
    feed = atom(out, "feed.xml")
    assert atom_time(feed.findtext(f"{ATOM}updated")) == datetime.fromisoformat("2026-01-19T22:00:00+00:00")
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["West", "East"]


def test_feed_ids_stay_absolute_without_a_host(tmp_path: Path) -> None:
    out = build(corrections_site(tmp_path), base_url="/")
    for rel in ("feed.xml", "corrections/feed.xml", "essays/tides/corrections.xml"):
        feed = atom(out, rel)
        assert_valid_atom(feed)
        assert feed.findtext(f"{ATOM}id").startswith("urn:uuid:")
    again = build(corrections_site(tmp_path / "again"), base_url="/")
    assert atom(again, "feed.xml").findtext(f"{ATOM}id") == atom(out, "feed.xml").findtext(f"{ATOM}id")


# --------------------------------------------------------------------------- sitemap, robots, 404, meta


def test_sitemap_lists_every_page_with_lastmod_from_the_newest_upd(tmp_path: Path) -> None:
    root = corrections_site(tmp_path)
    write_files(root, {"content/about.md": plain_page("About", "About us.")})
    out = build(root)
    urlset = ET.fromstring((out / "sitemap.xml").read_bytes())
    assert urlset.tag == f"{SITEMAP}urlset"
    entries = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urlset.findall(f"{SITEMAP}url")}
    assert entries[BASE + "essays/tides/"] == "2026-01-25"
    assert entries[BASE + "essays/winds/"] == "2026-01-22"
    assert entries[BASE + "essays/calm/"] == "2026-01-05"
    assert entries[BASE] == "2026-01-25"
    assert entries[BASE + "corrections/"] == "2026-01-25"
    for loc in (BASE + "about/", BASE + "tags/", BASE + "tags/physics/"):
        assert loc in entries
    for loc in entries:
        assert loc.startswith(BASE)
        rel = loc.removeprefix(BASE)
        assert (out / rel / "index.html").is_file() if rel == "" or rel.endswith("/") else (out / rel).is_file()
    robots = text_of(out, "robots.txt")
    assert "User-agent: *" in robots and f"Sitemap: {BASE}sitemap.xml" in robots


def test_404_and_open_graph_and_canonical_on_every_page(tmp_path: Path) -> None:
    root = corrections_site(tmp_path, description="Tides and winds.")
    write_files(root, {"content/about.md": plain_page("About", "About us.", summary="Who writes here.")})
    out = build(root)
    not_found = page(out, "404.html")
    assert not_found.meta.get("robots") == "noindex"
    assert "/blog/" in not_found.anchors  # absolute paths: 404.html is served at any address
    assert all(href.startswith(("/blog/", "https://", "#")) for href in not_found.anchors)
    html_files = sorted(out.rglob("*.html"))
    assert {p.relative_to(out).as_posix() for p in html_files} == {
        "404.html",
        "index.html",
        "about/index.html",
        "corrections/index.html",
        "tags/index.html",
        "tags/physics/index.html",
        "essays/tides/index.html",
        "essays/winds/index.html",
        "essays/calm/index.html",
    }
    for path in html_files:
        rel = path.relative_to(out).as_posix()
        doc = Page(path.read_text("utf-8"))
        canonical = doc.canonical()
        assert canonical.startswith(BASE), rel
        if rel.endswith("index.html"):
            assert canonical == BASE + rel.removesuffix("index.html"), rel
        assert doc.meta["og:url"] == canonical, rel
        assert doc.meta["og:title"].strip(), rel
        assert doc.meta["og:type"] in ("website", "article"), rel
        assert doc.meta["og:site_name"] == "Test blog", rel
    tides = page(out, "essays/tides/index.html")
    assert tides.meta["og:type"] == "article"
    assert tides.meta["og:title"].startswith("Tides")
    assert page(out, "about/index.html").meta["og:description"] == "Who writes here."
    assert page(out, "index.html").meta["og:description"] == "Tides and winds."


# --------------------------------------------------------------------------- drafts


def test_drafts_are_absent_from_every_listing_feed_and_sitemap(tmp_path: Path) -> None:
    root = corrections_site(tmp_path)
    write_files(
        root,
        {
            "content/essays/secret/index.md": essay(
                "Unpublishedtitle",
                """
                ::: upd 2026-02-02
                Draftcorrection text.
                :::

                [A draft claim.]{.claim #c}
                """,
                date="2026-02-01",
                tags=["Draftonlytag", "physics"],
                draft=True,
            ),
            "content/essays/secret/critiques/r.md": critique(
                "reader", "::: on #c\nDraftremark.\n:::", date="2026-02-01"
            ),
        },
    )
    out = build(root)
    assert not (out / "essays/secret").exists()
    assert not (out / "tags/draftonlytag").exists()
    for rel, text in all_files(out).items():
        for word in ("secret", "Unpublishedtitle", "Draftonlytag", "Draftcorrection", "Draftremark"):
            assert word.lower() not in text.lower(), f"{word} leaked into {rel}"
    # the same site with --drafts shows it everywhere
    shown = build(root, tmp_path / "with-drafts", drafts=True)
    assert "secret" in card_slugs(shown, "index.html")
    assert (shown / "tags/draftonlytag/index.html").is_file()
    assert "Draftcorrection" in text_of(shown, "corrections/index.html")
    assert "Draftcorrection" in text_of(shown, "corrections/feed.xml")
    assert BASE + "essays/secret/" in text_of(shown, "sitemap.xml")
    assert BASE + "essays/secret/" in text_of(shown, "feed.xml")


# --------------------------------------------------------------------------- localization


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(1, "1 минута"), (2, "2 минуты"), (5, "5 минут"), (21, "21 минута"), (22, "22 минуты"), (11, "11 минут")],
)
def test_russian_reading_time_plural_forms(minutes: int, expected: str) -> None:
    assert translator("ru").plural("reading_time", minutes) == expected


def test_english_reading_time() -> None:
    en = translator("en")
    assert en.plural("reading_time", 1) == "1 min read"
    assert en.plural("reading_time", 6) == "6 min read"
    assert en.plural("critiques", 1) == "1 critique"
    assert en.plural("critiques", 2) == "2 critiques"


@pytest.mark.parametrize("lang", ["ru", "en", "en-GB", "de"])
@pytest.mark.parametrize("fmt", ["full", "long", "medium", "short", "d MMM y", "EEEE"])
def test_dates_read_as_babel_writes_them(lang: str, fmt: str) -> None:
    from babel.dates import format_date

    from counterpoint.source.frontmatter import parse_stamp

    t = translator(lang)
    for text in ("2026-01-05", "2024-02-29", "1999-12-31T23:30+03:00"):
        stamp = parse_stamp(text)
        assert t.date(stamp, fmt) == format_date(stamp.date, format=fmt, locale=lang.replace("-", "_"))
    assert translator("ru").date(parse_stamp("2026-03-05")) == "5 марта 2026\u202fг."


def words(n: int) -> str:
    return " ".join(["слово"] * n)


def test_russian_site_with_an_english_essay(tmp_path: Path) -> None:
    files = {
        "content/essays/dolgoe.md": essay("Долгое эссе", words(21 * 200), date="2026-01-17", difficulty="easy"),
        "content/essays/kratkoe.md": essay("Краткое", words(2 * 200), date="2026-01-16"),
        "content/essays/english.md": essay(
            "An English essay", words(200), date="2026-01-15", lang="en", difficulty="easy"
        ),
    }
    out = build(make(tmp_path, files, language="ru"))
    long_page = page(out, "essays/dolgoe/index.html")
    long_html = text_of(out, "essays/dolgoe/index.html")
    assert long_page.html_lang == "ru"
    assert "21 минута" in long_html and "17 января 2026" in long_html
    assert "Уровень сложности: Простой" in long_html
    assert "2 минуты" in text_of(out, "essays/kratkoe/index.html")
    english = page(out, "essays/english/index.html")
    english_html = text_of(out, "essays/english/index.html")
    assert english.html_lang == "en"
    assert "1 min read" in english_html and "January 15, 2026" in english_html
    assert "Difficulty: Easy" in english_html
    (head,) = elements(out, "essays/english/index.html", "header", "essay-head")
    assert "1 min read" in head.text and "минут" not in head.text
    # on the Russian index each card speaks its essay's language
    index = text_of(out, "index.html")
    cards = {card.attrs["data-essay"]: card.text for card in elements(out, "index.html", "li", "essay-card")}
    assert {
        card.attrs["data-essay"]: card.attrs["lang"] for card in elements(out, "index.html", "li", "essay-card")
    } == {"dolgoe": "ru", "kratkoe": "ru", "english": "en"}
    assert "1 min read" in cards["english"] and "January 15, 2026" in cards["english"]
    assert "21 минута" in cards["dolgoe"] and "17 января 2026" in cards["dolgoe"]
    assert "Исправления" in index  # the site's own navigation stays Russian


def test_the_site_title_keeps_the_site_language_on_a_page_in_another(tmp_path: Path) -> None:
    """An English essay on a Russian site is <html lang="en">: the site's Russian title in its
    header would be read by a screen reader's English voice unless it says it is Russian."""
    files = {
        "content/essays/english.md": essay("An English essay", "Text.", date="2026-01-15", lang="en"),
        "content/essays/russkoe.md": essay("Русское эссе", "Текст.", date="2026-01-16"),
    }
    out = build(make(tmp_path, files, title="Контрапункт", language="ru"))
    assert page(out, "essays/english/index.html").html_lang == "en"
    (title,) = [a for tag, a in page(out, "essays/english/index.html").elements if "site-title" in a.get("class", "")]
    assert title.get("lang") == "ru"
    (title,) = [a for tag, a in page(out, "essays/russkoe/index.html").elements if "site-title" in a.get("class", "")]
    assert title.get("lang") in (None, "ru")


def test_language_codes_are_case_and_region_tolerant_and_unknown_ones_are_errors(tmp_path: Path) -> None:
    assert translator("RU").plural("reading_time", 5) == "5 минут"
    assert translator("ru-RU").date(None) == ""
    assert translator("en-GB").plural("reading_time", 2) == "2 min read"
    root = make(tmp_path, {"content/essays/x.md": essay("X", date="2026-01-10", lang="xx-bogus")})
    report = Engine(root, out=tmp_path / "out", use_cache=False, search=False).build()
    assert not report.ok
    assert any("content/essays/x.md:4:1: error: unknown language 'xx-bogus'" in e for e in report.errors)


def test_site_strings_override_any_ui_string(tmp_path: Path) -> None:
    files = {"content/essays/e.md": essay("E", words(5 * 200), date="2026-01-10")}
    strings = {"corrections": "Errata", "reading_time": "{n} мин.", "critiques.many": "{n} отзывов"}
    out = build(make(tmp_path, files, language="ru", strings=strings))
    html = text_of(out, "essays/e/index.html")
    assert "5 мин." in html and "5 минут" not in html
    assert "Errata" in html and "Errata" in text_of(out, "corrections/index.html")
    assert "0 отзывов" in text_of(out, "index.html")


def test_unknown_or_broken_string_overrides_are_reported(tmp_path: Path) -> None:
    root = make(tmp_path, {}, strings={"corections": "Errata", "tagged": "Tagged {name}"})
    with pytest.raises(BuildFailed) as failed:
        Engine(root, out=tmp_path / "out", use_cache=False, search=False).build()
    text = failed.value.format()
    assert "site.yml:" in text
    assert "unknown string 'corections'" in text and "did you mean 'corrections'?" in text
    assert "unknown placeholder {name}" in text and "{tag}" in text


def test_every_ui_string_exists_in_both_languages() -> None:
    for key in STRINGS["en"]:
        family = key.rsplit(".", 1)[0]
        if key.endswith(".other"):
            assert f"{family}.other" in STRINGS["ru"], key
        elif not key.endswith(".one"):
            assert key in STRINGS["ru"], key
    assert check_strings({k: v for k, v in STRINGS["ru"].items()}) == []


# --------------------------------------------------------------------------- annotations.json


def documented_fields() -> dict[str, set[str]]:
    """Section (``claims[]``, ``critiques[].remarks[]``…) -> fields in docs/annotations.md."""
    fields: dict[str, set[str]] = {}
    section = None
    for line in (REPO / "docs" / "annotations.md").read_text("utf-8").splitlines():
        heading = re.match(r"^#{2,3} .*`([^`]+)`\s*$", line)
        if heading:
            section = heading.group(1)
            fields[section] = set()
        row = re.match(r"^\| `([a-z_]+)` \|", line)
        if row and section:
            fields[section].add(row.group(1))
    return fields


def test_annotations_json_matches_its_documentation(tmp_path: Path) -> None:
    root = corrections_site(tmp_path)
    write_files(
        root,
        {
            "content/essays/tides/critiques/reply.md": critique(
                "lee",
                'Hm.\n\n::: on "does not lift"\nQuote.\n:::\n\n::: reply Vera Lind, 2026-01-14\nThanks.\n:::',
                date="2026-01-13",
            )
        },
    )
    out = build(root)
    data = json.loads(text_of(out, "essays/tides/annotations.json"))
    docs = documented_fields()
    actual = {
        "root": set(data),
        "essay": set(data["essay"]),
        "claims[]": set().union(*(set(c) for c in data["claims"])),
        "critiques[]": set().union(*(set(c) for c in data["critiques"])),
        "critiques[].remarks[]": set().union(*(set(r) for c in data["critiques"] for r in c["remarks"])),
        "critiques[].replies[]": set().union(*(set(r) for c in data["critiques"] for r in c["replies"])),
        "updates[]": set().union(*(set(u) for u in data["updates"])),
    }
    for section, keys in actual.items():
        assert keys == docs[section], f"{section}: undocumented {keys - docs[section]}, missing {docs[section] - keys}"
    assert data["essay"]["url"] == BASE + "essays/tides/"
    assert {c["id"]: c["status"] for c in data["critiques"]} == {
        "lift": "addressed",
        "numbers": "addressed",
        "reply": "open",
    }
    assert [u["re"] for u in data["updates"]] == [["lift", "numbers"], ["numbers"]]
    claims = {c["id"]: c for c in data["claims"]}
    assert claims["lift"]["corrected_by"] == "upd-2026-01-20"
    quoted = next(c for c in claims.values() if c["kind"] == "quote")
    remark_ids = {r["id"] for c in data["critiques"] for r in c["remarks"]}
    assert set(quoted["remarks"]) <= remark_ids
    assert "annotations.json" in " ".join(page(out, "essays/tides/index.html").anchors)


def test_tags_that_differ_by_plus_or_sharp_keep_pages_of_their_own(tmp_path: Path) -> None:
    """ "C++", "C#" and "C" all slugged to "c": one page titled "C" listed the three."""
    files = {
        "content/essays/a.md": essay("A", date="2026-01-01", tags=["C++"]),
        "content/essays/b.md": essay("B", date="2026-01-02", tags=["C#"]),
        "content/essays/c.md": essay("C", date="2026-01-03", tags=["C"]),
        "content/essays/d.md": essay("D", date="2026-01-04", tags=["F#", "Notepad++"]),
    }
    out = build(make(tmp_path, files))
    assert tag_slug("C++") == "c-plus-plus" and tag_slug("C#") == "c-sharp" and tag_slug("C") == "c"
    assert card_slugs(out, "tags/c-plus-plus/index.html") == ["a"]
    assert card_slugs(out, "tags/c-sharp/index.html") == ["b"]
    assert card_slugs(out, "tags/c/index.html") == ["c"]
    assert "Essays tagged “C#”" in text_of(out, "tags/c-sharp/index.html")
    assert tag_slug("F#") == "f-sharp" and tag_slug("Notepad++") == "notepad-plus-plus"


def test_a_right_to_left_language_sets_the_direction(tmp_path: Path) -> None:
    """``lang: ar`` gave <html lang="ar"> without dir="rtl": Arabic set left to right,
    its final period at the wrong end."""
    files = {
        "content/essays/a.md": essay("مقالة", "نص المقالة.", date="2026-01-01", lang="ar"),
        "content/essays/b.md": essay("Essay", "Text.", date="2026-01-02"),
    }
    out = build(make(tmp_path, files))
    essay_page = page(out, "essays/a/index.html")
    assert (essay_page.html_lang, dict(essay_page.elements)["html"].get("dir")) == ("ar", "rtl")
    assert "dir" not in dict(page(out, "essays/b/index.html").elements)["html"]
    home = page(out, "index.html")
    cards = {a["data-essay"]: a for tag, a in home.elements if tag == "li" and "essay-card" in a.get("class", "")}
    assert cards["a"].get("dir") == "rtl" and "dir" not in cards["b"]
    assert "dir" not in dict(home.elements)["html"]
