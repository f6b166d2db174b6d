"""Warm starts: the cache does not depend on where the site is or on the files' mtimes.

A site built in one folder and copied with its output and ``.counterpoint/`` into another
(as a CI cache restores it into a fresh clone: every file gets a new mtime) builds there
from the cache, nothing rendered or indexed again, into byte-identical output; and a second
``serve`` of a site starts from the cache its first one left."""

from __future__ import annotations

import filecmp
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sitefactory import critique, essay, make_site
from test_serve_e2e import Server, serve  # noqa: F401  (a fixture)

from counterpoint.cli import main
from counterpoint.output import search


def site_with_essays(root: Path, n: int = 6) -> Path:
    files: dict[str, str] = {}
    for k in range(n):
        files[f"content/essays/e{k}/index.md"] = essay(
            f"Essay {k}", f"[Claim number {k} about tides.]{{.claim #c}}\n\nMore text {k}.", date=f"2026-01-{k + 1:02d}"
        )
        files[f"content/essays/e{k}/critiques/ana.md"] = critique("ana", "::: on #c\nWhy?\n:::")
    files["content/about.md"] = "---\ntitle: About\n---\nAbout the site.\n"
    files["content/essays/later.md"] = essay("Later", "Not yet.", draft=True)  # rendered (checked), not published
    return make_site(root, files)


def differing(a: Path, b: Path) -> list[str]:
    out: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        out.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        out.extend(
            prefix + n
            for n in cmp.common_files
            if not filecmp.cmp(Path(cmp.left, n), Path(cmp.right, n), shallow=False)
        )
        for name, sub in cmp.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(a, b), "")
    return out


def build_lines(site: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["build", str(site), "--timings"]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.mark.skipif(not search.available(), reason="pagefind[bin] is not installed")
def test_a_copy_with_new_mtimes_builds_from_the_cache_into_the_same_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = site_with_essays(tmp_path / "a" / "site")
    lines = build_lines(first, capsys)
    assert lines[0].startswith("built 6 essay(s) into ")
    assert "  essays rendered: 7 of 7 (the others from the cache); search shards indexed: 1 of 1" in lines
    # copied file by file: new mtimes, a new absolute path, the output (public/) and .counterpoint/ with it
    second = tmp_path / "b" / "elsewhere"
    shutil.copytree(first, second, copy_function=shutil.copyfile)
    lines = build_lines(second, capsys)
    assert "  essays rendered: 0 of 7 (the others from the cache)" in lines, lines
    assert lines[0].endswith("(0 file(s) changed)")
    assert differing(first / "public", second / "public") == []
    # and the copy goes on as the original would: an edit renders one essay and indexes one shard
    path = second / "content/essays/e3/index.md"
    path.write_text(path.read_text("utf-8") + "\nAn added line.\n", "utf-8")
    lines = build_lines(second, capsys)
    assert "  essays rendered: 1 of 7 (the others from the cache); search shards indexed: 1 of 1" in lines, lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_second_serve_starts_from_the_cache_of_the_first(
    tmp_path: Path,
    serve: Callable[..., Server],  # noqa: F811
) -> None:
    site = site_with_essays(tmp_path / "site")
    port = str(_free_port())  # the same address both times, as the default port gives: pages name it
    server = serve(site, "--port", port)
    assert server.wait_line(r"^built in \d+ ms -> \d+ files \(7 of 7 essays rendered\)$")
    path = site / "content/essays/e2/index.md"
    mark = server.mark()
    path.write_text(path.read_text("utf-8") + "\nAn edit while serving.\n", "utf-8")
    server.wait_line(r"^rebuilt in .*e2", start=mark)
    assert server.interrupt() == 0
    again = serve(site, "--port", port)
    assert again.wait_line(r"^built in \d+ ms -> 0 files \(0 of 7 essays rendered\)$")
    assert "An edit while serving." in again.get("/essays/e2/")[1]
