""" "Critique this passage" in a real browser (headless Chromium): select a passage of the
fixture essay, activate the control, read the GitHub issue link and the mailto: link; the
body, saved and fed to ``new critique --from``, gives a remark anchored to exactly that
passage after a build.  Keyboard, screen reader names, phones, print, no request before a
click, no control without a channel."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import AXE, FIXTURES, StaticServer, new_page
from sitefactory import parse_html

from counterpoint.build.engine import Engine
from counterpoint.cli import main
from counterpoint.essay import anchoring

pytestmark = pytest.mark.browser

ESSAY = "essays/margins/"

# Select the first occurrence of a text in the essay body (as a mouse drag or Shift+arrows would).
SELECT = """(needle) => {
  const body = document.querySelector('.essay > .essay-body');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const at = n.data.indexOf(needle);
    // the essay's own words: not a remark, nor the claims a UPD lists as corrected
    if (at < 0 || n.parentElement.closest('aside.remark, .upd-corrects, .claim-count, .corrected-mark')) continue;
    const range = document.createRange();
    range.setStart(n, at);
    range.setEnd(n, at + needle.length);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}"""

# Where a drag from the start of one text to the end of another begins and ends on the screen.
DRAG = """([from, to]) => {
  const body = document.querySelector('.essay > .essay-body');
  function range(needle) {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.data.indexOf(needle);
      if (at < 0) continue;
      const r = document.createRange();
      r.setStart(n, at);
      r.setEnd(n, at + needle.length);
      return r;
    }
  }
  const a = range(from), b = range(to);
  a.startContainer.parentElement.scrollIntoView({block: 'center'});
  const first = a.getClientRects()[0], lasts = b.getClientRects(), last = lasts[lasts.length - 1];
  return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
}"""


def _site(work: Path, critiques: str) -> Path:
    site = work / "site"
    shutil.copytree(FIXTURES / "annotated", site)
    with open(site / "site.yml", "a", encoding="utf-8") as handle:
        handle.write(critiques)
    return site


def _build(site: Path, out: Path) -> Path:
    report = Engine(site, out=out, use_cache=False, search=False, jobs=1).build()
    assert report.ok, report.errors
    return out


@pytest.fixture(scope="module")
def critique_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("critique")
    return _site(work, "critiques:\n  github: vera-lind/margin-notes\n  email: vera@example.org\n")


@pytest.fixture(scope="module")
def critique_server(critique_site: Path) -> Iterator[StaticServer]:
    out = _build(critique_site, critique_site.parent / "public")
    with StaticServer(out) as server:
        yield server


def open_page(browser, server, *, width: int = 1280, **options):
    page = new_page(browser, width, **options)
    page.requests = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(server.url + ESSAY)
    page.wait_for_load_state("load")
    return page


def issue_parts(href: str) -> dict[str, str]:
    url = urlsplit(href)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    return {"scheme": url.scheme, "host": url.netloc, "path": url.path, **query}


def test_a_selected_passage_becomes_an_issue_and_the_issue_a_remark_on_it(
    chromium_browser, critique_server, critique_site: Path, tmp_path: Path, capsys
) -> None:
    page = open_page(chromium_browser, critique_server)
    # a mouse drag over a passage that runs across emphasis ("*Principia*")
    box = page.evaluate(DRAG, ["Newton was", "Principia"])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"] + 1, steps=8)
    page.mouse.up()
    control = page.locator(".cp-critique-control")
    control.wait_for(state="visible")
    assert control.inner_text() == "Critique this passage"
    control.click()
    panel = page.locator(".cp-critique-panel")
    assert panel.is_visible() and page.evaluate("document.activeElement.id") == "cp-critique-text"
    page.keyboard.type("Kepler guessed it before Newton.")

    github = issue_parts(page.get_attribute(".cp-critique-github", "href"))
    selected = "Newton was the first to connect the tides with gravity, in the Principia"
    assert (github["scheme"], github["host"], github["path"]) == (
        "https",
        "github.com",
        "/vera-lind/margin-notes/issues/new",
    )
    assert github["labels"] == "essay:margins"
    assert github["title"] == f"How tides really work: “{selected[:59]}…”"
    body = github["body"]
    assert body.startswith("---\nessay: margins\ndate: 20")
    assert f'::: on "{selected}"\nKepler guessed it before Newton.\n:::\n' in body
    assert len(page.get_attribute(".cp-critique-github", "href")) < 8000

    mail = issue_parts(page.get_attribute(".cp-critique-email", "href"))
    assert (mail["scheme"], mail["path"]) == ("mailto", "vera@example.org")
    assert mail["body"] == body and mail["subject"].startswith("Critique: How tides really work")
    # nothing left the page: every request went to the site's own server
    assert all(url.startswith(critique_server.url) for url in page.requests), page.requests
    assert page.errors == []

    # the body, saved and fed to `new critique --from`, anchors to exactly that passage
    saved = tmp_path / "issue-body.md"
    saved.write_text(body, encoding="utf-8")
    site = tmp_path / "site"
    shutil.copytree(critique_site, site)
    assert main(["new", "critique", "margins", "--dir", str(site), "--from", str(saved), "--author", "kepler_fan"]) == 0
    assert f'anchored "{selected}"' in capsys.readouterr().out
    out = _build(site, tmp_path / "out")
    tree = parse_html((out / ESSAY / "index.html").read_text("utf-8"))
    claim_id = anchoring.quote_claim_id(selected)
    pieces = [el for el in tree.iter() if el.get("data-claim") == claim_id]
    outer = [el for el in pieces if not any(a in pieces for a in el.ancestors())]
    assert " ".join("".join(el.text() for el in outer).split()) == selected
    remark = [a for a in tree.find_all("aside", cls="remark") if a.get("data-critique") == "kepler-fan"]
    assert [a.get("data-target") for a in remark] == [claim_id]
    assert "Kepler guessed it before Newton." in remark[0].text()


def test_a_passage_that_occurs_twice_is_widened_until_it_occurs_once(chromium_browser, critique_server) -> None:
    page = open_page(chromium_browser, critique_server)
    text = page.evaluate("document.querySelector('.essay-body').textContent")
    assert text.count("the Moon") > 1
    assert page.evaluate(SELECT, "the Moon")
    page.locator(".cp-critique-control").click()
    value = page.input_value("#cp-critique-text")
    quote = value.split('::: on "', 1)[1].split('"\n', 1)[0]
    assert quote.startswith("the Moon") and len(quote) > len("the Moon")
    blocks = page.evaluate(
        "[...document.querySelectorAll('.essay-body p, .essay-body li, .essay-body h2')].map(e => e.textContent)"
    )
    assert sum(" ".join(block.split()).count(quote) for block in blocks) == 1


def test_keyboard_and_screen_reader_use(chromium_browser, critique_server) -> None:
    page = open_page(chromium_browser, critique_server)
    assert page.evaluate(SELECT, "Sailors, fishermen and harbour masters")
    control = page.locator(".cp-critique-control")
    control.wait_for(state="visible")
    assert page.locator(".cp-critique-live").inner_text() == "Critique this passage"  # announced
    control.focus()
    page.keyboard.press("Enter")
    assert page.get_attribute(".cp-critique-panel", "role") == "dialog"
    assert page.evaluate("document.activeElement.id") == "cp-critique-text"
    page.wait_for_timeout(400)  # past the selection's debounce: focusing the panel collapsed the selection
    page.keyboard.press("Escape")
    assert not page.locator(".cp-critique-panel").is_visible()
    assert page.evaluate("document.activeElement.className") == "cp-critique-control"
    # every remark offers "Critique this claim": a button reached with Tab, giving '::: on #id'
    claim_button = page.locator('aside.remark[data-target="two-bulges"] .cp-critique-claim')
    assert claim_button.inner_text() == "Critique this claim"
    claim_button.focus()
    page.keyboard.press("Enter")
    assert "\n::: on #two-bulges\n\n:::\n" in page.input_value("#cp-critique-text")
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "axe.run(document.querySelector('.cp-critique-panel'), {resultTypes: ['violations']}).then(r => r.violations)"
        )
        assert [(v["id"], v["help"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    elif os.environ.get("CI") == "true":
        pytest.fail("node_modules/axe-core is missing")


def test_on_a_phone(chromium_browser, critique_server) -> None:
    page = open_page(chromium_browser, critique_server, width=390, height=844, has_touch=True, is_mobile=True)
    assert page.evaluate(SELECT, "Tides are the most regular thing the sea does.")
    control = page.locator(".cp-critique-control")
    control.wait_for(state="visible")
    box = control.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44  # a finger's size, on screen
    control.tap()
    panel = page.locator(".cp-critique-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert '::: on "Tides are the most regular thing the sea does."' in page.input_value("#cp-critique-text")


def test_print_leaves_the_control_out(chromium_browser, critique_server) -> None:
    page = open_page(chromium_browser, critique_server)
    assert page.evaluate(SELECT, "ten million times weaker")
    page.locator(".cp-critique-control").click()
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "[...document.querySelectorAll('.cp-critique-control, .cp-critique-panel, .cp-critique-claim')]"
        ".map(e => getComputedStyle(e).display)"
    )
    assert hidden and set(hidden) == {"none"}


def test_no_channel_no_control(chromium_browser, annotated_server) -> None:
    page = new_page(chromium_browser, 1280)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(annotated_server.url + ESSAY)
    page.wait_for_load_state("load")
    assert page.evaluate(SELECT, "ten million times weaker")
    page.wait_for_timeout(300)
    assert page.locator(".cp-critique-control, .cp-critique-claim, #cp-critique").count() == 0
    assert not any("critique.js" in url or "critique.css" in url for url in requests)


def test_the_page_with_the_control_is_valid_html(critique_server) -> None:
    from test_html_validity import errors_under, vnu

    folder = Path(critique_server.folder)
    assert errors_under(vnu([folder / ESSAY / "index.html"]), folder) == []


def test_long_texts_keep_links_short_and_copy_gives_the_whole_text(chromium_browser, critique_server) -> None:
    page = open_page(chromium_browser, critique_server, permissions=["clipboard-read", "clipboard-write"])
    assert page.evaluate(SELECT, "Sailors, fishermen and harbour masters")
    page.locator(".cp-critique-control").click()
    draft = page.input_value("#cp-critique-text")
    long_text = draft.replace("\n\n:::", "\n" + "A long objection, sentence after sentence. " * 300 + "\n:::")
    page.fill("#cp-critique-text", long_text)
    github = page.get_attribute(".cp-critique-github", "href")
    mail = page.get_attribute(".cp-critique-email", "href")
    assert len(github) <= 7500 and len(mail) <= 1900
    assert issue_parts(github)["body"] == draft == issue_parts(mail)["body"]  # the prefilled part, whole
    page.click(".cp-critique-copy")
    page.locator(".cp-critique-status", has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == long_text
    # a text that fits goes whole into the links
    page.fill("#cp-critique-text", draft.replace("\n\n:::", "\nShort.\n:::"))
    assert "Short." in issue_parts(page.get_attribute(".cp-critique-github", "href"))["body"]


def test_tabbing_on_past_the_open_sheet_never_hides_focus_under_it(chromium_browser, critique_server) -> None:
    # on a phone the panel is a sheet over the lower half of the screen, and it does not trap focus:
    # Tab goes on from it into the page; whatever gets focus there is scrolled clear of the sheet, not
    # under it (WCAG 2.4.11), and Escape still closes the sheet wherever the focus is
    page = open_page(chromium_browser, critique_server, width=390, height=844)
    page.locator(".claim-marker[data-for=lift]").focus()
    page.keyboard.press("Enter")
    page.locator('aside.remark[data-target="lift"] .cp-critique-claim').first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "cp-critique-text"
    hidden = []
    for _ in range(40):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => {
              const e = document.activeElement, panel = document.querySelector('.cp-critique-panel');
              if (panel.contains(e) || e === document.body) return null;
              const r = e.getBoundingClientRect(), sheet = panel.getBoundingClientRect();
              return r.top < sheet.top && r.bottom > 0 ? null : e.outerHTML.slice(0, 80);
            }"""
        )
        if where:
            hidden.append(where)
    assert hidden == []
    assert page.evaluate("!document.querySelector('.cp-critique-panel').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert not page.locator(".cp-critique-panel").is_visible()
