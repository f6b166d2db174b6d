"""What ``check`` says about authorship: per critique file, the replies the build
will mark as the author's (a reply whose name is the site's or the essay's
``author``).  A critique file is the author's record, so its replies are the
author's to write; this list is what to look at when a critique came from
someone else, such as a reader's pull request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from counterpoint.errors import ContentError, display_path
from counterpoint.markup.markdown import reader_parser
from counterpoint.source.config import SiteConfig
from counterpoint.source.frontmatter import parse_document


@dataclass(frozen=True)
class AuthorReply:
    rel: str  # the critique file
    line: int
    name: str
    date: str


def author_replies(config: SiteConfig) -> list[AuthorReply]:
    """Every reply in every critique under ``content/essays/*/critiques/`` that the
    build marks as the author's, in file order.  Files that do not parse are left
    to ``check``'s own errors."""
    found: list[AuthorReply] = []
    essays = config.root / "content" / "essays"
    for folder in sorted(p for p in essays.glob("*/") if (p / "critiques").is_dir()):
        authors = {config.author, _essay_author(folder / "index.md", config.root)} - {""}
        for path in sorted((folder / "critiques").glob("*.md")):
            found += _replies(path, config.root, authors)
    return found


def _essay_author(index: Path, root: Path) -> str:
    try:
        author = parse_document(index.read_bytes(), index, root).meta.get("author")
    except (OSError, ContentError):
        return ""
    return author.strip() if isinstance(author, str) else ""


def _replies(path: Path, root: Path, authors: set[str]) -> list[AuthorReply]:
    try:
        doc = parse_document(path.read_bytes(), path, root, untrusted=True)
    except (OSError, ContentError):
        return []
    found = []
    for token in reader_parser().parse(doc.body, {}):
        if token.type != "container_reply_open":
            continue
        name, _, date = token.info.strip()[len("reply") :].strip().rpartition(",")
        if name.strip() in authors:
            line = (token.map[0] if token.map else 0) + doc.body_line
            found.append(AuthorReply(display_path(path, root), line, name.strip(), date.strip()))
    return found
