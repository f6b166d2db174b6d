"""The essay page in a real browser (headless Chromium): the margin layout at 1280 px,
the folded remarks on a 390 px phone, the page without JavaScript, keyboard use,
permalinks, "new since your last visit", print, and accessibility (axe-core)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser import AXE, missing_tool, new_page

pytestmark = pytest.mark.browser

ESSAY = "essays/margins/"

# Every remark shown in the margin (and each stack's "N more" control) with the box it occupies and
# the top of its claim (page coordinates); remarks folded into a stack or too far below their claim
# are listed in ``hidden``.
GEOMETRY = """() => {
  const body = document.querySelector('.essay > .essay-body');
  const column = body.getBoundingClientRect();
  const all = [...body.querySelectorAll('aside.remark')];
  const hidden = all.filter(r => r.matches('.is-folded, .is-far')).map(r => r.id);
  const shown = all.filter(r => !r.matches('.is-folded, .is-far'));
  const more = [...body.querySelectorAll(':scope > .stack-more:not([hidden])')].map(b => {
    b.dataset.target = b.previousElementSibling.dataset.target; b.id = b.id || 'more-' + b.previousElementSibling.id; return b;
  });
  const remarks = shown.concat(more).map((r, index) => {
    const box = r.getBoundingClientRect();
    const part = body.querySelector(`[data-claim="${CSS.escape(r.dataset.target)}"]`);
    const line = part.getClientRects()[0];
    return {
      id: r.id, index, target: r.dataset.target,
      left: box.left, right: box.right, width: box.width, height: box.height,
      top: box.top + scrollY, bottom: box.bottom + scrollY, claimTop: line.top + scrollY,
      visible: r.checkVisibility({opacityProperty: true, visibilityProperty: true}) && box.width > 0 && box.height > 0,
    };
  });
  return {left: column.left, right: column.right, viewport: document.documentElement.clientWidth, remarks, hidden,
          total: all.length, compact: all.filter(r => r.matches('.is-compact')).map(r => r.id)};
}"""

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= innerWidth"


def open_page(browser, server, path: str = ESSAY, *, width: int = 1280, **options):
    page = new_page(browser, width, **options)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + path)
    page.wait_for_load_state("load")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def intersect(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def assert_no_overlaps(remarks: list[dict]) -> None:
    for i, a in enumerate(remarks):
        for b in remarks[i + 1 :]:
            assert not intersect(a, b), f"{a['id']} and {b['id']} overlap: {a} {b}"


def assert_in_margin(geometry: dict) -> None:
    for remark in geometry["remarks"]:
        assert remark["visible"], remark
        assert remark["left"] >= geometry["right"] + 1, f"{remark['id']} overlaps the text column: {remark}"
        assert remark["right"] <= geometry["viewport"], f"{remark['id']} is cut off on the right: {remark}"


def wait_for_placement(page) -> dict:
    """The layout is placed in a frame after load: wait until every remark is beside its claim."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.essay-body > .remark:not(.is-folded)')].every(r => r.style.top !== '')""",
        timeout=5000,
    )
    return page.evaluate(GEOMETRY)


def assert_placement_rule(remarks: list[dict]) -> None:
    """Sorted by their claim's top, each remark starts at its claim's top, or right
    below the remark above it when that one reaches further down."""
    ordered = sorted(remarks, key=lambda r: (r["claimTop"], r["index"]))
    previous = None
    for remark in ordered:
        beside = abs(remark["top"] - remark["claimTop"]) <= 40
        pushed = (
            previous is not None
            and remark["top"] > remark["claimTop"]
            and 0 <= remark["top"] - previous["bottom"] <= 16
        )
        assert beside or pushed, (
            f"{remark['id']} is neither beside its claim nor under the remark above: {remark}, above: {previous}"
        )
        assert previous is None or remark["top"] >= previous["bottom"], f"{remark['id']} is out of order"
        previous = remark


# ---- desktop ----


def test_desktop_remarks_sit_beside_their_claims(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    geometry = wait_for_placement(page)
    remarks = geometry["remarks"]
    assert geometry["total"] >= 12
    assert len({r["target"] for r in remarks}) < len(remarks), "the fixture needs several remarks on one claim"
    assert_in_margin(geometry)
    assert_no_overlaps(remarks)
    assert_placement_rule(remarks)
    # at least half of them are exactly beside their claim, the rest pushed down in order
    assert sum(abs(r["top"] - r["claimTop"]) <= 40 for r in remarks) >= 4
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.errors == []


def test_layout_follows_text_reflow_and_resize(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    wait_for_placement(page)
    # a bigger font in the first paragraphs moves every claim below them down
    fundy_top = "document.getElementById('fundy').getBoundingClientRect().top + scrollY"
    fundy_before = page.evaluate(fundy_top)
    page.evaluate(
        "document.querySelectorAll('.essay-body > p').forEach((p, i) => { if (i < 3) p.style.fontSize = '150%'; })"
    )
    page.wait_for_function(
        f"() => {{ const g = ({GEOMETRY})(); return {fundy_top} > {fundy_before} + 20"
        " && g.remarks.every(r => r.top >= r.claimTop - 40); }",
        timeout=5000,
    )
    moved = page.evaluate(GEOMETRY)
    assert_no_overlaps(moved["remarks"])
    assert_placement_rule(moved["remarks"])
    # wider window: still beside the claims
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_function(
        f"() => {{ const g = ({GEOMETRY})(); return g.remarks.every(r => r.left > g.right); }}", timeout=5000
    )
    wide = page.evaluate(GEOMETRY)
    assert_in_margin(wide)
    assert_no_overlaps(wide["remarks"])
    assert_placement_rule(wide["remarks"])


def test_hover_links_remark_and_claim_both_ways(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    wait_for_placement(page)
    linked = (
        "(id) => [...document.querySelectorAll(`[data-claim='${id}']`)].every(e => e.classList.contains('is-linked'))"
    )
    remarks = page.evaluate(
        "[...document.querySelectorAll('.essay-body > .remark')].filter(r => r.checkVisibility()).map(r => [r.id, r.dataset.target])"
    )
    for remark_id, target in remarks:
        page.hover(f"#{remark_id}", timeout=5000)
        assert page.evaluate(linked, target), f"hovering {remark_id} does not highlight claim {target}"
        assert page.evaluate("(id) => document.getElementById(id).classList.contains('is-linked')", remark_id)
    # a quote spanning emphasis is several elements: all of them light up
    quote = page.evaluate(
        "[...document.querySelectorAll('.essay-body > .remark')].map(r => r.dataset.target)"
        ".find(t => document.querySelectorAll(`[data-claim='${t}']`).length > 1)"
    )
    assert quote, "the fixture needs a quote-anchored claim that spans formatting"
    # and the other way: hovering a claim highlights its remarks, leaving it clears them
    page.hover("#fundy")
    assert page.evaluate(
        "[...document.querySelectorAll('.remark[data-target=fundy]')].every(r => r.classList.contains('is-linked'))"
    )
    assert page.evaluate("document.querySelectorAll('.remark.is-linked').length") == 2
    page.mouse.move(5, 5)
    assert page.evaluate("document.querySelectorAll('.is-linked').length") == 0


def test_keyboard_reaches_remarks_and_focus_highlights_the_claim(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    wait_for_placement(page)
    for _ in range(120):
        page.keyboard.press("Tab")
        target = page.evaluate("document.activeElement.closest('.remark')?.dataset.target || null")
        if target:
            break
    else:
        pytest.fail("Tab never reached a remark")
    assert page.evaluate(
        "(id) => [...document.querySelectorAll(`[data-claim='${id}']`)].every(e => e.classList.contains('is-linked'))",
        target,
    )
    # the claim's marker is a button: Enter moves focus to its first remark
    page.focus(".claim-marker[data-for=fundy]")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.matches('.remark[data-target=fundy]')")


# ---- phone ----


def test_phone_markers_fold_and_unfold_remarks(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server, width=390, height=844, has_touch=True, is_mobile=True)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    remarks = page.locator(".remark[data-target=spring]")
    assert remarks.count() == 2
    marker = page.locator(".claim-marker[data-for=spring]")
    assert marker.get_attribute("aria-expanded") == "false"
    for i in range(2):
        assert not remarks.nth(i).is_visible()
    marker.tap()
    assert marker.get_attribute("aria-expanded") == "true"
    for i in range(2):
        assert remarks.nth(i).is_visible()
    box = remarks.first.bounding_box()
    block = page.locator("#spring").bounding_box()
    assert box["y"] > block["y"] and box["x"] >= 0 and box["x"] + box["width"] <= 390
    marker.tap()
    assert marker.get_attribute("aria-expanded") == "false"
    for i in range(2):
        assert not remarks.nth(i).is_visible()
    # everything unfolded: still nothing wider than the screen (the table and the code scroll inside)
    page.evaluate("document.querySelectorAll('.claim-marker[aria-expanded=false]').forEach(b => b.click())")
    assert page.evaluate("[...document.querySelectorAll('.remark')].every(r => r.checkVisibility())")
    assert page.evaluate(NO_HORIZONTAL_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert page.evaluate(
        "document.querySelector('.essay-body pre').scrollWidth > document.querySelector('.essay-body pre').clientWidth"
    )
    assert page.errors == []


def test_phone_keyboard_operates_markers(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server, width=390, height=844)
    for _ in range(60):
        page.keyboard.press("Tab")
        claim = page.evaluate(
            "document.activeElement.matches('.claim-marker') ? document.activeElement.dataset.for : null"
        )
        if claim:
            break
    else:
        pytest.fail("Tab never reached a claim marker")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
    shown = page.locator(f".remark[data-target='{claim}']")
    assert shown.first.is_visible()
    for _ in range(20):  # Tab goes on into the unfolded remark
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.closest('.remark')?.dataset.target === '{claim}'"):
            break
    else:
        pytest.fail("the unfolded remark is not reachable by Tab")
    page.focus(f".claim-marker[data-for='{claim}']")
    page.keyboard.press("Space")
    assert not shown.first.is_visible()


# ---- without JavaScript ----


@pytest.mark.parametrize("width", [1280, 390])
def test_without_javascript_every_remark_is_shown(chromium_browser, annotated_server, width: int) -> None:
    page = open_page(chromium_browser, annotated_server, width=width, javascript=False)
    geometry = page.evaluate(GEOMETRY)
    remarks = geometry["remarks"]
    assert len(remarks) >= 12 and all(r["visible"] for r in remarks)
    assert page.evaluate("document.querySelectorAll('.claim-marker').length") == 0
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert_no_overlaps(remarks)
    # in document order, top to bottom
    assert [r["top"] for r in remarks] == sorted(r["top"] for r in remarks)
    if width == 1280:
        assert_in_margin(geometry)
    else:
        for remark in remarks:
            assert geometry["left"] - 1 <= remark["left"] and remark["right"] <= geometry["right"] + 1


# ---- permalinks ----


def test_remark_permalink_opens_and_highlights_the_pair_on_a_phone(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server, "essays/margins/#remark-numbers-16", width=390, height=844)
    remark = page.locator("#remark-numbers-16")
    assert remark.is_visible()
    assert page.evaluate("document.getElementById('remark-numbers-16').classList.contains('is-target')")
    assert page.evaluate("document.getElementById('fundy').classList.contains('is-target')")
    assert page.locator(".claim-marker[data-for=fundy]").get_attribute("aria-expanded") == "true"
    box = remark.bounding_box()
    assert 0 <= box["y"] < 844, box


def test_claim_permalink_scrolls_to_the_claim_and_its_remarks(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server, "essays/margins/#fundy")
    wait_for_placement(page)
    page.wait_for_function(
        "() => { const r = document.getElementById('fundy').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }",
        timeout=5000,
    )
    assert page.evaluate(
        "[...document.querySelectorAll('.remark[data-target=fundy]')].every(r => r.classList.contains('is-target'))"
    )
    assert page.evaluate("document.querySelectorAll('.remark.is-target').length") == 2
    # following a link to another claim moves the highlight
    page.evaluate("location.hash = '#lift'")
    page.wait_for_function("document.getElementById('lift').classList.contains('is-target')", timeout=5000)
    assert not page.evaluate("document.getElementById('fundy').classList.contains('is-target')")


# ---- new since the last visit ----


def test_new_since_last_visit(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    assert page.evaluate("document.querySelectorAll('.is-new').length") == 0  # first visit: nothing is "new"
    page.evaluate("localStorage.setItem('counterpoint:last-visit:margins', '2026-01-15')")
    page.reload()
    new = page.evaluate("[...document.querySelectorAll('.is-new')].map(e => e.id).sort()")
    assert "upd-2026-01-20" in new and "critique-questions" in new and "critique-swing" in new
    assert "critique-numbers" not in new and "critique-gravity-gradient" not in new and "critique-seconds" not in new
    dates = page.evaluate("[...document.querySelectorAll('.is-new')].map(e => e.dataset.date)")
    assert all(d > "2026-01-15" for d in dates)
    assert page.locator("#critique-questions .critique-head .new-badge").is_visible()
    # a reply dated after the last visit is new too, inside an otherwise old critique
    assert page.evaluate("document.querySelector('#critique-gravity-gradient .reply.is-new .new-badge') !== null")
    page.reload()  # that visit is now the last one
    assert page.evaluate("document.querySelectorAll('.is-new').length") == 0


def test_two_sites_on_one_origin_keep_their_own_last_visits(chromium_browser, tmp_path) -> None:
    """Two project sites of one GitHub Pages user (``user.github.io/a/``, ``.../b/``) share
    an origin, and so the browser's storage: an essay ``e`` of one had the last visit of
    the other's ``e``.  A site under a sub-path keys its visits by that path."""
    from browser import StaticServer
    from sitefactory import build, critique, essay, make_site

    served = tmp_path / "served"
    for name in ("a", "b"):
        files = {
            "content/essays/e/index.md": essay("E", "[A claim.]{.claim #c}\n"),
            "content/essays/e/critiques/r.md": critique("r", "::: on #c\nNo.\n:::\n"),
        }
        root = make_site(tmp_path / name, files, {"base_url": f"/{name}/"})
        built = build(root, out=served / name)
        assert built.ok, built.report.errors
    with StaticServer(served) as server:
        page = new_page(chromium_browser, 1280)
        for name in ("a", "b"):
            page.goto(server.url + f"{name}/essays/e/")
            page.wait_for_load_state("load")
        keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('counterpoint:last-visit:')).sort()")
        assert keys == ["counterpoint:last-visit:/a/e", "counterpoint:last-visit:/b/e"]
        page.goto(server.url + "a/")  # the listing reads the visits the essays wrote
        page.evaluate("localStorage.setItem('counterpoint:last-visit:/a/e', '2020-01-01T00:00Z')")
        page.reload()
        page.wait_for_load_state("load")
        assert page.locator(".new-since").is_visible()


# ---- print, schemes, requests ----


def test_print_turns_remarks_into_numbered_notes(chromium_browser, annotated_server) -> None:
    page = open_page(chromium_browser, annotated_server)
    wait_for_placement(page)
    page.emulate_media(media="print")
    geometry = page.evaluate(GEOMETRY)
    # on paper every remark is a note, none folded, none made compact
    assert page.evaluate(
        "[...document.querySelectorAll('aside.remark')].every(r => r.checkVisibility() && r.querySelector('.remark-body').checkVisibility())"
    )
    for remark in geometry["remarks"]:
        if remark["id"].startswith("more-"):
            assert not remark["visible"], remark
            continue
        assert remark["visible"] and remark["right"] <= geometry["right"] + 1, remark
    assert page.evaluate(
        "[...document.querySelectorAll('.stack-more, .remark-foot, .site-nav')].every(e => !e.checkVisibility())"
    )
    # the marker prints as the claim's note numbers, not as a button with a count
    assert page.evaluate(
        "[...document.querySelectorAll('.claim-marker')].every(m => !m.querySelector('.count-n').checkVisibility()"
        " && m.querySelector('.count-notes').checkVisibility())"
    )
    # the numbers are written in the page: the same on paper with the script as without it
    numbers = page.evaluate(
        "[...document.querySelectorAll('.essay-body > .remark')].map(r => [r.dataset.note, r.querySelector('.note-number').innerText, r.querySelector('.note-number').checkVisibility()])"
    )
    assert [n[0] for n in numbers] == [str(i) for i in range(1, len(numbers) + 1)]
    assert all(text == f"{note}." and visible for note, text, visible in numbers), numbers
    notes = page.evaluate("document.querySelector('.claim-count[data-for=fundy]').innerText")
    fundy = page.evaluate("[...document.querySelectorAll('.remark[data-target=fundy]')].map(r => r.dataset.note)")
    assert notes.strip() == f"{fundy[0]}\u2013{fundy[-1]}", notes


def test_printed_status_of_an_addressed_remark_is_one_line_of_text(chromium_browser, annotated_server) -> None:
    # paper is narrower than 62em, but a phone's 44 px tap targets mean nothing on it, and the frame that
    # replaces the badge colours belongs to the badges (.status), not to a remark's whole status line
    page = open_page(chromium_browser, annotated_server, width=700)
    page.emulate_media(media="print")
    status = page.evaluate(
        """() => [...document.querySelectorAll('.remark[data-status=addressed] .remark-status')].map(p => {
          const s = getComputedStyle(p);
          return {height: p.getBoundingClientRect().height, line: parseFloat(s.lineHeight), border: s.borderTopStyle,
                  link: p.querySelector('.addressed-in').getBoundingClientRect().height};
        })"""
    )
    assert status, "the fixture needs an addressed remark"
    for line in status:
        assert line["border"] == "none", line
        assert line["link"] <= line["line"] + 1 and line["height"] <= 2 * line["line"] + 1, line


def test_dark_scheme(chromium_browser, annotated_server) -> None:
    light = open_page(chromium_browser, annotated_server)
    dark = open_page(chromium_browser, annotated_server, dark=True)
    background = "getComputedStyle(document.body).backgroundColor"
    luminance = lambda page: sum(int(x) for x in page.evaluate(background)[4:-1].split(",")[:3])  # noqa: E731
    assert luminance(light) > 600 and luminance(dark) < 150


def test_no_request_leaves_the_site(chromium_browser, annotated_server) -> None:
    page = new_page(chromium_browser, 1280)
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for path in (ESSAY, "", "corrections/", "tags/"):
        page.goto(annotated_server.url + path)
        page.wait_for_load_state("load")
    here = urlsplit(annotated_server.url).netloc
    assert seen and all(urlsplit(url).netloc == here for url in seen), seen
    assert any(url.endswith("/static/counterpoint.js") for url in seen)


# ---- accessibility ----


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("path,width", [(ESSAY, 1280), (ESSAY, 390), ("", 1280), ("corrections/", 1280)])
def test_axe_finds_no_serious_violations(chromium_browser, annotated_server, path: str, width: int, dark: bool) -> None:
    if not AXE.exists():
        missing_tool("node_modules/axe-core is not installed (.ci/run installs it)")
    page = open_page(chromium_browser, annotated_server, path, width=width, dark=dark)
    if path == ESSAY and width == 1280:
        wait_for_placement(page)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    serious = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


# ---- a reader on the keyboard or with a screen reader ----

# WCAG contrast of every piece of text inside the elements ``selector`` matches, from computed styles:
# the text's colour over the backgrounds beneath it (translucent layers blended down to an opaque one).
CONTRAST = """(selector) => {
  const parse = (c) => {
    let m = c.match(/^rgba?\\(([^)]+)\\)/);
    if (m) { const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    m = c.match(/^color\\(srgb ([^)]+)\\)/);
    if (m) { const p = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
    throw new Error('unparsed colour ' + c);
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const low = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (!el.checkVisibility() || ![...el.childNodes].some(n => n.nodeType === 3 && n.data.trim())) continue;
      const style = getComputedStyle(el), below = background(el);
      const a = luminance(over(parse(style.color), below)), b = luminance(below);
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const large = parseFloat(style.fontSize) >= 24 || (parseInt(style.fontWeight) >= 700 && parseFloat(style.fontSize) >= 18.66);
      if (ratio < (large ? 3 : 4.5)) low.push([el.tagName + '.' + el.className, el.textContent.trim().slice(0, 30), style.color, Math.round(ratio * 100) / 100]);
    }
  }
  return low;
}"""


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_highlighted_remark_keeps_its_text_readable(chromium_browser, annotated_server, dark: bool) -> None:
    # focusing (or hovering, or opening the permalink of) a remark paints it and its claim in the
    # highlight colour: the muted dates, links and statuses on it still reach 4.5:1
    page = open_page(chromium_browser, annotated_server, dark=dark)
    wait_for_placement(page)
    remark = page.evaluate("document.querySelector('.essay-body > .remark:not(.is-folded)').id")
    page.focus(f"#{remark} .remark-author")
    assert page.evaluate(f"document.getElementById('{remark}').classList.contains('is-linked')")
    assert page.evaluate(CONTRAST, ".remark.is-linked, .claim.is-linked") == []
    page.evaluate("location.hash = '#remark-numbers-16'")
    page.wait_for_function("document.getElementById('remark-numbers-16').classList.contains('is-target')")
    assert page.evaluate(CONTRAST, ".remark.is-target, .claim.is-target") == []


def test_reduced_motion_moves_to_a_remark_without_smooth_scrolling(chromium_browser, annotated_server) -> None:
    # a reader who asked for less motion is taken to the remark at once, not glided there
    page = open_page(chromium_browser, annotated_server, reduced_motion="reduce")
    wait_for_placement(page)
    result = page.evaluate(
        """() => {
          const marker = document.querySelector('.claim-marker[data-for=fundy]');
          const remark = document.querySelector('.remark[data-target=fundy]');
          scrollTo(0, 0);  // the claim and its remarks (folded into a stack) are screens further down
          marker.click();
          const r = remark.getBoundingClientRect();
          return {scrolled: scrollY > 0, after: r.top >= 0 && r.bottom <= innerHeight, focused: document.activeElement === remark};
        }"""
    )
    assert result == {"scrolled": True, "after": True, "focused": True}, result


@pytest.mark.parametrize("width", [1280, 390])
def test_escape_in_a_remark_returns_to_its_claim(chromium_browser, annotated_server, width: int) -> None:
    # Enter on a claim's marker takes the keyboard into its remarks (margin) or unfolds them (phone);
    # Escape anywhere in a remark comes back to the marker, and on a phone folds the remarks again
    page = open_page(chromium_browser, annotated_server, width=width, height=844 if width < 600 else 900)
    if width > 600:
        wait_for_placement(page)
    marker = page.locator(".claim-marker[data-for=fundy]")
    marker.focus()
    page.keyboard.press("Enter")
    for _ in range(5):
        if page.evaluate("document.activeElement.closest('.remark[data-target=fundy]') !== null"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.remark[data-target=fundy]') !== null")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.matches('.claim-marker[data-for=fundy]')")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    if width < 600:
        assert marker.get_attribute("aria-expanded") == "false"
        assert not page.locator(".remark[data-target=fundy]").first.is_visible()
    else:
        assert page.locator(".remark[data-target=fundy]").first.is_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_link_says_where_it_goes_out_of_context(chromium_browser, annotated_server, javascript: bool) -> None:
    # a screen reader's list of links shows each link's name alone: "whole critique", "to the claim", a
    # date six times over, each going somewhere else, tells the reader nothing.  (A claim's count, "2 remarks",
    # is read in the sentence it ends, the claim's: WCAG 2.4.4 takes that sentence as its context.)
    page = open_page(chromium_browser, annotated_server, javascript=javascript)
    names = page.evaluate(
        """() => {
          const names = {};
          for (const a of document.querySelectorAll('.essay a[href]:not(.claim-count)')) {
            if (!a.checkVisibility()) continue;
            const name = (a.getAttribute('aria-label') || a.innerText).replace(/\\s+/g, ' ').trim();
            (names[name] = names[name] || new Set()).add(a.getAttribute('href'));
          }
          return Object.entries(names).filter(([, targets]) => targets.size > 1).map(([name, targets]) => [name, targets.size]);
        }"""
    )
    assert names == [], names
    # a name given to a link starts with the words it shows (what a voice-control user says); a footnote's
    # "↩︎" shows no words
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.essay a[aria-label]:not([role=button])')]"
            ".filter(a => /[\\p{L}\\p{N}]/u.test(a.innerText) && !a.getAttribute('aria-label').startsWith(a.innerText.replace(/\\s+/g, ' ').trim()))"
            ".map(a => a.outerHTML)"
        )
        == []
    )


def test_a_markers_expanded_state_tells_whether_its_remarks_are_shown(chromium_browser, annotated_server) -> None:
    # in the margin a claim's count says "expanded" to a screen reader only when its remarks are on
    # the screen: remarks folded into a stack ("2 more remarks") are not, until the count opens them
    page = open_page(chromium_browser, annotated_server)
    wait_for_placement(page)
    states = page.evaluate(
        """() => [...document.querySelectorAll('.claim-marker')].map(m => [m.dataset.for, m.getAttribute('aria-expanded'),
          [...document.querySelectorAll(`.essay-body > .remark[data-target="${CSS.escape(m.dataset.for)}"]`)].every(r => r.checkVisibility())])"""
    )
    assert any(not shown for _, _, shown in states), "the fixture needs a claim whose remarks are folded"
    assert [(claim, expanded) for claim, expanded, shown in states if expanded != ("true" if shown else "false")] == []
    marker = page.locator(".claim-marker[data-for=fundy]")
    assert marker.get_attribute("aria-expanded") == "false"
    marker.focus()
    page.keyboard.press("Enter")
    assert marker.get_attribute("aria-expanded") == "true"
    assert page.locator(".remark[data-target=fundy]").first.is_visible()
