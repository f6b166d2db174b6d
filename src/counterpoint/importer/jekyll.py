"""A Jekyll site's posts, found as Jekyll finds them, and what Jekyll reads from a
post's place and front matter.

Every ``_posts/`` folder of the site is read (``blog/_posts/x.md`` too: the folders
above ``_posts/`` are the post's categories), and each of its files is a post or a
warning: a Markdown file (Jekyll's extensions, ``.mkdn`` and ``.mkdown`` included)
whose name starts with a date (``2024-01-15-title.md``, ``2020-1-5-title.md``) is a
post; one without a date, a post in another format (``.html``, ``.textile``) and
every file in ``_drafts/`` is reported and left out.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from counterpoint.errors import ContentError
from counterpoint.importer.post import MARKDOWN, NOT_MARKDOWN, NOT_MARKDOWN_HINT, OTHER_FORMATS, Post, warning
from counterpoint.markup.slugs import slug

# Jekyll's DATE_FILENAME_MATCHER (with a four-digit year): 2024-01-15-title, 2020-1-5-title
_DATED = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-(.+)")
# folders Jekyll does not read: its output, its caches, the gems a site bundles
_SKIPPED = {"_site", "node_modules", "vendor", ".git", ".jekyll-cache", ".sass-cache"}


def jekyll_posts(source: Path) -> tuple[Path, list[Post], list[ContentError]]:
    """(the site's root, its posts, warnings for the files left out). ``source`` is the
    site (every ``_posts/`` and ``_drafts/`` in it is read) or one ``_posts/`` folder."""
    drafts: list[Path] = []
    if source.name == "_posts":
        root, posts_folders = source.parent, [source]
    else:
        root = source
        posts_folders, drafts = _special_folders(root)
    posts: list[Post] = []
    warnings: list[ContentError] = []
    for folder in posts_folders:
        for path in _files(folder):
            found = _post(path, folder, root)
            if isinstance(found, Post):
                posts.append(found)
            else:
                warnings.append(found)
    for folder in drafts:
        warnings += [
            warning(
                path.relative_to(root).as_posix(),
                0,
                "a draft: not imported",
                "Jekyll publishes drafts only with --drafts: to import it, move it into _posts/ "
                "with a date in its name (2024-01-15-title.md)",
            )
            for path in _files(folder)
        ]
    return root, posts, warnings


def _special_folders(root: Path) -> tuple[list[Path], list[Path]]:
    """Every ``_posts/`` and ``_drafts/`` folder of the site, as Jekyll reads them: not
    inside a folder Jekyll skips (``_site/``, ``_sass/``, ``.git/``, ``node_modules/``)."""
    posts: list[Path] = []
    drafts: list[Path] = []
    for folder, names, _ in os.walk(root):
        here = Path(folder)
        posts += [here / "_posts"] if "_posts" in names else []
        drafts += [here / "_drafts"] if "_drafts" in names else []
        names[:] = sorted(n for n in names if not n.startswith((".", "_")) and n not in _SKIPPED)
    return sorted(posts), sorted(drafts)


def _files(folder: Path) -> list[Path]:
    """The files of a posts folder, but those every generator ignores (.DS_Store, x~)."""
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "#")) and not p.name.endswith("~")
    )


def _post(path: Path, folder: Path, root: Path) -> Post | ContentError:
    rel = path.relative_to(root).as_posix()
    if path.suffix.lower() not in MARKDOWN:
        if path.suffix.lower() in OTHER_FORMATS:
            return warning(rel, 0, NOT_MARKDOWN, NOT_MARKDOWN_HINT)
        return warning(rel, 0, "not a post: not imported", "copy it into content/ if a post refers to it")
    dated = _DATED.fullmatch(path.stem)
    if not dated:
        return warning(
            rel,
            0,
            "no date in its name (YYYY-MM-DD-title.md), so not a post: not imported",
            "Jekyll does not publish it either; to import it, name it 2024-01-15-title.md",
        )
    year, month, day, name = dated.groups()
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    categories = tuple(folder.relative_to(root).parts[:-1])  # blog/_posts/: the category "blog"
    title = " ".join(word.capitalize() for word in name.split("-"))  # Jekyll's titleize_slug
    return Post(path, rel, slug(name) or "post", date, "", categories=categories, name_title=title)


def words(value: Any) -> list:
    """Jekyll's ``categories: one two`` is two; a list is a list."""
    return value.split() if isinstance(value, str) else list(value) if isinstance(value, list) else []


def terms(meta: dict[str, Any], plural: str, singular: str) -> list[str]:
    """A post's categories (or tags) as Jekyll reads them: ``category: web dev`` is one,
    ``categories: web dev`` two; the singular key, when there is one, wins."""
    if singular in meta:
        value = meta[singular]
        found = value if isinstance(value, list) else [value]
    else:
        found = words(meta.get(plural))
    return [term for term in found if isinstance(term, str) and term.strip()]


def jekyll_url(meta: dict[str, Any], post: Post) -> str:
    """The address Jekyll's default permalink (``date``) gives a post:
    /:categories/:year/:month/:day/:title.html (the folders above _posts/ first)."""
    categories = list(dict.fromkeys([*post.categories, *terms(meta, "categories", "category")]))
    parts = [*(slug(c) or c for c in categories), *(post.name_date.split("-") if post.name_date else []), post.slug]
    return "/".join(parts) + ".html"
