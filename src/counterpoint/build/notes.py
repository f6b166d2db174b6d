"""What ``check`` says besides errors (severity "note": they never fail a build): front
matter keys of other generators read as counterpoint's, dates taken from file names, UPDs
and replies dated oddly, interface words left in English."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from counterpoint.errors import ContentError
from counterpoint.model import FileRef
from counterpoint.source.config import SiteConfig

if TYPE_CHECKING:
    from counterpoint.source.frontmatter import Document


def notes(root: Path, config: SiteConfig) -> list[ContentError]:
    """What ``check`` says besides errors: front matter keys of other generators read as
    counterpoint's, dates taken from file names, UPDs and replies dated oddly (severity
    "note": they never fail a build).
    A file that cannot be read or parsed is left out: the build reports it."""
    from counterpoint.essay.parse import PAGE_FIELDS, essay_document  # lazily: only check says notes
    from counterpoint.source.content import Hasher, discover
    from counterpoint.source.foreign_keys import adopt
    from counterpoint.source.frontmatter import parse_document

    found: list[ContentError] = []
    inventory = discover(root, Hasher())
    today = datetime.now(ZoneInfo(config.timezone)).date()
    for source in inventory.essays:
        try:
            doc, said, _ = essay_document(source, config, source.index.path.read_bytes())
        except (ContentError, OSError):
            continue
        found += said + upd_dates(doc, today)
        found += _critique_notes(source.critiques, config.root)
    for page in inventory.pages:
        try:
            doc = parse_document(page.index.path.read_bytes(), page.index.path, config.root)
        except (ContentError, OSError):
            continue
        found += adopt(doc, {f.name for f in PAGE_FIELDS})[1]
    return found + _english_words(root, config)


_UPD_LINE = re.compile(r":{3,}\s*upd\s+(\d{4}-\d{2}-\d{2})")
_REPLY_LINE = re.compile(r":{3,}\s*reply\b.*?(\d{4}-\d{2}-\d{2})\s*$")


def _critique_notes(critiques: Iterable[FileRef], root: Path) -> list[ContentError]:
    """``reply_dates`` of each critique file; one that cannot be read is the build's to report."""
    from counterpoint.source.frontmatter import parse_document  # lazily, as in notes()

    found: list[ContentError] = []
    for ref in critiques:
        try:
            found += reply_dates(parse_document(ref.path.read_bytes(), ref.path, root, untrusted=True))
        except (ContentError, OSError):
            continue
    return found


def upd_dates(doc: Document, today: date) -> list[ContentError]:
    """Notes for a ``::: upd`` dated after ``today`` (a build publishes it at once, with
    that date: it does not hold a UPD back as it holds an essay) or before the essay's
    own date."""
    essay_day = _day_of(doc)
    notes: list[ContentError] = []
    for number, day in _block_dates(doc, _UPD_LINE):
        if day > today and not (essay_day and essay_day > today):  # (held back with it)
            message = f"UPD dated {day}, after today: it is published now, with that date"
        elif essay_day is not None and day < essay_day:
            message = f"UPD dated {day}, before the essay's own date ({essay_day})"
        else:
            continue
        notes.append(ContentError(doc.rel, number, message, "check the date", severity="note"))
    return notes


def reply_dates(doc: Document) -> list[ContentError]:
    """Notes for a ``::: reply`` dated before the critique it answers: the margin would
    show the author answering before the reader wrote."""
    critique_day = _day_of(doc)
    return [
        ContentError(
            doc.rel,
            number,
            f"reply dated {day}, before the critique's own date ({critique_day})",
            "check the date",
            severity="note",
        )
        for number, day in _block_dates(doc, _REPLY_LINE)
        if critique_day is not None and day < critique_day
    ]


def _day_of(doc: Document) -> date | None:
    written = str(doc.meta.get("date", ""))[:10]
    try:
        return date.fromisoformat(written) if _DAY.fullmatch(written) else None
    except ValueError:  # 2026-02-30: an error of the build
        return None


def _block_dates(doc: Document, opening: re.Pattern[str]) -> Iterator[tuple[int, date]]:
    """The line and date of each block ``opening`` matches, read from the lines, code
    blocks aside (a document may show the syntax); a date that does not exist is an
    error of the build, passed over here."""
    fence = ""
    for number, text in enumerate(doc.body.split("\n"), doc.body_line):
        stripped = text.lstrip(" >")
        if stripped.startswith(("```", "~~~")) and (not fence or stripped.startswith(fence)):
            fence = "" if fence else stripped[:3]
            continue
        found = None if fence else opening.match(stripped)
        if found:
            try:
                yield number, date.fromisoformat(found.group(1))
            except ValueError:
                continue


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _english_words(root: Path, config: SiteConfig) -> list[ContentError]:
    """``language: fr``: French dates beside English interface words, said once."""
    from counterpoint.source.i18n import english_words  # lazily: Babel, as for the notes above

    missing, total = english_words(config.language, config.strings)
    if not missing:
        return []
    try:
        lines = (root / "site.yml").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    line = next((n for n, text in enumerate(lines, 1) if text.startswith("language:")), 1)
    return [
        ContentError(
            "site.yml",
            line,
            f"language '{config.language}': the interface's {missing} of {total} words are English"
            " (counterpoint has its own in English and Russian)",
            "write them under strings: in site.yml (the keys are in src/counterpoint/source/i18n.py)",
            severity="note",
        )
    ]
