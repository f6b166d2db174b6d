"""``counterpoint import github ISSUES.json`` on a recorded ``gh issue list`` JSON:
issues with and without an essay, comments by the author and by others, a declined
one, an injection attempt; the files, their statuses, an idempotent rerun, --update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sitefactory import SITE_AUTHOR, build, check, essay, make_site, parse_html

from counterpoint.cli import main
from counterpoint.essay import anchoring

ISSUES = Path(__file__).resolve().parent / "fixtures" / "inbox" / "issues.json"
CRITIQUES = "content/essays/tides/critiques"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(
        tmp_path / "site",
        {
            # the essay's own author is "bob": a GitHub user named bob must not become the author
            "content/essays/tides/index.md": essay(
                "Tides",
                """
            The Moon lifts the *near side* of the ocean. [Two bulges form.]{.claim #bulges}

            ## Resonance {#resonance}

            Each ocean basin has its own natural period.
        """,
                author="bob",
            ),
            "content/essays/other/index.md": essay("Other", "Nothing here."),
        },
        config={"critiques": {"github": "vera-lind/margin-notes"}},
    )


def test_import_writes_one_critique_per_issue_that_names_an_essay(site: Path, tmp_path: Path, capsys) -> None:
    issues = tmp_path / "issues.json"
    shutil.copy(ISSUES, issues)
    code, out, err = run(capsys, "import", "github", str(issues), "--dir", str(site))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"created {CRITIQUES}/github-1.md (#1, 1 remark(s), 2 repl(ies), 1 by the author)",
        '  line 7: anchored "The Moon lifts the near side of the ocean" (content/essays/tides/index.md line 7)',
        "skipped #2: names no essay (a label essay:SLUG, or a link to the essay in its text)",
        f"created {CRITIQUES}/github-3.md (#3, 1 remark(s), 1 repl(ies), 1 by the author, declined)",
        '  line 3: anchored "Each ocean basin has its own natural period." (content/essays/tides/index.md line 11)',
        f"created {CRITIQUES}/github-4.md (#4, 0 remark(s), 1 repl(ies), 0 by the author, declined)",
        '  line 13: not found: "::: reply Vera Lind, 2026-02-06"; kept as text',
        f"created {CRITIQUES}/github-5.md (#5, 1 remark(s), 0 repl(ies), 0 by the author)",
        '  line 1: anchored "Two bulges form." (content/essays/tides/index.md line 7)',
        "4 created, 0 updated, 0 unchanged, 1 skipped; run 'counterpoint check' to see the critiques as the build will",
    ]
    folder = site / CRITIQUES
    assert sorted(p.name for p in folder.iterdir()) == ["github-1.md", "github-3.md", "github-4.md", "github-5.md"]
    assert not (site / "content/essays/other/critiques").exists()
    first = (folder / "github-1.md").read_text("utf-8")
    assert first.startswith(
        '---\nauthor: "ana-k"\ndate: 2026-02-01\nstance: notes\nsource: "https://github.com/vera-lind/margin-notes/issues/1"\n'
        "# imported from GitHub issue #1 by counterpoint; digest "
    )
    assert f"::: reply {SITE_AUTHOR}, 2026-02-02\nRight, I will say so in a UPD.\n:::" in first
    assert "::: reply @bob, 2026-02-02\nAgreed with Ana.\n:::" in first
    assert "status: declined" in (folder / "github-3.md").read_text("utf-8")  # closed as not planned

    assert check(site) == []
    code, out, _ = run(capsys, "check", str(site))
    assert code == 0
    assert out.splitlines() == [
        "no problems found",
        "replies marked as the author's:",
        f"  {CRITIQUES}/github-1.md:15: {SITE_AUTHOR}, 2026-02-02",
        f"  {CRITIQUES}/github-3.md:18: {SITE_AUTHOR}, 2026-02-05",
    ]
    built = build(site)
    assert built.ok, built.report.errors
    tree = parse_html(built.page("essays/tides/"))
    status = {el.get("id"): el.get("data-status") for el in tree.find_all("article", cls="critique")}
    assert status == {
        "critique-github-1": "open",
        "critique-github-3": "declined",
        "critique-github-4": "declined",
        "critique-github-5": "open",
    }
    replies = [(r.find(cls="reply-author").text(), r.has("data-by-author")) for r in tree.find_all(cls="reply")]
    # only the owner's comments (vera-lind, Vera-Lind) are the author's; bob (the essay's author's name) is @bob
    assert sorted(replies) == sorted([(SITE_AUTHOR, True), ("@bob", False), (SITE_AUTHOR, True), ("@bob", False)])
    # the injection attempt: no reply, remark, UPD or front matter of its own; its words shown as text
    forged = tree.find("article", id="critique-github-4")
    assert forged.find(cls="reply", data_by_author=True) is None
    assert forged.find(cls="critique-remarks") is None
    assert tree.find("section", cls="upd") is None
    text = " ".join(forged.text().split())
    for visible in (
        "::: reply Vera Lind, 2026-02-06 I, the author, concede everything.",
        "::: upd 2026-02-06 re=github-1",
        "::: on #bulges",
        "an unclosed fence",
    ):
        assert visible in text
    remark_targets = sorted(a.get("data-target") for a in tree.find_all("aside", cls="remark"))
    assert remark_targets == sorted(
        [
            anchoring.quote_claim_id("The Moon lifts the near side of the ocean"),
            anchoring.quote_claim_id("Each ocean basin has its own natural period."),
            "bulges",  # the quoted passage is the authored claim #bulges: one claim, one ledger row
        ]
    )

    # rerun: nothing changes
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, out, _ = run(capsys, "import", "github", str(issues), "--dir", str(site))
    assert code == 0
    assert out.splitlines()[-1] == "0 created, 0 updated, 4 unchanged, 1 skipped"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_changed_issues_are_updated_only_with_update_and_never_over_the_authors_edits(
    site: Path, tmp_path: Path, capsys
) -> None:
    issues = tmp_path / "issues.json"
    shutil.copy(ISSUES, issues)
    assert run(capsys, "import", "github", str(issues), "--dir", str(site))[0] == 0
    folder = site / CRITIQUES
    # the author edits github-5 by hand (a stance); then both issues get a new comment
    edited = (folder / "github-5.md").read_text("utf-8").replace("stance: notes", "stance: questions")
    (folder / "github-5.md").write_text(edited, "utf-8")
    data = json.loads(issues.read_text("utf-8"))
    for issue in data:
        if issue["number"] in (1, 5):
            issue["comments"].append(
                {"author": {"login": "vera-lind"}, "body": "Fixed.", "createdAt": "2026-03-01T00:00:00Z"}
            )
    issues.write_text(json.dumps(data), "utf-8")
    first_before = (folder / "github-1.md").read_text("utf-8")

    code, out, _ = run(capsys, "import", "github", str(issues), "--dir", str(site))
    assert code == 0
    assert f"changed {CRITIQUES}/github-1.md: issue #1 changed on GitHub; run with --update to rewrite the file" in out
    assert (folder / "github-1.md").read_text("utf-8") == first_before
    message = (
        f"not updated {CRITIQUES}/github-5.md: issue #5 changed on GitHub, and the file was edited since it was imported; "
        "your edits are kept (to take the issue's new text, delete the file and import again)"
    )
    assert message in out

    code, out, _ = run(capsys, "import", "github", str(issues), "--dir", str(site), "--update")
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "0 created, 1 updated, 2 unchanged, 2 skipped; run 'counterpoint check' to see the critiques as the build will"
    )
    assert message in out
    assert f"::: reply {SITE_AUTHOR}, 2026-03-01\nFixed.\n:::" in (folder / "github-1.md").read_text("utf-8")
    assert (folder / "github-5.md").read_text("utf-8") == edited
    # and now it is up to date
    assert (
        run(capsys, "import", "github", str(issues), "--dir", str(site))[1].splitlines()[-1]
        == "0 created, 0 updated, 3 unchanged, 2 skipped"
    )


def test_author_login_option_and_a_missing_one(site: Path, tmp_path: Path, capsys) -> None:
    (site / "site.yml").write_text(f'title: T\nauthor: "{SITE_AUTHOR}"\n', "utf-8")  # no critiques: github
    code, out, err = run(capsys, "import", "github", str(ISSUES), "--dir", str(site))
    assert code == 0 and "no comment is imported as the author's reply" in err
    assert "::: reply @vera-lind, 2026-02-02" in (site / CRITIQUES / "github-1.md").read_text("utf-8")
    shutil.rmtree(site / CRITIQUES)
    code, out, err = run(capsys, "import", "github", str(ISSUES), "--dir", str(site), "--author-login", "BOB")
    assert (code, err) == (0, "")
    text = (site / CRITIQUES / "github-1.md").read_text("utf-8")
    assert f"::: reply {SITE_AUTHOR}, 2026-02-02\nAgreed with Ana." in text  # bob's login was named the author's


@pytest.mark.parametrize(
    "content, message",
    [
        ("{}", "expected a list of issues"),
        ('[{"title": "x"}]', "issue 1 in the list: \"no 'number'\""),
        ("not json", "not JSON"),
        ('[{"number": 1, "createdAt": "yesterday", "url": "u"}]', "'createdAt' 'yesterday' is not a time stamp"),
    ],
)
def test_a_file_that_is_not_gh_json_is_a_usage_error(
    site: Path, tmp_path: Path, capsys, content: str, message: str
) -> None:
    issues = tmp_path / "issues.json"
    issues.write_text(content, "utf-8")
    code, out, err = run(capsys, "import", "github", str(issues), "--dir", str(site))
    assert code == 2 and message in err and "gh issue list --state all --json" in err
    assert not (site / CRITIQUES).exists()
