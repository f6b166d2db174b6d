"""What every template gets: the configuration, URL helpers and UI strings.

Kept apart from ``render.py`` so that the site-wide pages can be planned (and
skipped when unchanged) without loading the Markdown machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterpoint.source.config import SiteConfig
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


def site_for(config: SiteConfig, lang: str, pages: tuple[tuple[str, str], ...] = ()) -> Site:
    return Site(config, translator(lang, tuple(sorted(config.strings.items()))), pages)
