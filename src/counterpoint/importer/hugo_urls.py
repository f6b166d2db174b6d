"""The address Hugo gave a post: its section's permalink pattern (``[permalinks]
posts = "/:year/:month/:slug/"``) with Hugo's tokens filled in, else its path in
``content/``; every part urlized as Hugo urlizes (lowercase, spaces to ``-``, ``_``
kept: ``posts/my_post.md`` is ``/posts/my_post/``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any

from counterpoint.importer import dates
from counterpoint.importer.post import Post

# the front-matter keys Hugo takes a page's date from, in order (its default [frontmatter] date)
_DATE_KEYS = ("date", "publishdate", "pubdate", "published", "lastmod", "modified")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")  # Go's Weekday: Sunday is 0


@dataclass(frozen=True)
class HugoConfig:
    """What a Hugo site's config says of its posts."""

    language: str = "en"  # defaultContentLanguage
    languages: frozenset[str] = frozenset({"en"})
    permalinks: dict[str, str] = field(default_factory=dict)  # section (lowercase) -> pattern
    zone: tzinfo | None = None  # timeZone, the zone of dates written without an offset

    def url(self, meta: dict[str, Any], post: Post) -> str:
        """The address Hugo gave the post, site-relative (``2024/01/my_post/``)."""
        parts = PurePosixPath(post.inside).parts
        pattern = self.permalinks.get(parts[0].lower(), "") if len(parts) > 1 else ""
        if not pattern:
            return post.old_url  # its path in content/ (with its own slug: as the finder set it)
        values = _tokens(meta, post, self.language, self.languages)
        filled = re.sub(r":([a-z]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
        return re.sub(r"/+", "/", "/" + filled).lstrip("/")


def _tokens(meta: dict[str, Any], post: Post, language: str, languages: frozenset[str]) -> dict[str, str]:
    lowered = {str(k).lower(): v for k, v in meta.items()}
    moment = next(
        (parsed[0] for key in _DATE_KEYS if (parsed := dates.parse(lowered.get(key))) is not None),
        datetime(1, 1, 1),  # Hugo's zero date
    )
    parts = PurePosixPath(post.inside).parts
    stem = PurePosixPath(parts[-1]).stem
    base, dot, lang = stem.rpartition(".")
    stem = base if dot and lang.lower() in languages else stem
    bundle = stem == "index"
    filename = parts[-2] if bundle else stem
    folders = parts[:-2] if bundle else parts[:-1]
    sections = [folders[0], *(f for i, f in enumerate(folders[1:], 2) if _is_section(post, parts, i))]
    title = _text(lowered.get("title"))
    own = _text(lowered.get("slug")).strip()
    return {
        "year": f"{moment.year:04d}",
        "month": f"{moment.month:02d}",
        "monthname": _MONTHS[moment.month - 1],
        "day": f"{moment.day:02d}",
        "weekday": str((moment.weekday() + 1) % 7),
        "weekdayname": _DAYS[(moment.weekday() + 1) % 7],
        "yearday": str(moment.timetuple().tm_yday),
        "section": urlize(sections[0]),
        "sections": "/".join(urlize(s) for s in sections),
        "title": urlize(title),
        "slug": urlize(own or title),
        "filename": urlize(filename),
        "contentbasename": urlize(filename),
        "slugorfilename": urlize(own or filename),
        "slugorcontentbasename": urlize(own or filename),
    }


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_section(post: Post, parts: tuple[str, ...], depth: int) -> bool:
    """A folder below a top-level section is a section when it has an ``_index.md``."""
    content = post.path.parents[len(parts) - 1]
    folder = content.joinpath(*parts[:depth])
    return any(p.stem.split(".")[0] == "_index" for p in folder.glob("_index.*"))


def urlize(text: str) -> str:
    """Hugo's urlize (PathSpec.MakePathSanitized): letters, marks, digits and ``. / \\ _
    # + ~ - @`` kept, a run of spaces one ``-``, the rest dropped; lowercase."""
    out: list[str] = []
    hyphen = False
    for i, c in enumerate(text):
        kept = c in "./\\_#+~-@" or unicodedata.category(c)[0] in "LM" or unicodedata.category(c) == "Nd"
        kept = kept or (c == "%" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 1 : i + 3]) is not None)
        if kept:
            if hyphen and c != "-" and (not out or out[-1] != "-"):
                out.append("-")
            hyphen = False
            out.append(c)
        elif out and c.isspace() and out[-1] != "-":
            hyphen = True
    return "".join(out).lower().replace("#", "%23")
