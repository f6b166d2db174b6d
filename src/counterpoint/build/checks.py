"""Checks that look past one file: pages that would overwrite each other,
critiques outside a bundle, an output folder that must not be written, and
operating-system errors turned into messages a user can act on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from counterpoint.errors import ContentError, UsageError, display_path
from counterpoint.model import EssayResult
from counterpoint.output.output import STAGING_PREFIX
from counterpoint.source.config import SiteConfig
from counterpoint.source.content import Inventory


def stray_errors(inventory: Inventory) -> list[ContentError]:
    return [
        ContentError(
            ref.rel,
            1,
            "critique is outside any essay bundle",
            "critiques live in content/essays/<slug>/critiques/ beside the essay's index.md",
        )
        for ref in inventory.stray_critiques
    ]


def collisions(inventory: Inventory, results: dict[str, EssayResult]) -> list[ContentError]:
    """Two sources that would write the same page (also differing only in case)."""
    owners: dict[str, str] = {}
    errors: list[ContentError] = []
    for source in inventory.essays:
        result = results.get(source.index.rel)
        slug = result.summary.slug if result and result.summary else source.slug
        key = slug.lower()
        if key in owners:
            errors.append(
                ContentError(
                    source.index.rel,
                    1,
                    f"essay slug '{slug}' is also used by {owners[key]}",
                    "two essays would write the same page: set a different 'slug:' in one of them",
                )
            )
        else:
            owners[key] = source.index.rel
    pages = {f"essays/{key}/": rel for key, rel in owners.items()}
    for source in inventory.essays:
        result = results.get(source.index.rel)
        for alias in result.summary.aliases if result and result.summary else ():
            key = alias.lower()
            clash = (
                f"alias '/{alias}' is the address of {pages[key]}" if key in pages
                else "" if key.startswith("essays/") else page_clash(alias.rstrip("/"), None)
            )
            if clash:
                errors.append(ContentError(source.index.rel, 1, clash.replace("page address", "alias"),
                                           "an alias is an old address of this essay: remove it or change it"))
            else:
                pages[key] = source.index.rel
    return errors


_SITE_SECTIONS = ("tags", "corrections", "search", "static", "pagefind")


def page_clash(slug: str, owner: str | None) -> str:
    """Why a plain page at ``slug`` would overwrite another page (also one differing
    only in case, which is the same file on macOS and Windows), or ''."""
    parts = slug.lower().split("/")
    if owner:
        return f"page address '/{slug}/' is also used by {owner}"
    if not slug:
        return "this page would replace the site's home page (index.html)"
    if parts[0] in _SITE_SECTIONS:
        return f"page address '/{slug}/' is inside the site's own /{parts[0]}/ section"
    if parts[0] == "essays" and len(parts) > 1:
        return f"page address '/{slug}/' is inside /essays/, where essays are"
    if parts[0] == "page" and len(parts) > 1 and parts[1].isdigit():
        return f"page address '/{slug}/' is an index page of the site"
    return ""


def check_output(config: SiteConfig, allow_outside: bool = False, manifest: Path | None = None) -> None:
    out = config.output.resolve()
    root = config.root.resolve()
    if out == root or out in root.parents:
        raise UsageError(f"output folder {out} is the site folder or contains it; choose a folder such as {root / 'public'}")
    if (out / "site.yml").exists() or (out / "content").is_dir():
        raise UsageError(f"output folder {out} holds a site (site.yml or content/); refusing to write into it")
    if root / "content" in (out, *out.parents):
        raise UsageError(f"output folder {out} is inside content/; choose a folder such as {root / 'public'}")
    if root not in out.parents and not allow_outside and foreign_files(out) and not (manifest and manifest.exists()):
        raise UsageError(
            f"output folder {out} is outside the site and already holds files that counterpoint did not make; "
            "choose a new or empty folder, or pass --allow-outside-output to build into it anyway "
            "(files the build did not make are never removed)"
        )


def foreign_files(out: Path) -> bool:
    """``out`` exists and holds something other than a killed build's staging folder."""
    try:
        return any(not entry.name.startswith(STAGING_PREFIX) for entry in out.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return out.exists()
    except OSError:
        return True


def os_error(exc: OSError, root: Path, out: Path) -> ContentError:
    """An operating-system error during a build, as the user can act on it:
    the file (as the user knows it, never a staging path) and what to do."""
    where = exc.filename2 if exc.errno == errno.ENOSPC and exc.filename2 else exc.filename or exc.filename2
    path = Path(os.fsdecode(where)) if where else out
    parts = [p for p in path.parts if not p.startswith(STAGING_PREFIX)]
    path = Path(*parts) if parts else path
    writing = path == out or out in path.parents or out.resolve() in path.parents
    verb = "cannot write" if writing else "cannot read"
    unchanged = " (the output folder was left as it was)" if writing else ""
    hints = {
        errno.ENOSPC: ("no space left on the device", "free some disk space and build again" + unchanged),
        errno.EDQUOT: ("disk quota exceeded", "free some space and build again" + unchanged),
        errno.EACCES: ("permission denied", "check the permissions of the file and its folder" + unchanged),
        errno.EPERM: ("operation not permitted", "check the permissions of the file and its folder" + unchanged),
        errno.ENOENT: ("the file disappeared during the build", "it was moved or deleted while the site was building; build again"),
        errno.EROFS: ("the file system is read-only", "choose an output folder on a writable disk"),
        errno.EISDIR: (exc.strerror, "move or rename that folder; a build never deletes what it did not make" + unchanged),
        errno.EXDEV: (exc.strerror, "remove that symlink from the output folder, or choose another output folder" + unchanged),
    }
    message, hint = hints.get(exc.errno or 0, (exc.strerror or str(exc), "check the file and build again" + unchanged))
    return ContentError(display_path(path, root), 0, f"{verb} file: {message}", hint)
