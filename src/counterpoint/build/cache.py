"""What survives between builds, and the keys that say whether it still holds.

Keys are content hashes: of an essay bundle's files, of site.yml, of the
templates and of the code itself, so a cache entry can never be stale, only
unused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import blake2b
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counterpoint.model import EssayResult
    from counterpoint.site.pages import PlainPage

CACHE_FORMAT = 5  # the shape of CacheState: a cache of another shape is not read (record.load_state)


@dataclass
class CacheState:
    """What survives between builds (in memory in ``serve``, pickled for ``build``)."""

    hashes: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    essays: dict[str, tuple[str, EssayResult]] = field(default_factory=dict)  # index rel -> (key, result)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # output rel -> (key of its data, its digest)
    plain: dict[str, tuple[str, PlainPage]] = field(default_factory=dict)
    pygments: tuple[str, str] = ("", "")  # (code and Pygments version, stylesheet)


def cache_key(salt: str, material: str) -> str:
    return blake2b((salt + "|" + material).encode(), digest_size=16).hexdigest()
