"""``counterpoint import DIR``: a Hugo or Jekyll blog's posts become essays.

The posts are read where they are (nothing in DIR changes) and written into the
site's ``content/essays/``: a post with files of its own (a Hugo page bundle) as
an essay bundle, any other as one file.  Which files are posts is each generator's
own rule (``hugo.py``, ``jekyll.py``); every file of a posts folder that is not
imported is reported (a draft, a translation, a post in another format…).
Front matter is rewritten in counterpoint's keys (``description`` → ``summary``,
``categories`` → ``tags``, Jekyll's ``published: false`` → ``draft: true``…);
what counterpoint has no key for goes under ``extra:`` as it was.  The address the
old generator gave a post becomes one of its ``aliases``, so old links keep working.

Nothing is written that ``check`` would refuse: an alias another post has already,
or one inside the site's own sections (``/tags/``, ``/static/``…), is left out with
a warning; two posts of one name (``news/intro.md``, ``docs/intro.md``) become two
essays (``intro``, ``news-intro``…); a static file where the build writes its own
(``robots.txt``, ``404.html``) or that would be read as a page (``.md``) is not
copied.  What would still not build (a date that does not exist…) is an error at
the line of the post's own key, and then nothing is written.

Hugo shortcodes and Liquid tags are converted in ``body.py``.  The static files a
blog refers to by root-relative addresses (Hugo's ``static/``, Jekyll's
``assets/`` and ``images/``) are copied into ``content/``, where counterpoint
copies them to the same addresses.

One module: the import's steps, in the order they run and are reported, and the
front matter they write.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import yaml

from counterpoint.build.checks import SITE_FILES, page_clash
from counterpoint.errors import BuildFailed, ContentError, UsageError
from counterpoint.essay.parse import parse_essay
from counterpoint.importer import dates
from counterpoint.importer.body import Body
from counterpoint.importer.hugo import hugo_config, hugo_posts, is_hugo_site
from counterpoint.importer.jekyll import jekyll_config, jekyll_posts, jekyll_site, terms, words
from counterpoint.importer.post import MARKDOWN, OldSite, Post, warning
from counterpoint.markup.slugs import slug, slug_problem
from counterpoint.model import EssaySource, FileRef
from counterpoint.source.config import SiteConfig, load_config
from counterpoint.source.content import MARKDOWN_SUFFIXES, name_parts
from counterpoint.source.foreign_keys import ALIASES, NO_EFFECT
from counterpoint.source.frontmatter import Document, parse_document

# counterpoint's own essay keys, which are written as they are
KNOWN = (
    "title",
    "date",
    "summary",
    "tags",
    "difficulty",
    "author",
    "draft",
    "slug",
    "lang",
    "updated",
    "toc",
    "image",
    "aliases",
)
# keys of other generators that mean one of ours (besides foreign_keys.ALIASES)
MORE_ALIASES = {"redirect_from": "aliases"}
# folders of static files a blog addresses from its root
HUGO_STATIC = ("static",)
JEKYLL_STATIC = ("assets", "images", "img", "files", "downloads")
# output paths the build makes (besides checks.SITE_FILES): a static file there is not copied
_GENERATED = re.compile(r"page/\d+/index\.html|tags/[^/]+/index\.html|pagefind(/.*)?|essays/.*")


@dataclass
class Converted:
    post: Post
    target: str = ""  # where the essay was written, relative to the site
    assets: int = 0
    kept: int = 0  # shortcodes and tags kept as they were
    converted: int = 0
    problem: str = ""  # why it was not imported


@dataclass
class ImportReport:
    kind: str  # "Hugo" | "Jekyll"
    posts: list[Converted] = field(default_factory=list)
    static: int = 0  # static files copied
    warnings: list[ContentError] = field(default_factory=list)  # kept shortcodes and tags, posts left out
    errors: list[ContentError] = field(default_factory=list)  # posts that cannot be read: nothing is written

    @property
    def imported(self) -> int:
        return 0 if self.errors else sum(1 for p in self.posts if p.target)


def import_blog(source: Path, site: Path, *, dry_run: bool = False) -> ImportReport:
    """Convert the blog at ``source`` (a Hugo site, its content/ folder, a Jekyll site or
    its _posts/ folder) into essays of the site at ``site``.  Existing essays are never
    overwritten: a post whose essay exists is reported and left out."""
    source = source.resolve()
    if not source.is_dir():
        raise UsageError(f"{source} is not a folder: give the Hugo or Jekyll site's folder")
    if not (site / "site.yml").is_file():
        raise UsageError(f"no site.yml in {site.resolve()}: run 'counterpoint init {site}' first, or pass --site")
    # (a blog copied into a folder of the site, site/old-blog/, is imported as any other)
    if (source / "site.yml").is_file() or source.is_relative_to(site.resolve() / "content"):
        raise UsageError(
            f"{source} is a counterpoint site (or its content/), not a Hugo or Jekyll blog: nothing to import"
        )
    try:
        config: SiteConfig | None = load_config(site)
    except BuildFailed:
        config = None  # site.yml has errors of its own, which check and build report
    kind, root, posts, notes, old_site = _find_posts(source)
    report = ImportReport(kind, warnings=notes)
    posts = _distinct_slugs([_with_own_slug(post, root) for post in posts], report.warnings)
    run = _Run(kind, root, old_site, site, config, _index(posts), report)
    run.claim_addresses(posts)
    texts = [(item, text) for item, text in map(run.one, posts) if text is not None]
    if dry_run or report.errors:  # a post that cannot be read: nothing is written, every problem is said
        report.static = 0 if report.errors else _copy_static(root, kind, site / "content", True, report)
        return report
    for item, text in texts:
        _write(item.post, text, run.essays)
    report.static = _copy_static(root, kind, site / "content", dry_run, report)
    return report


def _write(post: Post, text: str, essays: Path) -> None:
    if post.assets:
        bundle = essays / post.slug
        bundle.mkdir(parents=True)
        (bundle / "index.md").write_text(text, encoding="utf-8")
        for asset in post.assets:
            target = bundle / asset.relative_to(post.path.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(asset, target)
    else:
        essays.mkdir(parents=True, exist_ok=True)
        (essays / f"{post.slug}.md").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- finding posts


def _find_posts(source: Path) -> tuple[str, Path, list[Post], list[ContentError], OldSite]:
    """(kind, the blog's root, its posts, warnings for the files left out, its config)."""
    jekyll = jekyll_site(source) if not is_hugo_site(source) else None
    if source.name == "_posts" or (source / "_posts").is_dir() or jekyll:
        root, posts, notes = jekyll_posts(jekyll or source)
        return "Jekyll", root, posts, notes, jekyll_config(root)
    root = source.parent if source.name == "content" else source
    config = hugo_config(root)
    if is_hugo_site(source):
        return "Hugo", source, *hugo_posts(source / "content", source, config), config
    if source.name == "content" or any(p.suffix in MARKDOWN for p in source.rglob("*")):
        return "Hugo", root, *hugo_posts(source, root, config), config
    raise UsageError(f"{source} holds neither a Hugo content/ folder nor a Jekyll _posts/ folder")


def _with_own_slug(post: Post, root: Path) -> Post:
    """A post whose front matter names its slug (Hugo's and Jekyll's ``slug:``) is
    addressed by it, in the old blog and as an essay."""
    try:
        written = parse_document(post.path.read_bytes(), post.path, root).meta.get("slug")
    except (ContentError, OSError):
        return post  # reported when the post is converted
    own = written.strip() if isinstance(written, str) else ""
    own = own.lower() if slug_problem(own) and not slug_problem(own.lower()) else own  # Hugo lowercases it
    if slug_problem(own):
        return post
    old = post.old_url.rstrip("/").rsplit("/", 1)[0] + f"/{own}/" if post.old_url.endswith("/") else post.old_url
    return replace(post, slug=own, old_url=old)


def _distinct_slugs(posts: list[Post], warnings: list[ContentError]) -> list[Post]:
    """Two posts of one name in two sections (``news/intro.md``, ``docs/intro.md``): the
    first keeps its slug, the next takes its section's name first (``news-intro``)."""
    owners: dict[str, Post] = {}
    out: list[Post] = []
    for post in posts:
        if post.slug in owners:
            first = owners[post.slug]
            new = next(name for name in _other_slugs(post) if name not in owners and not slug_problem(name))
            warnings.append(
                warning(
                    post.rel,
                    0,
                    f"imported as '{new}': {first.rel} is the essay '{post.slug}'",
                    "its old address redirects to the new one; set slug: in its front matter to choose another",
                )
            )
            post = replace(post, slug=new)
        owners[post.slug] = post
        out.append(post)
    return out


def _other_slugs(post: Post) -> Iterator[str]:
    folders = [p for p in PurePosixPath(post.rel).parent.parts if p not in ("content", "_posts")]
    if post.assets:
        folders = folders[:-1]  # the bundle's own folder is the post's name
    for folder in folders:
        yield f"{slug(folder) or folder}-{post.slug}"
    if post.name_date:
        yield f"{post.slug}-{post.name_date[:4]}"
    n = 2
    while True:
        yield f"{post.slug}-{n}"
        n += 1


def _index(posts: list[Post]) -> dict[str, Post]:
    """Names a post is referred to by: file name, stem, path inside content/ or _posts/."""
    names: dict[str, Post] = {}
    for post in posts:
        rel = PurePosixPath(post.rel)
        inside = PurePosixPath(*rel.parts[1:]) if len(rel.parts) > 1 else rel
        for name in (
            post.rel,
            str(inside),
            str(inside.with_suffix("")),
            rel.name,
            rel.stem,
            post.path.parent.name if rel.stem.startswith("index") else "",
        ):
            if name:
                names.setdefault(name.lower(), post)
        if rel.stem.startswith("index"):
            names.setdefault(str(inside.parent).lower(), post)
    return names


# --------------------------------------------------------------------------- one post


@dataclass
class _Front:
    """A post's front matter in counterpoint's keys, and where each came from."""

    meta: dict[str, Any]
    origins: dict[str, str]  # counterpoint's key -> the post's key it was read from
    alias_keys: dict[str, str]  # each alias -> the post's key that gave it ("" for the old address)


@dataclass
class _Run:
    """One import: what each post is converted and checked against."""

    kind: str
    root: Path
    old_site: OldSite
    site: Path
    config: SiteConfig | None
    by_name: dict[str, Post]
    report: ImportReport
    # address (lowercase, no leading /) -> whose it is ("the address of content/essays/x.md")
    claimed: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)  # the slugs of the site's essays

    @property
    def essays(self) -> Path:
        return self.site / "content" / "essays"

    def claim_addresses(self, posts: list[Post]) -> None:
        """The addresses no alias may take: every essay's, the site's and the imported ones,
        and the aliases the site's essays have."""
        files = sorted(self.essays.iterdir()) if self.essays.is_dir() else []
        for path in files:
            name = path.stem if path.is_file() else path.name
            index = path if path.is_file() else next((path / f"index{s}" for s in MARKDOWN_SUFFIXES), path)
            rel = index.relative_to(self.site).as_posix()
            self.taken.add(name_parts(name)[0])  # 2024-01-15-x.md is the essay x
            self.claimed[f"essays/{name_parts(name)[0]}/"] = f"the address of {rel}"
            for alias in _written_aliases(index, self.site):
                self.claimed.setdefault(_address(alias), f"an alias of {rel}")
        for post in posts:
            self.claimed.setdefault(f"essays/{post.slug}/", f"the address of {_target(post)}")

    def one(self, post: Post) -> tuple[Converted, str | None]:
        """The post converted: (its row of the table, the essay's text, or None when it is
        not written)."""
        item = Converted(post)
        self.report.posts.append(item)
        try:
            doc = parse_document(post.path.read_bytes(), post.path, self.root)
            front = _front_matter(doc.meta, post, self.kind, self.old_site)
        except ContentError as exc:
            item.problem = exc.message
            self.report.errors.append(exc)
            return item, None
        except OSError as exc:
            item.problem = f"cannot read file: {exc.strerror or exc}"
            self.report.errors.append(ContentError(post.rel, 0, item.problem))
            return item, None
        claims, notes = self.aliases(front, doc, post)
        notes += self.image(front, doc, post)
        body = Body(post, self.kind, self.by_name)
        converted = body.convert(doc.body, doc.body_line)
        if body.toc and "toc" not in front.meta:  # kramdown's {:toc}
            front.meta = {**front.meta, "toc": "true"}
        text = _text(front.meta, converted)
        problems = _would_not_build(text, post, self.site, self.config)
        if problems:  # what check would say of the essay: reported, and nothing written
            item.problem = problems[0].message
            self.report.errors += _at_own_lines(problems, text, doc, front.origins, post)
            return item, None
        self.report.warnings += notes + body.warnings
        item.kept, item.converted, item.assets = body.kept, body.done, len(post.assets)
        if post.slug in self.taken:
            item.problem = f"the site has an essay '{post.slug}' already"
            self.report.warnings.append(
                warning(post.rel, 0, f"not imported: {item.problem}", "remove or rename it to import this post again")
            )
            return item, None
        self.taken.add(post.slug)
        self.claimed.update(claims)
        item.target = _target(post)
        return item, text

    def image(self, front: _Front, doc: Document, post: Post) -> list[ContentError]:
        """An ``image:`` naming a file the blog does not have (check would refuse it) goes
        under ``extra:`` as it was, with a warning."""
        value = front.meta.get("image")
        if not isinstance(value, str) or urlsplit(value).scheme or value.startswith("//"):
            return []
        if value.startswith("/"):
            rel = value.lstrip("/")
            there = (self.site / "content" / rel).is_file() or any(
                (folder / rel[len(into) :].lstrip("/")).is_file()
                for folder, into in _static_folders(self.root, self.kind)
                if rel == into or rel.startswith(into + "/") or not into
            )
        else:
            there = (post.path.parent / value).is_file() and post.path.parent / value in set(post.assets)
        if there:
            return []
        front.meta = {key: v for key, v in front.meta.items() if key != "image"}
        front.meta["extra"] = {**front.meta.get("extra", {}), "image": value}
        line = doc.meta_lines.get(front.origins.get("image", "image"), 0)
        return [
            warning(
                post.rel,
                line,
                f"image: {value} is not in the blog: left out",
                "put the file in the site and name it with image: again",
            )
        ]

    def aliases(self, front: _Front, doc: Document, post: Post) -> tuple[dict[str, str], list[ContentError]]:
        """Leaves out of ``front`` each alias ``check`` would refuse (another post's or
        essay's address, one inside the site's own sections), with a warning; returns the
        addresses the post claims and the warnings."""
        claims: dict[str, str] = {}
        notes: list[ContentError] = []
        kept = []
        for alias in front.meta["aliases"]:
            key = _address(alias)
            owner = self.claimed.get(key)
            if owner == f"the address of {_target(post)}" or key in claims:
                continue  # its own address, or an alias written twice
            clash = (
                f"alias '{alias}' is {owner}: left out here"
                if owner
                else f"alias '{alias}' is the site's home page: left out"
                if not key
                else f"alias '{alias}' has a space, which no address of the site can have: left out"
                if any(c.isspace() for c in key)
                else ""
                if key.startswith("essays/")
                else page_clash(key.rstrip("/"), None)
                .replace("page address", "alias")
                .replace(f"'/{key.rstrip('/')}/'", f"'{alias}'")
            )
            if clash:
                line = doc.meta_lines.get(front.alias_keys.get(alias, ""), 0)
                notes.append(
                    warning(post.rel, line, clash, "an alias is an old address of the post: this one cannot redirect")
                )
                continue
            kept.append(alias)
            claims[key] = f"also an alias of {post.rel}"
        front.meta["aliases"] = kept
        return claims, notes


def _address(alias: str) -> str:
    """An alias as ``check`` compares it: a path without the leading '/', lowercase,
    '/' at the end unless it is a file (old.html)."""
    path = unquote(urlsplit(alias).path).lstrip("/").lower()
    return path if path.endswith((".html", ".htm", "/")) or not path else path + "/"


def _written_aliases(index: Path, site: Path) -> list[str]:
    """The aliases an essay of the site has (none when it cannot be read: check says why)."""
    try:
        value = parse_document(index.read_bytes(), index, site).meta.get("aliases")
    except (ContentError, OSError):
        return []
    return [a for a in (value if isinstance(value, list) else [value]) if isinstance(a, str) and a.strip()]


def _text(meta: dict[str, Any], body: str) -> str:
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    return f"---\n{front}---\n\n{body.lstrip(chr(10))}"


def _target(post: Post) -> str:
    """The essay's file in the site: a bundle's index.md when the post has files of its own."""
    return f"content/essays/{post.slug}/index.md" if post.assets else f"content/essays/{post.slug}.md"


def _would_not_build(text: str, post: Post, site: Path, config: SiteConfig | None) -> list[ContentError]:
    """The errors ``check`` would find in the essay ``text`` once written (a date that
    does not exist, an alias that leaves the site…); their lines are the new file's."""
    if config is None:
        return []
    rel = _target(post)
    essay = EssaySource(post.slug, FileRef(site / rel, rel, ""), bundle=bool(post.assets))
    _, errors = parse_essay(essay, config, text.encode("utf-8"), {})
    return [error for error in errors if error.severity == "error"]


def _at_own_lines(
    problems: list[ContentError], text: str, doc: Document, origins: dict[str, str], post: Post
) -> list[ContentError]:
    """The errors found in the essay's text, under the post's file at the line of the key
    the value came from (``date:`` of the post for an invalid date); else the whole file."""
    written = parse_document(text.encode("utf-8"), post.path, post.path.parent)
    starts = sorted((line, key) for key, line in written.meta_lines.items())
    out = []
    for problem in problems:
        key = next((k for line, k in reversed(starts) if line <= problem.line), "")
        line = doc.meta_lines.get(origins.get(key, ""), 0) if problem.line < written.body_line else 0
        out.append(ContentError(post.rel, line, problem.message, problem.hint))
    return out


class _Dumper(yaml.SafeDumper):
    """YAML without implicit types: counterpoint reads every scalar as the text it
    is, so ``true`` and ``2023-03-05`` need no quotes to stay text."""

    yaml_implicit_resolvers: ClassVar[dict] = {}  # type: ignore[misc]  # PyYAML's stubs call it an instance variable


_TAXONOMIES = {"Hugo": ("tags", "categories"), "Jekyll": ("tags", "tag", "categories", "category")}


def _front_matter(meta: dict[str, Any], post: Post, kind: str, old_site: OldSite) -> _Front:
    """counterpoint's keys, in their usual order, then ``extra:`` with the rest."""
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    origins: dict[str, str] = {}
    tags: list[str] = list(post.categories)
    old = old_site.url(meta, post)
    own = "permalink" if kind == "Jekyll" and "permalink" in meta else ""  # Jekyll's permalink: is the old address
    aliases: dict[str, str] = {f"/{old}": own or next((k for k in ("category", "categories") if k in meta), "")}
    for key, value in meta.items():
        target = ALIASES.get(key, MORE_ALIASES.get(key, key))
        if key in _TAXONOMIES[kind]:
            tags += _terms(meta, key, kind)
            origins.setdefault("tags", key)
        elif key == "published":
            if isinstance(value, str) and value.strip().lower() in ("false", "no"):
                out["draft"], origins["draft"] = "true", key
        elif target == "aliases" or key in ("url", "permalink"):
            for alias in _old_addresses(key, value, old, kind) if key != own else []:
                aliases.setdefault(alias, key)
        elif key in NO_EFFECT:
            continue
        elif target == "author" and isinstance(value, list):
            out["author"], origins["author"] = ", ".join(v for v in value if isinstance(v, str)), key
        elif target in KNOWN and target not in out and isinstance(value, (str, list)):
            out[target], origins[target] = value, key
        else:
            extra[key] = value
    _dates(out, origins, meta, post, old_site)
    if "title" not in out and post.name_title:  # Jekyll: 2024-01-15-codeblocks-ahoy.md is "Codeblocks Ahoy"
        out["title"] = post.name_title
    out.pop("slug", None)  # the essay's file name is its slug (a usable one was taken as it)
    if tags:
        out["tags"] = list(dict.fromkeys(t for t in tags if isinstance(t, str) and t.strip()))
    ordered = {key: out[key] for key in KNOWN if key in out}
    ordered["aliases"] = list(aliases)
    if extra:
        ordered["extra"] = extra
    return _Front(ordered, origins, aliases)


def _dates(out: dict[str, Any], origins: dict[str, str], meta: dict[str, Any], post: Post, old_site: OldSite) -> None:
    """The date from a Jekyll post's file name when it has none; a date-time without an
    offset in the zone of the blog's config; a post Hugo no longer publishes a draft."""
    if "date" not in out and post.name_date:
        out["date"] = post.name_date
    for key in ("date", "updated"):
        if key in out:
            out[key] = dates.in_zone(out[key], old_site.zone)
    if post.expired:
        out["draft"], origins["draft"] = "true", next((k for k in meta if k.lower() == "expirydate"), "")


def _old_addresses(key: str, value: Any, old: str, kind: str) -> list[str]:
    """The addresses an alias key gives: a path from the site's root, or for Hugo's
    ``aliases`` a relative one from the page's own address (``old-name`` beside it)."""
    found = []
    for alias in value if isinstance(value, list) else [value]:
        if not isinstance(alias, str) or not alias.strip():  # redirect_from: (empty) is none
            continue
        alias = alias.strip()
        if alias.startswith("/"):
            found.append(alias)
        elif kind == "Hugo" and key.lower() == "aliases":  # path.Join(the page's address, "..", alias)
            resolved = posixpath.normpath(posixpath.join("/" + old.rstrip("/"), "..", alias))
            found.append(resolved if resolved == "/" or resolved.endswith((".html", ".htm")) else resolved + "/")
        else:
            found.append("/" + alias)
    return found


def _terms(meta: dict[str, Any], key: str, kind: str) -> list[str]:
    """Tags from one taxonomy key: Jekyll's ``tags: a b`` is two, Hugo's ``categories =
    "Web Development"`` one."""
    value = meta[key]
    if kind == "Jekyll":
        return words(value) if key in ("tags", "categories") else terms(meta, key + "s", key)
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------- static files


def _copy_static(root: Path, kind: str, content: Path, dry_run: bool, report: ImportReport) -> int:
    copied = 0
    for folder, into in _static_folders(root, kind):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = PurePosixPath(into, path.relative_to(folder).as_posix()).as_posix()
            target = content / rel
            why = _static_clash(rel) or (
                f"content/{rel} is in the site already" if target.exists() and not _same(path, target) else ""
            )
            if why:
                report.warnings.append(
                    warning(
                        path.relative_to(root).as_posix(),
                        0,
                        f"not copied: {why}",
                        "the blog's file is left where it is; rename it to copy it, if the site needs it",
                    )
                )
                continue
            if target.exists():
                continue  # copied by an import before
            copied += 1
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return copied


def _static_clash(rel: str) -> str:
    """Why a static file published at ``rel`` would clash with the site, or ''."""
    key = rel.lower()
    if key in SITE_FILES:
        return f"the build writes {SITE_FILES[key]} there"
    if PurePosixPath(key).suffix in MARKDOWN_SUFFIXES:
        return "a Markdown file in content/ is a page of the site"
    if _GENERATED.fullmatch(key):
        return "the build writes its own pages there" if not key.startswith("essays/") else "essays/ holds the essays"
    return ""


def _same(one: Path, other: Path) -> bool:
    try:
        return one.read_bytes() == other.read_bytes()
    except OSError:
        return False


def _static_folders(root: Path, kind: str) -> Iterator[tuple[Path, str]]:
    if kind == "Hugo":
        for name in HUGO_STATIC:
            if (root / name).is_dir():
                yield root / name, ""  # static/img/x.png is served at /img/x.png
    else:
        for name in JEKYLL_STATIC:
            if (root / name).is_dir():
                yield root / name, name


# --------------------------------------------------------------------------- the summary


def summary_table(report: ImportReport) -> str:
    """The table printed at the end: one row per post."""
    rows = [("post", "essay", "files", "converted", "kept", "")]
    for item in report.posts:
        rows.append(
            (
                item.post.rel,
                item.target or "-",
                str(item.assets),
                str(item.converted),
                str(item.kept),
                f"not imported: {item.problem}" if item.problem else "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    if report.errors:
        lines.append(f"{report.kind}: {len(report.errors)} error(s); nothing was written")
    else:
        lines.append(
            f"{report.kind}: {report.imported} of {len(report.posts)} post(s) imported, "
            f"{report.static} static file(s) copied, {len(report.warnings)} warning(s)"
        )
    return "\n".join(lines)
