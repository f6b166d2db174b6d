"""The three typed values the Markdown dialects keep in markdown-it's ``env``.

markdown-it passes one ``env`` dict through parsing and rendering.  Instead of
loose string keys, the dialects keep exactly three values in it: ``Collected``
(what parsing finds: claims and headings, UPD blocks, problems such as a
formula that is not LaTeX), ``Addresses`` (how links and images are written:
the site's base path, the sizes of images) and ``Rendering`` (what the render
rules need from the stages after parsing: the linked data of each claim, the
opening of a UPD).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

_COLLECTED = "counterpoint.collected"
_RENDERING = "counterpoint.rendering"
_ADDRESSES = "counterpoint.addresses"


@dataclass
class Collected:
    """What parsing finds (filled in by the dialects' core rules)."""

    targets: list[tuple[str, str, int, int, str]] = field(default_factory=list)  # (id, kind, line, token index, text)
    upds: list[tuple[str, int, int, int]] = field(default_factory=list)  # (info, line, open index, close index)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, message, hint)
    ids: list[tuple[str, int]] = field(default_factory=list)  # every id the author wrote, with its line
    was: dict[str, tuple[str, ...]] = field(default_factory=dict)  # claim id -> the earlier texts its was="…" names
    # given before parsing: the ids the page gives its critiques and remarks, which a
    # generated heading id steps around
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rendering:
    """What the render rules of the essay dialect need from the stages after parsing."""

    claim_attrs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # claim id -> linked data attributes
    upd: Callable[[Any], str] | None = None  # the opening HTML of a UPD block, given its ``model.Update``
    claim_after: Callable[[str], str] | None = None  # what follows a claim's last part, given its id
    footnote_back: Callable[[str], str] | None = None  # the name of a footnote's link back, given its number


@dataclass(frozen=True)
class Addresses:
    """How the render rules write links and images (``markup/urls.py``)."""

    base_path: str = "/"  # the site's path under its host: root-relative links and images get it
    # an image's address -> its (width, height) read from the file, None when unknown
    image_size: Callable[[str], tuple[int, int] | None] | None = None
    # rendered away from its page (a UPD on the corrections page): the page's folder in the
    # output ("essays/tides/"), against which relative links and images are made root-relative
    away: str = ""


def parse_env(taken: frozenset[str] = frozenset(), addresses: Addresses | None = None) -> dict[str, Any]:
    """A fresh ``env`` for parsing (``taken``: see ``Collected.taken``)."""
    return {_COLLECTED: Collected(taken=taken), _ADDRESSES: addresses or Addresses()}


def addresses(env: Mapping[str, Any]) -> Addresses:
    return env.get(_ADDRESSES) or Addresses()


def set_addresses(env: MutableMapping[str, Any], value: Addresses) -> None:
    """For a stage that learns more after parsing (the sizes of an essay's images)."""
    env[_ADDRESSES] = value


def collected(env: Mapping[str, Any]) -> Collected:
    """What parsing with ``env`` found (nothing, if it was not parsed with it)."""
    return env.get(_COLLECTED) or Collected()


def collecting(env: MutableMapping[str, Any]) -> Collected:
    """For a core rule: the ``Collected`` of ``env``, made if it has none yet."""
    return env.setdefault(_COLLECTED, Collected())


def render_env(env: Mapping[str, Any], rendering: Rendering) -> dict[str, Any]:
    """``env`` (what parsing left in it) with ``rendering`` for the render rules."""
    return {**env, _RENDERING: rendering}


def rendering(env: Mapping[str, Any]) -> Rendering:
    return env.get(_RENDERING) or Rendering()
