"""The walk of ``content/``: every file with its stat, and one digest of what was seen.

Standard library only: a build with nothing to do (``uptodate.py``) walks the
folder before anything else of the build is loaded.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat as stat_mode
from hashlib import blake2b, sha256
from pathlib import Path

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")  # Markdown files: essays, pages, critiques; never assets

# Editors' swap, backup and write-then-rename files, OS litter and the build's own temp
# files (``.cp-tmp-*``): never a source, wherever they are.  The watcher of ``serve``
# uses the same rule, so a file the walk skips never triggers a rebuild and a file the
# walk sees always does.
LITTER = (
    "*~",
    ".*.sw?",
    "*.swp",
    "*.swx",
    "4913",
    "*___jb_tmp___",
    "*___jb_old___",
    ".goutputstream-*",
    ".#*",
    "#*#",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    ".~lock.*#",
    "*.kate-swp",
    # Qt's save (Kate, KWrite...): the new text in ``index.md.XXXXXX``, renamed over ``index.md``
    *(f"*{suffix}.{'[a-z0-9]' * 6}" for suffix in MARKDOWN_SUFFIXES),
    "*.tmp",
    ".cp-tmp-*",
)
_LITTER = re.compile("|".join(fnmatch.translate(pattern) for pattern in LITTER), re.IGNORECASE)


def litter(name: str) -> bool:
    """An editor's or the system's file (``.x.swp``, ``x~``, ``#x#``, ``4913``, ``Thumbs.db``)."""
    return _LITTER.match(name) is not None


def ignored(name: str) -> bool:
    """What the walk of ``content/`` skips: litter, and hidden or ``_``-prefixed names."""
    return name.startswith((".", "_")) or litter(name)


Scanned = tuple[str, os.stat_result]  # (absolute path, its stat)


def link_problem(link: str, allowed: str, root: Path) -> str:
    """Why the symlink ``link`` is not followed, or '' when it is: its target must be
    a file inside the folder ``allowed`` (``content/``, or a theme's ``static/``),
    and neither it nor a folder on its way there may be hidden.  A link to the
    site's ``.git/config``, an ``.env`` or ``site.yml`` would otherwise be published."""
    target = os.path.realpath(link)
    base = os.path.realpath(allowed)
    shown = _shown(target, root)
    if not target.startswith(base + os.sep):
        return f"its target {shown} is outside {_shown(base, root)}/"
    parts = target[len(base) + 1 :].split(os.sep)
    if any(part.startswith(".") for part in parts[:-1]):
        return f"its target {shown} is in a hidden folder"
    if parts[-1].startswith("."):
        return f"its target {shown} is a hidden file"
    if os.path.isdir(target):
        return f"its target {shown} is a folder (links to folders are not followed)"
    if not os.path.isfile(target):
        return f"its target {shown} does not exist"
    return ""


def link_warning(link: str, problem: str, root: Path) -> str:
    return f"{_shown(link, root)}: warning: symlink not followed: {problem}"


def _shown(path: str, root: Path) -> str:
    """``path`` as the user knows it: relative to the site folder when inside it."""
    for base in (str(root), os.path.realpath(root)):
        if path.startswith(base + os.sep):
            return path[len(base) + 1 :].replace(os.sep, "/")
    return path


def is_skipped_link(item: Scanned) -> bool:
    """An entry of ``scan`` that stands for a symlink not followed (its own lstat)."""
    return stat_mode.S_ISLNK(item[1].st_mode)


def link_warnings(files: list[Scanned], root: Path) -> list[str]:
    """A warning per symlink of ``content/`` that ``scan`` did not follow."""
    content = str(root / "content")
    return [
        link_warning(path, link_problem(path, content, root), root) for path, st in files if is_skipped_link((path, st))
    ]


def scan(root: Path) -> list[Scanned]:
    """Every regular file below ``content/`` with its stat, in ``os.walk`` order
    (a folder's files by name, then its subfolders by name), skipping hidden and
    editor files.  A symlink is followed only to a file inside ``content/``
    (``link_problem``); one that is not is listed with its own lstat
    (``is_skipped_link``), so that it is reported, and its appearing or going
    changes the ``signature``.

    One ``scandir`` per folder and one stat per file, strings only: a no-op
    build of a large site is mostly this walk.
    """
    found: list[Scanned] = []
    content = root / "content"
    if not content.is_dir():
        return found
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
                    if link_problem(entry.path, str(content), root):
                        found.append((entry.path, entry.stat(follow_symlinks=False)))
                    else:
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


# what to do about an ``image:`` that ``content_file`` does not find
IMAGE_HINT = "put the file there or fix the path (an https:// address is not checked)"


def content_file(root: Path, rel: str) -> bool:
    """``rel`` (a path in ``content/``, as the output has it: ``img/x.png``) names a file
    there, and nothing that leaves ``content/`` (``..``, a symlink out): what a page may
    link to (``favicon:``, ``extra_css:``, an essay's ``image:``) without a 404."""
    content = root / "content"
    return bool(rel) and (content / rel).resolve().is_relative_to(content) and (content / rel).is_file()


def digest_bytes(data: bytes) -> str:
    """The digest of a file's bytes, an input's or an output's: 128 bits of SHA-256, which
    CPUs with SHA instructions (x86 since ~2017-2019, ARMv8) hash about twice as fast as
    blake2b: 26 against 50 µs for a 40 KB page here, 1 % of a cold build's CPU."""
    return sha256(data).hexdigest()[:32]


def site_digest(data: bytes) -> str:
    """The digest of site.yml's bytes: the configuration's part of every cache key."""
    return blake2b(data, digest_size=16).hexdigest()
