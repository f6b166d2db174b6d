"""A Hugo site's posts, found as Hugo finds them in ``content/``.

A Markdown file in a section (``content/posts/x.md``) is a post; a leaf bundle
(a folder with ``index.md``, or ``index.<lang>.md``) is one post, and every other
file in it, Markdown too, is one of its resources.  Left out, each with a warning:
top-level pages (``content/about.md``), translations (``x.fr.md`` when the site's
``defaultContentLanguage`` is not ``fr``) and posts in another format (``.html``,
``.org``, ``.adoc``…).  Section list pages (``_index.md``) are left out silently:
counterpoint makes its own lists.  Content Hugo renders no page for is left out
with a warning: ``build: {render: never}`` (``_build: {render: false}``, ``render:
link``), ``headless: true``, also cascaded from a section's ``_index.md``; a post
whose ``expiryDate`` is past is imported as a draft, with a warning.

The config (``hugo.*`` or ``config.*``, TOML, YAML or JSON, and ``config/_default/``)
gives the site's languages, its ``timeZone`` and its ``[permalinks]``: the address
Hugo gave a post is the section's permalink pattern filled in (``hugo_urls.py``), or
its path in ``content/`` urlized as Hugo does (lowercase, ``_`` kept).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from counterpoint.errors import ContentError
from counterpoint.importer import dates
from counterpoint.importer.hugo_urls import HugoConfig, urlize
from counterpoint.importer.post import MARKDOWN, NOT_MARKDOWN, NOT_MARKDOWN_HINT, OTHER_FORMATS, Post, warning
from counterpoint.source.content import name_parts
from counterpoint.source.frontmatter import load_toml, parse_document

CONFIG_FILES = tuple(f"{name}.{ext}" for ext in ("toml", "yaml", "yml", "json") for name in ("hugo", "config"))
MARKERS = (*CONFIG_FILES, "archetypes", "themes")  # a folder with one of these is a Hugo site


def hugo_posts(content: Path, root: Path, config: HugoConfig) -> tuple[list[Post], list[ContentError]]:
    """The posts under ``content``, and warnings for the files left out."""
    default, languages = config.language, set(config.languages)
    files = sorted(p for p in content.rglob("*") if p.is_file())
    bundles = {
        p.parent
        for p in files
        if p.parent != content and p.suffix.lower() in MARKDOWN and _split(p.stem, languages)[0] == "index"
    }
    posts: list[Post] = []
    warnings: list[ContentError] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        bundle = next((b for b in reversed(path.parents) if b in bundles), None)  # Hugo does not nest them
        stem, lang = _split(path.stem, languages)
        if bundle is not None and (bundle != path.parent or stem != "index"):
            continue  # a resource of the bundle, copied with it
        if path.suffix.lower() not in MARKDOWN:
            if path.suffix.lower() in OTHER_FORMATS:
                warnings.append(warning(rel, 0, NOT_MARKDOWN, NOT_MARKDOWN_HINT))
            continue
        if stem == "_index":
            continue  # a section's list page: counterpoint makes its own lists
        if lang and lang != default:
            warnings.append(
                warning(
                    rel,
                    0,
                    f"a translation ({lang}): not imported",
                    f"a counterpoint site has one language, here {default}: to keep it, make it an essay "
                    f"of its own with lang: {lang}",
                )
            )
            continue
        inside = path.relative_to(content)
        if len(inside.parts) == 1:
            warnings.append(
                warning(
                    rel,
                    0,
                    "a page, not a post: not imported",
                    "copy it into content/ of the site (content/about.md is the page /about/)",
                )
            )
            continue
        found, note = _published(_post(path, inside, rel, stem, languages), content, root, config)
        posts += [found] if found else []
        warnings += [note] if note else []
    return posts, warnings


def _post(path: Path, inside: Path, rel: str, stem: str, languages: set[str]) -> Post:
    if stem == "index":  # a leaf bundle: the folder is the post, its other files its resources
        folder = path.parent
        name = folder.name
        assets = tuple(
            p
            for p in sorted(folder.rglob("*"))
            if p.is_file()
            and not (p.parent == folder and p.suffix.lower() in MARKDOWN and _split(p.stem, languages)[0] == "index")
        )
        old = inside.parent.as_posix() + "/"
    else:
        name, assets = stem, ()
        old = (inside.parent / stem).as_posix() + "/"
    name_slug, date = name_parts(name)
    return Post(path, rel, name_slug or "post", date, urlize(old), assets, inside=inside.as_posix())


def _split(stem: str, languages: set[str]) -> tuple[str, str]:
    """``hello.fr`` -> ("hello", "fr") when fr is one of the site's languages; else (stem, "")."""
    base, dot, lang = stem.rpartition(".")
    if dot and base and lang.lower() in languages:
        return base, lang.lower()
    return stem, ""


def hugo_config(root: Path) -> HugoConfig:
    """The settings the import reads from the site's config: ``hugo.*`` (else
    ``config.*``) and the files of ``config/_default/`` (``permalinks.toml`` is the
    ``permalinks`` key), keys in any case as Hugo reads them."""
    files = [root / name for name in CONFIG_FILES]
    folder = root / "config" / "_default"
    files += (
        sorted(p for p in folder.glob("*") if p.suffix in (".toml", ".yaml", ".yml", ".json"))
        if folder.is_dir()
        else []
    )
    default, zone = "", None
    languages: set[str] = set()
    permalinks: dict[str, str] = {}
    for path in files:
        data = _config(path)
        if path.parent == folder and path.stem not in ("hugo", "config"):
            data = {path.stem: data}  # config/_default/languages.toml is the key "languages"
        for key, value in data.items():
            key = str(key).lower()
            if key == "defaultcontentlanguage" and isinstance(value, str) and not default:
                default = value.lower()
            elif key == "languages" and isinstance(value, dict):
                languages |= {str(k).lower() for k in value}
            elif key == "timezone" and zone is None:
                zone = dates.zone(value)
            elif key == "permalinks" and isinstance(value, dict):
                by_kind = value.get("page")  # Hugo 0.112+: [permalinks.page], beside [permalinks] itself
                for section, pattern in [*value.items(), *(by_kind.items() if isinstance(by_kind, dict) else [])]:
                    if isinstance(pattern, str):
                        permalinks.setdefault(str(section).lower().strip("/"), pattern)
    default = default or "en"
    return HugoConfig(default, frozenset(languages | {default}), permalinks, zone)


def _config(path: Path) -> dict[str, Any]:
    """A Hugo config file's settings; {} when there is none or it cannot be read (Hugo
    would say why: the import goes on with Hugo's defaults)."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data: Any = load_toml(text, path.name, 1)[0]
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, ContentError):
        return {}
    return data if isinstance(data, dict) else {}


def is_hugo_site(folder: Path) -> bool:
    return (folder / "content").is_dir() and any((folder / name).exists() for name in MARKERS)


# --------------------------------------------------------------------------- what Hugo publishes


def _published(post: Post, content: Path, root: Path, config: HugoConfig) -> tuple[Post | None, ContentError | None]:
    """The post as it is imported, and a warning: none for a post Hugo renders no page
    for (its build options, also cascaded), a draft for one that has expired."""
    try:
        meta = parse_document(post.path.read_bytes(), post.path, root).meta
    except (ContentError, OSError):
        return post, None  # reported when the post is converted
    own = any(key in meta for key in ("build", "_build", "headless"))  # the page's own options win
    why = _not_rendered(meta) if own else _cascaded(post, content, root)
    if why:
        return None, warning(
            post.rel,
            0,
            f"Hugo does not publish it ({why}): not imported",
            "it had no page of its own, so no old address: copy its text into an essay to publish it",
        )
    for key, value in meta.items():
        if str(key).lower() in ("expirydate", "unpublishdate"):
            parsed = dates.parse(value)
            if parsed is None:
                continue
            moment = parsed[0] if parsed[2] else parsed[0].replace(tzinfo=config.zone or timezone.utc)
            if moment <= datetime.now(timezone.utc):
                why = f"expired on {value} ({key}): Hugo no longer publishes it, so it is imported as a draft"
                note = warning(post.rel, 0, why, "remove draft: true from the essay to publish it again")
                return replace(post, expired=why), note
    return post, None


def _not_rendered(meta: dict[str, Any]) -> str:
    """Why Hugo renders no page for front matter ``meta`` ("build: render: never"), or ''."""
    for key in ("build", "_build"):
        options = meta.get(key)
        if isinstance(options, dict):
            render = str(options.get("render", "always")).strip().lower()
            return f"{key}: render: {render}" if render in ("never", "false", "link") else ""
    if str(meta.get("headless", "")).strip().lower() == "true":
        return "headless: true"
    return ""


def _cascaded(post: Post, content: Path, root: Path) -> str:
    """Why Hugo renders no page for the post by the ``cascade:`` of a section's
    ``_index.md`` (the nearest section's first), or ''."""
    page = "/" + post.inside.rsplit(".", 1)[0].removesuffix("/index")
    folder = post.path.parent.parent if post.path.stem.split(".")[0] == "index" else post.path.parent
    while folder.is_relative_to(content):
        index = next(
            (folder / f"_index{suffix}" for suffix in MARKDOWN if (folder / f"_index{suffix}").is_file()), None
        )
        for options in _cascades(index, root, page) if index is not None else []:
            if any(key in options for key in ("build", "_build", "headless")):
                why = _not_rendered(options)
                return f"{why}, cascaded from {index.relative_to(root).as_posix()}" if why and index else ""
        folder = folder.parent
    return ""


def _cascades(index: Path, root: Path, page: str) -> list[dict[str, Any]]:
    """The values a section's ``cascade:`` gives the page at ``page`` (/posts/x): a map,
    or a list of maps each for the pages its ``_target`` (``target``) matches."""
    try:
        cascade = parse_document(index.read_bytes(), index, root).meta.get("cascade")
    except (ContentError, OSError):
        return []
    found = []
    for entry in cascade if isinstance(cascade, list) else [cascade]:
        if not isinstance(entry, dict):
            continue
        target = entry.get("_target", entry.get("target"))
        if isinstance(target, dict) and not _targets(target, page):
            continue
        found.append(entry)
    return found


def _targets(target: dict[str, Any], page: str) -> bool:
    """Whether a cascade's ``_target`` matches a regular page at ``page`` in production."""
    path, kind, environment = (str(target.get(key, "")).strip() for key in ("path", "kind", "environment"))
    if path and not fnmatch.fnmatchcase(page, path.replace("**", "*")):
        return False
    return kind in ("", "page", "*", "{page}") and environment in ("", "production")
