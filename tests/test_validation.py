"""Every annotation error names its file, line and column, says what is wrong and how to fix it.

One site holds one instance of each problem; ``check`` must report exactly
those, all at once, and ``build`` must fail with the same list and write nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sitefactory import build, check, critique, essay, make_site, plain_page

ESSAY = "content/essays/tides/index.md"
GRAVITY = "content/essays/tides/critiques/gravity.md"

FILES = {
    # body from line 6
    ESSAY: essay(
        "Tides",
        """
        ::: upd 2026-01-20 re=gravity,ghost corrects=#lift,#nowhere
        Fixed.
        :::

        ::: upd 2026-02-30
        Bad date.
        :::

        [The Moon lifts water.]{.claim #lift} The sea is salty.
        [Again the Moon.]{.claim #lift}

        Each ocean basin has its own
        natural period of oscillation. The sea is salty.
        """,
    ),
    # front matter: author 2, date 3, stance 4; body from line 6
    GRAVITY: critique(
        "dmitry",
        """
        ::: on #lfit
        Not that.
        :::

        ::: on "The sea is salty."
        Ambiguous.
        :::

        ::: on "every ocean basin has its natural period"
        Reworded since.
        :::

        ::: reply Vera Lind, 2026-02-31
        Bad date.
        :::
        """,
        stance="refute",
    ),
    "content/essays/tides/critiques/salty.md": critique("ana", "Text.", status="addressed"),
    "content/essays/tides/critiques/late.md": critique("lee", "Text.", date="2026-1-5"),
    "content/essays/other/index.md": essay("Other", "Text.", date="17.01.2026"),
    "content/essays/code/index.md": essay(
        "Code",
        """
        {.claim #code}
        ```
        x = 1
        ```

        A [claim without an id]{.claim} here.
        """,
    ),
    "content/critiques/stray.md": critique("eve", "Where is my essay?"),
}

# (path, line, col, message, start of the hint)
EXPECTED = [
    (
        "content/critiques/stray.md",
        1,
        1,
        "critique is outside any essay bundle",
        "critiques live in content/essays/<slug>/critiques/",
    ),
    (
        "content/essays/code/index.md",
        6,
        1,
        "a block claim cannot mark a fence",
        "put {.claim #id} right before a paragraph, list, blockquote or table",
    ),
    ("content/essays/code/index.md", 11, 1, "claim has no id", "write it as [text]{.claim #some-id}"),
    (
        "content/essays/other/index.md",
        3,
        1,
        "invalid date '17.01.2026': expected YYYY-MM-DD or a date-time such as 2026-01-16T10:30",
        "write the date as YYYY-MM-DD",
    ),
    (
        "content/essays/tides/critiques/gravity.md",
        4,
        1,
        "'stance' must be one of refutes, disputes, supports, questions, notes, not 'refute'",
        "did you mean 'refutes'?",
    ),
    (
        "content/essays/tides/critiques/gravity.md",
        6,
        8,
        "remark targets unknown claim 'lfit'",
        "did you mean 'lift'? (claims in this essay: lift)",
    ),
    (
        "content/essays/tides/critiques/gravity.md",
        10,
        8,
        'quoted passage "The sea is salty." occurs 2 times in the essay (lines 14, 18)',
        "quote a longer passage",
    ),
    (
        "content/essays/tides/critiques/gravity.md",
        14,
        8,
        'quoted passage not found in the essay: "every ocean basin has its natural period"',
        'closest passage, content/essays/tides/index.md line 17: "Each ocean basin has its own natural period',
    ),
    (
        "content/essays/tides/critiques/gravity.md",
        18,
        1,
        "reply date '2026-02-31' is invalid: day is out of range for month",
        "write the date as YYYY-MM-DD",
    ),
    (
        "content/essays/tides/critiques/late.md",
        3,
        1,
        "invalid date '2026-1-5': expected YYYY-MM-DD or a date-time such as 2026-01-16T10:30",
        "write the date as YYYY-MM-DD",
    ),
    (
        "content/essays/tides/critiques/salty.md",
        4,
        1,
        "critique says 'status: addressed' but no UPD cites it",
        "add 're=salty' to the UPD that answers it",
    ),
    (ESSAY, 6, 1, "UPD cites unknown critique 'ghost'", "critiques: gravity, late, salty"),
    (ESSAY, 6, 1, "UPD corrects unknown claim '#nowhere'", "claims: lift"),
    (ESSAY, 10, 1, "UPD date '2026-02-30' is invalid: day is out of range for month", "write the date as YYYY-MM-DD"),
    (ESSAY, 15, 1, "duplicate claim id 'lift' (first used on line 14)", "ids must be unique within an essay"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("broken"), FILES)


@pytest.fixture(scope="module")
def errors(broken: Path):
    return check(broken)


def test_check_reports_every_problem_at_once(errors) -> None:
    assert [(e.path, e.line, e.col, e.message) for e in errors] == [x[:4] for x in EXPECTED]


@pytest.mark.parametrize("expected", EXPECTED, ids=[x[3][:40] for x in EXPECTED])
def test_each_error_has_file_line_message_and_hint(errors, expected) -> None:
    path, line, col, message, hint = expected
    (error,) = [e for e in errors if e.message == message]
    assert (error.path, error.line, error.col) == (path, line, col)
    assert error.hint.startswith(hint), error.hint
    assert error.format().startswith(f"{path}:{line}:{col}: error: {message}\n  hint: ")


def test_unknown_target_lists_the_known_ids_when_nothing_is_close(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "## Setup\n\n[One.]{.claim #alpha} [Two.]{.claim #beta}\n"),
            "content/essays/e/critiques/c.md": critique("a", "::: on #zzz\nx\n:::\n"),
        },
    )
    (error,) = check(root)
    assert (error.path, error.line, error.col) == ("content/essays/e/critiques/c.md", 5, 8)
    assert error.message == "remark targets unknown claim 'zzz'"
    assert error.hint == "claims in this essay: alpha, beta, setup"


def test_remark_without_a_target(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Text."),
            "content/essays/e/critiques/c.md": critique("a", "Intro.\n\n::: on\nx\n:::\n\n::: on claim-1\ny\n:::\n"),
        },
    )
    assert [(e.line, e.col, e.message) for e in check(root)] == [
        (7, 1, "remark has no target"),
        (11, 8, "remark needs a target, got 'claim-1'"),
    ]


@pytest.mark.parametrize("quote", ['"   "', '"\t"', '"\u00a0"', "«  »"])
def test_a_quote_of_nothing_but_spaces_is_an_error_not_a_lost_remark(tmp_path: Path, quote: str) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "Text."),
            "content/essays/e/critiques/c.md": critique("a", f"::: on {quote}\nThe remark's words.\n:::\n"),
        },
    )
    assert [(e.line, e.message) for e in check(root)] == [(5, f"remark quotes no words: '{quote}'")]
    assert not build(root).ok


def test_a_block_left_open_is_an_error_not_the_rest_of_the_file(tmp_path: Path) -> None:
    """A ``:::`` block without its closing line would take in everything after it: the
    essay's sections into the UPD (and its feeds), the critique's text into a remark."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "[A.]{.claim #a}\n\n::: upd 2026-01-20\nFixed.\n\n## Later\n\nMore.\n"
            ),
            "content/essays/e/critiques/c.md": critique("r", "::: on #a\nNo.\n\nAnd the rest.\n"),
        },
    )
    found = sorted((e.path, e.line, e.message) for e in check(root))
    assert found == [
        ("content/essays/e/critiques/c.md", 5, "::: on is not closed: everything after it would be part of it"),
        ("content/essays/e/index.md", 8, "::: upd is not closed: everything after it would be part of it"),
    ]
    assert all(e.hint == "add a line ':::' where the block ends" for e in check(root))
    assert not build(root).ok


@pytest.mark.parametrize(
    "marker",
    ['[A claim.]{.claim #a"b}', "[A claim.]{.claim #a b=}", "A claim.{.claim #a}", '{.claim #a"b}\nA paragraph.'],
)
def test_a_claim_marker_that_cannot_be_read_is_an_error_not_text(tmp_path: Path, marker: str) -> None:
    """Markdown shows attribute syntax it cannot read as text: the claim the author
    meant would silently not exist, and the braces would be on the page."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", f"Intro.\n\n{marker}\n")})
    (error,) = check(root)
    assert (error.line, error.message) == (
        8,
        f"claim marker '{marker.split(chr(10))[0][marker.index('{') :]}' could not be read",
    )
    assert error.hint.startswith("write it as [the claim's words]{.claim #id}")


def test_content_that_is_a_file_is_an_error_not_an_empty_site(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content": "notes"})
    (error,) = check(root)
    assert (error.path, error.message) == ("content", "content is a file, not a folder")
    assert not build(root).ok and not (root / "public").exists()


def test_a_upd_on_a_plain_page_is_an_error(tmp_path: Path) -> None:
    """A page has no critiques nor claims ledger: its ``::: upd`` rendered as a bare box,
    without its date, and its ``re=`` named nothing, without a word."""
    root = make_site(
        tmp_path, {"content/about.md": plain_page("About", "Intro.\n\n::: upd 2026-01-20 re=x\nFixed.\n:::\n")}
    )
    (error,) = check(root)
    assert (error.path, error.line) == ("content/about.md", 6)
    assert error.message == "::: upd belongs in an essay: a page has no critiques to answer nor claims to correct"
    assert not build(root).ok


def test_a_reply_inside_a_remark_is_an_error(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[A.]{.claim #a}\n"),
            "content/essays/e/critiques/c.md": critique(
                "r", "::: on #a\nNo.\n\n::: reply Author, 2026-01-20\nYes.\n:::\n:::\n"
            ),
        },
    )
    (error,) = check(root)
    assert (error.line, error.message) == (8, "::: reply cannot be inside ::: on")
    assert error.hint == "close the ::: on block with ':::' first: replies and remarks stand side by side"


def test_duplicate_ids_across_headings_and_blocks(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "## Axes {#axes}\n\n{.claim #axes}\nA paragraph.\n"),
        },
    )
    assert [(e.line, e.message) for e in check(root)] == [(8, "duplicate claim id 'axes' (first used on line 6)")]


def test_a_heading_claim_id_does_not_collide_with_a_generated_heading_id(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "## Intro\n\n## Other {#intro}\n\n[x]{.claim #other}\n"),
            "content/essays/e/critiques/c.md": critique("a", "::: on #intro\nx\n:::\n"),
        },
    )
    assert check(root) == []


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "counterpoint", *args], capture_output=True, text=True, timeout=60)


def test_cli_check_prints_every_error_and_writes_nothing(broken: Path) -> None:
    before = _snapshot(broken)
    result = _cli("check", str(broken))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines == [f"{p}:{line}:{col}: error: {m}" for p, line, col, m, _ in EXPECTED]
    hints = [line for line in result.stderr.splitlines() if line.startswith("  hint: ")]
    assert len(hints) == len(EXPECTED)
    assert f"{len(EXPECTED)} error(s)" in result.stderr
    assert _snapshot(broken) == before, "check writes nothing"


def test_build_fails_with_the_same_list(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(broken, out=out)
    assert not result.ok
    assert [e.split("\n")[0] for e in result.report.errors] == [
        f"{p}:{line}:{col}: error: {m}" for p, line, col, m, _ in EXPECTED
    ]
    assert not out.exists() or not any(out.rglob("*")), "a failed build writes nothing"
    cli = _cli("build", str(broken), "--out", str(out), "--no-cache")
    assert cli.returncode == 1
    assert [line for line in cli.stderr.splitlines() if ": error: " in line] == [
        f"{p}:{line}:{col}: error: {m}" for p, line, col, m, _ in EXPECTED
    ]
    assert not out.exists() or not any(out.rglob("*"))
    assert "Traceback" not in cli.stderr


def test_a_clean_site_checks_clean(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay(
                "E", "::: upd 2026-01-20 re=c corrects=#a\nFixed.\n:::\n\n[A.]{.claim #a}\n"
            ),
            "content/essays/e/critiques/c.md": critique("a", "::: on #a\nx\n:::\n", status="addressed"),
        },
    )
    result = _cli("check", str(root))
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "no problems found", "")


@pytest.mark.parametrize(
    "body, line",
    [
        ("Intro.\n\n{.claim #a}\n", 8),  # the last line of the essay
        ("> A quote.\n>\n> {.claim #a}\n\nAfter.\n", 8),  # the last line of a quote
        ("- An item.\n\n  {.claim #a}\n- Another.\n", 8),  # the last line of a list item
        ("::: upd 2026-01-20\nFixed.\n\n{.claim #a}\n:::\n", 9),  # the last line of a UPD
    ],
)
def test_a_block_claim_with_no_block_after_it_is_an_error(tmp_path: Path, body: str, line: int) -> None:
    """A ``{.claim #id}`` line marks the block after it; with none (the end of the essay,
    of a quote, a list item or a UPD) Markdown dropped it, and the claim did not exist."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body)})
    (error,) = check(root)
    assert (error.path, error.line, error.message) == (
        "content/essays/e.md",
        line,
        "block claim '#a' marks nothing: no block follows it",
    )
    assert error.hint == "put {.claim #id} on the line right before the paragraph, list, blockquote or table it marks"
    assert not build(root).ok


def test_a_block_claim_on_a_upd_is_an_error(tmp_path: Path) -> None:
    """A UPD is the author's correction, not a claim: the claim was listed in the ledger,
    its link pointing at no id on the page."""
    root = make_site(
        tmp_path, {"content/essays/e.md": essay("E", "Intro.\n\n{.claim #a}\n::: upd 2026-01-20\nFixed.\n:::\n")}
    )
    (error,) = check(root)
    assert (error.path, error.line, error.message) == ("content/essays/e.md", 8, "a block claim cannot mark a UPD")
    assert error.hint == "put {.claim #id} right before a paragraph, list, blockquote or table"
    assert not build(root).ok


@pytest.mark.parametrize(
    "where, text, message, hint",
    [
        (
            "essay",
            "::: UPD 2026-01-13\nFixed.\n:::",
            "unknown block '::: UPD': did you mean '::: upd'?",
            "an essay's blocks are '::: upd DATE'; remarks ('::: on') and replies ('::: reply') go in critiques",
        ),
        (
            "essay",
            "::: update 2026-01-11\nFixed.\n:::",
            "unknown block '::: update': did you mean '::: upd'?",
            "an essay's blocks are '::: upd DATE'; remarks ('::: on') and replies ('::: reply') go in critiques",
        ),
        (
            "essay",
            "::: on #a\nA remark.\n:::",
            "'::: on' belongs in a critique file",
            "an essay's blocks are '::: upd DATE'; remarks ('::: on') and replies ('::: reply') go in critiques",
        ),
        (
            "essay",
            "Text.\n\n> ::: warning\n> Careful.\n> :::",
            "unknown block '::: warning'",
            "an essay's blocks are '::: upd DATE'; remarks ('::: on') and replies ('::: reply') go in critiques",
        ),
        (
            "critique",
            "::: On #a\nNo.\n:::",
            "unknown block '::: On': did you mean '::: on'?",
            "a critique's blocks are '::: on #claim' or '::: on \"quote\"' and '::: reply NAME, DATE'",
        ),
        (
            "critique",
            "::: remark #a\nNo.\n:::",
            "unknown block '::: remark'",
            "a critique's blocks are '::: on #claim' or '::: on \"quote\"' and '::: reply NAME, DATE'",
        ),
        (
            "critique",
            "::: upd 2026-01-13\nForged.\n:::",
            "'::: upd' is the essay's author's: a critique cannot hold one",
            "a critique's blocks are '::: on #claim' or '::: on \"quote\"' and '::: reply NAME, DATE'",
        ),
        (
            "page",
            "::: note\nHi.\n:::",
            "unknown block '::: note'",
            "a page has no '::: …' blocks: write it as a paragraph or a quote",
        ),
    ],
)
def test_a_misspelled_or_misplaced_block_is_an_error_not_text(
    tmp_path: Path, where: str, text: str, message: str, hint: str
) -> None:
    """A ``:::`` block the dialect does not know was shown as a paragraph ("::: UPD
    2026-01-13 Fixed. :::"), and the UPD or remark the author meant did not exist."""
    files = {"content/essays/e/index.md": essay("E", "[A claim.]{.claim #a}\n")}
    path = {"essay": "content/essays/e/index.md", "critique": "content/essays/e/critiques/r.md"}.get(
        where, "content/about.md"
    )
    if where == "essay":
        files[path] = essay("E", "[A claim.]{.claim #a}\n\n" + text + "\n")
    elif where == "critique":
        files[path] = critique("r", "::: on #a\nFine.\n:::\n\n" + text + "\n")
    else:
        files[path] = plain_page("About", text + "\n")
    root = make_site(tmp_path, files)
    errors = check(root)
    assert [(e.path, e.message, e.hint) for e in errors] == [(path, message, hint)]
    first = {"essay": 8, "critique": 9, "page": 4}[where] + text.split("\n").index(
        next(line for line in text.split("\n") if ":::" in line)
    )
    assert errors[0].line == first
    assert not build(root).ok


def test_a_stray_closing_line_is_an_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", "::: upd 2026-01-20\nFixed.\n:::\n:::\n\nMore.\n")})
    (error,) = check(root)
    assert (error.line, error.message) == (9, "':::' closes no block")
    assert error.hint == "remove it, or open the block it ends ('::: upd DATE')"


def test_a_upd_closed_inside_a_quote_is_not_reported_open(tmp_path: Path) -> None:
    """The closing ``> :::`` of a UPD in a block quote was not seen: "is not closed"."""
    root = make_site(
        tmp_path,
        {"content/essays/e.md": essay("E", "Text.\n\n> ::: upd 2026-01-20\n> Fixed in a quote.\n> :::\n\nAfter.\n")},
    )
    assert check(root) == []
    report = build(root)
    assert report.ok
    page = (root / "public" / "essays" / "e" / "index.html").read_text()
    assert 'id="upd-2026-01-20"' in page and "Fixed in a quote." in page


def test_two_critique_files_with_one_name_are_an_error(tmp_path: Path) -> None:
    """``bob.md`` and ``bob.markdown`` were two critiques with one id: the page held
    ``critique-bob`` twice, and which one a UPD's ``re=bob`` answered was anyone's guess."""
    remark = critique("bob", "::: on #a\nNo.\n:::\n")
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[A claim.]{.claim #a}\n"),
            "content/essays/e/critiques/bob.md": remark,
            "content/essays/e/critiques/bob.markdown": remark,
        },
    )
    (error,) = check(root)
    assert (error.path, error.line, error.message) == (
        "content/essays/e/critiques/bob.markdown",
        1,
        "critique id 'bob' is also used by content/essays/e/critiques/bob.md",
    )
    assert error.hint == "a critique's id is its file name, which UPDs cite (re=bob): rename one of them"
    assert not build(root).ok


@pytest.mark.parametrize(
    "body, line, message, hint",
    [
        (
            "{.claim #twice}\n{.claim #twice2}\nOne paragraph.\n",
            6,
            "two block claim lines for one block: '#twice' is lost",
            "keep one {.claim #id} line, or put the block it marks between them",
        ),
        (
            "Intro [two ids]{.claim #i1 #i2} here.\n",
            6,
            "claim marker gives two ids (#i1, #i2): a claim has one",
            "keep one of them: {.claim #i2}",
        ),
        (
            "{.claim #b1 #b2}\nA paragraph.\n",
            6,
            "claim marker gives two ids (#b1, #b2): a claim has one",
            "keep one of them: {.claim #b2}",
        ),
    ],
)
def test_a_claim_id_that_another_overrides_is_an_error(
    tmp_path: Path, body: str, line: int, message: str, hint: str
) -> None:
    """The attribute syntax keeps the last id it reads: the first claim silently did not
    exist, until a remark on it failed with "did you mean" the other."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body)})
    (error,) = check(root)
    assert (error.line, error.message, error.hint) == (line, message, hint)
    assert not build(root).ok


@pytest.mark.parametrize(
    "body",
    [
        "A. [see [claim A]{.claim #ca} here](https://example.org/a) after.",
        "H. [see [claim H]{.claim #ca} here][r] after.\n\n[r]: https://example.org/r",
        "C. [[claim C]{.claim #ca}](https://example.org/c)",
    ],
)
def test_a_claim_inside_a_links_text_is_an_error(tmp_path: Path, body: str) -> None:
    """Markdown does not let a link's text hold a bracketed span: the link was lost and
    its brackets and address shown on the page, without a word."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body + "\n")})
    (error,) = check(root)
    assert (error.line, error.message) == (6, "claim '#ca' is inside a link's text: the link would be lost")
    assert error.hint == "put the link inside the claim instead: [see [the words](https://…) here]{.claim #ca}"
    assert not build(root).ok


def test_links_beside_and_inside_claims_build(tmp_path: Path) -> None:
    body = (
        "B. [x] [claim]{.claim #b} [y]. [see [the words](https://example.org/) here]{.claim #c} [a](https://e.org/)\n"
    )
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body)})
    assert check(root) == []


@pytest.mark.parametrize("status", ["declined", "open"])
def test_a_status_that_a_upd_contradicts_is_an_error(tmp_path: Path, status: str) -> None:
    """``status: declined`` on a critique that a UPD cites (re=): the page said
    "addressed" without a word about the status the critique file gives."""
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[A.]{.claim #a}\n\n::: upd 2026-01-20 re=dec\nFixed.\n:::\n"),
            "content/essays/e/critiques/dec.md": critique("r", "::: on #a\nNo.\n:::\n", status=status),
        },
    )
    (error,) = check(root)
    assert (error.path, error.line, error.message) == (
        "content/essays/e/critiques/dec.md",
        4,
        f"critique says 'status: {status}' but the UPD of 2026-01-20 cites it (re=dec), which addresses it",
    )
    assert error.hint == "remove the status line (a critique a UPD cites is addressed), or 'dec' from the UPD's re="
    assert not build(root).ok


def test_a_claim_id_in_another_script_gets_an_ascii_suggestion(tmp_path: Path) -> None:
    """The hint "start with a letter" puzzled an author whose id started with the letter "о"."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", "[Ось.]{.claim #ось-1}\n")})
    (error,) = check(root)
    assert error.message == "claim id 'ось-1' is not a valid id"
    assert error.hint == ("an id is ASCII: a letter (a-z, A-Z), then letters, digits, '-', '_', '.' or ':'; e.g. #os-1")


def test_a_claim_with_no_words_is_an_error(tmp_path: Path) -> None:
    """``[]{.claim #empty}`` was an empty span on the page and an empty row of the ledger."""
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", "Intro []{.claim #empty} here.\n")})
    (error,) = check(root)
    assert (error.line, error.message) == (6, "claim '#empty' has no words")
    assert error.hint == "put the claim's words between the brackets: [the words]{.claim #empty}"


def test_a_claim_of_an_image_or_a_formula_has_words_enough(tmp_path: Path) -> None:
    body = "A [![a chart](https://example.org/x.png)]{.claim #c}, [$x^2$]{.claim #m}, [`k`]{.claim #k}.\n"
    assert check(make_site(tmp_path, {"content/essays/e.md": essay("E", body)})) == []


def test_a_remark_on_a_claim_id_in_another_case_gets_did_you_mean(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[A claim.]{.claim #a} [B.]{.claim #b}\n"),
            "content/essays/e/critiques/r.md": critique("r", "::: on #A\nNo.\n:::\n"),
        },
    )
    (error,) = check(root)
    assert error.message == "remark targets unknown claim 'A'"
    assert error.hint.startswith("did you mean 'a'? ")


def test_check_notes_a_upd_dated_in_the_future_or_before_its_essay(tmp_path: Path) -> None:
    """A UPD dated 2027 was published at once with that date ("Updated: June 1, 2027"),
    one dated before its essay said "addressed in UPD of" a day before the critique."""
    from datetime import date, timedelta

    later = (date.today() + timedelta(days=400)).isoformat()
    body = (
        f"[A.]{{.claim #a}}\n\n::: upd {later}\nLater.\n:::\n\n::: upd 2025-12-01\nEarlier.\n:::\n\n"
        "```markdown\n::: upd 2020-01-01\nAn example in code.\n:::\n```\n"
    )
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body, date="2026-01-10")})
    found = [(e.line, e.message, e.severity) for e in check(root)]
    assert found == [
        (8, f"UPD dated {later}, after today: it is published now, with that date", "note"),
        (12, "UPD dated 2025-12-01, before the essay's own date (2026-01-10)", "note"),
    ]
    assert build(root).ok


def test_the_upd_date_notes_pass_over_dates_that_do_not_exist(tmp_path: Path) -> None:
    body = "::: upd 2026-02-30\nFixed.\n:::\n\n::: upd 2026-01-20\nFixed.\n:::\n"
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body, date="2026-02-31")})
    assert [e.severity for e in check(root)] == ["error", "error"]  # the two dates, as errors of the build


def test_a_future_essays_own_upd_is_not_said_to_be_published_now(tmp_path: Path) -> None:
    """An essay dated in the future is held back, its UPDs with it: "published now" was wrong."""
    from datetime import date, timedelta

    day, later = date.today() + timedelta(days=30), date.today() + timedelta(days=40)
    body = f"[A.]{{.claim #a}}\n\n::: upd {later.isoformat()}\nLater.\n:::\n"
    root = make_site(tmp_path, {"content/essays/e.md": essay("E", body, date=day.isoformat())})
    assert [e for e in check(root) if e.severity == "note"] == []


def test_check_notes_a_reply_dated_before_its_critique(tmp_path: Path) -> None:
    """A reply dated before the critique it answers is a mistyped date: the margin showed
    the author answering two days before the reader wrote."""
    body = (
        "::: on #a\nNo.\n:::\n\n::: reply Vera, 2026-01-10\nEarlier.\n:::\n\n"
        "::: reply Vera, 2026-01-15\nLater.\n:::\n\n"
        "```markdown\n::: reply Vera, 2020-01-01\nAn example in code.\n:::\n```\n"
    )
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", "[A.]{.claim #a}\n", date="2026-01-05"),
            "content/essays/e/critiques/r.md": critique("r", body, date="2026-01-12"),
        },
    )
    found = [(e.path, e.line, e.message, e.severity) for e in check(root)]
    assert found == [
        (
            "content/essays/e/critiques/r.md",
            9,
            "reply dated 2026-01-10, before the critique's own date (2026-01-12)",
            "note",
        )
    ]
    assert build(root).ok
