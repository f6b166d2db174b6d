"""Where a reader's quote stands in the essay, forgiving how it was copied.

The essay's text is the one ``::: on "…"`` is matched against at build time
(``anchoring.essay_text``: inline text, whitespace collapsed, across
formatting).  A reader's quote is looked for there exactly first, then with
case, quotation marks, apostrophes, dashes and ``ё`` made alike, then without
Markdown emphasis marks.  What is returned is always the essay's own words, so
the ``::: on "…"`` written from it anchors at build time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from counterpoint.essay import anchoring
from counterpoint.markup.env import collected, parse_env
from counterpoint.markup.markdown import essay_parser
from counterpoint.source.frontmatter import parse_document

_SAME = str.maketrans(
    {
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "`": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "‐": "-",
        "−": "-",
        "―": "-",
        "ё": "е",
        "Ё": "е",
        "…": ".",
    }
)
_SIMILAR = 0.5  # a closest passage less alike than this is no hint (as at build time)
_EDGE = " \t\"'«»“”„‘’.,;:…!?()[]-—–"


def loose(text: str) -> str:
    """``text`` with case, quotes, dashes and ``ё`` made alike, one character for
    one, so that offsets in the result are offsets in ``text``."""
    text = text.translate(_SAME)
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


@dataclass(frozen=True)
class Found:
    """The outcome of looking for one quote."""

    quote: str  # as the reader wrote it, whitespace collapsed
    passage: str = ""  # the essay's words, occurring exactly once: write ::: on "passage"
    line: int = 0  # of the passage (or of the closest passage) in the essay file
    closest: str = ""  # when not found: the most similar passage
    occurrences: int = 0  # when found more than once


class EssayText:
    """The text of one essay, searchable exactly and loosely."""

    def __init__(self, index: Path, root: Path):
        doc = parse_document(index.read_bytes(), index, root)
        self.rel = doc.rel
        author = doc.meta.get("author")
        self.author = author.strip() if isinstance(author, str) else ""  # the essay's own author, if it names one
        self.offset = doc.body_line - 1
        env = parse_env()
        self.blocks = anchoring.essay_text(essay_parser().parse(doc.body, env))
        self.ids = frozenset(target[0] for target in collected(env).targets)  # claims and headings
        self.corpus = anchoring.Corpus(self.blocks)
        self.loose = loose(self.corpus.text)

    def find(self, quote: str) -> Found:
        quote = " ".join(quote.split())
        tried = dict.fromkeys(
            text for text in (quote, quote.strip(_EDGE), _unformatted(quote).strip(_EDGE)) if len(text) >= 3
        )
        most = 0
        for text in tried:
            spans = self._spans(text)
            if len(spans) == 1:
                start, end = spans[0]
                passage = self.corpus.text[start:end]
                if len(self.corpus.find(passage)) == 1:
                    return Found(quote, passage, self._line(start))
            most = max(most, len(spans))
        if most > 1:
            return Found(quote, occurrences=most)
        near = self.corpus.closest(quote.strip(_EDGE))
        if near and near[2] >= _SIMILAR:
            return Found(quote, closest=near[0], line=near[1] + self.offset)
        return Found(quote)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Offsets in the corpus where ``text`` stands, exactly or else loosely
        (never across two blocks: a passage lies within one)."""
        return _occurrences(self.corpus.text, text) or _occurrences(self.loose, loose(text))

    def _line(self, offset: int) -> int:
        number = bisect.bisect_right(self.corpus.starts, offset) - 1
        return anchoring.line_of(self.blocks[number], offset - self.corpus.starts[number]) + self.offset


def _occurrences(haystack: str, needle: str, limit: int = 100) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at != -1 and len(found) < limit:
        if "\0" not in haystack[at : at + len(needle)]:
            found.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return found


def _unformatted(quote: str) -> str:
    """A quote copied from the Markdown source: emphasis and code marks dropped."""
    for mark in ("**", "__", "*", "_", "`"):
        quote = quote.replace(mark, "")
    return " ".join(quote.split())
