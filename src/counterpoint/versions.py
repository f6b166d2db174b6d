"""The version of this code and of the libraries that shape the output.

Part of every cache key (``build/record.py``): a cache entry made by other code,
or with another Markdown parser, highlighter, template engine, sanitizer, locale
data or transliteration, is never used.  Standard library only, and no import
of the libraries themselves: a build with nothing to do asks before loading them.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from hashlib import blake2b
from pathlib import Path

from counterpoint import __version__

# the distributions whose behaviour decides a byte of the output (PyYAML and MarkupSafe too:
# they read the front matter and escape the text)
SHAPING = (
    "markdown-it-py",
    "mdit-py-plugins",
    "Pygments",
    "Jinja2",
    "nh3",
    "Babel",
    "python-slugify",
    "PyYAML",
    "MarkupSafe",
)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package version plus the bytes of its modules, so caches are invalidated
    by an upgrade and by an edit to an editable install, and not by a fresh install
    of the same code (a CI cache restored into a new clone). Read once per process
    (~5 ms: every build's inputs key and the compiled templates' folder ask, and
    ``serve`` asks at each rebuild): the code that runs is the code it imported."""
    h = blake2b(__version__.encode(), digest_size=8)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def library_versions() -> dict[str, str]:
    """``{distribution: version}`` of ``SHAPING``, as the import system finds them:
    from the names of the installed ``*.dist-info`` folders (``Jinja2-3.1.6.dist-info``),
    the first on ``sys.path`` winning; one folder listing per path entry, no metadata parsed
    (``importlib.metadata`` costs a no-op build tens of milliseconds)."""
    wanted = {_normal(name): name for name in SHAPING}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            project, _, version = name[: -len(".dist-info")].partition("-")
            key = _normal(project)
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = version
        if len(found) == len(wanted):
            break
    return {name: found.get(name, "") for name in SHAPING}
