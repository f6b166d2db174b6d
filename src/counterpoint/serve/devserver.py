"""The dev server: the built site over HTTP, safely, with live reload.

A stdlib ``ThreadingHTTPServer`` with its own path resolution (never
SimpleHTTPRequestHandler's translate_path): only files inside the output folder, under
the site's base path. Requests wait while a build runs, so a half-built site is never
served (MkDocs' "visible epoch" idea); a failed build keeps the last good files and
tells browsers through Server-Sent Events, which the injected ``reload.js`` turns into an
overlay. It answers only loopback Host names and the hosts the user allowed, so a web
page cannot read it through DNS rebinding.

One module: the server, its request handler and its event channel share the state of
the published build (epoch, errors, the waiting requests) under one lock.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import queue
import secrets
import select
import shutil
import socket
import socketserver
import sys
import threading
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, TextIO
from urllib.parse import unquote, urlsplit

from counterpoint.build.report import BuildReport
from counterpoint.errors import UsageError, say

EVENTS_PATH = "/__counterpoint/events"
SCRIPT_PATH = "/__counterpoint/reload.js"
PORT_TRIES = 10

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}
_TEXT_TYPES = {"application/json", "application/xml", "image/svg+xml", "application/manifest+json"}

_PLAIN_404 = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>404 Not Found</h1><p>There is no page at this address in the current build.</p></body></html>
"""


def content_type(name: str) -> str:
    kind = _TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind in _TEXT_TYPES else kind


def inject(html: bytes, tag: bytes) -> bytes:
    """Put ``tag`` just before the last ``</body>`` (or at the end when there is none)."""
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


@dataclass(frozen=True)
class Resolved:
    file: str | None = None  # real path of the file to serve
    redirect: str | None = None  # Location for a redirect


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def resolve(output: Path, base_path: str, target: str) -> Resolved:
    """Map a raw request target to a file inside ``output``; ``Resolved()`` means 404.

    Decodes once and then refuses anything that is not a plain relative path: ``..`` and
    ``.`` segments, empty segments (``//etc``), backslashes, NUL. The real path (symlinks
    resolved) must still lie inside the real output folder.
    """
    path, _, query = target.partition("?")
    path = path.partition("#")[0]
    suffix = f"?{query}" if query else ""
    if not path.startswith("/"):
        return Resolved()
    if base_path != "/":
        if path in ("/", base_path.rstrip("/")):
            return Resolved(redirect=base_path + suffix)
        if not path.startswith(base_path):
            return Resolved()
    try:
        rel = unquote(path[len(base_path) :], errors="strict")
    except UnicodeDecodeError:
        return Resolved()
    if "\x00" in rel or "\\" in rel:
        return Resolved()
    segments = rel.split("/")
    slash = segments[-1] == ""
    if slash:
        segments.pop()
    if any(s in ("", ".", "..") for s in segments):
        return Resolved()
    root = os.path.realpath(output)
    if not os.path.isdir(root):
        return Resolved()
    real = os.path.realpath(os.path.join(root, *segments))
    if not _inside(real, root):
        return Resolved()
    if os.path.isdir(real):
        if not slash:
            return Resolved(redirect=path + "/" + suffix)
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not _inside(real, root):
            return Resolved()
    return Resolved(file=real) if os.path.isfile(real) else Resolved()


def host_name(header: str | None) -> str | None:
    """The host part of a Host header, lowercased, without port or brackets."""
    if not header:
        return None
    h = header.strip().lower()
    if h.startswith("["):
        end = h.find("]")
        rest = h[end + 1 :]
        if end < 0 or (rest and not (rest[:1] == ":" and rest[1:].isdigit())):
            return None
        return h[1:end] or None
    name, sep, port = h.rpartition(":") if ":" in h else (h, "", "")
    if sep and not port.isdigit():
        return None
    return name.rstrip(".") or None


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _netloc(value: str) -> str:
    value = value.strip().lower()
    return value if value.rpartition(":")[2].isdigit() and not value.endswith("]") else value + ":80"


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = (
        1024  # listen backlog: a page's burst of requests, or many tabs reloading, must not wait on SYN retries (5 did)
    )
    allow_reuse_port = False
    dev: DevServer

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:  # skip HTTPServer's getfqdn(): a DNS lookup at startup
        socketserver.TCPServer.server_bind(self)
        host, self.server_port = self.server_address[:2]
        self.server_name = str(host)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            say(f"dev server: error answering a request: {type(exc).__name__}: {exc}", sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "counterpoint"
    sys_version = ""
    timeout = 120

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        with suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # one line per rebuild is the terminal's business, not one per request

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # any other method, known or not: 405
            return self._not_allowed
        raise AttributeError(name)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    # -- responses -----------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, *, head: bool = False, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _text(self, status: int, text: str, *, head: bool = False, **headers: str) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8", head=head, **headers)

    def _host_ok(self, head: bool) -> bool:
        if self.server.dev.host_allowed(self.headers.get("Host")):
            return True
        self._text(
            403,
            "403 Forbidden: this dev server answers only requests addressed to localhost,\n"
            "127.0.0.1 or [::1] (a protection against DNS rebinding). If you opened it through\n"
            "another name, allow that name with --allow-host NAME.\n",
            head=head,
        )
        return False

    def _not_allowed(self) -> None:
        self.close_connection = True  # any request body stays unread
        if self._host_ok(head=False):
            self._text(405, "405 Method Not Allowed: the dev server answers GET and HEAD only.\n", Allow="GET, HEAD")

    def _answer(self, head: bool) -> None:
        if not self._host_ok(head):
            return
        dev = self.server.dev
        route = self.path.partition("?")[0]
        if route == EVENTS_PATH:
            return self._events(head)
        if route == SCRIPT_PATH:
            return self._send(200, dev.script, "text/javascript; charset=utf-8", head=head)
        dev.wait_until_built()
        tag = dev.script_tag()  # taken before reading: a newer page with an older tag only reloads once more
        found = resolve(dev.output, dev.base_path, self.path)
        if found.redirect is not None:
            return self._send(302, b"", "text/plain; charset=utf-8", head=head, Location=found.redirect)
        if found.file is None:
            return self._not_found(tag, head)
        try:
            fh = open(found.file, "rb")  # noqa: SIM115
        except PermissionError:
            return self._text(403, "403 Forbidden: the file cannot be read (permission denied).\n", head=head)
        except OSError:
            return self._not_found(tag, head)  # removed by a build between resolving and opening
        with fh:
            self._file(200, fh, found.file, tag, head)

    def _not_found(self, tag: bytes, head: bool) -> None:
        page = resolve(self.server.dev.output, "/", "/404.html").file
        try:
            fh = open(page, "rb") if page else None  # noqa: SIM115
        except OSError:
            fh = None
        if fh is None:
            return self._send(404, inject(_PLAIN_404, tag), "text/html; charset=utf-8", head=head)
        with fh:
            self._file(404, fh, page or "", tag, head)

    def _file(self, status: int, fh: BinaryIO, name: str, tag: bytes, head: bool) -> None:
        ctype = content_type(name)
        if ctype.startswith("text/html"):
            return self._send(status, inject(fh.read(), tag), ctype, head=head)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(os.fstat(fh.fileno()).st_size))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            shutil.copyfileobj(fh, self.wfile)

    def _events(self, head: bool) -> None:
        dev = self.server.dev
        origin = self.headers.get("Origin")
        if origin is not None and not dev.origin_allowed(origin, self.headers.get("Host")):
            return self._text(403, "403 Forbidden: the reload channel is only for pages of this server.\n", head=head)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head:
            return
        client = dev.subscribe()
        idle = 0.0
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                try:
                    message = client.get(timeout=0.5)
                    idle = 0.0
                except queue.Empty:
                    if self._peer_closed():
                        break
                    idle += 0.5
                    if idle < 15:
                        continue
                    message, idle = b": keep-alive\n\n", 0.0
                if message is None:
                    break
                self.wfile.write(message)
        except OSError:
            pass
        finally:
            dev.unsubscribe(client)

    def _peer_closed(self) -> bool:
        """The browser went away (tab closed, hidden, navigated): it sends nothing else."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True


class DevServer:
    """Serve ``output`` over HTTP; :meth:`publish` tells the browsers about each build.

    The socket is bound in the constructor, so :attr:`port` is known before the first
    build (the build's base URL needs it).
    """

    def __init__(
        self,
        output: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_path: str = "/",
        allowed_hosts: Iterable[str] = (),
        out: TextIO | None = None,
        wait_timeout: float = 5.0,
    ) -> None:
        self.output = Path(output)
        self.base_path = base_path
        self.host = host
        self._out = out
        self._wait_timeout = wait_timeout
        self._allowed = {h.strip().strip("[]").lower() for h in allowed_hosts if h.strip()}
        name = host.strip("[]").lower()
        if not _is_loopback(name):
            self._say(
                f"warning: listening on {host}: other machines that can reach this one can read the site "
                "(drafts included). Use the default --host 127.0.0.1 to keep it private."
            )
            if name in ("0.0.0.0", "::", ""):
                self._say(
                    "  Requests are answered for localhost only; allow the names others use with --allow-host NAME."
                )
            else:
                self._allowed.add(name)
        self.script = resources.files("counterpoint.serve").joinpath("livereload.js").read_bytes()
        self._cond = threading.Condition()
        self._building = False
        self._stopping = False
        self._waiting = 0
        self._token = secrets.token_hex(4)
        self._epoch = 0
        self._errors: tuple[str, ...] = ()
        self._clients: set[queue.SimpleQueue[bytes | None]] = set()
        self._thread: threading.Thread | None = None
        self._served = False
        self._httpd = self._bind(host.strip("[]"), port)
        self.port: int = self._httpd.server_address[1]

    # -- binding -------------------------------------------------------------------------
    def _bind(self, host: str, port: int) -> _HTTPServer:
        candidates = range(port, min(port + PORT_TRIES, 65536)) if port else [0]
        for candidate in candidates:
            try:
                httpd = _HTTPServer((host, candidate), self)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                reason = exc.strerror or str(exc)
                raise UsageError(
                    f"cannot listen on {host}:{candidate}: {reason}; try another --host or --port"
                ) from None
            if candidate != port:
                self._say(f"port {port} is in use, serving on {candidate}")
            return httpd
        raise UsageError(f"ports {port}-{candidates[-1]} are all in use: stop the other server or pass another --port")

    @property
    def origin(self) -> str:
        """``http://host:port`` as a browser on this machine would reach it."""
        name = self.host.strip("[]")
        if name in ("0.0.0.0", "::", ""):
            name = "localhost"
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + self.base_path

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> str:
        """Serve in a background thread; returns the site's URL."""
        self._served = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="counterpoint-http", daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` (or Ctrl-C, which propagates)."""
        self._served = True
        self._httpd.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            for client in self._clients:
                client.put(None)
        if self._served:
            self._httpd.shutdown()
        for conn in list(self._httpd.connections):
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- builds --------------------------------------------------------------------------
    def begin_build(self) -> None:
        """From now until :meth:`publish`, requests wait (up to ``wait_timeout``)."""
        with self._cond:
            self._building = True

    def publish(self, report: BuildReport) -> None:
        """The build is in place: release waiting requests and tell every browser."""
        with self._cond:
            self._building = False
            if report.ok:
                self._errors = ()
                if report.written:
                    self._epoch += 1
                    css = all(p.lower().endswith(".css") for p in report.written)
                    message = _event("css" if css else "reload", {"epoch": self.epoch, "files": list(report.written)})
                else:
                    message = _event("ok", {"epoch": self.epoch})
            else:
                self._errors = tuple(report.errors)
                message = _event("error", {"errors": list(self._errors)})
            for client in self._clients:
                client.put(message)
            self._cond.notify_all()

    @property
    def epoch(self) -> str:
        """Names the last good build; differs after a restart, so reconnecting pages reload."""
        return f"{self._token}-{self._epoch}"

    @property
    def listeners(self) -> int:
        """Browsers connected to the reload channel."""
        with self._cond:
            return len(self._clients)

    @property
    def waiting(self) -> int:
        """Requests currently held back by a running build."""
        with self._cond:
            return self._waiting

    def wait_until_built(self) -> None:
        with self._cond:
            self._waiting += 1
            try:
                self._cond.wait_for(lambda: not self._building or self._stopping, self._wait_timeout)
            finally:
                self._waiting -= 1

    def script_tag(self) -> bytes:
        return f'<script src="{SCRIPT_PATH}" data-epoch="{self.epoch}" defer></script>'.encode()

    # -- the reload channel --------------------------------------------------------------
    def subscribe(self) -> queue.SimpleQueue[bytes | None]:
        """A new browser: it first learns the current state (broken builds show at once)."""
        client: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        with self._cond:
            client.put(_event("hello", {"epoch": self.epoch, "ok": not self._errors}))
            if self._errors:
                client.put(_event("error", {"errors": list(self._errors)}))
            if self._stopping:
                client.put(None)
            self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.SimpleQueue[bytes | None]) -> None:
        with self._cond:
            self._clients.discard(client)

    # -- who may ask ---------------------------------------------------------------------
    def host_allowed(self, header: str | None) -> bool:
        name = host_name(header)
        return name is not None and (_is_loopback(name) or name in self._allowed)

    def origin_allowed(self, origin: str, host_header: str | None) -> bool:
        """The page's origin must be this server as the browser addressed it."""
        if not host_header:
            return False
        try:
            parts = urlsplit(origin.strip())
        except ValueError:
            return False
        return parts.scheme == "http" and bool(parts.netloc) and _netloc(parts.netloc) == _netloc(host_header)

    def _say(self, text: str) -> None:
        say(text, self._out)
