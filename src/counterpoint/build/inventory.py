"""What content/ holds for one build: walked, or — for the edits ``serve`` sees — the
last build's inventory with just the edited files looked at again; and when each
essay's files first appeared on the site, from git."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from counterpoint.build.record import BuildRecord
from counterpoint.model import EssaySource
from counterpoint.source.content import Hasher, Inventory, discover, places, replace_refs
from counterpoint.source.walk import Scanned


def inventory_of(
    root: Path, hasher: Hasher, changed: frozenset[Path] | None, files: list[Scanned] | None, previous: Inventory | None
) -> Inventory:
    """Walk content/ — or, when every change is an edit of a file already
    known (the common case in ``serve``), refresh just those files."""
    content = root / "content"
    structural = changed and any(p == content or p.is_dir() or not p.exists() for p in changed)
    if previous is not None and changed and not structural:
        refreshed = refresh(previous, root, hasher, [p for p in changed if content in p.parents])
        if refreshed is not None:
            return refreshed
    return discover(root, hasher, files)


def published(root: Path, record: BuildRecord, inventory: Inventory, previous: Inventory | None) -> Inventory:
    """Each essay with when its files and blocks first appeared on the site: one
    ``git log`` pass, made again only when HEAD moved (none outside git).  For an
    inventory refreshed from ``previous`` (``serve``) under the same HEAD, only the
    essays the refresh made again are looked up: the others are the same objects."""
    from counterpoint.source.published import History, head_key, read_history  # lazily: git, on a build with work

    key = head_key(root)
    moved = record.history is None or record.history[0] != key
    if moved:
        record.history = (key, read_history(root) if key else History())
    assert record.history is not None
    history = record.history[1]
    if not history.files:
        return inventory
    essays = list(inventory.essays)
    # a refresh keeps every essay where it was: the same object at the same place was looked up already
    kept = previous.essays if previous is not None and not moved and inventory.places is not None else ()
    for at, source in enumerate(inventory.essays):
        if at < len(kept) and kept[at] is source:
            continue
        essays[at] = _published_as(source, history.of(tuple(r.rel for r in (source.index, *source.critiques))))
    return replace(inventory, essays=tuple(essays))


def _published_as(source: EssaySource, published: tuple[tuple[str, str], ...]) -> EssaySource:
    # the same object when nothing changed: the build knows an essay it just made by identity
    return source if source.published == published else replace(source, published=published)


def refresh(inventory: Inventory, root: Path, hasher: Hasher, edited: list[Path]) -> Inventory | None:
    """``inventory`` with the ``edited`` files looked at again; None if one of them is
    not a file it knows (then the walk decides).  The other files keep their refs and
    digests (the build puts the digests its workers computed into the inventory it keeps)."""
    where = inventory.places if inventory.places is not None else places(inventory)
    if not all(p in where and p.is_file() for p in edited):
        return None
    return replace_refs(replace(inventory, places=where), {p: hasher.ref(p, root, lazy=True) for p in edited})
