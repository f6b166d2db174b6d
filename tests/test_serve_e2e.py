"""`counterpoint serve` end to end: the real engine in a subprocess, real HTTP, real file writes.

Each test starts ``python -m counterpoint serve SITE --port 0`` on a small site written by
``sitefactory``, reads the port from its ``serving http://127.0.0.1:PORT/`` line, changes
files the way editors and ``git`` do, and polls the served pages and the event channel
until a deadline (never a fixed sleep). The hostile requests go over raw sockets, so no
client normalises ``..`` away. The last test drives Debian's Chromium through Playwright.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import browser as browser_helpers
import pytest
from sitefactory import critique, essay, make_site

from counterpoint.output import search
from counterpoint.serve.serve import BACKGROUND_NICENESS
from counterpoint.theme.theme import builtin_themes_dir

T = TypeVar("T")
SERVING = re.compile(r"serving http://127\.0\.0\.1:(\d+)/")
TIDES = "content/essays/tides/index.md"
WAVES = "content/essays/waves/index.md"


def wait_for(probe: Callable[[], T], what: str, timeout: float = 10.0) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def tides(body: str = "First version of the tides essay.", title: str = "Tides") -> str:
    return essay(title, "[The Moon lifts water.]{.claim #lift}\n\n" + body)


BROKEN = '---\ntitle: "Tides\ndate: 2026-01-10\n---\n\nThis version never gets built.\n'  # line 2: unclosed quote


def small_site(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    return make_site(
        tmp_path / "site",
        {
            TIDES: tides(),
            "content/essays/tides/critiques/ana.md": critique("ana", "::: on #lift\nNot only the Moon.\n:::"),
            WAVES: essay("Waves", "Waves are made by the wind.", date="2026-01-11"),
            **(extra or {}),
        },
    )


# -- the server process --------------------------------------------------------------------


def _default_sigint() -> None:
    # a shell's background job may inherit SIGINT ignored; Ctrl-C must reach the server
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def raw_server(
    site: Path, *, group: bool = False, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``counterpoint serve`` for a test that signals it itself, before it serves or at a moment
    of its own (``Server`` waits for "serving"); ``group``: in a process group of its own, as a
    terminal's job, so that ``os.killpg`` reaches its workers as a terminal's Ctrl-C does.
    Killed at the end if it still runs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterpoint", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=site.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        preexec_fn=(lambda: (_default_sigint(), os.setpgrp())) if group else _default_sigint,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            if group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.communicate()


class Server:
    """``counterpoint serve`` in a subprocess; its output collected line by line."""

    def __init__(self, site: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.site = site
        self.lines: list[str] = []
        self.eof = False
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "counterpoint", "serve", str(site), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            cwd=site.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            preexec_fn=_default_sigint,
        )
        self._reader = threading.Thread(target=self._read, name="serve-output", daemon=True)
        self._reader.start()
        line = self.wait_line(SERVING, timeout=30)
        match = SERVING.search(line)
        assert match, line
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}/"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.eof = True
            self._cond.notify_all()

    @property
    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_line(self, pattern: re.Pattern[str] | str, timeout: float = 10.0, start: int = 0) -> str:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((line for line in self.lines[start:] if regex.search(line)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if self.eof or remaining <= 0:
                    why = "the server exited" if self.eof else f"{timeout:.0f} s passed"
                    raise AssertionError(f"{why} before a line matching {regex.pattern!r}:\n" + "\n".join(self.lines))
                self._cond.wait(remaining)

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def settle(self, since: int) -> int:
        """The rebuilds printed since line ``since``, once every build before now has printed.

        A build publishes its pages before it prints its line, and builds run one at a time:
        so a new asset is written as a marker (``content/aaa-…`` sorts before the other
        sources on a merged build's line) and, once its line is out, every earlier build
        has printed too. The marker's build is counted.
        """
        self._settles = getattr(self, "_settles", 0) + 1
        name = f"aaa-settle-{self._settles}.txt"
        (self.site / "content" / name).write_text("settled\n", encoding="utf-8")
        end = self.lines.index(self.wait_line(rf"^rebuilt in [^:]*: content/{re.escape(name)}", start=since), since)
        with self._cond:
            return sum(1 for line in self.lines[since : end + 1] if line.startswith("rebuilt in"))

    def get(self, path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            res = conn.getresponse()
            return res.status, res.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def wait_page(self, path: str, text: str, timeout: float = 10.0) -> tuple[float, str]:
        """Seconds until ``path`` answers 200 with ``text`` in it, and the page."""
        start = time.monotonic()

        def probe() -> str | None:
            status, body = self.get(path)
            return body if status == 200 and text in body else None

        body = wait_for(probe, f"{text!r} on {path}\n--- server output:\n{self.output}", timeout)
        return time.monotonic() - start, body

    def wait_status(self, path: str, status: int, timeout: float = 10.0) -> None:
        wait_for(lambda: self.get(path)[0] == status, f"{path} to answer {status}\n{self.output}", timeout)

    def interrupt(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int:
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        self._reader.join(5)
        return rc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(site: Path, *args: str, env: dict[str, str] | None = None) -> Server:
        server = Server(site, *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class Events:
    """The reload channel read over a raw socket, parsed in a thread."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(
            f"GET /__counterpoint/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            assert chunk, f"the server closed the event stream: {buf!r}"
            buf += chunk
        head, _, self._buf = buf.partition(b"\r\n\r\n")
        self.head = head.decode("latin-1")
        self.status = int(self.head.split()[1])
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.closed = False
        self._cond = threading.Condition()
        self.sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, name="sse", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buf = self._buf
        try:
            while True:
                while b"\n\n" in buf:
                    block, _, buf = buf.partition(b"\n\n")
                    fields: dict[str, str] = {}
                    for line in block.decode().splitlines():
                        if line and not line.startswith(":"):
                            name, _, value = line.partition(":")
                            fields[name] = fields.get(name, "") + value.removeprefix(" ")
                    if "event" in fields:
                        with self._cond:
                            self.events.append((fields["event"], json.loads(fields.get("data") or "{}")))
                            self._cond.notify_all()
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def count(self) -> int:
        with self._cond:
            return len(self.events)

    def wait(
        self,
        *kinds: str,
        start: int = 0,
        where: Callable[[dict[str, Any]], bool] = lambda d: True,
        timeout: float = 10.0,
    ) -> tuple[str, dict[str, Any]]:
        """The first event from index ``start`` on of one of ``kinds`` that satisfies ``where``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for kind, data in self.events[start:]:
                    if kind in kinds and where(data):
                        return kind, data
                remaining = deadline - time.monotonic()
                if self.closed or remaining <= 0:
                    raise AssertionError(f"no {'/'.join(kinds)} event (stream closed: {self.closed}): {self.events}")
                self._cond.wait(remaining)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(5)


def raw(port: int, target: str, host: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    """One request exactly as written (no client-side normalisation): status and body."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def numbered(label: str, page: str) -> set[str]:
    """The distinct numbers after ``label`` on a page (a remark shows twice: in the margin and its critique)."""
    return set(re.findall(re.escape(label) + r" (\d{3})\.", page))


def write(site: Path, rel: str, text: str) -> Path:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- editing -------------------------------------------------------------------------------


def test_edit_is_served_within_two_seconds(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    assert "First version of the tides essay." in server.get("/essays/tides/")[1]

    write(site, TIDES, tides("Second version, written while the server runs."))
    elapsed, page = server.wait_page("/essays/tides/", "Second version, written while the server runs.")
    assert elapsed < 2.0, f"the edit took {elapsed:.2f} s to be served"
    assert "First version" not in page
    assert "Not only the Moon." in page  # the critique is still there

    # a new title shows on the pages that list the essay, too
    write(site, TIDES, tides("Second version, written while the server runs.", title="Tides and the Moon"))
    elapsed, _ = server.wait_page("/", "Tides and the Moon")
    assert elapsed < 2.0, f"the index took {elapsed:.2f} s to follow"
    assert server.proc.poll() is None
    # the terminal line per rebuild: what changed, files written, milliseconds
    server.wait_line(r"^rebuilt in \d+ ms: content/essays/tides/index\.md -> \d+ files?$")


def test_atomic_save_is_picked_up(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    target = site / TIDES

    # gedit's way: a hidden temp file (ignored by the watcher), renamed onto the essay
    temp = target.parent / ".goutputstream-R4ND0M"
    temp.write_text(tides("Saved atomically, first time."), encoding="utf-8")
    os.replace(temp, target)
    elapsed, _ = server.wait_page("/essays/tides/", "Saved atomically, first time.")
    assert elapsed < 2.0

    # python's tempfile in the same folder: an ordinary-looking name the watcher cannot ignore
    fd, name = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(tides("Saved atomically, second time."))
    os.replace(name, target)
    elapsed, _ = server.wait_page("/essays/tides/", "Saved atomically, second time.")
    assert elapsed < 2.0
    # the temp file never outlives its rename in the served site
    server.wait_status("/essays/tides/" + Path(name).name, 404)
    assert not Path(name).exists()
    assert server.proc.poll() is None


def test_a_burst_of_200_files_gives_few_rebuilds(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    folder = site / "content" / "essays" / "tides" / "critiques"

    before = server.mark()
    for i in range(200):  # like a `git checkout` that adds 200 critiques
        remark = critique(f"reader{i}", f"::: on #lift\nRemark number {i:03}.\n:::")
        write(site, f"content/essays/tides/critiques/c{i:03}.md", remark)
    server.wait_page("/essays/tides/", "Remark number 199.", timeout=20)
    wait_for(
        lambda: len(numbered("Remark number", server.get("/essays/tides/")[1])) == 200, "all 200 critiques on the page"
    )
    created = server.settle(before)
    assert 2 <= created <= 10, f"{created} rebuilds for a burst of 200 new files (and a marker)\n{server.output}"

    before = server.mark()
    for i in range(200):  # and 200 edits of those files
        (folder / f"c{i:03}.md").write_text(
            critique(f"reader{i}", f"::: on #lift\nRevised remark {i:03}.\n:::"), encoding="utf-8"
        )
    wait_for(
        lambda: (
            len(numbered("Revised remark", page := server.get("/essays/tides/")[1])) == 200
            and "Remark number" not in page
        ),
        "the final state of all 200 edited critiques",
        timeout=20,
    )
    edited = server.settle(before)
    assert 2 <= edited <= 10, f"{edited} rebuilds for a burst of 200 edits\n{server.output}"
    assert server.proc.poll() is None
    assert server.get("/")[0] == 200


def test_broken_front_matter_keeps_the_last_page_and_reports(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    events = Events(server.port)
    try:
        assert events.status == 200 and "text/event-stream" in events.head
        _, hello = events.wait("hello")
        assert hello["ok"] is True

        mark = events.count()
        write(site, TIDES, BROKEN)
        _, data = events.wait("error", start=mark)
        assert any(e.startswith("content/essays/tides/index.md:2:") for e in data["errors"]), data
        assert not any(str(site) in e for e in data["errors"]), "errors name files relative to the site"
        server.wait_line(r"^build failed")
        server.wait_line(r"^content/essays/tides/index\.md:2:")
        status, page = server.get("/essays/tides/")
        assert status == 200 and "First version of the tides essay." in page  # the last good build
        assert server.proc.poll() is None

        # a browser arriving now learns about the failure at once
        late = Events(server.port)
        try:
            assert late.wait("hello")[1]["ok"] is False
            late.wait("error", where=lambda d: any("index.md:2:" in e for e in d["errors"]))
        finally:
            late.close()

        mark = events.count()
        write(site, TIDES, tides("Fixed after the broken front matter."))
        kind, _ = events.wait("reload", "ok", start=mark)
        assert kind == "reload"
        status, page = server.get("/essays/tides/")
        assert status == 200 and "Fixed after the broken front matter." in page
    finally:
        events.close()


def test_a_css_only_change_swaps_the_stylesheet(serve: Callable[..., Server], tmp_path: Path) -> None:
    css_rel = "themes/default/static/counterpoint.css"  # the site's override of the theme's stylesheet
    builtin_css = (builtin_themes_dir() / "default" / "static" / "counterpoint.css").read_text(encoding="utf-8")
    site = small_site(tmp_path, {css_rel: builtin_css})
    server = serve(site)
    events = Events(server.port)
    try:
        events.wait("hello")
        mark = events.count()
        write(site, css_rel, builtin_css + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
        kind, data = events.wait("css", "reload", start=mark)
        # the theme changed, so the essays were rendered again, but their bytes did not change
        assert (kind, data["files"]) == ("css", ["static/counterpoint.css"]), data
        assert "rgb(1, 2, 3)" in server.get("/static/counterpoint.css")[1]
    finally:
        events.close()


def test_deleted_and_renamed_essays_disappear(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    assert server.get("/essays/waves/")[0] == 200
    assert server.get("/essays/tides/")[0] == 200

    (site / WAVES).unlink()
    (site / WAVES).parent.rmdir()
    server.wait_status("/essays/waves/", 404)
    assert "Waves" not in server.get("/")[1]

    os.rename(site / "content/essays/tides", site / "content/essays/high-tides")
    server.wait_status("/essays/high-tides/", 200)
    assert "First version of the tides essay." in server.get("/essays/high-tides/")[1]
    assert server.get("/essays/tides/")[0] == 404
    assert not (site / ".counterpoint/serve/essays/tides").exists()
    assert server.proc.poll() is None


def test_edits_under_a_symlinked_content_folder(serve: Callable[..., Server], tmp_path: Path) -> None:
    # content/ kept elsewhere (another repository, a synced folder) and linked into the site
    site = small_site(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    os.rename(site / "content", elsewhere)
    (site / "content").symlink_to(elsewhere, target_is_directory=True)
    server = serve(site)
    assert "Not only the Moon." in server.get("/essays/tides/")[1]

    mark = server.mark()
    write(site, "content/essays/tides/critiques/ana.md", critique("ana", "::: on #lift\nThe Sun lifts it too.\n:::"))
    server.wait_page("/essays/tides/", "The Sun lifts it too.")
    # the terminal names the file as the site has it
    server.wait_line(r"^rebuilt in \d+ ms: content/essays/tides/critiques/ana\.md -> ", start=mark)
    write(site, TIDES, tides("Edited through the link."))
    server.wait_page("/essays/tides/", "Edited through the link.")


def test_a_new_base_url_path_in_site_yml_moves_the_served_site(serve: Callable[..., Server], tmp_path: Path) -> None:
    # the author sets the site up for a project page (https://user.github.io/docs/) while serving
    site = small_site(tmp_path)
    (site / "site.yml").write_text(
        (site / "site.yml").read_text(encoding="utf-8") + "base_url: https://example.org/blog/\n", encoding="utf-8"
    )
    server = serve(site)
    assert server.url + "blog/" in server.output
    server.wait_page("/blog/essays/tides/", "First version of the tides essay.")

    mark = server.mark()
    text = (site / "site.yml").read_text(encoding="utf-8")
    (site / "site.yml").write_text(text.replace("/blog/", "/docs/"), encoding="utf-8")
    _, page = server.wait_page("/docs/essays/tides/", "First version of the tides essay.")
    assert 'href="/docs/static/counterpoint.css"' in page and "/blog/" not in page
    server.wait_line(rf"^serving {re.escape(server.url)}docs/", start=mark)  # the new address, said plainly
    assert server.get("/blog/essays/tides/")[0] == 404
    assert (raw(server.port, "/")[0], raw(server.port, "/docs")[0]) == (302, 302)  # to /docs/, as at a start there

    # and back to the root of the host
    (site / "site.yml").write_text(text.replace("https://example.org/blog/", "/"), encoding="utf-8")
    _, page = server.wait_page("/essays/tides/", "First version of the tides essay.")
    assert 'href="/static/counterpoint.css"' in page
    assert server.proc.poll() is None


# -- safety --------------------------------------------------------------------------------


def test_hostile_paths_and_hosts_against_the_real_server(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    (site / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    server = serve(site)
    out = site / ".counterpoint" / "serve"
    assert (out / "essays" / "tides" / "index.html").is_file()
    assert not (site / "public").exists(), "serve never writes the production output"
    (out / "escape.txt").symlink_to(site / "secret.txt")

    assert raw(server.port, "/essays/tides/")[0] == 200
    for target in (
        "/../site.yml",
        "/%2e%2e/site.yml",
        "/%2E%2E/site.yml",
        "/.%2e/site.yml",
        "/.%252e/site.yml",
        "/..%2fsite.yml",
        "/%2e%2e%2fsite.yml",
        "/static/../../site.yml",
        "/static/%2e%2e/%2e%2e/site.yml",
        "/..\\site.yml",
        "/%5c..%5csite.yml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/../../../../etc/passwd",
        "/../secret.txt",
        "/escape.txt",
        "/../.counterpoint/serve/index.html",
        "/essays/tides/%00",
    ):
        status, body = raw(server.port, target)
        assert status in (400, 404), (target, status, body[:200])
        assert b"TOP SECRET" not in body and b"title:" not in body and b"root:" not in body, target
        assert str(site).encode() not in body, f"{target}: an absolute path in the error page"
    assert raw(server.port, "http://evil.example/site.yml")[0] in (400, 404)

    for host in ("evil.example", "evil.example:80", f"127.0.0.1.evil.example:{server.port}", "localhost.evil"):
        status, body = raw(server.port, "/essays/tides/", host=host)
        assert status == 403, (host, status)
        assert b"First version" not in body
        assert raw(server.port, "/__counterpoint/events", host=host)[0] == 403
    for host in ("localhost", f"localhost:{server.port}", f"[::1]:{server.port}", "127.0.0.1"):
        assert raw(server.port, "/essays/tides/", host=host)[0] == 200, host
    assert raw(server.port, "/essays/tides/", method="POST")[0] == 405
    events = Events(server.port, {"Origin": "http://evil.example"})
    try:
        assert events.status == 403
    finally:
        events.close()

    # after all that (and a rebuild), the sources are intact and only the serve folder was written
    write(site, TIDES, tides("Rebuilt after the attacks."))
    server.wait_page("/essays/tides/", "Rebuilt after the attacks.")
    assert (site / "secret.txt").read_text(encoding="utf-8") == "TOP SECRET"
    assert not (site / "public").exists()
    assert "Rebuilt after the attacks." in (out / "essays" / "tides" / "index.html").read_text(encoding="utf-8")
    assert server.proc.poll() is None


def test_a_second_server_of_the_same_site_says_where_the_first_serves(
    serve: Callable[..., Server], tmp_path: Path
) -> None:
    # a server forgotten in another terminal: both would build into .counterpoint/serve/, the
    # second's pages (links to its own port) replacing those the first one serves
    site = small_site(tmp_path)
    first = serve(site)
    before = (site / ".counterpoint/serve/essays/tides/index.html").read_bytes()
    second = subprocess.run(
        [sys.executable, "-m", "counterpoint", "serve", str(site), "--port", str(first.port)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=site.parent,
    )
    assert second.returncode == 2, second.stdout + second.stderr
    assert f"another counterpoint serve is serving this site at {first.url}" in second.stderr, second.stderr
    assert "Traceback" not in second.stdout + second.stderr
    assert "built in" not in second.stdout, "the second server built into the first one's folder"
    assert (site / ".counterpoint/serve/essays/tides/index.html").read_bytes() == before
    assert first.get("/essays/tides/")[0] == 200 and first.proc.poll() is None

    first.stop()  # once it has stopped, the site can be served again
    again = serve(site)
    assert again.get("/essays/tides/")[0] == 200


def test_ctrl_c_stops_cleanly(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    server = serve(site)
    events = Events(server.port)  # an open reload channel must not hold the exit
    try:
        events.wait("hello")
        rc = server.interrupt(signal.SIGINT)
    finally:
        events.close()
    assert rc == 0, server.output
    assert server.lines[-1] == "stopped", server.output
    assert "Traceback" not in server.output
    assert events.closed
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_sigterm_stops_cleanly(serve: Callable[..., Server], tmp_path: Path) -> None:
    server = serve(small_site(tmp_path))
    assert server.interrupt(signal.SIGTERM) == 0, server.output
    assert server.lines[-1] == "stopped" and "Traceback" not in server.output


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _ignores_sigint(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    return bool(ignored & (1 << (signal.SIGINT - 1)))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc")
def test_ctrl_c_in_a_terminal_during_a_rebuild_stops_cleanly(tmp_path: Path) -> None:
    # a terminal's Ctrl-C reaches every process of its group: the server and the workers it rendered with
    many = {f"content/essays/e{i:03}/index.md": essay(f"Essay {i}", "Some text. " * 200) for i in range(300)}
    site = make_site(tmp_path / "site", many, config={"search": False})
    with raw_server(site, group=True) as proc:
        assert proc.stdout is not None
        while not (line := proc.stdout.readline()).startswith("serving") and line:
            pass
        before = _children(proc.pid)  # multiprocessing's resource tracker
        write(site, "templates/base.html", (builtin_themes_dir() / "default/templates/base.html").read_text("utf-8"))
        workers = wait_for(lambda: _children(proc.pid) - before, "the rebuild's worker processes", timeout=30)
        # once they have started (a Ctrl-C while one is still starting Python is not handled), they
        # leave Ctrl-C to the server: dying of it, they broke the pool, with tracebacks and
        # "internal error: BrokenProcessPool … (this is a bug in counterpoint)"
        wait_for(lambda: all(_ignores_sigint(pid) for pid in workers), "workers that ignore Ctrl-C", timeout=10)
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert output.splitlines()[-1:] == ["stopped"], output
    assert "Traceback" not in output and "internal error" not in output and "build failed" not in output, output
    assert not _staging_folders(site)


def _staging_folders(site: Path) -> list[str]:
    return [
        p.name
        for folder in (site / ".counterpoint", site / ".counterpoint" / "serve")
        if folder.is_dir()
        for p in folder.iterdir()
        if p.name.startswith(".cp-tmp-")
    ]


def test_sigterm_during_the_first_build_stops_cleanly(tmp_path: Path) -> None:
    # `kill`, `timeout` or a process manager stopping a server that is still making its first build
    many = {f"content/essays/e{i:03}/index.md": essay(f"Essay {i}", "Some text. " * 200) for i in range(300)}
    site = make_site(tmp_path / "site", many)
    with raw_server(site) as proc:
        wait_for(lambda: _staging_folders(site), "the first build's staging folder", timeout=30)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert output.splitlines()[-1:] == ["stopped"], output
    assert "Traceback" not in output and "leaked" not in output, output
    assert not _staging_folders(site), "the half-made first build is left behind"


@pytest.mark.skipif(not search.available(), reason="pagefind[bin] is not installed")
def test_the_site_is_served_before_its_search_index_is_made(serve: Callable[..., Server], tmp_path: Path) -> None:
    site = small_site(tmp_path)
    leftover = site / ".counterpoint" / ".cp-tmp-stage-search-killed"  # from a server stopped the hard way
    leftover.mkdir(parents=True)
    server = serve(site)
    ready = server.wait_line(r"^search index ready in \d+\.\d s \(1 of 1 shards indexed\)$", timeout=60)
    assert server.lines.index(ready) > server.lines.index(next(x for x in server.lines if SERVING.search(x)))
    status, listing = server.get("/pagefind/shards.json")
    assert status == 200
    primary = json.loads(listing)["shards"][0]
    status, script = server.get(f"/pagefind/{primary}pagefind.js")
    assert status == 200 and script
    assert not _staging_folders(site)  # the index was written aside and swapped in; the leftover is gone
    # a rebuild is reported first, then the index follows it
    mark = server.mark()
    (site / TIDES).write_text(tides("Second version."), encoding="utf-8")
    rebuilt = server.wait_line(r"^rebuilt in", start=mark)
    updated = server.wait_line(r"^search index updated in \d+\.\d s \(1 of 1 shards indexed\)$", start=mark, timeout=60)
    assert server.lines.index(rebuilt) < server.lines.index(updated)
    assert server.get(f"/pagefind/{primary}pagefind.js")[0] == 200
    assert not _staging_folders(site)


SLOW_PAGEFIND = """#!{python}
import os, time
with open(os.environ["FAKE_PAGEFIND_PID"], "w") as f:
    f.write(str(os.getpid()))
time.sleep(120)  # a service that never answers
"""


def test_stopping_the_server_stops_its_search_indexing(serve: Callable[..., Server], tmp_path: Path) -> None:
    fake = tmp_path / "fake-pagefind"  # a Pagefind that never finishes, used instead of the real one
    fake.write_text(SLOW_PAGEFIND.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    pid_file = tmp_path / "pagefind.pid"
    site = small_site(tmp_path)
    server = serve(site, env={"PAGEFIND_BINARY_PATH": str(fake), "FAKE_PAGEFIND_PID": str(pid_file)})
    pid = int(wait_for(lambda: pid_file.is_file() and pid_file.read_text(), "the indexer to start", 30))
    # it runs behind the rebuilds
    wait_for(lambda: os.getpriority(os.PRIO_PROCESS, pid) == BACKGROUND_NICENESS, "the indexer's lower priority")
    started = time.monotonic()
    assert server.interrupt(signal.SIGINT) == 0, server.output
    assert time.monotonic() - started < 10
    assert server.lines[-1] == "stopped" and "Traceback" not in server.output
    assert "search index" not in server.output  # stopped on purpose: neither "ready" nor "failed"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not (site / ".counterpoint" / "serve" / "pagefind").exists()  # the half bundle never went live
    assert not _staging_folders(site)


def test_ctrl_c_in_a_terminal_while_indexing_says_nothing_of_the_index(tmp_path: Path) -> None:
    # the terminal's Ctrl-C reaches Pagefind too, which may die of it before the server stops it
    fake = tmp_path / "fake-pagefind"
    fake.write_text(SLOW_PAGEFIND.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    pid_file = tmp_path / "pagefind.pid"
    site = small_site(tmp_path)
    with raw_server(
        site, group=True, env={"PAGEFIND_BINARY_PATH": str(fake), "FAKE_PAGEFIND_PID": str(pid_file)}
    ) as proc:
        wait_for(lambda: pid_file.is_file() and pid_file.read_text(), "the indexer to start", 30)
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert output.splitlines()[-1:] == ["stopped"], output
    assert "search index" not in output, output  # not "ready (0 of 0 shards indexed)": it was stopped


# -- a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser_helpers.chromium() as browser:
        yield browser


CONNECTED = "() => !!(window.__counterpointReload && window.__counterpointReload.connected)"
OVERLAY = "#counterpoint-error-overlay"


def shows(text: str) -> str:
    return f"() => document.body.innerText.includes({json.dumps(text)})"


def test_browser_live_reload_css_swap_and_overlay(serve: Callable[..., Server], tmp_path: Path, chromium: Any) -> None:
    builtin_css = (builtin_themes_dir() / "default" / "static" / "counterpoint.css").read_text(encoding="utf-8")
    css_rel = "themes/default/static/counterpoint.css"  # the site's override of the theme's stylesheet
    site = small_site(tmp_path, {css_rel: builtin_css})
    server = serve(site)
    context = chromium.new_context()
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(server.url + "essays/tides/")
        page.wait_for_function(CONNECTED, timeout=10_000)
        assert "First version of the tides essay." in page.inner_text("body")

        # 1. an edit: the page reloads itself
        page.evaluate("window.__marker = 1")
        write(site, TIDES, tides("Edited while the browser watches."))
        page.wait_for_function(shows("Edited while the browser watches."), timeout=10_000)
        assert page.evaluate("window.__marker") is None, "an edited essay reloads the page"
        page.wait_for_function(CONNECTED, timeout=10_000)

        # 2. a stylesheet edit: swapped in place, no reload
        page.evaluate("window.__marker = 1")
        assert page.evaluate("getComputedStyle(document.body).borderTopWidth") != "7px"
        write(site, css_rel, builtin_css + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
        page.wait_for_function("() => getComputedStyle(document.body).borderTopWidth === '7px'", timeout=10_000)
        assert page.evaluate("getComputedStyle(document.body).borderTopColor") == "rgb(1, 2, 3)"
        assert page.evaluate("window.__marker") == 1, "a CSS-only change must not reload the page"

        # 3. broken front matter: the overlay, over the last good page
        write(site, TIDES, BROKEN)
        page.wait_for_selector(OVERLAY, state="attached", timeout=10_000)
        overlay = page.locator(f"{OVERLAY} pre")  # inside the overlay's open shadow root
        overlay.first.wait_for(timeout=5_000)
        assert "content/essays/tides/index.md:2:" in overlay.first.inner_text()
        assert page.locator(OVERLAY).is_visible()
        assert page.evaluate("!!document.getElementById('counterpoint-error-overlay').shadowRoot")
        assert "Edited while the browser watches." in page.inner_text("body")
        assert page.evaluate("window.__marker") == 1

        # 4. fixed: the overlay goes and the new text shows
        write(site, TIDES, tides("Fixed, and the overlay is gone."))
        page.wait_for_function(shows("Fixed, and the overlay is gone."), timeout=10_000)
        page.wait_for_selector(OVERLAY, state="detached", timeout=10_000)
        assert page.evaluate("getComputedStyle(document.body).borderTopWidth") == "7px"
        assert page_errors == []
    finally:
        context.close()
