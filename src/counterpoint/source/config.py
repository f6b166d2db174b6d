"""site.yml: loaded with the same safe YAML as front matter, every problem reported at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, available_timezones

from counterpoint.errors import BuildFailed, ContentError, UsageError
from counterpoint.source.frontmatter import Field, did_you_mean, load_yaml, validate_fields
from counterpoint.source.walk import content_file, site_digest

CONFIG_NAME = "site.yml"

FIELDS: tuple[Field, ...] = (
    Field("title", "str", required=True),
    Field("base_url", "str", default="/"),
    Field("language", "str", default="en"),
    Field("author", "str", required=True),
    Field("description", "str", default=""),
    Field("theme", "str", default="default"),
    Field("output", "str", default="public"),
    Field("essays_per_page", "int", default=10, minimum=1, maximum=1000),
    Field("timezone", "str", default="UTC"),
    Field("strings", "map", default={}),
    Field("search", "bool", default=True),
    Field("critiques", "map", default={}),
    Field("toc", "bool", default=False),
    Field("feed_content", "choice", default="full", choices=("full", "summary")),
    Field("extra_css", "list", default=[]),
    Field("extra_head", "text", default=""),
    Field("favicon", "str", default=""),
)

# How readers send a critique from the page (the "Critique this passage" control).
CRITIQUE_CHANNELS = ("github", "email")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_EMAIL = re.compile(r"[^@\s?&#/:<>\"]+@[^@\s?&#/:<>\"]+\.[^@\s?&#/:<>\".]+")

# Folders the build must never write into (it may clear its output folder).
_PROTECTED = ("content", "themes", "templates")


@dataclass(frozen=True)
class SiteConfig:
    """The validated site.yml, with CLI overrides applied."""

    root: Path
    title: str
    base_url: str  # ends with "/": "/", "/blog/" or "https://x.github.io/blog/"
    base_path: str  # path part of base_url, starts and ends with "/"
    language: str
    author: str
    description: str
    theme: str
    output: Path  # absolute
    essays_per_page: int
    timezone: str
    strings: Mapping[str, str] = field(default_factory=dict)
    search: bool = True
    critiques: Mapping[str, str] = field(default_factory=dict)  # channel -> address: github, email
    toc: bool = False  # a table of contents on every essay that does not say otherwise
    feed_content: str = "full"  # "full": feed entries carry the whole essay; "summary": only its summary
    extra_css: tuple[str, ...] = ()  # stylesheets after the theme's: site paths (css/site.css) or http(s) URLs
    extra_head: str = ""  # HTML put at the end of every page's <head>, as written
    favicon: str = ""  # the site's own icon: a file in content/ (favicon.png) or an http(s) URL; "" = the theme's
    digest: str = ""  # blake2b-128 of site.yml bytes, for caches


def load_config(  # noqa: C901 - a check per key, all errors at once
    root: Path, *, base_url: str | None = None, output: Path | None = None, origin: str | None = None
) -> SiteConfig:
    # Long: a check per key of site.yml, all errors at once.
    """Read ``root/site.yml``; raise BuildFailed with every error, UsageError for a bad CLI value.

    ``output`` from the command line is taken relative to the current directory;
    ``origin`` (serve's) replaces the scheme and host of site.yml's base_url, keeping its path.
    """
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise UsageError(
            f"no {CONFIG_NAME} in {root}: run 'counterpoint init {root}' to create a site, or pass the site folder"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BuildFailed([ContentError(CONFIG_NAME, 0, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        data, lines = load_yaml(raw, path, root)
    except ContentError as exc:
        raise BuildFailed([exc]) from None
    values, errors = validate_fields(data, lines, CONFIG_NAME, FIELDS, subject=CONFIG_NAME, container=CONFIG_NAME)

    def bad(key: str, message: str, hint: str) -> None:
        errors.append(ContentError(CONFIG_NAME, lines.get(key, 1), message, hint))

    if base_url is not None:
        try:
            values["base_url"] = normalize_base_url(base_url)
        except ValueError as exc:
            raise UsageError(f"--base-url: {exc}") from None
    else:
        try:
            values["base_url"] = _at_origin(normalize_base_url(values["base_url"] or "/"), origin)
        except ValueError as exc:
            bad("base_url", f"base_url: {exc}", "write e.g. base_url: https://example.github.io/blog/ or base_url: /")

    language = values["language"] or "en"
    if not _known_locale(language):
        bad("language", f"unknown language '{language}'", "use en or ru (any locale code Babel knows works)")

    from counterpoint.source.i18n import check_strings  # lazily: Babel, not on a no-op build

    for _key, message, hint in check_strings(values["strings"] or {}):
        bad("strings", message, hint)

    critiques = values["critiques"] or {}
    for key, value in critiques.items():
        if key not in CRITIQUE_CHANNELS:
            hint = (
                did_you_mean(str(key), list(CRITIQUE_CHANNELS))
                or "the channels are github: owner/repo and email: address"
            )
            bad("critiques", f"unknown critique channel '{key}'", hint)
        elif key == "github" and not _GITHUB_REPO.fullmatch(value):
            bad(
                "critiques",
                f"critiques: github must be owner/repo, not '{value}'",
                "write e.g. github: vera-lind/margin-notes",
            )
        elif key == "email" and not _EMAIL.fullmatch(value):
            bad(
                "critiques",
                f"critiques: email must be an e-mail address, not '{value}'",
                "write e.g. email: vera@example.org",
            )

    for css in values["extra_css"] or ():
        problem, hint = _extra_css_problem(css, root)
        if problem:
            bad("extra_css", f"extra_css: {problem}", hint)

    favicon = values["favicon"] or ""
    if favicon:
        problem = _favicon_problem(favicon, root)
        if problem:
            bad("favicon", f"favicon: {problem}", "write a path of an image in content/ (favicon.png) or https://…")

    tz = values["timezone"] or "UTC"
    if not _valid_zone(tz):
        hint = did_you_mean(tz, sorted(available_timezones())) or "use a name like UTC or Europe/Moscow"
        bad("timezone", f"unknown time zone '{tz}'", hint)

    theme = values["theme"] or "default"
    if "/" in theme or "\\" in theme or theme in (".", ".."):
        bad(
            "theme",
            f"theme must be a folder name, not '{theme}'",
            "write theme: default, or the name of a folder in themes/",
        )

    if output is not None:
        out = output.absolute()
        problem = _unsafe_output(out, root)
        if problem:
            raise UsageError(f"--out {output}: {problem}; choose another folder, such as --out {root / 'public'}")
    else:
        out = (root / (values["output"] or "public")).resolve()
        problem = _unsafe_output(out, root)
        if problem:
            bad("output", f"output: {problem}", "write output: public")

    if errors:
        raise BuildFailed(errors)
    return SiteConfig(
        root=root,
        title=values["title"],
        base_url=values["base_url"],
        base_path=urlsplit(values["base_url"]).path,
        language=language,
        author=values["author"],
        description=values["description"] or "",
        theme=theme,
        output=out,
        essays_per_page=values["essays_per_page"],
        timezone=tz,
        strings=values["strings"] or {},
        search=values["search"] if values["search"] is not None else True,
        critiques=critiques,
        toc=bool(values["toc"]),
        feed_content=values["feed_content"] or "full",
        extra_css=tuple(values["extra_css"] or ()),
        extra_head=values["extra_head"] or "",
        favicon=favicon.lstrip("/"),
        digest=site_digest(raw),
    )


_ICON_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


def _favicon_problem(value: str, root: Path) -> str:
    """Why ``favicon:`` cannot be used, or ''. A site path must name an image file
    in content/ (copied to the same path of the output), so the icon never 404s."""
    elsewhere = _url_problem(value)
    if elsewhere is not None:
        return elsewhere
    if Path(value).suffix.lower() not in _ICON_TYPES:
        return f"'{value}' is not an image the browsers take as an icon ({', '.join(sorted(_ICON_TYPES))})"
    if not content_file(root, value.lstrip("/")):
        return f"content/{value.lstrip('/')} does not exist"
    return ""


def _url_problem(value: str) -> str | None:
    """For an address of another host: '' when it is http(s), else why it cannot be
    linked; None for a path in the site."""
    parts = urlsplit(value)
    if not parts.scheme and not value.startswith("//"):
        return None
    return "" if parts.scheme in ("http", "https") else f"'{value}' is neither a path in the site nor an http(s) URL"


def _extra_css_problem(value: str, root: Path) -> tuple[str, str]:
    """Why an ``extra_css`` entry cannot be linked, and what to do; ('', '') when it can.
    A site path must name a file in content/ (copied to the same path of the output),
    so that no page links a stylesheet that 404s; an http(s) URL is not checked."""
    elsewhere = _url_problem(value)
    if elsewhere is not None:
        return elsewhere, "write a path of a file in content/ (css/site.css) or https://…" if elsewhere else ""
    rel = unquote(urlsplit(value).path).lstrip("/")
    if not content_file(root, rel):
        return (
            f"content/{rel} does not exist",
            "put the file there or fix the path: css/site.css is content/css/site.css (or write https://…)",
        )
    return "", ""


def icon_type(value: str) -> str:
    """The MIME type of an icon by its name (``favicon.png`` -> ``image/png``); '' when unknown."""
    return _ICON_TYPES.get(Path(urlsplit(value).path).suffix.lower(), "")


def _at_origin(base_url: str, origin: str | None) -> str:
    """``base_url``'s path at ``origin`` (serve's ``http://127.0.0.1:8000``); as it is without one."""
    return base_url if origin is None else origin.rstrip("/") + urlsplit(base_url).path


def normalize_base_url(value: str) -> str:
    """'/blog' -> '/blog/', 'https://x.io/blog' -> 'https://x.io/blog/'; ValueError when unusable."""
    value = value.strip()
    if any(c.isspace() for c in value):
        raise ValueError(f"'{value}' contains spaces")
    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ValueError(f"'{value}' must not have a ?query or #fragment")
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError(f"'{value}' must start with / or http(s)://host")
    elif not value.startswith("/") or value.startswith("//"):
        raise ValueError(f"'{value}' must start with / or http(s)://host")
    if not parts.path:
        return value + "/"
    return value if value.endswith("/") else value + "/"


def _known_locale(code: str) -> bool:
    if code in ("en", "ru"):
        return True
    from babel import Locale, UnknownLocaleError  # lazily: Babel, not on a no-op build

    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        return False
    return True


def _unsafe_output(out: Path, root: Path) -> str:
    """Why writing (and clearing) ``out`` would destroy the site's own files, or ''."""
    out = out.resolve()
    if out == root or out in root.parents:
        return f"'{out}' is the site folder or contains it"
    for name in _PROTECTED:
        guarded = root / name
        if out == guarded or guarded in out.parents:
            return f"'{out}' is inside the site's {name}/ folder"
    if (out / CONFIG_NAME).exists() or (out / "content").is_dir():
        return f"'{out}' holds a site of its own ({CONFIG_NAME} or content/)"
    return ""
