"""Shared pytest fixtures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser as browser_helpers  # noqa: E402
import parallel_twin  # noqa: E402

from counterpoint.build.engine import Engine  # noqa: E402

# ---- the user's cache folder: the suite's own ----


@pytest.fixture(scope="session", autouse=True)
def _user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep the built-in theme's compiled templates in the user's cache folder
    (``$XDG_CACHE_HOME/counterpoint``): the suite, and the processes it starts, use a
    folder of its own, not the home folder of whoever runs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


# ---- every failed build is also built on the parallel path (parallel_twin.py) ----


@pytest.fixture(autouse=True)
def _failed_builds_again_in_parallel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("serial_only"):
        return
    real = Engine.build

    def build(self: Engine, changed=None, *, walked=None):
        report = real(self, changed, walked=walked)
        if not report.ok:
            parallel_twin.rebuild_in_parallel(real, self, report)
        return report

    monkeypatch.setattr(Engine, "build", build)


# ---- browser tests: Chromium, the annotated fixture site, a static server ----


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    """One headless Chromium per test module (each test opens its own context).

    Module-scoped: Playwright's sync API allows one running instance per thread,
    so a module that launches its own browser must not find this one still open."""
    with browser_helpers.chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def annotated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/annotated, built once: the output folder."""
    work = tmp_path_factory.mktemp("annotated")
    return browser_helpers.build_site(browser_helpers.FIXTURES / "annotated", work)


@pytest.fixture(scope="session")
def annotated_server(annotated_site: Path) -> Iterator[browser_helpers.StaticServer]:
    with browser_helpers.StaticServer(annotated_site) as server:
        yield server
