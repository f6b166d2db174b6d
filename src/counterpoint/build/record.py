"""What a build keeps for the next one: the cache, the manifest of the output, the
record of what the output was made from, and the one key that says which inputs
(besides the content files) a build's output depends on.

Light on purpose (standard library and small modules): a build with nothing to
do (``uptodate.py``) computes the same key before anything else is loaded.
"""

from __future__ import annotations

import pickle
import sys
from contextlib import suppress
from dataclasses import dataclass, replace
from hashlib import blake2b
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from counterpoint import __version__
from counterpoint.build.cache import CACHE_FORMAT, CacheState
from counterpoint.errors import display_path, say
from counterpoint.output.manifest import Manifest
from counterpoint.output.output import atomic_write
from counterpoint.versions import code_fingerprint, library_versions

if TYPE_CHECKING:
    from counterpoint.build.options import BuildOptions
    from counterpoint.model import EssayResult, EssaySource
    from counterpoint.site.site_pages import Listing
    from counterpoint.source.config import SiteConfig
    from counterpoint.theme.theme import Theme


def inputs_key(*, site_digest: str, base_url: str, output: str, theme_digest: str, drafts: bool, search: bool) -> str:
    """Everything but the content files that a build's output follows from: the cache
    format, this code, the versions of the libraries that shape the output, site.yml's
    bytes, the options and the theme's templates.  The only place this is computed."""
    libraries = ",".join(f"{name}={version}" for name, version in library_versions().items())
    parts = (
        str(CACHE_FORMAT),
        code_fingerprint(),
        libraries,
        site_digest,
        base_url,
        output,
        theme_digest,
        str(drafts),
        str(search),
    )
    return blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def cache_dir(root: Path) -> Path:
    return root / ".counterpoint" / "cache"


def output_key(root: Path, output: Path) -> str:
    """The output folder as the cache names it: relative to the site when inside it, so a
    site copied or cloned elsewhere with its cache (a CI cache) finds that cache."""
    try:
        return Path(output).relative_to(root).as_posix()
    except ValueError:
        return str(output)


def per_output(root: Path, output: Path, name: str) -> Path:
    """A file of the cache that belongs to one output folder (``name`` has a ``{}``)."""
    return cache_dir(root) / name.format(blake2b(output_key(root, output).encode(), digest_size=6).hexdigest())


def manifest_file(root: Path, output: Path) -> Path:
    """The list of the files a build wrote into ``output`` (``output.Manifest``)."""
    return per_output(root, output, "manifest-{}.json")


def folder_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


@dataclass
class LastBuild:
    """What one successful build made, kept in memory for the next (``serve``), which
    then handles only what the edited files changed (``steps.essays``)."""

    inputs: str  # its inputs key, navigation included
    sources: dict[str, EssaySource]  # by essay file: what each result that holds was made from
    results: dict[str, EssayResult]  # by essay file: every essay's result
    shape: tuple[object, ...]  # what else made files: the plain pages', the theme's and content/'s
    pages: frozenset[str]  # the site pages it made
    listing: Listing | None = None  # the essays as its site pages listed them


class BuildRecord:
    """The cache (on disk for ``build``, in memory for ``serve``) and the manifest of
    one engine's builds."""

    def __init__(self, root: Path, options: BuildOptions):
        self.root = root
        self.options = options
        self.state: CacheState | None = None  # loaded by the first build that needs it
        self._last_manifest: tuple[Manifest, tuple[int, int] | None] | None = None
        self.history: tuple[str, Any] | None = None  # (HEAD, published.History) of the last build
        self._inputs: tuple[tuple[str, ...], str] | None = None  # (what the key was made of, the key)
        self._last: LastBuild | None = None  # what the last successful build made, for serve's next

    def inputs(self, config: SiteConfig, theme: Theme) -> str:
        """``inputs_key`` of this build; made again only when site.yml, the output, the
        theme or the options changed: the code and the libraries of a running process do
        not (it reads every module of the package: 10 ms a rebuild in ``serve``)."""
        made_of = (
            config.digest,
            config.base_url,
            output_key(self.root, config.output),
            theme.digest,
            str(config.search),
        )
        if self._inputs is None or self._inputs[0] != made_of:
            key = inputs_key(
                site_digest=config.digest,
                base_url=config.base_url,
                output=made_of[2],
                theme_digest=theme.digest,
                drafts=self.options.drafts,
                search=config.search,
            )
            self._inputs = (made_of, key)
        return self._inputs[1]

    def keep(self, last: LastBuild) -> None:
        """After a build that put its output in place: what it was made of."""
        self._last = last

    def last_build(self, inputs: str, manifest: Manifest) -> LastBuild | None:
        """The last build, for a build with the same ``inputs`` into the output it made (a
        trusted manifest): an essay whose source is the very same object (``serve``
        refreshes only the edited files) has the same result, which is in place."""
        if not manifest.trusted or self._last is None or self._last.inputs != inputs:
            return None
        return self._last

    # -- the cache -------------------------------------------------------------
    def cache_file(self, output: Path) -> Path:
        return per_output(self.root, output, "state-{}.pickle")

    def has_cache(self, output: Path) -> bool:
        return self.state is not None or (self.options.use_cache and self.cache_file(output).exists())

    def load_state(self, output: Path) -> CacheState:
        if self.state is not None:
            return self.state
        state = CacheState()
        if self.options.use_cache:
            try:
                with open(self.cache_file(output), "rb") as handle:
                    fmt, version, loaded = pickle.load(handle)
                if fmt == CACHE_FORMAT and version == __version__ and isinstance(loaded, CacheState):
                    state = loaded
            except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
                state = CacheState()
        self.state = state
        return state

    def save_state(self, output: Path, state: CacheState) -> None:
        """After a build: on disk, unless the cache is kept in memory (``serve``, ``--no-cache``)."""
        if self.options.records:
            self._write(output, state)

    def write_state(self, output: Path) -> None:
        """The cache as it is in memory, on disk now (``serve``: once it serves, and when it stops)."""
        if self.state is not None and self.options.use_cache:
            self._write(output, self.state)

    def _write(self, output: Path, state: CacheState) -> None:
        def dump(handle: BinaryIO) -> None:  # streamed: a large site's cache is never one more copy in memory
            pickle.dump((CACHE_FORMAT, __version__, state), handle, protocol=5)

        try:
            atomic_write(self.cache_file(output), dump)
        except OSError:  # a full disk: the next build just starts cold
            with suppress(OSError):
                self.cache_file(output).unlink(missing_ok=True)

    # -- the manifest ----------------------------------------------------------
    def last_manifest(self) -> Manifest | None:
        """The manifest of this engine's last build, if it made one."""
        return self._last_manifest[0] if self._last_manifest is not None else None

    def ours(self, out: Path) -> bool:
        """The output folder is the one this engine's last build made (``serve``)."""
        return self._last_manifest is not None and self._last_manifest[1] == folder_id(out)

    def manifest(self, out: Path) -> Manifest:
        """What the output holds.  Right after our own build into the same,
        still existing folder (``serve``), it is trusted without a stat per file."""
        if self._last_manifest is not None:
            manifest, folder = self._last_manifest
            if folder is not None and folder == folder_id(out):
                return replace(manifest, trusted=True)
        # read and kept with or without the cache: it is what the output folder holds
        return Manifest.load(manifest_file(self.root, out))

    def save_manifest(self, out: Path, manifest: Manifest, since: Manifest, edits: dict) -> None:
        """``manifest`` on disk; only its ``edits`` when the one on disk is ``since``, the
        manifest this engine saved last (``serve``: a few lines per edit)."""
        path = manifest_file(self.root, out)
        try:  # --no-cache too: a manifest left as it was would describe files this build replaced
            last = self._last_manifest
            if not (last is not None and last[0].files is since.files and manifest.save_edits(path, edits)):
                manifest.save(path)
        except OSError as exc:  # a read-only or full .counterpoint/: the output is complete all the same
            with suppress(OSError):
                path.unlink(missing_ok=True)  # an outdated one would mislead the next build
            reason = (exc.strerror or str(exc)).lower()
            say(
                f"warning: the site was built, but the list of the files it wrote could not be saved "
                f"({display_path(path, self.root)}: {reason}); a later build will not remove those files when their "
                "source goes. Make .counterpoint/ writable.",
                sys.stderr,
            )
        self._last_manifest = (manifest, folder_id(out))

    def pygments_css(self, output: Path, key: str) -> str:
        """The code colours; kept in the cache so a no-op build need not load Pygments."""
        state = self.load_state(output)
        if state.pygments[0] != key:
            from counterpoint.markup.highlight import stylesheet  # lazily: Pygments, only when the key changed

            state.pygments = (key, stylesheet())
        return state.pygments[1]
