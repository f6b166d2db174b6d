"""What every template gets: the configuration, URL helpers and UI strings.

Kept apart from ``render.py`` so that the site-wide pages can be planned (and
skipped when unchanged) without loading the Markdown machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterpoint.markup.urls import output_path
from counterpoint.source.config import SiteConfig, icon_type
from counterpoint.source.i18n import Translator, translator


@dataclass(frozen=True)
class Site:
    """What every template gets: configuration, URL helpers, strings."""

    config: SiteConfig
    t: Translator
    pages: tuple[tuple[str, str], ...] = ()  # (title, path) of the plain pages, for the navigation

    def url(self, path: str = "") -> str:
        """A site path under the base path: ``url("essays/x/")`` -> ``/blog/essays/x/``."""
        return self.config.base_path + path.lstrip("/")

    def absolute(self, path: str = "") -> str:
        """An absolute URL for feeds, canonical links and Open Graph."""
        base = self.config.base_url
        if base.startswith("/"):
            return self.url(path)
        return base + path.lstrip("/")

    def icon(self) -> tuple[str, str]:
        """The ``<link rel="icon">`` address and type: the site's ``favicon:``, else the theme's."""
        own = self.config.favicon
        if not own:
            return self.url("static/favicon.svg"), "image/svg+xml"
        return self.stylesheet(own), icon_type(own)

    def stylesheet(self, href: str) -> str:
        """An ``extra_css`` entry as a link: a site path under the base path, a URL as it is."""
        return href if "//" in href else self.url(href)

    def resource(self, src: str, page: str = "") -> str:
        """An absolute URL for an address written on ``page`` (``cover.png`` in an
        essay, ``/img/x.png``, ``https://…``), as ``og:image`` needs it."""
        if not src or "://" in src:
            return src
        rel = output_path(src, page)
        return self.absolute(rel) if rel is not None else src


def site_for(config: SiteConfig, lang: str, pages: tuple[tuple[str, str], ...] = ()) -> Site:
    return Site(config, translator(lang, tuple(sorted(config.strings.items()))), pages)
