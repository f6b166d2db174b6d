"""Write a whole site from a dict into a folder, build or check it, read its pages.

    root = make_site(tmp_path, {
        "content/essays/tides/index.md": essay("Tides", "[The Moon lifts water.]{.claim #lift}"),
        "content/essays/tides/critiques/lift.md": critique("ana", "::: on #lift\nNo.\n:::"),
    })
    result = build(root)                      # Built(report, out); result.page("essays/tides/")

``site.yml`` is written with a title and an author unless the dict has one;
``config=`` adds or replaces keys.  Values that are ``bytes`` are written as
they are, strings as UTF-8 with ``textwrap.dedent`` applied.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from counterpoint.build.engine import Engine
from counterpoint.build.report import BuildReport
from counterpoint.errors import ContentError

SITE_AUTHOR = "Vera Lind"
DEFAULT_CONFIG: dict[str, Any] = {"title": "Test site", "author": SITE_AUTHOR, "language": "en"}


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_matter(fields: dict[str, Any]) -> str:
    lines = [f"{key}: {_yaml_scalar(value)}" for key, value in fields.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n"


def essay(title: str = "An essay", body: str = "Text.", *, date: str = "2026-01-10", **fields: Any) -> str:
    """An essay file: front matter (title, date and any ``fields``) and ``body``."""
    return front_matter({"title": title, "date": date, **fields}) + "\n" + textwrap.dedent(body).strip("\n") + "\n"


def critique(author: str = "reader", body: str = "", *, date: str = "2026-01-12", **fields: Any) -> str:
    """A critique file: front matter (author, date and any ``fields``) and ``body``."""
    return front_matter({"author": author, "date": date, **fields}) + textwrap.dedent(body).strip("\n") + "\n"


def plain_page(title: str = "A page", body: str = "Text.", **fields: Any) -> str:
    """A plain page (``content/about.md``): front matter (title and any ``fields``) and ``body``."""
    return front_matter({"title": title, **fields}) + textwrap.dedent(body).strip("\n") + "\n"


def make_site(root: Path, files: dict[str, str | bytes], config: dict[str, Any] | None = None) -> Path:
    """Write ``files`` (relative path -> text) under ``root``; return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    if "site.yml" not in files:
        settings = {**DEFAULT_CONFIG, **(config or {})}
        (root / "site.yml").write_text(
            "".join(f"{k}: {_yaml_scalar(v)}\n" for k, v in settings.items()), encoding="utf-8"
        )
    return write_files(root, files)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` into a site made already (its site.yml untouched); return ``root``."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return root


@dataclass(frozen=True)
class Built:
    report: BuildReport
    out: Path

    @property
    def ok(self) -> bool:
        return self.report.ok

    def page(self, url: str = "") -> str:
        """The HTML of a page by its site path: ``page("essays/x/")``."""
        rel = url.strip("/")
        path = self.out / rel / "index.html" if not rel.endswith(".html") else self.out / rel
        return path.read_text(encoding="utf-8")

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))


def build(root: Path, **options: Any) -> Built:
    """Build the site without cache and search index; ``options`` go to ``Engine``."""
    options.setdefault("use_cache", False)
    options.setdefault("search", False)
    options.setdefault("jobs", 1)
    engine = Engine(root, **options)
    report = engine.build()
    return Built(report, engine.config.output)


def check(root: Path, **options: Any) -> list[ContentError]:
    return Engine(root, **options).check()


# --------------------------------------------------------------------------- HTML


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] | None = None

    def __post_init__(self) -> None:
        if self.children is None:
            self.children = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children or []:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def iter(self):
        yield self
        for child in self.children or []:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: Any) -> list[Element]:
        found = []
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if cls and cls not in element.classes:
                continue
            if any(
                (element.attrs.get(k.replace("_", "-")) != v)
                if v is not True
                else (k.replace("_", "-") not in element.attrs)
                for k, v in attrs.items()
            ):
                continue
            found.append(element)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: Any) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def element_children(self) -> list[Element]:
        return [c for c in self.children or [] if isinstance(c, Element)]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(html: str) -> Element:
    """A small DOM from ``html.parser``: enough to walk siblings and read attributes."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def collapse(text: str) -> str:
    return " ".join(text.split())
