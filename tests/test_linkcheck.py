"""``counterpoint check`` checks links: every internal link, #anchor and image in
essays, critiques and pages is resolved against what the build makes; a broken
one is an error at file:line:col with the closest existing target as a hint."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sitefactory import check, critique, essay, make_site, plain_page

from counterpoint.cli import main

TIDES = """
    ## Tidal force {#tidal-force}

    [The Moon lifts water.]{.claim #lift} See [the winds](../winds/), [calm air](/essays/winds/#calm),
    [the force](#tidal-force), [the claim](#lift), [Ana's critique](#critique-ana), [about](/about/),
    [the tag](/tags/sea/), [its feed](/tags/sea/feed.xml), [the home page](/), [a footnote][^1].

    ![chart](chart.png) ![site-wide](/img/logo.png) [reference style][ref] <a href="/corrections/">raw</a>

    [ref]: /essays/winds/
    [^1]: A note.
"""

GOOD = {
    "content/essays/tides/index.md": essay("Tides", TIDES, tags=["Sea"]),
    "content/essays/tides/chart.png": b"\x89PNG\r\n\x1a\n",
    "content/essays/tides/critiques/ana.md": critique("ana", "::: on #lift\nSee [the force](#tidal-force).\n:::"),
    "content/essays/winds.md": essay("Winds", "## Calm\n\nText, [tides](/essays/tides/#lift)."),
    "content/img/logo.png": b"\x89PNG\r\n\x1a\n",
    "content/about.md": plain_page("About", "[Tides](/essays/tides/) and [winds](../essays/winds/) [^n]\n\n[^n]: x"),
}


def formatted(errors) -> list[str]:
    return [e.format() for e in errors]


def test_a_site_whose_links_all_work_has_no_problems(tmp_path: Path) -> None:
    for base_url in ("/", "https://example.org/blog/"):
        root = make_site(
            tmp_path / base_url.strip("/").replace(":", "").replace("/", "-"), GOOD, {"base_url": base_url}
        )
        assert formatted(check(root)) == []


def test_broken_links_anchors_and_images_are_errors_with_the_closest_target(tmp_path: Path) -> None:
    files = dict(GOOD)
    files["content/essays/tides/index.md"] = essay(
        "Tides",
        """
        ## Tidal force {#tidal-force}

        Text with [a typo](../wnds/) and [an anchor](#tidal-forse).
        ![chart](chart.pgn) <a href="/abut/">raw</a>

        [a reference][ref]

        [ref]: /essays/wind/#calm
        """,
    )
    files["content/essays/tides/critiques/ana.md"] = critique("ana", "Read [this](/essays/winds/#clam).")
    files["content/about.md"] = plain_page("About", "See [it](/essays/tide/).")
    root = make_site(tmp_path / "site", files, {"base_url": "https://example.org/blog/"})
    assert formatted(check(root)) == [
        "content/about.md:4:10: error: broken link '/essays/tide/': nothing at /blog/essays/tide/\n"
        "  hint: did you mean '/essays/tides/'?",
        "content/essays/tides/critiques/ana.md:5:13: error: broken anchor '/essays/winds/#clam': "
        "no id 'clam' on /blog/essays/winds/\n  hint: did you mean '#calm'?",
        "content/essays/tides/index.md:8:20: error: broken link '../wnds/': nothing at /blog/essays/wnds/\n"
        "  hint: did you mean '/essays/winds/'?",
        "content/essays/tides/index.md:8:46: error: broken anchor '#tidal-forse': no id 'tidal-forse' on "
        "/blog/essays/tides/\n  hint: did you mean '#tidal-force'?",
        "content/essays/tides/index.md:9:10: error: broken image 'chart.pgn': nothing at /blog/essays/tides/chart.pgn\n"
        "  hint: did you mean '/essays/tides/chart.png'?",
        "content/essays/tides/index.md:9:30: error: broken link '/abut/': nothing at /blog/abut/\n"
        "  hint: did you mean '/about/'?",
        "content/essays/tides/index.md:13:8: error: broken link '/essays/wind/#calm': nothing at /blog/essays/wind/\n"
        "  hint: did you mean '/essays/winds/'?",
        # the claim #lift is gone from the essay that the other one links to
        "content/essays/winds.md:8:15: error: broken anchor '/essays/tides/#lift': no id 'lift' on /blog/essays/tides/",
    ]


def test_check_on_the_command_line_lists_them_and_writes_nothing(tmp_path: Path, capsys) -> None:
    files = dict(GOOD)
    files["content/about.md"] = plain_page("About", "See [it](/essays/tide/).")
    root = make_site(tmp_path / "site", files)
    assert main(["check", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/about.md:4:10: error: broken link '/essays/tide/': nothing at /essays/tide/" in err
    assert "hint: did you mean '/essays/tides/'?" in err and "1 error(s)" in err
    assert not (root / "public").exists()  # check's own build is in .counterpoint/check/
    assert (root / ".counterpoint/check/about/index.html").is_file()
    # build does not check links: the page is made as written
    assert main(["build", str(root), "--no-search", "--quiet"]) == 0


def test_a_second_check_renders_only_what_changed(tmp_path: Path) -> None:
    from counterpoint.build.engine import Engine

    root = make_site(tmp_path / "site", GOOD)
    assert check(root) == []
    page = root / ".counterpoint/check/essays/tides/index.html"
    stamp = page.stat().st_mtime_ns
    (root / "content/about.md").write_text(plain_page("About", "See [it](/essays/tide/)."), "utf-8")
    assert [e.message for e in Engine(root).check()] == ["broken link '/essays/tide/': nothing at /essays/tide/"]
    assert page.stat().st_mtime_ns == stamp  # the essay was not written again


def test_links_are_checked_once_the_content_is_right(tmp_path: Path) -> None:
    """A site that does not build reports its content errors; links come after."""
    files = dict(GOOD)
    files["content/essays/tides/critiques/ana.md"] = critique("ana", "::: on #nope\nx\n:::\n[x](/missing/)")
    errors = formatted(check(make_site(tmp_path / "site", files)))
    assert len(errors) == 1 and "remark targets unknown claim 'nope'" in errors[0]


def test_a_link_to_a_draft_is_broken_unless_drafts_are_built(tmp_path: Path) -> None:
    files = dict(GOOD)
    files["content/essays/later.md"] = essay("Later", "Text.", draft=True)
    files["content/about.md"] = plain_page("About", "[soon](/essays/later/)")
    root = make_site(tmp_path / "site", files)
    assert [e.message for e in check(root)] == ["broken link '/essays/later/': nothing at /essays/later/"]
    assert check(root, drafts=True) == []


# --------------------------------------------------------------------------- check --external


class _Host(BaseHTTPRequestHandler):
    """A small web on 127.0.0.1: good, gone, HEAD-refusing, redirecting and hanging addresses."""

    asked: list[tuple[str, str]]  # (method, path), set per server

    def _answer(self, method: str) -> None:
        self.asked.append((method, self.path))
        if self.path == "/slow":
            time.sleep(2)
        status = {"/ok": 200, "/gone": 404, "/moved": 301, "/slow": 200}.get(self.path, 200)
        if self.path == "/no-head":
            status = 405 if method == "HEAD" else 200
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def host() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    asked: list[tuple[str, str]] = []
    handler = type("Host", (_Host,), {"asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_external_links_are_asked_concurrently_and_remembered(tmp_path: Path, host, capsys) -> None:
    origin, asked = host
    body = f"""
        [good]({origin}/ok#part), [gone]({origin}/gone), [no HEAD]({origin}/no-head),
        [moved]({origin}/moved) and [slow]({origin}/slow); [good again]({origin}/ok).
    """
    root = make_site(tmp_path / "site", {"content/essays/links.md": essay("Links", body)})
    assert main(["check", str(root), "--external", "--timeout", "0.5"]) == 1
    captured = capsys.readouterr()
    assert "external links: 5 address(es), 5 asked, 0 known good from earlier runs" in captured.out
    errors = [line for line in captured.err.splitlines() if ": error: " in line]
    source = (root / "content/essays/links.md").read_text("utf-8").split("\n")

    def where(url: str) -> str:
        line = next(n for n, text in enumerate(source) if url in text)
        return f"content/essays/links.md:{line + 1}:{source[line].index(url) + 1}"

    assert errors == [
        f"{where(origin + '/gone')}: error: external link '{origin}/gone' answers 404 Not Found",
        f"{where(origin + '/slow')}: error: external link '{origin}/slow' cannot be reached: timed out",
    ]
    # HEAD first; GET only where HEAD was refused; each address once however often it is linked
    assert asked.count(("HEAD", "/ok")) == 1  # linked twice (with and without #part), asked once
    assert ("HEAD", "/moved") in asked and ("GET", "/moved") not in asked  # followed to /ok
    assert ("HEAD", "/no-head") in asked and ("GET", "/no-head") in asked
    assert (root / ".counterpoint/cache/external-links.json").is_file()

    # the rerun asks only the addresses that were not good
    asked.clear()
    assert main(["check", str(root), "--external", "--timeout", "0.5"]) == 1
    assert "external links: 5 address(es), 2 asked, 3 known good from earlier runs" in capsys.readouterr().out
    assert {path for _, path in asked} == {"/gone", "/slow"}


def test_external_links_are_not_asked_without_the_option(tmp_path: Path, host) -> None:
    origin, asked = host
    root = make_site(tmp_path / "site", {"content/essays/links.md": essay("Links", f"[gone]({origin}/gone)")})
    assert main(["check", str(root)]) == 0
    assert asked == []
