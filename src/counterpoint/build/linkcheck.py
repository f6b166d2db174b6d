"""Links checked by ``counterpoint check``: every internal link, ``#anchor`` and
image in essays, critiques and pages, resolved against what the build makes.

``check`` builds the site into ``.counterpoint/check/`` (with its cache, no search index),
then reads the Markdown sources once more for their links with their line and
column, and resolves each one as a browser would from the page it ends up on:
against the files of that build and the ids of its HTML pages.  So a link is
good exactly when it works on the built site, theme pages and feeds included.
Links to other hosts are collected for ``check --external`` (``weblinks.py``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from counterpoint.errors import ContentError
from counterpoint.markup.env import Addresses, parse_env
from counterpoint.markup.urls import output_path

if TYPE_CHECKING:
    from counterpoint.source.config import SiteConfig
    from counterpoint.source.content import Inventory

CHECK_DIR = "check"  # in .counterpoint/: where check builds the site it resolves links against
_RAW_ATTR = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_ID_ATTR = re.compile(r"""\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Link:
    """An address written in a source file, where it was written and which page it ends up on."""

    rel: str  # the source file, as errors name it
    line: int
    col: int
    url: str
    page: str  # the folder of the page it is on in the output: "essays/tides/", "" for the home page
    image: bool = False

    @property
    def external(self) -> bool:
        parts = urlsplit(self.url)
        return parts.scheme.lower() in ("http", "https") or (not parts.scheme and self.url.startswith("//"))


# --------------------------------------------------------------------------- collecting


def links_in(tokens: list, text: str, rel: str, offset: int, page: str) -> list[Link]:
    """The links and images of a parsed Markdown document (``text`` is its body, which
    starts on file line ``offset + 1``), with the line and column each was written at."""
    lines = text.split("\n")
    found: list[Link] = []
    for token in tokens:
        if token.map is None:
            continue
        urls: list[tuple[str, bool]] = []
        if token.type == "inline":
            for child in token.children or ():
                if child.type == "link_open":
                    urls.append((str(child.attrs.get("href", "")), False))
                elif child.type == "image":
                    urls.append((str(child.attrs.get("src", "")), True))
                elif child.type == "html_inline":
                    urls += _raw_urls(child.content)
        elif token.type == "html_block":
            urls = _raw_urls(token.content)
        cursor = (token.map[0], 0)
        for url, image in urls:
            if not url:
                continue
            line, col = _locate(url, lines, cursor)
            if line < 0:  # a reference-style link: its address stands in its definition, further down
                line, col = _locate(url, lines, (token.map[0], 0), to_end=True)
            if line < 0:
                line, col = token.map[0], 0
            else:
                cursor = (line, col + 1)
            found.append(Link(rel, line + offset + 1, col + 1, url, page, image))
    return found


def _raw_urls(html: str) -> list[tuple[str, bool]]:
    return [
        (next(g for g in m.groups()[1:] if g is not None), m.group(1).lower() == "src")
        for m in _RAW_ATTR.finditer(html)
    ]


def _locate(url: str, lines: list[str], start: tuple[int, int], to_end: bool = False) -> tuple[int, int]:
    """Where ``url`` (or its percent-decoded form, as the author may have written it)
    is written, from ``start`` on: (0-based line, 0-based column), or (-1, -1)."""
    candidates = list(dict.fromkeys([url, unquote(url)]))
    line, col = start
    last = len(lines) if to_end else min(len(lines), line + 400)
    while line < last:
        hits = [p for p in (lines[line].find(c, col) for c in candidates) if p >= 0]
        if hits:
            return line, min(hits)
        line, col = line + 1, 0
    return -1, -1


def site_links(inventory: Inventory, config: SiteConfig) -> list[Link]:
    """Every link of every essay, critique and plain page (drafts too)."""
    # lazily: the Markdown machinery, which the engine's own check build may not have loaded
    from counterpoint.markup.markdown import essay_parser, reader_parser
    from counterpoint.source.frontmatter import parse_document

    links: list[Link] = []

    def env() -> dict[str, Any]:
        return parse_env(addresses=Addresses(config.base_path))  # one per document: parsing fills it

    def read(path: Path, untrusted: bool = False):
        try:
            return parse_document(path.read_bytes(), path, config.root, untrusted=untrusted)
        except (ContentError, OSError):
            return None  # reported by the rest of check

    for source in inventory.essays:
        doc = read(source.index.path)
        if doc is None:
            continue
        slug = doc.meta.get("slug") if isinstance(doc.meta.get("slug"), str) else ""
        page = f"essays/{slug.strip() or source.slug}/"
        links += links_in(essay_parser().parse(doc.body, env()), doc.body, doc.rel, doc.body_line - 1, page)
        for ref in source.critiques:
            critique = read(ref.path, untrusted=True)
            if critique is not None:
                tokens = reader_parser().parse(critique.body, env())
                links += links_in(tokens, critique.body, critique.rel, critique.body_line - 1, page)
    for page_source in inventory.pages:
        doc = read(page_source.index.path)
        if doc is None:
            continue
        slug = doc.meta.get("slug") if isinstance(doc.meta.get("slug"), str) else ""
        slug = slug.strip() or page_source.slug
        page = slug + "/" if slug else ""
        links += links_in(essay_parser().parse(doc.body, env()), doc.body, doc.rel, doc.body_line - 1, page)
    return links


# --------------------------------------------------------------------------- resolving


class BuiltSite:
    """The files of a build and, read when first asked, the ids of its HTML pages."""

    def __init__(self, out: Path):
        self.out = out
        self.files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        self._ids: dict[str, frozenset[str]] = {}

    def ids(self, rel: str) -> frozenset[str]:
        if rel not in self._ids:
            try:
                html = (self.out / rel).read_text("utf-8", errors="replace")
            except OSError:
                html = ""
            self._ids[rel] = frozenset(a or b for a, b in _ID_ATTR.findall(html))
        return self._ids[rel]

    def target(self, rel: str) -> str | None:
        """The file a site path names: ``essays/x/`` -> ``essays/x/index.html``; a
        folder written without its slash too (static hosts redirect it)."""
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if rel in self.files:
            return rel
        if rel + "/index.html" in self.files:
            return rel + "/index.html"
        return None

    def addresses(self) -> list[str]:
        """Every address the site answers, as an author writes it (``/essays/x/``)."""
        found = []
        for rel in self.files:
            if rel.startswith("pagefind/"):
                continue
            found.append("/" + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel))
        return sorted(found)


def resolve(link: Link, site: BuiltSite, base_path: str) -> ContentError | None:
    """None when ``link`` works on the built site, else the error that says why."""
    parts = urlsplit(link.url)
    if parts.scheme or link.url.startswith("//"):
        return None  # another host (check --external), mailto:, tel:…
    fragment = unquote(parts.fragment)
    if parts.path:
        path = parts.path  # root-relative: the site's root, written with or without the base path
        if path.startswith(base_path):
            path = "/" + path[len(base_path) :]
        rel = output_path(path, link.page)
        if rel is None:
            return _error(link, f"broken link '{link.url}': it leads out of the site", "")
        if parts.path.endswith("/") and rel:
            rel += "/"
        target = site.target(rel)
        if target is None:
            what = "image" if link.image else "link"
            wanted = "/" + rel
            hint = _closest(wanted, site.addresses())
            return _error(link, f"broken {what} '{link.url}': nothing at {base_path.rstrip('/')}{wanted}", hint)
    else:
        target = site.target(link.page)
        if target is None:
            return None
    if fragment and target.endswith(".html") and fragment not in site.ids(target):
        ids = sorted(site.ids(target))
        close = difflib.get_close_matches(fragment, ids, n=1, cutoff=0.5)
        hint = f"did you mean '#{close[0]}'?" if close else ""
        page = "/" + target.removesuffix("index.html")
        return _error(link, f"broken anchor '{link.url}': no id '{fragment}' on {base_path.rstrip('/')}{page}", hint)
    return None


def _closest(wanted: str, addresses: list[str]) -> str:
    """The existing address most like ``wanted``: for a file (``chart.png``), a file of
    that name elsewhere or the most similar file; for a page, the most similar page."""
    name = wanted.rstrip("/").rsplit("/", 1)[-1]
    is_file = not wanted.endswith("/") and "." in name
    if is_file:  # files with that name, else files of that kind (.png); never a page for an image
        same = [a for a in addresses if a.rsplit("/", 1)[-1] == name]
        if same:
            return f"did you mean '{max(same, key=lambda a: difflib.SequenceMatcher(None, wanted, a).ratio())}'?"
        suffix = "." + name.rsplit(".", 1)[-1]
        pool = [a for a in addresses if a.endswith(suffix)]
    else:
        pool = [a for a in addresses if a.endswith("/")] or addresses
    close = difflib.get_close_matches(wanted, pool, n=1, cutoff=0.5)
    if not close and is_file:  # a typo in the suffix (chart.pgn): only a very close file
        files = [a for a in addresses if not a.endswith("/")]
        close = difflib.get_close_matches(wanted, files, n=1, cutoff=0.85)
    if not close and name and not is_file:  # a long path that is wrong in one folder: compare the last parts
        tails = {a.rstrip("/").rsplit("/", 1)[-1]: a for a in pool}
        named = difflib.get_close_matches(name, list(tails), n=1, cutoff=0.6)
        close = [tails[named[0]]] if named else []
    return f"did you mean '{close[0]}'?" if close else ""


def _error(link: Link, message: str, hint: str) -> ContentError:
    return ContentError(link.rel, link.line, message, hint, col=link.col)


# --------------------------------------------------------------------------- check


def check_links(out: Path, inventory: Inventory, config: SiteConfig) -> tuple[list[ContentError], list[Link]]:
    """Every broken internal link of the site, resolved against the pages of ``out``
    (check's build of the site), and the site's links to other hosts."""
    links = site_links(inventory, config)
    site = BuiltSite(out)
    errors = [e for e in (resolve(link, site, config.base_path) for link in links if not link.external) if e]
    return errors, [link for link in links if link.external]
