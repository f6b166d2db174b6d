"""Front matter keys of Hugo and Jekyll posts, read as counterpoint's own.

A post moved from another generator keeps working: ``description`` is read as
``summary``, ``categories`` as ``tags``, ``lastmod`` as ``updated`` and so on.
Each such key is accepted where it stands (its line is kept for errors), and
``check`` says, as a note, which key it was read as.  ``counterpoint import``
rewrites them for good.
"""

from __future__ import annotations

from typing import Any

from counterpoint.errors import ContentError
from counterpoint.model import evolve
from counterpoint.source.frontmatter import Document

# other generators' key -> counterpoint's key
ALIASES: dict[str, str] = {
    "description": "summary",
    "excerpt": "summary",
    "categories": "tags",
    "lastmod": "updated",
    "last_modified_at": "updated",
    "modified": "updated",
    "publishDate": "date",
    "pubDate": "date",
    "authors": "author",
    "language": "lang",
}
# keys that ask for something counterpoint always (or never) does
NO_EFFECT: dict[str, str] = {
    "layout": "counterpoint has one layout for essays",
    "math": "formulas ($…$) are always rendered",
    "katex": "formulas ($…$) are always rendered",
    "mathjax": "formulas ($…$) are always rendered",
    "comments": "readers answer with critiques",
}
_MERGED = {"tags"}  # ``tags`` and ``categories`` together are one list


def adopt(doc: Document, allowed: frozenset[str] | set[str]) -> tuple[Document, list[ContentError], list[ContentError]]:
    # Long: one branch per key of another generator (Hugo, Jekyll, Zola, Eleventy).
    """``doc`` with other generators' keys renamed to ``allowed`` ones:
    (the document, notes for ``check``, errors)."""
    meta = dict(doc.meta)
    lines = dict(doc.meta_lines)
    notes: list[ContentError] = []
    errors: list[ContentError] = []
    for key in list(doc.meta):
        line = doc.meta_lines.get(key, 1)
        if key == "published" and "published" not in allowed:  # Jekyll: published: false is a draft
            value = meta.pop(key)
            lines.pop(key, None)
            word = value.strip().lower() if isinstance(value, str) else ""
            if word not in ("true", "false", "yes", "no"):
                errors.append(
                    ContentError(
                        doc.rel,
                        line,
                        f"'published' must be true or false, not '{value}'",
                        "write draft: true for a post that is not published yet",
                    )
                )
            elif word in ("false", "no"):
                if "draft" in meta:
                    errors.append(
                        ContentError(doc.rel, line, "both 'published' and 'draft' are given", "keep draft: only")
                    )
                meta["draft"], lines["draft"] = "true", line
            notes.append(
                _note(
                    doc,
                    line,
                    "'published' (Jekyll) is read as 'draft' the other way round",
                    "write draft: true instead",
                )
            )
            continue
        if key in NO_EFFECT and key not in allowed:
            meta.pop(key)
            lines.pop(key, None)
            notes.append(
                _note(
                    doc,
                    line,
                    f"'{key}' has no effect: {NO_EFFECT[key]}",
                    f"remove '{key}', or move it under 'extra:' for the theme",
                )
            )
            continue
        target = ALIASES.get(key)
        if target is None or target not in allowed or key in allowed:
            continue
        value = meta.pop(key)
        lines.pop(key, None)
        if key == "categories" and isinstance(value, str):  # Jekyll: categories: one two
            value = value.split()
        if target == "author" and isinstance(value, list):
            value = ", ".join(v for v in value if isinstance(v, str))
        if target in meta:
            if target in _MERGED:
                meta[target] = _as_list(meta[target]) + _as_list(value)
                notes.append(_note(doc, line, f"'{key}' is read as more '{target}'", f"move them into '{target}:'"))
                continue
            errors.append(
                ContentError(
                    doc.rel,
                    line,
                    f"'{key}' means '{target}', and '{target}' is given too",
                    "keep one of the two lines",
                )
            )
            continue
        meta[target], lines[target] = value, line
        notes.append(_note(doc, line, f"'{key}' is read as '{target}'", f"rename it to '{target}'"))
    return evolve(doc, meta=meta, meta_lines=lines), notes, errors


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list) else [value]


def _note(doc: Document, line: int, message: str, hint: str) -> ContentError:
    return ContentError(doc.rel, line, message, hint, severity="note")
