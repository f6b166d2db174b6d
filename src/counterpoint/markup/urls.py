"""Links and images in rendered Markdown: what a static host under a sub-path needs.

* A root-relative address (``/img/x.png``, ``/about/``) means the site's root,
  so it gets the base path (``/blog/img/x.png`` for ``base_url: …/blog/``),
  unless it already starts with it; ``//host/…`` is another host and stays.
* Images load lazily and decode off the main thread, and carry the
  ``width``/``height`` read from the file's header (imagesize: PNG, JPEG, GIF,
  WebP, SVG and more), so the text does not jump as they arrive.

The renderer rules read the ``Addresses`` of markdown-it's ``env``
(``markup/env.py``: the base path and a callable ``src -> (width, height) | None``),
set per document by whoever renders it; Markdown rendered without them is left
as it was.  Raw HTML is the
author's own and is never rewritten.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from counterpoint.markup.env import addresses

MAX_HEADER = 256 * 1024  # imagesize reads headers; a JPEG's size marker may follow large EXIF data


def with_base(url: str, base_path: str) -> str:
    """``/img/x.png`` -> ``/blog/img/x.png`` under the base path ``/blog/``; an
    address already under it (``/blog/img/x.png``, written for that host) stays."""
    if base_path == "/" or not url.startswith("/") or url.startswith("//") or url.startswith(base_path):
        return url
    return base_path.rstrip("/") + url


def size_of(data: bytes) -> tuple[int, int] | None:
    """(width, height) from an image's header, or None when it does not say."""
    import imagesize  # lazily: only a page with an image loads it

    width, height = imagesize.get(io.BytesIO(data[:MAX_HEADER]))
    if width <= 0 or height <= 0:
        return None
    return round(width), round(height)


@dataclass(frozen=True)
class ImageFiles:
    """Finds the file behind an image address of one document and reads its size.

    ``page``: the document's folder in the output (``essays/tides/``); ``bundle``:
    the files it brings, by their path in the output (an essay's assets, whose
    folder may not be its address); ``content``: the site's content folder, for the
    other files it copies as they are."""

    page: str
    content: Path
    bundle: Mapping[str, Path]

    def __call__(self, src: str) -> tuple[int, int] | None:
        rel = output_path(src, self.page)
        if rel is None:
            return None
        path = self.bundle.get(rel)
        if path is None:
            path = self.content / rel
            try:
                if not path.resolve().is_relative_to(self.content.resolve()):
                    return None
            except OSError:
                return None
        try:
            with open(path, "rb") as handle:
                return size_of(handle.read(MAX_HEADER))
        except OSError:
            return None


def output_path(src: str, page: str) -> str | None:
    """The path in the output that a local address on ``page`` names, or None
    for another host, a scheme (``data:``) or an address that leaves the site."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else page + path
    out: list[str] = []
    for piece in joined.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if not out:
                return None
            out.pop()
        else:
            out.append(piece)
    return "/".join(out)


def from_page(url: str, away: str) -> str:
    """A relative address written on the page at ``away`` (``chart.png``, ``../other/``),
    made root-relative, for the same page's text shown elsewhere; others as they are."""
    if not away or url.startswith(("/", "#")) or urlsplit(url).scheme:
        return url
    parts = urlsplit(url)
    path = output_path(url, away)
    if path is None:
        return url
    trail = "/" if parts.path.endswith("/") and path else ""
    return (
        "/"
        + path
        + trail
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def render_link_open(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    href = token.attrs.get("href")
    if isinstance(href, str):
        href = from_page(href, addresses(env).away)
    if not isinstance(href, str) or not href.startswith("/"):
        return self.renderToken(tokens, idx, options, env)
    return _with_attrs(
        token, {"href": with_base(href, addresses(env).base_path)}, self.renderToken, tokens, idx, options, env
    )


def render_image(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    attrs: dict[str, Any] = {"loading": "lazy", "decoding": "async"}
    src = token.attrs.get("src")
    if isinstance(src, str):
        image_size = addresses(env).image_size
        size = image_size(src) if image_size is not None else None
        attrs["src"] = with_base(from_page(src, addresses(env).away), addresses(env).base_path)
        if size is not None and "width" not in token.attrs and "height" not in token.attrs:
            attrs["width"], attrs["height"] = str(size[0]), str(size[1])
    return _with_attrs(token, attrs, self.image, tokens, idx, options, env)


def _with_attrs(token: Any, attrs: dict[str, Any], render: Callable[..., str], *args: Any) -> str:
    """Render ``token`` with ``attrs`` over its own, leaving the token as it was:
    the same tokens are rendered again (a UPD for the corrections page)."""
    original = token.attrs
    token.attrs = {**original, **{k: v for k, v in attrs.items() if k == "src" or k == "href" or k not in original}}
    try:
        return render(*args)
    finally:
        token.attrs = original


def install(md: Any) -> None:
    """Add the rules to a markdown-it parser."""
    md.add_render_rule("link_open", render_link_open)
    md.add_render_rule("image", render_image)
