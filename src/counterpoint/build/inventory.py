"""What content/ holds for one build: walked, or — for the edits ``serve`` sees — the
last build's inventory with just the edited files looked at again; and when each
essay's files first appeared on the site, from git."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from counterpoint.build.record import BuildRecord
from counterpoint.model import EssaySource
from counterpoint.source.content import Hasher, Inventory, all_refs, discover, replace_refs
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


def published(root: Path, record: BuildRecord, inventory: Inventory) -> Inventory:
    """Each essay with when its files and blocks first appeared on the site: one
    ``git log`` pass, made again only when HEAD moved (none outside git)."""
    from counterpoint.source.published import History, head_key, read_history  # lazily: git, on a build with work

    key = head_key(root)
    if record.history is None or record.history[0] != key:
        record.history = (key, read_history(root) if key else History())
    history = record.history[1]
    if not history.files:
        return inventory
    essays = tuple(
        _published_as(s, history.of(tuple(r.rel for r in (s.index, *s.critiques)))) for s in inventory.essays
    )
    return replace(inventory, essays=essays)


def _published_as(source: EssaySource, published: tuple[tuple[str, str], ...]) -> EssaySource:
    # the same object when nothing changed: the build knows an essay it just made by identity
    return source if source.published == published else replace(source, published=published)


def refresh(inventory: Inventory, root: Path, hasher: Hasher, edited: list[Path]) -> Inventory | None:
    """``inventory`` with the ``edited`` files looked at again and the digests
    the workers computed since the walk filled in; None if one of them is not
    a file it knows (then the walk decides)."""
    by_path = {ref.path: ref for ref in all_refs(inventory)}
    if not all(p in by_path and p.is_file() for p in edited):
        return None
    fresh = {p: hasher.ref(p, root, lazy=True) for p in edited}
    for ref in by_path.values():
        known = hasher.memo.get(ref.rel)
        if not ref.digest and ref.path not in fresh and known and known[:2] == (ref.size, ref.mtime_ns):
            fresh[ref.path] = replace(ref, digest=known[2])
    return replace_refs(inventory, fresh)
