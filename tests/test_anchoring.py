"""Quote anchoring: a reader's quoted passage becomes a claim on exactly that text.

The oracle is independent of the implementation: the generated paragraph's
rendered text is the words it was made of, joined by single spaces, whatever
formatting (emphasis, strong, links, code, claims) and line breaks surround them.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitefactory import build, check, collapse, critique, essay, make_site, parse_html

from counterpoint.essay import anchoring
from counterpoint.essay.link import link
from counterpoint.essay.parse import parse_essay
from counterpoint.markup.markdown import essay_parser
from counterpoint.model import EssaySource, FileRef
from counterpoint.source.config import load_config

WORDS = ["ab", "ba", "a", "b", "abc", "жук", "жа", "x-y", "q.", "z,"]
KINDS = ["plain", "plain", "em", "strong", "link", "code", "claim", "em-in-link"]


@dataclass(frozen=True)
class Paragraph:
    markdown: str  # the paragraph's source, possibly over several lines
    text: str  # its rendered text, whitespace collapsed
    lines: tuple[int, ...]  # per character of ``text``: the 0-based source line it comes from


@st.composite
def paragraphs(draw) -> Paragraph:
    segments = draw(
        st.lists(
            st.tuples(st.sampled_from(KINDS), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)),
            min_size=1,
            max_size=7,
        )
    )
    source: list[str] = []
    text: list[str] = []
    lines: list[int] = []
    line = 0
    for number, (kind, words) in enumerate(segments):
        if number:
            sep = draw(st.sampled_from([" ", " ", "\n"]))
            source.append(sep)
            text.append(" ")
            lines.append(line)
            line += sep == "\n"
        inner = " ".join(words)
        source.append(
            {
                "plain": inner,
                "em": f"*{inner}*",
                "strong": f"**{inner}**",
                "link": f"[{inner}](https://example.org/{number})",
                "code": f"`{inner}`",
                "claim": f"[{inner}]{{.claim #c{number}}}",
                "em-in-link": f"[*{inner}* end](https://example.org/{number})",
            }[kind]
        )
        if kind == "em-in-link":
            inner += " end"
        text.append(inner)
        lines += [line] * len(inner)
    return Paragraph("".join(source), "".join(text), tuple(lines))


def occurrences(text: str, quote: str) -> list[int]:
    return [m.start() for m in re.finditer(f"(?={re.escape(quote)})", text)]


@st.composite
def paragraph_and_quote(draw) -> tuple[Paragraph, str, int]:
    para = draw(paragraphs())
    start = draw(st.integers(0, len(para.text) - 1))
    end = draw(st.integers(start + 1, len(para.text)))
    quote = collapse(para.text[start:end])
    if not quote:
        quote = para.text.split()[0]
    first = para.text.find(quote)
    return para, quote, first


def anchor_and_render(markdown: str, quote: str) -> tuple[list, str]:
    """What link.py does for one quote, on one paragraph: (matches, HTML)."""
    md = essay_parser()
    env: dict = {}
    tokens = md.parse(markdown, env)
    blocks = anchoring.essay_text(tokens)
    matches = anchoring.find(blocks, quote)
    if len(matches) == 1:
        match = matches[0]
        anchoring.wrap(tokens, blocks[match.block], [(match.start, match.end, "q-test")])
    return matches, md.renderer.render(tokens, md.options, env)


def claim_text(html: str, claim_id: str) -> str:
    """The text of the outermost elements with ``data-claim=claim_id``, concatenated."""
    root = parse_html(html)
    parts = []
    for element in root.find_all(data_claim=claim_id):
        if not any(a.get("data-claim") == claim_id for a in element.ancestors()):
            parts.append(element.text())
    return collapse("".join(parts))


@settings(max_examples=150, deadline=None)
@given(paragraph_and_quote())
def test_a_passage_found_once_becomes_a_claim_on_exactly_that_text(case) -> None:
    para, quote, _ = case
    matches, html = anchor_and_render(para.markdown, quote)
    assert anchoring.essay_text(essay_parser().parse(para.markdown, {}))[0].text == para.text
    found = occurrences(para.text, quote)
    assert len(matches) == len(found)
    # the page's text is unchanged by the wrapping
    assert collapse(parse_html(html).text()) == para.text
    if len(found) == 1:
        assert claim_text(html, "q-test") == quote
        spans = parse_html(html).find_all(data_claim="q-test")
        assert [s.get("id") for s in spans].count("q-test") == 1, "the first element carries the id, once"
        # authored claims around or inside the passage are still intact
        for number in re.findall(r"#c(\d+)\}", para.markdown):
            assert parse_html(html).find(id=f"c{number}") is not None


# parse_essay needs a site; one for the whole module (hypothesis reuses it)
_SITE = Path(tempfile.mkdtemp(prefix="cp-anchoring-"))
make_site(_SITE, {})
_CONFIG = load_config(_SITE)


def _parsed(body: str, remark_target: str):
    raw = essay("Anchors", body).encode()
    crit = critique("reader", f"::: on {remark_target}\nA remark.\n:::\n").encode()
    index = FileRef(_SITE / "content/essays/e/index.md", "content/essays/e/index.md", "0")
    ref = FileRef(_SITE / "content/essays/e/critiques/c.md", "content/essays/e/critiques/c.md", "1")
    parsed, errors = parse_essay(EssaySource("e", index, (ref,)), _CONFIG, raw, {ref.rel: crit})
    assert parsed is not None and not errors, errors
    return parsed


BODY_LINE = 6  # essay(): 4 lines of front matter and a blank line


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(paragraph_and_quote().filter(lambda case: len(occurrences(case[0].text, case[1])) >= 2))
def test_a_passage_found_twice_is_reported_with_every_line(case) -> None:
    para, quote, _ = case
    if '"' in quote:
        return
    parsed = _parsed(para.markdown, f'"{quote}"')
    _, errors = link(parsed)
    assert len(errors) == 1
    error = errors[0]
    assert error.path == "content/essays/e/critiques/c.md" and error.line == 5 and error.col == 8
    found = occurrences(para.text, quote)
    assert error.message.startswith(f'quoted passage "{quote[:79]}') and f"occurs {len(found)} times" in error.message
    expected = sorted({para.lines[i] + BODY_LINE for i in found})
    reported = sorted(int(n) for n in re.search(r"\(lines? ([\d, ]+)\)", error.message).group(1).split(", "))
    assert reported == expected


def test_twice_in_two_paragraphs_names_both_lines() -> None:
    parsed = _parsed("The sea is salty.\n\nSome words.\nThe sea is salty, they say.\n", '"sea is salty"')
    errors = link(parsed)[1]
    assert [e.message for e in errors] == ['quoted passage "sea is salty" occurs 2 times in the essay (lines 6, 9)']
    assert errors[0].hint.startswith("quote a longer passage")


def test_quote_inside_an_existing_claim() -> None:
    matches, html = anchor_and_render("Before [the Moon *lifts* the water]{.claim #lift} after.", "Moon lifts")
    assert len(matches) == 1
    root = parse_html(html)
    outer = root.find(id="lift")
    assert outer is not None and collapse(outer.text()) == "the Moon lifts the water"
    assert claim_text(html, "q-test") == "Moon lifts"
    assert all("lift" in [a.get("id") for a in s.ancestors()] for s in root.find_all(data_claim="q-test"))


def test_quote_across_a_softbreak_and_a_hardbreak() -> None:
    matches, html = anchor_and_render("one two\nthree four  \nfive six", "two three four five")
    assert len(matches) == 1
    assert claim_text(html, "q-test") == "two three four five"
    assert "<br />" in html


def test_quote_partly_inside_inline_code_splits_the_code_not_the_meaning() -> None:
    _, html = anchor_and_render("Call `foo(a <b)`{.fn} now.", "o(a <b) now")
    assert claim_text(html, "q-test") == "o(a <b) now"
    root = parse_html(html)
    codes = root.find_all("code")
    assert len(codes) == 1 and codes[0].get("class") == "fn" and codes[0].text() == "foo(a <b)"


def test_quote_spanning_a_link_through_a_build(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "The tide [is not a wave](https://example.org) that travels.\n"),
            "content/essays/e/critiques/c.md": critique(
                "ana", '::: on "tide is not a wave that"\nIt is a wave.\n:::\n'
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    remark = page.find("aside", "remark")
    target = remark.get("data-target")
    assert target.startswith("q-")
    assert claim_text(result.page("essays/e/"), target) == "tide is not a wave that"
    link_el = page.find("a", href="https://example.org")
    assert link_el.find(data_claim=target) is not None, "the part inside the link is marked inside the link"


def test_not_found_points_at_the_closest_passage() -> None:
    parsed = _parsed(
        "Intro.\n\nEach ocean basin has its own\nnatural period of oscillation.\n",
        '"every ocean basin has its natural period"',
    )
    errors = link(parsed)[1]
    assert [(e.line, e.message) for e in errors] == [
        (5, 'quoted passage not found in the essay: "every ocean basin has its natural period"')
    ]
    assert errors[0].hint.startswith(
        'closest passage, content/essays/e/index.md line 8: "Each ocean basin has its own natural period";'
    )


def test_overlapping_quotes_nest_properly_and_each_reads_as_quoted() -> None:
    md = essay_parser()
    env: dict = {}
    tokens = md.parse("one *two three* four five\n", env)
    blocks = anchoring.essay_text(tokens)
    spans = []
    for quote, claim_id in (("one two three", "q-1"), ("three four", "q-2"), ("two three four five", "q-3")):
        (match,) = anchoring.find(blocks, quote)
        spans.append((match.start, match.end, claim_id))
    anchoring.wrap(tokens, blocks[0], spans)
    html = md.renderer.render(tokens, md.options, env)
    assert collapse(parse_html(html).text()) == "one two three four five"
    assert [claim_text(html, c) for c in ("q-1", "q-2", "q-3")] == [
        "one two three",
        "three four",
        "two three four five",
    ]
    # html.parser closes what it opened: a well-nested result has as many closing spans as opening ones
    assert html.count("<span") == html.count("</span>")


@given(st.lists(st.text(alphabet="ab ,\n\t", min_size=1, max_size=6), min_size=1, max_size=8), st.data())
def test_offsets_of_a_block_with_nothing_collapsed_are_those_of_the_table(words, data) -> None:
    # a block whose text is its raw text (one space between words) answers without its
    # table of words: the same offsets and lines as the table gives
    raw = " ".join(" ".join(word.split()) for word in words).strip()
    text = " ".join(raw.split())
    fast = anchoring.BlockText(0, 1, raw, raw if text == raw else text)
    slow = anchoring.BlockText(0, 1, raw, (text + "x")[:-1])  # an equal string, not the same object: the table's way
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert fast.raw_span(start, end) == slow.raw_span(start, end)
    assert fast.newlines_before(fast.raw_span(start, end)[0]) == slow.newlines_before(slow.raw_span(start, end)[0])


def test_the_was_markup_a_hint_gives_reads_back_even_with_double_quotes(tmp_path: Path) -> None:
    """A reader quoting 'It's a "typographic" quote' got the hint was="It's a "typographic"
    quote", which Markdown cannot read; and was="…\\"…\\"…" kept its backslashes."""
    quote = 'It\'s a "typographic" quote'
    files = {
        "content/essays/e/index.md": essay("E", "Intro.\n\nIt’s a “typographic” quote in the essay.\n"),
        "content/essays/e/critiques/r.md": critique("r", f'::: on "{quote}"\nNo.\n:::\n'),
    }
    root = make_site(tmp_path / "site", files)
    (error,) = check(root)
    markup = error.hint.split("; mark it ", 1)[-1] if "; mark it " in error.hint else error.hint
    written = markup[markup.index("[") : markup.rindex("}") + 1]
    assert 'was="It\'s a \\"typographic\\" quote"' in written
    near = written[1 : written.index("]{")]
    body = "Intro.\n\nIt’s a “typographic” quote in the essay.\n".replace(near, written.replace("#new-id", "#typo"))
    files["content/essays/e/index.md"] = essay("E", body)
    root = make_site(tmp_path / "again", files)
    assert check(root) == []


def test_a_quote_from_a_code_block_says_so(tmp_path: Path) -> None:
    """A passage quoted from a code block was "not found", with an unrelated "closest passage"."""
    files = {
        "content/essays/e/index.md": essay("E", "Intro.\n\n```python\nx = compute_tides(1)\n```\n\nAfter the code.\n"),
        "content/essays/e/critiques/r.md": critique("r", '::: on "compute_tides(1)"\nWrong.\n:::\n'),
    }
    (error,) = check(make_site(tmp_path / "site", files))
    assert (error.path, error.line) == ("content/essays/e/critiques/r.md", 5)
    assert (
        error.message == 'quoted passage is in a code block (line 8), where a remark cannot point: "compute_tides(1)"'
    )
    assert error.hint == "quote words of the text around the code, or name a claim (::: on #id)"
