"""Nothing scrolls sideways (README, "The reading experience"): the page is never wider than the
window, whatever the content.  A small site holds the cases that used to widen it — a title that
is one very long word, a long URL in a remark, a 70-character critique author (in the critique, the
margin remark and the claim ledger) and a wide Markdown table in the essay — and each page that
shows them (the essay, the home page, a tag page, /corrections/) is opened in headless Chromium at
390 and 1280 px, with and without JavaScript, with every remark unfolded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import StaticServer, new_page
from sitefactory import build, critique, essay, make_site

pytestmark = pytest.mark.browser

LONG_WORD = "Supercalifragilisticexpialidociouspneumonoultramicroscopicsilicovolcanoconiosis"
TITLE = f"{LONG_WORD} Very long title"
# no hyphen in it: nothing a browser would break a line at
LONG_URL = "https://example.org/archive/" + "TidesTablesArchiveDocument2026" * 5 + "?view=full"
LONG_AUTHOR = "a_critique_author_whose_name_is_seventy_characters_long_without_breaks"
assert len(LONG_AUTHOR) == 70

WIDE_TABLE = "\n".join(
    [
        "| " + " | ".join(f"Column {n} heading" for n in range(12)) + " |",
        "|" + "---|" * 12,
        "| " + " | ".join(f"cell-{n}-value-wide" for n in range(12)) + " |",
    ]
)

ESSAY_BODY = f"""
::: upd 2026-01-20 re=long corrects=#tides
The earlier sentence named the wrong body; it is corrected.
:::

[The Moon lifts the sea twice a day.]{{.claim #tides was="The Sun lifts the sea."}}
Some ordinary text after the claim, so that the paragraph reads like one.

[Tables of tides are published every year.]{{.claim #tables}} The table below is wide.

{WIDE_TABLE}

A closing paragraph of ordinary text, long enough to give the margin some room beside it.
"""

PAGES = {
    "essay": "essays/tides/",
    "home": "",
    "tag": "tags/oceans/",
    "corrections": "corrections/",
}

# Every remark of the essay shown, as a reader can: on a phone each claim's marker unfolds its
# remarks under the paragraph; on a wide screen a stack's "N more remarks" opens it.
UNFOLD = """() => {
  document.querySelectorAll('.claim-marker[aria-expanded="false"], .stack-more:not([hidden])').forEach(b => b.click());
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}"""

# The page's width and, to say what widens it, the elements and text that reach past the window
# (not counting what a box that scrolls or clips on its own keeps inside itself).
WIDTHS = """() => {
  const clipped = node => {
    for (let e = node.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return e.getBoundingClientRect().right <= innerWidth + 0.5;
    }
    return false;
  };
  const name = e => `${e.tagName.toLowerCase()}${[...e.classList].map(c => '.' + c).join('')}`;
  const wide = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && wide.length < 8; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = node.nodeType === 1 ? node.getBoundingClientRect().right : range.getBoundingClientRect().right;
    const element = node.nodeType === 1 ? node : node.parentElement;
    if (right > innerWidth + 0.5 && element.checkVisibility() && !clipped(node)) {
      wide.push(`${node.nodeType === 1 ? name(node) : 'text in ' + name(element)} right=${Math.round(right)}`);
    }
  }
  // a box whose text runs out of it overlaps its neighbours even when the page does not widen
  // (a card's title over the card's meta column, a ledger cell over the next one)
  const spills = [...document.querySelectorAll(BOXES)]
    .filter(e => e.checkVisibility() && e.scrollWidth > e.clientWidth + 1)
    .slice(0, 8)
    .map(e => `${name(e)} ${e.scrollWidth} > ${e.clientWidth}`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth, wide, spills};
}""".replace(
    "BOXES",
    repr(
        "h1, h2, h3, .essay-card, .card-meta, .essay-head, .remark, .remark-body, .critique, .critique-body,"
        " .critique-remark-body, .reply, .upd, .correction, .ledger, td, th"
    ),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = make_site(
        tmp_path_factory.mktemp("no-sideways-scroll") / "site",
        {
            "content/essays/tides/index.md": essay(TITLE, ESSAY_BODY, date="2026-01-10", tags=["oceans"]),
            "content/essays/tides/critiques/long.md": critique(
                LONG_AUTHOR,
                f"""\
                The source is at {LONG_URL} and it says otherwise.

                ::: on #tides
                See {LONG_URL} for the tables.
                :::

                ::: on #tables
                The tables at <{LONG_URL}> are older.
                :::
                """,
                date="2026-01-12",
                stance="disputes",
            ),
            "content/essays/calm/index.md": essay(
                "An ordinary essay", "Short text.", date="2026-01-05", tags=["oceans"]
            ),
        },
        config={"base_url": "/"},
    )
    built = build(root)
    assert built.ok, built.report.errors
    with StaticServer(built.out) as running:
        yield running


def test_the_site_holds_the_long_cases(server: StaticServer) -> None:
    """The cases are really in the pages (a renamed field must not make the test pass vacuously)."""
    essay_page = (server.folder / PAGES["essay"] / "index.html").read_text(encoding="utf-8")
    assert LONG_WORD in essay_page
    assert LONG_URL in essay_page
    assert essay_page.count(LONG_AUTHOR) >= 3  # critique, margin remark, ledger
    assert "<table" in essay_page and "Column 11 heading" in essay_page
    for name in ("home", "tag", "corrections"):
        assert LONG_WORD in (server.folder / PAGES[name] / "index.html").read_text(encoding="utf-8"), name


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_never_wider_than_the_window(
    chromium_browser, server: StaticServer, name: str, width: int, javascript: bool
) -> None:
    page = new_page(chromium_browser, width, javascript=javascript)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(server.url + PAGES[name])
        page.wait_for_load_state("load")
        if name == "essay":
            if javascript:
                page.evaluate(UNFOLD)
                # the layout is placed in the next frame
                page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            assert page.locator(".ledger table").count() == 1
        measured = page.evaluate(WIDTHS)
        assert measured["scrollWidth"] <= measured["innerWidth"], (
            f"{PAGES[name] or '/'} at {width} px is {measured['scrollWidth']} px wide; wider than the window: "
            f"{measured['wide']}"
        )
        assert measured["spills"] == [], f"{PAGES[name] or '/'} at {width} px: text runs out of its box"
        assert errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_wide_tables_scroll_inside_themselves(chromium_browser, server: StaticServer, width: int) -> None:
    """The essay's wide table and the ledger keep to the text column; what does not fit scrolls
    inside the table's own box."""
    page = new_page(chromium_browser, width)
    try:
        page.goto(server.url + PAGES["essay"])
        page.wait_for_load_state("load")
        boxes = page.evaluate(
            """() => {
              const column = document.querySelector('.essay-body').getBoundingClientRect();
              const box = t => { const b = t.getBoundingClientRect(); const s = getComputedStyle(t);
                return {left: b.left, right: b.right, scrollWidth: t.scrollWidth, clientWidth: t.clientWidth,
                        overflowX: s.overflowX}; };
              return {column: {left: column.left, right: column.right},
                      body: box(document.querySelector('.essay-body table')),
                      ledger: box(document.querySelector('.ledger table'))};
            }"""
        )
        column = boxes["column"]
        for which in ("body", "ledger"):
            table = boxes[which]
            assert table["left"] >= column["left"] - 0.5 and table["right"] <= column["right"] + 0.5, (which, boxes)
        # the 12-column table never fits a 36rem column: it scrolls inside itself
        body = boxes["body"]
        assert body["scrollWidth"] > body["clientWidth"] and body["overflowX"] in ("auto", "scroll"), boxes
        # the ledger's three columns fit: the 70-character name wraps rather than make it scroll
        ledger = boxes["ledger"]
        assert ledger["scrollWidth"] <= ledger["clientWidth"] + 1, boxes
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    root = make_site(
        tmp_path_factory.mktemp("rtl") / "site",
        {
            "content/essays/tides/index.md": essay(
                "المد والجزر",
                "يجذب القمر [الجانب القريب من المحيط]{.claim #near} بقوة أكبر من الجانب البعيد.\n\nفقرة ثانية.\n",
                lang="ar",
            ),
            "content/essays/tides/critiques/r.md": critique("قارئ", "::: on #near\nليس القمر وحده.\n:::\n"),
        },
        config={"base_url": "/"},
    )
    built = build(root)
    assert built.ok, built.report.errors
    with StaticServer(built.out) as running:
        yield running


@pytest.mark.parametrize("width", [390, 1280])
def test_a_right_to_left_essay_keeps_its_margin_on_screen(chromium_browser, arabic: StaticServer, width: int) -> None:
    """Set right to left (lang: ar), the page was 19,000 px wide (the skip link sat 999rem to the
    left, which such a page scrolls to) and its margin's remark outside the window on the right."""
    page = new_page(chromium_browser, width)
    try:
        page.goto(arabic.url + PAGES["essay"])
        page.wait_for_load_state("load")
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        found = page.evaluate(
            """() => {
              const box = s => { const b = document.querySelector(s).getBoundingClientRect();
                                 return {left: b.left, right: b.right, visible: b.width > 0}; };
              return {dir: document.documentElement.dir, scrollWidth: document.documentElement.scrollWidth,
                      innerWidth: window.innerWidth, body: box('.essay-body'), remark: box('aside.remark')};
            }"""
        )
        assert found["dir"] == "rtl"
        assert found["scrollWidth"] <= found["innerWidth"], found
        if width == 1280:  # the margin column: beside the text on its end side, the left
            remark, body = found["remark"], found["body"]
            assert 0 <= remark["left"] and remark["right"] <= body["left"], found
    finally:
        page.context.close()
