"""A build with nothing to do, found out before the rest of the build is loaded.

Each successful ``build`` records what its output was made from: one
fingerprint of every content file's path, size and mtime, site.yml's bytes,
the templates, the theme's static files, the code and the options.  The next
``build`` with the same options walks ``content/``, reads site.yml and the
templates, and when the fingerprint is the recorded one and every file the last
build wrote is still in the output at its size, it is done: no YAML parsed, no
cache, Markdown, Jinja or Babel loaded.  Standard library and small modules only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

from counterpoint.build.record import cache_dir, inputs_key, manifest_file, output_key
from counterpoint.errors import BuildFailed
from counterpoint.output.manifest import Manifest
from counterpoint.output.output import atomic_write
from counterpoint.source.published import head_key
from counterpoint.source.walk import Scanned, is_skipped_link, scan, signature, site_digest
from counterpoint.theme.theme import Theme, load_theme

RECORD = "last-build.json"


def fingerprint(root: Path, files: list[Scanned], inputs: str, theme: Theme) -> str:
    """Everything a build's output follows from: the inputs key (``record.inputs_key``:
    site.yml, the templates, the code, the libraries, the options), every content file's
    path, size and mtime (the same test the file-digest memo makes) and the theme's
    static files."""
    h = blake2b(digest_size=16)
    static = sorted((rel, path.stat()) for rel, path in theme.static_files().items())
    for part in (
        inputs,
        signature(files, root),
        *(f"{rel}:{st.st_size}:{st.st_mtime_ns}" for rel, st in static),
        head_key(root),  # a commit changes when things were published, not a file
    ):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Record:
    """What the last recorded build was made from, and into which folder."""

    options: str
    fingerprint: str
    essays: int
    site_digest: str  # of site.yml's bytes
    base_url: str
    output: str
    theme: str
    drafts: bool
    search: bool
    until: float = 0.0  # when the first essay dated in the future comes due (UTC timestamp), 0: none


@dataclass(frozen=True)
class Check:
    """``essays`` is set when there is nothing to do; ``files`` is the walk, if one was
    made, for the build that follows."""

    essays: int | None
    output: Path | None
    files: list[Scanned] | None


def check(root: Path, options: str) -> Check:
    """Whether a build with ``options`` has anything to do; any doubt says it has."""
    record = _load(root)
    if record is None or record.options != options:
        return Check(None, None, None)  # no walk: a cold build makes it while its workers start
    if record.until and time.time() >= record.until:
        return Check(None, None, None)  # an essay held back (or marked) until now is due
    files = scan(root)
    output = Path(record.output)
    try:
        theme = load_theme(root, record.theme)
        if any(map(is_skipped_link, files)) or theme.static_scan(root)[1]:
            return Check(None, None, files)  # the build says which symlinks it did not follow, every time
        inputs = inputs_key(
            site_digest=site_digest((root / "site.yml").read_bytes()),
            base_url=record.base_url,
            output=output_key(root, output),
            theme_digest=theme.digest,
            drafts=record.drafts,
            search=record.search,
        )
        now = fingerprint(root, files, inputs, theme)
        if now != record.fingerprint or (record.search and not _search_index_complete(output)):
            return Check(None, None, files)
        manifest = Manifest.load(manifest_file(root, output))
    except (OSError, BuildFailed):  # a file that vanished meanwhile, a theme that is gone: the build says what
        return Check(None, None, files)
    if not (manifest.files and manifest.all_intact(output)):
        return Check(None, None, files)
    return Check(record.essays, output, files)


def save(root: Path, record: Record) -> None:
    path = cache_dir(root) / RECORD
    try:
        atomic_write(path, json.dumps(record.__dict__).encode())
    except OSError:  # a read-only or full cache folder: no record, or at least not a wrong one
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def forget(root: Path, output: Path) -> None:
    """A build into ``output`` that does not record: the record of that folder no longer holds."""
    record = _load(root)
    if record is not None and record.output == str(output):
        try:
            (cache_dir(root) / RECORD).unlink(missing_ok=True)
        except OSError:  # a cache folder that cannot be written: nor could the record have been
            pass


def _load(root: Path) -> Record | None:
    try:
        return Record(**json.loads((cache_dir(root) / RECORD).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _search_index_complete(output: Path) -> bool:
    from counterpoint.output.search import bundle_complete  # small; Pagefind itself runs only in a full build

    return bundle_complete(output)
