"""Static full-text search with Pagefind, run after the pages are in place."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

HINT = "search index skipped: Pagefind is not installed (pip install 'counterpoint[search]')"


def available() -> bool:
    return importlib.util.find_spec("pagefind_bin") is not None or importlib.util.find_spec("pagefind") is not None


def index_site(out: Path) -> str | None:
    """Index the built site into ``out/pagefind``; return a warning or None."""
    if not available():
        print(HINT, file=sys.stderr)
        return HINT
    proc = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(out), "--output-subdir", "pagefind", "--quiet"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        message = f"search index failed: {(proc.stderr or proc.stdout).strip()[-500:]}"
        print(message, file=sys.stderr)
        return message
    return None
