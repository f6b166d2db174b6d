"""Reader text that can never become structure in a critique file.

A critique file is the author's record: its front matter, ``::: on`` remarks
and ``::: reply`` blocks are the author's to write.  When counterpoint itself
puts a reader's words into such a file, every line that the critique parser
would read as a directive (``:::`` at the start of a line, also inside a
blockquote or a list item), and a ``---``/``+++`` line at the very top (front
matter), is escaped with a backslash: Markdown shows the line as it was
written, as text.  A fenced code block the reader left open is closed, so it
cannot swallow the structure that follows it.  Control characters go: they do
not show on a page, and a critique file holding one does not build.
"""

from __future__ import annotations

import re

from counterpoint.source.frontmatter import CONTROL_CHARACTERS  # what a content file may not hold

# What may stand before a block's first character on a line: indentation,
# blockquote markers and list markers, in any nesting.
_PREFIX = r"(?:[ \t]|>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))*"
_DIRECTIVE = re.compile(r"^(" + _PREFIX + r")(:{3,})", re.M)
_FRONT = re.compile(r"\A([ \t]*)(-{3,}|\+{3,})")
_NEWLINES = re.compile(r"\r\n?|[\v\f\x85\u2028\u2029]")
_SENTINEL = "counterpoint-sentinel"


def neutralize(text: str) -> str:
    """``text`` with every line that could start a directive or front matter
    escaped (``\\:::``, ``\\---``), an open code fence closed, control characters
    (NUL, ESC, BEL…) removed.

    Only backslashes and a closing fence are ever added: the reader's words
    stay visible as they were written."""
    text = CONTROL_CHARACTERS.sub("", _NEWLINES.sub("\n", text)).removeprefix("\ufeff")
    text = _DIRECTIVE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _FRONT.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text + _closing_fence(text)


def _closing_fence(text: str) -> str:
    """The line that closes a code fence left open at the end of ``text``, or ''."""
    if "```" not in text and "~~~" not in text:
        return ""
    from counterpoint.markup.markdown import reader_parser  # lazily: markdown-it, only for text with a code fence

    tokens = reader_parser().parse(text + "\n\n" + _SENTINEL + "\n")
    if tokens and tokens[-1].type == "paragraph_close" and len(tokens) >= 2 and tokens[-2].content == _SENTINEL:
        return ""
    fences = [t for t in tokens if t.type == "fence"]
    if not fences:
        return ""
    return "\n" + fences[-1].markup[0] * (len(fences[-1].markup) + 3) + "\n"
