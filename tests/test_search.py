"""Search: Pagefind runs as part of ``build`` over essay pages (critiques included),
a build without Pagefind still succeeds and says how to add it, and the theme's
search page finds an essay by a word that only one of its critiques uses."""

from __future__ import annotations

import functools
import gzip
import json
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import chromium
from sitefactory import critique, essay, make_site, plain_page

from counterpoint.build.engine import Engine
from counterpoint.cli import main
from counterpoint.output import search

CRITIQUE_ONLY_WORD = "zymurgical"

FILES = {
    "content/essays/harbour/index.md": essay(
        "Harbour tides",
        """
        [Two harbours a hundred kilometres apart can have very different tides.]{.claim #apart}

        ## Resonance {#resonance}

        Each basin has its own period.
    """,
        date="2026-01-10",
        tags=["oceans"],
    ),
    "content/essays/harbour/critiques/brewer.md": critique(
        "brewer",
        f"""
        A {CRITIQUE_ONLY_WORD} aside: does the period depend on the depth?

        ::: on #apart
        Which harbours?
        :::
    """,
        date="2026-01-12",
        stance="questions",
    ),
    "content/essays/winds.md": essay(
        "Winds", "Wind is air that moves from high pressure to low pressure.", date="2026-01-11"
    ),
    "content/essays/veter.md": essay("Ветер", "Ветер — это движение воздуха.", date="2026-01-09", lang="ru"),
    "content/about.md": plain_page("About", "A site about the sea."),
}


def write_site(root: Path) -> Path:
    return make_site(root, FILES, {"title": "Search test"})


def without_pagefind(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if Pagefind were not installed: both of its modules fail to import."""
    for name in ("pagefind", "pagefind_bin"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr("shutil.which", lambda *_a, **_k: None)


def test_pagefind_is_a_dependency_of_the_default_install() -> None:
    """``pip install counterpoint`` brings Pagefind, so search works without an extra;
    the installed package's metadata says so, and its binary is there."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    plain = [Requirement(r) for r in requires("counterpoint") or []]
    pagefind = [r for r in plain if r.name == "pagefind"]
    assert pagefind and pagefind[0].marker is None and "bin" in pagefind[0].extras
    assert search.available()


def test_build_without_pagefind_says_how_to_add_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_pagefind(monkeypatch)
    assert not search.available()
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    code = main(["build", str(root), "--out", str(out), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Pagefind is not installed" in err and "pip install 'pagefind[bin]'" in err
    assert (out / "essays/harbour/index.html").is_file()
    assert not (out / "pagefind").exists()
    # the search page is there and will say that the index is missing
    html = (out / "search/index.html").read_text("utf-8")
    assert 'id="search"' in html and "data-unavailable=" in html and 'data-bundle="/pagefind/"' in html
    # search off: no hint, no search page
    code = main(["build", str(root), "--out", str(tmp_path / "quiet"), "--no-cache", "--no-search"])
    assert code == 0
    assert "Pagefind" not in capsys.readouterr().err
    assert not (tmp_path / "quiet/search").exists()


def shard_entries(out: Path) -> list[dict]:
    """The ``pagefind-entry.json`` of every shard the search page merges."""
    shards = json.loads((out / "pagefind/shards.json").read_text("utf-8"))["shards"]
    return [json.loads((out / "pagefind" / shard / "pagefind-entry.json").read_text("utf-8")) for shard in shards]


def test_build_indexes_essays_with_their_critiques_not_the_listings(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site")
    out = tmp_path / "out"
    engine = Engine(root, out=out, use_cache=False)
    assert engine.build().ok
    entries = shard_entries(out)
    # one index in the site's language, so the Russian essay is found from the English search page
    assert {lang for entry in entries for lang in entry["languages"]} == {"en"}
    # 3 essays and the about page; no index, tag, corrections or search pages
    assert sum(entry["languages"]["en"]["page_count"] for entry in entries) == 4
    essay_html = (out / "essays/harbour/index.html").read_text("utf-8")
    body = essay_html[essay_html.index("data-pagefind-body") :]
    assert CRITIQUE_ONLY_WORD in body  # the critique is inside the indexed article
    # a rebuild after an edit swaps in a fresh bundle: no stale fragments, no temporary folders
    (root / "content/essays/winds.md").write_text(
        (root / "content/essays/winds.md").read_text("utf-8") + "\nA new sentence.\n", "utf-8"
    )
    assert engine.build().ok
    assert len(list((out / "pagefind").glob("*/fragment/*"))) == 4
    assert not [p.name for p in out.iterdir() if p.name.startswith(".cp-tmp-")]
    # the bundle's layout: the UI at its top, each shard folder with its own index and scripts only
    bundle = out / "pagefind"
    assert {"pagefind-ui.js", "pagefind-ui.css", "shards.json"} <= {p.name for p in bundle.iterdir()}
    for shard in (p for p in bundle.iterdir() if p.is_dir()):
        for entry in shard.iterdir():
            assert entry.name in {
                "pagefind.js",
                "pagefind-worker.js",
                "pagefind-entry.json",
                "index",
                "fragment",
                "filter",
            } or (entry.name.endswith(".pf_meta") or entry.name.startswith("wasm.")), entry
    # every file of the bundle whole: the index files unpack, the scripts are there
    for path in (out / "pagefind").rglob("*"):
        if path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter"):
            assert gzip.decompress(path.read_bytes()).startswith(b"pagefind_dcd"), path
        elif path.is_file():
            assert path.stat().st_size > 0, path


# --------------------------------------------------------------------------- in the browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server over ``tmp_path/www``: (origin, folder)."""
    www = tmp_path / "www"
    www.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", www
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def in_browser(scenario: Callable[[object], None]) -> None:
    """Run ``scenario(page)`` in a headless Chromium of its own.

    Playwright's sync API allows one instance per thread, and other tests of the
    session may hold one in the main thread, so the browser lives in a thread here.
    """
    failure: list[BaseException] = []

    def work() -> None:
        try:
            with chromium() as browser:
                scenario(browser.new_context().new_page())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=work, name="search-browser")
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the browser scenario did not finish in 120 s"
    if failure:
        raise failure[0]


def result_links(page: object) -> list[str]:
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    return page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.browser
def test_search_page_finds_an_essay_by_a_word_only_in_its_critique(
    tmp_path: Path, static_server: tuple[str, Path]
) -> None:
    origin, www = static_server
    root = write_site(tmp_path / "site")
    assert Engine(root, out=www / "blog", base_url="/blog/", use_cache=False).build().ok

    def scenario(page) -> None:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{origin}/blog/search/")
        page.wait_for_selector("#search[data-search-state='ready'] input", timeout=10_000)
        page.fill("#search input", CRITIQUE_ONLY_WORD)
        links = result_links(page)
        assert links and all(link.startswith("/blog/essays/harbour/") for link in links), links
        assert "Harbour tides" in page.inner_text(".pagefind-ui__result-title")
        assert f"?q={CRITIQUE_ONLY_WORD}" in page.url  # the address follows the query
        # the result opens the essay, under the sub-path
        page.click(".pagefind-ui__result-link")
        page.wait_for_selector("article.essay[data-essay='harbour']")
        # a query in the address runs on load; a Russian essay is found from the English page
        page.goto(f"{origin}/blog/search/?q=ветер")
        assert any(link.startswith("/blog/essays/veter/") for link in result_links(page))
        assert errors == []

    in_browser(scenario)


@pytest.mark.browser
def test_search_page_without_an_index_says_so(
    tmp_path: Path, static_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    origin, www = static_server
    without_pagefind(monkeypatch)
    root = write_site(tmp_path / "site")
    assert Engine(root, out=www / "blog", base_url="/blog/", use_cache=False).build().ok

    def scenario(page) -> None:
        page.goto(f"{origin}/blog/search/")
        page.wait_for_selector("#search[data-search-state='unavailable']", timeout=10_000)
        assert "search index has not been built" in page.inner_text("#search")

    in_browser(scenario)


@pytest.mark.browser
def test_results_show_the_texts_words_not_the_margins_counts_and_labels(
    tmp_path: Path, static_server: tuple[str, Path]
) -> None:
    """The index holds what the author and the readers wrote: a heading with remarks is
    found under its own title (not "Resonance11", its count and note number glued on),
    the margin's labels ("whole critique") find nothing, and a Russian page says how
    many results there are in words that fit any count (Pagefind's "3 результатов")."""
    origin, www = static_server
    remark = "::: on #resonance\nWhich basin?\n:::\n"
    files = {
        **FILES,
        "content/essays/harbour/critiques/sailor.md": critique("sailor", remark, stance="disputes"),
        **{
            f"content/essays/os-{n}.md": essay(f"Ось {n}", "Каждая ось измеряет своё.", date=f"2026-01-0{n}", lang="ru")
            for n in range(1, 4)
        },
    }
    make_site(tmp_path / "en", files, {"title": "Search test"})
    make_site(tmp_path / "ru", files, {"title": "Поиск", "language": "ru"})
    assert Engine(tmp_path / "en", out=www / "en", base_url="/en/", use_cache=False).build().ok
    assert Engine(tmp_path / "ru", out=www / "ru", base_url="/ru/", use_cache=False).build().ok

    def titles(page) -> list[str]:
        page.wait_for_selector(".pagefind-ui__result-title", timeout=10_000)
        return page.eval_on_selector_all(
            ".pagefind-ui__result-title", "els => els.map(e => e.textContent.replace(/\\u2060/g, '').trim())"
        )

    def message(page) -> str:
        page.wait_for_selector(".pagefind-ui__message", timeout=10_000)
        page.wait_for_function("!document.querySelector('.pagefind-ui__message').textContent.includes('…')")
        return page.inner_text(".pagefind-ui__message")

    def scenario(page) -> None:
        page.goto(f"{origin}/en/search/?q=resonance")
        assert "Resonance" in titles(page), titles(page)
        assert not [title for title in titles(page) if title[-1].isdigit()], titles(page)
        page.goto(f"{origin}/en/search/?q=whole")
        assert message(page).startswith("No results"), message(page)
        page.goto(f"{origin}/ru/search/?q=ось")
        count = message(page).removeprefix("Результатов по запросу «ось»: ")
        assert count.isdigit() and int(count) >= 3, message(page)  # the three essays, and their sections

    in_browser(scenario)


# A stand-in for `pagefind --service` that answers WriteFiles the way Pagefind 1.5.2 was
# measured to: before its files hold their bytes (here: empty until 5 s later, and never
# if it exits first). GetFiles answers with the files themselves, as Pagefind does.
_LATE_WRITER = """#!{python}
import base64, json, os, sys, threading, time
FILES = {{"pagefind-entry.json": b'{{"version":"1.5.2"}}', "fragment/en_1.pf_fragment": b"pagefind_dcd..."}}
buf = b""
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        os._exit(0)  # end of input: the service ends, writes still pending are lost
    buf += chunk
    while b"," in buf:
        raw, buf = buf.split(b",", 1)
        msg = json.loads(base64.b64decode(raw))
        kind = msg["payload"]["type"]
        answer = {{"type": kind}}
        if kind == "NewIndex":
            answer["index_id"] = 1
        elif kind == "GetFiles":
            answer["files"] = [{{"path": p, "content": base64.b64encode(c).decode()}} for p, c in FILES.items()]
        elif kind == "WriteFiles":
            for path in FILES:
                target = os.path.join(msg["payload"]["output_path"], path)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                open(target, "wb").close()
            def late(dest=msg["payload"]["output_path"]):
                time.sleep(5)
                for path, content in FILES.items():
                    with open(os.path.join(dest, path), "wb") as f:
                        f.write(content)
            threading.Thread(target=late, daemon=True).start()
        reply = base64.b64encode(json.dumps({{"message_id": msg["message_id"], "payload": answer}}).encode())
        os.write(1, reply + b",")
"""


def test_an_index_is_whole_when_indexed_however_late_pagefind_writes_its_files(tmp_path: Path) -> None:
    """Pagefind's WriteFiles answered before its files were written (a shard's
    pagefind-entry.json once ended up empty in a built bundle): an index's files hold
    their bytes the moment ``Service.index`` returns, and after the service has ended."""
    fake = tmp_path / "pagefind"
    fake.write_text(_LATE_WRITER.format(python=sys.executable))
    fake.chmod(0o755)
    out = tmp_path / "public"
    (out / "essays" / "a").mkdir(parents=True)
    (out / "essays" / "a" / "index.html").write_text("<html><body data-pagefind-body>tides</body></html>")
    dest = tmp_path / "index"
    service = search.Service(fake, out, None)
    try:
        service.index(out, ["essays/a/index.html"], "en", dest)
        written = {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    finally:
        service.close()
    expected = {"pagefind-entry.json": b'{"version":"1.5.2"}', "fragment/en_1.pf_fragment": b"pagefind_dcd..."}
    assert written == expected
    assert {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()} == expected
