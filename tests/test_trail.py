"""The trail where the reader reads: each remark's status, corrections linked both ways,
earlier texts kept with ``was=``, one ledger row per claim, and what the build writes so
that the page needs no script for it (stance colours, counts, note numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitefactory import Element, build, check, collapse, critique, essay, make_site, parse_html

from counterpoint.essay.link import link
from counterpoint.essay.parse import parse_essay
from counterpoint.model import EssaySource, FileRef
from counterpoint.source.config import load_config

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "trail"


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory):
    """tests/fixtures/trail built (the stress fixture the browser tests use too)."""
    from browser import build_site

    return build_site(FIXTURE, tmp_path_factory.mktemp("trail"))


@pytest.fixture(scope="module")
def page(trail: Path) -> Element:
    return parse_html((trail / "essays/models/index.html").read_text("utf-8"))


def remark_statuses(page: Element) -> dict[str, tuple[str, str]]:
    return {
        r.get("id"): (r.get("data-status"), collapse(r.find("p", "remark-status").text()))
        for r in page.find_all("aside", "remark")
    }


# ---- status in every remark ----


def test_every_remark_says_its_critiques_status_in_words(page: Element) -> None:
    statuses = remark_statuses(page)
    assert len(statuses) == 8
    by_critique = {}
    for remark in page.find_all("aside", "remark"):
        by_critique.setdefault(remark.get("data-critique"), set()).add(statuses[remark.get("id")])
    assert by_critique == {
        "factual-errors": {("addressed", "addressed in UPD of Jan 17, 2026")},
        "long-one": {("open", "open")},
        "long-name": {("open", "open")},
        "declined": {("declined", "declined")},
    }
    addressed = page.find("aside", "remark", data_critique="factual-errors").find("a", "addressed-in")
    assert addressed.get("href") == "#upd-2026-01-17"
    # the critique's own data-status is the same value
    for remark in page.find_all("aside", "remark"):
        assert page.find(id="critique-" + remark.get("data-critique")).get("data-status") == remark.get("data-status")


def test_the_authors_reply_and_the_whole_critique_are_in_every_remark(page: Element) -> None:
    for remark in page.find_all("aside", "remark"):
        link_ = remark.find("a", "to-critique")
        assert link_.get("href") == "#critique-" + remark.get("data-critique")
    replied = page.find_all("aside", "remark", data_critique="factual-errors")
    assert len(replied) == 2
    for remark in replied:
        reply = remark.find("p", "remark-reply")
        assert reply.has("data-by-author")
        # the first paragraph of the author's reply, not the rest
        assert collapse(reply.text()) == "the author replies Thank you, both fixed in the UPD of 17 January."
    assert page.find("aside", "remark", data_critique="long-one").find("p", "remark-reply") is None


def test_a_long_remark_is_clamped_behind_a_real_control(page: Element) -> None:
    remark = page.find("aside", "remark", data_target="fails")
    body = remark.find("div", "remark-body")
    more = body.find("details", "remark-more")
    assert more is not None and more.find("summary") is not None
    lead = collapse(body.find("div", "remark-lead").text())
    assert 30 <= len(lead.split()) <= 45 and lead.endswith(" …")  # about six lines of the margin
    # opened, the remark is shown whole in place of its first lines: no sentence cut in two
    full = page.find(id="critique-long-one").find("div", "critique-remark-body")
    assert full.find("details") is None and len(collapse(full.text()).split()) == 300
    assert collapse(more.find("div", "remark-whole").text()) == collapse(full.text())
    assert lead.removesuffix(" …") in collapse(full.text())
    # a short remark is not clamped
    assert page.find("aside", "remark", data_target="older").find("details") is None


# ---- corrections both ways ----


def test_upd_lists_the_claims_it_corrects(page: Element) -> None:
    upd = page.find("section", "upd", id="upd-2026-01-17")
    assert upd.get("data-corrects") == "models cutoff"
    items = upd.find("ul", "upd-corrects").find_all("li")
    assert [i.find("a").get("href") for i in items] == ["#models", "#cutoff"]
    # before -> after for the claim that names its earlier text
    assert collapse(items[0].find("del").text()) == "GPT-4V, Gemini и Claude 3"
    assert collapse(items[0].find("a").text()) == "GPT-4o, Gemini 2.5 и Claude 4"
    assert collapse(items[1].text()) == "The knowledge cutoff is in 2025."


def test_every_corrected_claim_has_a_visible_mark_linking_to_its_upd(page: Element) -> None:
    body = page.find("div", "essay-body")
    marks = body.find_all("a", "corrected-mark")
    assert [m.get("href") for m in marks] == ["#upd-2026-01-17", "#upd-2026-01-17"]
    for claim_id in ("models", "cutoff"):
        assert page.find(id=claim_id).get("data-corrected-by") == "upd-2026-01-17"


def test_corrected_claim_without_remarks_is_marked(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "[Old figure.]{.claim #fig} More.\n\n::: upd 2026-01-20 corrects=#fig\nFixed.\n:::\n"
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    claim = page.find(id="fig")
    assert claim.get("data-remarks") == "0" and claim.get("data-corrected-by") == "upd-2026-01-20"
    mark = page.find("a", "corrected-mark")
    assert mark.get("href") == "#upd-2026-01-20" and collapse(mark.text()) == "UPD Jan 20, 2026"
    assert page.find("a", "claim-count") is None


def test_corrections_page_shows_claims_before_after_critiques_and_lang(trail: Path) -> None:
    page = parse_html((trail / "corrections/index.html").read_text("utf-8"))
    entry = page.find("li", "correction", data_essay="models")
    assert entry.get("lang") == "en"
    items = entry.find("ul", "upd-corrects").find_all("li")
    assert [i.find("a").get("href") for i in items] == ["/essays/models/#models", "/essays/models/#cutoff"]
    assert collapse(items[0].find("del").text()) == "GPT-4V, Gemini и Claude 3"
    assert collapse(items[0].find("a").text()) == "GPT-4o, Gemini 2.5 и Claude 4"
    answers = [a.get("href") for a in entry.find_all("a", "upd-re")]
    assert answers == ["/essays/models/#critique-factual-errors"]


def test_corrections_entry_speaks_its_essays_language(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "Э", "[Было.]{.claim #a}\n\n::: upd 2026-01-20 corrects=#a\nИсправлено.\n:::\n", lang="ru"
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    entry = parse_html(result.page("corrections/")).find("li", "correction")
    assert entry.get("lang") == "ru" and entry.find("ul", "upd-corrects").get("aria-label") == "Исправляет"


# ---- was=: the reader's words stay true ----

WAS_ESSAY = """
::: upd 2026-01-17 re=models corrects=#models
Updated the list of models.
:::

In 2024 [GPT-4o, Gemini 2.5 и Claude 4]{.claim #models was="GPT-4V, Gemini и Claude 3"} could read images.
"""


def test_a_quote_of_the_earlier_text_anchors_to_the_corrected_claim(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", WAS_ESSAY),
            "content/essays/e/critiques/models.md": critique(
                "dmitry_k", '::: on "GPT-4V, Gemini и Claude 3"\nOld models.\n:::\n'
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    remark = page.find("aside", "remark")
    assert remark.get("data-target") == "models" and "quotes-earlier" in remark.classes
    assert collapse(remark.find("p", "remark-earlier").find("del").text()) == "GPT-4V, Gemini и Claude 3"
    # the essay says the new text; was= never reaches the HTML as an attribute
    html = result.page("essays/e/")
    assert 'was="' not in html
    assert collapse(page.find(id="models").text()) == "GPT-4o, Gemini 2.5 и Claude 4"
    # the critique keeps the reader's quote too, as the earlier text of the claim
    item = page.find(id="critique-models").find("ol", "critique-remarks").find("li")
    assert collapse(item.find("del").text()) == "GPT-4V, Gemini и Claude 3"
    upd = page.find("section", "upd").find("ul", "upd-corrects").find("li")
    assert collapse(upd.find("del").text()) == "GPT-4V, Gemini и Claude 3" and upd.find("a").get("href") == "#models"
    corrections = parse_html(result.page("corrections/")).find("ul", "upd-corrects").find("li")
    assert collapse(corrections.find("del").text()) == "GPT-4V, Gemini и Claude 3"
    assert collapse(corrections.find("a").text()) == "GPT-4o, Gemini 2.5 и Claude 4"
    data = json.loads((result.out / "essays/e/annotations.json").read_text("utf-8"))
    claim = next(c for c in data["claims"] if c["id"] == "models")
    assert claim["was"] == ["GPT-4V, Gemini и Claude 3"]
    assert data["critiques"][0]["remarks"][0]["earlier"] is True


def test_several_earlier_texts_and_a_part_of_one(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", '[C]{.claim #c was="A first text | A second text"} and more.\n'),
            "content/essays/e/critiques/r.md": critique(
                "r", '::: on "A second"\nX.\n:::\n\n::: on "first text"\nY.\n:::\n'
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    targets = [r.get("data-target") for r in parse_html(result.page("essays/e/")).find_all("aside", "remark")]
    assert targets == ["c", "c"]


def test_without_was_the_quote_is_not_found_and_the_hint_gives_the_exact_line(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", WAS_ESSAY.replace(' was="GPT-4V, Gemini и Claude 3"', "")),
            "content/essays/e/critiques/models.md": critique(
                "dmitry_k", '::: on "GPT-4V, Gemini и Claude 3"\nOld models.\n:::\n'
            ),
        },
    )
    errors = check(root)
    assert len(errors) == 1
    error = errors[0]
    assert error.message == 'quoted passage not found in the essay: "GPT-4V, Gemini и Claude 3"'
    assert error.hint.endswith('[GPT-4o, Gemini 2.5 и Claude 4]{.claim #models was="GPT-4V, Gemini и Claude 3"}')
    # never silently re-anchored: the build fails as check does
    assert not build(root).ok


def test_an_earlier_text_shared_by_two_claims_is_an_error(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", '[A]{.claim #a was="old words here"} [B]{.claim #b was="old words there"}\n'
            ),
            "content/essays/e/critiques/r.md": critique("r", '::: on "old words"\nX.\n:::\n'),
        },
    )
    errors = check(root)
    assert [e.message for e in errors] == ['quoted passage not found in the essay: "old words"']
    assert "#a" in errors[0].hint and "#b" in errors[0].hint


def test_was_on_something_that_is_not_a_claim_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/essays/e/index.md": essay("E", 'Text [span]{#s was="x"}.\n')})
    errors = check(root)
    assert [(e.line, e.message) for e in errors] == [(6, 'was="…" belongs on a claim')]


# ---- one claim, one row; the state of each row ----


def test_ledger_one_row_per_claim_with_its_state(page: Element) -> None:
    rows = page.find(id="ledger").find_all("tr", data_ledger_claim=True)
    ids = [r.get("data-ledger-claim") for r in rows]
    assert len(ids) == len(set(ids))
    assert "models" in ids and not any(i.startswith("q-") for i in ids)
    state = {r.get("data-ledger-claim"): collapse(r.find("span", "claim-status").text()) for r in rows}
    assert state["models"] == "corrected" and state["cutoff"] == "corrected"
    assert state["fails"] == "disputed (open)" and state["blog"] == "declined" and state["robust"] == "declined"


# ---- written at build time ----


def test_stance_colours_counts_and_note_numbers_are_in_the_html(page: Element) -> None:
    body = page.find("div", "essay-body")
    remarks = body.find_all("aside", "remark")
    assert [r.get("data-note") for r in remarks] == [str(n) for n in range(1, len(remarks) + 1)]
    assert [collapse(r.find("span", "note-number").text()) for r in remarks] == [
        f"{n}." for n in range(1, len(remarks) + 1)
    ]
    assert all(p.get("data-mark") == "disputes" for p in body.find_all(data_claim="fails"))
    assert body.find(data_claim="blog").get("data-mark") == "notes"
    count = body.find("a", "claim-count", data_for="fails")
    notes = [r.get("data-note") for r in remarks if r.get("data-target") == "fails"]
    assert collapse(count.find("span", "count-n").text()) == "1"
    assert collapse(count.find("span", "count-notes").text()) == notes[0]


def test_the_count_follows_the_end_of_a_claim_that_spans_formatting(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Before **the bold start** of it and the end. After.\n"),
            "content/essays/e/critiques/r.md": critique("r", '::: on "bold start of it and the"\nX.\n:::\n'),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    html = result.page("essays/e/")
    paragraph = html[html.index("<p>Before") : html.index("</p>", html.index("<p>Before"))]
    # the count comes after the claim's last part ("and the"), not after its first ("bold start")
    assert paragraph.index('class="claim-count"') > paragraph.index("and the</span>")
    assert paragraph.count('class="claim-count"') == 1


def _parsed(body: str, critique_text: str, tmp_path: Path):
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", body),
            "content/essays/e/critiques/c.md": critique("a", critique_text),
        },
    )
    config = load_config(root)
    index = root / "content/essays/e/index.md"
    crit = root / "content/essays/e/critiques/c.md"
    source = EssaySource(
        "e", FileRef(index, "content/essays/e/index.md", ""), (FileRef(crit, "content/essays/e/critiques/c.md", ""),)
    )
    parsed, errors = parse_essay(
        source, config, index.read_bytes(), {"content/essays/e/critiques/c.md": crit.read_bytes()}
    )
    assert not errors
    return parsed


def test_link_keeps_the_readers_quote_as_written(tmp_path: Path) -> None:
    parsed = _parsed('[New text]{.claim #n was="Old text"}\n', '::: on "Old text"\nX.\n:::\n', tmp_path)
    linked, errors = link(parsed)
    assert errors == []
    (remark,) = linked.critiques[0].remarks
    assert (remark.claim, remark.quote, remark.earlier) == ("n", "Old text", True)


# ---- Russian wording: the words agree with what they describe ----


def test_russian_remark_statuses_agree_with_remark_and_name_what_they_answer(tmp_path: Path) -> None:
    """ "замечание" is neuter: every status of a remark is too ("учтено", not the critique's
    "учтена"); "в ответ на" takes a noun, not a reader's name in the nominative."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "Э",
                "::: upd 2026-01-20 re=one corrects=#a\nИсправлено.\n:::\n\n[Утверждение.]{.claim #a} И [другое.]{.claim #b}\n",
                lang="ru",
            ),
            "content/essays/e/critiques/one.md": critique("Ирина", "::: on #a\nНеверно.\n:::\n"),
            "content/essays/e/critiques/two.md": critique("Олег", "::: on #b\nСпорно.\n:::\n", status="declined"),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    statuses = {collapse(r.find("p", "remark-status").text()) for r in page.find_all("aside", "remark")}
    assert statuses == {"учтено в UPD от 20 янв. 2026 г.", "отклонено"}
    assert (
        collapse(page.find(id="critique-one").find("a", "addressed-in").text()) == "учтена в UPD от 20 января 2026 г."
    )
    assert collapse(page.find("span", "upd-re-list").text()) == "в ответ на критику: Ирина"
    assert page.find("aside", "remark").get("aria-label") == "Замечание к утверждению: Утверждение. — Ирина"


def test_remarks_on_one_claim_are_landmarks_a_screen_reader_tells_apart(tmp_path: Path) -> None:
    """Each remark is an <aside> (a landmark a screen reader lists by its label): two readers'
    remarks on one claim must not be two identical "Remark on: …" entries; the label names the reader."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[Launched in 2022.]{.claim #a}\n"),
            "content/essays/e/critiques/one.md": critique("Ann", "::: on #a\nNo.\n:::\n"),
            "content/essays/e/critiques/two.md": critique("Bo", "::: on #a\nYes.\n:::\n"),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    labels = [r.get("aria-label") for r in parse_html(result.page("essays/e/")).find_all("aside", "remark")]
    assert sorted(labels) == ["Remark on: Launched in 2022. — Ann", "Remark on: Launched in 2022. — Bo"]


def test_each_upd_label_link_names_its_date(tmp_path: Path) -> None:
    """The "UPD" badge of each block is a link to the block: three links all named "UPD", each
    going elsewhere, are useless in a screen reader's list of links; each is named with its date."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "::: upd 2026-01-20\nOne.\n:::\n\nText.\n\n::: upd 2026-01-22\nTwo.\n:::\n"
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    labels = [a.get("aria-label") for a in parse_html(result.page("essays/e/")).find_all("a", "upd-label")]
    assert labels == ["UPD January 20, 2026", "UPD January 22, 2026"]
    # on /corrections/, where UPDs of every essay meet, the label names the essay too
    labels = [a.get("aria-label") for a in parse_html(result.page("corrections/")).find_all("a", "upd-label")]
    assert labels == ["UPD January 22, 2026 — E", "UPD January 20, 2026 — E"]


@pytest.mark.parametrize("lang, name", [("en", "Back to the text: note 2"), ("ru", "Назад к тексту: сноска 2")])
def test_a_footnotes_way_back_says_what_it_is(tmp_path: Path, lang: str, name: str) -> None:
    """A footnote ends with a link back to its reference, shown as "↩︎": a screen reader reads
    "left arrow with hook" for every one of them; each is named in the essay's language."""
    root = make_site(
        tmp_path,
        {"content/essays/e/index.md": essay("E", "One.[^a] Two.[^b]\n\n[^a]: First.\n[^b]: Second.\n", lang=lang)},
    )
    result = build(root)
    assert result.ok, result.report.errors
    backs = parse_html(result.page("essays/e/")).find_all("a", "footnote-backref")
    assert [(b.get("href"), collapse(b.text())) for b in backs] == [
        ("#fnref1", "\u21a9\ufe0e"),
        ("#fnref2", "\u21a9\ufe0e"),
    ]
    assert backs[1].get("aria-label") == name


def test_struck_text_in_a_claim_is_not_its_text(tmp_path: Path) -> None:
    """An author who corrects a claim in place (``~~old~~ new``) shows the old words struck
    in the essay; everywhere the claim is named by its text (the UPD's list, the ledger,
    the remark's label), it is the new text."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E",
                "::: upd 2026-01-20 corrects=#a,#b\nFixed.\n:::\n\n"
                "[~~Launched in 2024.~~ Launched in 2022.]{.claim #a}\n\n"
                "{.claim #b}\n~~All wrong.~~\n",
            ),
            "content/essays/e/critiques/one.md": critique("Ann", "::: on #a\nNo.\n:::\n"),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    assert collapse(page.find(id="a").find("s").text()) == "Launched in 2024."
    corrects = [collapse(li.text()) for li in page.find("ul", "upd-corrects").find_all("li")]
    assert corrects[0] == "Launched in 2022."
    assert corrects[1] == "All wrong."  # struck whole: its text is all there is
    assert page.find("aside", "remark").get("aria-label") == "Remark on: Launched in 2022. — Ann"


@pytest.mark.parametrize(
    "body, quote",
    [
        ("See [the linked words](https://example.org/) now.", '"linked words"'),  # a quote ending in a link
        ("See [the linked words](https://example.org/) now.", '"the linked words"'),  # the whole link text
        ("See [the *linked* words](https://example.org/) now.", '"linked words"'),  # across emphasis
    ],
)
def test_what_follows_a_claim_in_a_link_comes_after_the_link(tmp_path, body: str, quote: str) -> None:
    """The claim's count is a link: written where the quote ends, inside the author's
    link, it made an <a> inside an <a>, which HTML does not allow (browsers split them)."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", body + "\n"),
            "content/essays/e/critiques/r.md": critique("r", f"::: on {quote}\nNo.\n:::\n"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    page = parse_html((built.out / "essays" / "e" / "index.html").read_text())
    anchors = page.find_all("a")
    assert [a for a in anchors if any(up.tag == "a" for up in a.ancestors())] == []
    author_link = next(a for a in anchors if a.attrs.get("href") == "https://example.org/")
    count = page.find("a", "claim-count")
    paragraph = author_link.parent
    assert count is not None and count.parent is paragraph
    assert paragraph.children.index(count) > paragraph.children.index(author_link)


def test_a_upd_naming_a_critique_or_claim_twice_shows_it_once(tmp_path) -> None:
    """``re=real,real corrects=#a,#a``: "in reply to r, r", two "addressed in" links and
    the claim listed twice."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "[A claim.]{.claim #a}\n\n::: upd 2026-01-20 re=real,real corrects=#a,#a\nFixed.\n:::\n"
            ),
            "content/essays/e/critiques/real.md": critique("Rita", "::: on #a\nNo.\n:::\n"),
        },
    )
    built = build(root)
    assert built.ok, built.report.errors
    page = parse_html((built.out / "essays" / "e" / "index.html").read_text())
    upd = page.find("section", "upd")
    assert [a.get("href") for a in upd.find_all("a") if a.get("href") == "#critique-real"] == ["#critique-real"]
    assert collapse(upd.text()).count("A claim.") == 1
    data = json.loads((built.out / "essays" / "e" / "annotations.json").read_text())
    assert [u["re"] for u in data["updates"]] == [["real"]]
