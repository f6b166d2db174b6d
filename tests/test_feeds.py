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
from hypothesis import given
from hypothesis import strategies as st
from sitefactory import build, critique, essay, make_site, parse_html

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


def test_an_opening_with_math_keeps_its_formula_in_the_summary(tmp_path: Path) -> None:
    """The summary dropped the formula: "grows as $x^2$ here" read "grows as here"."""
    root = make_site(
        tmp_path / "site",
        {"content/essays/m.md": essay("Math", "The area grows as $x^2$ and $$\\sqrt{y}$$ here.\n\nMore.\n")},
        {"base_url": BASE},
    )
    built = build(root)
    assert built.ok, built.report.errors
    expected = "The area grows as $x^2$ and $$\\sqrt{y}$$ here."
    assert entry(read(built.out, "feed.xml"), "Math").summary == expected
    description = parse_html(built.page("essays/m/")).find("meta", name="description")
    assert description is not None and description.get("content") == expected


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


# claims with remarks between the essay's blocks: the margin's asides sit between them on the page
MARGINED = """
    Луна притягивает [ближнюю сторону океана]{.claim #near} сильнее, чем дальнюю — «приливы».

    ```python
    print("тяга")
    ```

    Вторая часть: [горб воды]{.claim #bulge} идёт за Луной, и ещё *курсив* с ссылкой <https://example.org/x>.

    Третья часть, без утверждений.
"""


def margined(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    return make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Приливы", MARGINED, tags=["Море"]),
            "content/essays/tides/critiques/ana.md": critique("Ана", "::: on #near\nНе только Луна.\n:::"),
            "content/essays/tides/critiques/bo.md": critique("Бо", "::: on #bulge\nИх два.\n:::"),
            "content/essays/winds.md": essay("Winds", "Air moves.", date="2026-01-12", tags=["Море"]),
            **(files or {}),
        },
        {"base_url": BASE},
    )


def test_an_entry_is_the_essay_read_back_from_its_page_without_the_margin(tmp_path: Path) -> None:
    # feeds read each body from the essay's page as written (its byte offsets), the remarks
    # between its blocks left out; a theme whose page does not hold the body as it is makes
    # the build keep the body itself: both feeds are the same bytes
    from counterpoint.theme.theme import builtin_themes_dir

    built = build(margined(tmp_path))
    assert built.ok, built.report.errors
    html = entry(read(built.out, "feed.xml"), "Приливы").content[0].value
    assert "Не только Луна" in built.page("essays/tides/") and "Не только Луна" not in html
    assert "ближнюю сторону океана" in html and "Третья часть" in html and "тяга" in html

    page = (builtin_themes_dir() / "default/templates/essay.html").read_text(encoding="utf-8")
    assert "{{ body }}" in page
    changed = {"templates/essay.html": page.replace("{{ body }}", '{{ body | replace("Третья", "Treтья") }}')}
    other = build(margined(tmp_path / "other", changed))
    assert other.ok, other.report.errors
    assert "Treтья" in other.page("essays/tides/")
    for rel in ("feed.xml", "tags/more/feed.xml"):
        assert (other.out / rel).read_bytes() == (built.out / rel).read_bytes(), rel


def test_an_essay_the_build_did_not_render_is_read_from_the_output(tmp_path: Path) -> None:
    # an edit renders one essay; the feeds read the other's body from the page already in place
    root = margined(tmp_path)
    first = build(root, use_cache=True)
    assert first.ok, first.report.errors
    (root / "content/essays/winds.md").write_text(essay("Winds", "Air moves fast.", date="2026-01-12", tags=["Море"]))
    again = build(root, use_cache=True)
    assert again.ok and again.report.rendered[0] == 1, again.report
    cold = build(
        margined(tmp_path / "cold", {"content/essays/winds.md": (root / "content/essays/winds.md").read_text()})
    )
    for rel in ("feed.xml", "tags/more/feed.xml"):
        assert (again.out / rel).read_bytes() == (cold.out / rel).read_bytes(), rel
    assert "ближнюю сторону океана" in entry(read(again.out, "feed.xml"), "Приливы").content[0].value


def test_a_page_that_changed_under_the_build_is_said_not_misread(tmp_path: Path) -> None:
    import errno

    from counterpoint.build.checks import os_error
    from counterpoint.build.engine import Engine
    from counterpoint.site.feeds import Bodies

    root = margined(tmp_path)
    engine = Engine(root, use_cache=True, search=False, jobs=1)
    assert engine.build().ok
    state = engine.record.state
    assert state is not None
    summary = next(r.summary for _, r in state.essays.values() if r.summary and r.summary.slug == "tides")
    assert summary.feed and not summary.content  # where the body is, not a copy of it
    out = engine.config.output
    bodies = Bodies(tmp_path / "a-stage-without-it", out)
    assert "ближнюю сторону океана".encode() in bodies(summary)  # read from the output
    page = out / "essays/tides/index.html"
    page.write_bytes(page.read_bytes() + b"\n")
    with pytest.raises(OSError) as caught:
        bodies(summary)
    assert caught.value.errno == errno.ESTALE
    said = os_error(caught.value, root, out).format()
    assert said.startswith("public/essays/tides/index.html: error: cannot read file: it changed during the build"), said


@given(
    st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=5),
    st.text(max_size=10),
    st.text(max_size=10),
    st.booleans(),
)
def test_the_page_says_where_the_body_is_in_its_bytes(pairs, head, tail, twice) -> None:
    # any text, any characters: the offsets cut out the body's own pieces from the page's bytes
    from counterpoint.build.pipeline import page_bytes
    from counterpoint.essay.render import Body

    parts, pieces, at = [], [], 0
    for own, remark in pairs:
        parts += [own, remark]
        pieces += [at, at + len(own)]
        at += len(own) + len(remark)
    body = Body("".join(parts), "".join(own for own, _ in pairs), {}, tuple(pieces))
    page = (body.page if twice else "") + head + body.page + tail  # the body found early too
    data, cuts = page_bytes(page, body, body.feed.encode())
    assert data == page.encode()
    if body.feed:
        assert cuts, "the body is in the page"
    assert b"".join(data[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2)) == (
        body.feed.encode() if cuts else b""
    )


def test_a_theme_that_does_more_with_the_body_gets_the_body_itself(tmp_path: Path) -> None:
    # the feed writes each body from the bytes read from its page, in place of a placeholder
    # (theme.jinja_runtime.Placed); a theme's feed.xml that writes it unescaped in a CDATA
    # section or cuts it short gets the text itself, as it did
    from counterpoint.theme.theme import builtin_themes_dir

    built = build(margined(tmp_path))
    assert built.ok, built.report.errors
    feed = (builtin_themes_dir() / "default/templates/feed.xml").read_text(encoding="utf-8")
    assert "{{ entry.html }}</content>" in feed
    cdata = feed.replace("{{ entry.html }}</content>", "<![CDATA[{{ entry.html | safe }}]]></content>")
    cut = feed.replace("{{ entry.html }}</content>", "{{ entry.html | truncate(60) }}</content>")
    # output captured, then changed: the template's own output, with the body in it, edited
    edited = "{% filter replace('Луна', 'ЛУНА') %}{{ entry.html }}{% endfilter %}</content>"
    upper = feed.replace("{{ entry.html }}</content>", edited)
    whole, unescaped, short, shouted = (
        build(margined(tmp_path / name, {"templates/feed.xml": template} if template else None))
        for name, template in (("whole", ""), ("cdata", cdata), ("cut", cut), ("upper", upper))
    )
    from jinja2 import Environment

    truncate = Environment().from_string("{{ text | truncate(60) }}").render

    def contents(out: Path, rel: str) -> list[str]:  # each entry's HTML, as the feed holds it
        return [c.text or "" for c in ET.parse(out / rel).getroot().iter(f"{ATOM}content")]

    for rel in ("feed.xml", "tags/more/feed.xml"):
        texts = contents(whole.out, rel)
        assert texts and any("ближнюю сторону океана" in text for text in texts)
        assert contents(unescaped.out, rel) == texts and b"<![CDATA[<p>" in (unescaped.out / rel).read_bytes()
        assert contents(short.out, rel) == [truncate(text=text) for text in texts]
        assert contents(shouted.out, rel) == [text.replace("Луна", "ЛУНА") for text in texts]
        assert any("Луна" in text for text in texts)
        assert any(len(text) > 65 for text in texts)  # some were cut


@given(st.text())
def test_escaping_the_bytes_is_escaping_the_text(text: str) -> None:
    import markupsafe

    from counterpoint.theme.jinja_runtime import escape_bytes

    assert escape_bytes(text.encode()) == str(markupsafe.escape(text)).encode()


WRITES = [
    "{{ e }}",
    "{{ e }}|{{ e }}",
    "{{ e | safe }}",
    "{{ e | e }}",
    "{{ e | truncate(9) }}",
    "{{ e | length }}",
    "{{ e | upper }}",
    "{{ e | string }}",
    "{{ e ~ '!' }}",
    "{% if '<' in e %}lt{% endif %}",
    "{% autoescape false %}{{ e }}{% endautoescape %}",
    "{% macro show(x) %}[{{ x }}]{% endmacro %}{{ show(e) }}",
    "{% set kept %}{{ e }}{% endset %}{{ kept }}",
]


@given(st.lists(st.text(), max_size=4), st.sampled_from(WRITES))
def test_placed_text_is_written_as_the_text_itself_whatever_the_template_does(bodies, write) -> None:
    # any text, written by a theme's template in any way: the page with the placeholders put
    # back is the page rendered with the text itself
    from jinja2 import DictLoader

    from counterpoint.theme.jinja_runtime import ThemeEnvironment, place, placed

    env = ThemeEnvironment(autoescape=True, loader=DictLoader({}))
    template = env.from_string("<f>{% for e in entries %}<c>" + write + "</c>{% endfor %}</f>")
    raws = [body.encode() for body in bodies]
    written = place(template.render(entries=[placed(raw, n) for n, raw in enumerate(raws)]).encode(), raws)
    assert written == template.render(entries=bodies).encode()


def test_an_entry_has_the_claims_without_their_counts_and_badges(tmp_path: Path) -> None:
    """A claim's count and note numbers (and a corrected claim's UPD badge) point into
    the page's margin, which a feed has not: in a reader without the theme's CSS they
    read as digits glued to the claim ("океана11")."""
    files = {
        "content/essays/tides/index.md": essay(
            "Приливы", MARGINED + "\n    ::: upd 2026-01-20 corrects=#bulge\n    Исправлено.\n    :::\n", tags=["Море"]
        )
    }
    built = build(margined(tmp_path, files))
    assert built.ok, built.report.errors
    page = parse_html(built.page("essays/tides/"))
    assert page.find("a", "claim-count") is not None and page.find("a", "corrected-mark") is not None
    for rel in ("feed.xml", "tags/more/feed.xml"):
        html = entry(read(built.out, rel), "Приливы").content[0].value
        entry_page = parse_html(html)
        assert entry_page.find(cls="claim-count") is None and entry_page.find(cls="corrected-mark") is None, rel
        assert "ближнюю сторону океана</span> сильнее" in html and "горб воды</span> идёт" in html, rel
        assert "Исправлено." in html
