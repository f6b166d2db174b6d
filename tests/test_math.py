"""Formulas (``$…$``, ``$$…$$``) become MathML at build time, in essays, pages and
critiques; a formula that is not LaTeX is an error at its file and line.  Bare
URLs become links, in reader text only with safe schemes."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sitefactory import build, check, critique, essay, make_site, parse_html
from test_html_validity import vnu

from counterpoint.markup.markdown import essay_parser, linkify_bare_urls, reader_parser

MATH_ESSAY = r"""
Inline $x^2 + y^2 = z^2$ and a thin space $a\;b$ here.

It costs $5 and $10, which is not math; \$x\$ is not either.

$$
\frac{1}{2} + \sqrt{\alpha}
$$

A claim with math: [the sum $\sum_{i=1}^{n} i$ grows]{.claim #sum}.
"""


def test_math_in_an_essay_becomes_mathml(tmp_path):
    root = make_site(tmp_path, {"content/essays/m/index.md": essay("Math", MATH_ESSAY)})
    built = build(root)
    assert built.ok, built.report.errors
    page = built.page("essays/m/")
    body = parse_html(page).find("article", cls="essay")
    maths = body.find_all("math")
    assert [m.get("display") for m in maths] == ["inline", "inline", "block", "inline"]
    assert maths[0].find("msup") is not None and maths[0].find("mn").text() == "2"
    # \; is a thin space, not the text ";" with the backslash eaten
    assert maths[1].find("mspace") is not None
    assert "$;$" not in page and "a;b" not in maths[1].text()
    assert maths[2].find("mfrac") is not None and maths[2].find("msqrt") is not None
    # "$5 and $10" is money, and \$ is a dollar sign
    text = body.text()
    assert "It costs $5 and $10" in text and "$x$ is not either" in text
    # no script, no stylesheet from anywhere else
    assert "<script" not in page.split('<article class="essay"')[1].split("</article>")[0]
    assert "katex" not in page.lower() and "mathjax" not in page.lower()
    claim = body.find("span", cls="claim")
    assert claim is not None and claim.find("math") is not None


def test_a_latex_error_is_a_content_error_at_its_line(tmp_path):
    body = "Fine $x$.\n\nBroken $\\frac{1}{$ here.\n\n$$\nx^\n$$\n\nUnknown $\\notacommand x$.\n"
    root = make_site(tmp_path, {"content/essays/m/index.md": essay("Math", body)})
    errors = check(root)
    found = [(e.path, e.line, e.message) for e in errors]
    # front matter is 4 lines and a blank one: the body starts at line 6
    assert [(p, line) for p, line, _ in found] == [
        ("content/essays/m/index.md", 8),
        ("content/essays/m/index.md", 10),
        ("content/essays/m/index.md", 14),
    ], found
    assert "never closed" in found[0][2]
    assert "^ or _ with nothing after it" in found[1][2]
    assert "unknown command \\notacommand" in found[2][2]
    assert all(e.hint for e in errors)
    assert not build(root).ok


def test_math_in_a_plain_page(tmp_path):
    root = make_site(tmp_path, {"content/about.md": "---\ntitle: About\n---\nEuler: $e^{i\\pi} + 1 = 0$\n"})
    built = build(root)
    assert built.ok, built.report.errors
    assert parse_html(built.page("about/")).find("math") is not None


def test_critiques_get_math_and_nothing_else(tmp_path):
    hostile = r"""
Your bound is off: $\frac{n}{2}$, not $n$.

::: on #sum
Should be $\sum_{i=1}^{n} i = \frac{n(n+1)}{2}$ and $\text{<script>alert(1)</script>}$ and
$\text{<img src=x onerror=alert(1)>}$.
:::
"""
    root = make_site(
        tmp_path,
        {
            "content/essays/m/index.md": essay("Math", "[The sum grows.]{.claim #sum}"),
            "content/essays/m/critiques/bound.md": critique("ana", hostile),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    page = built.page("essays/m/")
    tree = parse_html(page)
    article = tree.find("article", cls="critique")
    assert article.find("mfrac") is not None
    remark = tree.find("aside", cls="remark")
    assert remark.find("math") is not None
    # the text of \text{…} is text, never markup
    for element in tree.iter():
        assert element.tag not in ("script", "img") or "onerror" not in element.attrs
        assert not any(name.startswith("on") for name in element.attrs)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_latex_error_in_a_critique_names_its_line(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/m/index.md": essay("Math", "Text."),
            "content/essays/m/critiques/bad.md": critique("ana", "Fine.\n\nBad $x^$ formula."),
        },
    )
    errors = check(root)
    assert [(e.path, e.line) for e in errors] == [("content/essays/m/critiques/bad.md", 7)], [
        e.format() for e in errors
    ]


def test_math_pages_pass_the_nu_checker(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/m/index.md": essay(
                "Math", MATH_ESSAY + "\n$$\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}$$\n"
            ),
            "content/essays/m/critiques/c.md": critique("ana", r"::: on #sum" + "\nIt is $\\frac{n(n+1)}{2}$.\n:::"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    messages = vnu([built.out / "essays" / "m" / "index.html"])
    assert messages == [], messages


def test_bare_urls_are_links(tmp_path):
    root = make_site(
        tmp_path,
        {
            "content/essays/l/index.md": essay(
                "Links",
                "See https://example.org/paper?id=1 for details; `https://in.code/` is code; index.md is a file.",
            ),
            "content/essays/l/critiques/c.md": critique(
                "ana", "Source: https://example.org/source and javascript:alert(1) and mailto:x@example.org"
            ),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    tree = parse_html(built.page("essays/l/"))
    essay_links = [a.get("href") for a in tree.find("article", cls="essay").find_all("a")]
    assert "https://example.org/paper?id=1" in essay_links
    assert not any(href and ("in.code" in href or href.endswith("index.md")) for href in essay_links)
    critique_links = tree.find("article", cls="critique").find_all("a")
    hrefs = [a.get("href") for a in critique_links]
    assert "https://example.org/source" in hrefs and "mailto:x@example.org" in hrefs
    assert not any(href and href.lower().startswith("javascript") for href in hrefs)
    source = next(a for a in critique_links if a.get("href") == "https://example.org/source")
    assert "nofollow" in (source.get("rel") or "")
    assert re.search(r"javascript:alert\(1\)", tree.find("article", cls="critique").text())


def _plain_linkify(html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": True}).enable(["table", "strikethrough", "linkify"])
    assert md.linkify is not None
    md.linkify.set({"fuzzy_link": False})
    return md


# text made of what links are made of, so that links, near-links and plain text all occur
_LINKISH = st.lists(
    st.sampled_from(
        [
            "https://example.org/a?b=1",
            "ana@example.org",
            "mailto:ana@x.ru",
            "mailto:",
            "http:",
            "https:",
            "ftp:",
            "HTTPS:",
            "//example.org",
            "ftp://f.org",
            "www.x.org",
            "http",
            ":",
            "//",
            "/",
            "@",
            "www.",
            "example",
            ".org",
            ".рф",
            "ana",
            "1",
            " ",
            "\n",
            "\\:",
            "&#58;",
            "`",
            "<",
            ">",
            "(",
            ")",
            "_",
            "*",
            "[",
            "]",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_LINKISH)
def test_bare_urls_found_as_linkify_it_finds_them(text):
    """The parsers skip linkify-it's regexes for text that has no '//' or '@' (no
    link can be there without them), and take that check as the pretest: the links
    found are linkify-it's own."""
    for ours, plain in ((essay_parser(), _plain_linkify(True)), (reader_parser(), _plain_linkify(False))):
        assert ours.linkify is not None and plain.linkify is not None
        assert ours.linkify.test(text) == plain.linkify.test(text)
        if plain.linkify.test(text):  # markdown-it passes over a paragraph whose pretest fails
            assert ours.linkify.pretest(text)
    # and whole documents render the same with the prefilter as without it
    for html in (True, False):
        prefiltered, plain = _plain_linkify(html), _plain_linkify(html)
        linkify_bare_urls(prefiltered)
        for doc in (text, f"{text}\n\n- [{text}](https://example.org/x) {text}\n"):
            assert prefiltered.render(doc) == plain.render(doc)
