"""What survives between builds, and the keys that say whether it still holds.

Keys are content hashes: of an essay bundle's files, of site.yml, of the
templates and of the code itself, so a cache entry can never be stale, only
unused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING

from counterpoint import __version__
from counterpoint.versions import library_versions

if TYPE_CHECKING:
    from counterpoint.model import EssayResult
    from counterpoint.site.pages import PlainPage

CACHE_FORMAT = 3


def code_fingerprint() -> str:
    """The package version plus the bytes of its modules, so caches are invalidated
    by an upgrade and by an edit to an editable install, and not by a fresh install
    of the same code (a CI cache restored into a new clone; about 1 ms); and the
    versions of the libraries that shape the output (``versions.SHAPING``), so an
    upgrade of one of them invalidates the caches too."""
    h = blake2b(__version__.encode(), digest_size=8)
    h.update(repr(sorted(library_versions().items())).encode())
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass
class CacheState:
    """What survives between builds (in memory in ``serve``, pickled for ``build``)."""

    hashes: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    essays: dict[str, tuple[str, EssayResult]] = field(default_factory=dict)  # index rel -> (key, result)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # output rel -> (key of its data, its digest)
    plain: dict[str, tuple[str, PlainPage]] = field(default_factory=dict)
    pygments: tuple[str, str] = ("", "")  # (code and Pygments version, stylesheet)


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


def cache_key(salt: str, material: str) -> str:
    return blake2b((salt + "|" + material).encode(), digest_size=16).hexdigest()
