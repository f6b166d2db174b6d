"""``counterpoint import DIR``: a Hugo or Jekyll blog's posts become essays.

The posts are read where they are (nothing in DIR changes) and written into the
site's ``content/essays/``: a post with files of its own (a Hugo page bundle) as
an essay bundle, any other as one file.  Front matter is rewritten in
counterpoint's keys (``description`` → ``summary``, ``categories`` → ``tags``,
Jekyll's ``published: false`` → ``draft: true``…); what counterpoint has no
key for goes under ``extra:`` as it was.  The address the old generator gave a
post becomes one of its ``aliases``, so old links keep working.

Hugo shortcodes and Liquid tags that have a Markdown counterpart are
converted (``figure``, ``highlight``, ``ref``/``relref``, ``post_url``,
``link``, ``raw``, ``site.baseurl``); every other one is kept as it was and
reported with its file and line, so the author can decide.  The static files
a blog refers to by root-relative addresses (Hugo's ``static/``, Jekyll's
``assets/`` and ``images/``) are copied into ``content/``, where counterpoint
copies them to the same addresses.

One module: Hugo's and Jekyll's conversions share the post being converted and the
rewriting of links between the imported posts.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import yaml

from counterpoint.errors import BuildFailed, ContentError, UsageError
from counterpoint.essay.parse import parse_essay
from counterpoint.markup.slugs import slug, slug_problem
from counterpoint.model import EssaySource, FileRef
from counterpoint.source.config import SiteConfig, load_config
from counterpoint.source.content import name_parts
from counterpoint.source.foreign_keys import ALIASES, NO_EFFECT
from counterpoint.source.frontmatter import parse_document

MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
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
    "aliases",
)
# keys of other generators that mean one of ours (besides foreign_keys.ALIASES)
MORE_ALIASES = {"redirect_from": "aliases"}
# folders of static files a blog addresses from its root
HUGO_STATIC = ("static",)
JEKYLL_STATIC = ("assets", "images", "img", "files", "downloads")


@dataclass(frozen=True)
class Post:
    """A post found in the blog, before conversion."""

    path: Path  # its Markdown file
    rel: str  # as shown in reports: relative to DIR
    slug: str
    name_date: str  # Jekyll's date from the file name, or ""
    old_url: str  # the address the old generator gave it, site-relative ("posts/x/")
    assets: tuple[Path, ...] = ()  # the files of a page bundle


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
    # Long: one import, step by step, in the order it is reported.
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
    pages: list[Path] = []
    kind, root, posts = _find_posts(source, pages)
    posts = [_with_own_slug(post, root) for post in posts]
    report = ImportReport(kind)
    for page in pages:
        report.warnings.append(
            ContentError(
                page.relative_to(root).as_posix(),
                0,
                "a page, not a post: not imported",
                "copy it into content/ of the site (content/about.md is the page /about/)",
                severity="warning",
            )
        )
    by_name = _index(posts, kind)
    essays = site / "content" / "essays"
    # the slugs the site's essays have (2024-01-15-x.md is the essay x)
    taken = {name_parts(p.stem if p.is_file() else p.name)[0] for p in essays.iterdir()} if essays.is_dir() else set()
    texts: list[tuple[Converted, str]] = []
    for post in posts:  # everything is converted before anything is written
        item = Converted(post)
        report.posts.append(item)
        try:
            text, warnings, kept, done = _convert(post, kind, root, by_name)
        except ContentError as exc:
            item.problem = exc.message
            report.errors.append(exc)
            continue
        except OSError as exc:
            item.problem = f"cannot read file: {exc.strerror or exc}"
            report.errors.append(ContentError(post.rel, 0, item.problem))
            continue
        problems = _would_not_build(text, post, site, config)
        if problems:  # what check would say of the essay: reported, and nothing written
            item.problem = problems[0].message
            report.errors += [ContentError(post.rel, 0, p.message, p.hint) for p in problems]
            continue
        report.warnings += warnings
        item.kept, item.converted, item.assets = kept, done, len(post.assets)
        if post.slug in taken:
            item.problem = f"the site has an essay '{post.slug}' already"
            report.warnings.append(
                ContentError(
                    post.rel,
                    0,
                    f"not imported: {item.problem}",
                    "remove or rename it to import this post again",
                    severity="warning",
                )
            )
            continue
        taken.add(post.slug)
        item.target = _target(post)
        texts.append((item, text))
    if dry_run or report.errors:  # a post that cannot be read: nothing is written, every problem is said
        report.static = 0 if report.errors else _copy_static(root, kind, site / "content", True, report)
        return report
    for item, text in texts:
        post = item.post
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
    report.static = _copy_static(root, kind, site / "content", dry_run, report)
    return report


# --------------------------------------------------------------------------- finding posts


def _find_posts(source: Path, pages: list[Path]) -> tuple[str, Path, list[Post]]:
    """(kind, the blog's root, its posts); ``pages`` gets Hugo's top-level pages."""
    if source.name == "_posts" or (source / "_posts").is_dir():
        root = source.parent if source.name == "_posts" else source
        return "Jekyll", root, _jekyll_posts(root / "_posts", root)
    if (source / "content").is_dir() and any(
        (source / n).exists()
        for n in (
            "hugo.toml",
            "config.toml",
            "hugo.yaml",
            "config.yaml",
            "hugo.json",
            "config.json",
            "archetypes",
            "themes",
        )
    ):
        return "Hugo", source, _hugo_posts(source / "content", source, pages)
    if source.name == "content" or any(p.suffix in MARKDOWN for p in source.rglob("*")):
        root = source.parent if source.name == "content" else source
        return "Hugo", root, _hugo_posts(source, root, pages)
    raise UsageError(f"{source} holds neither a Hugo content/ folder nor a Jekyll _posts/ folder")


def _jekyll_posts(folder: Path, root: Path) -> list[Post]:
    posts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in MARKDOWN):
        name_slug, date = name_parts(path.stem)
        categories = [c for c in path.relative_to(folder).parent.parts]  # _posts/cat/x.md: a category
        old = "/".join([*categories, *date.split("-"), name_slug]) + ".html" if date else f"{name_slug}.html"
        posts.append(Post(path, path.relative_to(root).as_posix(), name_slug or "post", date, old))
    return posts


def _hugo_posts(content: Path, root: Path, pages: list[Path]) -> list[Post]:
    posts = []
    for path in sorted(p for p in content.rglob("*") if p.is_file() and p.suffix.lower() in MARKDOWN):
        if path.stem == "_index":
            continue  # a section's list page: counterpoint makes its own lists
        inside = path.relative_to(content)
        if len(inside.parts) == 1:
            pages.append(path)  # content/about.md: a page, not a post
            continue
        if path.stem == "index":  # a leaf bundle: the folder is the post, its other files its resources
            folder = path.parent
            name = folder.name
            assets = tuple(
                p
                for p in sorted(folder.rglob("*"))
                if p.is_file()
                and p != path
                and not (p.suffix.lower() in MARKDOWN and p.parent == folder and p.stem.startswith("index"))
            )
            old = inside.parent.as_posix() + "/"
        else:
            name, assets = path.stem, ()
            old = inside.with_suffix("").as_posix() + "/"
        name_slug, date = name_parts(name)
        posts.append(Post(path, path.relative_to(root).as_posix(), name_slug or "post", date, _lower_url(old), assets))
    return posts


def _with_own_slug(post: Post, root: Path) -> Post:
    """A post whose front matter names its slug (Hugo's and Jekyll's ``slug:``) is
    addressed by it, in the old blog and as an essay."""
    try:
        written = parse_document(post.path.read_bytes(), post.path, root).meta.get("slug")
    except (ContentError, OSError):
        return post  # reported when the post is converted
    if not isinstance(written, str) or slug_problem(written.strip()):
        return post
    own = written.strip()
    old = post.old_url.rstrip("/").rsplit("/", 1)[0] + f"/{own}/" if post.old_url.endswith("/") else post.old_url
    return replace(post, slug=own, old_url=old)


def _lower_url(url: str) -> str:
    return "/".join(slug(part) or part for part in url.split("/"))


def _index(posts: list[Post], kind: str) -> dict[str, Post]:
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
            post.path.parent.name if rel.stem == "index" else "",
        ):
            if name:
                names.setdefault(name.lower(), post)
        if rel.stem == "index":
            names.setdefault(str(inside.parent).lower(), post)
    return names


# --------------------------------------------------------------------------- one post


def _convert(post: Post, kind: str, root: Path, by_name: dict[str, Post]) -> tuple[str, list[ContentError], int, int]:
    """The essay's text, the warnings, and how many tags were kept and converted."""
    doc = parse_document(post.path.read_bytes(), post.path, root)
    meta = _front_matter(doc.meta, post, kind)
    tags = _Body(post, kind, by_name)
    body = tags.convert(doc.body, doc.body_line)
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    return f"---\n{front}---\n\n{body.lstrip(chr(10))}", tags.warnings, tags.kept, tags.done


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


def _words(value: Any) -> list:
    """Jekyll's ``categories: one two`` is two; a list is a list."""
    return value.split() if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _jekyll_url(meta: dict[str, Any], post: Post) -> str:
    """The address Jekyll's default permalink (``date``) gives a post:
    /:categories/:year/:month/:day/:title.html."""
    categories = [c for c in _words(meta.get("categories", meta.get("category", []))) if isinstance(c, str)]
    parts = [*(slug(c) or c for c in categories), *(post.name_date.split("-") if post.name_date else []), post.slug]
    return "/".join(parts) + ".html"


class _Dumper(yaml.SafeDumper):
    """YAML without implicit types: counterpoint reads every scalar as the text it
    is, so ``true`` and ``2023-03-05`` need no quotes to stay text."""

    yaml_implicit_resolvers: ClassVar[dict] = {}  # type: ignore[misc]  # PyYAML's stubs call it an instance variable


def _front_matter(meta: dict[str, Any], post: Post, kind: str) -> dict[str, Any]:
    """counterpoint's keys, in their usual order, then ``extra:`` with the rest."""
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    tags: list[str] = []
    aliases: list[str] = [f"/{_jekyll_url(meta, post) if kind == 'Jekyll' else post.old_url}"]
    for key, value in meta.items():
        target = ALIASES.get(key, MORE_ALIASES.get(key, key))
        if key in ("tags", "categories"):
            tags += _words(value) if key == "categories" else value if isinstance(value, list) else [value]
        elif key == "published":
            if isinstance(value, str) and value.strip().lower() in ("false", "no"):
                out["draft"] = "true"
        elif target == "aliases":
            aliases += value if isinstance(value, list) else [value]
        elif key in ("url", "permalink") and isinstance(value, str):
            aliases.append(value)
        elif key in NO_EFFECT:
            continue
        elif target == "author" and isinstance(value, list):
            out["author"] = ", ".join(v for v in value if isinstance(v, str))
        elif target in KNOWN and target not in out and isinstance(value, (str, list)):
            out[target] = value
        else:
            extra[key] = value
    if "date" not in out and post.name_date:
        out["date"] = post.name_date
    out.pop("slug", None)  # the essay's file name is its slug (a usable one was taken as it)
    if tags:
        out["tags"] = list(dict.fromkeys(t for t in tags if isinstance(t, str) and t.strip()))
    ordered = {key: out[key] for key in KNOWN if key in out}
    ordered["aliases"] = list(dict.fromkeys(a if a.startswith("/") else "/" + a for a in aliases))
    if extra:
        ordered["extra"] = extra
    return ordered


_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.*?)\s*/?\s*[>%]\}\}")
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}")
_LIQUID_OUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_RAW = re.compile(r"(\{%-?\s*(?:end)?raw\s*-?%\})")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_BASEURL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_RELATIVE_URL = re.compile(r"""\{\{-?\s*(["'])(.*?)\1\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}""")


class _Body:
    """Converts one post's body, line by line, counting and reporting as it goes."""

    def __init__(self, post: Post, kind: str, by_name: dict[str, Post]):
        self.post, self.kind, self.by_name = post, kind, by_name
        self.warnings: list[ContentError] = []
        self.kept = 0
        self.done = 0

    def warn(self, line: int, message: str, hint: str = "") -> None:
        self.warnings.append(ContentError(self.post.rel, line, message, hint, severity="warning"))

    def convert(self, body: str, first_line: int) -> str:
        out: list[str] = []
        fence = ""
        raw = False
        for number, line in enumerate(body.split("\n"), first_line):
            opener = _FENCE.match(line)
            if fence:
                if (
                    opener
                    and opener.group(1)[0] == fence[0]
                    and len(opener.group(1)) >= len(fence)
                    and not line.strip()[len(opener.group(1)) :].strip()
                ):
                    fence = ""
                out.append(line)
                continue
            if opener and not raw:  # Markdown code: shortcodes and tags in it are examples
                fence = opener.group(1)
                out.append(line)
                continue
            if self.kind == "Hugo":
                out.append(_SHORTCODE.sub(lambda m, at=number: self.shortcode(m, at), line))  # type: ignore[misc]
                continue
            pieces = []
            for piece in _RAW.split(line):  # {% raw %}…{% endraw %}: kept as written, markers dropped
                if _RAW.fullmatch(piece):
                    raw = "end" not in piece
                    self.done += 1
                elif raw:
                    pieces.append(piece)
                else:
                    pieces.append(self.liquid_text(piece, number))
            out.append("".join(pieces))
        return "\n".join(out)

    def liquid_text(self, text: str, number: int) -> str:
        text = _BASEURL.sub(lambda m: self.count(""), text)
        text = _RELATIVE_URL.sub(lambda m: self.count(m.group(2)), text)
        text = _LIQUID_TAG.sub(lambda m: self.liquid(m, number), text)
        for output in _LIQUID_OUT.finditer(text):
            self.kept += 1
            self.warn(
                number,
                f"Liquid output {{{{ {output.group(1)} }}}} is kept as text",
                "replace it with the text it stood for",
            )
        return text

    def count(self, text: str) -> str:
        self.done += 1
        return text

    def link_to(self, name: str, line: int, what: str) -> str:
        parts = name.strip().strip("\"'").split("#", 1)
        target = self.by_name.get(parts[0].lstrip("/").lower()) or self.by_name.get(
            PurePosixPath(parts[0]).name.lower()
        )
        if target is None:
            self.kept += 1
            self.warn(
                line,
                f"{what} points at '{parts[0]}', which is not among the imported posts",
                "link to the post's new address, /essays/<slug>/",
            )
            return "#"
        self.done += 1
        anchor = f"#{parts[1]}" if len(parts) > 1 else ""
        return ("./" if target is self.post else f"../{target.slug}/") + anchor

    def shortcode(self, match: re.Match, line: int) -> str:
        _, closing, name, args = match.groups()
        params = _params(args)
        if name in ("ref", "relref") and not closing:
            return self.link_to(params.get("0", params.get("path", "")), line, f"{{{{< {name} >}}}}")
        if name == "highlight":
            self.done += 1
            return "```" if closing else "```" + params.get("0", "")
        if name == "figure" and not closing:
            self.done += 1
            alt = params.get("alt") or params.get("caption") or params.get("title") or ""
            title = params.get("title") or params.get("caption") or ""
            image = f"![{alt}]({params.get('src', '')}" + (f' "{title}"' if title else "") + ")"
            return image
        self.kept += 1
        left, right = ("{{<", ">}}") if match.group(1) == "<" else ("{{%", "%}}")
        self.warn(
            line,
            f"Hugo shortcode {left} {closing}{name} {right} has no counterpart in counterpoint: kept as text",
            "replace it with Markdown or HTML (raw HTML works in essays)",
        )
        return match.group(0)

    def liquid(self, match: re.Match, line: int) -> str:
        name, args = match.group(1), match.group(2).strip()
        if name == "highlight":
            self.done += 1
            return "```" + (args.split()[0] if args else "")
        if name == "endhighlight":
            self.done += 1
            return "```"
        if name == "post_url":
            return self.link_to(args, line, "{% post_url %}")
        if name == "link":
            return self.link_to(args, line, "{% link %}")
        self.kept += 1
        self.warn(
            line,
            f"Liquid tag {{% {name} %}} has no counterpart in counterpoint: kept as text",
            "replace it with Markdown or HTML (raw HTML works in essays)",
        )
        return match.group(0)


def _params(args: str) -> dict[str, str]:
    """A shortcode's parameters: positional ones as "0", "1"…, named ones by name."""
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    params: dict[str, str] = {}
    position = 0
    for word in words:
        key, eq, value = word.partition("=")
        if eq and re.fullmatch(r"\w+", key):
            params[key] = value
        else:
            params[str(position)] = word
            position += 1
    return params


# --------------------------------------------------------------------------- static files


def _copy_static(root: Path, kind: str, content: Path, dry_run: bool, report: ImportReport) -> int:
    copied = 0
    for folder, into in _static_folders(root, kind):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target = content / into / path.relative_to(folder)
            if target.exists():
                continue
            copied += 1
            if not dry_run:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return copied


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
