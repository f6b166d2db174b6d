"""Every page of the annotated fixture site and of the demo site (the repository
root) passes the Nu Html Checker with no errors."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import REPO, VNU, build_site, missing_tool


def pages_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if "pagefind" not in p.relative_to(folder).parts)


def vnu(pages: list[Path]) -> list[dict]:
    """The checker's error messages for these files (one Java start for all of them)."""
    if not VNU.exists():
        missing_tool("node_modules/vnu-jar is not installed (.ci/run installs it)")
    if shutil.which("java") is None:
        missing_tool("java is not installed (.ci/run installs it)")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(run.stderr or run.stdout)
    return [m for m in report["messages"] if m.get("type") == "error" or m.get("subType") == "fatal"]


def errors_under(messages: list[dict], folder: Path) -> list[str]:
    """``page:line: message | extract`` for the messages about files in ``folder``."""
    base = folder.resolve()
    found = []
    for m in messages:
        path = Path(unquote(urlsplit(m.get("url", "")).path))
        if path.is_relative_to(base):
            found.append(
                f"{path.relative_to(base)}:{m.get('lastLine')}: {m['message']} | {m.get('extract', '').strip()[:120]}"
            )
    return found


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if not (REPO / "site.yml").exists():
        return None
    # with the search page when Pagefind is installed (the test extras install it)
    search = importlib.util.find_spec("pagefind") is not None
    return build_site(REPO, tmp_path_factory.mktemp("demo"), search=search)


@pytest.fixture(scope="module")
def messages(annotated_site: Path, demo_site: Path | None) -> list[dict]:
    folders = [annotated_site] + ([demo_site] if demo_site else [])
    return vnu([page for folder in folders for page in pages_of(folder)])


def test_fixture_site_is_valid_html(annotated_site: Path, messages: list[dict]) -> None:
    pages = pages_of(annotated_site)
    assert any("essays" in p.parts for p in pages) and any(p.parent.name == "corrections" for p in pages)
    assert errors_under(messages, annotated_site) == []


def test_demo_site_is_valid_html(demo_site: Path | None, messages: list[dict]) -> None:
    if demo_site is None:
        pytest.skip("the repository has no demo site")
    assert any("essays" in p.parts for p in pages_of(demo_site))
    assert errors_under(messages, demo_site) == []


def test_the_checker_reports_errors(tmp_path: Path) -> None:
    """The check above can fail: a page with a stray end tag and a duplicate id."""
    page = tmp_path / "index.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><p><div>x</div></p><i id="a"></i><i id="a"></i>')
    errors = errors_under(vnu([page]), tmp_path)
    assert len(errors) == 2 and any("Duplicate ID" in e for e in errors), errors
