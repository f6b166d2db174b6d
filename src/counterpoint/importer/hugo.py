"""A Hugo site's posts, found as Hugo finds them in ``content/``.

A Markdown file in a section (``content/posts/x.md``) is a post; a leaf bundle
(a folder with ``index.md``, or ``index.<lang>.md``) is one post, and every other
file in it, Markdown too, is one of its resources.  Left out, each with a warning:
top-level pages (``content/about.md``), translations (``x.fr.md`` when the site's
``defaultContentLanguage`` is not ``fr``) and posts in another format (``.html``,
``.org``, ``.adoc``…).  Section list pages (``_index.md``) are left out silently:
counterpoint makes its own lists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from counterpoint.errors import ContentError
from counterpoint.importer.post import MARKDOWN, NOT_MARKDOWN, NOT_MARKDOWN_HINT, OTHER_FORMATS, Post, warning
from counterpoint.markup.slugs import slug
from counterpoint.source.content import name_parts
from counterpoint.source.frontmatter import load_toml

CONFIG_FILES = tuple(f"{name}.{ext}" for ext in ("toml", "yaml", "yml", "json") for name in ("hugo", "config"))
MARKERS = (*CONFIG_FILES, "archetypes", "themes")  # a folder with one of these is a Hugo site


def hugo_posts(content: Path, root: Path) -> tuple[list[Post], list[ContentError]]:
    """The posts under ``content``, and warnings for the files left out."""
    default, languages = _languages(root)
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
        posts.append(_post(path, inside, rel, stem, languages))
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
    return Post(path, rel, name_slug or "post", date, lower_url(old), assets)


def lower_url(url: str) -> str:
    return "/".join(slug(part) or part for part in url.split("/"))


def _split(stem: str, languages: set[str]) -> tuple[str, str]:
    """``hello.fr`` -> ("hello", "fr") when fr is one of the site's languages; else (stem, "")."""
    base, dot, lang = stem.rpartition(".")
    if dot and base and lang.lower() in languages:
        return base, lang.lower()
    return stem, ""


def _languages(root: Path) -> tuple[str, set[str]]:
    """The site's default content language (Hugo's default: en) and every language it
    names: its config's ``defaultContentLanguage`` and ``languages``."""
    default = ""
    languages: set[str] = set()
    configs = [root / name for name in CONFIG_FILES]
    configs += [root / "config" / "_default" / name for name in (*CONFIG_FILES, "languages.toml", "languages.yaml")]
    for path in configs:
        data = _config(path)
        if path.stem == "languages":
            languages |= {str(k).lower() for k in data}
        for key, value in data.items():
            if key.lower() == "defaultcontentlanguage" and isinstance(value, str) and not default:
                default = value.lower()
            elif key.lower() == "languages" and isinstance(value, dict):
                languages |= {str(k).lower() for k in value}
    default = default or "en"
    return default, languages | {default}


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
