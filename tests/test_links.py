"""A link check over built sites: every internal ``href``/``src`` in every HTML page,
every link in the feeds and the sitemap, and every ``url()`` in the stylesheets
resolves to a file of the output; every ``#fragment`` exists on its target page.

Run over the demo site at the repository root (built under a sub-path, so that a
link that forgets the base path is caught) and over a small site made here that
uses every feature: bundles with assets, claims, quotes, critiques, UPDs, tags,
pagination, plain pages, single-file essays and Cyrillic names.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from sitefactory import critique, essay, make_site, plain_page

from counterpoint.build.engine import Engine

REPO = Path(__file__).resolve().parents[1]
BASE = "https://example.org/sub/path/"

URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "form": ("action",),
}
META_URLS = ("og:url", "og:image", "twitter:image")


@dataclass
class Parsed:
    ids: set[str] = field(default_factory=set)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (what, url)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if "id" in a:
            self.result.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.result.ids.add(a["name"])
        for attr in URL_ATTRS.get(tag, ()):
            value = a.get(attr, "").strip()
            if not value:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.result.refs.append((f"<{tag} srcset>", candidate.split()[0]))
            else:
                self.result.refs.append((f"<{tag} {attr}>", value))
        if tag == "meta" and a.get("property", a.get("name")) in META_URLS and a.get("content"):
            self.result.refs.append((f"<meta {a.get('property', a.get('name'))}>", a["content"]))

    handle_startendtag = handle_starttag


def parse_html(path: Path) -> Parsed:
    collector = _Collector()
    collector.feed(path.read_text("utf-8"))
    return collector.result


def check_links(out: Path, base_url: str) -> list[str]:
    """Every broken internal reference in the built site ``out``, as readable lines."""
    base = urlsplit(base_url)
    base_path = base.path
    pages: dict[str, Parsed] = {}
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith(("pagefind/", ".")):
            continue
        pages[rel] = parse_html(path)

    problems: list[str] = []

    def target_of(source_rel: str, url: str) -> tuple[str, str] | None:
        """(output-relative file, fragment) for an internal URL; None for an external one."""
        if url.startswith(("mailto:", "tel:", "javascript:", "data:")):
            return None
        page_url = base_url + source_rel.removesuffix("index.html") if "://" in base_url else None
        absolute = urljoin(page_url or ("http://site.invalid" + base_path + source_rel.removesuffix("index.html")), url)
        parts = urlsplit(absolute)
        origin = base.netloc if "://" in base_url else "site.invalid"
        if parts.scheme not in ("http", "https") or parts.netloc != origin:
            return None
        if not parts.path.startswith(base_path):
            return (f"!outside the base path {base_path}: {parts.path}", "")
        rel = unquote(parts.path[len(base_path) :])
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        elif (out / rel).is_dir():
            return (f"!folder without a trailing slash: {parts.path}", "")
        return rel, unquote(parts.fragment)

    def check(source: str, what: str, url: str) -> None:
        target = target_of(source, url)
        if target is None:
            return
        rel, fragment = target
        if rel.startswith("!"):
            problems.append(f"{source}: {what} {url}: {rel[1:]}")
        elif not (out / rel).is_file():
            problems.append(f"{source}: {what} {url}: no file {rel}")
        elif fragment and rel.endswith(".html"):
            ids = pages[rel].ids if rel in pages else parse_html(out / rel).ids
            if fragment not in ids:
                problems.append(f"{source}: {what} {url}: no id '{fragment}' in {rel}")

    for rel, parsed in pages.items():
        for what, url in parsed.refs:
            check(rel, what, url)

    atom = "{http://www.w3.org/2005/Atom}"
    for path in sorted(out.rglob("*.xml")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        root = ET.fromstring(path.read_bytes())
        for link in root.iter(f"{atom}link"):
            check(rel, "<link>", link.get("href", ""))
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            check(rel, "<loc>", loc.text or "")
    for path in sorted(out.rglob("*.css")):
        rel = path.relative_to(out).as_posix()
        if rel.startswith("pagefind/"):
            continue
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", path.read_text("utf-8")):
            if not url.startswith(("data:", "#")):
                check(rel, "url()", url)
    return problems


def build(root: Path, out: Path, base_url: str = BASE) -> Path:
    report = Engine(root, out=out, base_url=base_url, use_cache=False, search=False).build()
    assert report.ok, "\n".join(report.errors)
    return out


def assert_no_broken_links(out: Path, base_url: str = BASE) -> None:
    problems = check_links(out, base_url)
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems[:60])


# --------------------------------------------------------------------------- the demo site


def demo_present() -> bool:
    return (REPO / "site.yml").is_file() and any((REPO / "content" / "essays").glob("*"))


@pytest.mark.skipif(not demo_present(), reason="the demo site (site.yml, content/essays/) is not in the repository")
def test_demo_site_has_no_broken_links(tmp_path: Path) -> None:
    out = build(REPO, tmp_path / "demo")
    essays = [p for p in (out / "essays").iterdir() if (p / "index.html").is_file()]
    assert essays, "the demo site built no essay pages"
    assert_no_broken_links(out)


# --------------------------------------------------------------------------- a site made here

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'

SMALL_CONFIG = {"title": "Link check", "language": "ru", "essays_per_page": 2}
SMALL_SITE = {
    "content/essays/prilivy/index.md": essay(
        "Приливы",
        """
        ::: upd 2026-01-20 re=gravity corrects=#lift
        Исправлено: Луна не «поднимает» воду. См. [утверждение](#lift) и [критику](#critique-gravity).
        :::

        [Луна поднимает воду.]{.claim #lift} Это неверно, и [почти все это знают]{.claim #everyone}.

        ![Схема](chart.svg)

        ## Резонанс {#rezonans}

        Каждый бассейн имеет свой период, [как качели]{.claim #swing}.[^1] [Ссылка на раздел](#rezonans),
        [на другое эссе](../veter/) и [на страницу](/sub/path/about/).

        ::: upd 2026-01-22
        Добавлена сноска.
        :::

        [^1]: Сноска о резонансе.
    """,
        date="2026-01-10",
        summary="О Луне и море.",
        tags=["Физика", "Океаны"],
        difficulty="medium",
    ),
    "content/essays/prilivy/chart.svg": SVG,
    "content/essays/prilivy/critiques/gravity.md": critique(
        "dmitry_k",
        """
        Общий текст, [ссылка на эссе](./) и [на утверждение](#lift).

        ::: on #lift
        Вертикальная составляющая ничтожна.
        :::

        ::: on "почти все это знают"
        Откуда это известно?
        :::

        ::: on #rezonans
        Раздел о резонансе стоит расширить.
        :::

        ::: reply Vera Lind, 2026-01-20
        Исправлено в UPD.
        :::
    """,
        date="2026-01-12",
        stance="refutes",
        pinned=True,
        source="https://example.net/post/1",
    ),
    "content/essays/prilivy/critiques/swing.md": critique(
        "pat",
        """
        ::: on #swing
        Хорошая аналогия.
        :::
    """,
        date="2026-01-16",
        stance="supports",
    ),
    "content/essays/veter/index.md": essay(
        "Wind", "[Wind is moving air.]{.claim #air}", date="2026-01-08", lang="en", tags=["physics"]
    ),
    "content/essays/Заметка о сносках.md": essay(
        "Заметка о сносках", "Короткая заметка.", date="2026-01-05", tags=["Океаны"]
    ),
    "content/essays/chernovik.md": essay("Черновик", "Не опубликовано.", date="2026-01-30", draft=True),
    "content/about.md": plain_page("О сайте", "Сайт о море. [Эссе о приливах](/sub/path/essays/prilivy/#rezonans)."),
    "content/files/readme.txt": "A static file.\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    return make_site(root, files, SMALL_CONFIG)


def test_small_site_has_no_broken_links(tmp_path: Path) -> None:
    out = build(write(tmp_path / "site", SMALL_SITE), tmp_path / "out")
    assert (out / "page/2/index.html").is_file()
    assert (out / "essays/prilivy/chart.svg").is_file()
    assert_no_broken_links(out)


def test_small_site_has_no_broken_links_at_the_root(tmp_path: Path) -> None:
    files = {k: v.replace("/sub/path/", "/") for k, v in SMALL_SITE.items()}
    out = build(write(tmp_path / "site", files), tmp_path / "out", base_url="/")
    assert_no_broken_links(out, "/")


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    files = dict(SMALL_SITE)
    files["content/about.md"] = plain_page(
        "О сайте",
        """
        [Нет такого эссе](/sub/path/essays/missing/), [нет такого id](/sub/path/essays/prilivy/#nope),
        [мимо базового пути](/essays/prilivy/) и ![нет картинки](nothing.png).
    """,
    )
    out = build(write(tmp_path / "site", files), tmp_path / "out")
    problems = "\n".join(check_links(out, BASE))
    assert "no file essays/missing/index.html" in problems
    assert "no id 'nope' in essays/prilivy/index.html" in problems
    # a root-relative link means the site's root: it gets the base path
    assert "outside the base path" not in problems
    assert 'href="/sub/path/essays/prilivy/"' in (out / "about/index.html").read_text("utf-8")
    assert "no file about/nothing.png" in problems
