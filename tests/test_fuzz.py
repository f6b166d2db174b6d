"""Fuzzing: whatever an author or a reader writes, a build ends in pages or in
``ContentError``s — never in any other exception.

The generators put together the pieces of the syntax that carry structure —
front matter lines (with YAML's surprises: tags, anchors, flow collections,
implicit types, impossible dates), claim spans ``[...]{.claim #...}``, block
claims ``{.claim #...}``, containers ``::: on``, ``::: reply``, ``::: upd``
and stray ``:::`` — with text and the punctuation those pieces are made of.

Three layers, fastest first: parse + link in memory, one essay through the
whole per-essay pipeline (render included), and whole-site builds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitefactory import make_site

from counterpoint.build.engine import Engine
from counterpoint.build.pipeline import process_essay
from counterpoint.build.report import BuildReport
from counterpoint.errors import ContentError
from counterpoint.essay.link import link
from counterpoint.essay.parse import parse_essay
from counterpoint.model import Context, EssaySource, FileRef
from counterpoint.source.config import load_config
from counterpoint.source.content import Hasher, discover
from counterpoint.theme.theme import load_theme

IDS = ["a", "lift", "x-1", "1bad", "", "a b", "q-deadbeef", "ünï", "a:b", "#", "a}"]
WORDS = [
    "The",
    "Moon",
    "lifts",
    "water",
    "tide",
    "«кавычки»",
    "x",
    "  ",
    "\t",
    "é",
    "*",
    "_",
    "`",
    "\\",
    "<b>",
    "&amp;",
]
DATES = [
    "2026-01-17",
    "2026-02-30",
    "2026-1-5",
    "10:00",
    "2026-01-17T10:30+03:00",
    "2026-01-17T25:00",
    "",
    "no",
    "1.10",
]
NAMES = ["Vera Lind", "ana", "", "a, b", "Анна"]
BLOCK_STARTS = ["", "- ", "> ", "## ", "```\n", "| a |\n|---|\n"]

word = st.sampled_from(WORDS)
ident = st.sampled_from(IDS)
date = st.sampled_from(DATES)
text = st.lists(word, min_size=0, max_size=6).map(" ".join)
punctuation = st.sampled_from(
    ["[", "]", "{", "}", "(", ")", "#", ":", '"', "«", "»", "{.claim}", "{#", "\n", "\n\n", ":::", "---"]
)


@st.composite
def claim_span(draw) -> str:
    opener = draw(st.sampled_from(["[", "[[", ""]))
    closer = draw(st.sampled_from(["]", "]]", ""]))
    attrs = draw(
        st.sampled_from(
            ["{.claim #%s}", "{.claim}", "{#%s .claim}", "{.claim #%s .x}", "{.claim #%s", "{ .claim #%s }"]
        )
    )
    return f"{opener}{draw(text)}{closer}" + (attrs % draw(ident) if "%s" in attrs else attrs)


@st.composite
def block_claim(draw) -> str:
    lead = draw(st.sampled_from(BLOCK_STARTS))
    return f"{{.claim #{draw(ident)}}}\n{lead}{draw(text)}\n"


@st.composite
def container(draw, names: tuple[str, ...]) -> str:
    name = draw(st.sampled_from(names))
    if name == "on":
        arg = draw(st.sampled_from(["#%s", '"%s"', "«%s»", "%s", "", '"', "# %s"]))
        target = draw(ident) if arg.startswith("#") else draw(text)
        info = f"on {arg % target}" if "%s" in arg else f"on {arg}"
    elif name == "reply":
        info = f"reply {draw(st.sampled_from(NAMES))}, {draw(date)}"
    elif name == "upd":
        parts = [draw(date)]
        parts += draw(
            st.lists(
                st.sampled_from([f"re={draw(ident)}", f"corrects=#{draw(ident)}", "re=", "corrects=#a,#b", "bogus"]),
                max_size=3,
            )
        )
        info = "upd " + " ".join(parts)
    else:
        info = name
    fence = draw(st.sampled_from([":::", "::::", ":::"]))
    body = draw(st.lists(st.one_of(text, claim_span(), punctuation), max_size=4).map(" ".join))
    close = draw(st.sampled_from([f"\n{fence}", "", "\n:::", "\n::::"]))
    return f"{fence} {info}\n{body}{close}\n"


def body(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    piece = st.one_of(
        text, punctuation, claim_span(), block_claim(), container(names), st.just("\n\n"), st.just("## Heading {#h}\n")
    )
    return st.lists(piece, max_size=12).map(lambda parts: "".join(p if p.endswith("\n") else p + " " for p in parts))


YAML_VALUES = [
    "T",
    "no",
    "10:00",
    "1.10",
    "42",
    "~",
    "''",
    '"quoted: yes"',
    "[a, b]",
    "{a: b}",
    "[unclosed",
    '"unclosed',
    "&x anchored",
    "*x",
    "!!python/object/apply:os.system [echo]",
    "!custom x",
    "|\n  block\n  text",
    "- a\n  - b",
    "2026-02-30",
    "2026-01-17",
    "true",
    "maybe",
    "https://example.org/x",
    "javascript:alert(1)",
    "\t",
    "@at",
    "`tick`",
]
ESSAY_KEYS = ["title", "date", "summary", "tags", "difficulty", "author", "draft", "slug", "lang", "titel", "title"]
CRITIQUE_KEYS = ["author", "date", "stance", "pinned", "source", "status", "autor", "date"]


@st.composite
def front_matter(draw, keys: list[str]) -> str:
    lines = [
        f"{draw(st.sampled_from(keys))}: {draw(st.sampled_from(YAML_VALUES + DATES))}"
        for _ in range(draw(st.integers(0, 6)))
    ]
    # usually valid enough to reach the body
    if draw(st.booleans()):
        lines = [f"{keys[0]}: T", f"date: {draw(st.sampled_from(['2026-01-10', '2026-01-17']))}", *lines]
    opener = draw(st.sampled_from(["---\n", "\ufeff---\n", "---\r\n", "--- \n", ""]))
    closer = draw(st.sampled_from(["---\n", "---", "...\n", "", "---\r\n"]))
    return opener + "\n".join(lines) + ("\n" if lines else "") + closer


@st.composite
def essay_file(draw) -> str:
    return draw(front_matter(ESSAY_KEYS)) + draw(body(("upd", "on", "reply", "note")))


@st.composite
def critique_file(draw) -> str:
    return draw(front_matter(CRITIQUE_KEYS)) + draw(body(("on", "reply", "upd", "note")))


critiques = st.dictionaries(st.sampled_from(["ana", "ben", "x.y", "bad name", "_z"]), critique_file(), max_size=3)


# --------------------------------------------------------------------------- in memory: parse + link

_ROOT = Path(tempfile.mkdtemp(prefix="counterpoint-fuzz-"))
atexit.register(shutil.rmtree, _ROOT, True)
make_site(_ROOT, {})
_CONFIG = load_config(_ROOT)


def _source(names: list[str]) -> EssaySource:
    bundle = _ROOT / "content/essays/e"
    index = FileRef(bundle / "index.md", "content/essays/e/index.md", "")
    refs = tuple(FileRef(bundle / f"critiques/{n}.md", f"content/essays/e/critiques/{n}.md", "") for n in names)
    return EssaySource(slug="e", index=index, critiques=refs)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(essay=essay_file(), crits=critiques)
def test_parse_and_link_raise_nothing_but_content_errors(essay: str, crits: dict[str, str]) -> None:
    source = _source(list(crits))
    raw = {ref.rel: crits[ref.path.stem].encode() for ref in source.critiques}
    try:
        parsed, errors = parse_essay(source, _CONFIG, essay.encode(), raw)
        if parsed is not None:
            errors += link(parsed)[1]
    except ContentError:
        return
    assert all(isinstance(e, ContentError) and e.path.startswith("content/") and e.message for e in errors)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_as_an_essay(raw: bytes) -> None:
    try:
        parse_essay(_source([]), _CONFIG, raw, {})
    except ContentError:
        pass


# --------------------------------------------------------------------------- one essay, rendered


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(essay=essay_file(), crits=critiques)
def test_one_essay_through_the_pipeline(essay: str, crits: dict[str, str]) -> None:
    site = Path(tempfile.mkdtemp(prefix="counterpoint-fuzz-"))
    try:
        files = {"content/essays/e/index.md": essay.encode()}
        files.update({f"content/essays/e/critiques/{n}.md": t.encode() for n, t in crits.items()})
        make_site(site, files)
        inventory = discover(site, Hasher())
        config = load_config(site)
        stage = site / "stage"
        stage.mkdir()
        ctx = Context(config, load_theme(site, config.theme), False, stage)
        for source in inventory.essays:
            result = process_essay(source, ctx)  # parse, link, render, write into the stage
            assert all(isinstance(e, ContentError) for e in result.errors)
            if not result.errors and result.summary is not None:
                assert (stage / f"essays/{result.summary.slug}/index.html").is_file()
    finally:
        shutil.rmtree(site, ignore_errors=True)


# --------------------------------------------------------------------------- whole builds


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    essays=st.dictionaries(st.sampled_from(["e", "f", "Ff", "con", "a b"]), essay_file(), min_size=1, max_size=2),
    crits=critiques,
    page=st.none() | front_matter(["title", "slug", "draft", "summary", "slug"]),
)
def test_whole_builds_return_a_report(essays: dict[str, str], crits: dict[str, str], page: str | None) -> None:
    site = Path(tempfile.mkdtemp(prefix="counterpoint-fuzz-"))
    try:
        files: dict[str, str | bytes] = {f"content/essays/{n}/index.md": t.encode() for n, t in essays.items()}
        first = next(iter(essays))
        files.update({f"content/essays/{first}/critiques/{n}.md": t.encode() for n, t in crits.items()})
        if page is not None:
            files["content/about.md"] = (page + "Some text.\n").encode()
        make_site(site, files)
        report = Engine(site, use_cache=False, search=False, jobs=1).build()
        assert isinstance(report, BuildReport)
        if report.ok:
            assert (site / "public/index.html").is_file()
        else:
            assert report.errors and not (site / "public").exists()
            assert all(": error: " in e for e in report.errors)
    finally:
        shutil.rmtree(site, ignore_errors=True)
