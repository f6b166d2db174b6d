"""Quote anchoring: find a reader's quoted passage in the essay and make it a claim.

The essay's text is the text of its inline tokens with whitespace collapsed, so
a quote matches across emphasis, links and code.  A passage must occur exactly
once.  A quote that is not found gets the closest passage of the essay as a
hint, scored like annotation tools score quote candidates (the longest common
run locates a window, a similarity ratio ranks windows).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from hashlib import blake2b

from markdown_it.token import Token

_TEXT_TYPES = ("text", "code_inline")
_BREAK_TYPES = ("softbreak", "hardbreak")


@dataclass
class BlockText:
    """The collapsed text of one inline token and where each character came from."""

    token: int  # index of the inline token in the essay's token list
    line: int
    text: str
    origin: list[tuple[int, int]]  # per character: (child index, offset in child.content)


@dataclass(frozen=True)
class Match:
    block: int  # index into the list of BlockText
    start: int
    end: int


def essay_text(tokens: list[Token]) -> list[BlockText]:
    blocks: list[BlockText] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        chars: list[str] = []
        origin: list[tuple[int, int]] = []
        space = True  # collapse leading whitespace
        for pos, child in enumerate(token.children):
            if child.type in _BREAK_TYPES:
                if not space:
                    chars.append(" ")
                    origin.append((pos, -1))
                    space = True
                continue
            if child.type not in _TEXT_TYPES:
                continue
            for offset, char in enumerate(child.content):
                if char.isspace():
                    if space:
                        continue
                    chars.append(" ")
                    space = True
                else:
                    chars.append(char)
                    space = False
                origin.append((pos, offset))
        while chars and chars[-1] == " ":
            chars.pop()
            origin.pop()
        line = token.map[0] + 1 if token.map else 0
        blocks.append(BlockText(index, line, "".join(chars), origin))
    return blocks


def find(blocks: list[BlockText], quote: str) -> list[Match]:
    matches: list[Match] = []
    for number, block in enumerate(blocks):
        start = block.text.find(quote)
        while start != -1:
            matches.append(Match(number, start, start + len(quote)))
            start = block.text.find(quote, start + 1)
    return matches


def closest(blocks: list[BlockText], quote: str) -> tuple[str, int, float] | None:
    """The passage most like ``quote``: (text, line, score 0..1)."""
    best: tuple[str, int, float] | None = None
    for block in blocks:
        if not block.text:
            continue
        matcher = difflib.SequenceMatcher(None, block.text, quote, autojunk=False)
        run = matcher.find_longest_match(0, len(block.text), 0, len(quote))
        if run.size == 0:
            continue
        start = max(0, run.a - run.b)
        end = min(len(block.text), start + len(quote))
        candidate = block.text[start:end]
        # widen to word boundaries so the hint reads as the author wrote it
        while start > 0 and not block.text[start - 1].isspace():
            start -= 1
        while end < len(block.text) and not block.text[end].isspace():
            end += 1
        candidate = block.text[start:end]
        score = difflib.SequenceMatcher(None, candidate, quote, autojunk=False).ratio()
        if best is None or score > best[2]:
            best = (candidate, block.line, score)
    return best


def quote_claim_id(quote: str) -> str:
    return "q-" + blake2b(quote.encode(), digest_size=4).hexdigest()


def wrap(tokens: list[Token], block: BlockText, spans: list[tuple[int, int, str]]) -> None:
    """Wrap character ranges of one block in ``claim_open``/``claim_close``.

    Each text child is cut at every range boundary and each piece is wrapped
    in the claims covering it, so the result always nests properly, even when
    a passage crosses emphasis or overlaps another passage.  A partly covered
    inline code span is wrapped whole (it cannot be split).
    """
    inline = tokens[block.token]
    children = inline.children or []
    cuts: dict[int, set[int]] = {}
    covering: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, claim_id in spans:
        used = [block.origin[i] for i in range(start, end) if block.origin[i][1] >= 0]
        by_child: dict[int, list[int]] = {}
        for child, offset in used:
            by_child.setdefault(child, []).append(offset)
        for child, offsets in by_child.items():
            lo, hi = min(offsets), max(offsets) + 1
            if children[child].type == "code_inline":
                lo, hi = 0, len(children[child].content)
            cuts.setdefault(child, set()).update((lo, hi))
            covering.setdefault(child, []).append((lo, hi, claim_id))
    first_seen: set[str] = set()
    out: list[Token] = []
    for pos, child in enumerate(children):
        if pos not in covering:
            out.append(child)
            continue
        content = child.content
        bounds = sorted({0, len(content), *cuts[pos]})
        for lo, hi in zip(bounds, bounds[1:]):
            if lo == hi:
                continue
            ids = [cid for a, b, cid in covering[pos] if a <= lo and hi <= b]
            piece = Token(child.type, child.tag, 0, content=content[lo:hi], markup=child.markup)
            for cid in ids:
                opener = Token("claim_open", "span", 1)
                opener.meta = {"claim": cid, "quote": True, "first": cid not in first_seen}
                first_seen.add(cid)
                out.append(opener)
            out.append(piece)
            for cid in reversed(ids):
                out.append(Token("claim_close", "span", -1))
    inline.children = out
