"""Claims, critiques, remarks, replies and UPDs on the built page: the HTML hooks of DESIGN §6."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sitefactory import Element, build, collapse, critique, essay, make_site, parse_html

TIDES = """
::: upd 2026-01-20 re=gravity corrects=#lift
The first version said the Moon lifts the water.
:::

[Tides are caused by the Moon lifting the oceans.]{.claim #lift} That is what we
learned at school, and [it is wrong]{.claim #wrong}. The Moon's pull is ten million
times weaker than the Earth's.

{.claim #two-bulges}
There are two bulges, not one: one facing the Moon and one on the far side.

## The tidal force {#tidal-force}

The difference between the pulls, not the pull itself.

## Lift

A heading whose generated id would collide with the claim #lift.

{.claim #bq}
> A tide is not a wave that travels.

- [Spring tides happen at new and full moon]{.claim #spring}, when the pulls align.
- Neap tides happen at the quarters.

Amplified by resonance.[^1]

::: upd 2026-01-20 re=numbers
A second correction on the same day: the figure is now sourced.
:::

::: upd 2026-01-25 corrects=#two-bulges
Both bulges come from the same gradient.
:::

[^1]: Two harbours a hundred kilometres apart can have very different tides.
"""

CRITIQUES = {
    "gravity": critique(
        "dmitry_k",
        """
        The essay repeats the school myth.

        ::: on #lift
        The vertical component is negligible.
        :::

        ::: on #tidal-force
        Say it is the gradient.
        :::

        ::: reply Vera Lind, 2026-01-20
        You are right; corrected in the UPD.
        :::

        ::: reply sam_o, 2026-01-21
        Agreed.
        :::
        """,
        date="2026-01-12",
        stance="refutes",
        pinned=True,
        source="https://example.org/post/42#comment_9",
    ),
    "numbers": critique(
        "ana_r",
        """
        ::: on "ten million times weaker"
        Closer to 300 000 times.
        :::

        ::: on #wrong
        Too strong.
        :::

        ::: on "very different tides"
        Which harbours?
        :::
        """,
        date="2026-01-14",
        stance="disputes",
    ),
    "late": critique(
        "lee",
        """
        ::: on #lift
        Now it reads well.
        :::

        ::: on #two-bulges
        Still not quite.
        :::
        """,
        date="2026-01-22",
        stance="supports",
    ),
    "declined": critique(
        "pat",
        """
        ::: on #bq
        A tide is a wave, in a way.
        :::

        ::: on #spring
        Spring has nothing to do with the season.
        :::
        """,
        date="2026-01-10",
        stance="notes",
        status="declined",
    ),
    "asked": critique("q_reader", "Just a question, no remarks.", date="2026-01-15", stance="questions", pinned=True),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    files = {"content/essays/tides/index.md": essay("How tides work", TIDES, date="2026-01-08")}
    for name, text in CRITIQUES.items():
        files[f"content/essays/tides/critiques/{name}.md"] = text
    files["content/essays/guest/index.md"] = essay(
        "A guest essay", "[Guests are welcome.]{.claim #welcome}\n", author="Guest Writer"
    )
    files["content/essays/guest/critiques/hello.md"] = critique(
        "visitor",
        """
        ::: on #welcome
        Thanks.
        :::

        ::: reply Guest Writer, 2026-01-13
        By the essay's author.
        :::

        ::: reply Vera Lind, 2026-01-14
        By the site's author.
        :::

        ::: reply Guest Writer Jr, 2026-01-15
        Someone else.
        :::
        """,
    )
    result = build(make_site(tmp_path_factory.mktemp("annotated"), files))
    assert result.ok, "\n".join(result.report.errors)
    return result


@pytest.fixture(scope="module")
def page(site) -> Element:
    return parse_html(site.page("essays/tides/"))


def _body(page: Element) -> Element:
    essay_el = page.find("article", "essay")
    return essay_el.find("div", "essay-body")


def _critiques(page: Element) -> list[Element]:
    return page.find_all("article", "critique")


def test_essay_article_hook(site, page: Element) -> None:
    articles = page.find_all("article", "essay")
    assert [a.get("data-essay") for a in articles] == ["tides"]
    assert parse_html(site.page("essays/guest/")).find("article", "essay").get("data-essay") == "guest"


def test_every_remark_targets_a_claim_or_heading_on_the_page(page: Element) -> None:
    remarks = page.find_all("aside", "remark")
    assert len(remarks) == 9
    claim_ids = {e.get("data-claim") for e in page.find_all() if e.has("data-claim")}
    heading_ids = {
        e.get("id") for e in page.find_all() if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and e.has("id")
    }
    for remark in remarks:
        assert remark.get("data-target") in claim_ids | heading_ids
        assert remark.get("data-critique") in {"gravity", "numbers", "late", "declined"}
        assert remark.get("data-stance") in {"refutes", "disputes", "supports", "notes"}
        assert remark.get("data-stance") == page.find(id=f"critique-{remark.get('data-critique')}").get("data-stance")


def _holds(element: Element, target: str) -> bool:
    return any(e.get("data-claim") == target or e.get("id") == target for e in element.iter())


def test_each_remark_follows_the_block_that_holds_its_claim(page: Element) -> None:
    body = _body(page)
    blocks = body.element_children()
    remarks = [b for b in blocks if b.tag == "aside"]
    assert len(remarks) == 9, "remarks sit among the top-level blocks, never inside them"
    for index, element in enumerate(blocks):
        if element.tag != "aside":
            continue
        previous = index - 1
        while blocks[previous].tag == "aside":
            previous -= 1
        assert _holds(blocks[previous], element.get("data-target")), element.get("data-target")


def test_remark_placement_for_headings_blockquotes_lists_and_footnotes(page: Element) -> None:
    blocks = _body(page).element_children()

    def before(target: str) -> Element:
        index = next(i for i, b in enumerate(blocks) if b.tag == "aside" and b.get("data-target") == target)
        while blocks[index].tag == "aside":
            index -= 1
        return blocks[index]

    heading = before("tidal-force")
    assert (heading.tag, heading.get("id"), heading.get("data-claim")) == ("h2", "tidal-force", "tidal-force")
    assert "claim" in heading.classes and heading.get("data-remarks") == "1"
    quote = before("bq")
    assert (quote.tag, quote.get("id"), quote.get("data-claim")) == ("blockquote", "bq", "bq")
    assert before("spring").tag == "ul"
    footnotes = before(_quote_target(page, "very different tides"))
    assert footnotes.tag == "section" and "footnotes" in footnotes.classes


def _quote_target(page: Element, text: str) -> str:
    pieces: dict[str, str] = {}
    for element in page.find_all(cls="claim"):
        if element.get("data-claim", "").startswith("q-"):
            pieces[element.get("data-claim")] = pieces.get(element.get("data-claim"), "") + element.text()
    for claim_id, joined in pieces.items():
        if collapse(joined) == text:
            return claim_id
    raise AssertionError(f"no quote claim on {text!r}")


def test_generated_heading_id_steps_around_an_explicit_claim_id(page: Element) -> None:
    assert [e.tag for e in page.find_all(id="lift")] == ["span"]
    lift_heading = next(h for h in page.find_all("h2") if collapse(h.text()) == "Lift")
    assert lift_heading.get("id") == "lift-2"
    ids = [e.get("id") for e in page.find_all() if e.has("id")]
    assert len(ids) == len(set(ids)), "ids on the page are unique"


def test_data_remarks_counts(page: Element) -> None:
    counts = {e.get("data-claim"): e.get("data-remarks") for e in page.find_all(cls="claim")}
    quote = _quote_target(page, "ten million times weaker")
    assert counts["lift"] == "2"
    assert {k: counts[k] for k in ("wrong", "two-bulges", "tidal-force", "bq", "spring", quote)} == dict.fromkeys(
        ("wrong", "two-bulges", "tidal-force", "bq", "spring", quote), "1"
    )
    # a quote-anchored claim is marked on every piece, with the id once
    pieces = page.find_all(data_claim=quote)
    assert collapse("".join(p.text() for p in pieces)) == "ten million times weaker"
    assert [p.get("id") for p in pieces].count(quote) == 1


def test_critique_statuses_stances_and_pinned_order(page: Element) -> None:
    critiques = _critiques(page)
    assert [c.get("id") for c in critiques] == [
        "critique-gravity",
        "critique-asked",
        "critique-declined",
        "critique-numbers",
        "critique-late",
    ]
    status = {c.get("id"): c.get("data-status") for c in critiques}
    assert status == {
        "critique-gravity": "addressed",  # re=gravity
        "critique-asked": "open",
        "critique-declined": "declined",  # front matter
        "critique-numbers": "addressed",  # re=numbers in the second UPD of the day
        "critique-late": "open",
    }
    assert [c.has("data-pinned") for c in critiques] == [True, True, False, False, False]
    assert {c.get("id"): c.get("data-stance") for c in critiques}["critique-asked"] == "questions"
    gravity = page.find(id="critique-gravity")
    assert gravity.find("a", "addressed-in").get("href") == "#upd-2026-01-20"
    assert page.find(id="critique-numbers").find("a", "addressed-in").get("href") == "#upd-2026-01-20-2"
    assert gravity.find("a", "source").get("href") == "https://example.org/post/42#comment_9"
    # each remark in the critique links to its claim
    assert [a.get("href") for a in gravity.find_all("a", "remark-target")] == ["#lift", "#tidal-force"]


def test_upd_sections(page: Element) -> None:
    upds = page.find_all("section", "upd")
    assert [(u.get("id"), u.get("data-re")) for u in upds] == [
        ("upd-2026-01-20", "gravity"),
        ("upd-2026-01-20-2", "numbers"),
        ("upd-2026-01-25", ""),
    ]
    assert upds[0].find("a", "upd-re").get("href") == "#critique-gravity"


def test_corrected_claims_and_remarks_written_before_the_correction(page: Element) -> None:
    assert page.find(id="lift").get("data-corrected-by") == "upd-2026-01-20"
    assert page.find(id="two-bulges").get("data-corrected-by") == "upd-2026-01-25"
    assert page.find(id="wrong").get("data-corrected-by") is None

    def remark(critique_id: str, target: str) -> Element:
        return page.find("aside", "remark", data_critique=critique_id, data_target=target)

    before = remark("gravity", "lift")  # 12 January, corrected on the 20th by the UPD that addresses it
    assert before.get("data-answered-by") == "upd-2026-01-20"
    assert before.find("a", "answered") is None  # the status says it: "addressed in UPD of …"
    addressed = before.find("p", "remark-status").find("a", "addressed-in")
    assert (
        addressed.get("href") == "#upd-2026-01-20" and collapse(addressed.text()) == "addressed in UPD of Jan 20, 2026"
    )
    after = remark("late", "lift")  # 22 January: the correction was already there
    assert after.get("data-answered-by") is None and after.find("a", "answered") is None
    later_fix = remark("late", "two-bulges")  # 22 January, corrected on the 25th by a UPD that cites no critique
    assert later_fix.get("data-answered-by") == "upd-2026-01-25"
    answered = later_fix.find("a", "answered")
    assert answered.get("href") == "#upd-2026-01-25" and collapse(answered.text()) == "corrected in UPD of Jan 25, 2026"
    assert collapse(later_fix.find("p", "remark-status").text()) == "open"


def test_replies_marked_by_author(site, page: Element) -> None:
    replies = page.find(id="critique-gravity").find_all(cls="reply")
    assert [r.has("data-by-author") for r in replies] == [True, False]
    guest = parse_html(site.page("essays/guest/"))
    replies = guest.find(id="critique-hello").find_all(cls="reply")
    assert [(collapse(r.find(cls="reply-author").text()), r.has("data-by-author")) for r in replies] == [
        ("Guest Writer", True),
        ("Vera Lind", True),
        ("Guest Writer Jr", False),
    ]
    assert not page.find(id="critique-numbers").find_all(cls="reply")


def test_claim_ledger(page: Element) -> None:
    rows = page.find(id="ledger").find_all("tr", data_ledger_claim=True)
    quote = _quote_target(page, "ten million times weaker")
    footnote = _quote_target(page, "very different tides")
    by_claim = {r.get("data-ledger-claim"): r for r in rows}
    assert list(by_claim) == ["lift", "wrong", quote, "two-bulges", "tidal-force", "bq", "spring", footnote]
    status = {k: r.get("data-claim-status") for k, r in by_claim.items()}
    assert status["lift"] == "corrected" and status["two-bulges"] == "corrected"
    assert status["wrong"] == "addressed"  # its only critique is cited by a UPD
    assert status["tidal-force"] == "addressed"
    assert status["bq"] == "declined" and status["spring"] == "declined"
    labels = {k: collapse(r.find("span", "claim-status").text()) for k, r in by_claim.items()}
    assert labels["wrong"] == "addressed" and labels["bq"] == "declined" and labels["lift"] == "corrected"
    lift = by_claim["lift"]
    assert lift.find("a").get("href") == "#lift"
    assert collapse(lift.find("a").text()) == "Tides are caused by the Moon lifting the oceans."
    critique_links = [(a.get("href"), a.get("data-status")) for a in lift.find_all("a", "ledger-remark")]
    assert critique_links == [("#critique-gravity", "addressed"), ("#critique-late", "open")]
    assert [collapse(s.text()) for s in lift.find_all("span", "status")] == ["addressed", "open"]
    assert any(a.get("href") == "#upd-2026-01-20" for a in lift.find_all("a"))


def test_annotations_json(site) -> None:
    data = json.loads((site.out / "essays/tides/annotations.json").read_text(encoding="utf-8"))
    assert data["essay"]["slug"] == "tides" and data["essay"]["updated"] == "2026-01-25"
    assert [c["id"] for c in data["critiques"]] == ["gravity", "asked", "declined", "numbers", "late"]
    claims = {c["id"]: c for c in data["claims"]}
    assert claims["lift"]["corrected_by"] == "upd-2026-01-20" and claims["lift"]["status"] == "corrected"
    assert [u["id"] for u in data["updates"]] == ["upd-2026-01-20", "upd-2026-01-20-2", "upd-2026-01-25"]


def test_remark_on_a_quote_inside_an_authored_claim(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Intro. [The Moon *lifts* the water.]{.claim #lift} Outro.\n"),
            "content/essays/e/critiques/c.md": critique(
                "a", '::: on "Moon lifts"\nNo.\n:::\n\n::: on #lift\nAlso.\n:::\n'
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    outer = page.find(id="lift")
    # one claim, one row: the quoted passage lies inside #lift, so it is #lift
    assert not [e for e in page.find_all() if (e.get("data-claim") or "").startswith("q-")]
    assert outer.get("data-remarks") == "2"
    targets = [a.get("data-target") for a in page.find_all("aside", "remark")]
    assert targets == ["lift", "lift"]
    assert [r.get("data-ledger-claim") for r in page.find(id="ledger").find_all("tr", data_ledger_claim=True)] == [
        "lift"
    ]


def test_quote_equal_to_a_claim_and_inside_a_block_claim_merge(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "Intro. [The Moon lifts the water.]{.claim #lift}\n\n{.claim #two}\nTwo bulges, not one.\n"
            ),
            "content/essays/e/critiques/c.md": critique(
                "a", '::: on "The Moon lifts the water."\nNo.\n:::\n\n::: on "bulges, not"\nHm.\n:::\n'
            ),
        },
    )
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    assert [a.get("data-target") for a in page.find_all("aside", "remark")] == ["lift", "two"]
    rows = page.find(id="ledger").find_all("tr", data_ledger_claim=True)
    assert [(r.get("data-ledger-claim"), r.get("data-claim-status")) for r in rows] == [
        ("lift", "disputed"),
        ("two", "disputed"),
    ]


def test_essay_without_critiques_has_no_remarks_and_no_ledger_rows(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/essays/e/index.md": essay("E", "## Section\n\n[A claim.]{.claim #a}\n")})
    result = build(root)
    assert result.ok, result.report.errors
    page = parse_html(result.page("essays/e/"))
    assert page.find("aside", "remark") is None
    assert page.find(id="a").get("data-remarks") == "0"
    heading = page.find("h2")
    assert heading.get("id") == "section" and heading.get("data-claim") is None
    assert page.find("article", "critique") is None
