"""Pathological input finishes in bounded time, without RecursionError, and roughly linearly.

Two checks per case:

* a *doubling* check: the same pattern at size n and 2n; the CPU time of the
  larger must stay under ``RATIO`` times the smaller (a quadratic step shows up
  as ~4).  Each size is timed more than once and the fastest run counts, so a
  busy machine does not fail the suite;
* a *bound* at the sizes of cmark's ``pathological_tests.py`` and markdown-it's
  ``pathological.mjs`` (a generous wall-clock bound, the point being "seconds,
  not hours").  A few are scaled down, and say so above ``FULL``.

Markdown cases run the essay dialect's parser and renderer (what a build runs
per essay); annotation cases (claims, remarks, quotes, critiques) run the whole
per-essay pipeline: discover -> parse -> link -> render -> write.
"""

from __future__ import annotations

import gc
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sitefactory import build, critique, essay, make_site

from counterpoint.build.pipeline import process_essay
from counterpoint.markup.env import Rendering, parse_env, render_env
from counterpoint.markup.markdown import essay_parser, reader_parser
from counterpoint.model import Context
from counterpoint.source.config import load_config
from counterpoint.source.content import Hasher, discover
from counterpoint.theme.theme import load_theme

RATIO = 3.0  # time(2n) / time(n); linear is ~2, quadratic ~4
NOISE = 0.05  # seconds: below this a doubling is not measurable, and not a problem


def cpu(action: Callable[[], object], runs: int = 2) -> float:
    """The fastest CPU time of ``runs`` calls.  CPU time, so other processes do
    not count; the garbage collector paused, so the size of the test process's
    own heap (every earlier test's objects) does not count either."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            action()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def assert_linear(make: Callable[[int], Callable[[], object]], n: int) -> tuple[float, float]:
    """``make(size)`` returns the action to time; fail when doubling the size
    more than ``RATIO``-folds the time.  The fastest of up to eight runs per size
    counts: noise only ever adds time (on a busy virtual machine, CPU time too), so
    the minimum is the honest measure."""
    small, large = make(n), make(2 * n)
    large()  # warm up: templates compiled, caches filled
    t1 = t2 = float("inf")
    for _ in range(8):
        t1, t2 = min(t1, cpu(small, 1)), min(t2, cpu(large, 1))
        if t2 < NOISE or t2 < RATIO * t1:
            return t1, t2
    raise AssertionError(f"time({2 * n}) / time({n}) = {t2:.3f}s / {t1:.3f}s = {t2 / t1:.1f} (more than {RATIO})")


def markdown(src: str) -> Callable[[], object]:
    md = essay_parser()

    def run() -> str:
        env = parse_env()
        tokens = md.parse(src, env)
        return md.renderer.render(tokens, md.options, render_env(env, Rendering({}, lambda u: "<section>")))

    return run


# --------------------------------------------------------------------------- Markdown

# name -> (pattern of size n, n for the doubling check)
CASES: dict[str, tuple[Callable[[int], str], int]] = {
    # cmark test/pathological_tests.py
    "nested strong emph": (lambda n: "*a **a " * n + "b" + " a** a*" * n, 2_000),
    "many emph closers with no openers": (lambda n: "a_ " * n, 10_000),
    "many emph openers with no closers": (lambda n: "_a " * n, 10_000),
    "many link closers with no openers": (lambda n: "a]" * n, 10_000),
    "many link openers with no closers": (lambda n: "[a" * n, 2_500),
    "mismatched openers and closers": (lambda n: "*a_ " * n, 5_000),
    "openers and closers multiple of 3": (lambda n: "a**b" + "c* " * n, 10_000),
    "link openers and emph closers": (lambda n: "[ a_" * n, 1_500),
    "pattern [ (]( repeated": (lambda n: "[ (](" * n, 5_000),
    "pattern ![[]() repeated": (lambda n: "![[]()" * n, 1_500),
    "hard link/emph case": (lambda n: "**x [a*b**c*](d)" * n, 1_000),
    "nested brackets": (lambda n: "[" * n + "a" + "]" * n, 2_500),
    "nested block quotes": (lambda n: "> " * n + "a", 20_000),
    "unclosed links A": (lambda n: "[a](<b" * n, 5_000),
    "unclosed links B": (lambda n: "[a](b" * n, 2_500),
    "unclosed <!--": (lambda n: "</" + "<!--" * n, 10_000),
    "many references": (lambda n: "".join(f"[{x}]: u\n" for x in range(1, n)) + "[0] " * 1200, 5_000),
    # size doubles with the input, not with the depth: n lines of up to 2*sqrt(n) spaces
    "deeply nested lists": (lambda n: "".join("  " * x + "* a\n" for x in range(int((n * 1000) ** 0.5))), 300),
    "backticks": (lambda n: "".join("e" + "`" * x for x in range(1, int((n * 1000) ** 0.5))), 600),
    # markdown-it test/pathological.mjs, its own section
    "emphasis **_* pattern": (lambda n: "**_* " * n, 2_500),
    "backtick ``\\ pattern": (lambda n: "``\\" * n, 10_000),
    "autolinks <<<<...<<> pattern": (lambda n: "<" * n + ">", 25_000),
    # the essay dialect's own syntax
    "unclosed attribute braces": (lambda n: "[a]{" * n, 5_000),
    "attributes without a span": (lambda n: "{.claim #a " * n, 10_000),
    "claim spans in one paragraph": (lambda n: "".join(f"[c{i}]{{.claim #c{i}}} " for i in range(n)), 1_000),
    "block claims": (lambda n: "".join(f"{{.claim #c{i}}}\nText {i}.\n\n" for i in range(n)), 1_000),
    "headings with one title": (lambda n: "## Same\n\n" * n, 2_000),
    "unclosed UPD containers": (lambda n: "::: upd 2026-01-17\n" * n, 5_000),
    "nested UPD containers": (lambda n: "::: upd 2026-01-17\n" * n + ":::\n" * n, 2_000),
    "footnotes": (
        lambda n: "".join(f"[^{i}]" for i in range(n)) + "\n\n" + "".join(f"[^{i}]: x\n" for i in range(n)),
        1_000,
    ),
    "table rows": (lambda n: "a|b\n-|-\n" + "a|b\n" * n, 2_000),
    "unclosed fence": (lambda n: "```\n" + "a\n" * n, 20_000),
}


@pytest.mark.parametrize("name", list(CASES))
def test_markdown_is_linear(name: str) -> None:
    pattern, n = CASES[name]
    assert_linear(lambda size: markdown(pattern(size)), n)


# name -> (source, wall-clock bound in seconds): the sizes the issue names, except where noted.
# Scaled down to keep the suite quick (each is also in the doubling check above, which is what
# shows the time per unit of input stays flat): 800k reference definitions -> 50,000 (cmark
# itself runs 80,000), markdown-it's "**_* x 50,000" -> 20,000 and "< x 400,000" -> 200,000.
FULL: dict[str, tuple[str, float]] = {
    "50,000 nested brackets": ("[" * 50_000 + "a" + "]" * 50_000, 30),
    "*a **a x 65,000": ("*a **a " * 65_000, 30),
    "> x 50,000": ("> " * 50_000 + "a", 30),
    "lists nested 1,000 deep": ("".join("  " * x + "* a\n" for x in range(1_000)), 30),
    "backtick runs up to 3,000": ("".join("e" + "`" * x for x in range(1, 3_000)), 30),
    "50,000 reference definitions": ("".join(f"[{x}]: u\n" for x in range(1, 50_000)) + "[0] " * 1200, 30),
    "**_* x 20,000 (markdown-it)": ("**_* " * 20_000, 30),
    "``\\ x 50,000 (markdown-it)": ("``\\" * 50_000, 30),
    "< x 200,000 (markdown-it)": ("<" * 200_000 + ">", 30),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FULL))
def test_markdown_full_size_is_bounded(name: str) -> None:
    src, bound = FULL[name]
    limit = sys.getrecursionlimit()
    start = time.perf_counter()
    html = markdown(src)()  # a RecursionError would fail the test here
    elapsed = time.perf_counter() - start
    assert elapsed < bound, f"{name}: {elapsed:.1f}s"
    assert sys.getrecursionlimit() == limit
    assert html.startswith("<")


@pytest.mark.parametrize("parser", ["essay", "reader"])
def test_carriage_returns_and_nul_are_normalized(parser: str) -> None:
    """Text that reaches markdown-it without ``decode_text`` (CR, CRLF, NUL) renders
    as CommonMark says, although ``normalize`` only runs when there is something to change."""
    from markdown_it import MarkdownIt

    md = essay_parser() if parser == "essay" else reader_parser()
    assert md.render("a\r\nb\rc\n\n- x\r\n- y") == md.render("a\nb\nc\n\n- x\n- y")
    assert md.render("a\0b") == md.render("a\ufffdb") == "<p>a\ufffdb</p>\n"
    plain = "para *em*\n\n- x\n"
    assert md.render(plain) == MarkdownIt("commonmark").render(plain)


def test_nested_block_quotes_render_to_bounded_depth() -> None:
    html = markdown("> " * 50_000 + "a")()
    assert html.count("<blockquote>") == essay_parser().options["maxNesting"] == 20  # deeper, the rest is text
    assert html.count("<blockquote>") == html.count("</blockquote>")


@pytest.mark.parametrize(
    "body, line",
    [
        ("> " * 50_000 + "a", 8),  # the essay's body starts on line 6: "Intro.", blank, then this
        ("".join("  " * x + "* a\n" for x in range(1_000)), 17),  # the 10th item is the one too deep
    ],
    ids=["> x 50,000", "lists nested 1,000 deep"],
)
def test_nesting_beyond_the_limit_is_an_error_not_lost_text(body: str, line: int, tmp_path: Path) -> None:
    """markdown-it stops nesting at 20 levels and drops what is deeper: said, with the line, not lost silently."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", "Intro.\n\n" + body + "\n\nAfter.")})
    result = build(root)
    assert result.report.errors == (
        f"content/essays/e.md:{line}:1: error: blocks nested more than 20 levels deep: what is inside is not shown\n"
        "  hint: use fewer levels of lists and block quotes (a list item counts two)",
    )


def test_nesting_up_to_the_limit_builds(tmp_path: Path) -> None:
    body = "> " * 19 + "deep quote\n\n" + "".join("  " * x + f"* item {x}\n" for x in range(9))
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body)})
    result = build(root)
    assert result.ok, result.report.errors
    page = result.page("essays/e/")
    assert "<p>deep quote</p>" in page and "item 8" in page


# --------------------------------------------------------------------------- annotations, whole pipeline


@pytest.fixture(scope="module")
def pipeline_ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    root = make_site(tmp_path_factory.mktemp("pathological-config"), {})
    config = load_config(root)
    stage = root / "stage"
    stage.mkdir()
    return Context(config, load_theme(root, config.theme), False, stage)


def essay_run(ctx: Context, base: Path, body: str, critiques: dict[str, str]) -> Callable[[], object]:
    """Write a site with one essay bundle; the action parses, links and renders it."""
    if base.exists():
        shutil.rmtree(base)
    files = {"content/essays/e/index.md": essay("E", body)}
    files.update({f"content/essays/e/critiques/{name}.md": text for name, text in critiques.items()})
    root = make_site(base, files)
    (source,) = discover(root, Hasher()).essays
    site_ctx = Context(load_config(root), ctx.theme, False, ctx.stage_dir)

    def run() -> None:
        result = process_essay(source, site_ctx)
        assert not result.errors, result.errors[:3]
        assert result.summary is not None

    return run


ANNOTATED: dict[str, tuple[Callable[[int], tuple[str, dict[str, str]]], int]] = {
    "inline claims, each with a remark by id": (
        lambda n: (
            " ".join(f"[claim {i}]{{.claim #c{i}}}" for i in range(n)),
            {"r": critique("reader", "\n\n".join(f"::: on #c{i}\nWrong {i}.\n:::" for i in range(n)))},
        ),
        400,
    ),
    "block claims, each with a remark by id": (
        lambda n: (
            "\n\n".join(f"{{.claim #c{i}}}\nParagraph {i}." for i in range(n)),
            {"r": critique("reader", "\n\n".join(f"::: on #c{i}\nWrong {i}.\n:::" for i in range(n)))},
        ),
        400,
    ),
    "quote-anchored remarks in one paragraph": (
        lambda n: (
            " ".join(f"Sentence number {i} is here." for i in range(n)),
            {"r": critique("reader", "\n\n".join(f'::: on "Sentence number {i} is"\nNo.\n:::' for i in range(n)))},
        ),
        400,
    ),
    "quote-anchored remarks, one paragraph each": (
        lambda n: (
            "\n\n".join(f"Sentence number {i} is here." for i in range(n)),
            {"r": critique("reader", "\n\n".join(f'::: on "Sentence number {i} is"\nNo.\n:::' for i in range(n)))},
        ),
        400,
    ),
    "quote-anchored remarks across line breaks and emphasis": (
        lambda n: (
            "\n".join(f"Line *number {i}* is\nhere `x{i}`." for i in range(n)),
            {"r": critique("reader", "\n\n".join(f'::: on "number {i} is here x{i}"\nNo.\n:::' for i in range(n)))},
        ),
        300,
    ),
    "a critique per claim": (
        lambda n: (
            "\n\n".join(f"[claim {i}]{{.claim #c{i}}}" for i in range(n)),
            {
                f"c{i}": critique(
                    f"reader{i}", f"::: on #c{i}\nWrong.\n:::\n\n::: reply Vera Lind, 2026-01-13\nNo.\n:::"
                )
                for i in range(n)
            },
        ),
        200,
    ),
    "UPDs correcting claims with remarks": (
        lambda n: (
            "\n\n".join(
                f"[claim {i}]{{.claim #c{i}}}\n\n::: upd 2026-01-{1 + i % 28:02d} corrects=#c{i}\nFixed.\n:::"
                for i in range(n)
            ),
            {"r": critique("reader", "\n\n".join(f"::: on #c{i}\nWrong.\n:::" for i in range(n)), date="2026-01-01")},
        ),
        300,
    ),
}


@pytest.mark.parametrize("name", list(ANNOTATED))
def test_annotations_are_linear(name: str, pipeline_ctx: Context, tmp_path: Path) -> None:
    make, n = ANNOTATED[name]

    def action(size: int) -> Callable[[], object]:
        body, critiques = make(size)
        return essay_run(pipeline_ctx, tmp_path / f"site-{size}", body, critiques)

    assert_linear(action, n)


@pytest.mark.slow
def test_thousands_of_remarks_build_in_bounded_time(tmp_path: Path) -> None:
    n = 3_000
    body = "\n\n".join(f"[Claim {i} says a thing.]{{.claim #c{i}}} And more words {i}." for i in range(n))
    by_id = "\n\n".join(f"::: on #c{i}\nWrong {i}.\n:::" for i in range(n))
    by_quote = "\n\n".join(f'::: on "And more words {i}."\nUnclear.\n:::' for i in range(n))
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", body),
            "content/essays/e/critiques/ids.md": critique("ana", by_id),
            "content/essays/e/critiques/quotes.md": critique("ben", by_quote),
        },
    )
    start = time.perf_counter()
    result = build(root)
    elapsed = time.perf_counter() - start
    assert result.ok, result.report.errors[:3]
    assert elapsed < 60, elapsed
    page = result.page("essays/e/")
    assert page.count('class="remark"') == 2 * n


def test_many_quotes_not_found_are_bounded(tmp_path: Path) -> None:
    """Each quote not found looks for the closest passage; that stays cheap however many there are."""
    n = 2_000
    body = "\n\n".join(f"Sentence number {i} is here." for i in range(n))
    remarks = "\n\n".join(f'::: on "Sentense numbr {i} iz heer"\nNo.\n:::' for i in range(n))
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", body),
            "content/essays/e/critiques/r.md": critique("ana", remarks),
        },
    )
    start = time.perf_counter()
    result = build(root)
    assert time.perf_counter() - start < 30
    assert not result.ok and len(result.report.errors) == n
    first = result.report.errors[0]
    assert first.startswith(
        'content/essays/e/critiques/r.md:5:8: error: quoted passage not found in the essay: "Sentense numbr 0 iz heer"'
    )
    assert 'hint: closest passage, content/essays/e/index.md line 6: "Sentence number 0 is here."' in first


# --------------------------------------------------------------------------- big files


@pytest.mark.slow
def test_ten_megabyte_essay_builds_in_bounded_time(tmp_path: Path) -> None:
    paragraph = "The tide rises and falls twice a day because the Moon pulls the ocean. " * 14 + "\n\n"
    filler = paragraph * (10_000_000 // len(paragraph) + 1)
    body = "[A claim at the top.]{.claim #top}\n\nA unique opening sentence.\n\n" + filler + "The very last words."
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("Big", body),
            "content/essays/e/critiques/r.md": critique(
                "ana", '::: on #top\nNo.\n:::\n\n::: on "The very last words."\nUnclear.\n:::'
            ),
        },
    )
    assert (root / "content/essays/e/index.md").stat().st_size >= 10_000_000
    start = time.perf_counter()
    result = build(root)
    elapsed = time.perf_counter() - start
    assert result.ok, result.report.errors
    assert elapsed < 90, elapsed
    page = result.page("essays/e/")
    assert page.count('class="remark"') == 2
    assert "The very last words." in page


def test_one_megabyte_line(tmp_path: Path) -> None:
    """A single line of a megabyte, and a quote not found in it (the closest-passage hint looks only near shared words)."""
    line = " ".join(f"word{i}" for i in range(120_000))
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("Long", line),
            "content/essays/e/critiques/r.md": critique("ana", '::: on "word500 word501 wrd502"\nNo.\n:::'),
        },
    )
    start = time.perf_counter()
    result = build(root)
    assert time.perf_counter() - start < 30
    assert result.report.errors == (
        'content/essays/e/critiques/r.md:5:8: error: quoted passage not found in the essay: "word500 word501 wrd502"\n'
        '  hint: closest passage, content/essays/e/index.md line 6: "word500 word501 word502"; if the essay was corrected'
        ' there, keep the reader\'s words and name them: [word500 word501 word502]{.claim #new-id was="word500 word501 wrd502"}',
    )
