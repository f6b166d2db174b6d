"""The search index is updated shard by shard: after ``build`` an edited essay's new
word is found and a deleted essay's word is gone, only the changed shards are indexed
again, and an index updated edit by edit gives the search page the same results as
one made cold (the same files, and the same answers in Chromium for a fixed set of
queries)."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site
from test_search import in_browser, static_server  # noqa: F401  (a fixture)
from test_serve_e2e import serve  # noqa: F401  (a fixture)

from counterpoint.build.engine import Engine
from counterpoint.output import search

pytestmark = [pytest.mark.browser]

TOPICS = [
    "tides",
    "winds",
    "currents",
    "reefs",
    "dunes",
    "glaciers",
    "deltas",
    "fjords",
    "lagoons",
    "estuaries",
    "atolls",
    "marshes",
    "capes",
    "straits",
]
QUERIES = ["tides", "water", "basin", "reader", "period", "quokkafish", "zebrawood", "glaciers ice", "moon"]


def corpus(root: Path) -> Path:
    files: dict[str, str] = {}
    for n, topic in enumerate(TOPICS):
        extra = " The zebrawood pier stands here." if topic == "dunes" else ""
        files[f"content/essays/{topic}/index.md"] = essay(
            topic.capitalize(),
            f"""
            [Water moves in {topic} with the moon and the basin's period.]{{.claim #c}}

            ## Notes on {topic} {{#notes}}

            Each basin of {topic} has its own period, {n} hours or so.{extra}
            """,
            date=f"2026-01-{n + 1:02d}",
        )
        files[f"content/essays/{topic}/critiques/reader.md"] = critique(
            "reader", f"A reader asks about {topic}.\n\n::: on #c\nWhy the moon?\n:::"
        )
    return make_site(root, files)


def query(page, base: str, words: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The search page's answer to ``words``: its message ("3 results for …") and the
    (link, title, excerpt) of every result, in order ("Load more" pressed until all show)."""
    page.goto(f"{base}search/?q={words}")
    page.wait_for_function(
        "q => { const m = document.querySelector('.pagefind-ui__message');"
        " return m && m.textContent.includes(q) && !/searching/i.test(m.textContent) }",
        arg=words,
        timeout=30_000,
    )
    loaded = (
        "() => !document.querySelector('.pagefind-ui__loading') && [...document.querySelectorAll("
        "'.pagefind-ui__result')].every(r => r.querySelector('.pagefind-ui__result-link'))"
    )
    page.wait_for_function(loaded, timeout=30_000)  # each row is a placeholder until its page's data is in
    while page.query_selector(".pagefind-ui__button"):  # "Load more results"
        page.click(".pagefind-ui__button")
        page.wait_for_timeout(100)
        page.wait_for_function(loaded, timeout=30_000)
    message = page.inner_text(".pagefind-ui__message")
    rows = page.eval_on_selector_all(
        ".pagefind-ui__result",
        "rows => rows.map(r => [r.querySelector('.pagefind-ui__result-link').getAttribute('href'),"
        " r.querySelector('.pagefind-ui__result-title').textContent.trim(),"
        " r.querySelector('.pagefind-ui__result-excerpt').textContent.trim()])",
    )
    return message, [tuple(row) for row in rows]


def links(results: list[tuple[str, str, str]]) -> set[str]:
    return {link for link, _, _ in results}


def same_tree(a: Path, b: Path) -> list[str]:
    """Paths that differ between two folders (missing on one side or other bytes)."""
    diff: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        diff.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        diff.extend(
            prefix + n
            for n in cmp.common_files
            if not filecmp.cmp(Path(cmp.left, n), Path(cmp.right, n), shallow=False)
        )
        for name, sub in cmp.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(a, b), "")
    return diff


def test_edits_and_deletions_reach_search_and_match_a_cold_index(
    tmp_path: Path,
    static_server: tuple[str, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 2)  # 14 essays in 8 shards
    origin, www = static_server
    root = corpus(tmp_path / "site")
    out = www / "inc"
    engine = Engine(root, out=out, base_url="/inc/")
    assert engine.build().ok
    shards = json.loads((out / "pagefind/shards.json").read_text("utf-8"))["shards"]
    assert len(shards) > 4

    # one essay gains a word, another is deleted
    path = root / "content/essays/reefs/index.md"
    path.write_text(path.read_text("utf-8") + "\nA quokkafish swims by.\n", "utf-8")
    assert engine.build().ok
    assert engine.last_stats.search == (1, len(shards))  # only the edited essay's shard was indexed again
    for file in sorted((root / "content/essays/dunes").rglob("*"), reverse=True):
        file.rmdir() if file.is_dir() else file.unlink()
    (root / "content/essays/dunes").rmdir()
    assert engine.build().ok
    indexed, total = engine.last_stats.search
    assert indexed + (len(shards) - total) == 1  # the deleted essay's shard: indexed again, or gone if it was alone

    # the same site, indexed cold into another folder
    cold = www / "cold"
    assert Engine(root, out=cold, base_url="/cold/", use_cache=False).build().ok
    assert same_tree(out / "pagefind", cold / "pagefind") == []

    results: dict[str, dict[str, list]] = {}

    def scenario(page) -> None:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for name in ("inc", "cold"):
            results[name] = {q: query(page, f"{origin}/{name}/", q) for q in QUERIES}
        assert errors == []

    in_browser(scenario)
    inc = results["inc"]
    cold_results = {
        q: (message, [(link.replace("/cold/", "/inc/", 1), title, excerpt) for link, title, excerpt in rows])
        for q, (message, rows) in results["cold"].items()
    }
    assert links(inc["quokkafish"][1]) == {"/inc/essays/reefs/"}
    assert inc["zebrawood"][1] == []
    assert len(inc["water"][1]) == len(TOPICS) - 1  # every essay but the deleted one
    assert inc == cold_results


def test_serve_keeps_search_current_after_each_edit(tmp_path: Path, serve) -> None:  # noqa: F811
    """A real server, real file writes: the index follows each rebuild in the background."""
    site = corpus(tmp_path)
    server = serve(site)
    server.wait_line(r"^search index ready in ", timeout=120)
    base = f"http://127.0.0.1:{server.port}/"
    answers: list[tuple[str, list]] = []

    def ask(*words: str) -> None:
        def scenario(page) -> None:
            answers.extend(query(page, base, w) for w in words)

        in_browser(scenario)

    ask("quokkafish", "zebrawood")
    assert [rows for _, rows in answers] == [[], [("/essays/dunes/", "Dunes", answers[1][1][0][2])]]

    mark = server.mark()
    path = site / "content/essays/reefs/index.md"
    path.write_text(path.read_text("utf-8") + "\nA quokkafish swims by.\n", "utf-8")
    rebuilt = server.wait_line(r"^rebuilt in .*reefs", start=mark, timeout=30)
    updated = server.wait_line(r"^search index updated in .* \(1 of \d+ shards indexed\)$", start=mark, timeout=120)
    assert server.lines.index(rebuilt) < server.lines.index(updated)  # the reload did not wait for search
    mark = server.mark()
    for file in sorted((site / "content/essays/dunes").rglob("*"), reverse=True):
        file.rmdir() if file.is_dir() else file.unlink()
    (site / "content/essays/dunes").rmdir()
    server.wait_line(r"^rebuilt in ", start=mark, timeout=30)
    server.wait_line(r"^search index updated in ", start=mark, timeout=120)

    answers.clear()
    ask("quokkafish", "zebrawood")
    assert links(answers[0][1]) == {"/essays/reefs/"}
    assert answers[1][1] == []
