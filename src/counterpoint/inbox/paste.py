"""A reader's comment, pasted as it was posted, turned into remarks and text.

Quotes from the essay become ``::: on "…"`` remarks holding the reader's words
that follow them: a ``> …`` quote, a «…» / "…" / “…” quote inside a line, a
line that is itself a passage of the essay, and the ``::: on "…"`` /
``::: on #id`` lines that the page's "Critique this passage" control writes.
A quote counts when it matches the essay (``passages.EssayText``); anything
else stays the critique's general text.  Nothing the reader wrote becomes
structure: the remarks are made here, and all reader text is neutralized when
the file is written (``critique_file``).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from counterpoint.errors import ContentError
from counterpoint.inbox.critique_file import RemarkDraft
from counterpoint.inbox.passages import EssayText, Found
from counterpoint.source.frontmatter import load_yaml, split_front_matter

_ON = re.compile(r"^[ \t]*:{3,}[ \t]*on[ \t]+(.+?)[ \t]*$")
_CLOSE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
_ITEM = re.compile(r"^[ \t]{0,3}(?:\d{1,3}[.)]|[-*+])[ \t]+(.*)$")
_INLINE = re.compile(r"«([^«»\n]{3,})»|“([^“”\n]{3,})”|„([^„“\n]{3,})“|\"([^\"\n]{3,})\"")
_QUOTED_ARG = re.compile(r'^(["«“„])(.+)(["»”“])$')
_MIN_LINE = 24  # a whole line is tried as a passage only when at least this long
_MIN_REPORTED_WORDS = 3  # shorter «…» that match nothing are terms, not quotes: not reported


@dataclass(frozen=True)
class QuoteOutcome:
    line: int  # in the pasted text, 1-based
    found: Found
    target: str = ""  # '#id' for an id the control wrote


@dataclass(frozen=True)
class Pasted:
    general: str
    remarks: tuple[RemarkDraft, ...]
    outcomes: tuple[QuoteOutcome, ...]
    meta: dict[str, str] = field(default_factory=dict)  # plain values of a front matter the text opened with


@dataclass
class _Open:
    remark: RemarkDraft
    lines: list[str]
    in_item: bool
    closable: bool  # opened by '::: on': ends at the ':::' line


def convert(text: str, essay: EssayText, claim_ids: frozenset[str] = frozenset()) -> Pasted:  # noqa: C901 - one pass over the lines, a branch per kind of line
    # Long: one pass over the pasted lines, a branch per kind of line.
    """Split ``text`` into general text and remarks on the passages it quotes."""
    text = re.sub(r"\r\n?", "\n", text).removeprefix("\ufeff")
    meta, text, first = _front_matter(text)
    lines = text.split("\n")
    general: list[str] = []
    remarks: list[RemarkDraft] = []
    outcomes: list[QuoteOutcome] = []
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            body = current.lines[:1] + textwrap.dedent("\n".join(current.lines[1:])).split("\n")
            remarks.append(RemarkDraft(current.remark.target, "\n".join(body).strip("\n"), current.remark.quoted))
            current = None

    def keep(line: str) -> None:
        (current.lines if current is not None else general).append(line)

    unfound_on = False  # a '::: on' that matched nothing: its ':::' is dropped too
    number = 0
    while number < len(lines):
        line = lines[number]
        here = number + first
        number += 1
        on = _ON.match(line)
        if on:
            arg = on.group(1)
            if arg.startswith("#") and arg[1:] in claim_ids:
                close()
                outcomes.append(QuoteOutcome(here, Found(arg), arg))
                current = _Open(RemarkDraft(arg[1:], "", quoted=False), [], False, True)
                continue
            quoted = _QUOTED_ARG.match(arg)
            found = essay.find(quoted.group(2) if quoted else arg)
            outcomes.append(QuoteOutcome(here, found))
            close()
            if found.passage:
                current = _Open(RemarkDraft(found.passage, ""), [], False, True)
            else:  # kept for the author to see, as a quotation in the general text
                general += ["> " + found.quote, ""]
                unfound_on = True
            continue
        if _CLOSE.match(line) and ((current is not None and current.closable) or unfound_on):
            close()
            unfound_on = False
            continue
        if line.lstrip().startswith(">"):
            run = [line]
            while number < len(lines) and lines[number].lstrip().startswith(">"):
                run.append(lines[number])
                number += 1
            quote = " ".join(re.sub(r"^[ \t]*(?:>[ \t]?)+", "", item) for item in run)
            found = essay.find(quote)
            if len(quote.split()) >= 2 or found.passage:
                outcomes.append(QuoteOutcome(here, found))
            if found.passage:
                close()
                current = _Open(RemarkDraft(found.passage, ""), [], False, False)
            else:
                for run_line in run:
                    keep(run_line)
            continue
        item = _ITEM.match(line)
        content = item.group(1) if item else line
        if current is not None and current.in_item and line.strip() and not line[:1].isspace():
            if item or (number >= 2 and not lines[number - 2].strip()):
                close()  # a new list item, or a paragraph after the list: the point is over
        hit, tried = _quoted_in(content, essay)
        if hit is not None:
            outcomes.append(QuoteOutcome(here, hit))
            close()
            current = _Open(RemarkDraft(hit.passage, ""), [content], bool(item), False)
            continue
        for miss in tried:
            if len(miss.quote.split()) >= _MIN_REPORTED_WORDS:
                outcomes.append(QuoteOutcome(here, miss))
        keep(line)
    close()
    return Pasted("\n".join(general).strip("\n"), tuple(remarks), tuple(outcomes), meta)


def _quoted_in(content: str, essay: EssayText) -> tuple[Found | None, list[Found]]:
    """The first passage of the essay that ``content`` quotes (or is), and the
    quotes that matched nothing."""
    misses: list[Found] = []
    for match in _INLINE.finditer(content):
        quote = next(group for group in match.groups() if group)
        found = essay.find(quote)
        if found.passage:
            return found, misses
        misses.append(found)
    stripped = content.strip()
    if not misses and len(stripped) >= _MIN_LINE:
        found = essay.find(stripped)
        if found.passage:
            return found, misses
    return None, misses


def _front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """The plain values of a front matter the pasted text opens with (the page's
    control writes ``essay:`` and ``date:``), the rest of the text, and the
    line the rest starts on.  Text that is not valid front matter stays text."""
    fence = split_front_matter(text)
    if not fence or fence[0] is None:
        return {}, text, 1
    front, body, body_line = fence
    try:
        data, _ = load_yaml((front or "").encode(), Path("pasted text"), Path("/"), untrusted=True)
    except ContentError:
        return {}, text, 1
    meta = {str(k): v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}
    return meta, body or "", body_line
