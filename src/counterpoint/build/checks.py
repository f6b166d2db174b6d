"""Checks that look past one file: pages that would overwrite each other,
critiques outside a bundle, an output folder that must not be written, and
operating-system errors turned into messages a user can act on."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable, Mapping
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
                f"alias '/{alias}' is the address of {pages[key]}"
                if key in pages
                else ""
                if key.startswith("essays/")
                else page_clash(alias.rstrip("/"), None)
            )
            if clash:
                errors.append(
                    ContentError(
                        source.index.rel,
                        1,
                        clash.replace("page address", "alias"),
                        "an alias is an old address of this essay: remove it or change it",
                    )
                )
            else:
                pages[key] = source.index.rel
    return errors


# what the build writes itself, by output path: an asset there would replace it (or be replaced)
ESSAY_FILES = {"index.html": "page", "annotations.json": "annotations", "corrections.xml": "corrections feed"}
SITE_FILES = {
    "index.html": "the home page",
    "404.html": "the 'not found' page",
    "feed.xml": "the site's Atom feed",
    "sitemap.xml": "the sitemap",
    "robots.txt": "robots.txt",
    "tags/index.html": "the list of tags",
    "corrections/index.html": "the corrections page",
    "corrections/feed.xml": "the corrections feed",
    "search/index.html": "the search page",
    "static/pygments.css": "the code colours",
}
_GENERATED_PATTERNS = (
    (re.compile(r"page/\d+/index\.html"), "an index page"),
    (re.compile(r"tags/[^/]+/index\.html"), "a tag's page"),
)


def generated_files(
    essays: Mapping[str, str], pages: Mapping[str, str], static: Iterable[str], redirects: Mapping[str, str] = {}
) -> dict[str, tuple[str, str]]:
    """Lowercased output path -> (output path, what writes it), for the files the
    build makes: ``essays`` maps each essay's file to its slug, ``pages`` each plain
    page's output path to its file, ``static`` the theme's static files,
    ``redirects`` each alias's redirect page to its essay's file."""
    made = {rel: (rel, what) for rel, what in SITE_FILES.items()}
    for rel in static:
        made[rel.lower()] = (rel, "a file of the theme")
    for source, slug in essays.items():
        for name, what in ESSAY_FILES.items():
            rel = f"essays/{slug}/{name}"
            made[rel.lower()] = (rel, f"the {what} of {source}")
    for rel, source in pages.items():
        made[rel.lower()] = (rel, f"the page of {source}")
    for rel, source in redirects.items():
        made[rel.lower()] = (rel, f"the redirect from an old address (aliases:) of {source}")
    return made


def theme_clashes(static: Mapping[str, Path], root: Path) -> list[ContentError]:
    """A theme's static file where the build writes one of its own (``static/pygments.css``,
    compared without case): which of the two was published depended on what the build
    had to redo, the full build's or the theme's."""
    return [
        ContentError(
            display_path(path, root),
            1,
            f"this file would be published as '{rel}', where the build writes {SITE_FILES[rel.lower()]}",
            "rename the file (e.g. static/code.css) and link it from the theme's base.html instead",
        )
        for rel, path in static.items()
        if rel.lower() in SITE_FILES
    ]


def output_clashes(
    inventory: Inventory,
    content: Path,
    essays: Mapping[str, str],
    generated: Mapping[str, tuple[str, str]],
    search: bool,
) -> list[ContentError]:
    """Assets whose output path is a file the build makes itself (compared without
    case: one file on macOS and Windows): one of them would silently replace the other."""
    found: list[tuple[str, str, tuple[str, str]]] = []  # (asset, its output path, (generated path, what))
    for source in inventory.essays:
        if not source.bundle:
            continue
        slug = essays.get(source.index.rel, source.slug)
        folder = source.index.path.parent
        for asset in source.assets:
            inside = asset.path.relative_to(folder).as_posix()
            if inside.lower() in ESSAY_FILES:
                rel = f"essays/{slug}/{inside.lower()}"
                found.append(
                    (
                        asset.rel,
                        f"essays/{slug}/{inside}",
                        (rel, f"the {ESSAY_FILES[inside.lower()]} of {source.index.rel}"),
                    )
                )
    for asset in inventory.assets:
        rel = asset.path.relative_to(content).as_posix()
        key = rel.lower()
        owner = generated.get(key)
        if owner is None:
            pattern = next((what for regex, what in _GENERATED_PATTERNS if regex.fullmatch(key)), None)
            if pattern is not None:
                owner = (key, pattern)
            elif search and key.split("/", 1)[0] == "pagefind":
                owner = ("pagefind/", "the search index")
        if owner is not None:
            found.append((asset.rel, rel, owner))
    return [
        ContentError(
            asset,
            1,
            f"this file would be published as '{rel}', where the build writes {what}"
            if rel == made
            else f"this file would be published as '{rel}', the same file as '{made}' on macOS and Windows, "
            f"where the build writes {what}",
            "rename or move the file: one of the two would replace the other",
        )
        for asset, rel, (made, what) in found
    ]


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
    if out.exists() and not out.is_dir():  # site.yml, /dev/null: said as what it is, not as a write failure
        raise UsageError(f"output {out} is a file, not a folder; choose a folder such as {root / 'public'}")
    if out == root or out in root.parents:
        raise UsageError(
            f"output folder {out} is the site folder or contains it; choose a folder such as {root / 'public'}"
        )
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
    # a page of the output read back for the feeds (``feeds.Bodies``) that changed meanwhile
    stale = exc.errno == errno.ESTALE
    writing = not stale and (path == out or out in path.parents or out.resolve() in path.parents)
    verb = "cannot write" if writing else "cannot read"
    unchanged = " (the output folder was left as it was)" if writing else ""
    hints = {
        errno.ENOSPC: ("no space left on the device", "free some disk space and build again" + unchanged),
        errno.EDQUOT: ("disk quota exceeded", "free some space and build again" + unchanged),
        errno.EACCES: ("permission denied", "check the permissions of the file and its folder" + unchanged),
        errno.EPERM: ("operation not permitted", "check the permissions of the file and its folder" + unchanged),
        errno.ENOENT: (
            "the file disappeared during the build",
            "it was moved or deleted while the site was building; build again",
        ),
        errno.ESTALE: (
            exc.strerror,
            "something else writes into the output folder while the site builds; build again",
        ),
        errno.EROFS: ("the file system is read-only", "choose an output folder on a writable disk"),
        errno.EISDIR: (
            exc.strerror,
            "move or rename that folder; a build never deletes what it did not make" + unchanged,
        ),
        errno.EXDEV: (
            exc.strerror,
            "remove that symlink from the output folder, or choose another output folder" + unchanged,
        ),
    }
    message, hint = hints.get(exc.errno or 0, (exc.strerror or str(exc), "check the file and build again" + unchanged))
    return ContentError(display_path(path, root), 0, f"{verb} file: {message}", hint)
