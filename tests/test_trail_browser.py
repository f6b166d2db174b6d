"""The stress fixture (tests/fixtures/trail) in headless Chromium: a 300-word remark, six remarks
on one paragraph, a 60-character user name, a corrected claim without remarks, addressed, open and
declined critiques.  Every check is a measurement of the rendered page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import AXE, FIXTURES, StaticServer, build_site, new_page

pytestmark = pytest.mark.browser

ESSAY = "essays/models/"
LONG_NAME = "a_reader_with_a_very_long_user_name_that_never_breaks_at_all"  # 60 characters

# Each remark: shown or not, its box, its claim's top, its status line (page coordinates).
REMARKS = """() => {
  const body = document.querySelector('.essay > .essay-body');
  const box = body.getBoundingClientRect();
  const flow = [...body.children].filter(c => !c.matches('.remark, .stack-more'));
  const last = flow[flow.length - 1].getBoundingClientRect();
  return {
    column: {left: box.left, right: box.right, top: box.top + scrollY, bottom: box.bottom + scrollY,
             textBottom: last.bottom + scrollY},
    viewport: innerHeight,
    remarks: [...body.querySelectorAll(':scope > .remark, :scope > .stack-more:not([hidden])')].map(r => {
      const b = r.getBoundingClientRect();
      const target = r.dataset.target || r.previousElementSibling.dataset.target;
      const claim = body.querySelector(`[data-claim="${CSS.escape(target)}"]`).getClientRects()[0];
      return {
        id: r.id || 'more', target, shown: r.checkVisibility(), compact: r.classList.contains('is-compact'),
        left: b.left, right: b.right, top: b.top + scrollY, bottom: b.bottom + scrollY, claimTop: claim.top + scrollY,
        status: r.querySelector('.remark-status')?.innerText.trim() ?? null,
      };
    }),
  };
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    out = build_site(FIXTURES / "trail", tmp_path_factory.mktemp("trail-browser"), search=True)
    with StaticServer(out) as running:
        yield running


def open_page(browser, server, width: int, height: int = 900, path: str = ESSAY, **options):
    page = new_page(browser, width, height=height, **options)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + path)
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => !document.querySelector('.cp-js') || [...document.querySelectorAll('.essay-body > .remark:not(.is-folded)')]"
        ".every(r => r.style.top !== '' || getComputedStyle(r).position !== 'absolute')",
        timeout=5000,
    )
    page.errors = errors  # type: ignore[attr-defined]
    return page


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("width", [1280, 1024])
def test_margin_remarks_stay_within_a_screen_of_their_claims(chromium_browser, server, width: int) -> None:
    page = open_page(chromium_browser, server, width)
    data = page.evaluate(REMARKS)
    shown = [r for r in data["remarks"] if r["shown"]]
    assert len(shown) >= 4
    for remark in shown:
        assert remark["left"] > data["column"]["right"], f"{remark['id']} is not in the margin at {width} px"
        assert remark["top"] - remark["claimTop"] <= data["viewport"], (
            f"{remark['id']} starts more than a screen below its claim"
        )
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not overlap(a, b), (a, b)
    # six remarks after one paragraph fold into a stack: one shown, "5 more remarks"
    more = page.locator(".stack-more").first
    assert more.inner_text() == "5 more remarks"
    # the margin never lengthens the text column
    assert data["column"]["bottom"] - data["column"]["textBottom"] <= 40, data["column"]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # opening the stack shows the rest; each is still within a screen of its claim, or a compact marker
    more.click()
    data = page.evaluate(REMARKS)
    shown = [r for r in data["remarks"] if r["shown"]]
    assert len(shown) == 8
    for remark in shown:
        assert remark["top"] - remark["claimTop"] <= data["viewport"]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not overlap(a, b), (a, b)
    assert page.errors == []


def test_the_keyboard_opens_a_compact_remark(chromium_browser, server) -> None:
    # a remark pushed far below its claim shows only its head; a click opens it whole, and so must the
    # keyboard: Tab into its head and the status and words are there to read, not display: none
    page = open_page(chromium_browser, server, 1280)
    page.locator(".stack-more").first.focus()
    page.keyboard.press("Enter")
    compact = page.evaluate("[...document.querySelectorAll('.essay-body > .remark.is-compact')].map(r => r.id)")
    assert compact, "the fixture needs a remark shown as a one-line marker"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("(id) => document.activeElement.closest('.remark')?.id === id", compact[0]):
            break
    else:
        pytest.fail(f"Tab never reached {compact[0]}")
    remark = page.locator(f"#{compact[0]}")
    assert "is-compact" not in (remark.get_attribute("class") or "")
    assert remark.locator(".remark-status").is_visible() and remark.locator(".remark-body").is_visible()
    assert remark.locator(".to-critique").is_visible()
    # opened, it still overlaps no other remark, and focus stayed where the keyboard put it
    assert page.evaluate("(id) => document.activeElement.closest('.remark')?.id === id", compact[0])
    shown = [r for r in page.evaluate(REMARKS)["remarks"] if r["shown"]]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not overlap(a, b), (a, b)


def test_status_label_in_words_on_every_remark(chromium_browser, server) -> None:
    page = open_page(chromium_browser, server, 1280)
    page.locator(".stack-more").first.click()
    labels = page.evaluate(
        "[...document.querySelectorAll('.essay-body > .remark')].map(r => [r.dataset.critique, r.dataset.status,"
        " r.querySelector('.remark-status').innerText.trim(), getComputedStyle(r.querySelector('.remark-status'), '::before').content])"
    )
    expected = {
        "factual-errors": "addressed in UPD of Jan 17, 2026",
        "long-one": "open",
        "long-name": "open",
        "declined": "declined",
    }
    assert len(labels) == 8
    for critique, _status, text, shape in labels:
        assert text == expected[critique], (critique, text)
        assert shape not in ("none", "normal", ""), "the status has a shape, not colour alone"
    # the whole critique is one click away in the margin too
    assert page.evaluate(
        "[...document.querySelectorAll('.essay-body > .remark:not(.is-compact) .to-critique')].every(a => a.checkVisibility())"
    )
    # the clamped remark opens in place
    details = page.locator(".remark[data-target=fails] details.remark-more")
    before = page.locator(".remark[data-target=fails]").bounding_box()["height"]
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert page.locator(".remark[data-target=fails]").bounding_box()["height"] > before + 100
    # opened, it reads as one text, the whole remark (its first lines hidden), with the control
    # shown after it, not mid-sentence (in the DOM, a summary comes first)
    shown = " ".join(page.locator(".remark[data-target=fails] .remark-body").inner_text().split())
    whole = " ".join(page.locator("#critique-long-one .critique-remark-body").first.inner_text().split())
    assert shown == "less " + whole, shown[:200]
    summary = details.locator("summary").bounding_box()
    text = page.locator(".remark[data-target=fails] .remark-whole").bounding_box()
    assert summary["y"] >= text["y"] + text["height"] - 1


def test_phone_width_long_name_targets_and_tapping_the_claim(chromium_browser, server) -> None:
    page = open_page(chromium_browser, server, 390, 844, has_touch=True, is_mobile=True)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # every marker is a 44 x 44 px target around its centre
    misses = page.evaluate(
        """() => [...document.querySelectorAll('.claim-marker')].flatMap(m => {
          const r = m.getBoundingClientRect(); m.scrollIntoView({block: 'center'});
          const b = m.getBoundingClientRect(); const x = b.left + b.width / 2, y = b.top + b.height / 2;
          return [[-21, -21], [21, 21], [-21, 21], [21, -21]].filter(([dx, dy]) => {
            const hit = document.elementFromPoint(x + dx, y + dy); return !hit || !m.contains(hit) && hit !== m;
          }).map(d => m.dataset.for + ' ' + d);
        })"""
    )
    assert misses == []
    # tapping the claim's own words opens its remarks
    remark = page.locator(".remark[data-target=measured]")
    assert not remark.is_visible()
    page.locator("[data-claim=measured]").first.scroll_into_view_if_needed()
    point = page.evaluate(
        """() => { for (const part of document.querySelectorAll('[data-claim=measured]')) for (const r of part.getClientRects())
          for (const f of [0.2, 0.5, 0.8]) { const x = r.left + r.width * f, y = r.top + r.height / 2;
            if (document.elementFromPoint(x, y)?.closest('[data-claim]')?.dataset.claim === 'measured') return [x, y]; }
          return null; }"""
    )
    assert point, "no point of the claim's text is clear of the markers' targets"
    page.touchscreen.tap(*point)
    assert remark.is_visible()
    assert (
        page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.remark[data-target=measured] .remark-body')).fontSize)"
        )
        >= 15
    )
    # the 60-character name wraps inside the screen
    name = page.locator(".remark[data-target=measured] .remark-author")
    assert name.inner_text() == LONG_NAME
    box = page.locator(".remark[data-target=measured]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    for marker in page.locator(".claim-marker").all():
        marker.scroll_into_view_if_needed()
        if marker.get_attribute("aria-expanded") == "false":
            marker.tap()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # a marker never starts a line on its own: it is on the line of the claim's last word
    apart = page.evaluate(
        """() => [...document.querySelectorAll('.claim-count, .corrected-mark')].filter(m => {
          const claim = document.querySelector(`[data-claim="${CSS.escape(m.dataset.for || m.previousElementSibling?.dataset.claim || '')}"]`);
          const parts = [...document.querySelectorAll(`[data-claim="${CSS.escape(m.dataset.for || '')}"]`)];
          if (!parts.length) return false;
          const rects = parts[parts.length - 1].getClientRects(); const last = rects[rects.length - 1];
          return Math.abs(m.getClientRects()[0].bottom - last.bottom) > 12;
        }).map(m => m.dataset.for)"""
    )
    assert apart == []


def _pdf_text(page, tmp_path: Path) -> str:
    """The printed page as text in reading order (poppler's pdftotext, installed by .ci/run)."""
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4")
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_print_pdf_every_note_once_in_order(chromium_browser, server, javascript: bool, tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is missing")
        pytest.skip("pdftotext (poppler-utils) is not installed (.ci/run installs it)")
    page = open_page(chromium_browser, server, 1280, javascript=javascript, dark=True)
    page.emulate_media(media="print")
    text = _pdf_text(page, tmp_path)
    flat = re.sub(r"\s+", " ", text)
    # each remark's words once, in note order
    for phrase in ("These are last year's models.", "It is not older.", "Who measured it?", "The blog is reliable."):
        assert flat.count(phrase) == 1, (phrase, flat.count(phrase))
    positions = [
        flat.index(p)
        for p in (
            "These are last year's models.",
            "It is not older.",
            "Who measured it?",
            "Who quoted it?",
            "The blog is reliable.",
        )
    ]
    assert positions == sorted(positions)
    essay_part = text[: text.index("Critiques")]
    notes = [int(n) for n in re.findall(r"(?m)^\f?(\d)\. ", essay_part)]
    assert notes == list(range(1, 9)), notes
    # the 300-word remark is printed whole
    assert flat.count("never reproduced by anyone outside the company") >= 10
    # readable labels: dark ink on white, even from a dark-mode system
    colours = page.evaluate(
        "[...document.querySelectorAll('.upd-label, .by-author, .remark-status, .corrected-mark')].map(e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])"
    )
    for colour, background in colours:
        rgb = [int(x) for x in re.findall(r"\d+", colour)[:3]]
        assert sum(rgb) < 450, colour
        assert background in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), background
    assert "UPD Jan 17, 2026" in flat  # the UPD links stay as text


def test_same_note_numbers_with_and_without_javascript(chromium_browser, server) -> None:
    numbers = []
    for javascript in (True, False):
        page = open_page(chromium_browser, server, 1280, javascript=javascript)
        page.emulate_media(media="print")
        numbers.append(
            page.evaluate(
                "[...document.querySelectorAll('.essay-body > .remark .note-number, .claim-count .count-notes')]"
                ".filter(e => e.checkVisibility()).map(e => e.innerText.trim())"
            )
        )
    assert numbers[0] == numbers[1] and len(numbers[0]) >= 14


def test_new_since_the_last_visit_by_publication_to_the_minute(chromium_browser, server) -> None:
    page = open_page(chromium_browser, server, 1280)
    page.evaluate("localStorage.setItem('counterpoint:last-visit:models', '2026-01-18T00:00Z')")
    page.reload()
    page.wait_for_load_state("load")
    new = page.evaluate("[...document.querySelectorAll('.critique.is-new')].map(e => e.id).sort()")
    assert new == ["critique-declined", "critique-long-name"]  # published (written) on the 19th and 20th
    colour = page.evaluate("getComputedStyle(document.querySelector('.critique.is-new .new-badge')).backgroundColor")
    refutes = page.evaluate("getComputedStyle(document.querySelector('.stance-refutes')).color")
    assert colour != refutes
    # the index counts them, once a visit is known; without one it says nothing
    index = open_page(chromium_browser, server, 1280, path="")
    assert not index.locator(".new-since").is_visible()
    index.evaluate("localStorage.setItem('counterpoint:last-visit:models', '2026-01-18T00:00Z')")
    index.reload()
    assert index.locator(".new-since").inner_text() == "2 new since your visit"


@pytest.mark.parametrize("path", ["", ESSAY, "corrections/", "tags/", "search/", "404.html", "about/"])
def test_no_request_fails(chromium_browser, server, path: str) -> None:
    page = new_page(chromium_browser, 1280)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    if path == "404.html":
        failed = [u for u in failed if not u.endswith("/404.html")]
    assert failed == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("path,width", [(ESSAY, 1280), (ESSAY, 1024), (ESSAY, 390), ("search/", 1280), ("", 390)])
def test_axe_finds_no_serious_violations(chromium_browser, server, path: str, width: int, dark: bool) -> None:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("node_modules/axe-core is missing")
        pytest.skip("node_modules/axe-core is not installed (.ci/run installs it)")
    page = open_page(chromium_browser, server, width, path=path, dark=dark)
    if path == "search/":
        page.wait_for_selector(".pagefind-ui__search-input", timeout=10000)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_pygments_stylesheet_only_on_pages_with_code(server) -> None:
    root = Path(server.folder)
    assert "static/pygments.css" in (root / "about/index.html").read_text("utf-8")
    for page in ("index.html", "essays/models/index.html", "corrections/index.html", "search/index.html"):
        assert "pygments.css" not in (root / page).read_text("utf-8"), page
