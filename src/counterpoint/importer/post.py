"""A post found in a Hugo or Jekyll blog, before it is converted, and the warning
the importer gives about one of the blog's files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def warning(rel: str, line: int, message: str, hint: str = "") -> ContentError:
    return ContentError(rel, line, message, hint, severity="warning")
