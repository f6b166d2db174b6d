"""``check`` is the build into a folder of its own (``.counterpoint/check/``): over a
corpus of broken sites, ``counterpoint check`` and ``counterpoint build`` print the
same errors and exit with the same code, and check writes nothing outside
``.counterpoint/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site, plain_page

from counterpoint import cli

TIDES = "Tides rise. [The Moon lifts water.]{.claim #lift}\n\nEach ocean basin has its own natural period."

BROKEN: dict[str, dict[str, str | bytes]] = {
    "a page at the home page's address": {
        "content/essays/a.md": essay("A"),
        "content/index.md": plain_page("Home", "Hello."),
    },
    "a page inside the tags section": {
        "content/essays/a.md": essay("A", tags=["x"]),
        "content/tags.md": plain_page("Tags", "My tags."),
    },
    "two essays with the same slug": {
        "content/essays/a.md": essay("A", slug="same"),
        "content/essays/b.md": essay("B", slug="same"),
    },
    "two essays whose slugs differ in case only": {
        "content/essays/a.md": essay("A", slug="Same"),
        "content/essays/b.md": essay("B", slug="same"),
    },
    "a 300-character slug": {
        "content/essays/a.md": essay("A", slug="x" * 300),
    },
    "an essay date that overflows with its zone": {
        "content/essays/a.md": essay("A", date="9999-12-31T23:59:00-12:00"),
    },
    "an essay date at year one, east of UTC": {
        "content/essays/a.md": essay("A", date="0001-01-01T00:00:00+14:00"),
    },
    "a UPD with a date that does not exist": {
        "content/essays/a.md": essay("A", "Text.\n\n::: upd 2026-02-30\nFixed.\n:::"),
    },
    "an unknown front matter field": {
        "content/essays/a.md": essay("A", colour="red"),
    },
    "no title": {
        "content/essays/a.md": "---\ndate: 2026-01-10\n---\nText.\n",
    },
    "front matter that is not YAML": {
        "content/essays/a.md": "---\ntitle: [unclosed\ndate: 2026-01-10\n---\nText.\n",
    },
    "an invalid date": {
        "content/essays/a.md": essay("A", date="2026-13-40"),
    },
    "a remark on an unknown claim": {
        "content/essays/tides/index.md": essay("Tides", TIDES),
        "content/essays/tides/critiques/r.md": critique("reader", "::: on #lfit\nNo.\n:::"),
    },
    "a quoted remark that is not in the essay": {
        "content/essays/tides/index.md": essay("Tides", TIDES),
        "content/essays/tides/critiques/r.md": critique(
            "reader", '::: on "every ocean basin has its natural period"\nNo.\n:::'
        ),
    },
    "a critique with an unknown stance": {
        "content/essays/tides/index.md": essay("Tides", TIDES),
        "content/essays/tides/critiques/r.md": critique("reader", "Hm.", stance="hates"),
    },
    "a critique outside any bundle": {
        "content/essays/a.md": essay("A"),
        "content/critiques/r.md": critique("reader", "Hm."),
    },
    "a UPD citing an unknown critique": {
        "content/essays/tides/index.md": essay("Tides", TIDES + "\n\n::: upd 2026-01-17 re=nobody\nFixed.\n:::"),
    },
    "a UPD correcting an unknown claim": {
        "content/essays/tides/index.md": essay(
            "Tides", TIDES + "\n\n::: upd 2026-01-17 corrects=#nothing\nFixed.\n:::"
        ),
    },
    "two claims with the same id": {
        "content/essays/a.md": essay("A", "[One.]{.claim #c}\n\n[Two.]{.claim #c}"),
    },
    "two pages with the same address": {
        "content/essays/a.md": essay("A"),
        "content/about.md": plain_page("About", "One."),
        "content/other.md": plain_page("Other", "Two.", slug="about"),
    },
    "a page inside /essays/": {
        "content/essays/a.md": essay("A"),
        "content/note.md": plain_page("Note", "Text.", slug="essays/a"),
    },
    "a page with an unknown field": {
        "content/about.md": plain_page("About", "Text.", mood="calm"),
    },
    "a template that does not compile": {
        "content/essays/a.md": essay("A"),
        "templates/essay.html": "{% if %}broken{% endif %}",
    },
    "a template that fails as it renders": {
        "content/essays/a.md": essay("A"),
        "templates/index.html": "{{ essays | no_such_filter }}",
    },
    "an essay that is not UTF-8": {
        "content/essays/a.md": b"---\ntitle: A\ndate: 2026-01-10\n---\n\xff\xfe text\n",
    },
    "many problems at once": {
        "content/index.md": plain_page("Home", "Hello."),
        "content/essays/a.md": essay("A", slug="same", colour="red"),
        "content/essays/b.md": essay("B", slug="same"),
        "content/essays/tides/index.md": essay("Tides", TIDES),
        "content/essays/tides/critiques/r.md": critique("reader", "::: on #lfit\nNo.\n:::"),
    },
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(argv)
    err = capsys.readouterr().err.splitlines()
    return code, err[:-1]  # the last line counts them ("N error(s)" / "N error(s); nothing was written")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_and_build_report_the_same_errors(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(tmp_path / "site", BROKEN[case], {"search": False})
    before = _files(root)
    checked = _run(["check", str(root)], capsys)
    assert _files(root) == before  # check wrote nothing outside .counterpoint/
    built = _run(["build", str(root), "--no-search"], capsys)
    assert checked[0] == built[0] != 0
    assert checked[1] and checked[1] == built[1]
    assert not (root / "public").exists()  # nothing half-written by the failed build either


def test_the_corpus_is_large_enough() -> None:
    assert len(BROKEN) >= 20


def test_check_of_a_good_site_finds_nothing_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path / "site", {"content/essays/tides/index.md": essay("Tides", TIDES)}, {"search": False})
    before = _files(root)
    assert cli.main(["check", str(root)]) == 0
    assert capsys.readouterr().out == "no problems found\n"
    assert _files(root) == before
    assert (root / ".counterpoint/check/essays/tides/index.html").is_file()  # its build, kept for the next check
    assert not (root / "public").exists()


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if ".counterpoint" not in p.relative_to(root).parts)
