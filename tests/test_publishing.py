"""The publishing kit: share images (og:image, twitter:card), page titles that name
the page, images that load lazily with their size, the site's own CSS and head
HTML, essays dated in the future held back until their time, and root-relative
links under a sub-path."""

from __future__ import annotations

import struct
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sitefactory import build, critique, essay, make_site, parse_html, plain_page

from counterpoint.build.engine import Engine
from counterpoint.cli import main
from counterpoint.errors import BuildFailed

BASE = "https://example.org/blog/"


# --------------------------------------------------------------------------- image files


def png(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        + b"\0" * 4
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\0" * 10


def webp(width: int, height: int) -> bytes:
    chunk = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\0" * 4
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def svg(width: int, height: int) -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'.encode()


def meta(page, key: str) -> str | None:
    for element in page.find_all("meta"):
        if element.get("property") == key or element.get("name") == key:
            return element.get("content")
    return None


# --------------------------------------------------------------------------- share images


def test_image_in_front_matter_becomes_og_image_and_a_large_card(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", "Text.", image="cover.png"),
            "content/essays/tides/cover.png": png(1200, 630),
            "content/essays/winds.md": essay("Winds", "Text.", image="/img/share.png"),
            "content/img/share.png": png(1200, 630),
            "content/essays/calm.md": essay("Calm", "Text.", image="https://cdn.example.net/calm.jpg"),
            "content/essays/plain.md": essay("Plain", "Text."),
            "content/about.md": plain_page("About", "About.", image="/img/share.png"),
        },
        {"base_url": BASE},
    )
    built = build(root)
    assert built.ok, built.report.errors
    expected = {
        "essays/tides/": BASE + "essays/tides/cover.png",
        "essays/winds/": BASE + "img/share.png",
        "essays/calm/": "https://cdn.example.net/calm.jpg",
        "about/": BASE + "img/share.png",
    }
    for url, image in expected.items():
        page = parse_html(built.page(url))
        assert meta(page, "og:image") == image, url
        assert meta(page, "twitter:card") == "summary_large_image", url
        assert (built.out / image.removeprefix(BASE)).is_file() or image.startswith("https://cdn")
    for url in ("essays/plain/", ""):
        page = parse_html(built.page(url))
        assert meta(page, "og:image") is None
        assert meta(page, "twitter:card") == "summary"


# --------------------------------------------------------------------------- titles


def test_tag_and_later_pages_are_titled_by_what_they_show(tmp_path: Path) -> None:
    files = {f"content/essays/e{i}.md": essay(f"Essay {i}", date=f"2026-01-1{i}", tags=["Physics"]) for i in range(3)}
    built = build(make_site(tmp_path / "site", files, {"essays_per_page": 2}))

    def title(url: str) -> str:
        return parse_html(built.page(url)).find("title").text()

    assert title("") == "Test site"
    assert title("page/2/") == "Page 2 of 2 — Test site"
    assert title("tags/physics/") == "Essays tagged “Physics” — Test site"
    assert title("tags/physics/page/2/") == "Essays tagged “Physics” — Page 2 of 2 — Test site"
    assert meta(parse_html(built.page("tags/physics/")), "og:title") == "Essays tagged “Physics” — Test site"


# --------------------------------------------------------------------------- images


def test_images_load_lazily_with_the_size_read_from_the_file(tmp_path: Path) -> None:
    body = """
        ![png](a.png) ![jpeg](b.jpg) ![gif](c.gif) ![webp](d.webp) ![svg](e.svg)

        ![site-wide](/img/f.png) ![remote](https://cdn.example.net/g.png) ![missing](nothing.png)

        <img src="raw.png" alt="raw HTML is the author's own">
    """
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", body),
            "content/essays/tides/a.png": png(640, 480),
            "content/essays/tides/b.jpg": jpeg(800, 600),
            "content/essays/tides/c.gif": gif(33, 44),
            "content/essays/tides/d.webp": webp(1200, 630),
            "content/essays/tides/e.svg": svg(120, 40),
            "content/essays/tides/raw.png": png(10, 10),
            "content/img/f.png": png(300, 200),
            "content/about.md": plain_page("About", "![team](/img/f.png)"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    images = {img.get("alt"): img for img in parse_html(built.page("essays/tides/")).find("article").find_all("img")}
    sizes = {
        "png": ("640", "480"),
        "jpeg": ("800", "600"),
        "gif": ("33", "44"),
        "webp": ("1200", "630"),
        "svg": ("120", "40"),
        "site-wide": ("300", "200"),
    }
    for alt, (width, height) in sizes.items():
        img = images[alt]
        assert (img.get("width"), img.get("height")) == (width, height), alt
        assert img.get("loading") == "lazy" and img.get("decoding") == "async", alt
    for alt in ("remote", "missing"):  # no file to read: lazy, but no size
        assert images[alt].get("loading") == "lazy" and not images[alt].has("width")
    raw = images["raw HTML is the author's own"]
    assert not raw.has("loading") and not raw.has("width")
    team = parse_html(built.page("about/")).find("img", alt="team")
    assert (team.get("width"), team.get("height"), team.get("loading")) == ("300", "200", "lazy")


def test_a_readers_image_loads_lazily(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", "Text."),
            "content/essays/tides/critiques/ana.md": critique("ana", "See ![a chart](https://example.net/c.png)."),
        },
    )
    built = build(root)
    img = parse_html(built.page("essays/tides/")).find("img", alt="a chart")
    assert img.get("loading") == "lazy" and img.get("decoding") == "async"


# --------------------------------------------------------------------------- extra_css, extra_head


def test_extra_css_and_extra_head_are_on_every_page(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "site.yml": (
                "title: Test site\nauthor: Vera Lind\nbase_url: /blog/\n"
                "extra_css: [css/site.css, https://fonts.example.net/inter.css]\n"
                'extra_head: |\n  <meta name="fediverse:creator" content="@vera@example.social">\n'
            ),
            "content/essays/tides/index.md": essay("Tides", "Text.", tags=["Sea"]),
            "content/css/site.css": ":root { --link: #b00020; }\n",
            "content/about.md": plain_page("About", "About."),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    pages = built.html_files()
    assert len(pages) >= 7
    for path in pages:
        head = parse_html(path.read_text("utf-8")).find("head")
        sheets = [link.get("href") for link in head.find_all("link", rel="stylesheet")]
        # after the theme's, so that the site's rules win
        assert sheets[-2:] == ["/blog/css/site.css", "https://fonts.example.net/inter.css"], path
        assert sheets.index("/blog/static/counterpoint.css") < sheets.index("/blog/css/site.css")
        assert meta(head, "fediverse:creator") == "@vera@example.social", path
    assert (built.out / "css/site.css").read_text("utf-8") == ":root { --link: #b00020; }\n"


def test_extra_css_must_be_a_path_or_an_http_url(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/essays/a.md": essay()}, {"extra_css": ["javascript:alert(1)"]})
    with pytest.raises(BuildFailed) as failed:
        Engine(root)
    assert "site.yml:4:1: error: extra_css: 'javascript:alert(1)' is neither a path in the site nor an http(s) URL" in (
        failed.value.format()
    )


def test_theme_colours_and_fonts_are_custom_properties() -> None:
    """The README's list of custom properties is the stylesheet's: each one it names is
    defined in the default theme's :root."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    css = (Path(__file__).resolve().parents[1] / "themes/default/static/counterpoint.css").read_text("utf-8")
    section = readme[readme.index("**Colours and fonts**") :]
    section = section[: section.index("\n\n")]
    import re

    named = set(re.findall(r"`(--[a-z-]+)`", section))
    assert {"--serif", "--sans", "--mono", "--bg", "--fg", "--link", "--upd"} <= named
    root_block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    for name in named:
        assert f"{name}:" in root_block, name


# --------------------------------------------------------------------------- future dates


def future_site(tmp_path: Path, when: str) -> Path:
    return make_site(
        tmp_path / "site",
        {
            "content/essays/now.md": essay("Published", "Text.", date="2026-01-10", tags=["Sea"]),
            "content/essays/later.md": essay("Scheduled essay", "Text.", date=when, tags=["Sea", "Later"]),
        },
        {"base_url": BASE},
    )


def test_an_essay_dated_in_the_future_is_held_back(tmp_path: Path) -> None:
    built = build(future_site(tmp_path, "2999-01-01"))
    assert built.ok
    out = built.out
    assert not (out / "essays/later").exists()
    assert not (out / "tags/later").exists()
    for rel in ("index.html", "tags/sea/index.html", "feed.xml", "tags/sea/feed.xml", "sitemap.xml"):
        text = (out / rel).read_text("utf-8")
        assert "Published" in text or "essays/now/" in text, rel
        assert "Scheduled essay" not in text and "essays/later/" not in text, rel


def test_future_shows_it_marked(tmp_path: Path) -> None:
    built = build(future_site(tmp_path, "2999-01-01"), future=True)
    card = parse_html(built.page("")).find("li", cls="essay-card", data_essay="later")
    assert card is not None and card.find(cls="scheduled") is not None
    assert "Scheduled" in card.find(cls="scheduled").text()
    assert parse_html(built.page("essays/later/")).find(cls="scheduled") is not None
    published = parse_html(built.page("")).find("li", cls="essay-card", data_essay="now")
    assert published.find(cls="scheduled") is None


def test_a_held_back_essay_is_published_by_the_first_build_after_its_time(tmp_path: Path, capsys) -> None:
    """With the cache and the no-op check on, as ``counterpoint build`` runs: the build
    after the essay's moment publishes it although no file changed."""
    due = datetime.now(timezone.utc) + timedelta(seconds=2)
    root = future_site(tmp_path, due.isoformat(timespec="seconds").replace("+00:00", "Z"))
    assert main(["build", str(root), "--no-search", "--quiet"]) == 0
    out = root / "public"
    assert not (out / "essays/later").exists()
    assert main(["build", str(root), "--no-search", "--quiet"]) == 0  # before its time: still held back
    assert not (out / "essays/later").exists() or datetime.now(timezone.utc) >= due
    while datetime.now(timezone.utc) < due + timedelta(seconds=1):
        time.sleep(0.2)
    assert main(["build", str(root), "--no-search", "--quiet"]) == 0
    assert (out / "essays/later/index.html").is_file()
    assert "essays/later/" in (out / "feed.xml").read_text("utf-8")
    assert parse_html((out / "essays/later/index.html").read_text("utf-8")).find(cls="scheduled") is None
    # and then the record says there is nothing to do again
    engine_check = main(["build", str(root), "--no-search"])
    assert engine_check == 0 and "(0 file(s) changed)" in capsys.readouterr().out


# --------------------------------------------------------------------------- sub-path deployments


def test_root_relative_links_get_the_base_path(tmp_path: Path) -> None:
    body = """
        [About](/about/), [an essay](/essays/winds/#calm), ![chart](/img/chart.png),
        [another host](//cdn.example.net/x), [already under it](/blog/about/), [relative](../winds/).
    """
    root = make_site(
        tmp_path / "site",
        {
            "content/essays/tides/index.md": essay("Tides", body),
            "content/essays/tides/critiques/ana.md": critique("ana", "See [the about page](/about/)."),
            "content/essays/winds.md": essay("Winds", "## Calm\n\nText."),
            "content/img/chart.png": png(20, 10),
            "content/about.md": plain_page("About", "[Tides](/essays/tides/)"),
        },
        {"base_url": BASE},
    )
    built = build(root)
    essay_page = parse_html(built.page("essays/tides/"))
    body_links = [a.get("href") for a in essay_page.find(cls="essay-body").find_all("a")]
    assert body_links == [
        "/blog/about/",
        "/blog/essays/winds/#calm",
        "//cdn.example.net/x",
        "/blog/about/",
        "../winds/",
    ]
    assert essay_page.find("img", alt="chart").get("src") == "/blog/img/chart.png"
    critique_link = essay_page.find("article", cls="critique").find("a", href="/blog/about/")
    assert critique_link is not None
    assert parse_html(built.page("about/")).find("a", href="/blog/essays/tides/") is not None
    # the feed carries the same addresses
    assert 'href="/blog/about/"' in (built.out / "feed.xml").read_text("utf-8").replace("&quot;", '"').replace(
        "&#34;", '"'
    )
    # at the root nothing changes
    at_root = build(root, base_url="/", out=tmp_path / "root-out")
    links = [a.get("href") for a in parse_html(at_root.page("essays/tides/")).find(cls="essay-body").find_all("a")]
    assert "/about/" in links and "/blog/about/" in links


def test_the_readme_feature_table_names_tests_that_exist() -> None:
    """Each counterpoint cell of the README's comparison table names the test that checks
    it: a module of tests/ (`test_toc`) or one test in it (`test_feeds::test_each_tag_has_its_feed`)."""
    import ast
    import re

    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text("utf-8")
    table = readme[readme.index("## Next to other generators") :].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 20
    for row in rows:
        counterpoint = [c.strip() for c in row.strip("|").split(" | ")][1]
        named = re.findall(r"`(test_\w+)(?:::(test_\w+))?`", counterpoint)
        assert named, row
        for module, name in named:
            path = repo / "tests" / f"{module}.py"
            assert path.is_file(), f"{module} ({row[:40]}…)"
            if name:
                tree = ast.parse(path.read_text("utf-8"))
                assert name in {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}, f"{module}::{name}"


# --------------------------------------------------------------------------- favicon


def test_the_default_theme_ships_a_favicon_linked_from_every_page(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site", {"content/essays/tides.md": essay("Tides", "Text.", tags=["Sea"])}, {"base_url": "/blog/"}
    )
    built = build(root)
    assert built.ok, built.report.errors
    for path in built.html_files():
        icon = parse_html(path.read_text("utf-8")).find("head").find("link", rel="icon")
        assert icon.get("href") == "/blog/static/favicon.svg" and icon.get("type") == "image/svg+xml", path
    assert (built.out / "static/favicon.svg").read_bytes().lstrip().startswith(b"<svg")


def test_a_sites_own_favicon_replaces_the_themes(tmp_path: Path) -> None:
    root = make_site(
        tmp_path / "site",
        {"content/essays/tides.md": essay("Tides", "Text."), "content/img/icon.png": png(32, 32)},
        {"base_url": "/blog/", "favicon": "img/icon.png"},
    )
    built = build(root)
    assert built.ok, built.report.errors
    for path in built.html_files():
        icons = parse_html(path.read_text("utf-8")).find("head").find_all("link", rel="icon")
        assert [(i.get("href"), i.get("type")) for i in icons] == [("/blog/img/icon.png", "image/png")], path
    assert (built.out / "img/icon.png").read_bytes() == png(32, 32)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("img/missing.png", "favicon: content/img/missing.png does not exist"),
        ("notes.txt", "favicon: 'notes.txt' is not an image the browsers take as an icon"),
        ("javascript:alert(1)", "favicon: 'javascript:alert(1)' is neither a path in the site nor an http(s) URL"),
        ("../site.yml", "favicon: '../site.yml' is not an image the browsers take as an icon"),
        ("../outside.png", "favicon: content/../outside.png does not exist"),
    ],
)
def test_a_favicon_that_cannot_be_served_is_an_error_at_its_line(tmp_path: Path, value: str, message: str) -> None:
    root = make_site(tmp_path / "site", {"content/essays/a.md": essay(), "content/notes.txt": "x"}, {"favicon": value})
    with pytest.raises(BuildFailed) as failed:
        Engine(root)
    text = failed.value.format()
    assert f"site.yml:4:1: error: {message}" in text, text
