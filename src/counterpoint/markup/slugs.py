"""Slugs and ids: ASCII, transliterated (``Заголовок`` -> ``zagolovok``)."""

from __future__ import annotations

import re
from functools import lru_cache
from hashlib import blake2b

from slugify import slugify

# Names Windows refuses as file names; a slug becomes a folder name.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_MAX = 255  # bytes in one file or folder name (ext4, APFS, NTFS): a longer slug cannot be written


@lru_cache(maxsize=4096)
def slug(text: str) -> str:
    """A URL slug: lowercase ASCII, words joined by '-'.

    The transliteration backend is named: "auto" would prefer Unidecode when it
    happens to be installed (its tables differ, so would the addresses) and
    looks for it on every call, which costs more than the slug itself.
    """
    return slugify(text, max_length=80, word_boundary=True, backend="text-unidecode")


def heading_slug(text: str) -> str:
    return slug(text)


def slug_problem(value: str) -> str | None:
    """Why ``value`` cannot be a slug (a folder name in the output), or None."""
    if not value:
        return "slug is empty"
    if "\x00" in value:
        return "slug contains a NUL byte"
    if "/" in value or "\\" in value:
        return f"slug '{value}' contains a path separator"
    if value in (".", ".."):
        return f"slug '{value}' is not a folder name"
    if ".." in value:
        return f"slug '{value}' contains '..'"
    if len(value.encode()) > NAME_MAX:
        return f"slug is {len(value.encode())} bytes long: a folder name holds at most {NAME_MAX}"
    if value.lower() in RESERVED:
        return f"slug '{value}' is a reserved file name on Windows"
    if not SLUG_RE.match(value):
        return f"slug '{value}' must be lowercase ASCII letters, digits, '-' or '_'"
    return None


@lru_cache(maxsize=8192)  # every build groups the site's tags: python-slugify costs ~0.1 ms a call
def tag_slug(tag: str) -> str:
    """The tag's URL slug: transliterated and lowercased ("Физика" -> "fizika"),
    so tags that differ only in case share a page; "+" and "#" are words ("C++" ->
    "c-plus-plus", "C#" -> "c-sharp": dropped, they made "C++", "C#" and "C" one page);
    a tag with no letters or digits at all ("!!!") gets a stable slug from its text."""
    spelled = tag.replace("+", " plus ").replace("#", " sharp ") if "+" in tag or "#" in tag else tag
    return slug(spelled) or "tag-" + blake2b(tag.casefold().encode(), digest_size=4).hexdigest()
