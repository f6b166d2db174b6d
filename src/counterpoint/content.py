"""Discover stage: walk ``content/`` and say what each file is.

Essay bundles (``essays/<slug>/index.md`` with ``critiques/`` and assets),
single-file essays (``essays/<name>.md``), plain pages (any other ``.md``) and
static files.  Files are hashed here, once; later stages and the cache only
see digests.  Symlinks that lead out of the site are never followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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

    def ref(self, path: Path, root: Path, *, lazy: bool = False) -> FileRef:
        """A FileRef with its digest; ``lazy`` leaves an unknown digest empty for
        the worker that reads the file anyway (see ``pipeline.process_essay``)."""
        rel = display_path(path, root)
        stat = path.stat()
        known = self.memo.get(rel)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return FileRef(path, rel, known[2], stat.st_size, stat.st_mtime_ns)
        if lazy:
            return FileRef(path, rel, "", stat.st_size, stat.st_mtime_ns)
        digest = blake2b(path.read_bytes(), digest_size=16).hexdigest()
        self.memo[rel] = (stat.st_size, stat.st_mtime_ns, digest)
        return FileRef(path, rel, digest, stat.st_size, stat.st_mtime_ns)

    def learn(self, ref: FileRef, digest: str) -> None:
        self.memo[ref.rel] = (ref.size, ref.mtime_ns, digest)


def _ignored(name: str) -> bool:
    """Hidden files, editor temp and backup files (``.x.swp``, ``x~``, ``#x#``, ``4913``)."""
    return (
        name.startswith(_IGNORED_PREFIXES)
        or name.endswith(_IGNORED_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))
        or name == "4913"
    )


def _leads_out(path: Path, root: Path) -> bool:
    """``path`` is a symlink whose target is outside the site (or missing)."""
    if not path.is_symlink():
        return False
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (ValueError, OSError):
        return True
    return False


def _files(folder: Path, root: Path) -> list[Path]:
    """Regular files below ``folder``, sorted, skipping hidden/editor files and
    symlinks whose target is outside the site."""
    found: list[Path] = []
    real_root = root.resolve()
    for current, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        for name in sorted(names):
            if _ignored(name):
                continue
            path = Path(current, name)
            if path.is_symlink():
                try:
                    path.resolve(strict=True).relative_to(real_root)
                except (ValueError, OSError):
                    continue
            if path.is_file():
                found.append(path)
    return found


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
    claimed: set[Path] = set()

    if essays_dir.is_dir():
        for entry in sorted(essays_dir.iterdir()):
            if _ignored(entry.name):
                continue
            if entry.is_dir() and not entry.is_symlink():
                index = entry / "index.md"
                files = _files(entry, root)
                claimed.update(files)
                if not index.is_file():
                    for path in files:
                        if path.parent.name == "critiques" and path.suffix == ".md":
                            stray.append(hasher.ref(path, root))
                    if any(p.suffix == ".md" for p in files):
                        errors.append(
                            ContentError(
                                display_path(entry, root),
                                0,
                                "essay folder has no index.md",
                                f"put the essay in {display_path(index, root)}",
                            )
                        )
                    continue
                critiques = [p for p in files if p.parent == entry / "critiques" and p.suffix == ".md"]
                nested = [p for p in files if entry / "critiques" in p.parents and p.parent != entry / "critiques"]
                for path in nested:
                    errors.append(
                        ContentError(
                            display_path(path, root),
                            0,
                            "file in a subfolder of critiques/",
                            f"critiques are files directly in {display_path(entry / 'critiques', root)}/; move it there",
                        )
                    )
                not_assets = {index, *critiques, *nested}  # a set: a bundle may hold thousands of critiques
                other = [p for p in files if p not in not_assets]
                essays.append(
                    EssaySource(
                        slug=slug(entry.name) or entry.name,
                        index=hasher.ref(index, root, lazy=True),
                        critiques=tuple(hasher.ref(p, root, lazy=True) for p in critiques),
                        assets=tuple(hasher.ref(p, root, lazy=True) for p in other),
                        bundle=True,
                    )
                )
            elif entry.suffix == ".md" and entry.is_file() and not _leads_out(entry, root):
                claimed.add(entry)
                essays.append(
                    EssaySource(slug=slug(entry.stem) or "essay", index=hasher.ref(entry, root, lazy=True), bundle=False)
                )

    for path in _files(content, root):
        if path in claimed:
            continue
        if path.parent.name == "critiques" and path.suffix == ".md":
            stray.append(hasher.ref(path, root))
        elif path.suffix == ".md":
            rel = path.relative_to(content).with_suffix("")
            parts = [slug(p) or p for p in rel.parts]
            if parts[-1] == "index":
                parts = parts[:-1]
            pages.append(PageSource("/".join(parts), hasher.ref(path, root)))
        else:
            assets.append(hasher.ref(path, root))
    return Inventory(tuple(essays), tuple(pages), tuple(assets), tuple(stray), tuple(errors))
