"""A Jekyll site's posts, found as Jekyll finds them, and what Jekyll reads from a
post's place and front matter.

Every ``_posts/`` folder of the site is read (``blog/_posts/x.md`` too: the folders
above ``_posts/`` are the post's categories), and each of its files is a post or a
warning: a Markdown file (Jekyll's extensions, ``.mkdn`` and ``.mkdown`` included)
whose name starts with a date (``2024-01-15-title.md``, ``2020-1-5-title.md``) is a
post; one without a date, a post in another format (``.html``, ``.textile``) and
every file in ``_drafts/`` is reported and left out.  A folder without ``_posts/``
of its own is the Jekyll site in it (``docs/``) when that has a ``_config.yml``.

``_config.yml`` gives the posts' addresses (``permalink:``, a style or a template
with Jekyll's placeholders, filled in as Jekyll's UrlDrop fills them) and the
``timezone:`` of dates written without an offset.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml

from counterpoint.errors import ContentError
from counterpoint.importer import dates
from counterpoint.importer.post import MARKDOWN, NOT_MARKDOWN, NOT_MARKDOWN_HINT, OTHER_FORMATS, Post, warning
from counterpoint.markup.slugs import slug

# Jekyll's DATE_FILENAME_MATCHER (with a four-digit year): 2024-01-15-title, 2020-1-5-title
_DATED = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-(.+)")
CONFIG_FILES = ("_config.yml", "_config.yaml")
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


def jekyll_site(source: Path) -> Path | None:
    """The Jekyll site in ``source``: itself, or one of its folders (a project's
    ``docs/``), with a ``_config.yml`` and a ``_posts/`` folder; None when there is none."""
    folders = [source, *sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))]
    for folder in folders:
        if any((folder / name).is_file() for name in CONFIG_FILES) and _special_folders(folder)[0]:
            return folder
    return None


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


# Jekyll's permalink styles (Configuration#style_to_permalink); "date" is the default
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Utils.slugify: what "default" and "pretty" mode keep besides letters, marks and digits
_KEPT = {"default": "", "pretty": "._~!$&'()+,;=@"}


@dataclass(frozen=True)
class JekyllConfig:
    """What ``_config.yml`` says of the posts' addresses and dates."""

    permalink: str = STYLES["date"]  # the posts' URL template
    zone: tzinfo | None = None  # timezone:, the zone of dates written without an offset

    def url(self, meta: dict[str, Any], post: Post) -> str:
        """The address Jekyll gave the post, site-relative: its own ``permalink:`` or the
        site's template, with Jekyll's placeholders filled in (UrlDrop)."""
        own = meta.get("permalink")
        template = own.strip() if isinstance(own, str) and own.strip() else self.permalink
        values = self._placeholders(meta, post)

        def fill(found: re.Match) -> str:
            name = found.group(1)
            pool = [name, name[:-1]] if name.endswith("_") else [name]
            winner = next((key for key in pool if key in values), None)
            return found.group(0) if winner is None else found.group(0).replace(f":{winner}", values[winner], 1)

        return re.sub(r"/+", "/", "/" + re.sub(r":([a-z_]+)", fill, template)).lstrip("/")

    def _placeholders(self, meta: dict[str, Any], post: Post) -> dict[str, str]:
        moment = self._date(meta, post)
        categories = list(dict.fromkeys(c.lower() for c in [*post.categories, *terms(meta, "categories", "category")]))
        dated = _DATED.fullmatch(post.path.stem)
        own_slug = meta.get("slug")
        name = own_slug if isinstance(own_slug, str) and own_slug.strip() else dated.group(4) if dated else post.slug
        values = {
            "title": slugify(name, "pretty", cased=True),
            "slug": slugify(name),
            "name": slugify(post.path.stem),
            "categories": "/".join(categories),
            "slugified_categories": "/".join(slugify(c) for c in categories),
            "output_ext": ".html",
            "collection": "posts",
        }
        if moment is None:  # a date that does not exist (2023-02-30): the import says so
            year, month, day = (post.name_date.split("-") + ["", "", ""])[:3]
            return {**values, "year": year, "month": month, "day": day}
        iso = moment.isocalendar()
        return {
            **values,
            **{key: moment.strftime(code) for key, code in _STRFTIME.items()},
            "i_day": str(moment.day),
            "i_month": str(moment.month),
            "short_month": _MONTHS[moment.month - 1][:3],
            "long_month": _MONTHS[moment.month - 1],
            "y_day": f"{moment.timetuple().tm_yday:03d}",
            "week": f"{iso[1]:02d}",
            "w_year": str(iso[0]),
            "w_day": str(iso[2]),
            "short_day": _DAYS[moment.weekday()][:3],
            "long_day": _DAYS[moment.weekday()],
        }

    def _date(self, meta: dict[str, Any], post: Post) -> datetime | None:
        """The post's date: its front matter's, in the site's zone when it has an offset
        and the site a zone; else its file name's."""
        parsed = dates.parse(meta.get("date"))
        if parsed is not None:
            moment, _, offset = parsed
            return moment.astimezone(self.zone) if offset and self.zone is not None else moment
        parsed = dates.parse(post.name_date)
        return parsed[0] if parsed else None


_STRFTIME = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S", "short_year": "%y"}


def jekyll_config(root: Path) -> JekyllConfig:
    """The site's ``permalink:`` (a style or a template; ``collections: posts:
    permalink:`` wins) and ``timezone:``, from ``_config.yml``."""
    data: Any = {}
    for name in CONFIG_FILES:
        try:
            data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
            break
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # none, or one Jekyll could not read either: Jekyll's defaults
    data = data if isinstance(data, dict) else {}
    collections = data.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    template = STYLES["date"]
    for style in (data.get("permalink"), posts.get("permalink") if isinstance(posts, dict) else None):
        if isinstance(style, str) and style.strip():
            template = STYLES.get(style.strip(), style.strip())  # a style's name, or a template
    return JekyllConfig(template, dates.zone(data.get("timezone")))


def slugify(text: str, mode: str = "default", *, cased: bool = False) -> str:
    """Jekyll's Utils.slugify: every run of other characters is one '-', none at the ends;
    lowercase unless ``cased``."""
    kept = _KEPT[mode]
    marked = "".join(c if c in kept or unicodedata.category(c) in _LETTERS else "\x00" for c in text)
    out = re.sub("\x00+", "-", marked).strip("-")
    return out if cased else out.lower()


# \p{M}, \p{L} and \p{Nd}: the characters Utils.slugify keeps in every mode
_LETTERS = {"Mn", "Mc", "Me", "Lu", "Ll", "Lt", "Lm", "Lo", "Nd"}
