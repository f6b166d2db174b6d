"""A critique file written by counterpoint: its structure from counterpoint,
every piece of reader text neutralized on the way in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from counterpoint.inbox.neutralize import neutralize

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class RemarkDraft:
    target: str  # 'passage of the essay' (quoted when written) or '#claim-id'
    text: str  # the reader's words
    quoted: bool = True


@dataclass(frozen=True)
class ReplyDraft:
    name: str  # already decided by the caller: the site author's name only for the author's own comments
    date: str  # YYYY-MM-DD
    text: str


@dataclass(frozen=True)
class CritiqueDraft:
    author: str
    date: str
    general: str = ""
    remarks: tuple[RemarkDraft, ...] = ()
    replies: tuple[ReplyDraft, ...] = ()
    stance: str = "notes"
    source: str = ""
    status: str = ""
    notes: tuple[str, ...] = ()  # YAML comment lines in the front matter (what made the file)


def one_line(text: str) -> str:
    """A value for a single line: control characters and line breaks become spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def yaml_str(text: str) -> str:
    return json.dumps(one_line(text), ensure_ascii=False)


def critique_text(draft: CritiqueDraft) -> str:
    """The file: front matter, general text, remarks, replies."""
    front = [f"author: {yaml_str(draft.author)}", f"date: {draft.date}", f"stance: {draft.stance}"]
    if draft.source:
        front.append(f"source: {yaml_str(draft.source)}")
    if draft.status:
        front.append(f"status: {draft.status}")
    front += ["# " + one_line(note) for note in draft.notes]
    parts = ["---\n" + "\n".join(front) + "\n---\n"]
    if draft.general.strip():
        parts.append(neutralize(draft.general.strip("\n")).rstrip("\n") + "\n")
    for remark in draft.remarks:
        target = f'"{one_line(remark.target)}"' if remark.quoted else "#" + one_line(remark.target)
        parts.append(f"::: on {target}\n" + _block(remark.text) + ":::\n")
    for reply in draft.replies:
        name = one_line(reply.name) or "anonymous"
        parts.append(f"::: reply {name}, {reply.date}\n" + _block(reply.text) + ":::\n")
    return "\n".join(parts)


def _block(text: str) -> str:
    body = neutralize(text.strip("\n")).rstrip("\n")
    return body + "\n" if body.strip() else ""
