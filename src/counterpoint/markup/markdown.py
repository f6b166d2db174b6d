"""The two Markdown dialects: the author's (essays) and the reader's (critiques).

Both are markdown-it-py parsers configured once per process. The author's
dialect has raw HTML, attributes, footnotes, claims and UPD containers; the
reader's has none of that: it is the untrusted one, and everything it renders
passes the sanitizer in ``sanitize.py`` afterwards.

The plugins only *collect* (claims, headings, UPDs, remarks) into ``env``;
resolving what points where happens later, in ``link.py``, once every file of
the essay has been parsed.

One module: the author's and the reader's dialects share their plugins and the rules for ids.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import render_footnote_anchor

from counterpoint.markup import urls
from counterpoint.markup.env import collecting, rendering
from counterpoint.markup.highlight import highlight, language
from counterpoint.markup.mathml import math_plugin
from counterpoint.markup.slugs import heading_slug

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]*$")
_HEADING_ID_RE = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
# ids the essay page itself uses (theme sections): a generated heading id steps around them
RESERVED_IDS = frozenset({"main", "critiques", "critiques-title", "ledger", "ledger-title", "search", "cp-critique"})


def _container_validate(name: str):
    def validate(params: str, *args: Any) -> bool:
        return params.strip().split(" ", 1)[0] == name

    return validate


def render_upd(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """The ``::: upd`` container's render rule, registered with it: the block's opening
    as the render stage makes it (``Rendering.upd``), or a plain section."""
    token = tokens[idx]
    if token.nesting == -1:
        return "</section>\n"
    update = token.meta.get("upd") if token.meta else None
    hook = rendering(env).upd
    return hook(update) if update is not None and hook is not None else '<section class="upd">\n'


@cache
def essay_parser() -> MarkdownIt:
    """The author's Markdown: CommonMark + GFM tables/strikethrough, footnotes,
    attributes, claims, heading ids, ``::: upd`` blocks, ``$math$`` and bare URLs linked."""
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    linkify_bare_urls(md)
    md.core.ruler.at("normalize", normalize_if_needed)
    footnote_plugin(md)
    math_plugin(md)
    attrs_plugin(md, spans=True, allowed=["id", "class", "was"])
    attrs_block_plugin(md, allowed=["id", "class", "was"])
    md.block.ruler.at("attr", attribute_line)
    md.core.ruler.before("attr", "counterpoint_dangling_claims", dangling_block_claims)
    container_plugin(md, "upd", validate=_container_validate("upd"), render=render_upd)
    md.core.ruler.push("counterpoint_essay", collect_essay_targets)
    md.core.ruler.push("counterpoint_blocks", stray_blocks(("upd",), ESSAY_ELSEWHERE, ESSAY_BLOCKS, "'::: upd DATE'"))
    md.add_render_rule("claim_open", render_claim_open)
    md.add_render_rule("claim_close", lambda *a: "</span>")
    md.add_render_rule("claim_after", render_claim_after)
    md.add_render_rule("footnote_anchor", render_footnote_backref)
    urls.install(md)
    stop_text_where_rules_start(md)
    return md


def render_footnote_backref(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """The footnote's link back to its reference ("↩︎"), named for a screen reader by
    ``Rendering.footnote_back`` when the page gives one."""
    html: str = render_footnote_anchor(self, tokens, idx, options, env)
    name = rendering(env).footnote_back
    if name is None:
        return html
    label = escapeHtml(name(self.rules["footnote_anchor_name"](tokens, idx, options, env)))
    return html.replace(' class="footnote-backref"', f' class="footnote-backref" aria-label="{label}"', 1)


@cache
def reader_parser() -> MarkdownIt:
    """Reader text: no raw HTML, no attributes, no ids, safe links only.

    ``::: on`` and ``::: reply`` split a critique into remarks and replies;
    ``::: upd`` is deliberately unknown here, so a reader cannot forge one.
    """
    md = MarkdownIt("commonmark", {"html": False, "highlight": highlight, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    linkify_bare_urls(md)
    md.core.ruler.at("normalize", normalize_if_needed)
    md.validateLink = is_safe_link  # type: ignore[method-assign]  # linkify asks it too
    math_plugin(md)
    container_plugin(md, "on", validate=_container_validate("on"))
    container_plugin(md, "reply", validate=_container_validate("reply"))
    md.core.ruler.push("counterpoint_reader", demote_headings)
    md.core.ruler.push(
        "counterpoint_blocks",
        stray_blocks(("on", "reply"), READER_ELSEWHERE, READER_BLOCKS, "'::: on …' or '::: reply …'"),
    )
    urls.install(md)
    stop_text_where_rules_start(md)
    return md


# The characters at which each inline rule of these parsers can begin (markdown-it-py's
# own and the plugins'); "]" ends a link's or a span's text, which markdown-it finds by
# stepping over the text token by token.
RULE_STARTS = {
    "text": "",
    "linkify": ":",
    "newline": "\n",
    "math_inline": "$",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[]",
    "span": "[]",
    "image": "!",
    "footnote_inline": "^",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "attr": "{",
}


def stop_text_where_rules_start(md: MarkdownIt) -> None:
    """Text runs on to the next character at which one of ``md``'s inline rules can begin.

    markdown-it stops a run of text at every character some extension might want
    (``-``, ``#``, ``=``, ``+``, ``%``, ``@``, ``>``, ``}``…) and tries each of its inline
    rules there, ~17 calls that all decline at a hyphen. These parsers' rules begin at
    fewer characters, so text runs on over the others: the same tokens, 4 % of an
    essay's parse. A rule not in ``RULE_STARTS`` is a KeyError here, not a rule that
    never fires.
    """
    starts = "".join(RULE_STARTS[name] for name in md.inline.ruler.get_active_rules())
    md.inline.terminator_re = re.compile("[" + re.escape("".join(sorted(set(starts)))) + "]")


def linkify_bare_urls(md: MarkdownIt) -> None:
    """Bare URLs and e-mail addresses become links; "index.md" does not (no fuzzy hosts).

    linkify-it's own pretest is one large Unicode regex run over every paragraph, which
    made it an eighth of an essay's render. Without fuzzy hosts, a link needs a schema,
    and linkify-it's validators ask ``http:``, ``https:``, ``ftp:`` and ``//`` for a
    ``//`` and ``mailto:`` (like a bare e-mail address) for an ``@``. So text with
    neither is skipped before any regex, and that check is the pretest: markdown-it
    only uses it to pass over a paragraph, then tests each piece of its text, which
    a paragraph's own link (``[text](https://…)``) is not part of. The same links,
    found faster (prose is full of colons, and of links written as links).
    """
    linkify = md.linkify
    assert linkify is not None  # linkify-it-py: a dependency
    linkify.set({"fuzzy_link": False})  # "index.md" is not a link to Moldova
    test = linkify.test

    def may_link(text: str) -> bool:
        return "//" in text or "@" in text

    linkify.pretest = may_link  # type: ignore[method-assign]
    linkify.test = lambda text: may_link(text) and test(text)  # type: ignore[method-assign]


def attribute_line(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line ``{#id .class}`` before a block, and nothing else: the whole line must
    parse as an attribute list that sets at least one attribute.  The plugin's own
    rule takes any line that starts with a brace-comment (``{% raw %}``,
    ``{% highlight liquid %}``) as an empty attribute list and drops it from the page."""
    first = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("{", first):  # most lines: decided before the line is copied
        return False
    text = state.src[first : state.eMarks[start]].rstrip(" \t")
    if state.sCount[start] - state.blkIndent >= 4 or not text.startswith("{") or not text.endswith("}"):
        return False
    try:
        stop, attrs = parse_attrs(text)
    except ParseError:
        return False
    if stop != len(text) - 1 or not attrs:
        return False
    if silent:
        return True
    token = state.push("attrs_block", "", 0)
    token.attrs = attrs  # type: ignore[assignment]
    token.map = [start, start + 1]
    state.line = start + 1
    return True


def normalize_if_needed(state: StateCore) -> None:
    """markdown-it's ``normalize`` (CR and CRLF to LF, NUL to U+FFFD), skipped when
    there is nothing to change: its regex substitutes every newline of the
    document, about 0.1 ms for an essay, and ``decode_text`` already made LF."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def is_safe_link(url: str) -> bool:
    """http(s), mailto and relative links; nothing that can run or embed."""
    probe = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()
    scheme = re.match(r"^[a-z][a-z0-9+.-]*:", probe)
    return scheme is None or scheme.group(0) in _SAFE_SCHEMES


def demote_headings(state: StateCore) -> None:
    """A reader's ``# Title`` becomes an ``h3``: it sits inside a critique."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + 2)
            token.tag = f"h{level}"


ESSAY_BLOCKS = "an essay's blocks are '::: upd DATE'; remarks ('::: on') and replies ('::: reply') go in critiques"
READER_BLOCKS = "a critique's blocks are '::: on #claim' or '::: on \"quote\"' and '::: reply NAME, DATE'"
ESSAY_ELSEWHERE = {
    "on": "'::: on' belongs in a critique file",
    "reply": "'::: reply' belongs in a critique file",
}
READER_ELSEWHERE = {"upd": "'::: upd' is the essay's author's: a critique cannot hold one"}


def stray_blocks(known: tuple[str, ...], elsewhere: dict[str, str], hint: str, example: str):
    """A core rule for the ``:::`` lines of a dialect: a block left open (markdown-it
    closes it at the end of the document, or of the list or quote it is in), and a
    line that opens no block of the dialect (``::: UPD``, ``::: remark``, a ``::: on``
    in an essay) or closes none, are errors.  Markdown shows such a line as text, and
    the UPD or remark the author meant would not exist.  The ``:::`` that closes such
    a line, or a block that ended early (nested in another, whose own ``:::`` ended
    both), is not said again."""

    def rule(state: StateCore) -> None:
        pending = 0  # closing lines already explained
        lines: list[str] | None = None
        ends: set[int] = set()  # the closing lines of the blocks so far: one closes one block
        problems = collecting(state.env).problems
        if ":::" not in state.src:
            return
        for token in state.tokens:
            kind = token.type
            if kind != "inline" and token.nesting == 1 and kind.startswith("container_"):
                lines = lines if lines is not None else state.src.split("\n")
                end = token.map[1] if token.map else -1
                closed = container_closed(lines, token)
                if not closed:
                    line = token.map[0] + 1 if token.map else 0
                    problems.append((line, UNCLOSED.format(name=token.type.split("_")[1]), UNCLOSED_HINT))
                pending += not closed or end in ends  # its own ':::' comes later, as text
                ends.add(end)
            if kind != "inline" or ":::" not in token.content:
                continue
            for number, text in enumerate(token.content.split("\n")):
                words = text.strip().lstrip(":").split(maxsplit=1) if text.strip().startswith(":::") else None
                if words is None or (not words and pending):
                    pending -= words is not None
                    continue
                line = (token.map[0] if token.map else 0) + number + 1
                problems.append((line, *_stray(words, known, elsewhere, hint, example)))
                pending += bool(words)

    return rule


def _stray(words: list[str], known: tuple[str, ...], elsewhere: dict[str, str], hint: str, example: str):
    if not words:
        return "':::' closes no block", f"remove it, or open the block it ends ({example})"
    if words[0] in elsewhere:
        return elsewhere[words[0]], hint
    near = next((k for k in known if words[0].lower().startswith(k)), "")
    return f"unknown block '::: {words[0]}'" + (f": did you mean '::: {near}'?" if near else ""), hint


def collect_essay_targets(state: StateCore) -> None:
    # Long: one pass over the tokens records every kind of target.
    """Record every claim, heading id and UPD of the essay into ``env``.

    ``Collected.targets`` gets ``(id, kind, line, token_index, text)`` tuples;
    ``Collected.upds`` gets ``(info, line, open_index, close_index)``;
    ``Collected.was`` maps a claim id to the earlier texts its ``was="…"`` names
    (several separated by `` | ``), and the attribute leaves the token.  Inline
    ``[text]{.claim #id}`` spans are retyped to ``claim_open``/``claim_close``.
    """
    env = state.env
    found = collecting(env)
    targets, upds, problems, ids = found.targets, found.upds, found.problems, found.ids
    # a generated heading id steps around the ids written, the theme's, and those the page
    # gives its critiques, remarks (``Collected.taken``) and UPDs
    explicit_ids = _explicit_ids(state.tokens) | RESERVED_IDS | found.taken | _upd_ids(state.tokens)
    used: set[str] = set()
    suffixes: dict[str, int] = {}
    tokens = state.tokens
    upd_stack: list[int] = []
    too_deep = state.md.options.get("maxNesting", 20) - 1  # markdown-it drops what is nested deeper
    for index, token in enumerate(tokens):
        kind, nesting = token.type, token.nesting
        if kind == "inline" and "{" not in token.content:
            continue  # no attribute span, so no claim in it: the common case, decided without its children
        line = token.map[0] + 1 if token.map else 0
        if token.attrs and "was" in token.attrs:
            _take_was(token, line, env, problems)
        if too_deep and nesting == 1 and token.level >= too_deep and kind in _NESTING:
            problems.append(
                (
                    line,
                    f"blocks nested more than {too_deep + 1} levels deep: what is inside is not shown",
                    "use fewer levels of lists and block quotes (a list item counts two)",
                )
            )
            too_deep = 0  # once per essay
        if nesting == 1 and token.attrs.get("id") and kind != "heading_open":
            ids.append((str(token.attrs["id"]), _attrs_line(state.src, line, f"#{token.attrs['id']}")))
        if kind == "heading_open":
            inline = tokens[index + 1]
            explicit = _take_heading_id(inline)
            if explicit:
                token.attrs["id"] = explicit
                ids.append((explicit, line))
            elif "id" in token.attrs:  # from a {#id} line above it
                ids.append((str(token.attrs["id"]), _attrs_line(state.src, line, f"#{token.attrs['id']}")))
            else:
                token.attrs["id"] = _unique(
                    heading_slug(_plain_text(inline)) or "section", used, explicit_ids, suffixes
                )
            used.add(str(token.attrs["id"]))
            targets.append((str(token.attrs["id"]), "heading", line, index, _plain_text(inline)))
        elif nesting == 1 and token.attrs and _has_claim_class(token) and kind != "container_upd_open":
            claim_id = token.attrs.get("id")
            if not claim_id:
                problems.append((line, "block claim has no id", "write it as {.claim #some-id}"))
                continue
            token.attrs["data-claim"] = claim_id
            line = _attrs_line(state.src, line, f"#{claim_id}")
            problems.extend(
                _claim_problems([], 0, str(claim_id), line, _several_ids(_lines(state.src)[line - 1] if line else ""))
            )
            targets.append((str(claim_id), "block", line, index, _block_text(tokens, index)))
        elif nesting == 0 and token.attrs and token.block and _has_claim_class(token):
            problems.append(
                (
                    _attrs_line(state.src, line, ".claim"),
                    f"a block claim cannot mark a {token.type.replace('_', ' ')}",
                    _BLOCK_HINT,
                )
            )
        elif kind == "inline" and token.children:
            _retype_inline_claims(token, index, line, targets, problems, ids, env)
        elif kind == "container_upd_open":
            upd_stack.append(index)
            problems.extend(_claim_on_upd(state.src, token, line))
        elif kind == "container_upd_close" and upd_stack:
            start = upd_stack.pop()
            open_token = tokens[start]
            upds.append((open_token.info.strip(), open_token.map[0] + 1 if open_token.map else 0, start, index))


_BLOCK_HINT = "put {.claim #id} right before a paragraph, list, blockquote or table"


def dangling_block_claims(state: StateCore) -> None:
    """A ``{.claim #id}`` line with no block after it (the last line of the essay, of a
    quote, a list item or a UPD) is an error: the attributes plugin, which gives a line's
    attributes to the next block, drops them then, and the claim would not exist."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "attrs_block" or not _has_claim_class(token):
            continue
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if after is not None and after.type == "attrs_block" and after.attrs.get("id") and token.attrs.get("id"):
            collecting(state.env).problems.append(
                (
                    token.map[0] + 1 if token.map else 0,
                    f"two block claim lines for one block: '#{token.attrs['id']}' is lost",
                    "keep one {.claim #id} line, or put the block it marks between them",
                )
            )
        elif after is None or after.nesting < 0:
            where = token.map[0] + 1 if token.map else 0
            what = f"'#{token.attrs['id']}'" if token.attrs.get("id") else "{.claim}"
            collecting(state.env).problems.append(
                (
                    where,
                    f"block claim {what} marks nothing: no block follows it",
                    "put {.claim #id} on the line right before the paragraph, list, blockquote or table it marks",
                )
            )


_MARKER = re.compile(r"\{[^{}\n]*\}")
_MARKER_ID = re.compile(r"(?:^|\s)#([^\s{}]+)")


def _claim_problems(
    children: list[Token], pos: int, claim_id: str, line: int, several: dict[str, list[str]], in_brackets: bool = False
) -> list[tuple[int, str, str]]:
    """What is wrong with the claim whose span opens at ``pos`` of ``children`` (none:
    a block claim): its marker gives other ids too (``several``), it is inside a
    link's text (``in_brackets``: a '[' is open before it), it has no words."""
    problems = [_two_ids(several[claim_id], line)] if claim_id in several else []
    if in_brackets:
        problems += _in_link_text(children, pos, claim_id, line)
    if children and _empty_span(children, pos):  # an empty span on the page, an empty row in the ledger
        hint = f"put the claim's words between the brackets: [the words]{{.claim #{claim_id}}}"
        problems.append((line, f"claim '#{claim_id}' has no words", hint))
    return problems


def _several_ids(text: str) -> dict[str, list[str]]:
    """The claim markers in ``text`` that give more than one id, by the id the syntax
    keeps (the last): the claim the others named would not exist."""
    found: dict[str, list[str]] = {}
    if text.count("#") < 2:
        return found
    for marker in _MARKER.findall(text):
        ids = _MARKER_ID.findall(marker[1:-1])
        if len(ids) > 1 and ".claim" in marker:
            found[ids[-1]] = ids
    return found


def _two_ids(ids: list[str], line: int) -> tuple[int, str, str]:
    written = ", ".join("#" + i for i in ids)
    count = "two" if len(ids) == 2 else str(len(ids))
    return (
        line,
        f"claim marker gives {count} ids ({written}): a claim has one",
        f"keep one of them: {{.claim #{ids[-1]}}}",
    )


UNCLOSED = "::: {name} is not closed: everything after it would be part of it"
UNCLOSED_HINT = "add a line ':::' where the block ends"
_CLOSING = re.compile(r"(?:[ \t]*>)*[ \t]*:{3,}[ \t]*")  # in a quote too: "> :::"


def _claim_on_upd(src: str, token: Token, line: int) -> list[tuple[int, str, str]]:
    """A ``::: upd`` marked as a claim: the page has no element for that claim
    (``render_upd`` writes the UPD's own opening)."""
    if token.attrs and _has_claim_class(token):
        return [(_attrs_line(src, line, ".claim"), "a block claim cannot mark a UPD", _BLOCK_HINT)]
    return []


def container_closed(lines: list[str], token: Token) -> bool:
    """Whether a ``:::`` block ends at a line of its own (``lines``: the source's):
    markdown-it closes one that does not at the end of the document (or of the list
    or quote it is in)."""
    if not token.map:
        return True
    end = token.map[1]
    return end < len(lines) and _CLOSING.fullmatch(lines[end]) is not None


_NESTING = ("blockquote_open", "list_item_open", "container_upd_open", "footnote_open")


def _attrs_line(src: str, line: int, needle: str) -> int:
    """The line of a block's ``{.claim #id}``: the one just above the block, when it is there."""
    lines = _lines(src)
    if 2 <= line <= len(lines) + 1 and needle in lines[line - 2] and lines[line - 2].lstrip().startswith("{"):
        return line - 1
    return line


@lru_cache(maxsize=4)
def _lines(src: str) -> tuple[str, ...]:
    """``src`` split once per document, not once per block claim (a string's hash is cached)."""
    return tuple(src.split("\n"))


_UPD_DATE_RE = re.compile(r"\s*upd\s+(\d{4}-\d{2}-\d{2})")


def _upd_ids(tokens: list[Token]) -> set[str]:
    """The ids the UPD blocks get (``upd-2026-01-17``, ``upd-2026-01-17-2``…), as
    ``parse._collect_updates`` gives them, ahead of it: headings step around them."""
    ids: set[str] = set()
    seen: dict[str, int] = {}
    for token in tokens:
        if token.type == "container_upd_open":
            match = _UPD_DATE_RE.match(token.info)
            if match:
                base = f"upd-{match.group(1)}"
                seen[base] = seen.get(base, 0) + 1
                ids.add(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _explicit_ids(tokens: list[Token]) -> set[str]:
    """Every id the author wrote (``{#id}`` on blocks, headings and claim spans):
    generated heading ids step around them instead of colliding."""
    ids: set[str] = set()
    for index, token in enumerate(tokens):
        if token.attrs and token.attrs.get("id"):
            ids.add(str(token.attrs["id"]))
        if token.type == "heading_open" and index + 1 < len(tokens):
            children = tokens[index + 1].children or []
            if children and children[-1].type == "text":
                match = _HEADING_ID_RE.search(children[-1].content)
                if match:
                    ids.add(match.group(1))
        elif token.type == "inline" and "{" in token.content:  # no attribute span without a brace
            ids.update(str(c.attrs["id"]) for c in token.children or () if c.type == "span_open" and c.attrs.get("id"))
    return ids


def _empty_span(children: list[Token], start: int) -> bool:
    """The span opened at ``start`` holds nothing but spaces (an image or a formula is something)."""
    rest = children[start + 1 : start + 3]
    if rest and rest[0].type == "text" and not rest[0].content.strip():
        rest = rest[1:]
    return bool(rest) and rest[0].type == "span_close"


_ESCAPED = re.compile(r"\\(.)")


def _take_was(token: Token, line: int, env: MutableMapping[str, Any], problems: list) -> None:
    """Move ``was="…"`` off a token into ``Collected.was``: it is data, never an HTML attribute."""
    earlier = _ESCAPED.sub(r"\1", str(token.attrs.pop("was")))  # was="it's \"so\"": the syntax keeps the backslashes
    claim_id = token.attrs.get("id")
    if not _has_claim_class(token) or not claim_id:
        problems.append((line, 'was="…" belongs on a claim', 'write it as [new text]{.claim #id was="old text"}'))
        return
    texts = tuple(t for t in (" ".join(part.split()) for part in earlier.split(" | ")) if t)
    if texts:
        collecting(env).was[str(claim_id)] = texts


def _retype_inline_claims(
    inline: Token,
    index: int,
    line: int,
    targets: list,
    problems: list,
    ids: list,
    env: MutableMapping[str, Any] | None = None,
) -> None:
    children = inline.children or []
    stack: list[Token | None] = []
    # once per paragraph, not per claim (a paragraph may hold a thousand): markers with two ids,
    # and whether a link's text may hold a claim, with the '[' still open before each child
    several = _several_ids(inline.content)
    linking = "](" in inline.content or "][" in inline.content
    brackets = 0
    for pos, child in enumerate(children):
        if child.attrs.get("id"):  # a span's, a link's, an image's {#id}
            ids.append((str(child.attrs["id"]), line))
        if linking and child.type == "text":
            brackets += child.content.count("[") - child.content.count("]")
        if child.type in ("softbreak", "hardbreak"):
            line += 1  # a claim's line is the line it starts on, not its paragraph's
        elif child.type == "text" and "{" in child.content:
            unread = _UNREAD_CLAIM.search(child.content)
            if unread:  # attribute syntax Markdown could not read stays text: the claim would not exist
                problems.append((line, f"claim marker '{unread.group()}' could not be read", _UNREAD_HINT))
        elif child.type == "span_open":
            if child.attrs and "was" in child.attrs:
                _take_was(child, line, env if env is not None else {}, problems)
            if _has_claim_class(child):
                claim_id = child.attrs.get("id")
                if not claim_id:
                    problems.append((line, "claim has no id", "write it as [text]{.claim #some-id}"))
                    stack.append(None)
                    continue
                child.type = "claim_open"
                child.tag = "span"
                child.meta = {"claim": str(claim_id)}
                problems.extend(_claim_problems(children, pos, str(claim_id), line, several, linking and brackets > 0))
                stack.append(child)
                targets.append((str(claim_id), "inline", line, index, _span_text(children, pos)))
            else:
                stack.append(None)
        elif child.type == "span_close" and stack:
            opener = stack.pop()
            if opener is not None:
                child.type = "claim_close"


def _in_link_text(children: list[Token], start: int, claim_id: str, line: int) -> list[tuple[int, str, str]]:
    """A claim span inside a link's text (``[see [words]{.claim #x} here](url)``):
    CommonMark lets no link's text hold another bracketed construct, so markdown-it
    gives up the link, and its brackets and address stay on the page as text."""
    depth, end = 0, start  # the claim's own span_close (the spans after it are not retyped yet)
    for end in range(start, len(children)):
        depth += children[end].type == "span_open" or end == start
        depth -= children[end].type == "span_close"
        if depth == 0:
            break
    rest = children[end + 1 : end + 3]
    text = rest[0].content if rest and rest[0].type == "text" else ""
    link_next = len(rest) == 2 and rest[1].type == "link_open" and text.rstrip().endswith("]")
    if "](" not in text and "][" not in text and not link_next:
        return []
    hint = f"put the link inside the claim instead: [see [the words](https://…) here]{{.claim #{claim_id}}}"
    return [(line, f"claim '#{claim_id}' is inside a link's text: the link would be lost", hint)]


_UNREAD_CLAIM = re.compile(r"\{[^{}\n]*\.claim\b[^{}\n]*\}?")
_UNREAD_HINT = (
    "write it as [the claim's words]{.claim #id}, or {.claim #id} on the line before a paragraph: "
    "an id takes letters, digits, '-' and '_'; a value with spaces, quotes: was=\"…\""
)


def _span_text(children: list[Token], start: int) -> str:
    """The text of the inline claim that opens at ``start``."""
    depth = 0
    for pos in range(start, len(children)):  # no copy of the rest per claim: only its own children
        kind = children[pos].type
        if kind in ("span_open", "claim_open"):
            depth += 1
        elif kind in ("span_close", "claim_close"):
            depth -= 1
            if depth == 0:
                return claim_text(children[start:pos])
    return claim_text(children[start:])


def claim_text(children: list[Token]) -> str:
    """A claim's text, as the ledger and its UPD name it: without what the author struck
    through (``[~~old~~ new]{.claim #id}``), unless that is all there is."""
    struck = 0
    parts: list[str] = []
    gone: list[str] = []  # the struck words, the text when there is nothing else
    for child in children:
        if child.type == "s_open":
            struck += 1
        elif child.type == "s_close":
            struck -= 1
        elif child.type in ("text", "code_inline"):
            (gone if struck else parts).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            (gone if struck else parts).append(" ")
    return " ".join("".join(parts).split()) or " ".join("".join(gone).split())


def _has_claim_class(token: Token) -> bool:
    return "claim" in str(token.attrs.get("class", "")).split()


def _take_heading_id(inline: Token) -> str | None:
    """``## Title {#id}``: strip the suffix and return the id."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return None
    match = _HEADING_ID_RE.search(children[-1].content)
    if not match:
        return None
    children[-1].content = children[-1].content[: match.start()]
    inline.content = _HEADING_ID_RE.sub("", inline.content)
    return match.group(1)


def _plain_text(inline: Token) -> str:
    """The inline's text as a reader sees it: a line break reads as a space."""
    return plain_text(inline.children or [])


def plain_text(children: list[Token], math: bool = False) -> str:
    """Inline tokens' text as a reader sees it: a line break reads as a space.
    ``math``: with each formula as written (``$x^2$``), for a summary; a heading's id
    leaves them out (its ids were made so)."""
    parts = [
        c.content
        if c.type in ("text", "code_inline")
        else f"${c.content}$"
        if c.type == "math_inline"
        else f"$${c.content}$$"
        if c.type == "math_inline_double"
        else " "
        for c in children
        if c.type in ("text", "code_inline", "softbreak", "hardbreak") or (math and c.type.startswith("math_inline"))
    ]
    return " ".join("".join(parts).split())


def _block_text(tokens: list[Token], index: int) -> str:
    """The text of the block opened at ``index`` (for the claim ledger)."""
    level = tokens[index].level
    parts: list[str] = []
    for pos in range(index + 1, len(tokens)):  # no copy of the rest per claim
        token = tokens[pos]
        if token.level == level and token.nesting == -1:
            break
        if token.type == "inline":
            parts.append(claim_text(token.children or []))
    return " ".join(parts)


def _unique(base: str, used: set[str], reserved: set, counters: dict[str, int] | None = None) -> str:
    # ``counters`` remembers the last suffix given per base (ids are never
    # freed), so a thousand headings with one title stay linear
    counters = counters if counters is not None else {}
    candidate, n = base, counters.get(base, 1)
    if n > 1:
        candidate = f"{base}-{n}"
    while candidate in used or candidate in reserved:
        n += 1
        candidate = f"{base}-{n}"
    counters[base] = n
    return candidate


def render_claim_open(self, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """``<span class="claim" data-claim=…>``; ``Rendering.claim_attrs`` adds the
    linked data (remark count, corrected-by) once the link pass has run."""
    token = tokens[idx]
    claim_id = token.meta["claim"]
    attrs = dict(token.attrs)
    attrs["class"] = " ".join(dict.fromkeys(["claim", *str(attrs.get("class", "")).split()]))
    attrs["data-claim"] = claim_id
    if token.meta.get("quote"):
        attrs.pop("id", None)
        if token.meta.get("first"):
            attrs["id"] = claim_id
    attrs.update(rendering(env).claim_attrs.get(claim_id, {}))
    return "<span" + "".join(f' {k}="{escapeHtml(str(v))}"' for k, v in attrs.items()) + ">"


def render_claim_after(self, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """What follows a claim's last part (its UPD badge, its count): ``Rendering.claim_after``
    writes it once the link pass has run; elsewhere (a UPD shown on its own) nothing."""
    after = rendering(env).claim_after
    return after(tokens[idx].meta["claim"]) if after else ""


def fence_languages(tokens: list[Token]) -> tuple[str, ...]:
    """The languages code blocks name (```` ```python ````), for ``highlight.prepare``."""
    names = {language(t.info).lower() for t in tokens if t.type == "fence"}
    names.discard("")
    return tuple(sorted(names))


def reading_words(tokens: list[Token]) -> int:
    """Words a reader reads: text and code, not markup."""
    count = 0
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    count += len(child.content.split())
        elif token.type in ("fence", "code_block"):
            count += len(token.content.split())
    return count
