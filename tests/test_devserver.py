"""The dev server over real HTTP: raw sockets for the hostile requests, a fake builder
writing into a temporary output folder, and waits on conditions rather than sleeps."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sys
import threading
import time
import types
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import browser as browser_helpers
import pytest

from counterpoint.build.options import BuildOptions
from counterpoint.build.report import BuildReport
from counterpoint.serve.devserver import DevServer, content_type, host_name, inject, resolve

SCRIPT = b"/__counterpoint/reload.js"


def wait_until(predicate: Callable[[], object], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return bool(predicate())


def report(*written: str, ok: bool = True, errors: tuple[str, ...] = ()) -> BuildReport:
    return BuildReport(ok=ok, errors=errors, written=tuple(written), elapsed_ms=1.0, trigger=("content/x.md",))


class Response:
    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers} {self.body[:200]!r}>"


def raw_request(
    port: int, target: str, *, method: str = "GET", host: str | None = "", headers: dict[str, str] | None = None
) -> Response:
    """One request exactly as written: no client-side path normalisation."""
    lines = [f"{method} {target} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host or f'127.0.0.1:{port}'}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return Response(b"".join(chunks))


class SSE:
    """A minimal EventSource over a raw socket."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(
            f"GET /__counterpoint/events HTTP/1.1\r\nHost: localhost:{port}\r\n{extra}"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split()[1])
        self.head = head.decode()

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the event stream")
        return chunk

    def next(self) -> tuple[str, dict]:
        """The next named event (comments and retry lines skipped)."""
        while True:
            while b"\n\n" not in self.buf:
                self.buf += self._recv()
            block, _, self.buf = self.buf.partition(b"\n\n")
            fields = dict(line.split(": ", 1) for line in block.decode().splitlines() if not line.startswith(":"))
            if "event" in fields:
                return fields["event"], json.loads(fields["data"])

    def until(self, kind: str) -> dict:
        """Skip to the next event of this kind (a slow machine may split one save into two builds)."""
        while True:
            got, data = self.next()
            if got == kind:
                return data

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "essays" / "six-axes").mkdir(parents=True)
    (out / "static").mkdir()
    (out / "index.html").write_text("<html><body><h1>Index</h1></body></html>", encoding="utf-8")
    (out / "essays" / "six-axes" / "index.html").write_text(
        "<!doctype html><html><body><p>Шесть осей v1</p></BODY></html>", encoding="utf-8"
    )
    (out / "static" / "site.css").write_text("body { color: black }", encoding="utf-8")
    (out / "feed.xml").write_text("<feed></feed>", encoding="utf-8")
    (out / "app.js").write_text("console.log('</body>')", encoding="utf-8")
    (out / "404.html").write_text("<html><body>Site's own 404</body></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    return out


@pytest.fixture
def server(site: Path) -> Iterator[DevServer]:
    dev = DevServer(site, port=0, out=io.StringIO())
    dev.start()
    yield dev
    dev.stop()


def get(dev: DevServer, target: str, **kw: object) -> Response:
    return raw_request(dev.port, target, **kw)  # type: ignore[arg-type]


# -- pages ---------------------------------------------------------------------------------


def test_pages_are_served_with_types_and_no_store(server: DevServer) -> None:
    page = get(server, "/essays/six-axes/")
    assert page.status == 200
    assert "Шесть осей v1".encode() in page.body
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert int(page.headers["content-length"]) == len(page.body)
    css = get(server, "/static/site.css")
    assert (css.status, css.headers["content-type"], css.body) == (
        200,
        "text/css; charset=utf-8",
        b"body { color: black }",
    )
    assert get(server, "/feed.xml").headers["content-type"] == "application/xml; charset=utf-8"
    assert get(server, "/").status == 200
    assert get(server, "/index.html?x=1").status == 200


def test_head_sends_headers_only(server: DevServer) -> None:
    full = get(server, "/essays/six-axes/")
    head = get(server, "/essays/six-axes/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == full.headers["content-length"]


def test_directory_without_slash_redirects(server: DevServer) -> None:
    res = get(server, "/essays/six-axes?ref=1")
    assert res.status == 302
    assert res.headers["location"] == "/essays/six-axes/?ref=1"


def test_missing_page_gets_the_sites_404(server: DevServer) -> None:
    res = get(server, "/no/such/page/")
    assert res.status == 404
    assert b"Site's own 404" in res.body


def test_missing_page_without_a_404_page(server: DevServer, site: Path) -> None:
    (site / "404.html").unlink()
    res = get(server, "/nope")
    assert res.status == 404
    assert b"404 Not Found" in res.body
    assert str(site).encode() not in res.body


def test_base_path(site: Path) -> None:
    with DevServer(site, port=0, base_path="/blog/", out=io.StringIO()) as dev:
        assert dev.url.endswith("/blog/")
        for target in ("/", "/blog"):
            res = get(dev, target)
            assert (res.status, res.headers["location"]) == (302, "/blog/")
        assert b"Index" in get(dev, "/blog/").body
        assert get(dev, "/blog/static/site.css").status == 200
        assert get(dev, "/static/site.css").status == 404
        assert get(dev, "/blogger/").status == 404


# -- hostile requests ------------------------------------------------------------------------


@pytest.fixture
def escape_links(site: Path) -> None:
    os.symlink(site.parent / "secret.txt", site / "link-out.txt")
    os.symlink(site.parent, site / "link-dir")


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/.%2e/secret.txt",
        "/.%252e/secret.txt",
        "/%252e%252e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..%5c..%5csecret.txt",
        "/..\\secret.txt",
        "/%00",
        "/index.html%00.css",
        "//etc/passwd",
        "/%2fetc/passwd",
        "/%2Fetc%2Fpasswd",
        "/./index.html/../../secret.txt",
        "/link-out.txt",
        "/link-dir/secret.txt",
        "/%ff%fe",
        "etc/passwd",
    ],
)
def test_paths_outside_the_output_are_404(server: DevServer, site: Path, escape_links: None, target: str) -> None:
    res = get(server, target)
    assert res.status == 404, res
    assert b"TOP SECRET" not in res.body
    assert b"root:" not in res.body
    assert str(site.parent).encode() not in res.body
    assert b"/tmp" not in res.body


def test_resolve_refuses_escapes_directly(site: Path, escape_links: None) -> None:
    assert resolve(site, "/", "/static/site.css").file == os.path.realpath(site / "static" / "site.css")
    for target in ("/../secret.txt", "/link-out.txt", "/link-dir/secret.txt", "//etc/passwd", "/a/./b", "/x%00"):
        assert resolve(site, "/", target).file is None, target


def test_other_hosts_are_refused(server: DevServer) -> None:
    res = get(server, "/", host="evil.example")
    assert res.status == 403
    assert b"DNS rebinding" in res.body
    assert get(server, "/", host="evil.example:80").status == 403
    assert get(server, "/", host="localhost.evil.example").status == 403
    assert get(server, "/", host=None).status == 403
    assert get(server, "/__counterpoint/events", host="evil.example").status == 403


@pytest.mark.parametrize("host", ["localhost:{port}", "LOCALHOST", "127.0.0.1:{port}", "[::1]:{port}", "localhost."])
def test_loopback_hosts_are_answered(server: DevServer, host: str) -> None:
    assert get(server, "/", host=host.format(port=server.port)).status == 200


def test_allowed_hosts(site: Path) -> None:
    with DevServer(site, port=0, allowed_hosts=["Dev.Test"], out=io.StringIO()) as dev:
        assert get(dev, "/", host="dev.test:1234").status == 200
        assert get(dev, "/", host="other.test").status == 403


def test_host_name_parsing() -> None:
    assert host_name("[::1]:8000") == "::1"
    assert host_name("Example.COM.:80") == "example.com"
    assert host_name("a:b") is None
    assert host_name("[::1]x") is None
    assert host_name("") is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"])
def test_only_get_and_head(server: DevServer, method: str) -> None:
    res = get(server, "/", method=method, headers={"Content-Length": "0"})
    assert res.status == 405
    assert res.headers["allow"] == "GET, HEAD"


def test_non_loopback_bind_warns_and_allows_that_host(site: Path) -> None:
    out = io.StringIO()
    dev = DevServer(site, host="0.0.0.0", port=0, out=out)
    try:
        assert "warning" in out.getvalue()
        assert dev.url.startswith("http://localhost:")
    finally:
        dev.stop()
    dev = DevServer(site, host="127.0.0.2", port=0, out=out, allowed_hosts=())
    dev.stop()
    assert dev.host_allowed("127.0.0.2:8000")


# -- live reload ---------------------------------------------------------------------------


def test_script_is_injected_into_html_only(server: DevServer, site: Path) -> None:
    page = get(server, "/essays/six-axes/")
    body = page.body.decode()
    assert body.index("/__counterpoint/reload.js") < body.index("</BODY>")
    assert body.count("/__counterpoint/reload.js") == 1
    assert SCRIPT in get(server, "/nope").body  # the 404 page reloads too
    for target in ("/static/site.css", "/app.js", "/feed.xml"):
        assert SCRIPT not in get(server, target).body, target
    assert SCRIPT not in (site / "essays" / "six-axes" / "index.html").read_bytes()  # the build output is untouched
    script = get(server, "/__counterpoint/reload.js")
    assert script.status == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in script.body


def test_inject_without_body_tag_appends() -> None:
    assert inject(b"<p>x", b"<s>") == b"<p>x<s>"
    assert inject(b"<body></body><!-- </body> -->", b"S") == b"<body></body><!-- S</body> -->"


def test_content_types() -> None:
    assert content_type("a.HTML") == "text/html; charset=utf-8"
    assert content_type("a.svg") == "image/svg+xml; charset=utf-8"
    assert content_type("a.png") == "image/png"
    assert content_type("a.woff2") == "font/woff2"
    assert content_type("noext") == "application/octet-stream"


def test_events_reload_css_and_error(server: DevServer) -> None:
    sse = SSE(server.port)
    try:
        assert sse.status == 200 and "text/event-stream" in sse.head
        kind, data = sse.next()
        assert kind == "hello" and data["ok"] is True
        first = data["epoch"]

        server.publish(report("essays/six-axes/index.html", "index.html"))
        kind, data = sse.next()
        assert kind == "reload" and data["epoch"] != first

        server.publish(report("static/site.css"))
        assert sse.next()[0] == "css"

        errors = ("content/essays/x/index.md:3:1: error: date is required\n  hint: add date: 2026-01-17", "b: error: c")
        server.publish(report(ok=False, errors=errors))
        kind, data = sse.next()
        assert kind == "error" and data["errors"] == list(errors)

        late = SSE(server.port)  # a page opened while the build is broken sees the errors at once
        try:
            assert late.next() == ("hello", {"epoch": server.epoch, "ok": False})
            assert late.next() == ("error", {"errors": list(errors)})
        finally:
            late.close()

        server.publish(report())  # fixed, nothing to rewrite: the overlay goes, no reload
        assert sse.next()[0] == "ok"
        server.publish(report("index.html"))
        assert sse.next()[0] == "reload"
        fresh = SSE(server.port)
        try:
            assert fresh.next() == ("hello", {"epoch": server.epoch, "ok": True})
        finally:
            fresh.close()
    finally:
        sse.close()


def test_events_check_origin(server: DevServer) -> None:
    bad = SSE(server.port, {"Origin": "http://evil.example"})
    assert bad.status == 403
    bad.close()
    other_port = SSE(server.port, {"Origin": "http://localhost:1"})
    assert other_port.status == 403
    other_port.close()
    good = SSE(server.port, {"Origin": f"http://localhost:{server.port}"})
    assert good.status == 200
    assert good.next()[0] == "hello"
    good.close()


def test_stop_ends_event_streams(site: Path) -> None:
    dev = DevServer(site, port=0, out=io.StringIO())
    dev.start()
    sse = SSE(dev.port)
    sse.next()
    dev.stop()
    with pytest.raises((EOFError, OSError)):
        sse.next()
    sse.close()


# -- builds and faults -------------------------------------------------------------------------


def test_request_during_a_build_waits_for_it(server: DevServer, site: Path) -> None:
    sse = SSE(server.port)
    sse.next()
    server.begin_build()
    result: list[Response] = []
    thread = threading.Thread(target=lambda: result.append(get(server, "/essays/six-axes/")))
    thread.start()
    assert wait_until(lambda: server.waiting == 1)
    page = site / "essays" / "six-axes" / "index.html"
    page.write_text("<html><body><p>Шесть осей v2</p></body></html>", encoding="utf-8")
    assert not result  # still held back: the build has not finished
    server.publish(report("essays/six-axes/index.html"))
    thread.join(10)
    assert "Шесть осей v2".encode() in result[0].body
    assert sse.next()[0] == "reload"
    sse.close()


def test_a_build_that_never_finishes_does_not_hang_requests(site: Path) -> None:
    with DevServer(site, port=0, out=io.StringIO(), wait_timeout=0.2) as dev:
        dev.begin_build()
        assert get(dev, "/").status == 200


def test_output_deleted_while_serving(server: DevServer, site: Path) -> None:
    shutil.rmtree(site)
    res = get(server, "/essays/six-axes/")
    assert res.status == 404
    assert str(site).encode() not in res.body
    assert get(server, "/").status == 404
    server.begin_build()  # the next build recreates it
    (site / "essays" / "six-axes").mkdir(parents=True)
    (site / "essays" / "six-axes" / "index.html").write_text("<p>back</p>", encoding="utf-8")
    server.publish(report("essays/six-axes/index.html"))
    assert b"back" in get(server, "/essays/six-axes/").body


def test_unreadable_file_is_reported_not_crashing(
    server: DevServer, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    from counterpoint.serve import devserver

    def guarded_open(file: str, *args: object, **kw: object) -> object:
        if str(file).endswith("site.css"):
            raise PermissionError(13, "Permission denied", file)
        return builtins.open(file, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(devserver, "open", guarded_open, raising=False)
    res = get(server, "/static/site.css")
    assert res.status == 403
    assert str(site).encode() not in res.body
    assert get(server, "/").status == 200


def test_port_in_use_moves_to_the_next(site: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    out = io.StringIO()
    try:
        try:
            dev = DevServer(site, port=port, out=out)
        except Exception as exc:  # the next ten ports may all be taken on a busy machine
            pytest.skip(f"no free port after {port}: {exc}")
        with dev:
            assert port < dev.port < port + 10
            assert f"port {port} is in use, serving on {dev.port}" in out.getvalue()
            assert get(dev, "/").status == 200
    finally:
        taken.close()


def test_keep_alive_connections_reuse_one_socket(server: DevServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(b"GET /static/site.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
            data = b""
            while not data.endswith(b"body { color: black }"):
                data += sock.recv(65536)
            assert data.startswith(b"HTTP/1.1 200")


def test_urllib_client_sees_the_page(server: DevServer) -> None:
    with urllib.request.urlopen(server.url + "essays/six-axes/", timeout=10) as res:
        assert "Шесть осей v1" in res.read().decode()


# -- run_serve wiring, with a fake engine --------------------------------------------------------


class _Lines(io.TextIOBase):
    """A stdout that another thread can wait on."""

    def __init__(self) -> None:
        self.text = ""
        self.cond = threading.Condition()

    def write(self, s: str) -> int:
        with self.cond:
            self.text += s
            self.cond.notify_all()
        return len(s)

    def wait_for(self, needle: str, timeout: float = 10) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: needle in self.text, timeout)


def _fake_engine_module(log: list[frozenset[Path] | None]) -> types.ModuleType:
    class Engine:
        def __init__(self, root: Path, options: BuildOptions):
            assert options.out is not None and not options.persist and not options.index_search
            assert options.future, "serve shows the essays dated in the future (marked)"
            self.root = root
            self.base_url = f"{options.origin}/"  # the real one: site.yml's base_url path at serve's origin
            self.config = types.SimpleNamespace(
                output=options.out, base_path="/", root=root, search=False, language="en"
            )

        def build(self, changed: frozenset[Path] | None = None) -> BuildReport:
            log.append(changed)
            written = []
            errors = []
            for src in sorted((self.root / "content").glob("*.md")):
                text = src.read_text(encoding="utf-8")
                if text.startswith("BROKEN"):
                    errors.append(f"content/{src.name}:1:1: error: broken front matter")
                    continue
                dest = self.config.output / src.stem / "index.html"
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(f"<html><body><p>{text}</p><p>{self.base_url}</p></body></html>", encoding="utf-8")
                written.append(f"{src.stem}/index.html")
            if errors:
                return BuildReport(False, tuple(errors), (), 1.0, ())
            return BuildReport(True, (), tuple(written), 1.0, ())

        def prepare_here(self) -> None:
            pass

        def save_cache(self) -> None:
            pass

        def watched_paths(self) -> list[Path]:
            return [self.root / "site.yml", self.root / "content", self.root / "templates"]

    module = types.ModuleType("counterpoint.build.engine")
    module.Engine = Engine  # type: ignore[attr-defined]
    return module


def test_run_serve_builds_serves_rebuilds_and_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import _thread

    from counterpoint.serve import serve

    log: list[frozenset[Path] | None] = []
    monkeypatch.setitem(sys.modules, "counterpoint.build.engine", _fake_engine_module(log))
    (tmp_path / "site.yml").write_text("title: t\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    essay = tmp_path / "content" / "six-axes.md"
    essay.write_text("version one", encoding="utf-8")
    out = _Lines()
    failures: list[BaseException] = []
    finished = threading.Event()

    def browse() -> None:
        try:
            assert out.wait_for("serving http://127.0.0.1:"), out.text
            url = out.text.split("serving ", 1)[1].split()[0]
            port = int(url.rsplit(":", 1)[1].strip("/"))
            page = raw_request(port, "/six-axes/")
            assert b"version one" in page.body
            assert f"http://127.0.0.1:{port}/".encode() in page.body  # built for this server's URL
            sse = SSE(port)
            assert sse.next()[0] == "hello"
            broken = essay.with_name("six-axes.md~")
            broken.write_text("BROKEN", encoding="utf-8")
            os.replace(broken, essay)  # atomic, so no build can see a half-written file
            data = sse.until("error")
            assert data["errors"] == ["content/six-axes.md:1:1: error: broken front matter"]
            assert b"version one" in raw_request(port, "/six-axes/").body  # the last good build is still served
            tmp = essay.with_name(".six-axes.md.tmp")
            tmp.write_text("version two", encoding="utf-8")
            os.replace(tmp, essay)  # an editor's atomic save
            sse.until("reload")
            assert b"version two" in raw_request(port, "/six-axes/").body
            sse.close()
            assert (tmp_path / ".counterpoint" / "serve" / "six-axes" / "index.html").is_file()
            assert not (tmp_path / "public").exists()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            if not finished.is_set():
                _thread.interrupt_main()  # Ctrl-C

    helper = threading.Thread(target=browse, daemon=True)
    helper.start()
    try:
        code = serve.run_serve(tmp_path, host="127.0.0.1", port=0, drafts=False, poll=False, allowed_hosts=(), out=out)
    finally:
        finished.set()
    helper.join(10)
    if failures:
        raise failures[0]
    assert code == 0
    assert out.text.rstrip().endswith("stopped")
    assert "build failed" in out.text and "rebuilt in" in out.text
    assert log[0] is None  # the first build is a full one
    assert all(p.name == "six-axes.md" for batch in log[1:] for p in batch or ())


# -- the reload script in a real browser ---------------------------------------------------------


@pytest.fixture
def browser() -> Iterator[object]:
    with browser_helpers.chromium() as chromium:
        yield chromium


@pytest.mark.browser
def test_reload_css_swap_and_overlay_in_a_browser(site: Path, browser: object) -> None:
    page_file = site / "essays" / "six-axes" / "index.html"

    def write_page(text: str) -> None:
        page_file.write_text(
            '<!doctype html><html><head><link rel="stylesheet" href="/static/site.css"></head>'
            f'<body><p id="text">{text}</p><div style="height: 5000px"></div></body></html>',
            encoding="utf-8",
        )

    write_page("version one")
    dev = DevServer(site, port=0, out=io.StringIO())
    dev.start()
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        connected = "window.__counterpointReload && window.__counterpointReload.connected"
        page.goto(f"http://127.0.0.1:{dev.port}/essays/six-axes/")
        page.wait_for_function(connected)
        page.evaluate("window.scrollTo(0, 1500); window.marker = 'not reloaded'")

        # an edited page: reloaded, at the same scroll position
        write_page("version two")
        dev.publish(report("essays/six-axes/index.html"))
        page.wait_for_function("document.getElementById('text').textContent === 'version two'")
        assert page.evaluate("window.marker") is None
        page.wait_for_function("Math.abs(window.scrollY - 1500) < 2")
        page.wait_for_function(connected)

        # a CSS-only build: the style changes without a reload
        page.evaluate("window.marker = 'not reloaded'")
        (site / "static" / "site.css").write_text("#text { color: rgb(255, 0, 0) }", encoding="utf-8")
        dev.publish(report("static/site.css"))
        page.wait_for_function("getComputedStyle(document.getElementById('text')).color === 'rgb(255, 0, 0)'")
        assert page.evaluate("window.marker") == "not reloaded"

        # a failed build: the overlay shows every error, as text
        errors = (
            "content/essays/six-axes/index.md:2:1: error: date is required",
            "x.md: error: <img src=x onerror=alert(1)>",
        )
        dev.publish(report(ok=False, errors=errors))
        overlay = page.locator("#counterpoint-error-overlay")
        overlay.wait_for()
        assert overlay.locator("pre").all_inner_texts() == list(errors)  # in a shadow root, as text
        assert "2 errors" in overlay.locator("h2").inner_text()
        assert overlay.locator("img").count() == 0
        assert page.evaluate("window.marker") == "not reloaded"

        # a page opened while the build is broken shows the overlay at once; it can be dismissed
        other = browser.new_page()  # type: ignore[attr-defined]
        other.goto(f"http://127.0.0.1:{dev.port}/")
        other.locator("#counterpoint-error-overlay").wait_for()
        other.get_by_role("button", name="Dismiss").click()
        other.locator("#counterpoint-error-overlay").wait_for(state="detached")
        other.close()

        # fixed: the overlay goes
        dev.publish(report())
        overlay.wait_for(state="detached")

        # a hidden tab lets go of its connection; shown again, it catches up with a reload
        page.evaluate("window.marker = 'not reloaded'")
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        assert wait_until(lambda: dev.listeners == 0)
        write_page("version while hidden")
        dev.publish(report("essays/six-axes/index.html"))
        assert page.evaluate("window.marker") == "not reloaded"
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        page.wait_for_function("document.getElementById('text').textContent === 'version while hidden'")
        page.wait_for_function(connected)

        # the server restarts: the page reconnects and reloads
        page.evaluate("window.marker = 'not reloaded'")
        port = dev.port
        dev.stop()
        write_page("version three")
        dev = DevServer(site, port=port, out=io.StringIO())
        dev.start()
        page.wait_for_function("document.getElementById('text').textContent === 'version three'", timeout=15000)
        assert page.evaluate("window.marker") is None
    finally:
        dev.stop()


def test_a_search_index_that_cannot_be_put_in_place_is_said_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counterpoint.output import search
    from counterpoint.serve import serve

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    crashes: list[object] = []
    monkeypatch.setattr(search, "index_site", full_disk)
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    out = io.StringIO()
    indexer = serve.BackgroundIndex(tmp_path / "served", "en", tmp_path, out, dict, tmp_path / "search.json")
    indexer.start()
    deadline = time.monotonic() + 30
    while "search index failed" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    indexer.stop()
    assert crashes == []
    assert "search index failed (the site is served without it): [Errno 28] No space left on device" in out.getvalue()
    assert "ready" not in out.getvalue()
