"""A post found in a Hugo or Jekyll blog, before it is converted, the warning the
importer gives about one of the blog's files, and what the blog's config says of its
posts (``OldSite``: ``jekyll.JekyllConfig``, ``hugo_urls.HugoConfig``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, Protocol

from counterpoint.errors import ContentError

# Jekyll's markdown_ext (markdown, mkdown, mkdn, mkd, md) and Hugo's (md, markdown, mdown)
MARKDOWN = (".md", ".markdown", ".mdown", ".mkdn", ".mkdown", ".mkd")
# content formats Hugo and Jekyll render besides Markdown: their posts are reported, not imported
OTHER_FORMATS = (".html", ".htm", ".textile", ".org", ".adoc", ".asciidoc", ".ad", ".rst", ".pandoc", ".pdc")
NOT_MARKDOWN = "not Markdown: not imported"
NOT_MARKDOWN_HINT = "convert it to Markdown (pandoc does) and import it again, or copy its text into an essay"


@dataclass(frozen=True)
class Post:
    """A post found in the blog, before conversion."""

    path: Path  # its Markdown file
    rel: str  # as shown in reports: relative to DIR
    slug: str
    name_date: str  # Jekyll's date from the file name (YYYY-MM-DD), or ""
    old_url: str  # the address the old generator gave it, site-relative ("posts/x/")
    assets: tuple[Path, ...] = ()  # the files of a page bundle
    categories: tuple[str, ...] = ()  # Jekyll: the folders above _posts/ (blog/_posts/x.md is in "blog")
    name_title: str = ""  # Jekyll: the title a post without one takes from its file name
    inside: str = ""  # Hugo: its path in content/ ("posts/x.md")
    expired: str = ""  # Hugo: why it is no longer published (its expiryDate is past): imported as a draft


class OldSite(Protocol):
    """What the old blog's config says of its posts: their addresses and time zone."""

    @property
    def zone(self) -> tzinfo | None:
        """The zone of dates written without an offset, or None."""
        ...

    def url(self, meta: dict[str, Any], post: Post) -> str:
        """The address the old generator gave the post, site-relative (``posts/x/``)."""
        ...


def warning(rel: str, line: int, message: str, hint: str = "") -> ContentError:
    return ContentError(rel, line, message, hint, severity="warning")
