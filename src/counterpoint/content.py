"""Discover stage: walk ``content/`` and say what each file is.

Essay bundles (``essays/<slug>/index.md`` with ``critiques/`` and assets),
single-file essays (``essays/<name>.md``), plain pages (any other ``.md``) and
static files.  Files are hashed here, once; later stages and the cache only
see digests.  Symlinks that lead out of the site are never followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from hashlib import blake2b
from pathlib import Path

from counterpoint.errors import ContentError, display_path
from counterpoint.model import EssaySource, FileRef, PageSource
from counterpoint.slugs import slug

_IGNORED_PREFIXES = (".", "_")
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___")


@dataclass(frozen=True)
class Inventory:
    essays: tuple[EssaySource, ...]
    pages: tuple[PageSource, ...]
    assets: tuple[FileRef, ...]  # files outside essays, copied as they are
    stray_critiques: tuple[FileRef, ...]  # critiques/ folders outside an essay bundle
    errors: tuple[ContentError, ...]


class Hasher:
    """File digests memoized by (size, mtime): a no-op rebuild reads nothing."""

    def __init__(self, memo: dict[str, tuple[int, int, str]] | None = None):
        self.memo: dict[str, tuple[int, int, str]] = memo if memo is not None else {}
        self.learned = False  # the memo changed: the cache is worth saving

    def ref(self, path: Path, root: Path, *, lazy: bool = False, stat: os.stat_result | None = None) -> FileRef:
        """A FileRef with its digest; ``lazy`` leaves an unknown digest empty for
        the worker that reads the file anyway (see ``pipeline.process_essay``)."""
        rel = display_path(path, root)
        stat = stat or path.stat()
        known = self.memo.get(rel)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return FileRef(path, rel, known[2], stat.st_size, stat.st_mtime_ns)
        if lazy:
            return FileRef(path, rel, "", stat.st_size, stat.st_mtime_ns)
        digest = blake2b(path.read_bytes(), digest_size=16).hexdigest()
        self.memo[rel] = (stat.st_size, stat.st_mtime_ns, digest)
        self.learned = True
        return FileRef(path, rel, digest, stat.st_size, stat.st_mtime_ns)

    def learn(self, ref: FileRef, digest: str) -> None:
        self.memo[ref.rel] = (ref.size, ref.mtime_ns, digest)
        self.learned = True


def _ignored(name: str) -> bool:
    """Hidden files, editor temp and backup files (``.x.swp``, ``x~``, ``#x#``, ``4913``)."""
    return (
        name.startswith(_IGNORED_PREFIXES)
        or name.endswith(_IGNORED_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))
        or name == "4913"
    )


def _walk(folder: Path, root: Path) -> list[tuple[Path, os.stat_result]]:
    """Regular files below ``folder`` with their stat, sorted by path, skipping
    hidden/editor files and symlinks whose target is outside the site.  One
    ``scandir`` per folder and one stat per file: a no-op rebuild of a large
    site is mostly this walk."""
    found: list[tuple[Path, os.stat_result]] = []
    real_root = str(root.resolve()) + os.sep
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if _ignored(entry.name):
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not target.startswith(real_root) or not os.path.isfile(target):
                        continue  # never follow a link out of the site, nor into a folder
                    found.append((Path(entry.path), os.stat(entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    found.append((Path(entry.path), entry.stat(follow_symlinks=False)))
            except OSError:
                continue  # vanished while walking: the next build sees the new state
    found.sort(key=_walk_order)
    return found


def _walk_order(item: tuple[Path, os.stat_result]) -> tuple:
    """The files of a folder before its subfolders, each group by name (as ``os.walk``)."""
    *folders, name = str(item[0]).split(os.sep)
    return (*((1, part) for part in folders), (0, name))


def discover(root: Path, hasher: Hasher) -> Inventory:
    content = root / "content"
    errors: list[ContentError] = []
    if not content.is_dir():
        return Inventory((), (), (), (), ())
    essays_dir = content / "essays"
    essays: list[EssaySource] = []
    pages: list[PageSource] = []
    assets: list[FileRef] = []
    stray: list[FileRef] = []

    def ref(item: tuple[Path, os.stat_result], lazy: bool = True) -> FileRef:
        return hasher.ref(item[0], root, lazy=lazy, stat=item[1])

    # one walk of content/, then sorted into essay bundles, single-file essays, pages and assets
    bundles: dict[str, list[tuple[Path, os.stat_result]]] = {}
    rest: list[tuple[Path, os.stat_result]] = []
    prefix = str(essays_dir) + os.sep
    for item in _walk(content, root):
        text = str(item[0])
        if text.startswith(prefix):
            inside = text[len(prefix) :]
            if os.sep in inside:
                bundles.setdefault(inside.split(os.sep, 1)[0], []).append(item)
                continue
            if item[0].suffix == ".md":
                essays.append(EssaySource(slug=slug(item[0].stem) or "essay", index=ref(item), bundle=False))
                continue
        rest.append(item)

    for name, files in bundles.items():
        entry = essays_dir / name
        index = entry / "index.md"
        critiques_dir = entry / "critiques"
        by_path = dict(files)
        if index not in by_path:
            for path, stat in files:
                if path.parent.name == "critiques" and path.suffix == ".md":
                    stray.append(ref((path, stat), lazy=False))
            if any(p.suffix == ".md" for p, _ in files):
                errors.append(
                    ContentError(
                        display_path(entry, root),
                        0,
                        "essay folder has no index.md",
                        f"put the essay in {display_path(index, root)}",
                    )
                )
            continue
        inside = str(critiques_dir) + os.sep
        critiques = [(p, s) for p, s in files if p.parent == critiques_dir and p.suffix == ".md"]
        nested = [(p, s) for p, s in files if str(p).startswith(inside) and p.parent != critiques_dir]
        for path, _ in nested:
            errors.append(
                ContentError(
                    display_path(path, root),
                    0,
                    "file in a subfolder of critiques/",
                    f"critiques are files directly in {display_path(critiques_dir, root)}/; move it there",
                )
            )
        not_assets = {index, *(p for p, _ in critiques), *(p for p, _ in nested)}  # a bundle may hold thousands
        essays.append(
            EssaySource(
                slug=slug(name) or name,
                index=ref((index, by_path[index])),
                critiques=tuple(ref(item) for item in critiques),
                assets=tuple(ref(item) for item in files if item[0] not in not_assets),
                bundle=True,
            )
        )
    essays.sort(key=lambda source: source.index.path.relative_to(essays_dir).parts[0])  # by entry name

    for path, stat in rest:
        if path.parent.name == "critiques" and path.suffix == ".md":
            stray.append(ref((path, stat), lazy=False))
        elif path.suffix == ".md":
            rel = path.relative_to(content).with_suffix("")
            parts = [slug(p) or p for p in rel.parts]
            if parts[-1] == "index":
                parts = parts[:-1]
            pages.append(PageSource("/".join(parts), ref((path, stat), lazy=False)))
        else:
            assets.append(ref((path, stat), lazy=False))
    return Inventory(tuple(essays), tuple(pages), tuple(assets), tuple(stray), tuple(errors))


def all_refs(inventory: Inventory):
    for source in inventory.essays:
        yield from source.files()
    for page in inventory.pages:
        yield page.index
    yield from inventory.assets
    yield from inventory.stray_critiques


def replace_refs(inventory: Inventory, fresh: dict[Path, FileRef]) -> Inventory:
    def swap(ref: FileRef) -> FileRef:
        return fresh.get(ref.path, ref)

    return replace(
        inventory,
        essays=tuple(
            replace(
                s,
                index=swap(s.index),
                critiques=tuple(map(swap, s.critiques)),
                assets=tuple(map(swap, s.assets)),
            )
            for s in inventory.essays
        ),
        pages=tuple(replace(p, index=swap(p.index)) for p in inventory.pages),
        assets=tuple(map(swap, inventory.assets)),
    )


def with_digests(source: EssaySource, digests: dict[str, str]) -> EssaySource:
    def fill(ref):
        return ref if ref.digest else replace(ref, digest=digests.get(ref.rel, ""))

    return replace(
        source,
        index=fill(source.index),
        critiques=tuple(fill(r) for r in source.critiques),
        assets=tuple(fill(r) for r in source.assets),
    )
