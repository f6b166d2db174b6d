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

    def ref(self, path: Path, root: Path, *, lazy: bool = False) -> FileRef:
        """A FileRef with its digest; ``lazy`` leaves an unknown digest empty for
        the worker that reads the file anyway (see ``pipeline.process_essay``)."""
        return self.file_ref(path, display_path(path, root), path.stat(), lazy=lazy)

    def file_ref(self, path: Path, rel: str, stat: os.stat_result, *, lazy: bool = False) -> FileRef:
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


Scanned = tuple[str, os.stat_result]  # (absolute path, its stat)


def scan(root: Path) -> list[Scanned]:
    """Every regular file below ``content/`` with its stat, in ``os.walk`` order
    (a folder's files by name, then its subfolders by name), skipping hidden and
    editor files and symlinks whose target is outside the site.

    One ``scandir`` per folder and one stat per file, strings only: a no-op
    build of a large site is mostly this walk.
    """
    found: list[Scanned] = []
    content = root / "content"
    if not content.is_dir():
        return found
    real_root = str(root.resolve()) + os.sep
    pending = [str(content)]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=_name)
        except OSError:
            continue
        folders: list[str] = []
        for entry in entries:
            if _ignored(entry.name):
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not target.startswith(real_root) or not os.path.isfile(target):
                        continue  # never follow a link out of the site, nor into a folder
                    found.append((entry.path, os.stat(entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    found.append((entry.path, entry.stat(follow_symlinks=False)))
            except OSError:
                continue  # vanished while walking: the next build sees the new state
        pending.extend(reversed(folders))  # depth first, the first subfolder next
    return found


def _name(entry: os.DirEntry) -> str:
    return entry.name


def signature(files: list[Scanned], root: Path) -> str:
    """What the walk saw, as one digest: every file's path, size and mtime.
    Equal signatures mean no file was added, removed, renamed or written."""
    h = blake2b(digest_size=16)
    cut = len(str(root)) + 1
    for path, stat in files:
        h.update(f"{path[cut:]}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


def discover(root: Path, hasher: Hasher, files: list[Scanned] | None = None) -> Inventory:
    """Sort the files of ``content/`` (``files``, or a fresh ``scan``) into essay
    bundles, single-file essays, pages and assets."""
    content = root / "content"
    if not content.is_dir():
        return Inventory((), (), (), (), ())
    files = scan(root) if files is None else files
    errors: list[ContentError] = []
    essays_dir = content / "essays"
    essays: list[tuple[str, EssaySource]] = []  # (entry name, source): sorted by entry name below
    pages: list[PageSource] = []
    assets: list[FileRef] = []
    stray: list[FileRef] = []
    cut = len(str(root)) + 1

    def ref(item: Scanned, lazy: bool = True) -> FileRef:
        path, stat = item
        return hasher.file_ref(Path(path), path[cut:].replace(os.sep, "/"), stat, lazy=lazy)

    # files under essays/<entry>/ grouped by entry; the rest sorted by kind
    bundles: dict[str, list[Scanned]] = {}
    rest: list[Scanned] = []
    prefix = str(essays_dir) + os.sep
    for item in files:
        path = item[0]
        if path.startswith(prefix):
            inside = path[len(prefix) :]
            if os.sep in inside:
                bundles.setdefault(inside.split(os.sep, 1)[0], []).append(item)
                continue
            if inside.endswith(".md"):
                essays.append((inside, EssaySource(slug=slug(inside[:-3]) or "essay", index=ref(item), bundle=False)))
                continue
        rest.append(item)

    for name, items in bundles.items():
        entry = prefix + name + os.sep
        index = entry + "index.md"
        critiques_dir = entry + "critiques" + os.sep
        found = next((item for item in items if item[0] == index), None)
        if found is None:
            for item in items:
                if item[0].endswith(".md") and os.path.basename(os.path.dirname(item[0])) == "critiques":
                    stray.append(ref(item, lazy=False))
            if any(item[0].endswith(".md") for item in items):
                errors.append(
                    ContentError(
                        display_path(Path(entry), root),
                        0,
                        "essay folder has no index.md",
                        f"put the essay in {display_path(Path(index), root)}",
                    )
                )
            continue
        critiques: list[Scanned] = []
        others: list[Scanned] = []
        for item in items:
            if item is found:
                continue
            if item[0].startswith(critiques_dir):
                if os.sep in item[0][len(critiques_dir) :]:
                    errors.append(
                        ContentError(
                            display_path(Path(item[0]), root),
                            0,
                            "file in a subfolder of critiques/",
                            f"critiques are files directly in {display_path(Path(critiques_dir), root)}/; move it there",
                        )
                    )
                    continue
                if item[0].endswith(".md"):
                    critiques.append(item)
                    continue
            others.append(item)
        essays.append(
            (
                name,
                EssaySource(
                    slug=slug(name) or name,
                    index=ref(found),
                    critiques=tuple(ref(item) for item in critiques),
                    assets=tuple(ref(item) for item in others),
                    bundle=True,
                ),
            )
        )
    essays.sort(key=lambda pair: pair[0])  # by entry name

    for item in rest:
        path = Path(item[0])
        if path.parent.name == "critiques" and path.suffix == ".md":
            stray.append(ref(item, lazy=False))
        elif path.suffix == ".md":
            rel = path.relative_to(content).with_suffix("")
            parts = [slug(p) or p for p in rel.parts]
            if parts[-1] == "index":
                parts = parts[:-1]
            pages.append(PageSource("/".join(parts), ref(item, lazy=False)))
        else:
            assets.append(ref(item, lazy=False))
    return Inventory(tuple(source for _, source in essays), tuple(pages), tuple(assets), tuple(stray), tuple(errors))


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
