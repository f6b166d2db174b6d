"""The working state of one build, which the steps (``steps.STEPS``) fill in one after the other."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counterpoint.build.cache import CacheState
    from counterpoint.build.options import BuildOptions
    from counterpoint.build.record import BuildRecord, LastBuild
    from counterpoint.build.scheduler import Scheduler
    from counterpoint.errors import ContentError
    from counterpoint.model import Context, EssayResult, EssaySource
    from counterpoint.output.manifest import Manifest
    from counterpoint.output.output import Stage
    from counterpoint.site.listing import Listing
    from counterpoint.site.pages import PlainPage
    from counterpoint.source.config import SiteConfig
    from counterpoint.source.content import Hasher, Inventory
    from counterpoint.source.walk import Scanned
    from counterpoint.theme.theme import Theme


@dataclass
class Run:
    """The working state of one build, filled in step by step."""

    root: Path
    options: BuildOptions
    record: BuildRecord
    changed: frozenset[Path] | None  # the paths serve saw change; None: look at everything
    files: list[Scanned] | None  # the walk of content/, when the up-to-date check made one
    previous: Inventory | None  # the last build's inventory (serve refreshes it)
    config: SiteConfig = field(init=False)
    theme: Theme = field(init=False)
    scheduler: Scheduler = field(init=False)
    state: CacheState = field(init=False)
    hasher: Hasher = field(init=False)
    inventory: Inventory = field(init=False)
    inputs: str = ""  # record.inputs_key, then the navigation too: every key of this build starts with it
    fingerprint: str | None = None  # of everything the output follows from, when it is recorded
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # symlinks not followed, said whether the build fails or not
    static: dict[str, Path] = field(default_factory=dict)  # the theme's static files: output path -> file
    page_files: dict[str, str] = field(default_factory=dict)  # a plain page's output path -> its file
    stage: Stage | None = None
    plain: list[tuple[str, PlainPage]] = field(default_factory=list)
    ctx: Context = field(init=False)
    results: dict[str, EssayResult] = field(default_factory=dict)
    sources: dict[str, EssaySource] = field(default_factory=dict)  # what each result was made from
    rendered: int = 0
    pages_rendered: int = 0
    built: int = 0  # essays with a page, counted before the results may be let go (steps.remember)
    bundles: int = 0  # essays considered, drafts included
    until: float = 0.0  # the first moment an essay dated in the future comes due (0: none)
    written: tuple[str, ...] = ()
    manifest: Manifest | None = None  # of the committed output
    searched: tuple[int, int] | None = None  # search shards indexed, of all; None: the index was not touched
    last: LastBuild | None = None  # the last build, when this one starts from its output (serve's edits)
    fresh: list[str] | None = None  # then: the essays (files) this build handled, the others are the last's
    listing: Listing | None = None  # the essays as the site pages list them
    site_rels: frozenset[str] = frozenset()  # the site pages this build made
    held: ExitStack = field(default_factory=ExitStack)  # the output folder's lock, from the stage to the records
