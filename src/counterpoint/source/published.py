"""When each critique, remark, reply and UPD first appeared on the site, from git.

A reader's "new since your last visit" needs the day a piece was published, not
the date written in it (a critique dated in January, its forum date, may be
added to the site today).  When the site is in a git repository, one ``git log``
pass over ``content/`` (oldest commit first, each with its patch) gives, for
every file, the commit that first added it, and for every block header
(``::: on …``, ``::: reply …``, ``::: upd DATE``), the commit that first added
that line to its file: the same idea as mkdocs-git-revision-date, once for the
whole site instead of once per file.  A file or block not committed yet has no
entry; the page then uses its written date.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

_BLOCKS = ("on", "reply", "upd")


@dataclass(frozen=True)
class History:
    """rel path -> first commit time (ISO 8601), and (rel path, block key) -> the same."""

    files: dict[str, str] = field(default_factory=dict)
    blocks: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, rels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """What one essay needs of it: its files' and their blocks' times as (key, time)
        pairs, keys ``rel`` and ``rel NUL block key`` (part of the essay's cache key,
        so a commit that changes them renders it again)."""
        out = [(rel, self.files[rel]) for rel in rels if rel in self.files]
        for rel in rels:
            out += [(f"{rel}\0{key}", time) for key, time in self._by_file.get(rel, ())]
        return tuple(sorted(out))

    @cached_property
    def _by_file(self) -> dict[str, list[tuple[str, str]]]:
        index: dict[str, list[tuple[str, str]]] = {}
        for (rel, key), time in self.blocks.items():
            index.setdefault(rel, []).append((key, time))
        return index


def block_key(line: str) -> str | None:
    """The identity of a block header line: ``::: on "…"``, ``::: reply Name, date`` as
    written (whitespace collapsed), ``::: upd DATE`` by its date (its ``re=`` and
    ``corrects=`` may grow later without making it new); None for any other line."""
    words = line.split()
    if len(words) < 2 or words[0] != ":::" or words[1] not in _BLOCKS:
        return None
    if words[1] == "upd":
        return " ".join(words[:3])
    return " ".join(words)


def git_dir(root: Path) -> Path | None:
    """The repository's git directory when ``root`` is inside a work tree."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: "gitdir: PATH"
            text = dot.read_text("utf-8", "replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (folder / target).resolve()
    return None


def head_key(root: Path) -> str:
    """The commit HEAD names, read from files (no process): part of the no-op check's
    fingerprint, so that a commit that changed no file still refreshes the dates."""
    gitdir = git_dir(root)
    if gitdir is None:
        return ""
    try:
        head = (gitdir / "HEAD").read_text("utf-8").strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        common = gitdir
        if (gitdir / "commondir").is_file():
            common = (gitdir / (gitdir / "commondir").read_text("utf-8").strip()).resolve()
        for base in (gitdir, common):
            if (base / ref).is_file():
                return (base / ref).read_text("utf-8").strip()
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text("utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
    except OSError:
        return ""
    return head


def read_history(root: Path) -> History:
    """The first-appearance times of the site's content/ files and block headers;
    empty when ``root`` is not in a git work tree or git is not installed."""
    if git_dir(root) is None or not (root / "content").is_dir():
        return History()
    try:
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        log = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "-c",
                "core.quotepath=off",
                "log",
                "--reverse",
                "--format=%x00%cI",
                "-p",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "-M",
                "--",
                "content",
            ],
            capture_output=True,
            timeout=600,
            check=True,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return History()
    return parse_log(log, top)


def parse_log(log: str, prefix: str = "") -> History:
    """``git log --reverse --format=%x00%cI -p --unified=0 -M`` output -> History.

    Paths in the log are relative to the repository; ``prefix`` is where the
    site is inside it (``git rev-parse --show-prefix``), taken off every path."""
    files: dict[str, str] = {}
    blocks: dict[tuple[str, str], str] = {}
    when = ""
    path = ""
    renamed_from = ""

    def site_rel(repo_path: str) -> str:
        return repo_path[len(prefix) :] if prefix and repo_path.startswith(prefix) else repo_path

    for line in log.split("\n"):
        if line.startswith("\0"):
            when = line[1:].strip()
        elif line.startswith("diff --git "):
            path, renamed_from = "", ""
        elif line.startswith("rename from "):
            renamed_from = site_rel(line[len("rename from ") :])
        elif line.startswith("rename to "):
            target = site_rel(line[len("rename to ") :])
            if renamed_from in files:  # a moved file keeps the day it first appeared
                files.setdefault(target, files[renamed_from])
                for (rel, key), time in list(blocks.items()):
                    if rel == renamed_from:
                        blocks.setdefault((target, key), time)
            path = target
        elif line.startswith("+++ "):
            name = line[4:]
            path = (site_rel(name[2:]) or "") if name.startswith("b/") else ""
            if path:
                files.setdefault(path, when)
        elif line.startswith("+") and path and not line.startswith("+++"):
            block = block_key(line[1:])
            if block:
                blocks.setdefault((path, block), when)
    return History(files, blocks)
