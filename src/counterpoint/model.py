"""The values that flow between build stages.

discover -> ``EssaySource`` / ``PageSource``; parse -> ``ParsedEssay`` with its
``Critique`` list; link -> ``LinkedEssay``; render -> ``EssayResult`` (what the
site-wide pages need, plus the files written).  Everything but the token lists
is a frozen dataclass, so a stage can only hand a new value to the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from counterpoint.source.config import SiteConfig
    from counterpoint.source.frontmatter import Stamp
    from counterpoint.theme.theme import Theme

STANCES = ("refutes", "disputes", "supports", "questions", "notes")
STATUSES = ("open", "addressed", "declined")
DIFFICULTIES = ("easy", "medium", "hard")

_Value = TypeVar("_Value")


def evolve(value: _Value, **changes: Any) -> _Value:
    """``dataclasses.replace`` for the frozen values the stages hand on, six times as fast:
    ``replace`` walks the fields and calls ``__init__`` (17 µs for an ``EssaySummary``,
    some twenty calls an essay), this copies the instance's fields and sets the changed
    ones.  A value with ``__post_init__`` or ``__slots__``, or one holding more than its
    fields (a ``cached_property`` computed from the old ones), goes through ``replace``."""
    kind = type(value)
    known = getattr(kind, "__dataclass_fields__", {})
    if hasattr(kind, "__post_init__") or len(getattr(value, "__dict__", ())) != len(known):
        return replace(value, **changes)  # type: ignore[type-var]
    for name in changes:
        if name not in known or not known[name].init:
            raise TypeError(f"{kind.__name__} has no field {name!r} to replace")
    new = object.__new__(kind)
    fields = new.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return new


@dataclass(frozen=True)
class FileRef:
    """A source file with the digest of its bytes (the cache key material)."""

    path: Path
    rel: str
    digest: str  # "" until known: a cold build hashes in the worker that reads the file
    size: int = 0
    mtime_ns: int = 0


@dataclass(frozen=True)
class EssaySource:
    """An essay on disk: its Markdown, its critiques and its assets."""

    slug: str  # from the folder or file name; front matter may override it
    index: FileRef
    critiques: tuple[FileRef, ...] = ()
    assets: tuple[FileRef, ...] = ()
    bundle: bool = True
    name_date: str = (
        ""  # "2024-01-15" of a Jekyll-style name "2024-01-15-slug": the date when the front matter has none
    )
    # when its files and their ::: blocks first appeared on the site (source/published.py):
    # ("rel", time) and ("rel NUL block key", time); empty outside git
    published: tuple[tuple[str, str], ...] = ()

    def files(self) -> tuple[FileRef, ...]:
        return (self.index, *self.critiques, *self.assets)

    def digest(self) -> str:
        """Key material for the essay's cache entry; "" when a file is not hashed yet."""
        if any(not ref.digest for ref in self.files()):
            return ""
        parts = [self.slug, self.name_date, self.index.digest]
        parts += [f"{c.rel}={c.digest}" for c in self.critiques]
        parts += [f"{a.rel}={a.digest}" for a in self.assets]
        parts += [f"{key}@{time}" for key, time in self.published]
        return "|".join(parts)


@dataclass(frozen=True)
class PageSource:
    slug: str
    index: FileRef


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str  # "inline" | "block" | "heading" | "quote"
    line: int
    text: str
    token: int  # index of the token that holds it, in the essay's token list
    was: tuple[str, ...] = ()  # earlier texts it replaced (was="…"), which readers' quotes may still name


@dataclass(frozen=True)
class Update:
    id: str  # "upd-2026-01-17", "-2"… when a date repeats
    date: Stamp
    re: tuple[str, ...]
    corrects: tuple[str, ...]
    line: int
    start: int  # token range of the container
    end: int
    published: str = ""


@dataclass(frozen=True)
class Remark:
    critique: str
    target: str  # as written: "#id" or the quoted passage
    quote: str | None
    line: int
    col: int
    html: str
    claim: str = ""  # resolved claim id (set by link)
    answered_by: str = ""  # id of a later UPD that corrected the claim (set by link)
    earlier: bool = False  # the quote is an earlier text of its claim (was=), kept as the reader wrote it
    lead: str = ""  # the margin's first lines until the whole is opened; "" when the remark is short
    published: str = ""  # ISO date-time it first appeared on the site

    @property
    def anchor(self) -> str:
        return f"remark-{self.critique}-{self.line}"


@dataclass(frozen=True)
class Reply:
    author: str
    date: Stamp
    html: str
    line: int
    by_author: bool
    published: str = ""


@dataclass(frozen=True)
class Critique:
    id: str
    rel: str
    author: str
    date: Stamp
    stance: str
    pinned: bool
    source: str
    declared_status: str  # "" when the front matter says nothing
    html: str  # the general text
    remarks: tuple[Remark, ...]
    replies: tuple[Reply, ...]
    status_line: int = 1
    status: str = "open"  # set by link
    addressed_by: tuple[str, ...] = ()  # UPD ids, set by link
    published: str = ""  # ISO date-time the file first appeared on the site

    @property
    def author_reply(self) -> Reply | None:
        """The first reply by the site's author: its first line shows under each remark."""
        return next((r for r in self.replies if r.by_author), None)


@dataclass(frozen=True)
class EssayMeta:
    slug: str
    title: str
    date: Stamp
    summary: str
    tags: tuple[str, ...]
    difficulty: str
    author: str
    draft: bool
    lang: str
    rel: str
    updated: Stamp | None = None  # written in the front matter (UPDs give the computed one)
    toc: bool = False
    aliases: tuple[str, ...] = ()  # old addresses, site paths without the leading "/": redirect here
    extra: Mapping[str, Any] = field(default_factory=dict)  # for themes, as written
    image: str = ""  # as written: relative to the essay, root-relative or an http(s) URL
    image_line: int = 1  # the line of ``image:`` in the front matter, for the error when its file is missing


@dataclass
class ParsedEssay:
    """An essay after parsing: its tokens are still mutable (link adds quote claims)."""

    meta: EssayMeta
    source: EssaySource
    tokens: list[Any]
    env: dict[str, Any]
    body_line: int
    claims: dict[str, Claim]
    updates: tuple[Update, ...]
    critiques: tuple[Critique, ...]
    words: int


@dataclass(frozen=True)
class UpdateSummary:
    """A UPD as the corrections page and feeds show it."""

    id: str
    date: Stamp
    html: str
    re: tuple[tuple[str, str], ...]  # (critique id, author)
    essay_slug: str
    essay_title: str
    essay_url: str
    corrects: tuple[CorrectedClaim, ...] = ()
    lang: str = ""
    published: str = ""
    moment: float = 0.0  # ``date`` as a UTC timestamp: the corrections page's order, without a datetime per UPD


@dataclass(frozen=True)
class CorrectedClaim:
    """A claim as a UPD shows it: its text now and the earlier texts it replaced."""

    id: str
    text: str
    was: tuple[str, ...] = ()


@dataclass(frozen=True)
class EssaySummary:
    """What the index, tag, corrections pages and feeds need of an essay."""

    slug: str
    url: str  # site-relative, "essays/slug/"
    title: str
    date: Stamp
    updated: Stamp | None
    summary: str
    tags: tuple[str, ...]
    difficulty: str
    author: str
    lang: str
    minutes: int
    critiques: int
    open_critiques: int
    updates: tuple[UpdateSummary, ...]
    draft: bool = False
    aliases: tuple[str, ...] = ()  # old addresses that redirect here (EssayMeta.aliases)
    published: tuple[str, ...] = ()  # when each critique, reply and UPD first appeared: "N new since your visit"
    # the essay's body as HTML for feeds, zlib-compressed, only when it cannot be read from its page
    # (``feed``: a theme that does not write the body as it is); b"" for feed_content: summary
    content: bytes = b""
    feed_digest: str = ""  # of the body as feeds show it ("" when they do not)
    image: str = ""  # absolute URL of its share image (og:image), or ""
    scheduled: bool = False  # dated after the build's moment, shown by --future (serve): marked as such
    moment: float = 0.0  # ``date`` as a UTC timestamp: the listings' order, without a datetime per essay per build
    # of everything above but ``content`` and ``feed_digest``: the key of the listings, the sitemap and
    # the corrections page, which do not show the body, so an edit of the text alone leaves them as they are
    listed: str = ""
    digest: str = ""  # of ``listed`` and ``feed_digest``, so of everything above: the key of the feeds
    # where the body is in the essay's page as written (index.html): byte offsets, start and end of each
    # of its pieces (the page's body without the margin's remarks), and the page's size. Feeds read it
    # there (``feeds.Bodies``) rather than every summary keeping a copy; not in ``digest``: where, not what
    feed: tuple[int, ...] = ()
    page_size: int = 0

    @property
    def updated_id(self) -> str:
        """The id of the UPD that ``updated`` is the date of (the newest), for a link to it."""
        return next((u.id for u in self.updates if u.date == self.updated), "")


@dataclass(frozen=True)
class OutputRef:
    """A file the build wrote: where, its digest and size (for the manifest)."""

    rel: str
    digest: str
    size: int


@dataclass(frozen=True)
class EssayResult:
    summary: EssaySummary | None
    outputs: tuple[OutputRef, ...] = ()
    errors: tuple[Any, ...] = ()  # ContentError
    digests: tuple[tuple[str, str], ...] = field(default=())  # (rel, digest) of the files read
    # the essay's card on the listings (partials/essay_card.html) and its UPDs' entries on the
    # corrections page (as summary.updates), rendered with it; on a big site zlib-compressed
    # UTF-8 (``site_pages.compact``, ``Context.compact``), since every result is kept in memory
    card: bytes | str = b""
    corrections: tuple[bytes | str, ...] = ()
    code: tuple[str, ...] = ()  # the languages of its code blocks: the lexers a process re-rendering it needs
    until: float = 0.0  # an essay dated in the future: its moment (UTC timestamp), when this result stops holding
    # files of content/ outside its bundle that its page links (its ``image:``, /img/share.png as
    # "img/share.png"): the cached result holds only while they are there (``essays._from_cache``)
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a worker needs, picklable; the Jinja environment is made once per process."""

    config: SiteConfig
    theme: Theme
    drafts: bool
    stage_dir: Path
    pages: tuple[tuple[str, str], ...] = ()  # plain pages for the navigation: (title, path)
    future: bool = False  # essays dated after ``now`` are shown (marked) instead of held back
    now: float = float("inf")  # the build's moment (UTC timestamp): one for every worker
    compact: bool = False  # keep cards and corrections entries compressed (``site_pages.COMPACT_ABOVE``)
