"""Output stage: stage every new file, then put them in place atomically.

Files are written into a staging folder inside the output folder (same file
system), and only when the whole build succeeded is each one moved into
place with ``os.replace`` — a reader of the folder sees the old file or the
new one, never half of one; a failed build leaves the output untouched.
Files the previous build made but this one did not are removed by the
previous build's manifest, never by a recursive delete, so ``.git``,
``CNAME`` and other files the build did not make survive.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from counterpoint.model import OutputRef
from counterpoint.output.lock import owner_gone, owner_tag
from counterpoint.source.walk import digest_bytes  # noqa: F401 - the stages name it here, with the output

if TYPE_CHECKING:
    from counterpoint.output.manifest import Manifest

STAGING_PREFIX = ".cp-tmp-"


def staging_prefix(kind: str = "stage") -> str:
    """The start of a new staging folder's name: it names its owner (``lock.owner_tag``)."""
    return f"{STAGING_PREFIX}{kind}-{owner_tag()}-"


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Write ``data`` (or what ``data(handle)`` writes) to ``path``: all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Stage:
    """A staging folder for one build; ``commit`` or ``discard`` it."""

    def __init__(self, out: Path, manifest: Manifest, created: bool | None = None):
        self.out = out
        self.manifest = manifest
        # a failed first build removes the folder it made (``created``: made just before, by the lock)
        self.created = not out.exists() if created is None else created
        self.committed = False
        out.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=staging_prefix(), dir=out))
        self.files: dict[str, tuple[str, int]] = {}  # what the output holds once committed: rel -> (digest, size)
        self.staged: set[str] = set()
        # carried over (``carry_over``): the files dropped since, which the commit removes unless made again;
        # None: every file of the output is made again, and the old ones not made are removed
        self.dropped: set[str] | None = None
        self.edits: dict[str, tuple[str, int] | None] = {}  # once committed: entries that differ from the manifest
        self._checked: set[Path] = set()  # output folders known to stay inside the output

    def write(self, rel: str, data: bytes) -> OutputRef:
        ref = OutputRef(rel, digest_bytes(data), len(data))
        if not self.manifest.intact(self.out, ref):
            write_staged(self.dir, rel, data)
            self.staged.add(rel)
        self.files[rel] = (ref.digest, ref.size)
        return ref

    def copy(self, rel: str, source: Path, digest: str) -> OutputRef:
        ref = OutputRef(rel, digest, source.stat().st_size)
        if not self.manifest.intact(self.out, ref):
            target = self.dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.staged.add(rel)
        self.files[rel] = (ref.digest, ref.size)
        return ref

    def adopt_written(self, refs: Iterable[OutputRef]) -> None:
        """Files a worker process has just written into this stage.  One that
        came out byte-identical to the output's (after a CSS-only theme change,
        say) is not put in place again, so serve can swap the stylesheet
        instead of reloading the page."""
        for ref in refs:
            self.files[ref.rel] = (ref.digest, ref.size)
            if not self.manifest.intact(self.out, ref):
                self.staged.add(ref.rel)

    def adopt(self, refs: tuple[OutputRef, ...]) -> None:
        """Files of the output that a cached result made and that stay as they are."""
        for ref in refs:
            self.files[ref.rel] = (ref.digest, ref.size)

    def carry_over(self) -> None:
        """Start from every file the output holds (a trusted manifest), instead of adopting
        each again: ``serve``'s edit at 10,000 essays then handles only what it changed.
        Whoever made a file that may go ``drop``s it; the commit removes it unless made again."""
        self.files = dict(self.manifest.files)
        self.dropped = set()

    def drop(self, rels: Iterable[str]) -> None:
        """Carried-over files that this build may no longer make (see ``carry_over``)."""
        assert self.dropped is not None
        for rel in rels:
            if self.files.pop(rel, None) is not None:
                self.dropped.add(rel)

    def commit(self) -> tuple[list[str], dict[str, tuple[str, int]]]:
        """Move every staged file into place, then remove stale ones; the files the
        output holds now (the next manifest).

        All or nothing: every target is checked first; a file about to be
        replaced or removed is kept (hard-linked, else moved) in the staging
        folder, so that when a replace fails half way (a full disk, a file
        locked by another program) everything done so far is undone and the
        output is as the previous build left it.
        """
        changed: list[str] = []
        new = self.files
        if self.dropped is None:
            gone = set(self.manifest.files) - set(new)
        else:  # carried over: only what was dropped can be gone (no set of every file)
            gone = {rel for rel in self.dropped if rel not in new}
        self.edits = {rel: new[rel] for rel in self.staged if new[rel] != self.manifest.files.get(rel)}
        self.edits.update(dict.fromkeys(gone))
        if self.created and [p.name for p in self.out.iterdir()] == [self.dir.name]:
            return self._commit_fresh(), new
        stale = [rel for rel in sorted(gone) if self._removable(rel)]
        backup = self.dir / ".cp-old"  # no output path starts with a dot folder
        done: list[tuple[str, bool]] = []  # (rel, had an old version) in the order applied
        made: list[Path] = []  # folders this commit created, outermost first
        try:
            for rel in sorted(self.staged):
                self._check_target(rel)
            for rel in sorted(self.staged):
                target = self.out / rel
                if not target.parent.is_dir():
                    missing = [target.parent, *(p for p in target.parent.parents if _below(p, self.out))]
                    made += reversed([p for p in missing if not p.exists()])
                    target.parent.mkdir(parents=True, exist_ok=True)
                existed = _keep(target, backup / rel, move=False)
                done.append((rel, existed))
                os.replace(self.dir / rel, target)
                changed.append(rel)
            for rel in stale:
                target = self.out / rel
                done.append((rel, _keep(target, backup / rel, move=True)))
                changed.append(rel)
                _prune_empty(target.parent, self.out)
            self.committed = True
        except BaseException:
            self._roll_back(done, backup)
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    pass
            raise
        finally:
            self.discard()
        return changed, new

    def _commit_fresh(self) -> list[str]:
        """The first build into a folder it created itself: everything in the
        folder is this build's, so moving the staged top-level entries (a few
        renames, not one per file) puts the whole site in place."""
        moved: list[Path] = []
        try:
            for entry in sorted(self.dir.iterdir()):
                target = self.out / entry.name
                os.rename(entry, target)
                moved.append(target)
            self.committed = True
        except BaseException:
            for target in moved:  # made by this build a moment ago: nothing else is in there
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)
            raise
        finally:
            self.discard()
        return sorted(self.staged)

    def _check_target(self, rel: str) -> None:
        """Refuse to write through a symlinked folder that leads out of the output,
        or over a folder that stands where a file goes."""
        target = self.out / rel
        if target.parent not in self._checked and not _inside(target.parent, self.out):
            raise OSError(
                errno.EXDEV, "a folder on the way is a symlink that leads out of the output folder", str(target)
            )
        self._checked.add(target.parent)
        if target.is_dir() and not target.is_symlink():
            raise OSError(errno.EISDIR, "a folder of that name is in the way", str(target))

    def _removable(self, rel: str) -> bool:
        target = self.out / rel
        return (target.is_file() or target.is_symlink()) and _inside(target.parent, self.out)

    def _roll_back(self, done: list[tuple[str, bool]], backup: Path) -> None:
        for rel, existed in reversed(done):
            target = self.out / rel
            try:
                if existed:
                    os.replace(backup / rel, target)
                elif target.is_file() or target.is_symlink():
                    target.unlink()
                    _prune_empty(target.parent, self.out)
            except OSError:
                continue  # keep restoring the rest

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.created and not self.committed:
            try:
                self.out.rmdir()  # only when empty: a failed first build leaves nothing behind
            except OSError:
                pass


def copy_staged(stage_dir: Path, rel: str, source: Path) -> None:
    """Copy ``source`` into the stage as ``rel``, by the kernel where it can
    (``copy_file_range``/``sendfile``): never the whole file in memory."""
    target = stage_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def write_staged(stage_dir: Path, rel: str, data: bytes) -> None:
    target = stage_dir / rel
    try:
        handle = open(target, "wb")
    except FileNotFoundError:  # the folder's first file: one mkdir per folder, not per file
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target, "wb")
    with handle:
        handle.write(data)


def _keep(target: Path, backup: Path, *, move: bool) -> bool:
    """Keep the current ``target`` at ``backup`` (for a roll-back); False when there is none."""
    if not (target.is_file() or target.is_symlink()):
        return False
    backup.parent.mkdir(parents=True, exist_ok=True)
    if not move:
        try:
            os.link(target, backup, follow_symlinks=False)  # free: the old file stays where it is
            return True
        except OSError:
            pass  # no hard links here: copy it
        shutil.copy2(target, backup, follow_symlinks=False)
        return True
    os.replace(target, backup)
    return True


def _below(path: Path, out: Path) -> bool:
    """``path`` is strictly below ``out`` (no symlinks resolved)."""
    return out in path.parents


def _inside(folder: Path, out: Path) -> bool:
    """``folder`` is ``out`` or below it, once symlinks are resolved."""
    try:
        real, base = folder.resolve(), out.resolve()
    except OSError:
        return False
    return real == base or base in real.parents


def _prune_empty(folder: Path, out: Path) -> None:
    """Remove folders left empty by stale pages, up to (not including) the output root."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def remove_stale_stages(out: Path, *, own: bool = False) -> None:
    """Staging folders left by a build that was killed: those whose owner is gone
    (another running process's, such as serve's search index, stay); ``own``: this
    process's too, once none of its builds runs."""
    mine = staging_prefix()
    if out.is_dir():
        for entry in out.iterdir():
            if (
                entry.name.startswith(STAGING_PREFIX + "stage-")
                and entry.is_dir()
                and not entry.is_symlink()
                and (owner_gone(entry.name) or (own and entry.name.startswith(mine)))
            ):
                shutil.rmtree(entry, ignore_errors=True)
