"""``toc: true`` (in an essay or site.yml): a ``nav.toc`` of the essay's h2 and h3
headings; in the margin's top at 1280 px, clear of the remarks, inline on a phone."""

from __future__ import annotations

import pytest
from browser import StaticServer, new_page
from sitefactory import build, critique, essay, make_site, parse_html

BODY = """
[The Moon lifts the water.]{.claim #lift}

## Why two tides {#two}

Text.

### The far side

More text.

#### Too deep for the contents

## Заметки

End.
"""


def toc_links(html: str) -> list[tuple[str, str, str]]:
    nav = parse_html(html).find("nav", cls="toc")
    if nav is None:
        return []
    return [(li.get("class"), li.find("a").get("href"), li.text().strip()) for li in nav.find_all("li")]


def test_toc_lists_h2_and_h3_with_links_to_their_ids(tmp_path):
    root = make_site(tmp_path, {"content/essays/tides.md": essay("Tides", BODY, toc=True)})
    built = build(root)
    assert built.ok, built.report.errors
    page = built.page("essays/tides/")
    assert toc_links(page) == [
        ("toc-h2", "#two", "Why two tides"),
        ("toc-h3", "#the-far-side", "The far side"),
        ("toc-h2", "#zametki", "Заметки"),
    ]
    tree = parse_html(page)
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    assert {"two", "the-far-side", "zametki"} <= ids  # every link lands
    assert tree.find("nav", cls="toc").get("aria-label") == "Contents"


def test_toc_is_off_by_default_and_site_wide_with_site_yml(tmp_path):
    files = {
        "content/essays/plain.md": essay("Plain", BODY),
        "content/essays/without.md": essay("Without", BODY, toc=False),
    }
    assert toc_links(build(make_site(tmp_path / "a", files)).page("essays/plain/")) == []
    built = build(make_site(tmp_path / "b", files, config={"toc": True, "language": "ru"}))
    assert built.ok, built.report.errors
    assert len(toc_links(built.page("essays/plain/"))) == 3
    assert parse_html(built.page("essays/plain/")).find("nav", cls="toc").get("aria-label") == "Содержание"
    assert toc_links(built.page("essays/without/")) == []


GEOMETRY = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY}; };
  const body = document.querySelector('.essay-body');
  return {body: box(body), toc: box(document.querySelector('nav.toc')),
          first: box(body.querySelector(':scope > p')),
          remarks: [...document.querySelectorAll('aside.remark')].map(box),
          scroll: document.documentElement.scrollWidth <= innerWidth};
}"""


@pytest.fixture(scope="module")
def toc_site(tmp_path_factory):
    root = make_site(
        tmp_path_factory.mktemp("toc"),
        {
            "content/essays/tides/index.md": essay("Tides", BODY, toc=True),
            "content/essays/tides/critiques/a.md": critique("ana", "::: on #lift\nThe Sun lifts it too.\n:::"),
            "content/essays/tides/critiques/b.md": critique("ben", "::: on #lift\nAnd the wind, on some coasts.\n:::"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    with StaticServer(built.out) as server:
        yield server


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False])
def test_toc_sits_in_the_margin_top_on_a_wide_screen(chromium_browser, toc_site, javascript):
    page = new_page(chromium_browser, 1280, javascript=javascript)
    page.goto(toc_site.url + "essays/tides/")
    page.wait_for_load_state("load")
    g = page.evaluate(GEOMETRY)
    assert g["toc"]["left"] >= g["body"]["right"]  # in the margin
    assert abs(g["toc"]["top"] - g["body"]["top"]) < 2  # at its top
    for remark in g["remarks"]:  # the remarks of the first claim come below it, never over it
        assert remark["top"] >= g["toc"]["bottom"], (remark, g["toc"])
        assert remark["left"] >= g["body"]["right"]
    assert g["scroll"]
    page.close()


@pytest.mark.browser
def test_toc_is_inline_on_a_phone(chromium_browser, toc_site):
    page = new_page(chromium_browser, 390)
    page.goto(toc_site.url + "essays/tides/")
    page.wait_for_load_state("load")
    g = page.evaluate(GEOMETRY)
    assert g["body"]["left"] <= g["toc"]["left"] and g["toc"]["right"] <= g["body"]["right"] + 1
    assert g["toc"]["bottom"] <= g["first"]["top"]  # above the text, not beside it
    assert g["scroll"]
    page.click("nav.toc a[href='#zametki']")
    assert page.evaluate("location.hash") == "#zametki"
    page.close()
