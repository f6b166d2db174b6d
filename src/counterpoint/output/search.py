"""Static full-text search with Pagefind, run after the pages are in place.

Pagefind (PyPI ``pagefind[bin]``) reads the built HTML and writes a search
bundle into ``<output>/pagefind/``; the theme's search page loads it in the
browser, so search works on any static host.  Essay pages mark their article
(the essay with its critiques) with ``data-pagefind-body``, so listings are
not indexed twice.  The whole site is indexed as one language (the site's),
so the search page finds an English essay on a Russian site too.

The new bundle is written beside the old one and swapped in when complete,
so no stale index files pile up.  Without Pagefind the build still succeeds
and says how to add search.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from counterpoint.output.output import STAGING_PREFIX

BUNDLE = "pagefind"
HINT = (
    "search index skipped: Pagefind is not installed. "
    "Add it with: pip install 'pagefind[bin]' (the 'search' extra of counterpoint); "
    "turn search off with 'search: false' in site.yml or build --no-search"
)
TIMEOUT_S = 300


def available() -> bool:
    """Pagefind's Python package and its binary are importable."""
    try:
        return importlib.util.find_spec("pagefind") is not None and (
            importlib.util.find_spec("pagefind_bin") is not None or shutil.which("pagefind") is not None
        )
    except (ImportError, ValueError):
        return False


def bundle_complete(out: Path) -> bool:
    return (out / BUNDLE / "pagefind.js").is_file() and (out / BUNDLE / "pagefind-ui.js").is_file()


def index_site(
    out: Path,
    language: str | None = None,
    *,
    scratch: Path | None = None,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> str | None:
    """Index the built site into ``out/pagefind``; return a warning (also printed) or None.

    ``scratch``: where the new bundle is written before it is swapped in (default
    ``out``; ``serve`` keeps it out of the folder its rebuilds tidy up). ``started``
    gets the Pagefind process, so that a server shutting down can stop it; a run
    stopped that way is not reported as a failure.
    """
    if not available():
        print(HINT, file=sys.stderr)
        return HINT
    out = Path(out)
    fresh = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + "stage-search-", dir=scratch or out))
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--output-path", str(fresh), "--quiet"]
    if language:
        command += ["--force-language", language.replace("_", "-").split("-")[0].lower()]
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        return _failed(fresh, str(exc))
    if started is not None:
        started(proc)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        return _failed(fresh, str(exc))
    if proc.returncode in (-signal.SIGTERM, -signal.SIGINT):  # stopped on purpose: ``started``, Ctrl-C
        shutil.rmtree(fresh, ignore_errors=True)
        return None
    if proc.returncode != 0 or not (fresh / "pagefind.js").is_file():
        return _failed(fresh, (stderr or stdout).strip())
    _swap(fresh, out / BUNDLE)
    return None


def _failed(fresh: Path, detail: str) -> str:
    shutil.rmtree(fresh, ignore_errors=True)
    message = f"search index failed (the site itself was built): {detail[-500:] or 'pagefind exited with an error'}"
    print(message, file=sys.stderr)
    return message


def _swap(fresh: Path, target: Path) -> None:
    """Put ``fresh`` in place of ``target``: the old bundle is moved aside, then removed."""
    old = None
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        old = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + "stage-old-", dir=fresh.parent))
        os.replace(target, old / BUNDLE)
    os.replace(fresh, target)
    os.chmod(target, 0o755)  # mkdtemp makes 0700 folders; a web server must read it
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
