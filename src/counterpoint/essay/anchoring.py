"""Quote anchoring: find a reader's quoted passage in the essay and make it a claim.

The essay's text is the text of its inline tokens with whitespace collapsed, so
a quote matches across emphasis, links and code.  A passage must occur exactly
once.  A quote that is not found gets the closest passage of the essay as a
hint, scored like annotation tools score quote candidates (the longest common
run locates a window, a similarity ratio ranks windows).
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field
from hashlib import blake2b

from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.token import Token

_TEXT_TYPES = ("text", "code_inline")
_BREAK_TYPES = ("softbreak", "hardbreak")
_PIECE_TYPES = _TEXT_TYPES + _BREAK_TYPES  # what ``BlockText.raw`` is made of


@dataclass
class BlockText:
    """The text of one inline token, whitespace collapsed, and where it came from.

    ``raw`` is the children's text joined as it stands; ``text`` is ``raw``
    with whitespace runs collapsed.  The mapping between the two is computed
    only for the passages that are actually wrapped.
    """

    token: int  # index of the inline token in the essay's token list
    line: int
    raw: str
    text: str
    _words: tuple[list[int], list[int], list[int], list[int]] | None = field(default=None, repr=False, compare=False)

    def _table(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Built once per block, so each lookup is a bisection, not a scan of the
        block (a paragraph may hold thousands of quoted passages)."""
        if self._words is None:
            starts: list[int] = []
            ends: list[int] = []
            norm_ends: list[int] = []  # collapsed offset where each word ends
            norm = 0
            for m in _WORD.finditer(self.raw):
                starts.append(m.start())
                ends.append(m.end())
                norm += m.end() - m.start()
                norm_ends.append(norm)
                norm += 1
            newlines = [m.start() for m in re.finditer("\n", self.raw)]
            self._words = (starts, ends, norm_ends, newlines)
        return self._words

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of the collapsed range [start, end)."""
        if self.text is self.raw and end <= len(self.raw):  # nothing collapsed: the same offsets
            return start, end
        starts, ends, norm_ends, _ = self._table()
        first = 0
        k = bisect.bisect_left(norm_ends, start)
        if k < len(starts):
            norm = norm_ends[k] - (ends[k] - starts[k])
            first = starts[k] + max(0, start - norm) if start < norm_ends[k] else ends[k]
        j = bisect.bisect_left(norm_ends, end)
        if j >= len(starts):
            return first, len(self.raw)
        return first, starts[j] + (end - (norm_ends[j] - (ends[j] - starts[j])))

    def newlines_before(self, raw_offset: int) -> int:
        if self.text is self.raw:  # nothing collapsed, so no line break either
            return 0
        return bisect.bisect_left(self._table()[3], raw_offset)


@dataclass(frozen=True)
class Match:
    block: int  # index into the list of BlockText
    start: int
    end: int


_WORD = re.compile(r"\S+")


def essay_text(tokens: list[Token]) -> list[BlockText]:
    """The text of every inline token (the whole essay is searched for each quote;
    where each piece came from is worked out in ``wrap``, for the few blocks wrapped)."""
    blocks: list[BlockText] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        raw = "".join([c.content if c.type in _TEXT_TYPES else "\n" for c in token.children if c.type in _PIECE_TYPES])
        line = token.map[0] + 1 if token.map else 0
        text = " ".join(raw.split())
        blocks.append(BlockText(index, line, raw, raw if text == raw else text))  # the same object: nothing collapsed
    return blocks


HINT_LIMIT = 25  # not-found quotes per essay that get a closest-passage hint
_CANDIDATES = 8  # blocks compared character by character, chosen by the words they share with the quote
_WINDOWS = 4  # places in a long block, around shared words, where the comparison looks
_WIDEN = 40  # at most this many characters are added to reach a word boundary


class Corpus:
    """Every block's text joined once, so that finding a quote is one search of
    one string and hints for quotes not found cost a bounded amount of work,
    however many blocks and quotes an essay has."""

    def __init__(self, blocks: list[BlockText]):
        self.blocks = blocks
        self.starts: list[int] = []
        pos = 0
        for block in blocks:
            self.starts.append(pos)
            pos += len(block.text) + 1
        self.text = "\0".join(block.text for block in blocks)  # NUL never occurs in parsed text
        self._words: list[set[str]] | None = None
        self.hints = 0

    def find(self, quote: str) -> list[Match]:
        if not quote or "\0" in quote:
            return _find_each(self.blocks, quote)
        matches: list[Match] = []
        at = self.text.find(quote)
        while at != -1:
            number = bisect.bisect_right(self.starts, at) - 1
            start = at - self.starts[number]
            matches.append(Match(number, start, start + len(quote)))
            at = self.text.find(quote, at + 1)
        return matches

    def closest(self, quote: str) -> tuple[str, int, float] | None:
        """The passage most like ``quote``: (text, line, score 0..1).

        Only the first ``HINT_LIMIT`` calls answer (later ones return None),
        only the blocks sharing the most words with the quote are compared,
        and in a long block only the windows around those words.
        """
        self.hints += 1
        if self.hints > HINT_LIMIT or not quote:
            return None
        if self._words is None:
            self._words = [set(block.text.split()) for block in self.blocks]
        words = set(quote.split())
        ranked = sorted((-len(words & self._words[n]), n) for n, block in enumerate(self.blocks) if block.text)[
            :_CANDIDATES
        ]
        best: tuple[str, int, float] | None = None
        for _, number in sorted(ranked, key=lambda r: r[1]):
            block = self.blocks[number]
            text = block.text
            matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
            for lo, hi in _windows(text, quote, words & self._words[number]):
                run = matcher.find_longest_match(lo, hi, 0, len(quote))
                if run.size == 0:
                    continue
                start = max(0, run.a - run.b)
                end = min(len(text), start + len(quote))
                # widen to word boundaries so the hint reads as the author wrote it
                floor, ceiling = max(0, start - _WIDEN), min(len(text), end + _WIDEN)
                while start > floor and not text[start - 1].isspace():
                    start -= 1
                while end < ceiling and not text[end].isspace():
                    end += 1
                candidate = text[start:end]
                score = difflib.SequenceMatcher(None, candidate, quote, autojunk=False).ratio()
                if best is None or score > best[2]:
                    best = (candidate, line_of(block, start), score)
        return best


def _windows(text: str, quote: str, shared: set[str]) -> list[tuple[int, int]]:
    """Ranges of ``text`` worth comparing with ``quote``: all of it when short,
    else a few windows around the words it shares with the quote."""
    size = 3 * len(quote) + 64
    if len(text) <= size:
        return [(0, len(text))]
    found: list[tuple[int, int]] = []
    for word in sorted(shared, key=lambda w: (-len(w), w)):
        at = text.find(word)
        if at != -1:
            found.append((max(0, at - len(quote) - 32), min(len(text), at + 2 * len(quote) + 32)))
        if len(found) >= _WINDOWS:
            break
    return found or [(0, size)]


def find(blocks: list[BlockText], quote: str) -> list[Match]:
    return Corpus(blocks).find(quote)


def _find_each(blocks: list[BlockText], quote: str) -> list[Match]:
    matches: list[Match] = []
    for number, block in enumerate(blocks):
        start = block.text.find(quote)
        while start != -1:
            matches.append(Match(number, start, start + len(quote)))
            start = block.text.find(quote, start + 1)
    return matches


def line_of(block: BlockText, start: int) -> int:
    """The source line (relative to the Markdown body) of collapsed offset ``start``."""
    raw_start = block.raw_span(start, start + 1)[0]
    return block.line + block.newlines_before(raw_start)


def quote_claim_id(quote: str) -> str:
    return "q-" + blake2b(quote.encode(), digest_size=4).hexdigest()


def wrap(tokens: list[Token], block: BlockText, spans: list[tuple[int, int, str]]) -> None:  # noqa: C901 - one sweep; its parts share six lists
    # Long: one sweep over the pieces of a block; its parts share six lists.
    """Wrap character ranges of one block in ``claim_open``/``claim_close``.

    Each text child is cut at every range boundary and each piece is wrapped
    in the claims covering it, so the result always nests properly, even when
    a passage crosses emphasis or overlaps another passage.  A partly covered
    inline code span is written out as ``<code>`` around text pieces, so the
    claim covers exactly the quoted characters inside it.
    """
    inline = tokens[block.token]
    children = inline.children or []
    cuts: dict[int, set[int]] = {}
    covering: dict[int, list[tuple[int, int, str]]] = {}
    raw_spans = [(*block.raw_span(start, end), claim_id) for start, end, claim_id in spans]
    texts, breaks = _pieces(children)
    child_ends = [child_end for _, _, child_end in texts]
    for raw_start, raw_end, claim_id in raw_spans:
        # only the children the passage overlaps: found by bisection, not by a scan
        for number in range(bisect.bisect_right(child_ends, raw_start), len(texts)):
            at, child_start, child_end = texts[number]  # the position of the child in children
            if child_start >= raw_end:
                break
            if child_end <= raw_start:
                continue
            lo, hi = max(raw_start, child_start) - child_start, min(raw_end, child_end) - child_start
            cuts.setdefault(at, set()).update((lo, hi))
            covering.setdefault(at, []).append((lo, hi, claim_id))
    # a line break inside a passage is wrapped too, so the claim's text reads as the quote
    break_offsets = [raw_pos for _, raw_pos in breaks]
    for raw_start, raw_end, claim_id in raw_spans:
        for number in range(bisect.bisect_right(break_offsets, raw_start), len(breaks)):
            pos, raw_pos = breaks[number]
            if raw_pos >= raw_end:
                break
            covering.setdefault(pos, []).append((0, 0, claim_id))
    first_seen: set[str] = set()
    out: list[Token] = []
    for pos, child in enumerate(children):
        if pos not in covering:
            out.append(child)
            continue
        if child.type in _BREAK_TYPES:
            ids = [cid for _, _, cid in covering[pos]]
            out += [Token("claim_open", "span", 1, meta={"claim": cid, "quote": True, "first": False}) for cid in ids]
            out.append(child)
            out += [Token("claim_close", "span", -1) for _ in ids]
            continue
        content = child.content
        bounds = sorted({0, len(content), *cuts[pos]})
        split_code = child.type == "code_inline" and len(bounds) > 2
        if split_code:
            out.append(_html(_code_open(child)))
        # sweep the pieces left to right, keeping the passages that cover the current one
        entries = sorted(range(len(covering[pos])), key=lambda n: covering[pos][n][0])
        active: set[int] = set()
        next_entry = 0
        for lo, hi in zip(bounds, bounds[1:]):
            if lo == hi:
                continue
            while next_entry < len(entries) and covering[pos][entries[next_entry]][0] <= lo:
                active.add(entries[next_entry])
                next_entry += 1
            active = {n for n in active if covering[pos][n][1] >= hi}
            ids = [covering[pos][n][2] for n in sorted(active)]
            piece = Token(
                "text" if split_code else child.type, child.tag, 0, content=content[lo:hi], markup=child.markup
            )
            if not split_code:
                piece.attrs = dict(child.attrs)
            for cid in ids:
                opener = Token("claim_open", "span", 1)
                opener.meta = {"claim": cid, "quote": True, "first": cid not in first_seen}
                first_seen.add(cid)
                out.append(opener)
            out.append(piece)
            out += [Token("claim_close", "span", -1) for _ in ids]
        if split_code:
            out.append(_html("</code>"))
    inline.children = out


def _pieces(children: list[Token]) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Where ``BlockText.raw`` comes from: (child index, raw start, raw end) of each
    text child and (child index, raw offset) of each line break."""
    texts: list[tuple[int, int, int]] = []
    breaks: list[tuple[int, int]] = []
    pos = 0
    for number, child in enumerate(children):
        if child.type in _TEXT_TYPES:
            texts.append((number, pos, pos + len(child.content)))
            pos += len(child.content)
        elif child.type in _BREAK_TYPES:
            breaks.append((number, pos))
            pos += 1
    return texts, breaks


def _html(markup: str) -> Token:
    return Token("html_inline", "", 0, content=markup)


def _code_open(token: Token) -> str:
    attrs = "".join(f' {k}="{escape_html(str(v))}"' for k, v in token.attrs.items())
    return f"<code{attrs}>"
