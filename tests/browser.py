"""Browser-test helpers: Debian's Chromium through Playwright, a static HTTP
server over a built folder, and fixture sites built once per test session.

Used as pytest fixtures (see ``conftest.py``) and by ``scripts/screenshots.py``.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE_PARTS = ("site.yml", "content", "templates", "themes", "static")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def missing_tool(message: str) -> None:
    """A tool a test needs is not installed: the test is skipped on a developer's
    machine, and fails under ``CI=true``, where a skip would let CI pass untested."""
    import pytest

    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{message} (CI=true: a missing tool fails its tests)", pytrace=False)
    pytest.skip(message)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class StaticServer:
    """A threaded HTTP server over one folder, on a free port of 127.0.0.1.

    ``requests`` records every path asked for, so a test can tell what a page loaded.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.requests: list[str] = []
        requests = self.requests

        class Handler(_QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                requests.append(self.path)
                super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(self.folder)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="static-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def build_site(source: Path, work: Path, *, search: bool = False) -> Path:
    """Copy a site to ``work`` (builds never write into the source tree), build it,
    return the output folder.  Raises with every error when the build fails."""
    from counterpoint.build.engine import Engine

    site = work / source.name
    site.mkdir(parents=True)
    for name in SITE_PARTS:
        if (source / name).is_dir():
            shutil.copytree(source / name, site / name)
        elif (source / name).is_file():
            shutil.copy2(source / name, site / name)
    out = work / f"{source.name}-public"
    report = Engine(site, out=out, use_cache=False, search=search).build()
    if not report.ok:
        raise RuntimeError("build failed:\n" + "\n".join(report.errors))
    return out


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright's sync API); a missing Chromium or
    Playwright is a missing tool (``missing_tool``: a failure under ``CI=true``)."""
    if not Path(CHROMIUM).exists():
        missing_tool(f"{CHROMIUM} is not installed (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("playwright is not installed (.ci/run installs it)")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, width: int, *, height: int = 900, dark: bool = False, javascript: bool = True, **options):
    """A page in a fresh context: its own localStorage, viewport and colour scheme."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if dark else "light",
        java_script_enabled=javascript,
        **options,
    )
    return context.new_page()
