"""The parsers' text runs stop only where one of their inline rules can begin
(``markdown.stop_text_where_rules_start``): the tokens are those of markdown-it
stopping at every ASCII punctuation character, as its own, wider default does."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from counterpoint.markup import markdown

EVERY_STOP = re.compile("[" + re.escape(string.punctuation + "\n") + "]")

PIECES = [
    *string.punctuation,
    " ",
    "\n",
    "\n\n",
    "  \n",
    "word",
    "слово",
    "1-2",
    "a--b",
    "#",
    "## Heading {#h}",
    "[text]{.claim #c1}",
    "[link](https://example.org/a-b#c)",
    "[^1]",
    "^[inline note]",
    "\n\n[^1]: the note\n",
    "$x+1$",
    "$$x = y$$",
    "`code-span`",
    "~~gone~~",
    "*em* _em_ **strong**",
    "<b>",
    "<https://example.org>",
    "https://example.org/x-y",
    "mail@example.org",
    "&amp; &copy;",
    "\\-\\#",
    "{.class #id}",
    "[link](https://example.org){.c}",
    "`code`{#k}",
    "![alt](a.png){.wide}",
    "![alt](a.png)",
    "- item\n",
    "> quote\n",
    "1. one\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "\n::: upd 2026-01-02\nfixed\n:::\n",
    "\n::: on #c1\nno\n:::\n",
]


def _fresh(kind: str, stops: re.Pattern[str] | None) -> MarkdownIt:
    """A parser of its own (not the cached one), stopping text at ``stops`` if given."""
    make = markdown.essay_parser if kind == "essay" else markdown.reader_parser
    md = make.__wrapped__()
    if stops is not None:
        md.inline.terminator_re = stops
    return md


PARSERS = {kind: (_fresh(kind, None), _fresh(kind, EVERY_STOP)) for kind in ("essay", "reader")}


def _tokens(md: MarkdownIt, text: str) -> list[dict]:
    return [token.as_dict() for token in md.parse(text, {})]


@pytest.mark.parametrize("kind", ["essay", "reader"])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example(text="A [link](https://example.org){.c} and `code`{#k}, ![alt](a.png){.wide}.")
@example(text="Read [^1] and ^[this], $x$ ~~not~~ <b>b</b> &amp; \\- https://example.org.")
def test_the_same_tokens_as_stopping_at_every_punctuation_character(kind: str, text: str) -> None:
    ours, everywhere = PARSERS[kind]
    assert _tokens(ours, text) == _tokens(everywhere, text)


def test_text_runs_over_characters_no_rule_begins_at() -> None:
    stops = markdown.essay_parser().inline.terminator_re
    assert not stops.search("a-b #c = d + e % f @ g > h }")
    assert all(stops.search(c) for c in "[]*_`$^~<&{!:\\\n")


def test_a_rule_without_its_characters_is_an_error() -> None:
    md = MarkdownIt("commonmark")
    md.inline.ruler.push("unknown_rule", lambda state, silent: False)
    with pytest.raises(KeyError, match="unknown_rule"):
        markdown.stop_text_where_rules_start(md)
