"""Plain pages (``content/about.md`` -> ``/about/``): the author's Markdown, no annotations."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from markupsafe import Markup

from counterpoint.errors import ContentError
from counterpoint.markup.slugs import slug_problem
from counterpoint.markup.urls import ImageFiles, output_path
from counterpoint.model import PageSource
from counterpoint.site.site_pages import PageSpec
from counterpoint.source.config import SiteConfig
from counterpoint.source.frontmatter import parse_document, validate_meta
from counterpoint.source.walk import IMAGE_HINT, content_file
from counterpoint.theme.site import Site

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class PlainPage:
    slug: str
    title: str
    lang: str
    summary: str
    html: str
    draft: bool
    image: str = ""  # as written in the front matter
    image_line: int = 1  # its line, for the error when its file is missing (``image_problem``)

    def image_problem(self, rel: str, root: Path) -> ContentError | None:
        """An essay's ``share_image`` for this page (``rel``: its file), whose folder's
        files are copied as any file of content/ is; asked on every build, of a cached
        page too, as an essay's image outside its bundle is (``EssayResult.needs``)."""
        found, target = image_file(self.image, self.slug + "/" if self.slug else "", root)
        if found:
            return None
        message = (
            f"image: {self.image} is outside the site"
            if target is None
            else f"image: {self.image} does not exist (looked for content/{target})"
        )
        return ContentError(rel, self.image_line, message, IMAGE_HINT)

    def spec(self, rel: str, site: Site, jinja: Environment) -> PageSpec:
        url = rel.removesuffix("index.html")
        return PageSpec(
            rel,
            self,
            lambda: jinja.get_template("page.html").render(
                site=site,
                t=site.t,
                page=self,
                body=Markup(self.html),
                page_url=url,
                page_description=self.summary,
                has_code='<pre class="highlight"' in self.html,
                page_image=site.resource(self.image, url),
            ),
        )


def image_file(image: str, folder: str, root: Path, bundle: Container[str] = ()) -> tuple[bool, str | None]:
    """Whether the ``image:`` of the page at ``folder`` (``essays/x/``) names a file its
    ``og:image`` may link to, and that file's path in the output: one of ``bundle`` (the
    output paths of the files that go with the page) or of content/.  Another host's
    address is found and not looked at (None); a path that leaves the site is not found (None)."""
    parts = urlsplit(image)
    if not image or parts.scheme or parts.netloc:
        return True, None
    rel = output_path(image, folder)
    return rel is not None and (rel in bundle or content_file(root, rel)), rel


_SLUG_HINT = "use lowercase letters, digits and '-', with '/' between parts, e.g. slug: about/team"


def page_slug_problem(value: str) -> str | None:
    """Why ``value`` cannot be a page's address (one or more folder names joined by '/'), or None."""
    if "/" not in value:
        return slug_problem(value)
    parts = value.split("/")
    if "\x00" in value:
        return "slug contains a NUL byte"
    if "\\" in value:
        return f"slug '{value}' contains a backslash"
    if ".." in value:
        return f"slug '{value}' contains '..'"
    if any(not part for part in parts):
        return f"slug '{value}' has an empty part (a leading, trailing or double '/')"
    for part in parts:
        why = slug_problem(part)
        if why:
            return f"slug '{value}': {why.replace(f'slug {part!r} ', f'{part!r} ')}"
    return None


PAGE_BLOCKS = "a page has no '::: …' blocks: write it as a paragraph or a quote"


def _body_problems(env: dict, rel: str, offset: int) -> list[ContentError]:
    """What the page's text has wrong: what the parser found, ids, and any UPD (a page has
    no critiques nor ledger: a UPD would be a bare box whose ``re=`` names nothing)."""
    from counterpoint.essay.parse import authored_id_errors  # lazily: as parse_page's imports
    from counterpoint.markup.env import collected
    from counterpoint.markup.markdown import ESSAY_BLOCKS

    found = collected(env)
    problems = [
        ContentError(rel, line + offset, message, PAGE_BLOCKS if hint == ESSAY_BLOCKS else hint)
        for line, message, hint in found.problems
    ]
    problems += authored_id_errors(env, rel, offset, {})
    return problems + [
        ContentError(
            rel,
            line + offset,
            "::: upd belongs in an essay: a page has no critiques to answer nor claims to correct",
            "move the correction into the essay it concerns, or write it as a plain paragraph",
        )
        for _info, line, _open, _close in found.upds
    ]


def parse_page(
    source: PageSource, config: SiteConfig, notes: list[ContentError] | None = None
) -> tuple[PlainPage | None, list[ContentError]]:
    """The page, or every problem in it; ``notes`` gets what ``check`` says about
    keys of other generators."""
    from counterpoint.essay.parse import PAGE_FIELDS
    from counterpoint.markup.env import Addresses, parse_env
    from counterpoint.markup.markdown import essay_parser  # only when a page changed
    from counterpoint.source.foreign_keys import adopt

    try:
        doc = parse_document(source.index.path.read_bytes(), source.index.path, config.root)
    except ContentError as exc:
        return None, [exc]
    except OSError as exc:
        return None, [
            ContentError(source.index.rel, 0, f"cannot read file: {exc.strerror}", "check the file is readable")
        ]
    doc, said, errors = adopt(doc, {f.name for f in PAGE_FIELDS})
    if notes is not None:
        notes += said
    values, problems = validate_meta(doc, PAGE_FIELDS, "page", config.timezone)
    errors += problems
    if values.get("slug"):
        why = page_slug_problem(values["slug"])
        if why:
            errors.append(ContentError(doc.rel, doc.meta_lines.get("slug", 1), why, _SLUG_HINT))
    elif page_slug_problem(source.slug) and source.slug:
        why = page_slug_problem(source.slug)
        errors.append(
            ContentError(
                doc.rel,
                1,
                f"the file's path gives an unusable page address: {why}",
                "rename the file or folder, or set 'slug:' in the front matter",
            )
        )
    if errors:
        return None, errors
    slug = values.get("slug") or source.slug
    md = essay_parser()
    page = slug + "/" if slug else ""
    env = parse_env(addresses=Addresses(config.base_path, ImageFiles(page, config.root / "content", {})))
    html = md.render(doc.body, env)
    problems = _body_problems(env, doc.rel, doc.body_line - 1)
    if problems:
        return None, problems
    return PlainPage(
        slug,
        values["title"],
        values.get("lang") or config.language,
        values.get("summary") or "",
        html,
        bool(values.get("draft")),
        values.get("image") or "",
        doc.meta_lines.get("image", 1),
    ), []
