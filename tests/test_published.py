"""'New' by publication: when each critique, remark, reply and UPD first appeared on the
site, from one ``git log`` pass when the site is a git repository, else its written date."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sitefactory import build, critique, essay, make_site, parse_html

from counterpoint.source.published import block_key, head_key, parse_log, read_history

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None and os.environ.get("CI") != "true", reason="git is not installed")

ESSAY = """
::: upd 2026-01-17 re=models
Fixed.
:::

[A claim.]{.claim #a} More text.
"""


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Vera Lind",
        "GIT_AUTHOR_EMAIL": "vera@example.org",
        "GIT_COMMITTER_NAME": "Vera Lind",
        "GIT_COMMITTER_EMAIL": "vera@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def published(html: str) -> dict[str, str]:
    page = parse_html(html)
    out = {}
    for element in page.find_all():
        if element.has("data-published"):
            out[element.get("id") or element.get("class")] = element.get("data-published")
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site in a git repository: the essay committed on 10 January; a critique dated 16 January
    committed today; a reply added to it in a second commit today."""
    root = make_site(
        tmp_path / "repo" / "site",
        {
            "content/essays/e/index.md": essay("E", ESSAY, date="2026-01-05"),
        },
    )
    git(root.parent, "init", "-q", "-b", "main")
    git(root.parent, "add", ".")
    git(root.parent, "commit", "-q", "-m", "essay", when="2026-01-10T09:00:00+00:00")
    make_site(
        root,
        {
            "content/essays/e/critiques/models.md": critique(
                "dmitry_k", '::: on "A claim."\nNo.\n:::\n', date="2026-01-16"
            ),
        },
    )
    git(root.parent, "add", ".")
    git(root.parent, "commit", "-q", "-m", "critique", when="2026-12-06T08:30:00+00:00")
    path = root / "content/essays/e/critiques/models.md"
    path.write_text(path.read_text("utf-8") + "\n::: reply Vera Lind, 2026-01-17\nThanks.\n:::\n", "utf-8")
    git(root.parent, "commit", "-q", "-am", "reply", when="2026-12-06T09:45:00+00:00")
    return root


@needs_git
def test_a_critique_dated_in_january_committed_today_is_published_today(repo: Path) -> None:
    result = build(repo)
    assert result.ok, result.report.errors
    times = published(result.page("essays/e/"))
    assert times["critique-models"] == "2026-12-06T08:30:00+00:00"
    remark = next(v for k, v in times.items() if k.startswith("remark-models"))
    assert remark == "2026-12-06T08:30:00+00:00"
    assert times["reply"] == "2026-12-06T09:45:00+00:00"  # a block added later is dated by its own commit
    assert times["upd-2026-01-17"] == "2026-01-10T09:00:00+00:00"
    data = json.loads((result.out / "essays/e/annotations.json").read_text("utf-8"))
    assert data["critiques"][0]["published"] == "2026-12-06T08:30:00+00:00"
    assert data["critiques"][0]["replies"][0]["published"] == "2026-12-06T09:45:00+00:00"
    assert data["updates"][0]["published"] == "2026-01-10T09:00:00+00:00"
    # the index card lists them for "N new since your visit"
    card = parse_html(result.page("")).find("p", "new-since")
    assert "2026-12-06T08:30:00+00:00" in card.get("data-published").split()


@needs_git
def test_a_commit_that_changes_no_file_still_refreshes_the_dates(repo: Path) -> None:
    assert build(repo).ok
    make_site(repo, {"content/essays/e/critiques/late.md": critique("ana", "::: on #a\nHm.\n:::\n", date="2026-01-20")})
    first = build(repo)
    assert published(first.page("essays/e/"))["critique-late"] == "2026-01-20T00:00:00+00:00"  # not committed: its date
    git(repo.parent, "add", ".")
    git(repo.parent, "commit", "-q", "-m", "late", when="2026-12-06T11:00:00+00:00")
    second = build(repo)
    assert published(second.page("essays/e/"))["critique-late"] == "2026-12-06T11:00:00+00:00"


def test_without_git_the_written_date_is_the_publication(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/essays/e/index.md": essay("E", ESSAY),
            "content/essays/e/critiques/models.md": critique("dmitry_k", "::: on #a\nNo.\n:::\n", date="2026-01-16"),
        },
    )
    result = build(root)
    assert result.ok
    times = published(result.page("essays/e/"))
    assert times["critique-models"] == "2026-01-16T00:00:00+00:00"
    assert times["upd-2026-01-17"] == "2026-01-17T00:00:00+00:00"


def test_block_keys() -> None:
    assert block_key('::: on "A claim."') == '::: on "A claim."'
    assert block_key("::: upd 2026-01-17 re=a corrects=#b") == "::: upd 2026-01-17"
    assert block_key(":::  reply  Vera Lind,  2026-01-17") == "::: reply Vera Lind, 2026-01-17"
    assert block_key("Text") is None and block_key("::: note") is None


def test_parse_log_follows_renames_and_the_site_folder() -> None:
    log = (
        "\0"
        "2026-01-10T09:00:00+00:00\n\n"
        "diff --git a/site/content/e.md b/site/content/e.md\nnew file mode 100644\n--- /dev/null\n+++ b/site/content/e.md\n"
        "@@ -0,0 +1,2 @@\n+::: upd 2026-01-09\n+x\n"
        "\0"
        "2026-02-01T09:00:00+00:00\n\n"
        "diff --git a/site/content/e.md b/site/content/f.md\nsimilarity index 90%\nrename from site/content/e.md\n"
        "rename to site/content/f.md\n--- a/site/content/e.md\n+++ b/site/content/f.md\n@@ -2 +2,2 @@\n+::: upd 2026-01-31\n"
    )
    history = parse_log(log, "site/")
    assert history.files == {"content/e.md": "2026-01-10T09:00:00+00:00", "content/f.md": "2026-01-10T09:00:00+00:00"}
    assert history.blocks[("content/f.md", "::: upd 2026-01-09")] == "2026-01-10T09:00:00+00:00"
    assert history.blocks[("content/f.md", "::: upd 2026-01-31")] == "2026-02-01T09:00:00+00:00"


@needs_git
def test_read_history_and_head_key_of_a_real_repository(repo: Path) -> None:
    history = read_history(repo)
    assert history.files["content/essays/e/critiques/models.md"] == "2026-12-06T08:30:00+00:00"
    key = head_key(repo)
    assert len(key) == 40
    assert read_history(repo.parent.parent).files == {}  # not a repository: nothing


@needs_git
def test_new_for_a_visit_yesterday_in_the_browser(repo: Path, tmp_path: Path, chromium_browser) -> None:
    from browser import StaticServer, new_page

    result = build(repo)
    visit = "2026-12-05T12:00Z"  # yesterday: the critique was committed today, though dated in January
    with StaticServer(result.out) as server:
        page = new_page(chromium_browser, 1280)
        page.goto(server.url + "essays/e/")
        page.evaluate(f"localStorage.setItem('counterpoint:last-visit:e', '{visit}')")
        page.reload()
        page.wait_for_load_state("load")
        new = page.evaluate(
            "[...document.querySelectorAll('.is-new')].map(e => e.id || e.className.split(' ')[0]).sort()"
        )
        assert "critique-models" in new and "upd-2026-01-17" not in new
        # to the minute: a visit after the critique's commit but before the reply's sees only the reply
        page.evaluate("localStorage.setItem('counterpoint:last-visit:e', '2026-12-06T09:00Z')")
        page.reload()
        page.wait_for_load_state("load")
        new = page.evaluate("[...document.querySelectorAll('.is-new')].map(e => e.className.split(' ')[0]).sort()")
        assert new == ["reply"]
        index = new_page(chromium_browser, 1280)
        index.goto(server.url)
        index.evaluate(f"localStorage.setItem('counterpoint:last-visit:e', '{visit}')")
        index.reload()
        index.wait_for_load_state("load")
        assert index.locator(".new-since").inner_text() == "2 new since your visit"
