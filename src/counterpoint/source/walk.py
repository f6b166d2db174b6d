"""The walk of ``content/``: every file with its stat, and one digest of what was seen.

Standard library only: a build with nothing to do (``uptodate.py``) walks the
folder before anything else of the build is loaded.
"""

from __future__ import annotations

import fnmatch
import os
import re
from hashlib import blake2b
from pathlib import Path

# Editors' swap, backup and write-then-rename files, OS litter and the build's own temp
# files (``.cp-tmp-*``): never a source, wherever they are.  The watcher of ``serve``
# uses the same rule, so a file the walk skips never triggers a rebuild and a file the
# walk sees always does.
LITTER = (
    "*~", ".*.sw?", "*.swp", "*.swx", "4913", "*___jb_tmp___", "*___jb_old___", ".goutputstream-*",
    ".#*", "#*#", ".DS_Store", "Thumbs.db", "desktop.ini", ".~lock.*#", "*.kate-swp", "*.tmp", ".cp-tmp-*",
)
_LITTER = re.compile("|".join(fnmatch.translate(pattern) for pattern in LITTER), re.IGNORECASE)


def litter(name: str) -> bool:
    """An editor's or the system's file (``.x.swp``, ``x~``, ``#x#``, ``4913``, ``Thumbs.db``)."""
    return _LITTER.match(name) is not None


def ignored(name: str) -> bool:
    """What the walk of ``content/`` skips: litter, and hidden or ``_``-prefixed names."""
    return name.startswith((".", "_")) or litter(name)


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
            if ignored(entry.name):
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
