"""Discover stage: walk ``content/`` and say what each file is.

Essay bundles (``essays/<slug>/index.md`` with ``critiques/`` and assets),
single-file essays (``essays/<name>.md``), plain pages (any other ``.md``) and
static files.  Files are hashed here, once; later stages and the cache only
see digests.  Symlinks that lead out of the site are never followed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from hashlib import sha256  # as walk.digest_bytes
from pathlib import Path

from counterpoint.errors import ContentError, display_path
from counterpoint.markup.slugs import slug
from counterpoint.model import EssaySource, FileRef, PageSource, evolve
from counterpoint.source.walk import MARKDOWN_SUFFIXES, Scanned, is_skipped_link, link_warnings, scan


def is_markdown(path: str) -> bool:
    return path.endswith(MARKDOWN_SUFFIXES)


_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)")


def name_parts(name: str) -> tuple[str, str]:
    """(slug, date) of an essay's file or folder name: Jekyll's
    ``2024-01-15-my-post`` gives ``my-post`` and ``2024-01-15``."""
    dated = _DATED_NAME.fullmatch(name)
    if dated and slug(dated.group(2)):
        return slug(dated.group(2)), dated.group(1)
    return slug(name), ""


@dataclass(frozen=True)
class Inventory:
    essays: tuple[EssaySource, ...]
    pages: tuple[PageSource, ...]
    assets: tuple[FileRef, ...]  # files outside essays, copied as they are
    stray_critiques: tuple[FileRef, ...]  # critiques/ folders outside an essay bundle
    errors: tuple[ContentError, ...]
    warnings: tuple[str, ...] = ()  # symlinks not followed, each naming link and target
    # where each file is (``Place``), made by the first ``refresh`` of a walk and kept by every
    # replace after it (a refresh never moves a file): an edit then looks up its file, not all
    places: dict[Path, Place] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Place:
    """Where a file is in an ``Inventory``: ``kind`` is "essays", "pages", "assets" or
    "stray_critiques", ``at`` the position in that tuple."""

    kind: str
    at: int


def digest_file(path: Path) -> str:
    """``digest_bytes`` of the file, read in chunks: memory stays flat whatever the
    size of the file (a 1 GB video in content/)."""
    h = sha256()
    with open(path, "rb") as handle:  # not hashlib.file_digest: Python 3.11+
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:32]


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
        digest = digest_file(path)
        self.memo[rel] = (stat.st_size, stat.st_mtime_ns, digest)
        self.learned = True
        return FileRef(path, rel, digest, stat.st_size, stat.st_mtime_ns)

    def learn(self, ref: FileRef, digest: str) -> None:
        self.memo[ref.rel] = (ref.size, ref.mtime_ns, digest)
        self.learned = True


def _same_critique_ids(critiques: list[Scanned], root: Path) -> list[ContentError]:
    """Two critique files of one name (``bob.md``, ``bob.markdown``): one id for two critiques."""
    first: dict[str, str] = {}
    errors = []
    for path, _ in sorted(critiques, key=lambda item: (len(item[0]), item[0])):
        critique_id = os.path.splitext(os.path.basename(path))[0]
        if critique_id in first:
            errors.append(
                ContentError(
                    display_path(Path(path), root),
                    1,
                    f"critique id '{critique_id}' is also used by {first[critique_id]}",
                    f"a critique's id is its file name, which UPDs cite (re={critique_id}): rename one of them",
                )
            )
        else:
            first[critique_id] = display_path(Path(path), root)
    return errors


def discover(root: Path, hasher: Hasher, files: list[Scanned] | None = None) -> Inventory:  # noqa: C901 - one pass over the walk, a branch per kind of file
    # Long: one pass over the walk, a branch per kind of file.
    """Sort the files of ``content/`` (``files``, or a fresh ``scan``) into essay
    bundles, single-file essays, pages and assets."""
    content = root / "content"
    if not content.is_dir():
        problem = ContentError(
            "content", 0, "content is a file, not a folder", "content/ holds the essays and pages: make it a folder"
        )
        return Inventory((), (), (), (), (problem,) if content.exists() else ())
    files = scan(root) if files is None else files
    warnings = tuple(link_warnings(files, root))
    if warnings:
        files = [item for item in files if not is_skipped_link(item)]
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
            if is_markdown(inside):
                name, date = name_parts(os.path.splitext(inside)[0])
                essays.append(
                    (inside, EssaySource(slug=name or "essay", index=ref(item), bundle=False, name_date=date))
                )
                continue
        rest.append(item)

    for name, items in bundles.items():
        entry = prefix + name + os.sep
        index = entry + "index.md"
        critiques_dir = entry + "critiques" + os.sep
        indexes = [
            item for item in items if item[0].startswith(entry + "index.") and item[0][len(entry) :] in _INDEX_NAMES
        ]
        found = min(indexes, key=lambda item: _INDEX_NAMES.index(item[0][len(entry) :]), default=None)
        for other in indexes:
            if found is not None and other is not found:
                errors.append(
                    ContentError(
                        display_path(Path(other[0]), root),
                        1,
                        f"essay folder has two index files: this one and {display_path(Path(found[0]), root)}",
                        "keep one of them",
                    )
                )
        if found is None:
            for item in items:
                if is_markdown(item[0]) and os.path.basename(os.path.dirname(item[0])) == "critiques":
                    stray.append(ref(item, lazy=False))
            if any(is_markdown(item[0]) for item in items):
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
            if item in indexes:
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
                if is_markdown(item[0]):
                    critiques.append(item)
                    continue
            others.append(item)
        errors += _same_critique_ids(critiques, root)
        name_slug, name_date = name_parts(name)
        essays.append(
            (
                name,
                EssaySource(
                    slug=name_slug or name,
                    name_date=name_date,
                    index=ref(found),
                    critiques=tuple(ref(item) for item in critiques),
                    assets=tuple(ref(item) for item in others),
                    bundle=True,
                ),
            )
        )
    essays.sort(key=lambda pair: pair[0])  # by entry name

    for item in rest:
        file = Path(item[0])
        if file.parent.name == "critiques" and file.suffix in MARKDOWN_SUFFIXES:
            stray.append(ref(item, lazy=False))
        elif file.suffix in MARKDOWN_SUFFIXES:
            rel = file.relative_to(content).with_suffix("")
            parts = [slug(p) or p for p in rel.parts]
            if parts[-1] == "index":
                parts = parts[:-1]
            pages.append(PageSource("/".join(parts), ref(item, lazy=False)))
        else:
            assets.append(ref(item, lazy=False))
    return Inventory(
        tuple(source for _, source in essays), tuple(pages), tuple(assets), tuple(stray), tuple(errors), warnings
    )


_INDEX_NAMES = tuple("index" + suffix for suffix in MARKDOWN_SUFFIXES)


def all_refs(inventory: Inventory):
    for source in inventory.essays:
        yield from source.files()
    for page in inventory.pages:
        yield page.index
    yield from inventory.assets
    yield from inventory.stray_critiques


def places(inventory: Inventory) -> dict[Path, Place]:
    """Every file of ``inventory`` and where it is (``Inventory.places``)."""
    found: dict[Path, Place] = {}
    for at, source in enumerate(inventory.essays):
        place = Place("essays", at)
        for ref in source.files():
            found[ref.path] = place
    for kind in ("pages", "assets", "stray_critiques"):
        for at, item in enumerate(getattr(inventory, kind)):
            found[item.index.path if kind == "pages" else item.path] = Place(kind, at)
    return found


def replace_refs(inventory: Inventory, fresh: dict[Path, FileRef]) -> Inventory:
    """``inventory`` (with its ``places``) with the ``fresh`` refs in place of those of the
    same path; only the essays and pages they belong to are made again."""
    where = inventory.places
    assert where is not None

    def swap(ref: FileRef) -> FileRef:
        return fresh.get(ref.path, ref)

    parts: dict[str, list] = {}
    for path in fresh:
        place = where[path]
        items = parts.setdefault(place.kind, list(getattr(inventory, place.kind)))
        item = items[place.at]
        if place.kind == "essays":
            items[place.at] = evolve(
                item,
                index=swap(item.index),
                critiques=tuple(map(swap, item.critiques)),
                assets=tuple(map(swap, item.assets)),
            )
        elif place.kind == "pages":
            items[place.at] = evolve(item, index=swap(item.index))
        else:
            items[place.at] = swap(item)
    return evolve(inventory, places=where, **{kind: tuple(items) for kind, items in parts.items()})


def with_digests(source: EssaySource, digests: dict[str, str]) -> EssaySource:
    def fill(ref):
        return ref if ref.digest else evolve(ref, digest=digests.get(ref.rel, ""))

    return evolve(
        source,
        index=fill(source.index),
        critiques=tuple(fill(r) for r in source.critiques),
        assets=tuple(fill(r) for r in source.assets),
    )
